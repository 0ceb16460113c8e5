/**
 * The module that replaces the SDK's default credential chain in the Lambda bundles
 * (serverless.yml's esbuild alias): it must resolve the role credentials Lambda puts in the
 * environment, and say clearly which variables are missing when they are not there.
 */
import { defaultProvider } from '../../../../functions/lib/lambda-credentials';

const VARS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION'] as const;
const saved = Object.fromEntries(VARS.map((name) => [name, process.env[name]]));

afterEach(() => {
  for (const name of VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('lambda-credentials defaultProvider', () => {
  it('returns the execution role credentials from the environment, session token included', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAROLEEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'role-secret';
    process.env.AWS_SESSION_TOKEN = 'role-session';
    delete process.env.AWS_CREDENTIAL_EXPIRATION;
    await expect(defaultProvider({})()).resolves.toMatchObject({ accessKeyId: 'ASIAROLEEXAMPLE', secretAccessKey: 'role-secret', sessionToken: 'role-session' });
  });

  it('fails with the SDK\'s CredentialsProviderError when the environment has none', async () => {
    for (const name of VARS) delete process.env[name];
    const error = await defaultProvider({})().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('CredentialsProviderError');
    expect((error as Error).message).toMatch(/environment variable/i);
  });
});
