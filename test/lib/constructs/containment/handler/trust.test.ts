import {
  handleRequest,
  isCloudFormationResponseUrl,
  RESOURCE_TYPES,
} from '../../../../../lib/constructs/containment/handler';
import { CfnRequest } from '../../../../../lib/constructs/containment/handler/types';
import { ACCOUNT, REGION, WireAccount } from '../../../../support/wire-account';
import { CONTAINED_AT, depsFor, POLICY_ARN, resourceIn } from './harness';

let account: WireAccount;
beforeEach(async () => {
  account = await WireAccount.start();
  account.addUser('JaneDoe');
  account.addUser('JorgeSouza', { attached: [] });
});
afterEach(() => account.close());

const STACK = 'irkit-contain-IR-1-user-JaneDoe';
const props = {
  IncidentId: 'IR-1',
  UserName: 'JaneDoe',
  ContainmentTime: CONTAINED_AT,
  KeepSessionRevoke: 'true',
};
const deny = (p: Record<string, string> = props, params: Record<string, string> = p) =>
  resourceIn(account, depsFor(account), STACK, RESOURCE_TYPES.userDeny, p, params);

/** A request as anyone who may invoke the function could write it. */
function forged(extra: Partial<CfnRequest>): CfnRequest {
  return {
    RequestType: 'Create',
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
    StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/11111111-2222-4333-8444-555555555555`,
    RequestId: 'forged',
    LogicalResourceId: 'Resource',
    ResourceType: RESOURCE_TYPES.userDeny,
    ResourceProperties: props,
    ...extra,
  };
}

describe('the handler trusts nothing in a request', () => {
  it.each([
    ['a stack of another account', `arn:aws:cloudformation:${REGION}:111122223333:stack/${STACK}/1`],
    ['a stack of another Region', `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/${STACK}/1`],
    [
      'a stack that is not an irkit-contain-* stack',
      `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/MyApp/1`,
    ],
    ['no stack at all', 'not-an-arn'],
  ])('refuses %s before any AWS call', async (_what, stackId) => {
    await expect(handleRequest(forged({ StackId: stackId }), depsFor(account))).rejects.toThrow(/refused/);
    expect(account.wire.calls).toEqual([]);
  });

  it('refuses a request for a stack CloudFormation does not have (ValidationError on the wire), changing nothing', async () => {
    await expect(handleRequest(forged({}), depsFor(account))).rejects.toThrow(
      /does not show Resource of this stack as CREATE_IN_PROGRESS \(no such stack or resource\)/,
    );
    expect(account.writes()).toEqual([]);
  });

  it('refuses a replayed create (the resource is no longer being created), changing nothing', async () => {
    const r = deny();
    await r.ok('Create');
    const before = account.writes().length;
    const jane = account.users.get('janedoe');
    if (jane) jane.attached = [];
    await expect(handleRequest(forged({}), depsFor(account))).rejects.toThrow(/CREATE_COMPLETE/);
    expect(account.writes().length).toBe(before);
  });

  it('refuses a delete that names another physical id than CloudFormation records (no detaching another user)', async () => {
    const jorge = account.users.get('jorgesouza');
    if (jorge) jorge.attached = [POLICY_ARN];
    const r = deny();
    await r.ok('Create');
    const forgedState = (r.physicalId as string).replace('"JaneDoe"', '"JorgeSouza"');
    const record = r.stack.resources[0];
    record.status = 'DELETE_IN_PROGRESS';
    await expect(
      handleRequest(forged({ RequestType: 'Delete', PhysicalResourceId: forgedState }), depsFor(account)),
    ).rejects.toThrow(/not the one CloudFormation records/);
    expect(jorge?.attached).toEqual([POLICY_ARN]);
  });

  it('refuses properties that differ from the stack’s parameters', async () => {
    const sent = await deny({ ...props, UserName: 'JorgeSouza' }, props).send('Create');
    expect(sent.error?.message).toMatch(/property UserName differs from the parameters/);
    expect(account.writes()).toEqual([]);
  });

  it('refuses a property that is no parameter of the stack', async () => {
    const sent = await deny(
      { ...props, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      props,
    ).send('Create');
    expect(sent.error?.message).toMatch(/property PolicyArn is not a parameter/);
  });

  it('validates every property with the kit’s validators (an incident id with a separator)', async () => {
    const bad = { ...props, IncidentId: 'IR-1|managed' };
    const sent = await deny(bad).send('Create');
    expect(sent.error?.message).toMatch(/property IncidentId: invalid incident id/);
    expect(account.writes()).toEqual([]);
  });

  it('treats a recorded id it did not write as nothing to undo', async () => {
    const r = deny();
    r.stack.resources.push({
      logicalId: 'Resource',
      type: RESOURCE_TYPES.userDeny,
      status: 'CREATE_FAILED',
      physicalId: 'irkit|user-deny|IR-1|JorgeSouza|managed',
    });
    r.stack.status = 'ROLLBACK_IN_PROGRESS';
    expect((await r.ok('Delete')).data).toEqual({ Released: 'nothing-recorded' });
    expect(account.writes()).toEqual([]);
  });

  it('refuses an update that would move a containment to another target', async () => {
    const r = deny();
    await r.ok('Create');
    r.stack.parameters.UserName = 'JorgeSouza';
    r.props = { ...props, UserName: 'JorgeSouza' };
    const sent = await r.send('Update');
    expect(sent.error?.message).toMatch(/contains another target; it cannot become user JorgeSouza/);
  });
});

describe('the response URL', () => {
  it.each([
    ['https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3A...', true],
    ['https://cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com/x', true],
    ['https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/x', true],
    ['http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x', false],
    ['https://attacker.example/x', false],
    ['https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com.attacker.example/x', false],
    ['https://user@cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x', false],
  ])('%s is a CloudFormation response URL: %s', (url, ok) => {
    expect(isCloudFormationResponseUrl(url)).toBe(ok);
  });
});

describe('requests CloudFormation sends while it cleans up or rolls back', () => {
  it('does nothing for the cleanup delete of a resource an update replaced (the new one holds its state)', async () => {
    const r = deny();
    await r.ok('Create');
    const jane = account.users.get('janedoe');
    const old = r.physicalId as string;
    r.stack.resources[0].physicalId = old.replace('"written"', '"preexisting"');
    r.stack.status = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
    r.stack.resources[0].status = 'UPDATE_COMPLETE';
    const out = await handleRequest(
      forged({ RequestType: 'Delete', PhysicalResourceId: old }),
      depsFor(account),
    );
    expect(out.data).toEqual({ Released: 'nothing-recorded' });
    expect(account.writes()).toEqual(['AttachUserPolicy JaneDoe', 'PutUserPolicy JaneDoe']);
    expect(jane?.attached).toEqual([POLICY_ARN]);
  });

  it('refuses a delete outside cleanup whose physical id is not the recorded one', async () => {
    const r = deny();
    await r.ok('Create');
    r.stack.status = 'UPDATE_COMPLETE';
    await expect(
      handleRequest(forged({ RequestType: 'Delete', PhysicalResourceId: 'irkit:2:{}' }), depsFor(account)),
    ).rejects.toThrow(/refused/);
  });
});
