import { isIP } from 'node:net';

import { invalidInput } from '../../lib/errors';
import { getQuery } from '../../lib/queries';
import * as v from '../../lib/validation';
import { ProgressEvent, QueryEngine, QueryResult } from '../engines/engine';
import { buildResult } from './private/build';
import { parseIdentityArn, principalArn, principalId } from './private/arn';
import { awsCaller, nameIdentity } from './private/identity';
import { describeResources, parseJsonCell } from './private/resources';
import { COLUMNS, count, rows } from './private/rows';
import {
  IpPhase,
  Node,
  NodeKind,
  NodeResults,
  PolicyPhase,
  PrincipalState,
  emptyResults,
  nodeId,
  observe,
} from './private/state';
import { ProtectionOptions } from './protection';
import {
  EventRef,
  InvestigationResult,
  InvestigationSubject,
  InvestigationWindow,
  PrincipalKind,
  QueryRun,
} from './types';

export interface InvestigateOptions {
  /** How many steps from the subject to follow (0: the subject only). @default DEFAULT_DEPTH */
  readonly depth?: number;
  /** Written into the result and its containment plan. */
  readonly incidentId?: string;
  /** @default PLAYBOOK_PROTECTION (lib/protection.ts): the playbook's names, nothing else protected */
  readonly protection?: ProtectionOptions;
  /** Queries in flight at once; the local engine runs them one by one whatever this says. @default 4 */
  readonly concurrency?: number;
  /** Aborting cancels the running queries; the investigation then fails with IRKIT_QUERY_CANCELLED. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: InvestigationProgress) => void;
  /** Timeline entries kept (the earliest); more is reported as a warning. @default 10000 */
  readonly maxTimelineEntries?: number;
  /** @default the current time */
  readonly now?: () => Date;
  /** @default `irkit investigate` */
  readonly generatedBy?: string;
}

export type InvestigationProgress =
  | { readonly kind: 'level'; readonly depth: number; readonly nodes: readonly string[] }
  | {
      readonly kind: 'query';
      readonly queryId: string;
      readonly label: string;
      readonly rows: number;
      readonly elapsedMs: number;
      /** Local engine: the part of elapsedMs spent parsing log files. */
      readonly loadMs?: number;
    }
  | { readonly kind: 'engine'; readonly event: ProgressEvent };

export const DEFAULT_DEPTH = 5;
export const MAX_DEPTH = 20;

/** Validates the subject, window and depth; throws IRKIT_INVALID_INPUT before any query runs. */
export function checkInvestigationInput(
  subject: InvestigationSubject,
  window: InvestigationWindow,
  depth: number,
): { subject: InvestigationSubject; window: InvestigationWindow } {
  const checked: InvestigationSubject =
    subject.kind === 'accessKey'
      ? { kind: 'accessKey', accessKeyId: v.accessKeyId(subject.accessKeyId) }
      : { kind: 'user', userName: v.iamUserName(subject.userName) };
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_DEPTH) {
    throw invalidInput(
      'depth',
      depth,
      `give a whole number from 0 to ${MAX_DEPTH} (0 investigates the subject only)`,
    );
  }
  return { subject: checked, window: v.dateWindow(window.from, window.to) };
}

/**
 * The automated investigation (issue 4): starting from an exposed access key or an IAM user,
 * runs the library's queries and follows every thread to a fixed point: the principals,
 * keys and login profiles it created, the roles it assumed and the sessions it minted (whose
 * activity is the same actor's), the resources it created, changed, deleted and probed, its
 * source IPs and anyone else acting from them, and their VPC Flow Logs traffic. Each node is
 * queried once (no loops), up to `depth` steps from the subject. Returns the result document
 * with the containment plan. Any failing query fails the whole investigation: no partial answer.
 */
export async function investigate(
  engine: QueryEngine,
  subject: InvestigationSubject,
  window: InvestigationWindow,
  options: InvestigateOptions = {},
): Promise<InvestigationResult> {
  const depthLimit = options.depth ?? DEFAULT_DEPTH;
  const input = checkInvestigationInput(subject, window, depthLimit);
  if (options.incidentId !== undefined) v.incidentId(options.incidentId);
  const run = new Investigation(engine, input.subject, input.window, depthLimit, options);
  return run.execute();
}

interface Candidate {
  readonly kind: NodeKind;
  readonly value: string;
  readonly depth: number;
  readonly principal: PrincipalState;
  /** A key whose calls carry its user's name: a user node of the same principal already covers them. */
  readonly coveredByUser?: boolean;
}

class Investigation {
  private readonly principals = new Map<string, PrincipalState>();
  private readonly nodes = new Map<string, Node>();
  private readonly results = new Map<string, NodeResults>();
  private readonly queries: QueryRun[] = [];
  private readonly warnings: string[] = [];
  private readonly beyondDepth = new Set<string>();
  private readonly deletedKeys = new Map<string, EventRef>();
  private readonly limiter: Limiter;
  private subjectPrincipal?: PrincipalState;

  constructor(
    private readonly engine: QueryEngine,
    private readonly subject: InvestigationSubject,
    private readonly window: InvestigationWindow,
    private readonly depthLimit: number,
    private readonly options: InvestigateOptions,
  ) {
    this.limiter = new Limiter(Math.max(1, options.concurrency ?? 4));
  }

  async execute(): Promise<InvestigationResult> {
    const first: Node =
      this.subject.kind === 'accessKey'
        ? {
            id: nodeId('key', this.subject.accessKeyId),
            kind: 'key',
            value: this.subject.accessKeyId,
            depth: 0,
          }
        : { id: nodeId('user', this.subject.userName), kind: 'user', value: this.subject.userName, depth: 0 };
    this.nodes.set(first.id, first);
    await this.traverse([first]);

    const found = this.subjectPrincipal !== undefined;
    let ipPhase: IpPhase | undefined;
    if (found) {
      ipPhase = await this.ipPhase();
      // Instance credentials the actor stole open new threads; their addresses may add more.
      for (let stolen = this.schedule(this.stolenSessions(ipPhase)); stolen.length > 0;) {
        await this.traverse(stolen);
        ipPhase = await this.ipPhase();
        stolen = this.schedule(this.stolenSessions(ipPhase));
      }
    }
    const policyPhase = found ? await this.policyPhase() : [];
    return buildResult({
      subject: this.subject,
      window: this.window,
      engine: this.engine.kind,
      depthLimit: this.depthLimit,
      options: this.options,
      subjectPrincipal: this.subjectPrincipal,
      principals: [...this.principals.values()],
      results: this.results,
      deletedKeys: this.deletedKeys,
      ipPhase,
      policyPhase,
      queries: this.queries,
      warnings: this.warnings,
    });
  }

  /** Queries level after level from `frontier`, each node once, until no thread is left. */
  private async traverse(start: Node[]): Promise<void> {
    let frontier = start;
    while (frontier.length > 0) {
      this.options.onProgress?.({ kind: 'level', depth: frontier[0].depth, nodes: frontier.map(label) });
      const level = await settleAll(frontier.map((node) => this.query(node)));
      const candidates: Candidate[] = [];
      frontier.forEach((node, i) => {
        this.results.set(node.id, level[i]);
        candidates.push(...this.absorb(node, level[i]));
      });
      if (!this.subjectPrincipal) break;
      frontier = this.schedule(candidates);
    }
  }

  /** Runs a node's queries concurrently (as far as the engine allows). */
  private async query(node: Node): Promise<NodeResults> {
    const out = emptyResults();
    const param: Record<string, string> =
      node.kind === 'key'
        ? { accessKeyId: node.value }
        : node.kind === 'role'
          ? { roleName: node.value }
          : { userName: node.value };
    const p = node.kind === 'key' ? 'key' : 'user';
    const jobs: Promise<void>[] = [];
    const add = <K extends keyof NodeResults>(
      field: K,
      queryId: string,
      read: (r: QueryResult) => NodeResults[K],
    ) => jobs.push(this.runQuery(queryId, param, label(node)).then((r) => void (out[field] = read(r))));

    if (node.kind === 'role') {
      add('roleSessions', 'role-sessions', (r) => rows(r, COLUMNS.roleSessions));
    } else if (node.kind === 'console') {
      add('consoleLogins', 'user-console-logins', (r) => rows(r, COLUMNS.consoleLogins));
    } else {
      add('firstLastSeen', `${p}-first-last-seen`, (r) => rows(r, COLUMNS.firstLastSeen));
      add('apiActivity', `${p}-api-activity`, (r) => rows(r, COLUMNS.apiActivity));
      add('sourceIps', `${p}-source-ips`, (r) => rows(r, COLUMNS.sourceIps));
      add('principalsCreated', `${p}-principals-created`, (r) => rows(r, COLUMNS.principalsCreated));
      add('sessionsMinted', `${p}-sessions-minted`, (r) => rows(r, COLUMNS.sessionsMinted));
      add('resourceActivity', `${p}-resource-activity`, (r) => rows(r, COLUMNS.resourceActivity));
      add('changeDetails', `${p}-change-details`, (r) => rows(r, COLUMNS.changeDetails));
      add('deniedCalls', `${p}-denied-calls`, (r) => rows(r, COLUMNS.deniedCalls));
      if (node.kind === 'user')
        add('consoleLogins', 'user-console-logins', (r) => rows(r, COLUMNS.consoleLogins));
    }
    await settleAll(jobs);
    return out;
  }

  private async runQuery(
    queryId: string,
    params: Record<string, string>,
    what: string,
  ): Promise<QueryResult> {
    const values = { ...params, from: this.window.from, to: this.window.to };
    return this.limiter.run(async () => {
      const result = await this.engine.run(getQuery(queryId), values, {
        signal: this.options.signal,
        onProgress: (event) => this.options.onProgress?.({ kind: 'engine', event }),
      });
      this.queries.push({
        queryId,
        params: values,
        rows: result.rows.length,
        elapsedMs: result.stats.elapsedMs,
      });
      for (const warning of result.warnings)
        if (!this.warnings.includes(warning)) this.warnings.push(warning);
      this.options.onProgress?.({
        kind: 'query',
        queryId,
        label: what,
        rows: result.rows.length,
        elapsedMs: result.stats.elapsedMs,
        ...(result.stats.loadMs !== undefined ? { loadMs: result.stats.loadMs } : {}),
      });
      return result;
    });
  }

  private principal(
    kind: PrincipalKind,
    account: string | null,
    name: string,
    arn: string | null,
    depth: number,
  ): PrincipalState {
    const id = principalId(kind, account, name);
    let p = this.principals.get(id);
    if (!p) {
      p = new PrincipalState(kind, account, name, arn, depth);
      this.principals.set(id, p);
    } else {
      if (!p.arn && arn) p.arn = arn;
      p.depth = Math.min(p.depth, depth);
    }
    return p;
  }

  /** The principal a node's activity belongs to: assigned when the node was found, or read from the logs. */
  private ownerOf(node: Node, r: NodeResults): PrincipalState | undefined {
    if (node.principalId) return this.principals.get(node.principalId);
    const row = r.firstLastSeen[0];
    if (!row) return undefined;
    const identity = nameIdentity(row);
    const p = this.principal(identity.kind, identity.account, identity.name, identity.arn, node.depth);
    if (identity.session) p.sessions.add(identity.session);
    node.principalId = p.id;
    return p;
  }

  /** Folds a node's rows into the state; returns the threads it opens. */
  private absorb(node: Node, r: NodeResults): Candidate[] {
    // Only the subject can have no owner: it was not used in the window.
    const owner = this.ownerOf(node, r);
    if (!owner) return [];
    if (node.depth === 0 && !this.subjectPrincipal) {
      this.subjectPrincipal = owner;
      owner.reach({ how: this.subject.kind === 'accessKey' ? 'exposed key' : 'subject' });
      if (this.subject.kind === 'accessKey') owner.key(this.subject.accessKeyId, 'subject');
    }
    owner.actor = true;
    owner.nodes.push(node);
    const account = owner.account;
    const via = node.kind === 'key' ? node.value : undefined;
    const next = node.depth + 1;
    const out: Candidate[] = [];

    for (const row of r.firstLastSeen) {
      if (!row.access_key_id) continue;
      const key = owner.key(row.access_key_id, 'observed');
      observe(key, row.first_seen, row.last_seen, count(row.events));
    }

    for (const row of r.principalsCreated) {
      if (row.errorcode || !row.principal_name || !row.eventname) continue;
      const event = eventRef(row.eventname, row.eventtime, row.eventid, row.awsregion);
      const reach = { from: owner.name, ...(via ? { viaAccessKeyId: via } : {}), event };
      const name = row.principal_name;
      const parsed = parseIdentityArn(row.principal_arn);
      const acct = parsed?.account ?? account;
      switch (row.eventname) {
        case 'CreateUser': {
          const user = this.principal(
            'IAMUser',
            acct,
            name,
            row.principal_arn ?? arnOf('IAMUser', acct, name),
            next,
          );
          user.actor = true;
          user.reach({ how: 'CreateUser', ...reach });
          out.push({ kind: 'user', value: user.name, depth: next, principal: user });
          break;
        }
        case 'CreateRole': {
          const role = this.principal(
            'Role',
            acct,
            name,
            row.principal_arn ?? arnOf('Role', acct, name),
            next,
          );
          role.actor = true;
          role.reach({ how: 'CreateRole', ...reach });
          out.push({ kind: 'role', value: role.name, depth: next, principal: role });
          break;
        }
        case 'CreateAccessKey': {
          if (!row.access_key_id) break;
          const user = this.principal('IAMUser', acct, name, arnOf('IAMUser', acct, name), next);
          user.actor = true;
          user.reach({ how: 'CreateAccessKey', ...reach });
          user.key(row.access_key_id, 'CreateAccessKey', { mintedBy: via ?? owner.name, event });
          out.push({
            kind: 'key',
            value: row.access_key_id,
            depth: next,
            principal: user,
            coveredByUser: true,
          });
          break;
        }
        case 'CreateLoginProfile':
        case 'UpdateLoginProfile': {
          const user = this.principal('IAMUser', acct, name, arnOf('IAMUser', acct, name), next);
          user.actor = true;
          user.reach({ how: row.eventname, ...reach });
          out.push({ kind: 'console', value: user.name, depth: next, principal: user });
          break;
        }
        default: {
          const policy = row.policy_or_group;
          const isRole = row.principal_type === 'role';
          const target = this.principal(
            isRole ? 'Role' : 'IAMUser',
            acct,
            name,
            arnOf(isRole ? 'Role' : 'IAMUser', acct, name),
            next,
          );
          if (policy) target.policies.push({ eventName: row.eventname, policy, by: owner.name, event });
          if (
            isRole &&
            ['AttachRolePolicy', 'PutRolePolicy', 'UpdateAssumeRolePolicy'].includes(row.eventname)
          ) {
            target.reach({ how: row.eventname as 'AttachRolePolicy', ...reach });
          }
        }
      }
    }

    for (const row of r.sessionsMinted) {
      if (row.errorcode || !row.session_key_id || !row.eventname) continue;
      const event = eventRef(row.eventname, row.eventtime, row.eventid, row.awsregion, row.sourceipaddress);
      const minted = { mintedBy: via ?? owner.name, event };
      if (row.eventname === 'AssumeRole') {
        const parsed = parseIdentityArn(row.role_arn);
        if (!parsed || parsed.kind !== 'Role') continue;
        const role = this.principal('Role', parsed.account, parsed.name, parsed.arn, next);
        role.actor = true;
        if (row.session_name) role.sessions.add(row.session_name);
        role.reach({ how: 'AssumeRole', from: owner.name, ...(via ? { viaAccessKeyId: via } : {}), event });
        role.key(row.session_key_id, 'AssumeRole', minted);
        out.push({ kind: 'key', value: row.session_key_id, depth: next, principal: role });
      } else if (row.eventname === 'GetFederationToken') {
        // A federated user is a principal of its own, named in the response (or the request).
        const parsed = parseIdentityArn(row.session_arn);
        const name = parsed?.kind === 'FederatedUser' ? parsed.name : row.session_name;
        if (!name) continue;
        const federated = this.principal(
          'FederatedUser',
          parsed?.account ?? account,
          name,
          parsed?.arn ?? null,
          next,
        );
        federated.actor = true;
        federated.sessions.add(name);
        federated.reach({
          how: 'GetFederationToken',
          from: owner.name,
          ...(via ? { viaAccessKeyId: via } : {}),
          event,
        });
        federated.key(row.session_key_id, 'GetFederationToken', minted);
        out.push({ kind: 'key', value: row.session_key_id, depth: next, principal: federated });
      } else {
        owner.key(row.session_key_id, 'GetSessionToken', minted);
        // A GetSessionToken session acts under the user's name: the user's node covers it.
        out.push({
          kind: 'key',
          value: row.session_key_id,
          depth: next,
          principal: owner,
          coveredByUser: owner.kind === 'IAMUser',
        });
      }
    }

    for (const row of r.roleSessions) {
      const session = parseIdentityArn(row.identity_arn)?.session;
      if (session) owner.sessions.add(session);
      if (!row.access_key_id) continue;
      const key = owner.key(row.access_key_id, 'observed');
      observe(key, row.first_seen, row.last_seen, count(row.events));
      out.push({ kind: 'key', value: row.access_key_id, depth: next, principal: owner });
    }

    for (const row of r.changeDetails) {
      if (row.errorcode || row.eventname !== 'DeleteAccessKey') continue;
      const id = /"accessKeyId"\s*:\s*"([A-Z0-9]+)"/.exec(row.requestparameters ?? '')?.[1];
      if (id) this.deletedKeys.set(id, eventRef(row.eventname, row.eventtime, row.eventid, row.awsregion));
    }
    return out;
  }

  /** Turns the threads a level opened into the next level's nodes: each once, within the depth limit. */
  private schedule(candidates: readonly Candidate[]): Node[] {
    const next: Node[] = [];
    const order: Record<NodeKind, number> = { user: 0, role: 1, key: 2, console: 3 };
    const sorted = [...candidates].sort((a, b) => order[a.kind] - order[b.kind]);
    for (const c of sorted) {
      const id = nodeId(c.kind, c.value);
      if (this.nodes.has(id)) continue;
      const userCovers =
        c.principal.hasNode('user') ||
        next.some((n) => n.kind === 'user' && n.principalId === c.principal.id) ||
        this.beyondDepth.has(nodeId('user', c.principal.name));
      if ((c.kind === 'console' || (c.kind === 'key' && c.coveredByUser)) && userCovers) continue;
      if (c.depth > this.depthLimit) {
        if (!this.beyondDepth.has(id)) {
          this.beyondDepth.add(id);
          const what = describeCandidate(c);
          c.principal.note(`not followed: ${what} is beyond the depth limit (--depth ${this.depthLimit})`);
          this.warnings.push(
            `depth limit ${this.depthLimit} reached: ${what} was not investigated; rerun with a larger --depth`,
          );
        }
        continue;
      }
      const node: Node = { id, kind: c.kind, value: c.value, depth: c.depth, principalId: c.principal.id };
      this.nodes.set(id, node);
      next.push(node);
    }
    return next;
  }

  /** Who else acted from the actor's addresses, and their VPC Flow Logs traffic. */
  private async ipPhase(): Promise<IpPhase> {
    const addresses = new Set<string>();
    for (const [id, r] of this.results) {
      const node = this.nodes.get(id);
      const owner = node?.principalId ? this.principals.get(node.principalId) : undefined;
      if (!owner?.actor) continue;
      for (const row of r.sourceIps)
        if (row.sourceipaddress && isIP(row.sourceipaddress)) addresses.add(row.sourceipaddress);
      for (const row of r.consoleLogins)
        if (row.sourceipaddress && isIP(row.sourceipaddress)) addresses.add(row.sourceipaddress);
    }
    const list = [...addresses];
    if (list.length === 0) return { addresses: list, activity: [], network: [] };
    const param = { sourceIps: list.join(',') };
    const [activity, network] = await Promise.all([
      this.runQuery('ip-activity', param, 'the actor’s IP addresses').then((r) =>
        rows(r, COLUMNS.ipActivity),
      ),
      this.runQuery('ip-network-activity', param, 'the actor’s IP addresses').then((r) =>
        rows(r, COLUMNS.ipNetworkActivity),
      ),
    ]);
    return { addresses: list, activity, network };
  }

  /**
   * Role sessions of instance credentials the actor stole: used from one of its addresses,
   * named after an instance it acted on (SendCommand, RunInstances, ...) or delivered by EC2
   * to an instance (`ec2RoleDelivery`). Each becomes a key node of the actor's.
   */
  private stolenSessions(phase: IpPhase): Candidate[] {
    const instances = new Map<string, { event: EventRef; by: PrincipalState; depth: number }>();
    for (const [id, r] of this.results) {
      const node = this.nodes.get(id);
      const owner = node?.principalId ? this.principals.get(node.principalId) : undefined;
      if (!node || !owner?.actor) continue;
      for (const row of r.changeDetails) {
        if (row.errorcode || !row.eventname || !row.eventsource || awsCaller(row)) continue;
        const refs = describeResources({
          eventSource: row.eventsource,
          eventName: row.eventname,
          request: parseJsonCell(row.requestparameters),
          response: parseJsonCell(row.responseelements),
          region: row.awsregion ?? '',
          account: row.recipientaccountid,
        });
        for (const ref of refs) {
          if (ref.type !== 'AWS::EC2::Instance' || !ref.name || instances.has(ref.name)) continue;
          const event = eventRef(
            row.eventname,
            row.eventtime,
            row.eventid,
            row.awsregion,
            row.sourceipaddress,
          );
          instances.set(ref.name, { event, by: owner, depth: node.depth + 1 });
        }
      }
    }
    const out: Candidate[] = [];
    for (const row of phase.activity) {
      const key = row.access_key_id;
      const identity = nameIdentity(row);
      const session = identity.session;
      if (!key || identity.kind !== 'Role' || !session || this.nodes.has(nodeId('key', key))) continue;
      const instance = instances.get(session);
      if (!instance && !row.role_delivery) continue;
      const used = `session ${session} of role ${identity.name} (key ${key}) used from the actor’s address ${row.sourceipaddress ?? '?'} from ${row.first_seen ?? '?'}`;
      const why = instance
        ? `named after instance ${session}, on which ${instance.by.name} called ${instance.event.eventName}`
        : `EC2 delivered it to an instance (ec2RoleDelivery ${row.role_delivery})`;
      const depth = instance?.depth ?? (this.subjectPrincipal?.depth ?? 0) + 1;
      const role = this.principal('Role', identity.account, identity.name, identity.arn, depth);
      role.actor = true;
      role.sessions.add(session);
      const firstUse = eventRef(row.eventname ?? '', row.first_seen, null, null, row.sourceipaddress);
      role.reach({
        how: 'instance credentials',
        ...(instance ? { from: instance.by.name } : {}),
        event: instance?.event ?? firstUse,
        detail: `stolen instance credentials: ${used}; ${why}`,
      });
      role.key(key, 'instance credentials', { mintedBy: `instance ${session}`, event: firstUse });
      out.push({ kind: 'key', value: key, depth, principal: role });
    }
    return out;
  }

  /** Policies attached to or put on the actor's IAM users by anyone: AWS's quarantine shows here. */
  private async policyPhase(): Promise<PolicyPhase[]> {
    const users = [...this.principals.values()].filter(
      (p) => p.actor && p.kind === 'IAMUser' && p.depth <= this.depthLimit,
    );
    return settleAll(
      users.map((p) =>
        this.runQuery('user-policy-changes', { userName: p.name }, `policies put on ${p.name}`).then((r) => ({
          principal: p,
          rows: rows(r, COLUMNS.policyChanges),
        })),
      ),
    );
  }
}

function arnOf(kind: 'IAMUser' | 'Role', account: string | null, name: string): string | null {
  return account ? principalArn(kind, account, name) : null;
}

export function eventRef(
  eventName: string,
  eventTime: string | null,
  eventId: string | null,
  region?: string | null,
  sourceIp?: string | null,
): EventRef {
  return {
    eventName,
    eventTime: eventTime ?? '',
    eventId,
    ...(region ? { region } : {}),
    ...(sourceIp ? { sourceIp } : {}),
  };
}

function label(node: Node): string {
  switch (node.kind) {
    case 'key':
      return node.value;
    case 'user':
      return `user ${node.value}`;
    case 'role':
      return `sessions of role ${node.value}`;
    case 'console':
      return `console sign-ins of ${node.value}`;
  }
}

function describeCandidate(c: Candidate): string {
  if (c.kind === 'key') return `access key ${c.value} of ${c.principal.name}`;
  return label({ id: '', kind: c.kind, value: c.value, depth: c.depth });
}

/** Waits for every job, then fails with the first failure: no query is left running behind an error. */
async function settleAll<T>(jobs: readonly Promise<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(jobs);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}

/** Runs at most `size` tasks at once, in submission order. */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
