import { AccessKeyInfo, AccessKeyOrigin, EventRef, PrincipalKind, PolicyChange, Reach } from '../types';
import { principalId } from './arn';
import {
  ApiActivityRow,
  ChangeDetailRow,
  ConsoleLoginRow,
  DeniedCallRow,
  FirstLastSeenRow,
  IpActivityRow,
  IpNetworkRow,
  PolicyChangeRow,
  PrincipalCreatedRow,
  ResourceActivityRow,
  RoleSessionRow,
  SessionMintedRow,
  SourceIpRow,
} from './rows';

/**
 * The investigation's working state: the nodes it queried (an access key, a user, a role's
 * sessions, a user's console sign-ins), what each returned, and the principals and keys
 * they revealed. The result document is built from it once the traversal is done.
 */

/**
 * - key: everything done with one access key (AKIA or ASIA)
 * - user: everything an IAM user did, with any of its keys or in the console
 * - role: the sessions of a role the actor created (each becomes a key node)
 * - console: the console sign-ins of a user the actor gave a password but did not create
 */
export type NodeKind = 'key' | 'user' | 'role' | 'console';

export interface Node {
  readonly id: string;
  readonly kind: NodeKind;
  /** The key id, or the user or role name. */
  readonly value: string;
  readonly depth: number;
  /** The principal it belongs to; unset for the subject's key, whose owner the logs tell. */
  principalId?: string;
}

export const nodeId = (kind: NodeKind, value: string) =>
  `${kind}:${kind === 'key' ? value : value.toLowerCase()}`;

export interface NodeResults {
  firstLastSeen: FirstLastSeenRow[];
  apiActivity: ApiActivityRow[];
  sourceIps: SourceIpRow[];
  principalsCreated: PrincipalCreatedRow[];
  sessionsMinted: SessionMintedRow[];
  resourceActivity: ResourceActivityRow[];
  changeDetails: ChangeDetailRow[];
  deniedCalls: DeniedCallRow[];
  consoleLogins: ConsoleLoginRow[];
  roleSessions: RoleSessionRow[];
}

export const emptyResults = (): NodeResults => ({
  firstLastSeen: [],
  apiActivity: [],
  sourceIps: [],
  principalsCreated: [],
  sessionsMinted: [],
  resourceActivity: [],
  changeDetails: [],
  deniedCalls: [],
  consoleLogins: [],
  roleSessions: [],
});

export interface KeyState {
  readonly accessKeyId: string;
  origin: AccessKeyOrigin;
  mintedBy?: string;
  event?: EventRef;
  firstSeen: string | null;
  lastSeen: string | null;
  events: number;
  deleted?: EventRef;
}

export class PrincipalState {
  readonly id: string;
  arn: string | null;
  readonly reached: Reach[] = [];
  readonly nodes: Node[] = [];
  readonly keys = new Map<string, KeyState>();
  readonly policies: PolicyChange[] = [];
  readonly notes: string[] = [];
  readonly sessions = new Set<string>();
  /** Calls seen from the actor's addresses, for a principal that is not queried itself. */
  readonly seenFromActorIps = {
    events: 0,
    firstSeen: null as string | null,
    lastSeen: null as string | null,
  };
  /** The actor controls this identity (false for roles it only changed and identities merely sharing its IPs). */
  actor = false;

  constructor(
    readonly kind: PrincipalKind,
    readonly account: string | null,
    readonly name: string,
    arn: string | null,
    public depth: number,
  ) {
    this.id = principalId(kind, account, name);
    this.arn = arn;
  }

  reach(reach: Reach): void {
    const same = (r: Reach) =>
      r.how === reach.how && r.from === reach.from && r.event?.eventId === reach.event?.eventId;
    if (!this.reached.some(same)) this.reached.push(reach);
  }

  /** Records a key of this principal; a later, more specific origin replaces `observed`. */
  key(
    accessKeyId: string,
    origin: AccessKeyOrigin,
    context: { mintedBy?: string; event?: EventRef } = {},
  ): KeyState {
    let key = this.keys.get(accessKeyId);
    if (!key) {
      key = { accessKeyId, origin, firstSeen: null, lastSeen: null, events: 0, ...context };
      this.keys.set(accessKeyId, key);
    } else if (key.origin === 'observed' && origin !== 'observed') {
      key.origin = origin;
      key.mintedBy = context.mintedBy ?? key.mintedBy;
      key.event = context.event ?? key.event;
    }
    return key;
  }

  hasNode(kind: NodeKind): boolean {
    return this.nodes.some((n) => n.kind === kind);
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }
}

/** Widens a key's first/last use and count with one observation. */
export function observe(
  key: KeyState,
  firstSeen: string | null,
  lastSeen: string | null,
  events: number,
): void {
  if (firstSeen && (!key.firstSeen || firstSeen < key.firstSeen)) key.firstSeen = firstSeen;
  if (lastSeen && (!key.lastSeen || lastSeen > key.lastSeen)) key.lastSeen = lastSeen;
  key.events = Math.max(key.events, events);
}

export function keyInfo(key: KeyState): AccessKeyInfo {
  return {
    accessKeyId: key.accessKeyId,
    type: key.accessKeyId.startsWith('AKIA') ? 'long-term' : 'session',
    origin: key.origin,
    ...(key.mintedBy ? { mintedBy: key.mintedBy } : {}),
    ...(key.event ? { event: key.event } : {}),
    firstSeen: key.firstSeen,
    lastSeen: key.lastSeen,
    events: key.events,
    ...(key.deleted ? { deleted: key.deleted } : {}),
  };
}

/** Policies attached to or put on one of the actor's IAM users, by anyone (AWS's quarantine among them). */
export interface PolicyPhase {
  readonly principal: PrincipalState;
  readonly rows: readonly PolicyChangeRow[];
}

/** What the actor's addresses showed: anyone else acting from them, and their flow log traffic. */
export interface IpPhase {
  readonly addresses: readonly string[];
  readonly activity: readonly IpActivityRow[];
  readonly network: readonly IpNetworkRow[];
}
