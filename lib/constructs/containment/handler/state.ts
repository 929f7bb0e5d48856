/**
 * What the handler changed, kept as the custom resource's physical id. CloudFormation stores the
 * id the handler answered and sends it back on update and delete; the handler reads it from
 * CloudFormation itself (DescribeStackResource), never from the request, and decodes it strictly:
 * anything that is not exactly a state this code writes is treated as "nothing to undo".
 *
 * Readable JSON behind a versioned prefix, so an auditor reading the stack sees what was done.
 */
import * as v from '../../../validation';

export const STATE_PREFIX = 'irkit:2:';

/** How a deny-all is held: attached by us, inline by us (managed-policy quota), found attached, or not at all. */
export type DenyHold = 'managed' | 'inline' | 'preexisting' | 'none';
/** The revoke-older-sessions inline policy: written by us, found already there (ours, same time), or not at all. */
export type RevokeHold = 'written' | 'preexisting' | 'none';

interface Base {
  /** The stack's unique id (the last part of its StackId): state of one stack never serves another. */
  readonly stack: string;
  readonly incident: string;
}
export interface UserDenyState extends Base {
  readonly r: 'user-deny';
  readonly user: string;
  readonly deny: DenyHold;
  readonly revoke: RevokeHold;
}
export interface KeyState extends Base {
  readonly r: 'key';
  readonly user: string;
  readonly key: string;
  /** True when this stack set the key Inactive (it was Active): only then may release reactivate it. */
  readonly deactivated: boolean;
}
export interface RoleState extends Base {
  readonly r: 'role';
  readonly role: string;
  readonly deny: DenyHold;
  readonly revoke: RevokeHold;
}
export interface BucketState extends Base {
  readonly r: 'bucket';
  readonly bucket: string;
  /** True once the merged policy was written (so delete has something to restore). */
  readonly applied: boolean;
}
/** Instance protection (termination, stop): turned on by us, found on, or not yet touched. */
export type ProtectionHold = 'set' | 'preexisting' | 'none';
export interface InstanceState extends Base {
  readonly r: 'instance';
  readonly instance: string;
  /** The isolation security group this stack created ('' before it exists). */
  readonly group: string;
  /** Each network interface of the instance with its original security groups, as release restores them. */
  readonly enis: ReadonlyArray<readonly [string, readonly string[]]>;
  /** The instance profile that was associated ('' none): release associates it again. */
  readonly profile: string;
  /** The profile's role whose older sessions were revoked ('' none). */
  readonly role: string;
  readonly revoke: RevokeHold;
  readonly termination: ProtectionHold;
  readonly stop: ProtectionHold;
}
export type State = UserDenyState | KeyState | RoleState | BucketState | InstanceState;

export function encodeState(state: State): string {
  return STATE_PREFIX + JSON.stringify(state);
}

const DENY_HOLDS: readonly string[] = ['managed', 'inline', 'preexisting', 'none'];
const REVOKE_HOLDS: readonly string[] = ['written', 'preexisting', 'none'];
const PROTECTION_HOLDS: readonly string[] = ['set', 'preexisting', 'none'];
const GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const ENI_ID = /^eni-[0-9a-f]{8,17}$/;
const PROFILE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/[\w+=,.@/-]{1,640}$/;
const SHAPES: Record<State['r'], Record<string, (x: unknown) => boolean>> = {
  'user-deny': { user: isIamName, deny: oneOf(DENY_HOLDS), revoke: oneOf(REVOKE_HOLDS) },
  key: {
    user: isIamName,
    key: (x) => typeof x === 'string' && /^AKIA[A-Z0-9]{16}$/.test(x),
    deactivated: isBool,
  },
  role: { role: isIamName, deny: oneOf(DENY_HOLDS), revoke: oneOf(REVOKE_HOLDS) },
  bucket: { bucket: (x) => typeof x === 'string' && valid(() => v.bucketName(x)), applied: isBool },
  instance: {
    instance: (x) => typeof x === 'string' && valid(() => v.instanceId(x)),
    group: (x) => x === '' || (typeof x === 'string' && GROUP_ID.test(x)),
    enis: (x) =>
      Array.isArray(x) &&
      x.length <= 32 &&
      x.every(
        (e) =>
          Array.isArray(e) &&
          e.length === 2 &&
          typeof e[0] === 'string' &&
          ENI_ID.test(e[0]) &&
          Array.isArray(e[1]) &&
          e[1].length <= 16 &&
          (e[1] as unknown[]).every((g) => typeof g === 'string' && GROUP_ID.test(g)),
      ),
    profile: (x) => x === '' || (typeof x === 'string' && PROFILE_ARN.test(x)),
    role: (x) => x === '' || isIamName(x),
    revoke: oneOf(REVOKE_HOLDS),
    termination: oneOf(PROTECTION_HOLDS),
    stop: oneOf(PROTECTION_HOLDS),
  },
};

/** The state in a physical id, or undefined when the id is not exactly one this handler writes. */
export function decodeState(id: string | undefined): State | undefined {
  if (!id?.startsWith(STATE_PREFIX)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(id.slice(STATE_PREFIX.length));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  const shape = typeof o.r === 'string' ? SHAPES[o.r as State['r']] : undefined;
  if (!shape) return undefined;
  const checks: Record<string, (x: unknown) => boolean> = {
    r: () => true,
    stack: (x) => typeof x === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(x),
    incident: (x) => typeof x === 'string' && valid(() => v.incidentId(x)),
    ...shape,
  };
  const keys = Object.keys(o);
  if (keys.length !== Object.keys(checks).length) return undefined;
  if (!keys.every((k) => checks[k]?.(o[k]))) return undefined;
  return o as unknown as State;
}

/** The unique part of a StackId (`arn:...:stack/NAME/UUID`). */
export function stackUuid(stackId: string): string {
  return stackId.slice(stackId.lastIndexOf('/') + 1);
}

function isIamName(x: unknown): boolean {
  return typeof x === 'string' && valid(() => v.iamUserName(x));
}
function isBool(x: unknown): boolean {
  return typeof x === 'boolean';
}
function oneOf(values: readonly string[]) {
  return (x: unknown) => typeof x === 'string' && values.includes(x);
}
function valid(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}
