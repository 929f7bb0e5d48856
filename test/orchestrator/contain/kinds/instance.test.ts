import { Stack } from '@aws-sdk/client-cloudformation';
import { STSClient } from '@aws-sdk/client-sts';

import { RESOURCE_TYPES } from '../../../../lib/constructs/containment/handler';
import { ContainClients } from '../../../../orchestrator/contain/aws';
import { instanceKind } from '../../../../orchestrator/contain/kinds/instance';
import { parsePlan } from '../../../../orchestrator/contain/plan';
import { depsFor, resourceIn } from '../../../lib/constructs/containment/handler/harness';
import { WireAccount } from '../../../support/wire-account';

const ID = 'i-0123456789abcdef0';
let account: WireAccount;
let clients: ContainClients;
beforeEach(async () => {
  account = await WireAccount.start();
  clients = { ...account.clients(), sts: new STSClient(account.wire.clientConfig('sts')) };
});
afterEach(() => account.close());

const inspect = (target: { kind: 'instance'; name: string; region?: string }) =>
  instanceKind.inspect({ clients, liveStack: () => undefined }, target);

/** The stack as CloudFormation shows it once the handler answered: its data are the outputs. */
function stackOf(data: Record<string, string>): Stack {
  return {
    StackName: `irkit-contain-IR-1-instance-${ID}`,
    CreationTime: new Date(),
    StackStatus: 'CREATE_COMPLETE',
    Parameters: [{ ParameterKey: 'InstanceId', ParameterValue: ID }],
    Outputs: Object.entries(data).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
  };
}

describe('instance kind', () => {
  it('reads an instance step with its Region from a plan, and refuses a malformed id', () => {
    const plan = parsePlan(
      JSON.stringify({ formatVersion: 1, steps: [{ kind: 'instance', name: ID, region: 'us-east-1' }] }),
    );
    expect(plan.steps).toEqual([{ kind: 'instance', name: ID, region: 'us-east-1', evidence: [] }]);
    expect(() =>
      parsePlan(JSON.stringify({ formatVersion: 1, steps: [{ kind: 'instance', name: 'i-0bad;rm' }] })),
    ).toThrow(/EC2 instance id/);
  });

  it('refuses in the preflight an instance of another Region, a missing one and a terminated one', async () => {
    account.addInstance('i-0aaaaaaaaaaaaaaa1', { state: 'terminated' });
    expect((await inspect({ kind: 'instance', name: ID, region: 'eu-west-1' })).problems).toEqual([
      expect.stringMatching(/is in eu-west-1, not us-east-1: contain it with --region eu-west-1/),
    ]);
    expect((await inspect({ kind: 'instance', name: ID })).problems).toEqual([
      `EC2 instance ${ID} does not exist in us-east-1`,
    ]);
    expect((await inspect({ kind: 'instance', name: 'i-0aaaaaaaaaaaaaaa1' })).problems).toEqual([
      'EC2 instance i-0aaaaaaaaaaaaaaa1 is terminated: nothing to isolate',
    ]);
    expect(account.writes()).toEqual([]);
  });

  it('hands the instance tags to the protection rule', async () => {
    account.addInstance(ID, { tags: [{ Key: 'irkit:protected', Value: 'true' }] });
    expect((await inspect({ kind: 'instance', name: ID })).tags).toEqual([
      { Key: 'irkit:protected', Value: 'true' },
    ]);
  });

  it('verifies the isolation the handler made, and that release undid it', async () => {
    account.addRole('WebAppRole');
    account.addInstance(ID, { role: 'WebAppRole' });
    const r = resourceIn(
      account,
      depsFor(account),
      `irkit-contain-IR-1-instance-${ID}`,
      RESOURCE_TYPES.instanceIsolation,
      {
        IncidentId: 'IR-1',
        InstanceId: ID,
        ContainmentTime: '2021-07-26T00:37:18Z',
        KeepSessionRevoke: 'true',
      },
    );
    const stack = stackOf((await r.ok('Create')).data);
    const input = {
      target: { kind: 'instance' as const, name: ID },
      stack,
      incidentId: 'IR-1',
      containmentPolicyArn: '',
    };
    const contained = await instanceKind.verifyContained(clients, input);
    expect(contained).toEqual({
      ok: true,
      notes: [
        expect.stringMatching(/^every interface has only sg-/),
        'no instance profile associated',
        'termination and stop protection on',
      ],
    });
    expect((await instanceKind.verifyReleased(clients, { ...input, restoreKeyIds: [] })).ok).toBe(false);
    await r.ok('Delete');
    expect(await instanceKind.verifyReleased(clients, { ...input, restoreKeyIds: [] })).toEqual({
      ok: true,
      notes: ['original security groups restored'],
    });
  });
});
