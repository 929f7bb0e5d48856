import { decodeState, makeHandler, RESOURCE_TYPES } from '../../../../../lib/constructs/containment/handler';
import { CfnRequest } from '../../../../../lib/constructs/containment/handler/types';
import { WireAccount } from '../../../../support/wire-account';
import { CONTAINED_AT, depsFor } from './harness';

let account: WireAccount;
beforeAll(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
beforeEach(async () => {
  account = await WireAccount.start();
});
afterEach(() => account.close());

const props = {
  IncidentId: 'IR-1',
  UserName: 'JaneDoe',
  ContainmentTime: CONTAINED_AT,
  KeepSessionRevoke: 'true',
};

function setUp() {
  const stack = account.addStack('irkit-contain-IR-1-user-JaneDoe', props);
  stack.resources.push({
    logicalId: 'Resource',
    type: RESOURCE_TYPES.userDeny,
    status: 'CREATE_IN_PROGRESS',
  });
  const request: CfnRequest = {
    RequestType: 'Create',
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/r',
    StackId: stack.id,
    RequestId: 'req-1',
    LogicalResourceId: 'Resource',
    ResourceType: RESOURCE_TYPES.userDeny,
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:777777777777:function:irkit-contain-handler',
      ...props,
    },
  };
  const sent: Array<{ url: string; body: Record<string, unknown> }> = [];
  const lambda = makeHandler(
    () => depsFor(account),
    async (url, body) => {
      sent.push({ url, body: JSON.parse(body) });
    },
  );
  return { stack, request, sent, lambda };
}
const context = { getRemainingTimeInMillis: () => 60000 };

describe('the Lambda entry point', () => {
  it('answers SUCCESS with the recorded state as physical id', async () => {
    account.addUser('JaneDoe');
    const { request, sent, lambda } = setUp();
    await lambda(request, context);
    expect(sent[0].url).toBe(request.ResponseURL);
    expect(sent[0].body).toMatchObject({
      Status: 'SUCCESS',
      RequestId: 'req-1',
      LogicalResourceId: 'Resource',
    });
    expect(decodeState(sent[0].body.PhysicalResourceId as string)).toMatchObject({
      r: 'user-deny',
      user: 'JaneDoe',
      deny: 'managed',
      revoke: 'written',
    });
  });

  it('answers FAILED with the reason, and a failed create keeps what it changed for the rollback', async () => {
    account.addUser('JaneDoe');
    account.wire.once('iam', 'GetUserPolicy', () => ({ status: 500, body: 'boom' }));
    const { request, sent, lambda } = setUp();
    await lambda(request, context);
    expect(sent[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^\w+: /) });
    expect(decodeState(sent[0].body.PhysicalResourceId as string)).toMatchObject({
      deny: 'managed',
      revoke: 'none',
    });
  });

  it('sends nothing anywhere and does nothing for a request whose ResponseURL is not CloudFormation’s', async () => {
    account.addUser('JaneDoe');
    const { request, sent, lambda } = setUp();
    await lambda({ ...request, ResponseURL: 'https://attacker.example/collect' }, context);
    expect(sent).toEqual([]);
    expect(account.wire.calls).toEqual([]);
  });

  it('answers FAILED before the Lambda times out rather than leaving the stack waiting', async () => {
    account.addUser('JaneDoe');
    account.wire.on('cloudformation', 'DescribeStackResource', () => new Promise(() => undefined));
    const { request, sent, lambda } = setUp();
    await lambda(request, { getRemainingTimeInMillis: () => 100 });
    expect(sent[0].body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/ran out of time/),
    });
  });
});
