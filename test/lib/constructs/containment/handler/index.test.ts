import {
  AttachUserPolicyCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  LimitExceededException,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  NoSuchBucket,
  PutBucketPolicyCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';

import {
  CfnRequest,
  handleRequest,
  HandlerDeps,
  holdsContainment,
  makeHandler,
  RESOURCE_TYPES,
} from '../../../../../lib/constructs/containment/handler';
import { containedBucketPolicy, revokeOlderSessionsPolicy } from '../../../../../lib/policies/containment';

const iam = mockClient(IAMClient);
const s3 = mockClient(S3Client);
const POLICY_ARN = 'arn:aws:iam::777777777777:policy/iam-containment-policy';
const HANDLER_ROLE = 'arn:aws:iam::777777777777:role/IrKitContainmentHandlerRole';
const BREAK_GLASS = 'arn:aws:iam::777777777777:role/SecurityBreakGlassRole';
const deps: HandlerDeps = {
  iam: new IAMClient({ region: 'us-east-1' }),
  s3: new S3Client({ region: 'us-east-1' }),
  containmentPolicyArn: POLICY_ARN,
  handlerRoleArn: HANDLER_ROLE,
};

function req(
  type: string,
  requestType: CfnRequest['RequestType'],
  props: Record<string, string>,
  extra: Partial<CfnRequest> = {},
): CfnRequest {
  return {
    RequestType: requestType,
    ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
    StackId: 'arn:aws:cloudformation:us-east-1:777777777777:stack/irkit-contain-IR-1-user-JaneDoe/1',
    RequestId: 'req-1',
    LogicalResourceId: 'Resource',
    ResourceType: type,
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:777777777777:function:irkit-contain-handler',
      ...props,
    },
    ...extra,
  };
}

function noSuchEntity(): NoSuchEntityException {
  return new NoSuchEntityException({ message: 'not found', $metadata: {} });
}

function s3Error(name: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: {}, message: name });
}

beforeAll(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

beforeEach(() => {
  iam.reset();
  s3.reset();
  iam.on(ListUserTagsCommand).resolves({ Tags: [] });
  iam.on(ListRoleTagsCommand).resolves({ Tags: [] });
});

describe('user deny-all', () => {
  const props = { IncidentId: 'IR-1', UserName: 'JaneDoe' };

  it('attaches iam-containment-policy and records that it did', async () => {
    iam.on(ListAttachedUserPoliciesCommand).resolves({
      AttachedPolicies: [
        { PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      ],
    });
    const out = await handleRequest(req(RESOURCE_TYPES.userDeny, 'Create', props), deps);
    expect(iam).toHaveReceivedCommandWith(AttachUserPolicyCommand, {
      UserName: 'JaneDoe',
      PolicyArn: POLICY_ARN,
    });
    expect(out.data.Mode).toBe('managed');

    const del = await handleRequest(
      req(RESOURCE_TYPES.userDeny, 'Delete', props, { PhysicalResourceId: out.physicalResourceId }),
      deps,
    );
    expect(iam).toHaveReceivedCommandWith(DetachUserPolicyCommand, {
      UserName: 'JaneDoe',
      PolicyArn: POLICY_ARN,
    });
    expect(del.physicalResourceId).toBe(out.physicalResourceId);
  });

  it('leaves an attachment it found in place on release (never drops an existing attachment)', async () => {
    iam.on(ListAttachedUserPoliciesCommand).resolves({
      AttachedPolicies: [{ PolicyName: 'iam-containment-policy', PolicyArn: POLICY_ARN }],
    });
    const out = await handleRequest(req(RESOURCE_TYPES.userDeny, 'Create', props), deps);
    expect(out.data.Mode).toBe('preexisting');
    expect(iam).not.toHaveReceivedCommand(AttachUserPolicyCommand);
    await handleRequest(
      req(RESOURCE_TYPES.userDeny, 'Delete', props, { PhysicalResourceId: out.physicalResourceId }),
      deps,
    );
    expect(iam).not.toHaveReceivedCommand(DetachUserPolicyCommand);
  });

  it('falls back to the same deny inline when the user holds the maximum of managed policies', async () => {
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    iam
      .on(AttachUserPolicyCommand)
      .rejects(new LimitExceededException({ message: 'Cannot exceed quota', $metadata: {} }));
    iam.on(GetUserPolicyCommand).rejects(noSuchEntity());
    const out = await handleRequest(req(RESOURCE_TYPES.userDeny, 'Create', props), deps);
    expect(out.data.Mode).toBe('inline');
    const put = iam.commandCalls(PutUserPolicyCommand)[0].args[0].input;
    expect(put.PolicyName).toBe('IrKitContainment-IR-1');
    expect(JSON.parse(put.PolicyDocument as string)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'IamPolicyForContainment', Effect: 'Deny', Action: '*', Resource: '*' }],
    });
    await handleRequest(
      req(RESOURCE_TYPES.userDeny, 'Delete', props, { PhysicalResourceId: out.physicalResourceId }),
      deps,
    );
    expect(iam).toHaveReceivedCommandWith(DeleteUserPolicyCommand, {
      UserName: 'JaneDoe',
      PolicyName: 'IrKitContainment-IR-1',
    });
  });

  it('refuses a user tagged irkit:protected=true before changing anything', async () => {
    iam.on(ListUserTagsCommand).resolves({ Tags: [{ Key: 'irkit:protected', Value: 'True' }] });
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    await expect(handleRequest(req(RESOURCE_TYPES.userDeny, 'Create', props), deps)).rejects.toThrow(
      /tagged irkit:protected=true/,
    );
    expect(iam).not.toHaveReceivedCommand(AttachUserPolicyCommand);
  });

  it('re-attaches on update when the deny was removed by hand, keeping its physical id', async () => {
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    const id = 'irkit|user-deny|IR-1|JaneDoe|managed';
    const out = await handleRequest(
      req(RESOURCE_TYPES.userDeny, 'Update', props, { PhysicalResourceId: id, OldResourceProperties: props }),
      deps,
    );
    expect(out.physicalResourceId).toBe(id);
    expect(iam).toHaveReceivedCommandTimes(AttachUserPolicyCommand, 1);
  });

  it('treats a user deleted meanwhile as released', async () => {
    iam.on(DetachUserPolicyCommand).rejects(noSuchEntity());
    await expect(
      handleRequest(
        req(RESOURCE_TYPES.userDeny, 'Delete', props, {
          PhysicalResourceId: 'irkit|user-deny|IR-1|JaneDoe|managed',
        }),
        deps,
      ),
    ).resolves.toBeDefined();
  });
});

describe('access keys', () => {
  const props = {
    IncidentId: 'IR-1',
    UserName: 'JaneDoe',
    AccessKeyId: 'AKIAI44QH8DHBEXAMPLE',
    RestoreKeys: 'false',
  };

  it('sets an active key Inactive and remembers it was Active', async () => {
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [{ UserName: 'JaneDoe', AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Active' }],
    });
    const out = await handleRequest(req(RESOURCE_TYPES.accessKey, 'Create', props), deps);
    expect(iam).toHaveReceivedCommandWith(UpdateAccessKeyCommand, {
      UserName: 'JaneDoe',
      AccessKeyId: 'AKIAI44QH8DHBEXAMPLE',
      Status: 'Inactive',
    });
    expect(out.data.PriorStatus).toBe('Active');

    iam.reset();
    await handleRequest(
      req(RESOURCE_TYPES.accessKey, 'Delete', props, { PhysicalResourceId: out.physicalResourceId }),
      deps,
    );
    expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);

    await handleRequest(
      req(
        RESOURCE_TYPES.accessKey,
        'Delete',
        { ...props, RestoreKeys: 'true' },
        { PhysicalResourceId: out.physicalResourceId },
      ),
      deps,
    );
    expect(iam).toHaveReceivedCommandWith(UpdateAccessKeyCommand, {
      AccessKeyId: 'AKIAI44QH8DHBEXAMPLE',
      Status: 'Active',
    });
  });

  it('never reactivates a key that was already Inactive before containment', async () => {
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [{ UserName: 'JaneDoe', AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Inactive' }],
    });
    const out = await handleRequest(req(RESOURCE_TYPES.accessKey, 'Create', props), deps);
    expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    await handleRequest(
      req(
        RESOURCE_TYPES.accessKey,
        'Delete',
        { ...props, RestoreKeys: 'true' },
        { PhysicalResourceId: out.physicalResourceId },
      ),
      deps,
    );
    expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });

  it('keeps what it remembered across an update (re-run)', async () => {
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [{ UserName: 'JaneDoe', AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Inactive' }],
    });
    const id = 'irkit|key|IR-1|JaneDoe|AKIAI44QH8DHBEXAMPLE|Active';
    const out = await handleRequest(
      req(RESOURCE_TYPES.accessKey, 'Update', props, {
        PhysicalResourceId: id,
        OldResourceProperties: props,
      }),
      deps,
    );
    expect(out.physicalResourceId).toBe(id);
  });

  it('refuses a key that is not the user’s', async () => {
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
    await expect(handleRequest(req(RESOURCE_TYPES.accessKey, 'Create', props), deps)).rejects.toThrow(
      'access key AKIAI44QH8DHBEXAMPLE is not a key of user JaneDoe',
    );
    expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });
});

describe('role sessions', () => {
  const props = { IncidentId: 'IR-1', RoleName: 'AppRole', ContainmentTime: '2021-07-26T00:37:18Z' };

  it('puts the revoke-older-sessions document, exactly lib/policies’, never deny-all', async () => {
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    const out = await handleRequest(req(RESOURCE_TYPES.roleSessions, 'Create', props), deps);
    const put = iam.commandCalls(PutRolePolicyCommand)[0].args[0].input;
    expect(put.RoleName).toBe('AppRole');
    expect(put.PolicyName).toBe('IrKitRevokeOlderSessions-IR-1');
    expect(JSON.parse(put.PolicyDocument as string)).toEqual(
      revokeOlderSessionsPolicy('2021-07-26T00:37:18Z'),
    );
    await handleRequest(
      req(RESOURCE_TYPES.roleSessions, 'Delete', props, { PhysicalResourceId: out.physicalResourceId }),
      deps,
    );
    expect(iam).toHaveReceivedCommandWith(DeleteRolePolicyCommand, {
      RoleName: 'AppRole',
      PolicyName: 'IrKitRevokeOlderSessions-IR-1',
    });
  });

  it('never overwrites an inline policy of the same name that it did not write', async () => {
    iam.on(GetRolePolicyCommand).resolves({
      RoleName: 'AppRole',
      PolicyName: 'IrKitRevokeOlderSessions-IR-1',
      PolicyDocument: encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [] })),
    });
    await expect(handleRequest(req(RESOURCE_TYPES.roleSessions, 'Create', props), deps)).rejects.toThrow(
      /not overwriting/,
    );
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });

  it('refuses a role tagged protected, and a malformed time', async () => {
    iam.on(ListRoleTagsCommand).resolves({ Tags: [{ Key: 'irkit:protected', Value: 'true' }] });
    await expect(handleRequest(req(RESOURCE_TYPES.roleSessions, 'Create', props), deps)).rejects.toThrow(
      /protected/,
    );
    await expect(
      handleRequest(req(RESOURCE_TYPES.roleSessions, 'Create', { ...props, ContainmentTime: 'now' }), deps),
    ).rejects.toThrow(/ISO 8601/);
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });
});

/** What S3 does to a stored policy: drops whitespace, reorders keys, writes one-element lists as scalars. */
function s3Normalize(policy: string): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.length === 1 ? walk(v[0]) : v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .reverse()
          .map((k) => [k, walk((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(walk(JSON.parse(policy)));
}

describe('bucket policy', () => {
  const ORIGINAL =
    '{"Version":"2012-10-17","Id":"Keep","Statement":[{"Sid":"AllowApp","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777777777777:role/App"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"},{"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::DOC-EXAMPLE-BUCKET","arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}';
  const props = {
    IncidentId: 'IR-1',
    BucketName: 'DOC-EXAMPLE-BUCKET',
    BreakGlassRoleArn: BREAK_GLASS,
    OriginalPolicy: ORIGINAL,
    OriginalPolicyPresent: 'true',
  };

  /** A fake bucket: Put stores S3's normalized form, Get returns it. */
  function fakeBucket(initial: string | undefined): { policy: () => string | undefined } {
    let stored = initial;
    s3.on(GetBucketPolicyCommand).callsFake(() => {
      if (stored === undefined) throw s3Error('NoSuchBucketPolicy');
      return { Policy: stored };
    });
    s3.on(PutBucketPolicyCommand).callsFake((input: { Policy: string }) => {
      stored = input.Policy === ORIGINAL ? ORIGINAL : s3Normalize(input.Policy);
      return {};
    });
    s3.on(DeleteBucketPolicyCommand).callsFake(() => {
      stored = undefined;
      return {};
    });
    return { policy: () => stored };
  }

  it('keeps every original statement while contained and restores the original byte for byte', async () => {
    const bucket = fakeBucket(ORIGINAL);
    const out = await handleRequest(req(RESOURCE_TYPES.bucketPolicy, 'Create', props), deps);
    const applied = JSON.parse(s3.commandCalls(PutBucketPolicyCommand)[0].args[0].input.Policy as string);
    expect(applied).toEqual(
      containedBucketPolicy('DOC-EXAMPLE-BUCKET', [BREAK_GLASS, HANDLER_ROLE], JSON.parse(ORIGINAL)),
    );
    expect(holdsContainment(bucket.policy(), ORIGINAL)).toBe(true);

    await handleRequest(
      req(RESOURCE_TYPES.bucketPolicy, 'Delete', props, { PhysicalResourceId: out.physicalResourceId }),
      deps,
    );
    expect(bucket.policy()).toBe(ORIGINAL);
  });

  it('gives a bucket that had no policy no policy back', async () => {
    const bucket = fakeBucket(undefined);
    const none = { ...props, OriginalPolicy: '', OriginalPolicyPresent: 'false' };
    const out = await handleRequest(req(RESOURCE_TYPES.bucketPolicy, 'Create', none), deps);
    expect(JSON.parse(bucket.policy() as string).Statement.Sid).toBe('BucketPolicyForContainment');
    await handleRequest(
      req(RESOURCE_TYPES.bucketPolicy, 'Delete', none, { PhysicalResourceId: out.physicalResourceId }),
      deps,
    );
    expect(bucket.policy()).toBeUndefined();
    expect(s3).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 1);
  });

  it('changes nothing when the policy moved since irkit read it', async () => {
    fakeBucket('{"Version":"2012-10-17","Statement":[]}');
    await expect(handleRequest(req(RESOURCE_TYPES.bucketPolicy, 'Create', props), deps)).rejects.toThrow(
      /changed after irkit read it/,
    );
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('will not overwrite a policy changed while contained, and says how to proceed', async () => {
    fakeBucket(
      '{"Version":"2012-10-17","Statement":[{"Sid":"Other","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}',
    );
    await expect(
      handleRequest(
        req(RESOURCE_TYPES.bucketPolicy, 'Delete', props, {
          PhysicalResourceId: 'irkit|bucket|IR-1|DOC-EXAMPLE-BUCKET',
        }),
        deps,
      ),
    ).rejects.toThrow(/changed while contained.*--retain-failed/);
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
    expect(s3).not.toHaveReceivedCommand(DeleteBucketPolicyCommand);
  });

  it('releases a bucket deleted meanwhile (eradication) without error', async () => {
    s3.on(GetBucketPolicyCommand).rejects(new NoSuchBucket({ message: 'gone', $metadata: {} }));
    const out = await handleRequest(
      req(RESOURCE_TYPES.bucketPolicy, 'Delete', props, {
        PhysicalResourceId: 'irkit|bucket|IR-1|DOC-EXAMPLE-BUCKET',
      }),
      deps,
    );
    expect(out.data.Restored).toBe('bucket-gone');
  });

  it('re-applies on update and refuses to change the kept original', async () => {
    fakeBucket(ORIGINAL);
    const out = await handleRequest(req(RESOURCE_TYPES.bucketPolicy, 'Create', props), deps);
    const update = req(RESOURCE_TYPES.bucketPolicy, 'Update', props, {
      PhysicalResourceId: out.physicalResourceId,
      OldResourceProperties: props,
    });
    await expect(handleRequest(update, deps)).resolves.toEqual({
      physicalResourceId: out.physicalResourceId,
      data: {},
    });
    const tampered = {
      ...update,
      ResourceProperties: { ...props, OriginalPolicy: '{"Version":"2012-10-17","Statement":[]}' },
    };
    await expect(handleRequest(tampered, deps)).rejects.toThrow(/cannot change while it is contained/);
  });

  it('merges to a policy that denies the analyst and spares break-glass and the handler (IAM simulator)', async () => {
    fakeBucket(ORIGINAL);
    await handleRequest(req(RESOURCE_TYPES.bucketPolicy, 'Create', props), deps);
    const policy = JSON.parse(s3.commandCalls(PutBucketPolicyCommand)[0].args[0].input.Policy as string);
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
            resource: { resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/stuff', accountId: '777777777777' },
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
  });
});

describe('the Lambda entry point', () => {
  it('answers SUCCESS with the physical id, and FAILED with the reason', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const lambda = makeHandler(
      () => deps,
      async (_url, body) => {
        bodies.push(JSON.parse(body));
      },
    );
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    const context = { getRemainingTimeInMillis: () => 60000 };
    await lambda(
      req(RESOURCE_TYPES.userDeny, 'Create', { IncidentId: 'IR-1', UserName: 'JaneDoe' }),
      context,
    );
    expect(bodies[0]).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'irkit|user-deny|IR-1|JaneDoe|managed',
      RequestId: 'req-1',
      LogicalResourceId: 'Resource',
    });
    await lambda(
      req(RESOURCE_TYPES.accessKey, 'Create', {
        IncidentId: 'IR-1',
        UserName: 'JaneDoe',
        AccessKeyId: 'bad',
      }),
      context,
    );
    expect(bodies[1]).toMatchObject({ Status: 'FAILED', Reason: 'bad is not a long-term access key id' });
  });

  it('answers FAILED before the Lambda times out rather than leaving the stack waiting', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const lambda = makeHandler(
      () => deps,
      async (_url, body) => {
        bodies.push(JSON.parse(body));
      },
    );
    iam.on(ListAttachedUserPoliciesCommand).callsFake(() => new Promise(() => undefined));
    await lambda(req(RESOURCE_TYPES.userDeny, 'Create', { IncidentId: 'IR-1', UserName: 'JaneDoe' }), {
      getRemainingTimeInMillis: () => 100,
    });
    expect(bodies[0]).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/ran out of time/) });
  });
});
