import { Stack } from '@aws-sdk/client-cloudformation';
import { ListAccessKeysCommand, ListAttachedUserPoliciesCommand } from '@aws-sdk/client-iam';
import { GetBucketPolicyCommand, S3ServiceException } from '@aws-sdk/client-s3';

import { verifyContained } from '../../../orchestrator/contain/verify';
import { FakeAws, POLICY_ARN } from './fake-aws';

let aws: FakeAws;
beforeEach(() => {
  aws = new FakeAws();
});
afterEach(() => aws.restore());

const userStack: Stack = {
  StackName: 'irkit-contain-IR-1-user-JaneDoe',
  StackStatus: 'CREATE_COMPLETE',
  CreationTime: new Date(),
  Parameters: [{ ParameterKey: 'AccessKeyId1', ParameterValue: 'AKIAI44QH8DHBEXAMPLE' }],
  Outputs: [{ OutputKey: 'DenyMode', OutputValue: 'managed' }],
};

function progress() {
  const lines: string[] = [];
  const waits: number[] = [];
  return {
    log: (line: string) => lines.push(line),
    sleep: async (ms: number) => {
      waits.push(ms);
    },
    lines,
    waits,
  };
}

/** JaneDoe's user containment, as verification sees it. */
const janeDoe = {
  target: { kind: 'user' as const, name: 'JaneDoe', accessKeyIds: [] },
  stack: userStack,
  incidentId: 'IR-1',
  containmentPolicyArn: POLICY_ARN,
};

describe('verification through IAM and S3 reads', () => {
  it('retries while IAM has not caught up (eventual consistency), with a growing, bounded delay', async () => {
    aws.iam
      .on(ListAttachedUserPoliciesCommand)
      .resolvesOnce({ AttachedPolicies: [] })
      .resolvesOnce({ AttachedPolicies: [] })
      .resolves({ AttachedPolicies: [{ PolicyArn: POLICY_ARN }] });
    aws.iam
      .on(ListAccessKeysCommand)
      .resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Inactive' }] });
    const p = progress();
    const result = await verifyContained(aws.clients, janeDoe, p, {
      attempts: 5,
      firstDelayMs: 1000,
      maxDelayMs: 1500,
    });
    expect(result).toEqual({
      verified: true,
      notes: ['containment policy attached', 'keys AKIAI44QH8DHBEXAMPLE Inactive'],
    });
    expect(p.waits).toEqual([1000, 1500]);
    expect(p.lines[0]).toMatch(/not visible yet .*eventually consistent/);
  });

  it('gives up after the last attempt and says what it did not see', async () => {
    aws.iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    aws.iam
      .on(ListAccessKeysCommand)
      .resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Active' }] });
    const p = progress();
    const result = await verifyContained(aws.clients, janeDoe, p, { attempts: 3, firstDelayMs: 1 });
    expect(result.verified).toBe(false);
    expect(result.notes).toEqual([
      'containment policy not attached yet',
      'still Active: AKIAI44QH8DHBEXAMPLE',
    ]);
    expect(p.waits).toHaveLength(2);
  });

  it('reads a refusal of the bucket policy, where reading worked before, as the containment itself', async () => {
    aws.s3.on(GetBucketPolicyCommand).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: {},
        message: 'Access Denied',
      }),
    );
    const input = {
      target: { kind: 'bucket' as const, name: 'DOC-EXAMPLE-BUCKET' },
      stack: { ...userStack, Parameters: [] },
      incidentId: 'IR-1',
      containmentPolicyArn: POLICY_ARN,
    };
    expect(
      (await verifyContained(aws.clients, { ...input, policyReadable: true }, progress(), { attempts: 1 }))
        .verified,
    ).toBe(true);
    expect(
      (await verifyContained(aws.clients, { ...input, policyReadable: false }, progress(), { attempts: 1 }))
        .verified,
    ).toBe(false);
  });
});
