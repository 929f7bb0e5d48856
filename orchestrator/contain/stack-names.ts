import { createHash } from 'node:crypto';

import { CONTAINMENT_STACK_PREFIX } from '../../lib/names';
import * as v from '../../lib/validation';
import { ContainmentKind, KIND_WORDS } from './kinds';

/**
 * Containment stack names: `irkit-contain-<incident>-<kind>-<target>`, deterministic so a
 * re-run finds and updates the same stack.
 *
 * CloudFormation allows `[A-Za-z][-A-Za-z0-9]*`, at most 128 characters, and compares names
 * with case. IAM names may also hold `+=,.@_` and buckets `._`, and a bucket name may be
 * 255 characters, so the target is sanitized (each other character becomes `-`) and
 * shortened. Whenever that could make two targets share a name, a hash of the exact
 * (incident, kind, target) is appended:
 *  - a character was replaced, or the name was shortened;
 *  - the incident id contains a kind word as a segment (`a-user-b`), which would make the
 *    split between incident and target ambiguous;
 *  - the target itself ends like a hash suffix, so an unhashed name never looks hashed.
 * An unhashed name therefore spells its incident, kind and target exactly and can be read
 * back; a hashed one differs from every other by its hash.
 */
export const STACK_NAME_MAX = 128;
const HASH_LENGTH = 10;
const HASH_SUFFIX = new RegExp(`-[0-9a-f]{${HASH_LENGTH}}$`);

export function containmentStackName(incident: string, kind: ContainmentKind, target: string): string {
  v.incidentId(incident);
  const head = `${CONTAINMENT_STACK_PREFIX}${incident}-${kind}-`;
  const sanitized = target.replace(/[^A-Za-z0-9-]/g, '-');
  const needsHash =
    sanitized !== target ||
    head.length + sanitized.length > STACK_NAME_MAX ||
    incident.split('-').some((segment) => (KIND_WORDS as readonly string[]).includes(segment)) ||
    HASH_SUFFIX.test(head + sanitized);
  if (!needsHash) return head + sanitized;
  const hash = createHash('sha256')
    .update(`${incident}\n${kind}\n${target}`)
    .digest('hex')
    .slice(0, HASH_LENGTH);
  const room = STACK_NAME_MAX - head.length - HASH_LENGTH - 1;
  const readable = sanitized.slice(0, room).replace(/-+$/, '');
  return `${head}${readable}${readable ? '-' : ''}${hash}`;
}

/** True for any name containmentStackName could have produced (the deploy role's pattern). */
export function isContainmentStackName(name: string): boolean {
  return name.startsWith(CONTAINMENT_STACK_PREFIX) && /^[A-Za-z][-A-Za-z0-9]*$/.test(name);
}
