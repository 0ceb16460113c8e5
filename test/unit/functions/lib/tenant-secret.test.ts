import { maskSecretKey, parseTenantSecret, tenantSecretString, type TenantSecret } from '../../../../functions/lib/tenant-secret';

const secret: TenantSecret = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  bucket: 'fusion-rms-acme-bistro-42',
  region: 'eu-west-1',
  userName: 'rms_acme-bistro-42',
};

describe('the tenant secret, its one owner', () => {
  it('reads back exactly what IssueTenantCredentials stores, with or without the user name', () => {
    expect(parseTenantSecret(tenantSecretString(secret))).toEqual(secret);
    const { userName: _userName, ...withoutUser } = secret;
    expect(parseTenantSecret(tenantSecretString(withoutUser))).toEqual(withoutUser);
    expect(JSON.parse(tenantSecretString(secret))).toEqual(secret);
  });

  it.each([
    ['no value', undefined],
    ['not JSON (its text is never repeated)', `{"secretAccessKey":"${secret.secretAccessKey}"`],
    ['JSON null', 'null'],
    ['no secret access key', JSON.stringify({ accessKeyId: secret.accessKeyId, bucket: secret.bucket })],
    ['no bucket', JSON.stringify({ accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey })],
  ])('is not a tenant secret with %s', (_case, text) => {
    expect(parseTenantSecret(text)).toBeUndefined();
  });

  it('reads a missing region as empty, as the credentials handoff shows it', () => {
    expect(parseTenantSecret(JSON.stringify({ accessKeyId: 'AKIA1', secretAccessKey: 'abc', bucket: 'b' }))).toEqual({ accessKeyId: 'AKIA1', secretAccessKey: 'abc', bucket: 'b', region: '' });
  });

  it('masks a secret access key to its first 4 characters, one * per hidden one', () => {
    expect(maskSecretKey(secret.secretAccessKey)).toBe(`wJal${'*'.repeat(36)}`);
    expect(maskSecretKey('abc')).toBe('abc');
  });
});
