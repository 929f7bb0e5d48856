import { RESOURCE_TYPES } from '../../../../../lib/constructs/containment/handler';
import { decodeState } from '../../../../../lib/constructs/containment/handler/state';
import { revokeOlderSessionsPolicy } from '../../../../../lib/policies/containment';
import { ec2Throttling } from '../../../../support/aws-wire';
import { WireAccount } from '../../../../support/wire-account';
import { CONTAINED_AT, depsFor, resourceIn } from './harness';

let account: WireAccount;
beforeEach(async () => {
  account = await WireAccount.start();
});
afterEach(() => account.close());

const ID = 'i-0123456789abcdef0';
const REVOKE = 'IrKitRevokeOlderSessions-IR-1';
const props = (extra: Record<string, string> = {}) => ({
  IncidentId: 'IR-1',
  InstanceId: ID,
  ContainmentTime: CONTAINED_AT,
  KeepSessionRevoke: 'true',
  ...extra,
});
const instanceOf = (extra: Record<string, string> = {}, maxAttempts = 1) =>
  resourceIn(
    account,
    depsFor(account, account.clients(maxAttempts)),
    `irkit-contain-IR-1-instance-${ID}`,
    RESOURCE_TYPES.instanceIsolation,
    props(extra),
  );

describe('instance containment', () => {
  it('isolates the instance behind a rule-less group, cuts its role and protects it; release restores exactly', async () => {
    const role = account.addRole('WebAppRole');
    const instance = account.addInstance(ID, {
      role: 'WebAppRole',
      enis: [
        { id: 'eni-0a1b2c3d', groups: ['sg-903004f8', 'sg-1a2b3c4d'] },
        { id: 'eni-0e1f2a3b', groups: ['sg-5e6f7a8b'] },
      ],
    });
    const profile = instance.profile;
    const r = instanceOf();
    const { data } = await r.ok('Create');
    const group = data.IsolationGroupId;
    expect(group).toMatch(/^sg-/);
    expect(account.groups.get(group)).toMatchObject({
      name: `irkit-isolation-IR-1-${ID}`,
      ingress: [],
      egress: [],
      tags: expect.arrayContaining([{ Key: 'irkit:isolation', Value: 'true' }]),
    });
    expect(instance.enis.map((e) => e.groups)).toEqual([[group], [group]]);
    expect(instance.profile).toBeUndefined();
    expect(instance.termination && instance.stop).toBe(true);
    expect(JSON.parse(role.inline.get(REVOKE) as string)).toEqual(revokeOlderSessionsPolicy(CONTAINED_AT));
    expect(data).toMatchObject({
      OriginalGroups: 'eni-0a1b2c3d=sg-903004f8+sg-1a2b3c4d;eni-0e1f2a3b=sg-5e6f7a8b',
      OriginalInstanceProfile: profile,
      RevokedRole: 'WebAppRole',
    });

    await r.ok('Delete');
    expect(instance.enis.map((e) => e.groups)).toEqual([['sg-903004f8', 'sg-1a2b3c4d'], ['sg-5e6f7a8b']]);
    expect(instance.profile).toBe(profile);
    expect(instance.termination || instance.stop).toBe(false);
    expect(account.groups.has(group)).toBe(false);
    expect(role.inline.has(REVOKE)).toBe(true);
  });

  it('leaves protection that was already on, on, after release', async () => {
    const instance = account.addInstance(ID, { termination: true });
    const r = instanceOf();
    await r.ok('Create');
    await r.ok('Delete');
    expect(instance.termination).toBe(true);
    expect(instance.stop).toBe(false);
  });

  it('re-running keeps the originals it recorded the first time', async () => {
    const instance = account.addInstance(ID);
    const r = instanceOf();
    await r.ok('Create');
    const first = decodeState(r.physicalId);
    const { data } = await r.ok('Update');
    expect(data.OriginalGroups).toBe(`eni-${ID.slice(2, 10)}=sg-903004f8`);
    await r.ok('Delete');
    expect(first?.r).toBe('instance');
    expect(instance.enis[0].groups).toEqual(['sg-903004f8']);
  });

  it('refuses an instance tagged irkit:protected=true and changes nothing', async () => {
    account.addInstance(ID, { tags: [{ Key: 'irkit:protected', Value: 'true' }] });
    const sent = await instanceOf().send('Create');
    expect(sent.error?.message).toMatch(/protected \(tagged irkit:protected=true\)/);
    expect(account.writes()).toEqual([]);
  });

  it('refuses an instance that does not exist (EC2 InvalidInstanceID.NotFound on the wire)', async () => {
    const sent = await instanceOf().send('Create');
    expect(sent.error?.message).toBe(`EC2 instance ${ID} does not exist in us-east-1`);
  });

  it('retries EC2 throttling (RequestLimitExceeded)', async () => {
    account.addInstance(ID);
    account.wire.once('ec2', 'DescribeInstances', () => ec2Throttling());
    const r = instanceOf({}, 3);
    await r.ok('Create');
    expect(account.wire.callsTo('ec2', 'DescribeInstances').length).toBeGreaterThanOrEqual(2);
  });

  it('releases cleanly an instance terminated meanwhile (eradicated), deleting its isolation group', async () => {
    const instance = account.addInstance(ID);
    const r = instanceOf();
    const { data } = await r.ok('Create');
    instance.state = 'terminated';
    const out = await r.ok('Delete');
    expect(out.data.Note).toMatch(/is gone/);
    expect(account.groups.has(data.IsolationGroupId)).toBe(false);
  });

  it('leaves groups someone changed while contained, and says so', async () => {
    const instance = account.addInstance(ID);
    const r = instanceOf();
    const { data } = await r.ok('Create');
    instance.enis[0].groups = ['sg-77777777'];
    const out = await r.ok('Delete');
    expect(instance.enis[0].groups).toEqual(['sg-77777777']);
    expect(out.data.Note).toMatch(/changed by someone else/);
    expect(account.groups.has(data.IsolationGroupId)).toBe(false);
  });

  it('lifts the revoke on release only when asked', async () => {
    const role = account.addRole('WebAppRole');
    account.addInstance(ID, { role: 'WebAppRole' });
    const r = instanceOf();
    await r.ok('Create');
    r.stack.parameters.KeepSessionRevoke = 'false';
    r.props = props({ KeepSessionRevoke: 'false' });
    await r.ok('Delete');
    expect(role.inline.has(REVOKE)).toBe(false);
  });
});
