/**
 * The user kind's resources. Deny-all: iam-containment-policy attached (inline at the quota),
 * plus a revoke of sessions issued before the containment time, which outlives release (a
 * session minted with GetSessionToken lasts up to 36 hours) unless the operator lifts it.
 * Access key: set Inactive; release reactivates only a key this stack deactivated and the
 * operator named.
 */
import { ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';

import { isAwsError } from '../../../aws-errors';
import { INLINE_POLICY_NAMES } from '../names';
import {
  attachDeny,
  deleteKitInline,
  detachDeny,
  hasManagedDeny,
  isDenyAll,
  isRevoke,
  PrincipalKind,
  putKitInline,
  putRevoke,
  refuseProtected,
} from './iam';
import { containmentTimeOf, flagOf, incidentOf, keyListOf, longTermKeyOf, userNameOf } from './props';
import { DenyHold, encodeState, KeyState, RevokeHold, State, UserDenyState } from './state';
import { VerifiedRequest } from './trust';
import { ContainmentError, HandlerDeps, Outcome } from './types';
import { iamDenyAllPolicy } from '../../../policies/containment';
import { changedOnUpdate, noState, PartialChange } from './outcome';

export async function userDeny(v: VerifiedRequest, deps: HandlerDeps): Promise<Outcome> {
  if (v.type === 'Delete') {
    const s = v.state?.r === 'user-deny' ? v.state : undefined;
    if (!s) return noState();
    return releaseDeny('user', s.user, s, v, deps);
  }
  const incident = incidentOf(v);
  const user = userNameOf(v);
  const at = containmentTimeOf(v, deps.now());
  const prev = v.state?.r === 'user-deny' ? v.state : undefined;
  if (v.type === 'Update' && (!prev || !sameName(prev.user, user) || prev.incident !== incident)) {
    throw changedOnUpdate(v, `user ${user}`);
  }
  const principal = await refuseProtected('user', user, deps);
  let state: UserDenyState = {
    r: 'user-deny',
    stack: v.stack,
    incident,
    user: principal.name,
    deny: prev?.deny ?? 'none',
    revoke: prev?.revoke ?? 'none',
  };
  try {
    state = { ...state, deny: await holdDeny('user', principal.name, incident, state.deny, deps) };
    const revoke = await putRevoke(
      'user',
      principal.name,
      INLINE_POLICY_NAMES.revokeOlderSessions(incident),
      at,
      deps,
    );
    state = { ...state, revoke: mergeRevoke(state.revoke, revoke) };
  } catch (error) {
    throw PartialChange.of(error, v, state);
  }
  return { physicalResourceId: encodeState(state), data: { Mode: state.deny } };
}

/**
 * Holds the deny-all on a user or role, given how it was held before: found attached stays
 * "preexisting" (release leaves it), otherwise the handler attaches it (or puts it inline).
 */
export async function holdDeny(
  kind: PrincipalKind,
  name: string,
  incident: string,
  before: DenyHold,
  deps: HandlerDeps,
): Promise<DenyHold> {
  const inlineName = INLINE_POLICY_NAMES.userDenyAll(incident);
  if (before === 'inline') {
    await putKitInline(kind, name, inlineName, iamDenyAllPolicy(), isDenyAll, deps);
    return 'inline';
  }
  if (await hasManagedDeny(kind, name, deps)) return before === 'managed' ? 'managed' : 'preexisting';
  return attachDeny(kind, name, inlineName, deps);
}

export function mergeRevoke(before: RevokeHold, now: 'written' | 'preexisting'): RevokeHold {
  return before === 'written' || now === 'written' ? 'written' : 'preexisting';
}

/** Undoes what the recorded state says this stack did: the deny it added, and the revoke if asked. */
export async function releaseDeny(
  kind: PrincipalKind,
  name: string,
  s: { incident: string; deny: DenyHold; revoke: RevokeHold },
  v: VerifiedRequest,
  deps: HandlerDeps,
): Promise<Outcome> {
  const notes: string[] = [];
  if (s.deny === 'managed') await detachDeny(kind, name, deps);
  if (s.deny === 'inline') {
    const done = await deleteKitInline(
      kind,
      name,
      INLINE_POLICY_NAMES.userDenyAll(s.incident),
      isDenyAll,
      deps,
    );
    if (done === 'not-ours') notes.push('the inline deny was changed by someone else and is left as it is');
  }
  // Rolling back, the operator's options are not read: the revoke stays, as by default.
  const lift = !v.rollingBack && !flagOf(v, 'KeepSessionRevoke', true);
  let revoke = s.revoke === 'none' ? 'none' : 'kept';
  if (lift && s.revoke === 'written') {
    const done = await deleteKitInline(
      kind,
      name,
      INLINE_POLICY_NAMES.revokeOlderSessions(s.incident),
      isRevoke,
      deps,
    );
    revoke = done === 'not-ours' ? 'changed-by-someone-else' : 'lifted';
  }
  return {
    physicalResourceId: '',
    data: { Mode: s.deny, SessionRevoke: revoke, ...(notes.length ? { Note: notes.join('; ') } : {}) },
  };
}

export async function accessKey(v: VerifiedRequest, deps: HandlerDeps): Promise<Outcome> {
  if (v.type === 'Delete') {
    const s = v.state?.r === 'key' ? v.state : undefined;
    if (!s) return noState();
    const restore = !v.rollingBack && keyListOf(v, 'RestoreKeyIds').includes(s.key);
    let restored = false;
    if (restore && s.deactivated && (await keyStatus(s.user, s.key, deps, true)) === 'Inactive') {
      await deps.iam.send(
        new UpdateAccessKeyCommand({ UserName: s.user, AccessKeyId: s.key, Status: 'Active' }),
      );
      restored = true;
    }
    return { physicalResourceId: '', data: { Restored: String(restored) } };
  }
  const incident = incidentOf(v);
  const user = userNameOf(v);
  const key = longTermKeyOf(v);
  const prev = v.state?.r === 'key' ? v.state : undefined;
  if (
    v.type === 'Update' &&
    (!prev || !sameName(prev.user, user) || prev.key !== key || prev.incident !== incident)
  ) {
    throw changedOnUpdate(v, `key ${key} of user ${user}`);
  }
  const principal = await refuseProtected('user', user, deps);
  const status = await keyStatus(principal.name, key, deps, false);
  let deactivated = prev?.deactivated ?? false;
  if (status === 'Active') {
    await deps.iam.send(
      new UpdateAccessKeyCommand({ UserName: principal.name, AccessKeyId: key, Status: 'Inactive' }),
    );
    deactivated = true;
  }
  const state: KeyState = { r: 'key', stack: v.stack, incident, user: principal.name, key, deactivated };
  return { physicalResourceId: encodeState(state), data: { PriorStatus: prev ? 'recorded' : status } };
}

async function keyStatus(
  user: string,
  keyId: string,
  deps: HandlerDeps,
  goneIsFine: boolean,
): Promise<string> {
  let marker: string | undefined;
  try {
    do {
      const page = await deps.iam.send(new ListAccessKeysCommand({ UserName: user, Marker: marker }));
      const key = (page.AccessKeyMetadata ?? []).find((k) => k.AccessKeyId === keyId);
      if (key) return key.Status ?? 'Inactive';
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  } catch (error) {
    if (!(goneIsFine && isAwsError(error, 'NoSuchEntity'))) throw error;
  }
  if (goneIsFine) return 'gone';
  throw new ContainmentError(`access key ${keyId} is not a key of user ${user}`);
}

/** IAM names ignore case. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export type { State };
