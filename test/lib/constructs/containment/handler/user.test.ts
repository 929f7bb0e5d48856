import { RESOURCE_TYPES } from '../../../../../lib/constructs/containment/handler';
import { iamDenyAllPolicy, revokeOlderSessionsPolicy } from '../../../../../lib/policies/containment';
import { PLAYBOOK_PROTECTION, protectedReason } from '../../../../../lib/protection';
import { WireAccount } from '../../../../support/wire-account';
import { CONTAINED_AT, depsFor, POLICY_ARN, resourceIn } from './harness';

let account: WireAccount;
beforeEach(async () => {
  account = await WireAccount.start({ pageSize: 2 });
});
afterEach(() => account.close());

const STACK = 'irkit-contain-IR-1-user-JaneDoe';
const REVOKE = 'IrKitRevokeOlderSessions-IR-1';
const props = (extra: Record<string, string> = {}) => ({
  IncidentId: 'IR-1',
  UserName: 'JaneDoe',
  ContainmentTime: CONTAINED_AT,
  KeepSessionRevoke: 'true',
  ...extra,
});

function denyOf(extra: Record<string, string> = {}) {
  return resourceIn(account, depsFor(account), STACK, RESOURCE_TYPES.userDeny, props(extra));
}

describe('user deny-all', () => {
  it('attaches iam-containment-policy and revokes older sessions; release lifts the deny and keeps the revoke', async () => {
    const jane = account.addUser('JaneDoe', { attached: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    const r = denyOf();
    expect((await r.ok('Create')).data.Mode).toBe('managed');
    expect(jane.attached).toContain(POLICY_ARN);
    expect(JSON.parse(jane.inline.get(REVOKE) as string)).toEqual(revokeOlderSessionsPolicy(CONTAINED_AT));

    const released = await r.ok('Delete');
    expect(jane.attached).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    expect(jane.inline.has(REVOKE)).toBe(true);
    expect(released.data.SessionRevoke).toBe('kept');
  });

  it('lifts the revoke too when the operator set KeepSessionRevoke=false before release', async () => {
    const jane = account.addUser('JaneDoe');
    const r = denyOf();
    await r.ok('Create');
    r.stack.parameters.KeepSessionRevoke = 'false';
    r.props = props({ KeepSessionRevoke: 'false' });
    expect((await r.ok('Delete')).data.SessionRevoke).toBe('lifted');
    expect(jane.inline.size).toBe(0);
  });

  it('leaves an attachment it found in place on release (never drops an existing attachment)', async () => {
    const jane = account.addUser('JaneDoe', { attached: [POLICY_ARN] });
    const r = denyOf();
    expect((await r.ok('Create')).data.Mode).toBe('preexisting');
    await r.ok('Delete');
    expect(jane.attached).toEqual([POLICY_ARN]);
  });

  it('falls back to the same deny inline when IAM answers LimitExceeded, and removes only that on release', async () => {
    const full = Array.from({ length: 10 }, (_, i) => `arn:aws:iam::777777777777:policy/p${i}`);
    const jane = account.addUser('JaneDoe', { attached: [...full] });
    const r = denyOf();
    expect((await r.ok('Create')).data.Mode).toBe('inline');
    expect(JSON.parse(jane.inline.get('IrKitContainment-IR-1') as string)).toEqual(iamDenyAllPolicy());
    await r.ok('Delete');
    expect(jane.inline.has('IrKitContainment-IR-1')).toBe(false);
    expect(jane.attached).toEqual(full);
  });

  it('refuses a user tagged protected (the tag on a later page of ListUserTags) and writes nothing', async () => {
    account.addUser('JaneDoe', {
      tags: [
        { Key: 'team', Value: 'a' },
        { Key: 'owner', Value: 'b' },
        { Key: 'irkit:protected', Value: 'TRUE' },
      ],
    });
    const sent = await denyOf().send('Create');
    expect(sent.error?.message).toMatch(/JaneDoe is protected \(tagged irkit:protected=true\)/);
    expect(account.writes()).toEqual([]);
  });

  it('refuses a user the protection rule names with its IAM path, and writes nothing', async () => {
    account.addUser('JaneDoe', { path: '/contractors/' });
    const rule = { ...PLAYBOOK_PROTECTION, protectedPrincipals: ['contractors/janedoe'] };
    const deps = depsFor(account, { protectedReason: (subject) => protectedReason(rule, subject) });
    const sent = await resourceIn(account, deps, STACK, RESOURCE_TYPES.userDeny, props()).send('Create');
    expect(sent.error?.message).toMatch(/JaneDoe is protected \(listed in protectedPrincipals/);
    expect(account.writes()).toEqual([]);
  });

  it('names a user that does not exist (IAM NoSuchEntity on the wire) and writes nothing', async () => {
    const sent = await denyOf().send('Create');
    expect(sent.error?.message).toBe('IAM user JaneDoe does not exist');
    expect(account.writes()).toEqual([]);
  });

  it('re-attaches on update when the deny was removed by hand, keeping its physical id', async () => {
    const jane = account.addUser('JaneDoe');
    const r = denyOf();
    await r.ok('Create');
    const id = r.physicalId;
    jane.attached = [];
    await r.ok('Update');
    expect(jane.attached).toEqual([POLICY_ARN]);
    expect(r.physicalId).toBe(id);
  });

  it('releases a user deleted meanwhile (eradication) without error', async () => {
    account.addUser('JaneDoe');
    const r = denyOf();
    await r.ok('Create');
    account.users.clear();
    await expect(r.ok('Delete')).resolves.toBeDefined();
  });

  it('undoes on rollback what a create changed before it failed', async () => {
    const jane = account.addUser('JaneDoe');
    account.wire.once('iam', 'GetUserPolicy', () => ({
      status: 403,
      headers: { 'content-type': 'text/xml' },
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: iam:GetUserPolicy</Message></Error><RequestId>1</RequestId></ErrorResponse>',
    }));
    const r = denyOf();
    const sent = await r.send('Create');
    expect(sent.error?.message).toMatch(/AccessDenied/);
    expect(jane.attached).toEqual([POLICY_ARN]);
    r.stack.status = 'ROLLBACK_IN_PROGRESS';
    await r.ok('Delete');
    expect(jane.attached).toEqual([]);
  });

  it('refuses a containment time in the future, which would deny every session', async () => {
    account.addUser('JaneDoe');
    const sent = await denyOf({ ContainmentTime: '2021-07-27T00:00:00Z' }).send('Create');
    expect(sent.error?.message).toMatch(/ContainmentTime: 2021-07-27T00:00:00Z is in the future/);
    expect(account.writes()).toEqual([]);
  });
});

describe('access keys', () => {
  const keyProps = (key: string, restore = '') => ({
    IncidentId: 'IR-1',
    UserName: 'JaneDoe',
    AccessKeyId: key,
    RestoreKeyIds: restore,
  });
  const params = (key: string, restore = '') => ({
    IncidentId: 'IR-1',
    UserName: 'JaneDoe',
    AccessKeyId1: key,
    AccessKeyId2: '',
    RestoreKeyIds: restore,
  });
  const keyOf = (key: string) =>
    resourceIn(
      account,
      depsFor(account),
      STACK,
      RESOURCE_TYPES.accessKey,
      keyProps(key),
      params(key),
      'AccessKey1',
    );

  it('sets an active key Inactive; release keeps it Inactive unless the operator names it', async () => {
    const jane = account.addUser('JaneDoe', { keys: new Map([['AKIAI44QH8DHBEXAMPLE', 'Active']]) });
    const r = keyOf('AKIAI44QH8DHBEXAMPLE');
    await r.ok('Create');
    expect(jane.keys.get('AKIAI44QH8DHBEXAMPLE')).toBe('Inactive');
    expect((await r.ok('Delete')).data.Restored).toBe('false');
    expect(jane.keys.get('AKIAI44QH8DHBEXAMPLE')).toBe('Inactive');
  });

  it('reactivates a key it deactivated when RestoreKeyIds names it', async () => {
    const jane = account.addUser('JaneDoe', { keys: new Map([['AKIAI44QH8DHBEXAMPLE', 'Active']]) });
    const r = keyOf('AKIAI44QH8DHBEXAMPLE');
    await r.ok('Create');
    r.stack.parameters.RestoreKeyIds = 'AKIAI44QH8DHBEXAMPLE';
    r.props = keyProps('AKIAI44QH8DHBEXAMPLE', 'AKIAI44QH8DHBEXAMPLE');
    expect((await r.ok('Delete')).data.Restored).toBe('true');
    expect(jane.keys.get('AKIAI44QH8DHBEXAMPLE')).toBe('Active');
  });

  it('never reactivates a key that was already Inactive before containment, even when named', async () => {
    const jane = account.addUser('JaneDoe', { keys: new Map([['AKIAI44QH8DHBEXAMPLE', 'Inactive']]) });
    const r = keyOf('AKIAI44QH8DHBEXAMPLE');
    await r.ok('Create');
    r.stack.parameters.RestoreKeyIds = 'AKIAI44QH8DHBEXAMPLE';
    r.props = keyProps('AKIAI44QH8DHBEXAMPLE', 'AKIAI44QH8DHBEXAMPLE');
    expect((await r.ok('Delete')).data.Restored).toBe('false');
    expect(jane.keys.get('AKIAI44QH8DHBEXAMPLE')).toBe('Inactive');
  });

  it('refuses a key that is not the user’s (paged ListAccessKeys) and writes nothing', async () => {
    account.addUser('JaneDoe', {
      keys: new Map([
        ['AKIAIOSFODNN7EXAMPLE', 'Active'],
        ['AKIAI44QH8DHBEXAMPLE', 'Active'],
        ['AKIAJ3EXAMPLEKEY3ID', 'Active'],
      ]),
    });
    const sent = await keyOf('AKIA0000000000000000').send('Create');
    expect(sent.error?.message).toBe('access key AKIA0000000000000000 is not a key of user JaneDoe');
    expect(account.writes()).toEqual([]);
  });

  it('refuses a temporary (ASIA) key id', async () => {
    account.addUser('JaneDoe');
    const sent = await keyOf('ASIAIOSFODNN7EXAMPLE').send('Create');
    expect(sent.error?.message).toMatch(/not a long-term access key id/);
  });
});
