import { runSimulation } from '@cloud-copilot/iam-simulate';

import { RESOURCE_TYPES } from '../../../../../lib/constructs/containment/handler';
import { containedBucketPolicy, holdsBucketContainment } from '../../../../../lib/policies/containment';
import { s3Normalize } from '../../../../support/s3-normalize';
import { WireAccount } from '../../../../support/wire-account';
import { BREAK_GLASS, depsFor, HANDLER_ROLE, resourceIn } from './harness';

let account: WireAccount;
beforeEach(async () => {
  account = await WireAccount.start();
});
afterEach(() => account.close());

const BUCKET = 'DOC-EXAMPLE-BUCKET';
const ORIGINAL =
  '{"Version":"2012-10-17","Id":"Keep","Statement":[{"Sid":"AllowApp","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777777777777:role/App"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"},{"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::DOC-EXAMPLE-BUCKET","arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}';

function bucketOf(original: string | undefined, extra: Record<string, string> = {}) {
  const props = {
    IncidentId: 'IR-1',
    BucketName: BUCKET,
    BreakGlassRoleArn: BREAK_GLASS,
    OriginalPolicyPresent: original === undefined ? 'false' : 'true',
    OriginalPolicy: original ?? '',
    ...extra,
  };
  const chunks = Object.fromEntries(
    Array.from({ length: 6 }, (_, i) => [
      `OriginalPolicy${i + 1}`,
      (props.OriginalPolicy.match(/[\s\S]{1,4096}/g) ?? [])[i] ?? '',
    ]),
  );
  const parameters: Record<string, string> = { ...props, ...chunks };
  delete parameters.OriginalPolicy;
  return resourceIn(
    account,
    depsFor(account),
    'irkit-contain-IR-1-bucket-DOC-EXAMPLE-BUCKET',
    RESOURCE_TYPES.bucketPolicy,
    props,
    parameters,
  );
}

describe('bucket containment', () => {
  it('keeps every original statement while contained and restores the original byte for byte', async () => {
    account.buckets.set(BUCKET, { policy: ORIGINAL });
    const r = bucketOf(ORIGINAL);
    await r.ok('Create');
    expect(account.buckets.get(BUCKET)?.policy).toBe(
      s3Normalize(
        JSON.stringify(containedBucketPolicy(BUCKET, [BREAK_GLASS, HANDLER_ROLE], JSON.parse(ORIGINAL))),
      ),
    );
    expect(holdsBucketContainment(account.buckets.get(BUCKET)?.policy, ORIGINAL)).toBe(true);
    expect((await r.ok('Delete')).data.Restored).toBe('original');
    expect(account.buckets.get(BUCKET)?.policy).toBe(ORIGINAL);
  });

  it('gives a bucket that had no policy no policy back', async () => {
    account.buckets.set(BUCKET, {});
    const r = bucketOf(undefined);
    await r.ok('Create');
    expect(JSON.parse(account.buckets.get(BUCKET)?.policy as string).Statement[0].Sid).toBe(
      'BucketPolicyForContainment',
    );
    await r.ok('Delete');
    expect(account.buckets.get(BUCKET)?.policy).toBeUndefined();
  });

  it('changes nothing when the policy moved since irkit read it', async () => {
    account.buckets.set(BUCKET, { policy: '{"Version":"2012-10-17","Statement":[]}' });
    const sent = await bucketOf(ORIGINAL).send('Create');
    expect(sent.error?.message).toMatch(/changed after irkit read it; nothing was changed/);
    expect(account.writes()).toEqual([]);
  });

  it('will not overwrite a policy changed while contained, and says how to proceed', async () => {
    account.buckets.set(BUCKET, { policy: ORIGINAL });
    const r = bucketOf(ORIGINAL);
    await r.ok('Create');
    const theirs =
      '{"Version":"2012-10-17","Statement":[{"Sid":"Other","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}';
    (account.buckets.get(BUCKET) as { policy?: string }).policy = theirs;
    const sent = await r.send('Delete');
    expect(sent.error?.message).toMatch(/changed while contained.*--retain-failed/);
    expect(account.buckets.get(BUCKET)?.policy).toBe(theirs);
  });

  it('releases a bucket deleted meanwhile (S3 NoSuchBucket on the wire) without error', async () => {
    account.buckets.set(BUCKET, { policy: ORIGINAL });
    const r = bucketOf(ORIGINAL);
    await r.ok('Create');
    account.buckets.clear();
    expect((await r.ok('Delete')).data.Restored).toBe('bucket-gone');
  });

  it('refuses when the contained policy would exceed S3’s 20 KB limit, naming the size', async () => {
    const statements = Array.from({ length: 54 }, (_, i) => ({
      Sid: `S${i}`,
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::777777777777:role/Reader${i}` },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/reports/${'x'.repeat(200)}/*`,
    }));
    const big = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    expect(Buffer.byteLength(big)).toBeLessThan(20480);
    account.buckets.set(BUCKET, { policy: big });
    const sent = await bucketOf(big).send('Create');
    expect(sent.error?.message).toMatch(/would be \d+ bytes, over S3's 20480; nothing was changed/);
    expect(account.buckets.get(BUCKET)?.policy).toBe(big);
  });

  it('refuses a bucket tagged irkit:protected=true', async () => {
    account.buckets.set(BUCKET, { policy: ORIGINAL, tags: [{ Key: 'irkit:protected', Value: 'true' }] });
    const sent = await bucketOf(ORIGINAL).send('Create');
    expect(sent.error?.message).toMatch(
      /bucket DOC-EXAMPLE-BUCKET is protected \(tagged irkit:protected=true\)/,
    );
    expect(account.writes()).toEqual([]);
  });

  it.each([
    ['a wildcard', 'arn:aws:iam::777777777777:role/*'],
    ['another account', 'arn:aws:iam::111122223333:role/SecurityBreakGlassRole'],
    ['a role that is not the kit’s break-glass role', 'arn:aws:iam::777777777777:role/Attacker'],
  ])('admits no principal but the exact break-glass role: refuses %s', async (_what, arn) => {
    account.buckets.set(BUCKET, { policy: ORIGINAL });
    const sent = await bucketOf(ORIGINAL, { BreakGlassRoleArn: arn }).send('Create');
    expect(sent.error?.message).toMatch(/BreakGlassRoleArn/);
    expect(account.writes()).toEqual([]);
  });

  it('merges to a policy that denies the analyst and spares break-glass and the handler (IAM simulator)', async () => {
    account.buckets.set(BUCKET, { policy: ORIGINAL });
    await bucketOf(ORIGINAL).ok('Create');
    const policy = JSON.parse(account.buckets.get(BUCKET)?.policy as string);
    const allowAll = {
      name: 'admin',
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    };
    const decide = async (principal: string, action: string) => {
      const result = await runSimulation(
        {
          request: {
            principal,
            action,
            resource: { resource: `arn:aws:s3:::${BUCKET}/stuff`, accountId: '777777777777' },
            contextVariables: { 'aws:PrincipalArn': principal, 'aws:SecureTransport': 'true' },
          },
          identityPolicies: [allowAll],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: policy,
        },
        {},
      );
      return result.resultType === 'error' ? JSON.stringify(result.errors) : result.overallResult;
    };
    expect(await decide('arn:aws:iam::777777777777:role/SecurityAnalystRole', 's3:GetObject')).toBe(
      'ExplicitlyDenied',
    );
    expect(await decide('arn:aws:iam::777777777777:role/App', 's3:GetObject')).toBe('ExplicitlyDenied');
    expect(await decide(BREAK_GLASS, 's3:GetObject')).toBe('Allowed');
    expect(await decide(HANDLER_ROLE, 's3:GetObject')).toBe('Allowed');
  });
});
