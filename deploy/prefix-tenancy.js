/**
 * Prefix tenancy's part of the stack: the stage options `tenancy` (`bucket`, the default, or
 * `prefix`), `sharedBucket` (an existing bucket by name; empty: the stack creates one when
 * `tenancy` is `prefix`), `prefixTemplate` and `objectAcls`, checked at packaging with the rules
 * functions/lib/config.ts applies at cold start, so a stage the functions would refuse is never
 * deployed.
 *
 * A stage has prefix tenants when `tenancy` is `prefix` or `sharedBucket` names a bucket: a stage
 * that goes back to `tenancy: bucket` keeps naming its shared bucket, so the prefix tenants it
 * already has keep their policy and their boundary. Only such a stage gets the resources below
 * (`${file(./deploy/prefix-tenancy.js):resources}`), the prefix statements of deploy/roles.js and
 * the prefix statements of the tenants' boundary (deploy/policies.js); any other stage's template
 * is the bucket tenancy one.
 *
 * The shared bucket the stack creates has no BucketName: CloudFormation names it after the stack
 * (`<service>-<stage>-sharedbucket-<random>`), a name no tenant bucket (`<bucketPrefix>-<slug>…`)
 * can ever have, and it is known only as `{ Ref: SharedBucket }`. The policy documents are
 * generated for a placeholder name, which becomes `${SharedBucket}` inside their Fn::Sub.
 */
const { loadTs, withPolicyVariables } = require('./policies');

/** Stands for the created shared bucket's name in the generated documents until it is `${SharedBucket}`. */
const SHARED_BUCKET_PLACEHOLDER = 'shared-bucket-created-by-this-stack';
/** The Fn::Sub variable of the created shared bucket: its Ref, its name. */
const SHARED_BUCKET_REFERENCE = '${SharedBucket}';

const text = (value) => String(value ?? '').trim();

/**
 * The stage's prefix tenancy options, checked: throws, failing packaging, naming the option and
 * what is wrong with it. `sharedBucket` is the name the policy documents are built with: the
 * named bucket, or the placeholder of the one the stack creates.
 */
async function prefixTenancy(resolveVariable) {
  const { prefixTemplateViolation } = loadTs('functions/lib/config.ts');
  const { bucketNameViolation } = loadTs('functions/lib/s3-names.ts');
  const tenancy = text(await resolveVariable('param:tenancy'));
  const named = text(await resolveVariable('param:sharedBucket'));
  const prefixTemplate = text(await resolveVariable('param:prefixTemplate'));
  const objectAcls = text(await resolveVariable('param:objectAcls'));
  const bucketPrefix = text(await resolveVariable('param:bucketPrefix'));
  const stackName = `${await resolveVariable('self:service')}-${await resolveVariable('sls:stage')}`;

  if (tenancy !== 'bucket' && tenancy !== 'prefix') throw new Error(`Stage parameter tenancy=${JSON.stringify(tenancy)} must be "bucket" or "prefix"`);
  if (objectAcls !== 'enabled' && objectAcls !== 'disabled') throw new Error(`Stage parameter objectAcls=${JSON.stringify(objectAcls)} must be "enabled" or "disabled"`);
  const templateViolation = prefixTemplateViolation(prefixTemplate);
  if (templateViolation) throw new Error(`Stage parameter prefixTemplate=${JSON.stringify(prefixTemplate)} ${templateViolation}`);
  if (named) {
    const violation = bucketNameViolation(named);
    if (violation) throw new Error(`Stage parameter sharedBucket=${JSON.stringify(named)} ${violation} (an S3 bucket name)`);
    // The tenant buckets' roles reach every `<bucketPrefix>-*` bucket (and could delete it).
    if (named.startsWith(`${bucketPrefix}-`)) throw new Error(`Stage parameter sharedBucket=${JSON.stringify(named)} must not start with "${bucketPrefix}-", the prefix of every tenant bucket's name`);
  }
  const hasPrefixTenants = tenancy === 'prefix' || named !== '';
  const createsSharedBucket = tenancy === 'prefix' && named === '';
  // CloudFormation names the bucket it creates `<stack>-sharedbucket-<random>`: that must not look like a tenant bucket either.
  if (createsSharedBucket && `${stackName.toLowerCase()}-`.startsWith(`${bucketPrefix}-`)) {
    throw new Error(`Stage parameter tenancy="prefix" with no sharedBucket would create a bucket named "${stackName.toLowerCase()}-sharedbucket-…", which starts with "${bucketPrefix}-", the prefix of every tenant bucket's name: name an existing sharedBucket, or choose another bucketPrefix`);
  }
  if (objectAcls === 'enabled' && !hasPrefixTenants) {
    throw new Error('Stage parameter objectAcls="enabled" applies to prefix tenants only: set tenancy to "prefix" or name the stage\'s sharedBucket');
  }
  return {
    tenancy,
    prefixTemplate,
    objectAcls: objectAcls === 'enabled',
    hasPrefixTenants,
    createsSharedBucket,
    /** The named shared bucket, or undefined (none, or the one the stack creates). */
    namedSharedBucket: named || undefined,
    /** The name to build policy documents with (undefined without prefix tenants). */
    sharedBucket: hasPrefixTenants ? named || SHARED_BUCKET_PLACEHOLDER : undefined,
  };
}

/** `document` (built for `settings.sharedBucket`) as CloudFormation takes it: policy variables kept, the created bucket referenced. */
function policyDocument(document, settings) {
  return withPolicyVariables(document, settings.createsSharedBucket ? { [SHARED_BUCKET_PLACEHOLDER]: SHARED_BUCKET_REFERENCE } : {});
}

/**
 * The created shared bucket's policy: only the TLS-only deny (functions/lib/policies.ts, as every
 * tenant bucket's), when the stage has it. Small and fixed: no tenant is named here.
 */
function sharedBucketPolicy(settings) {
  const { tlsOnlyStatement } = loadTs('functions/lib/policies.ts');
  const { bucketArn } = loadTs('functions/lib/naming.ts');
  return {
    Type: 'AWS::S3::BucketPolicy',
    // Kept with the bucket, should the bucket ever leave the template (it is retained).
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      Bucket: { Ref: 'SharedBucket' },
      PolicyDocument: policyDocument({ Version: '2012-10-17', Statement: [tlsOnlyStatement(bucketArn(settings.sharedBucket))] }, settings),
    },
  };
}

/**
 * The shared bucket the stack creates: retained (it holds every prefix tenant's data), versioned,
 * SSE-S3, and private. With object ACLs disabled it is BucketOwnerEnforced and blocks all public
 * access; with them enabled it is BucketOwnerPreferred and accepts public ACLs (a tenant's
 * public-read objects are public), while a public bucket policy stays blocked.
 */
function sharedBucket({ objectAcls }) {
  return {
    Type: 'AWS::S3::Bucket',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: objectAcls ? 'BucketOwnerPreferred' : 'BucketOwnerEnforced' }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: !objectAcls,
        IgnorePublicAcls: !objectAcls,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
      // Parts of an upload a tenant never completed are billed and invisible to it: gone after a week.
      LifecycleConfiguration: { Rules: [{ Id: 'AbortIncompleteUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }] },
      Tags: [{ Key: 'ManagedBy', Value: 'tenant-provisioner' }],
    },
  };
}

module.exports.SHARED_BUCKET_PLACEHOLDER = SHARED_BUCKET_PLACEHOLDER;
module.exports.prefixTenancy = prefixTenancy;
module.exports.policyDocument = policyDocument;

/** SHARED_BUCKET of every function: the shared bucket's name, or '' when the stage has none. */
module.exports.sharedBucketEnv = async ({ resolveVariable }) => {
  const settings = await prefixTenancy(resolveVariable);
  if (settings.createsSharedBucket) return { Ref: 'SharedBucket' };
  return settings.namedSharedBucket ?? '';
};

/** TENANT_PREFIX_POLICY_ARN of every function: the prefix tenants' managed policy, or '' when the stage has none. */
module.exports.tenantPrefixPolicyArnEnv = async ({ resolveVariable }) => {
  const settings = await prefixTenancy(resolveVariable);
  return settings.hasPrefixTenants ? { Ref: 'TenantPrefixPolicy' } : '';
};

module.exports.resources = async ({ resolveVariable }) => {
  const settings = await prefixTenancy(resolveVariable);
  if (!settings.hasPrefixTenants) return { Resources: {} };
  const { prefixTenantPolicy } = loadTs('functions/lib/policies.ts');
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const tlsOnly = text(await resolveVariable('param:bucketPolicyTlsOnly')) === 'true';
  const sharedBucketName = settings.createsSharedBucket ? { Ref: 'SharedBucket' } : settings.namedSharedBucket;
  const resources = {
    TenantPrefixPolicy: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        ManagedPolicyName: `${service}-${stage}-tenant-prefix`,
        Description: 'Attached to every prefix tenant user: object actions under its own TenantPrefix of the shared bucket, and listing only there.',
        PolicyDocument: policyDocument(prefixTenantPolicy({ sharedBucket: settings.sharedBucket, objectAcls: settings.objectAcls }), settings),
      },
    },
    ...(settings.createsSharedBucket ? { SharedBucket: sharedBucket(settings) } : {}),
    ...(settings.createsSharedBucket && tlsOnly ? { SharedBucketPolicy: sharedBucketPolicy(settings) } : {}),
  };
  return {
    Resources: resources,
    Outputs: {
      SharedBucketName: { Value: sharedBucketName },
      TenantPrefixPolicyArn: { Value: { Ref: 'TenantPrefixPolicy' } },
    },
  };
};
