/**
 * Evaluates requests with @cloud-copilot/iam-simulate (AGPL: a devDependency for these tests
 * only, never imported from functions/, local/ or cli/) and keeps the tally the suite prints:
 * how many requests were evaluated, allowed as expected, denied as expected, and surprises.
 */
import {
  anonymousPrincipal,
  getDenialReasons,
  getGrantReasons,
  runSimulation,
  type AnonymousRequestPrincipal,
  type EvaluationResult,
  type RequestAnalysis,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import type { NamedPolicy, PolicyDocument } from './stack-policies';

export { anonymousPrincipal };

export type Expectation = 'allowed' | 'denied';

/** One request and the decision AWS must reach on it. */
export interface SecurityRequest {
  /** Groups the summary: `tenant user`, `anonymous`, `role createTenantUser`, … */
  category: string;
  /** What the case proves, in words (`may not CreateUser without the boundary`). */
  title: string;
  principal: string | AnonymousRequestPrincipal;
  action: string;
  resource: string;
  /** The account that owns the resource; the deployment's account unless told otherwise. */
  resourceAccount?: string;
  context?: Record<string, string | string[]>;
  identityPolicies?: NamedPolicy[];
  boundary?: NamedPolicy;
  resourcePolicy?: PolicyDocument;
  /** The effective S3 Block Public Access (RestrictPublicBuckets) for the bucket. */
  blockPublicAccess?: boolean;
  expect: Expectation;
}

export interface Outcome {
  result: EvaluationResult | 'error';
  decision: Expectation | 'error';
  /** Which statements decided, or what stopped the simulation. */
  why: string;
}

export interface Surprise {
  request: string;
  expected: Expectation;
  got: Outcome['result'];
  why: string;
}

export interface Tally {
  evaluated: number;
  allowedAsExpected: number;
  deniedAsExpected: number;
  surprises: Surprise[];
  byCategory: Record<string, { evaluated: number; allowed: number; denied: number; surprises: number }>;
}

export function describeRequest(request: SecurityRequest): string {
  const context = Object.entries(request.context ?? {})
    .filter(([key]) => key !== 'aws:SecureTransport' || request.context?.[key] !== 'true')
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${request.category}: ${request.action} on ${request.resource}${context.length ? ` with ${context.join(', ')}` : ''}`;
}

function statementText(policies: (NamedPolicy | { name: string; policy?: PolicyDocument })[], name: string | undefined, index: number): string {
  const statement = policies.find((p) => p.name === name)?.policy?.Statement[index - 1];
  return statement ? ` ${JSON.stringify({ Sid: statement.Sid, Effect: statement.Effect, Action: statement.Action, Resource: statement.Resource })}` : '';
}

function explain(analysis: RequestAnalysis, request: SecurityRequest): string {
  const policies = [
    ...(request.identityPolicies ?? []),
    ...(request.boundary ? [request.boundary] : []),
    { name: 'resource policy', policy: request.resourcePolicy },
  ];
  const grants = getGrantReasons(analysis).map((g) => {
    const policyName = g.policyType === 'resource' ? 'resource policy' : g.policyIdentifier;
    return `allowed by ${g.policyType} ${policyName} statement ${g.statementId ?? `#${g.statementIndex}`}${statementText(policies, policyName, g.statementIndex)}`;
  });
  const denials = getDenialReasons(analysis).map((d) =>
    d.denialType === 'Explicit'
      ? `denied explicitly by ${d.policyType} ${d.policyIdentifier ?? ''} statement ${d.statementId ?? `#${d.statementIndex}`}`
      : `denied implicitly: no ${d.policyType} statement allows it`,
  );
  const blocked = analysis.blockedBy?.length ? [`blocked by ${analysis.blockedBy.join(', ')}`] : [];
  return [...grants, ...denials, ...blocked].join('; ') || 'no statement applies';
}

/**
 * `aws:PrincipalArn`, which AWS puts in the context of every signed request (the role's ARN for
 * an assumed-role session) and iam-simulate leaves to the caller: the tenant bucket's policy
 * names its user by it. Not for anonymous requests, nor for a service principal.
 */
function principalArnOf(principal: SecurityRequest['principal']): Record<string, string> {
  if (typeof principal !== 'string' || !principal.startsWith('arn:')) return {};
  const session = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principal);
  return { 'aws:PrincipalArn': session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : principal };
}

/** Runs the simulation for one request; a simulation that cannot run is an `error` outcome. */
export async function simulate(request: SecurityRequest, accountId: string): Promise<Outcome> {
  const anonymous = typeof request.principal !== 'string';
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount ?? accountId },
      contextVariables: { ...principalArnOf(request.principal), ...request.context },
    },
    identityPolicies: anonymous ? [] : (request.identityPolicies ?? []),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
    ...(request.boundary && !anonymous ? { permissionBoundaryPolicies: [request.boundary] } : {}),
    ...(request.blockPublicAccess === undefined ? {} : { additionalSettings: { s3: { blockPublicAccess: request.blockPublicAccess } } }),
  };
  const response = await runSimulation(simulation, { simulationMode: 'Strict' });
  if (response.resultType === 'error') return { result: 'error', decision: 'error', why: JSON.stringify(response.errors) };
  if (response.resultType !== 'single') return { result: 'error', decision: 'error', why: `expected one simulation, got ${response.results.length} (a wildcard in the resource?)` };
  const { analysis, ignoredContextKeys } = response.result;
  if (ignoredContextKeys?.length) {
    // A key the action does not know was dropped: the case would not test what it says.
    return { result: 'error', decision: 'error', why: `context keys ignored by the simulator: ${ignoredContextKeys.join(', ')}` };
  }
  return { result: response.overallResult, decision: response.overallResult === 'Allowed' ? 'allowed' : 'denied', why: explain(analysis, request) };
}

export class SecurityLedger {
  private readonly tally: Tally = { evaluated: 0, allowedAsExpected: 0, deniedAsExpected: 0, surprises: [], byCategory: {} };

  constructor(private readonly accountId: string) {}

  /** Evaluates `request`, counts it and returns its outcome. */
  async evaluate(request: SecurityRequest): Promise<Outcome> {
    const outcome = await simulate(request, this.accountId);
    const category = (this.tally.byCategory[request.category] ??= { evaluated: 0, allowed: 0, denied: 0, surprises: 0 });
    this.tally.evaluated += 1;
    category.evaluated += 1;
    if (outcome.decision === request.expect) {
      if (outcome.decision === 'allowed') {
        this.tally.allowedAsExpected += 1;
        category.allowed += 1;
      } else {
        this.tally.deniedAsExpected += 1;
        category.denied += 1;
      }
    } else {
      this.tally.surprises.push({ request: `${request.title} — ${describeRequest(request)}`, expected: request.expect, got: outcome.result, why: outcome.why });
      category.surprises += 1;
    }
    return outcome;
  }

  result(): Tally {
    return this.tally;
  }

  summaryLine(): string {
    const { evaluated, allowedAsExpected, deniedAsExpected, surprises } = this.tally;
    return `security: ${evaluated} requests evaluated, ${allowedAsExpected} allowed as expected, ${deniedAsExpected} denied as expected, ${surprises.length} surprises`;
  }
}
