/** @type {import('jest').Config} */
const shared = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // @middy/core 7 exports only an `import` condition; point jest (CommonJS) at its file
  // and let ts-jest transform it.
  moduleNameMapper: { '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  transform: {
    // Transpile only: `tsc --noEmit` type-checks separately, with the bundler resolution esbuild uses.
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node', esModuleInterop: true, resolveJsonModule: true, target: 'ES2023', isolatedModules: true } }],
    '^.+/node_modules/@middy/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
    // The event validators are generated as an ES module (scripts/generate-validators.ts).
    '^.+/functions/lib/generated/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'workflow',
      testMatch: ['<rootDir>/test/workflow/**/*.test.ts'],
      // Every SDK call a function sends must be one the security suite proves its role allows.
      setupFilesAfterEnv: [...shared.setupFilesAfterEnv, '<rootDir>/test/support/sdk-calls/setup.ts'],
    },
    { ...shared, displayName: 'deploy', testMatch: ['<rootDir>/test/deploy/**/*.test.ts'] },
    { ...shared, displayName: 'security', testMatch: ['<rootDir>/test/security/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      // The emulator is started once for the project; each file builds the local pipeline on it.
      setupFiles: [],
      setupFilesAfterEnv: [...shared.setupFilesAfterEnv, '<rootDir>/test/support/sdk-calls/setup.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      // The built tenantctl runs as a child process with its own state directory and its own
      // background emulator, which the test stops (`tenantctl local stop`).
      setupFiles: [],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
    },
  ],
};
