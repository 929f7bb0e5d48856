import { IrKitError } from '../../lib/errors';
import * as v from '../../lib/validation';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof IrKitError ? e.code : 'not-an-IrKitError';
  }
  return undefined;
}

describe('identifier validation', () => {
  it('accepts the playbook identifiers', () => {
    expect(v.accessKeyId('AKIAIOSFODNN7EXAMPLE')).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(v.accessKeyId('AKIAI44QH8DHBEXAMPLE')).toBe('AKIAI44QH8DHBEXAMPLE');
    expect(v.iamUserName('JaneDoe')).toBe('JaneDoe');
    expect(v.accountId('777777777777')).toBe('777777777777');
    expect(v.bucketName('DOC-EXAMPLE-BUCKET')).toBe('DOC-EXAMPLE-BUCKET');
    expect(v.ipAddress('198.51.100.77')).toBe('198.51.100.77');
  });

  it.each([
    ['access key id', () => v.accessKeyId('AKIA123')],
    ['lower-case key id', () => v.accessKeyId('akiaiosfodnn7example')],
    ['SQL in a key id', () => v.accessKeyId("AKIAIOSFODNN7EXAMPLE' OR '1'='1")],
    ['SQL in a user name', () => v.iamUserName("JaneDoe'; DROP TABLE x; --")],
    ['over-long user name', () => v.iamUserName('a'.repeat(65))],
    ['short account id', () => v.accountId('77777777777')],
    ['bucket with a slash', () => v.bucketName('bucket/key')],
    ['bucket with dots in a row', () => v.bucketName('my..bucket')],
    ['IP with a bad octet', () => v.ipAddress('198.51.100.300')],
    ['impossible date', () => v.partitionDate('2021/02/30')],
    ['date in words', () => v.partitionDate('yesterday')],
    ['inverted window', () => v.dateWindow('2021/07/24', '2021/07/16')],
    ['incident id with spaces', () => v.incidentId('IR 1')],
  ])('refuses a malformed %s with IRKIT_INVALID_INPUT', (_what, fn) => {
    expect(codeOf(fn)).toBe('IRKIT_INVALID_INPUT');
  });

  it('normalizes dashed dates to the date_partition form', () => {
    expect(v.partitionDate('2021-07-16')).toBe('2021/07/16');
    expect(v.dateWindow('2021-07-16', '2021/07/24')).toEqual({ from: '2021/07/16', to: '2021/07/24' });
  });

  it('names the value and the fix in the message', () => {
    expect(() => v.accessKeyId('AKIA123')).toThrow(/"AKIA123"/);
    try {
      v.accessKeyId('AKIA123');
    } catch (e) {
      expect((e as IrKitError).hint).toMatch(/AKIAIOSFODNN7EXAMPLE/);
    }
  });
});
