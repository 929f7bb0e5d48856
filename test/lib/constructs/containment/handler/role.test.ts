import { RESOURCE_TYPES } from '../../../../../lib/constructs/containment/handler';
import { revokeOlderSessionsPolicy } from '../../../../../lib/policies/containment';
import { WireAccount } from '../../../../support/wire-account';
import { CONTAINED_AT, depsFor, POLICY_ARN, resourceIn } from './harness';

let account: WireAccount;
beforeEach(async () => {
  account = await WireAccount.start();
});
afterEach(() => account.close());

const REVOKE = 'IrKitRevokeOlderSessions-IR-1';
const props = (extra: Record<string, string> = {}) => ({
  IncidentId: 'IR-1',
  RoleName: 'AppDeployRole',
  ContainmentTime: CONTAINED_AT,
  RoleMode: 'revoke',
  KeepSessionRevoke: 'true',
  ...extra,
});
const roleOf = (extra: Record<string, string> = {}) =>
  resourceIn(
    account,
    depsFor(account),
    'irkit-contain-IR-1-role-AppDeployRole',
    RESOURCE_TYPES.roleSessions,
    props(extra),
  );

describe('role containment', () => {
  it('revokes older sessions of a shared role, never deny-all, and the revoke outlives release', async () => {
    const role = account.addRole('AppDeployRole');
    const r = roleOf();
    expect((await r.ok('Create')).data).toEqual({ PolicyName: REVOKE, Mode: 'revoke' });
    expect(JSON.parse(role.inline.get(REVOKE) as string)).toEqual(revokeOlderSessionsPolicy(CONTAINED_AT));
    expect(role.attached).toEqual([]);
    await r.ok('Delete');
    expect(role.inline.has(REVOKE)).toBe(true);
  });

  it('denies everything to a rogue role (created or re-trusted by the actor); release lifts the deny only', async () => {
    const role = account.addRole('AppDeployRole');
    const r = roleOf({ RoleMode: 'deny-all' });
    await r.ok('Create');
    expect(role.attached).toEqual([POLICY_ARN]);
    await r.ok('Delete');
    expect(role.attached).toEqual([]);
    expect(role.inline.has(REVOKE)).toBe(true);
  });

  it('never overwrites an inline policy of the same name that it did not write', async () => {
    const mine = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';
    const role = account.addRole('AppDeployRole', { inline: new Map([[REVOKE, mine]]) });
    const sent = await roleOf().send('Create');
    expect(sent.error?.message).toMatch(
      /already has an inline policy named IrKitRevokeOlderSessions-IR-1 that irkit did not write/,
    );
    expect(role.inline.get(REVOKE)).toBe(mine);
  });

  it('moves an earlier revoke of the kit to the later time (it only ever revokes more)', async () => {
    const earlier = JSON.stringify(revokeOlderSessionsPolicy('2021-07-25T00:00:00Z'));
    const role = account.addRole('AppDeployRole', { inline: new Map([[REVOKE, earlier]]) });
    await roleOf().ok('Create');
    expect(JSON.parse(role.inline.get(REVOKE) as string)).toEqual(revokeOlderSessionsPolicy(CONTAINED_AT));
  });

  it('refuses an IR role and the break-glass role, whatever the template says', async () => {
    account.addRole('SecurityBreakGlassRole');
    const r = resourceIn(
      account,
      depsFor(account),
      'irkit-contain-IR-1-role-SecurityBreakGlassRole',
      RESOURCE_TYPES.roleSessions,
      props({ RoleName: 'securitybreakglassrole' }),
    );
    const sent = await r.send('Create');
    expect(sent.error?.message).toMatch(/SecurityBreakGlassRole is protected \(the break-glass role\)/);
    expect(account.writes()).toEqual([]);
  });

  it('refuses an unknown RoleMode', async () => {
    account.addRole('AppDeployRole');
    const sent = await roleOf({ RoleMode: 'nuke' }).send('Create');
    expect(sent.error?.message).toBe('property RoleMode must be one of revoke, deny-all');
  });
});
