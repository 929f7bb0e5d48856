/**
 * The role kind's resource. A shared role the actor assumed gets the revoke of sessions issued
 * before the containment time (AWS's AWSRevokeOlderSessions pattern); a rogue role (created by
 * the actor, or its trust changed) gets the deny-all as well, since the actor could simply
 * assume it again. The revoke outlives release unless the operator lifts it.
 */
import { ROLE_MODES } from '../../../stacks/containment/parameters';
import { INLINE_POLICY_NAMES } from '../names';
import { putRevoke, refuseProtected, deleteKitInline, detachDeny, isDenyAll } from './iam';
import { changedOnUpdate, noState, PartialChange } from './outcome';
import { containmentTimeOf, incidentOf, oneOfProp, roleNameOf } from './props';
import { encodeState, RoleState } from './state';
import { VerifiedRequest } from './trust';
import { HandlerDeps, Outcome } from './types';
import { holdDeny, mergeRevoke, releaseDeny, sameName } from './user';

export async function roleSessions(v: VerifiedRequest, deps: HandlerDeps): Promise<Outcome> {
  if (v.type === 'Delete') {
    const s = v.state?.r === 'role' ? v.state : undefined;
    if (!s) return noState();
    return releaseDeny('role', s.role, s, v, deps);
  }
  const incident = incidentOf(v);
  const role = roleNameOf(v);
  const at = containmentTimeOf(v, deps.now());
  const mode = oneOfProp(v, 'RoleMode', ROLE_MODES, 'revoke');
  const prev = v.state?.r === 'role' ? v.state : undefined;
  if (v.type === 'Update' && (!prev || !sameName(prev.role, role) || prev.incident !== incident)) {
    throw changedOnUpdate(v, `role ${role}`);
  }
  const principal = await refuseProtected('role', role, deps);
  const policyName = INLINE_POLICY_NAMES.revokeOlderSessions(incident);
  let state: RoleState = {
    r: 'role',
    stack: v.stack,
    incident,
    role: principal.name,
    deny: prev?.deny ?? 'none',
    revoke: prev?.revoke ?? 'none',
  };
  try {
    const revoke = await putRevoke('role', principal.name, policyName, at, deps);
    state = { ...state, revoke: mergeRevoke(state.revoke, revoke) };
    if (mode === 'deny-all') {
      state = { ...state, deny: await holdDeny('role', principal.name, incident, state.deny, deps) };
    } else if (state.deny === 'managed') {
      await detachDeny('role', principal.name, deps);
      state = { ...state, deny: 'none' };
    } else if (state.deny === 'inline') {
      await deleteKitInline(
        'role',
        principal.name,
        INLINE_POLICY_NAMES.userDenyAll(incident),
        isDenyAll,
        deps,
      );
      state = { ...state, deny: 'none' };
    }
  } catch (error) {
    throw PartialChange.of(error, v, state);
  }
  return { physicalResourceId: encodeState(state), data: { PolicyName: policyName, Mode: mode } };
}
