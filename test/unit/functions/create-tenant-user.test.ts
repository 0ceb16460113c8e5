import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import 'aws-sdk-client-mock-jest';
import {
  AttachUserPolicyCommand,
  CreateUserCommand,
  EntityAlreadyExistsException,
  GetUserCommand,
  IAMServiceException,
  LimitExceededException,
  NoSuchEntityException,
  type User,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/lambda/create-tenant-user';
import { createTenantUser } from '../../../functions/create-tenant-user';
import { loadConfig } from '../../../functions/lib/config';
import { TenantQuotaExceededError, TenantUserConflictError } from '../../../functions/lib/errors';
import {
  answerLedgerGet,
  ledgerOnRun,
  orgTags,
  prefixTenancyConfig,
  SAMPLE_EXECUTION_NAME,
  SAMPLE_RUN_ID,
  SAMPLE_SHARED_BUCKET,
  SAMPLE_TENANT_PREFIX,
  SAMPLE_TENANT_PREFIX_POLICY_ARN,
  sampleBucket,
  samplePrefixBucket,
  samplePrefixTenant,
  sampleRunId,
  sampleTenant,
} from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedIam } from '../../support/mocked-clients';

const { iamMock, iam } = mockedIam();
const config = loadConfig();

const tenant = sampleTenant();
const ledger = ledgerOnRun(tenant.provisionedBy);
const bucket = sampleBucket();
const userArn = 'arn:aws:iam::123456789012:user/tenants/rms_acme-bistro-42';

function existingUser(overrides: Partial<User> = {}): User {
  return {
    UserName: tenant.userName,
    UserId: 'AIDAEXISTING',
    Arn: userArn,
    Path: '/tenants/test/',
    CreateDate: new Date('2026-01-01T00:00:00Z'),
    PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: config.tenantBoundaryArn },
    Tags: [...orgTags(sampleRunId('acme-bistro-42-g2-provision')), { Key: 'TenantBucket', Value: bucket.name }],
    ...overrides,
  };
}

const alreadyExists = () => new EntityAlreadyExistsException({ $metadata: {}, message: `User with name ${tenant.userName} already exists.` });

const fakeContext = fakeLambdaContext('tenant-provisioner-test-createTenantUser');

describe('createTenantUser', () => {
  it('creates the user under the tenant path with the boundary, the tenant tags and its bucket\'s name', async () => {
    iamMock.on(CreateUserCommand).resolves({ User: { UserName: tenant.userName, UserId: 'AIDANEW', Arn: userArn, Path: '/tenants/test/', CreateDate: new Date() } });

    const user = await createTenantUser({ tenant, bucket }, { iam, ledger, config });

    expect(user).toEqual({ userName: tenant.userName, arn: userArn, userId: 'AIDANEW', created: true });
    expect(iamMock).toHaveReceivedCommandTimes(CreateUserCommand, 1);
    expect(iamMock.commandCalls(CreateUserCommand)[0]?.args[0].input).toEqual({
      UserName: 'rms_acme-bistro-42',
      Path: '/tenants/test/',
      PermissionsBoundary: 'arn:aws:iam::123456789012:policy/tenant-provisioner-test-tenant-boundary',
      Tags: [
        { Key: 'OrgId', Value: 'Acme-Bistro-42' },
        { Key: 'ManagedBy', Value: 'tenant-provisioner' },
        { Key: 'ProvisionedBy', Value: SAMPLE_RUN_ID },
        { Key: 'TenantBucket', Value: 'fusion-rms-acme-bistro-42' },
      ],
    });
    expect(iamMock).toHaveReceivedCommandTimes(GetUserCommand, 0);
  });

  it('adopts the org user another execution created, as not created by this one', async () => {
    iamMock.on(CreateUserCommand).rejects(alreadyExists());
    iamMock.on(GetUserCommand).resolves({ User: existingUser() });

    const user = await createTenantUser({ tenant, bucket }, { iam, ledger, config });

    expect(user).toEqual({ userName: tenant.userName, arn: userArn, userId: 'AIDAEXISTING', created: false });
    expect(iamMock).toHaveReceivedCommandWith(GetUserCommand, { UserName: tenant.userName });
    expect(iamMock.calls()).toHaveLength(2);
  });

  it('adopts a user tagged by an earlier run of the same execution name as not created by this run', async () => {
    iamMock.on(CreateUserCommand).rejects(alreadyExists());
    iamMock.on(GetUserCommand).resolves({ User: existingUser({ Tags: [...orgTags(`${SAMPLE_EXECUTION_NAME}.fedcba987654`), { Key: 'TenantBucket', Value: bucket.name }] }) });

    await expect(createTenantUser({ tenant, bucket }, { iam, ledger, config })).resolves.toMatchObject({ created: false, userId: 'AIDAEXISTING' });
  });

  it('counts a user left by its own earlier CreateUser as created by this execution', async () => {
    iamMock.on(CreateUserCommand).rejects(alreadyExists());
    const ours = existingUser();
    ours.Tags = [...(ours.Tags ?? []).filter((t) => t.Key !== 'ProvisionedBy'), { Key: 'ProvisionedBy', Value: tenant.provisionedBy }];
    iamMock.on(GetUserCommand).resolves({ User: ours });

    await expect(createTenantUser({ tenant, bucket }, { iam, ledger, config })).resolves.toMatchObject({ created: true, userId: 'AIDAEXISTING' });
  });

  it('in the local stage adopts the org user without checking the boundary the emulator does not keep', async () => {
    iamMock.on(CreateUserCommand).rejects(alreadyExists());
    iamMock.on(GetUserCommand).resolves({ User: existingUser({ PermissionsBoundary: undefined }) });

    const local = { ...config, verifyAdoptedUserBoundary: false };

    await expect(createTenantUser({ tenant, bucket }, { iam, ledger, config: local })).resolves.toMatchObject({ userId: 'AIDAEXISTING', created: false });
    await expect(createTenantUser({ tenant, bucket }, { iam, ledger, config })).rejects.toThrow(TenantUserConflictError);
  });

  it.each<[string, Partial<User>, RegExp]>([
    [
      "another org's user",
      { Tags: [{ Key: 'OrgId', Value: 'acme-bistro-42' }, { Key: 'ManagedBy', Value: 'tenant-provisioner' }] },
      /rms_acme-bistro-42.*belongs to OrgId "acme-bistro-42"/,
    ],
    ['an untagged user', { Tags: undefined }, /rms_acme-bistro-42.*not managed by tenant-provisioner/],
    ['a user outside the tenant path', { Path: '/' }, /rms_acme-bistro-42.*path is "\/"/],
    ["a user under another stage's tenant path", { Path: '/tenants/prod/' }, /rms_acme-bistro-42.*path is "\/tenants\/prod\/", not "\/tenants\/test\/"/],
    [
      "a user whose TenantBucket names another tenant's bucket",
      { Tags: [...orgTags(sampleRunId('acme-bistro-42-g2-provision')), { Key: 'TenantBucket', Value: 'fusion-rms-globex' }] },
      /rms_acme-bistro-42.*TenantBucket tag is "fusion-rms-globex", not "fusion-rms-acme-bistro-42"/,
    ],
    ['a user without the TenantBucket tag', { Tags: orgTags(sampleRunId('acme-bistro-42-g2-provision')) }, /rms_acme-bistro-42.*TenantBucket tag is null/],
    ['a user without the boundary', { PermissionsBoundary: undefined }, /rms_acme-bistro-42.*no permissions boundary/],
    [
      'a user with another boundary',
      { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } },
      /rms_acme-bistro-42.*permissions boundary is arn:aws:iam::aws:policy\/AdministratorAccess/,
    ],
  ])('refuses to adopt %s with TenantUserConflictError and never modifies it', async (_label, overrides, message) => {
    iamMock.on(CreateUserCommand).rejects(alreadyExists());
    iamMock.on(GetUserCommand).resolves({ User: existingUser(overrides) });

    const run = createTenantUser({ tenant, bucket }, { iam, ledger, config });

    await expect(run).rejects.toThrow(TenantUserConflictError);
    await expect(run).rejects.toThrow(message);
    const { cause } = (await run.catch((err: unknown) => err)) as Error;
    expect(cause).toBeInstanceOf(EntityAlreadyExistsException);
    expect(iamMock.calls().map((call) => call.args[0].constructor.name)).toEqual(['CreateUserCommand', 'GetUserCommand']);
  });

  it('translates the IAM user quota into TenantQuotaExceededError', async () => {
    const quota = new LimitExceededException({ $metadata: {}, message: 'Cannot exceed quota for UsersPerAccount: 5000' });
    iamMock.on(CreateUserCommand).rejects(quota);

    const run = createTenantUser({ tenant, bucket }, { iam, ledger, config });

    await expect(run).rejects.toThrow(TenantQuotaExceededError);
    await expect(run.catch((err: unknown) => (err as Error).cause)).resolves.toBe(quota);
    expect(iamMock).toHaveReceivedCommandTimes(GetUserCommand, 0);
  });

  it('rethrows throttling untouched for the state machine to retry', async () => {
    const throttled = new IAMServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    iamMock.on(CreateUserCommand).rejects(throttled);

    await expect(createTenantUser({ tenant, bucket }, { iam, ledger, config })).rejects.toBe(throttled);
    expect(iamMock).toHaveReceivedCommandTimes(GetUserCommand, 0);
  });

  it('runs through its Lambda entry, with the clients it makes and the stage config', async () => {
    answerLedgerGet(mockClient(DynamoDBClient), ledger.item);
    iamMock.on(CreateUserCommand).resolves({ User: { UserName: tenant.userName, UserId: 'AIDANEW', Arn: userArn, Path: '/tenants/test/', CreateDate: new Date() } });

    await expect(handler({ tenant, bucket }, fakeContext)).resolves.toEqual({ userName: tenant.userName, arn: userArn, userId: 'AIDANEW', created: true });
    expect(iamMock).toHaveReceivedCommandWith(CreateUserCommand, { PermissionsBoundary: config.tenantBoundaryArn });
  });
});

describe('createTenantUser for a prefix tenant', () => {
  const prefixConfig = prefixTenancyConfig();
  const prefixTenant = samplePrefixTenant();
  const shared = samplePrefixBucket();
  const newUser = { UserName: prefixTenant.userName, UserId: 'AIDANEW', Arn: userArn, Path: '/tenants/test/', CreateDate: new Date() };
  /** The prefix tenant's user as CreateTenantUser tags it, by `provisionedBy`. */
  const prefixUserTags = (provisionedBy: string, prefix = SAMPLE_TENANT_PREFIX) => [
    ...orgTags(provisionedBy),
    { Key: 'TenantBucket', Value: SAMPLE_SHARED_BUCKET },
    { Key: 'TenantPrefix', Value: prefix },
  ];
  const commandNames = () => iamMock.calls().map((call) => call.args[0].constructor.name);

  beforeEach(() => {
    iamMock.on(AttachUserPolicyCommand).resolves({});
  });

  it('tags the user with the shared bucket and its prefix, then attaches the stage\'s prefix policy', async () => {
    iamMock.on(CreateUserCommand).resolves({ User: newUser });

    const user = await createTenantUser({ tenant: prefixTenant, bucket: shared }, { iam, ledger, config: prefixConfig });

    expect(user).toEqual({ userName: prefixTenant.userName, arn: userArn, userId: 'AIDANEW', created: true });
    expect(iamMock.commandCalls(CreateUserCommand)[0]?.args[0].input).toEqual({
      UserName: 'rms_acme-bistro-42',
      Path: '/tenants/test/',
      PermissionsBoundary: config.tenantBoundaryArn,
      Tags: [
        { Key: 'OrgId', Value: 'Acme-Bistro-42' },
        { Key: 'ManagedBy', Value: 'tenant-provisioner' },
        { Key: 'ProvisionedBy', Value: SAMPLE_RUN_ID },
        { Key: 'TenantBucket', Value: SAMPLE_SHARED_BUCKET },
        { Key: 'TenantPrefix', Value: 'userdata/acme-bistro-42-publisher/' },
      ],
    });
    expect(iamMock.commandCalls(AttachUserPolicyCommand).map((call) => call.args[0].input)).toEqual([{ UserName: 'rms_acme-bistro-42', PolicyArn: SAMPLE_TENANT_PREFIX_POLICY_ARN }]);
    expect(commandNames()).toEqual(['CreateUserCommand', 'AttachUserPolicyCommand']);
  });

  it('attaches the policy to the user its own earlier CreateUser left (a crash between CreateUser and the attachment), as created by this run', async () => {
    iamMock.on(CreateUserCommand).rejects(alreadyExists());
    iamMock.on(GetUserCommand).resolves({ User: existingUser({ Tags: prefixUserTags(prefixTenant.provisionedBy) }) });

    const user = await createTenantUser({ tenant: prefixTenant, bucket: shared }, { iam, ledger, config: prefixConfig });

    expect(user).toMatchObject({ userId: 'AIDAEXISTING', created: true });
    expect(commandNames()).toEqual(['CreateUserCommand', 'GetUserCommand', 'AttachUserPolicyCommand']);
    expect(iamMock).toHaveReceivedCommandWith(AttachUserPolicyCommand, { UserName: prefixTenant.userName, PolicyArn: SAMPLE_TENANT_PREFIX_POLICY_ARN });
  });

  it("attaches the policy to the org's user another generation created, adopted as not created by this run", async () => {
    iamMock.on(CreateUserCommand).rejects(alreadyExists());
    iamMock.on(GetUserCommand).resolves({ User: existingUser({ Tags: prefixUserTags(sampleRunId('acme-bistro-42-g2-provision')) }) });

    await expect(createTenantUser({ tenant: prefixTenant, bucket: shared }, { iam, ledger, config: prefixConfig })).resolves.toMatchObject({ created: false });
    expect(iamMock).toHaveReceivedCommandTimes(AttachUserPolicyCommand, 1);
  });

  it.each<[string, { Key: string; Value: string }[], RegExp]>([
    ['tagged with another prefix', prefixUserTags(sampleRunId('acme-bistro-42-g2-provision'), 'userdata/globex-publisher/'), /TenantPrefix tag is "userdata\/globex-publisher\/", not "userdata\/acme-bistro-42-publisher\/"/],
    ['without the TenantPrefix tag (a bucket tenant\'s user)', [...orgTags(sampleRunId('acme-bistro-42-g2-provision')), { Key: 'TenantBucket', Value: SAMPLE_SHARED_BUCKET }], /TenantPrefix tag is null, not "userdata\/acme-bistro-42-publisher\/"/],
    ['whose TenantBucket is not the shared bucket', [...orgTags(sampleRunId('acme-bistro-42-g2-provision')), { Key: 'TenantBucket', Value: 'fusion-rms-acme-bistro-42' }, { Key: 'TenantPrefix', Value: SAMPLE_TENANT_PREFIX }], /TenantBucket tag is "fusion-rms-acme-bistro-42", not "tenant-provisioner-test-shared"/],
  ])('refuses to adopt a user %s with TenantUserConflictError, and attaches nothing', async (_label, Tags, message) => {
    iamMock.on(CreateUserCommand).rejects(alreadyExists());
    iamMock.on(GetUserCommand).resolves({ User: existingUser({ Tags }) });

    const run = createTenantUser({ tenant: prefixTenant, bucket: shared }, { iam, ledger, config: prefixConfig });

    await expect(run).rejects.toThrow(TenantUserConflictError);
    await expect(run).rejects.toThrow(message);
    expect(iamMock).toHaveReceivedCommandTimes(AttachUserPolicyCommand, 0);
  });

  it('fails with an error naming TENANT_PREFIX_POLICY_ARN when the stage has no prefix policy, attaching nothing', async () => {
    iamMock.on(CreateUserCommand).resolves({ User: newUser });
    const { tenantPrefixPolicyArn: _arn, ...withoutPolicy } = prefixConfig;

    const run = createTenantUser({ tenant: prefixTenant, bucket: shared }, { iam, ledger, config: withoutPolicy });

    await expect(run).rejects.toThrow(/TENANT_PREFIX_POLICY_ARN is not set/);
    await expect(run).rejects.toThrow(prefixTenant.slug);
    expect(iamMock).toHaveReceivedCommandTimes(AttachUserPolicyCommand, 0);
  });

  it('rethrows an AttachUserPolicy error untouched (a retry adopts the user and attaches again)', async () => {
    iamMock.on(CreateUserCommand).resolves({ User: newUser });
    const noPolicy = new NoSuchEntityException({ $metadata: {}, message: `Policy ${SAMPLE_TENANT_PREFIX_POLICY_ARN} does not exist or is not attachable.` });
    iamMock.on(AttachUserPolicyCommand).rejects(noPolicy);

    await expect(createTenantUser({ tenant: prefixTenant, bucket: shared }, { iam, ledger, config: prefixConfig })).rejects.toBe(noPolicy);
  });

  it.each([
    ['created', () => iamMock.on(CreateUserCommand).resolves({ User: { ...newUser, UserName: tenant.userName } })],
    [
      'adopted',
      () => {
        iamMock.on(CreateUserCommand).rejects(alreadyExists());
        iamMock.on(GetUserCommand).resolves({ User: existingUser() });
      },
    ],
  ])('gives a bucket tenant\'s user (%s) no policy and no TenantPrefix tag, even on a stage with prefix tenancy', async (_label, given) => {
    given();

    await createTenantUser({ tenant, bucket }, { iam, ledger, config: prefixConfig });

    expect(iamMock).toHaveReceivedCommandTimes(AttachUserPolicyCommand, 0);
    const tags = iamMock.commandCalls(CreateUserCommand)[0]?.args[0].input.Tags ?? [];
    expect(tags.map((tag) => tag.Key)).not.toContain('TenantPrefix');
    expect(tags).toContainEqual({ Key: 'TenantBucket', Value: bucket.name });
  });

  it('refuses to adopt, for a bucket tenant, a user that carries a TenantPrefix tag (it would reach a prefix of the shared bucket)', async () => {
    iamMock.on(CreateUserCommand).rejects(alreadyExists());
    iamMock.on(GetUserCommand).resolves({ User: existingUser({ Tags: [...(existingUser().Tags ?? []), { Key: 'TenantPrefix', Value: SAMPLE_TENANT_PREFIX }] }) });

    const run = createTenantUser({ tenant, bucket }, { iam, ledger, config });

    await expect(run).rejects.toThrow(TenantUserConflictError);
    await expect(run).rejects.toThrow(/TenantPrefix tag is "userdata\/acme-bistro-42-publisher\/", not null/);
  });
});
