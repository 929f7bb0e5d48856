/**
 * The containment's AWS calls through the REAL SDK v3 clients against a local server answering
 * with AWS's documented bodies (test/support/aws-wire.ts): the error names, codes, paging and
 * retries are the SDK's own, not those of hand-made mock errors (contain.test.ts covers the
 * flows with the in-memory fake).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';

import { IrKitError } from '../../../lib/errors';
import { TAG_KEYS } from '../../../lib/names';
import { PLAYBOOK_PROTECTION } from '../../../lib/protection';
import { ContainClients } from '../../../orchestrator/contain/aws';
import { contain } from '../../../orchestrator/contain/contain';
import { ContainEnvironment, resolveEnvironment } from '../../../orchestrator/contain/environment';
import { prepareTargets, PrepareInput } from '../../../orchestrator/contain/prepare';
import { release } from '../../../orchestrator/contain/release';
import { containmentStackName } from '../../../orchestrator/contain/stack-names';
import { createOrUpdate, describeStack } from '../../../orchestrator/contain/stacks';
import { containmentStatus } from '../../../orchestrator/contain/status';
import { PlannedTarget } from '../../../orchestrator/contain/targets';
import { verifyContained, verifyReleased } from '../../../orchestrator/contain/verify';
import {
  AwsWire,
  awsQueryError,
  cfnXml,
  iamNoSuchEntity,
  iamXml,
  queryThrottling,
  s3Error,
  s3SlowDown,
  s3Xml,
  startAwsWire,
  stsXml,
  WireClientOptions,
  xmlEscape,
} from '../../support/aws-wire';

const ACCOUNT = '777777777777';
const INCIDENT = 'IR-2021-0724';
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/SecurityBreakGlassRole`;
const POLICY = `arn:aws:iam::${ACCOUNT}:policy/iam-containment-policy`;
const KEY = 'AKIAI44QH8DHBEXAMPLE';
const OTHER_KEY = 'AKIAIOSFODNN7EXAMPLE';

let wire: AwsWire;
beforeEach(async () => {
  wire = await startAwsWire();
});
afterEach(async () => {
  await wire.close();
});

function clients(options: WireClientOptions = {}): ContainClients {
  return {
    cloudFormation: new CloudFormationClient(wire.clientConfig('cloudformation', options)),
    iam: new IAMClient(wire.clientConfig('iam', options)),
    s3: new S3Client(wire.clientConfig('s3', options)),
    sts: new STSClient(wire.clientConfig('sts', options)),
    ec2: new EC2Client(wire.clientConfig('ec2', options)),
  };
}

const env: ContainEnvironment = {
  caller: {
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityDeployRole/responder`,
    account: ACCOUNT,
    partition: 'aws',
    principal: { kind: 'role', name: 'SecurityDeployRole' },
  },
  region: 'us-east-1',
  executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/SecurityContainmentExecutionRole`,
  breakGlassRoleArn: BREAK_GLASS,
  containmentPolicyArn: POLICY,
  irRoleArns: [],
  accessStackFound: true,
};

function prepareInput(targets: PlannedTarget['target'][]): PrepareInput {
  return {
    incidentId: INCIDENT,
    targets: targets.map((target) => ({ target, evidence: [{ reason: 'test' }] })),
    env,
    existingStacks: [],
    protection: PLAYBOOK_PROTECTION,
    now: new Date('2021-07-24T03:00:00.200Z'),
  };
}

const progress = () => {
  const lines: string[] = [];
  return { lines, log: (line: string) => lines.push(line), sleep: () => Promise.resolve() };
};

async function irkitError(promise: Promise<unknown>): Promise<IrKitError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IrKitError) return error;
    throw error;
  }
  throw new Error('expected an IrKitError');
}

// --- AWS's bodies -----------------------------------------------------------------------------

const member = (fields: Record<string, string>): string =>
  `<member>${Object.entries(fields)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join('')}</member>`;

const userXml = (name: string): string =>
  `<User><Path>/</Path><UserName>${name}</UserName><UserId>AIDA${name.toUpperCase()}</UserId>` +
  `<Arn>arn:aws:iam::${ACCOUNT}:user/${name}</Arn><CreateDate>2021-07-16T00:00:00Z</CreateDate></User>`;

const roleXml = (name: string): string =>
  `<Role><Path>/</Path><RoleName>${name}</RoleName><RoleId>AROA${name.toUpperCase()}</RoleId>` +
  `<Arn>arn:aws:iam::${ACCOUNT}:role/${name}</Arn><CreateDate>2021-07-16T00:00:00Z</CreateDate>` +
  `<AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role>`;

const tagsXml = (tags: Record<string, string>, marker?: string): string =>
  `<Tags>${Object.entries(tags)
    .map(([Key, Value]) => member({ Key, Value }))
    .join('')}</Tags>` +
  (marker ? `<IsTruncated>true</IsTruncated><Marker>${marker}</Marker>` : '<IsTruncated>false</IsTruncated>');

const keysXml = (user: string, keys: Record<string, string>, marker?: string): string =>
  `<AccessKeyMetadata>${Object.entries(keys)
    .map(([AccessKeyId, Status]) =>
      member({ UserName: user, AccessKeyId, Status, CreateDate: '2021-07-16T00:00:00Z' }),
    )
    .join('')}</AccessKeyMetadata>` +
  (marker ? `<IsTruncated>true</IsTruncated><Marker>${marker}</Marker>` : '<IsTruncated>false</IsTruncated>');

interface StackShape {
  readonly name: string;
  readonly status: string;
  readonly parameters?: Record<string, string>;
  readonly tags?: Record<string, string>;
  readonly outputs?: Record<string, string>;
}

const stackId = (name: string): string =>
  `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/${name}/0a1b2c3d-0000-4000-8000-000000000000`;

function stackXml(s: StackShape): string {
  const list = (tag: string, entries: Record<string, string> | undefined, k: string, v: string) =>
    `<${tag}>${Object.entries(entries ?? {})
      .map(([key, value]) => member({ [k]: key, [v]: value }))
      .join('')}</${tag}>`;
  return (
    `<member><StackId>${stackId(s.name)}</StackId><StackName>${s.name}</StackName>` +
    `<CreationTime>2021-07-24T03:00:00Z</CreationTime><StackStatus>${s.status}</StackStatus>` +
    list('Parameters', s.parameters, 'ParameterKey', 'ParameterValue') +
    list('Tags', s.tags, 'Key', 'Value') +
    list('Outputs', s.outputs, 'OutputKey', 'OutputValue') +
    '</member>'
  );
}

const describeStacks = (...stacks: StackShape[]) =>
  cfnXml('DescribeStacks', `<Stacks>${stacks.map(stackXml).join('')}</Stacks>`);

const listStacks = (names: string[], nextToken?: string) =>
  cfnXml(
    'ListStacks',
    `<StackSummaries>${names
      .map((name) =>
        member({
          StackId: stackId(name),
          StackName: name,
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: '2021-07-24T03:00:00Z',
        }),
      )
      .join('')}</StackSummaries>` + (nextToken ? `<NextToken>${nextToken}</NextToken>` : ''),
  );

const noStack = (name: string) =>
  awsQueryError({
    service: 'cloudformation',
    code: 'ValidationError',
    message: `Stack with id ${name} does not exist`,
  });

const accessDenied = (message: string) => s3Error({ code: 'AccessDenied', message, status: 403 });

// --- prepare ----------------------------------------------------------------------------------

describe('prepare: reading the targets through the real SDK', () => {
  test('a user IAM does not know is reported as not existing (NoSuchEntity), not a crash', async () => {
    wire.on('iam', 'GetUser', (p) => iamNoSuchEntity('user', p.UserName));
    wire.on('iam', 'GetRole', (p) => iamNoSuchEntity('role', p.RoleName));
    const error = await irkitError(
      prepareTargets(
        clients(),
        prepareInput([
          { kind: 'user', name: 'Ghost', accessKeyIds: [KEY] },
          { kind: 'role', name: 'GhostRole', mode: 'revoke', irRole: false },
        ]),
      ),
    );
    expect(error.code).toBe('IRKIT_INVALID_INPUT');
    expect(error.message).toContain('user:Ghost: IAM user Ghost does not exist');
    expect(error.message).toContain('role:GhostRole: IAM role GhostRole does not exist');
  });

  test('reads every page of the user’s tags and keys (Marker), finding the key on the second page', async () => {
    wire.on('iam', 'GetUser', () => iamXml('GetUser', userXml('JaneDoe')));
    wire.on('iam', 'ListUserTags', (p) =>
      iamXml('ListUserTags', p.Marker ? tagsXml({ team: 'b' }) : tagsXml({ team: 'a' }, 'tags-2')),
    );
    wire.on('iam', 'ListAccessKeys', (p) =>
      iamXml(
        'ListAccessKeys',
        p.Marker === 'keys-2'
          ? keysXml('JaneDoe', { [KEY]: 'Active' })
          : keysXml('JaneDoe', { [OTHER_KEY]: 'Active' }, 'keys-2'),
      ),
    );
    const [prepared] = await prepareTargets(
      clients(),
      prepareInput([{ kind: 'user', name: 'janedoe', accessKeyIds: [KEY] }]),
    );
    expect(prepared.target.name).toBe('JaneDoe'); // IAM's own spelling
    expect(prepared.actions).toContain(`set access key ${KEY} Inactive (now Active)`);
    expect(prepared.notes.join('\n')).toContain(`access key ${OTHER_KEY} is also Active`);
    expect(wire.callsTo('iam', 'ListAccessKeys').map((c) => c.params.Marker)).toEqual([undefined, 'keys-2']);
    expect(wire.callsTo('iam', 'ListUserTags').map((c) => c.params.Marker)).toEqual([undefined, 'tags-2']);
  });

  test('a protected tag on a later page of the role’s tags refuses the role', async () => {
    wire.on('iam', 'GetRole', () => iamXml('GetRole', roleXml('AppRole')));
    wire.on('iam', 'ListRoleTags', (p) =>
      iamXml(
        'ListRoleTags',
        p.Marker ? tagsXml({ [TAG_KEYS.protected]: 'TRUE' }) : tagsXml({ a: '1' }, 'm2'),
      ),
    );
    const error = await irkitError(
      prepareTargets(
        clients(),
        prepareInput([{ kind: 'role', name: 'AppRole', mode: 'revoke', irRole: false }]),
      ),
    );
    expect(error.code).toBe('IRKIT_PROTECTED_PRINCIPAL');
    expect(error.message).toContain('role:AppRole: tagged irkit:protected=true');
  });

  test('a bucket with no tags (NoSuchTagSet) and no policy (NoSuchBucketPolicy) is prepared with no original', async () => {
    wire.on('s3', 'GetBucketTagging', (p) =>
      s3Error({ code: 'NoSuchTagSet', message: 'The TagSet does not exist', status: 404, bucket: p.Bucket }),
    );
    wire.on('s3', 'GetBucketPolicy', (p) =>
      s3Error({
        code: 'NoSuchBucketPolicy',
        message: 'The bucket policy does not exist',
        status: 404,
        bucket: p.Bucket,
      }),
    );
    const [prepared] = await prepareTargets(
      clients(),
      prepareInput([{ kind: 'bucket', name: 'empty-bucket' }]),
    );
    expect(prepared.parameters).toContainEqual({
      ParameterKey: 'OriginalPolicyPresent',
      ParameterValue: 'false',
    });
    expect(prepared.policyReadable).toBe(true);
    expect(prepared.actions).toContain('the bucket has no policy: release removes the policy again');
  });

  test('a bucket with tags and a policy keeps the policy exactly', async () => {
    const policy = '{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow"}]}';
    wire.on('s3', 'GetBucketTagging', () =>
      s3Xml('Tagging', '<TagSet><Tag><Key>team</Key><Value>app</Value></Tag></TagSet>'),
    );
    wire.on('s3', 'GetBucketPolicy', () => ({ status: 200, body: policy }));
    const [prepared] = await prepareTargets(
      clients(),
      prepareInput([{ kind: 'bucket', name: 'app-bucket' }]),
    );
    expect(prepared.parameters).toContainEqual({ ParameterKey: 'OriginalPolicy1', ParameterValue: policy });
  });

  test('a bucket that does not exist (NoSuchBucket) is reported as such', async () => {
    wire.on('s3', 'GetBucketTagging', (p) =>
      s3Error({
        code: 'NoSuchBucket',
        message: 'The specified bucket does not exist',
        status: 404,
        bucket: p.Bucket,
      }),
    );
    const error = await irkitError(
      prepareTargets(clients(), prepareInput([{ kind: 'bucket', name: 'gone-bucket' }])),
    );
    expect(error.message).toContain('bucket:gone-bucket: S3 bucket gone-bucket does not exist');
  });

  test('AccessDenied on GetBucketPolicy gives the specific hint (the original must be read first)', async () => {
    wire.on('s3', 'GetBucketTagging', () => s3Xml('Tagging', '<TagSet></TagSet>'));
    wire.on('s3', 'GetBucketPolicy', () => accessDenied('Access Denied'));
    const error = await irkitError(
      prepareTargets(clients(), prepareInput([{ kind: 'bucket', name: 'locked' }])),
    );
    expect(error.code).toBe('IRKIT_AWS');
    expect(error.message).toBe('cannot read the policy of bucket locked (AccessDenied)');
    expect(error.hint).toContain('s3:GetBucketPolicy (the break-glass role)');
  });

  test('AccessDenied on GetBucketTagging (not contained) names the permission problem', async () => {
    wire.on('s3', 'GetBucketTagging', () => accessDenied('Access Denied'));
    const error = await irkitError(
      prepareTargets(clients(), prepareInput([{ kind: 'bucket', name: 'locked' }])),
    );
    expect(error.message).toBe('reading bucket:locked failed: AccessDenied: Access Denied');
    expect(error.hint).toContain('the credentials lack a permission');
  });

  test('a bucket already contained refusing its tags (AccessDenied) keeps the original the first run kept', async () => {
    wire.on('s3', 'GetBucketTagging', () => accessDenied('Access Denied'));
    const name = containmentStackName(INCIDENT, 'bucket', 'locked');
    const input = prepareInput([{ kind: 'bucket', name: 'locked' }]);
    const [prepared] = await prepareTargets(clients(), {
      ...input,
      existingStacks: [{ StackName: name, StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }],
    });
    expect(prepared.live).toBe(true);
    expect(prepared.parameters).toContainEqual({ ParameterKey: 'OriginalPolicy1', UsePreviousValue: true });
    expect(prepared.policyReadable).toBe(false);
    expect(wire.callsTo('s3', 'GetBucketPolicy')).toHaveLength(0);
  });

  test('throttling on the first GetUser and a SlowDown on the first GetBucketPolicy are retried by the SDK', async () => {
    wire.once('iam', 'GetUser', () => queryThrottling('iam'));
    wire.on('iam', 'GetUser', () => iamXml('GetUser', userXml('JaneDoe')));
    wire.on('iam', 'ListUserTags', () => iamXml('ListUserTags', tagsXml({})));
    wire.on('iam', 'ListAccessKeys', () => iamXml('ListAccessKeys', keysXml('JaneDoe', { [KEY]: 'Active' })));
    wire.on('s3', 'GetBucketTagging', () => s3Xml('Tagging', '<TagSet></TagSet>'));
    wire.once('s3', 'GetBucketPolicy', () => s3SlowDown());
    wire.on('s3', 'GetBucketPolicy', () => ({ status: 200, body: '{"Statement":[]}' }));
    const prepared = await prepareTargets(
      clients(),
      prepareInput([
        { kind: 'user', name: 'JaneDoe', accessKeyIds: [KEY] },
        { kind: 'bucket', name: 'b' },
      ]),
    );
    expect(prepared.map((p) => p.label)).toEqual(['user:JaneDoe', 'bucket:b']);
    expect(wire.callsTo('iam', 'GetUser')).toHaveLength(2);
    expect(wire.callsTo('s3', 'GetBucketPolicy')).toHaveLength(2);
  });

  test('throttling that outlasts the retries becomes IRKIT_AWS naming the call and the code', async () => {
    wire.on('iam', 'GetUser', () => queryThrottling('iam'));
    const error = await irkitError(
      prepareTargets(
        clients({ maxAttempts: 1 }),
        prepareInput([{ kind: 'user', name: 'JaneDoe', accessKeyIds: [] }]),
      ),
    );
    expect(error.code).toBe('IRKIT_AWS');
    expect(error.message).toBe('reading user:JaneDoe failed: Throttling: Rate exceeded');
  });
});

// --- verify -----------------------------------------------------------------------------------

describe('verify: the effect through the real SDK', () => {
  const fast = { attempts: 2, firstDelayMs: 1 };

  test('a role whose revoke policy is gone (GetRolePolicy NoSuchEntity) is released', async () => {
    wire.on('iam', 'GetRolePolicy', () =>
      awsQueryError({
        service: 'iam',
        code: 'NoSuchEntity',
        status: 404,
        message: 'The role policy with name IrKitRevokeOlderSessions-IR-2021-0724 cannot be found.',
      }),
    );
    const result = await verifyReleased(
      clients(),
      {
        target: { kind: 'role', name: 'AppRole', mode: 'revoke', irRole: false },
        stack: { StackName: 's', StackStatus: 'DELETE_COMPLETE', CreationTime: new Date() },
        incidentId: INCIDENT,
        containmentPolicyArn: POLICY,
        restoreKeyIds: [],
      },
      progress(),
      fast,
    );
    expect(result).toEqual({
      verified: true,
      notes: ['inline policy IrKitRevokeOlderSessions-IR-2021-0724 removed'],
    });
  });

  test('a user deleted meanwhile (ListAttachedUserPolicies NoSuchEntity) counts as released', async () => {
    wire.on('iam', 'ListAttachedUserPolicies', (p) => iamNoSuchEntity('user', p.UserName));
    const result = await verifyReleased(
      clients(),
      {
        target: { kind: 'user', name: 'JaneDoe', accessKeyIds: [] },
        stack: { StackName: 's', StackStatus: 'DELETE_COMPLETE', CreationTime: new Date() },
        incidentId: INCIDENT,
        containmentPolicyArn: POLICY,
        restoreKeyIds: [],
      },
      progress(),
      fast,
    );
    expect(result.verified).toBe(true);
    expect(result.notes).toContain('deny lifted');
  });

  test.each([
    ['NoSuchBucketPolicy', 'The bucket policy does not exist', 'no policy, as before containment'],
    ['NoSuchBucket', 'The specified bucket does not exist', 'the bucket no longer exists'],
  ])('a released bucket that had no policy: %s reads as released', async (code, message, note) => {
    wire.on('s3', 'GetBucketPolicy', () => s3Error({ code, message, status: 404 }));
    const result = await verifyReleased(
      clients(),
      {
        target: { kind: 'bucket', name: 'b' },
        stack: { StackName: 's', StackStatus: 'DELETE_COMPLETE', CreationTime: new Date() },
        incidentId: INCIDENT,
        containmentPolicyArn: POLICY,
        restoreKeyIds: [],
      },
      progress(),
      fast,
    );
    expect(result).toEqual({ verified: true, notes: [note] });
  });

  test('a contained bucket refusing its policy (AccessDenied) after a readable one is the containment', async () => {
    wire.on('s3', 'GetBucketPolicy', () => accessDenied('Access Denied'));
    const result = await verifyContained(
      clients(),
      {
        target: { kind: 'bucket', name: 'b' },
        stack: { StackName: 's', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() },
        incidentId: INCIDENT,
        containmentPolicyArn: POLICY,
        policyReadable: true,
      },
      progress(),
      fast,
    );
    expect(result.verified).toBe(true);
  });

  test('a missing inline deny policy is a note with the modelled error name, and not verified', async () => {
    wire.on('iam', 'GetUserPolicy', () =>
      awsQueryError({
        service: 'iam',
        code: 'NoSuchEntity',
        status: 404,
        message: 'The user policy cannot be found.',
      }),
    );
    const result = await verifyContained(
      clients(),
      {
        target: { kind: 'user', name: 'JaneDoe', accessKeyIds: [] },
        stack: {
          StackName: 's',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [{ OutputKey: 'DenyMode', OutputValue: 'inline' }],
        },
        incidentId: INCIDENT,
        containmentPolicyArn: POLICY,
      },
      progress(),
      fast,
    );
    expect(result).toEqual({
      verified: false,
      notes: ['NoSuchEntityException: The user policy cannot be found.'],
    });
  });
});

// --- stacks, status, environment, release ---------------------------------------------------

const roleStackName = containmentStackName(INCIDENT, 'role', 'AppRole');
const roleStack: StackShape = {
  name: roleStackName,
  status: 'CREATE_COMPLETE',
  parameters: { IncidentId: INCIDENT, RoleName: 'AppRole', ContainmentTime: '2021-07-24T03:00:01Z' },
  tags: { [TAG_KEYS.incident]: INCIDENT, [TAG_KEYS.target]: 'role:AppRole' },
  outputs: { PolicyName: `IrKitRevokeOlderSessions-${INCIDENT}` },
};
const userStackName = containmentStackName(INCIDENT, 'user', 'JaneDoe');
const userStack: StackShape = {
  name: userStackName,
  status: 'CREATE_COMPLETE',
  parameters: {
    IncidentId: INCIDENT,
    UserName: 'JaneDoe',
    AccessKeyId1: KEY,
    AccessKeyId2: '',
    ContainmentTime: '2021-07-24T03:00:01Z',
    RestoreKeyIds: '',
    KeepSessionRevoke: 'true',
  },
  tags: { [TAG_KEYS.incident]: INCIDENT, [TAG_KEYS.target]: 'user:JaneDoe' },
  outputs: { DenyMode: 'managed' },
};

describe('stacks and status: CloudFormation through the real SDK', () => {
  test('DescribeStacks ValidationError "Stack with id X does not exist" reads as no stack', async () => {
    wire.on('cloudformation', 'DescribeStacks', (p) => noStack(p.StackName));
    await expect(describeStack(clients(), 'irkit-contain-nothing')).resolves.toBeUndefined();
  });

  test('another ValidationError from DescribeStacks is not mistaken for a missing stack', async () => {
    wire.on('cloudformation', 'DescribeStacks', () =>
      awsQueryError({
        service: 'cloudformation',
        code: 'ValidationError',
        message: '1 validation error detected: Value at stackName failed to satisfy constraint',
      }),
    );
    await expect(describeStack(clients(), 'bad name')).rejects.toMatchObject({ name: 'ValidationError' });
  });

  test('status pages through ListStacks (NextToken) and skips a stack deleted before DescribeStacks', async () => {
    wire.on('cloudformation', 'ListStacks', (p) =>
      p.NextToken
        ? listStacks([roleStackName, 'irkit-contain-IR-9-user-Gone'])
        : listStacks([userStackName, 'other'], 't2'),
    );
    wire.on('cloudformation', 'DescribeStacks', (p) =>
      p.StackName === userStackName
        ? describeStacks(userStack)
        : p.StackName === roleStackName
          ? describeStacks(roleStack)
          : noStack(p.StackName),
    );
    const rows = await containmentStatus(clients(), INCIDENT);
    expect(rows.map((r) => `${r.kind}:${r.target} ${r.stackStatus}`)).toEqual([
      'role:AppRole CREATE_COMPLETE',
      'user:JaneDoe CREATE_COMPLETE',
    ]);
    // ListStacks filters on every live status, sent as StackStatusFilter.member.N.
    expect(
      wire.callsTo('cloudformation', 'ListStacks')[0].params['StackStatusFilter.member.1'],
    ).toBeDefined();
    expect(
      wire
        .callsTo('cloudformation', 'DescribeStacks')
        .map((c) => c.params.StackName)
        .sort(),
    ).toEqual(['irkit-contain-IR-9-user-Gone', roleStackName, userStackName].sort());
  });

  test('AccessDenied on ListStacks becomes IRKIT_AWS with the permission hint', async () => {
    wire.on('cloudformation', 'ListStacks', () =>
      awsQueryError({
        service: 'cloudformation',
        code: 'AccessDenied',
        status: 403,
        message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/X/y is not authorized to perform: cloudformation:ListStacks`,
      }),
    );
    const error = await irkitError(containmentStatus(clients()));
    expect(error.code).toBe('IRKIT_AWS');
    expect(error.message).toContain('listing the containment stacks');
    expect(error.hint).toContain('the credentials lack a permission');
  });

  test('UpdateStack "No updates are to be performed." is success (unchanged)', async () => {
    wire.on('cloudformation', 'UpdateStack', () =>
      awsQueryError({
        service: 'cloudformation',
        code: 'ValidationError',
        message: 'No updates are to be performed.',
      }),
    );
    wire.on('cloudformation', 'DescribeStacks', () => describeStacks(roleStack));
    const outcome = await createOrUpdate(
      clients(),
      {
        stackName: roleStackName,
        templateBody: '{}',
        parameters: [{ ParameterKey: 'RoleName', ParameterValue: 'AppRole' }],
        tags: [],
        roleArn: env.executionRoleArn as string,
        description: 'test',
      },
      true,
      progress(),
      { pollIntervalMs: 1 },
    );
    expect(outcome).toMatchObject({ ok: true, action: 'unchanged' });
    expect(wire.callsTo('cloudformation', 'UpdateStack')[0].params).toMatchObject({
      StackName: roleStackName,
      'Parameters.member.1.ParameterKey': 'RoleName',
    });
  });

  test('no access stack (ValidationError) resolves an environment without it; the caller from STS', async () => {
    wire.on('sts', 'GetCallerIdentity', () =>
      stsXml(
        'GetCallerIdentity',
        `<Arn>${env.caller.arn}</Arn><UserId>AROAEXAMPLE:responder</UserId><Account>${ACCOUNT}</Account>`,
      ),
    );
    wire.on('cloudformation', 'DescribeStacks', (p) => noStack(p.StackName));
    const resolved = await resolveEnvironment(clients());
    expect(resolved.accessStackFound).toBe(false);
    expect(resolved.caller.principal).toEqual({ kind: 'role', name: 'SecurityDeployRole' });
    expect(resolved.containmentPolicyArn).toBe(POLICY);
  });
});

describe('release through the real SDK', () => {
  /** CloudFormation for one stack: listed, described by name, deleted, then DELETE_COMPLETE by id. */
  function cloudFormationWith(stack: StackShape): void {
    let deleted = false;
    wire.on('cloudformation', 'ListStacks', () => listStacks([stack.name]));
    wire.on('cloudformation', 'DescribeStacks', (p) => {
      if (p.StackName === 'IrKitAccess') return noStack(p.StackName);
      // By id a deleted stack is still described (DELETE_COMPLETE); by name it no longer exists.
      if (deleted)
        return p.StackName.startsWith('arn:')
          ? describeStacks({ ...stack, status: 'DELETE_COMPLETE' })
          : noStack(p.StackName);
      return describeStacks(stack);
    });
    wire.on('cloudformation', 'DescribeStackEvents', () =>
      cfnXml('DescribeStackEvents', '<StackEvents></StackEvents>'),
    );
    wire.on('cloudformation', 'DeleteStack', () => {
      deleted = true;
      return cfnXml('DeleteStack');
    });
  }

  const releaseIo = () => {
    const out: string[] = [];
    return { ...progress(), out: (text: string) => out.push(text), printed: out };
  };

  test('a role containment: DeleteStack (retried after throttling), then the revoke policy is gone', async () => {
    cloudFormationWith(roleStack);
    wire.once('cloudformation', 'DeleteStack', () => queryThrottling('cloudformation'));
    wire.on('iam', 'GetRolePolicy', () =>
      awsQueryError({
        service: 'iam',
        code: 'NoSuchEntity',
        status: 404,
        message: 'The role policy cannot be found.',
      }),
    );
    const summary = await release(
      clients(),
      { incidentId: INCIDENT, yes: true, pollIntervalMs: 1, verify: { attempts: 2, firstDelayMs: 1 } },
      releaseIo(),
    );
    expect(summary.results).toEqual([
      {
        label: 'role:AppRole',
        stackName: roleStackName,
        outcome: 'released',
        notes: [`inline policy IrKitRevokeOlderSessions-${INCIDENT} removed`],
      },
    ]);
    expect(wire.callsTo('cloudformation', 'DeleteStack')).toHaveLength(2);
    expect(wire.callsTo('cloudformation', 'DeleteStack')[1].params.StackName).toBe(stackId(roleStackName));
  });

  test('--restore-key: UpdateStack "No updates are to be performed" does not stop the release', async () => {
    cloudFormationWith(userStack);
    wire.on('cloudformation', 'UpdateStack', () =>
      awsQueryError({
        service: 'cloudformation',
        code: 'ValidationError',
        message: 'No updates are to be performed.',
      }),
    );
    wire.on('iam', 'ListAttachedUserPolicies', () =>
      iamXml(
        'ListAttachedUserPolicies',
        '<AttachedPolicies></AttachedPolicies><IsTruncated>false</IsTruncated>',
      ),
    );
    const summary = await release(
      clients(),
      {
        incidentId: INCIDENT,
        yes: true,
        restoreKeyIds: [KEY],
        pollIntervalMs: 1,
        containmentPolicyArn: POLICY,
        verify: { attempts: 2, firstDelayMs: 1 },
      },
      releaseIo(),
    );
    expect(summary.results[0]).toMatchObject({ label: 'user:JaneDoe', outcome: 'released' });
    const update = wire.callsTo('cloudformation', 'UpdateStack')[0].params;
    expect(update).toMatchObject({ UsePreviousTemplate: 'true' });
    const restore = Object.keys(update).find((k) => update[k] === 'RestoreKeyIds') as string;
    expect(update[restore.replace('ParameterKey', 'ParameterValue')]).toBe(KEY);
  });

  test('an unknown incident is refused, naming the incidents that have stacks', async () => {
    cloudFormationWith(roleStack);
    const error = await irkitError(
      release(clients(), { incidentId: 'IR-2099-0001', yes: true }, releaseIo()),
    );
    expect(error.code).toBe('IRKIT_UNKNOWN_INCIDENT');
    expect(error.hint).toContain(INCIDENT);
  });
});

describe('contain end to end through the real SDK', () => {
  const accessStack: StackShape = {
    name: 'IrKitAccess',
    status: 'CREATE_COMPLETE',
    outputs: {
      ContainmentExecutionRoleArn: env.executionRoleArn as string,
      BreakGlassRoleArn: BREAK_GLASS,
      ContainmentPolicyArn: POLICY,
    },
  };

  test('a role: CreateStack, wait, then the URL-encoded revoke policy IAM returns is verified', async () => {
    const created: StackShape[] = [];
    wire.on('sts', 'GetCallerIdentity', () =>
      stsXml(
        'GetCallerIdentity',
        `<Arn>${env.caller.arn}</Arn><UserId>AROA:r</UserId><Account>${ACCOUNT}</Account>`,
      ),
    );
    wire.on('cloudformation', 'ListStacks', () => listStacks([]));
    wire.on('cloudformation', 'DescribeStacks', (p) => {
      if (p.StackName === 'IrKitAccess') return describeStacks(accessStack);
      const stack = created.find((s) => p.StackName === s.name || p.StackName === stackId(s.name));
      return stack ? describeStacks(stack) : noStack(p.StackName);
    });
    wire.on('cloudformation', 'DescribeStackEvents', () =>
      cfnXml('DescribeStackEvents', '<StackEvents></StackEvents>'),
    );
    wire.on('cloudformation', 'CreateStack', (p) => {
      created.push({ ...roleStack, name: p.StackName });
      return cfnXml('CreateStack', `<StackId>${stackId(p.StackName)}</StackId>`);
    });
    wire.on('iam', 'GetRole', () => iamXml('GetRole', roleXml('AppRole')));
    wire.on('iam', 'ListRoleTags', () => iamXml('ListRoleTags', tagsXml({})));
    // IAM returns policy documents URL-encoded (RFC 3986).
    const document = encodeURIComponent(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { DateLessThan: { 'aws:TokenIssueTime': '2021-07-24T03:00:01Z' } },
          },
        ],
      }),
    );
    wire.on('iam', 'GetRolePolicy', (p) =>
      iamXml(
        'GetRolePolicy',
        `<RoleName>${p.RoleName}</RoleName><PolicyName>${p.PolicyName}</PolicyName><PolicyDocument>${document}</PolicyDocument>`,
      ),
    );
    const io = { ...progress(), out: () => undefined, now: () => new Date('2021-07-24T03:00:00.200Z') };
    const result = await contain(
      clients(),
      {
        incidentId: INCIDENT,
        targets: [
          {
            target: { kind: 'role', name: 'AppRole', mode: 'revoke', irRole: false },
            evidence: [{ reason: 'assumed by JaneDoe' }],
          },
        ],
        yes: true,
        pollIntervalMs: 1,
        verify: { attempts: 2, firstDelayMs: 1 },
      },
      io,
    );
    expect(result.results).toEqual([
      expect.objectContaining({
        label: 'role:AppRole',
        outcome: 'contained',
        action: 'created',
        verified: true,
      }),
    ]);
    expect(wire.callsTo('cloudformation', 'CreateStack')[0].params).toMatchObject({
      StackName: roleStackName,
      RoleARN: env.executionRoleArn,
      OnFailure: 'ROLLBACK',
    });
  });
});
