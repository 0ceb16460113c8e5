/**
 * The SDK's default credential chain, cut to the one link that runs on Lambda.
 *
 * Lambda gives every function its execution role's credentials in reserved environment
 * variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and reading the
 * environment is the first link of `@aws-sdk/credential-provider-node`'s `defaultProvider`.
 * serverless.yml's esbuild `alias` puts this module in that package's place in the Lambda
 * bundles only, so they no longer carry the chain's other links (SSO, shared ini files,
 * credential_process, web identity, container and instance metadata, and the STS, SSO and
 * sign-in clients they use): about 130 KB of every bundle that never runs there. Local runs,
 * tests and the CLI keep the SDK's full chain. Without those variables, `fromEnv` throws the
 * SDK's own CredentialsProviderError naming them.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
