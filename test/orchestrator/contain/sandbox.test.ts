/**
 * Opt-in integration test in a real sandbox account: deploys, verifies and releases each
 * containment stack (user, role, bucket) against throwaway principals it creates and deletes.
 * It is also what proves, in AWS itself, the handler's trust check: every custom resource it
 * answers is first found in CloudFormation in the state the request claims (CREATE_IN_PROGRESS,
 * ...), so a containment that succeeds here shows CloudFormation records what the handler expects.
 *
 *   IRKIT_SANDBOX_ACCOUNT=111122223333 AWS_REGION=us-east-1 AWS_PROFILE=sandbox \
 *     npx jest test/orchestrator/contain/sandbox.test.ts
 *
 * Needs the IrKitAccess stack deployed in that account and Region (it holds the containment
 * handler and the execution role), and credentials allowed to create and delete IAM users,
 * roles and buckets (the break-glass role). Skipped unless IRKIT_SANDBOX_ACCOUNT is set and
 * credentials are configured; it
 * refuses to run when the credentials belong to any other account.
 */
import { randomBytes } from 'node:crypto';

import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';

import { ContainClients, createClients } from '../../../orchestrator/contain/aws';
import { contain, ContainIo } from '../../../orchestrator/contain/contain';
import { release } from '../../../orchestrator/contain/release';
import { containmentStatus } from '../../../orchestrator/contain/status';
import { targetsOfOptions } from '../../../orchestrator/contain/targets';
import { SANDBOX, describeInSandbox } from '../../helpers/sandbox';

const io: ContainIo = {
  log: (line) => process.stderr.write(`${line}\n`),
  out: (text) => process.stderr.write(text),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

describeInSandbox('containment in a real sandbox account (IRKIT_SANDBOX_ACCOUNT)', () => {
  jest.setTimeout(20 * 60_000);
  // Made when the suite runs: its definition is read even where the sandbox is not configured.
  let clients: ContainClients;
  const suffix = randomBytes(4).toString('hex');
  const incidentId = `IT-${suffix}`;
  const userName = `irkit-it-user-${suffix}`;
  const roleName = `irkit-it-role-${suffix}`;
  let bucketName = '';
  let accessKeyId = '';
  let original = '';

  beforeAll(async () => {
    clients = createClients({ region: process.env.AWS_REGION, profile: process.env.AWS_PROFILE });
    const me = await clients.sts.send(new GetCallerIdentityCommand({}));
    if (me.Account !== SANDBOX) {
      throw new Error(
        `credentials are for account ${me.Account}, not the sandbox ${SANDBOX}: refusing to run`,
      );
    }
    const region = await clients.s3.config.region();
    bucketName = `irkit-it-${suffix}-${SANDBOX}`;
    await clients.iam.send(new CreateUserCommand({ UserName: userName }));
    accessKeyId = (await clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey
      ?.AccessKeyId as string;
    await clients.iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SANDBOX}:root` }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    await clients.s3.send(
      new CreateBucketCommand({
        Bucket: bucketName,
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
      }),
    );
    await clients.s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucketName,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'TlsOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        }),
      }),
    );
    // What S3 returns is what release must give back, byte for byte.
    original = (await clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucketName }))).Policy as string;
  });

  afterAll(async () => {
    const quietly = async (work: () => Promise<unknown>) => work().catch(() => undefined);
    await quietly(() => release(clients, { incidentId, yes: true }, io));
    if (accessKeyId)
      await quietly(() =>
        clients.iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId })),
      );
    // Release keeps the revoke of older sessions; the throwaway principals go with it.
    const revoke = `IrKitRevokeOlderSessions-${incidentId}`;
    await quietly(() =>
      clients.iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: revoke })),
    );
    await quietly(() =>
      clients.iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: revoke })),
    );
    await quietly(() => clients.iam.send(new DeleteUserCommand({ UserName: userName })));
    await quietly(() => clients.iam.send(new DeleteRoleCommand({ RoleName: roleName })));
    if (bucketName) {
      await quietly(() => clients.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucketName })));
      await quietly(() => clients.s3.send(new DeleteBucketCommand({ Bucket: bucketName })));
    }
  });

  it('contains a user, a role and a bucket, verified through IAM and S3', async () => {
    const targets = targetsOfOptions({ users: [userName], accessKeyIds: [accessKeyId] }).concat(
      targetsOfOptions({ roles: [roleName], buckets: [bucketName] }),
    );
    const result = await contain(clients, { incidentId, targets, yes: true }, io);
    expect(result.results.map((r) => [r.label, r.outcome, r.verified])).toEqual([
      [`user:${userName}`, 'contained', true],
      [`role:${roleName}`, 'contained', true],
      [`bucket:${bucketName}`, 'contained', true],
    ]);
    expect((await containmentStatus(clients, incidentId)).map((r) => r.stackStatus)).toEqual([
      'CREATE_COMPLETE',
      'CREATE_COMPLETE',
      'CREATE_COMPLETE',
    ]);
  });

  it('re-running it changes nothing', async () => {
    const targets = targetsOfOptions({ roles: [roleName] });
    const again = await contain(clients, { incidentId, targets, yes: true }, io);
    expect(again.results[0]).toMatchObject({ outcome: 'contained', action: 'unchanged' });
  });

  it('releases all three: deny lifted, the named key restored, the bucket policy back byte for byte, older sessions still revoked', async () => {
    const summary = await release(clients, { incidentId, restoreKeyIds: [accessKeyId], yes: true }, io);
    expect(summary.results.every((r) => r.outcome === 'released')).toBe(true);
    expect((await clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucketName }))).Policy).toBe(original);
    const keys = await clients.iam.send(new ListAccessKeysCommand({ UserName: userName }));
    expect(keys.AccessKeyMetadata?.[0]?.Status).toBe('Active');
    const revoke = `IrKitRevokeOlderSessions-${incidentId}`;
    const kept = await clients.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: revoke }));
    expect(decodeURIComponent(kept.PolicyDocument ?? '')).toContain('aws:TokenIssueTime');
    await expect(
      clients.iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: revoke })),
    ).resolves.toBeDefined();
  });
});
