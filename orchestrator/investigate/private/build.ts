import { isIP } from 'node:net';

import { PLAYBOOK_PROTECTION } from '../../../lib/protection';
import { EngineKind } from '../../engines/engine';
import { buildPlans } from '../containment';
import { protectedReason } from '../protection';
import { answerImpact } from '../impact';
import type { InvestigateOptions } from '../investigate';
import {
  ApiCallSummary,
  AwsAction,
  ConsoleLogin,
  Counted,
  DeniedCall,
  EventRef,
  INVESTIGATION_FORMAT_VERSION,
  InvestigationResult,
  InvestigationSubject,
  InvestigationSummary,
  InvestigationWindow,
  Network,
  OtherIdentityActivity,
  Principal,
  QueryRun,
  Resource,
  ResourceAction,
  SourceIp,
  TimelineEntry,
} from '../types';
import { parseIdentityArn, principalId } from './arn';
import { awsCaller, isQuarantinePolicy, nameIdentity, NO_IDENTITY } from './identity';
import {
  ResourceRef,
  classifyAction,
  describeResources,
  isCredentialEvent,
  parseJsonCell,
  serviceType,
} from './resources';
import { bool, count } from './rows';
import { IpPhase, Node, NodeResults, PolicyPhase, PrincipalState, keyInfo, observe } from './state';

export interface BuildInput {
  readonly subject: InvestigationSubject;
  readonly window: InvestigationWindow;
  readonly engine: EngineKind;
  readonly depthLimit: number;
  readonly options: InvestigateOptions;
  readonly subjectPrincipal?: PrincipalState;
  readonly principals: readonly PrincipalState[];
  readonly results: ReadonlyMap<string, NodeResults>;
  readonly deletedKeys: ReadonlyMap<string, EventRef>;
  readonly ipPhase?: IpPhase;
  readonly policyPhase: readonly PolicyPhase[];
  readonly queries: readonly QueryRun[];
  readonly warnings: readonly string[];
}

export const DEFAULT_MAX_TIMELINE = 10_000;

/** A node's results with the principal and key they belong to. */
interface Attributed {
  readonly principal: PrincipalState;
  readonly node: Node;
  readonly results: NodeResults;
}

/**
 * The nodes whose rows count for a principal: a user node covers everything the user did,
 * so the user's key nodes are left out of its totals (they would count the same calls twice).
 */
function attributed(input: BuildInput): Attributed[] {
  const out: Attributed[] = [];
  for (const p of input.principals) {
    const hasUser = p.hasNode('user');
    for (const node of p.nodes) {
      const results = input.results.get(node.id);
      if (!results || (hasUser && node.kind === 'key')) continue;
      out.push({ principal: p, node, results });
    }
  }
  return out;
}

function sumBy<T>(
  items: readonly T[],
  key: (t: T) => string,
  n: (t: T) => number,
): Map<string, { item: T; count: number }> {
  const map = new Map<string, { item: T; count: number }>();
  for (const item of items) {
    const k = key(item);
    const seen = map.get(k);
    if (seen) seen.count += n(item);
    else map.set(k, { item, count: n(item) });
  }
  return map;
}

const byCountThenValue = (a: Counted, b: Counted) => b.count - a.count || a.value.localeCompare(b.value);

function principalOut(p: PrincipalState, parts: readonly Attributed[], input: BuildInput): Principal {
  const mine = parts.filter((a) => a.principal === p);
  const apiRows = mine.flatMap((a) => a.results.apiActivity);
  const apiCalls: ApiCallSummary[] = [
    ...sumBy(
      apiRows,
      (r) => JSON.stringify([r.awsregion, r.eventsource, r.eventname, r.readonly, r.errorcode]),
      (r) => count(r.count),
    ).values(),
  ]
    .map(({ item: r, count: n }) => ({
      region: r.awsregion ?? '',
      eventSource: r.eventsource ?? '',
      eventName: r.eventname ?? '',
      readOnly: bool(r.readonly),
      errorCode: r.errorcode,
      errorMessage: r.errormessage,
      count: n,
    }))
    .sort((a, b) => b.count - a.count || a.eventName.localeCompare(b.eventName));
  // A service calling with the principal's credentials is AWS's: not among its addresses or agents.
  const ipRows = mine
    .flatMap((a) => a.results.sourceIps)
    .filter(
      (r) => !awsCaller({ invoked_by: null, sourceipaddress: r.sourceipaddress, useragent: r.useragent }),
    );
  const counted = (pick: (r: (typeof ipRows)[number]) => string | null): Counted[] =>
    [
      ...sumBy(
        ipRows.filter((r) => pick(r) !== null),
        (r) => pick(r) as string,
        (r) => count(r.count),
      ).entries(),
    ]
      .map(([value, { count: n }]) => ({ value, count: n }))
      .sort(byCountThenValue);
  const denied = new Map<string, { -readonly [K in keyof DeniedCall]: DeniedCall[K] }>();
  for (const r of mine.flatMap((a) => a.results.deniedCalls)) {
    const id = JSON.stringify([r.awsregion, r.eventsource, r.eventname, r.errorcode]);
    const seen = denied.get(id);
    if (!seen) {
      denied.set(id, {
        region: r.awsregion ?? '',
        eventSource: r.eventsource ?? '',
        eventName: r.eventname ?? '',
        errorCode: r.errorcode ?? '',
        errorMessage: r.errormessage,
        count: count(r.count),
        firstSeen: r.first_seen ?? '',
        lastSeen: r.last_seen ?? '',
      });
      continue;
    }
    seen.count += count(r.count);
    seen.errorMessage = seen.errorMessage ?? r.errormessage;
    if (r.first_seen && (!seen.firstSeen || r.first_seen < seen.firstSeen)) seen.firstSeen = r.first_seen;
    if (r.last_seen && r.last_seen > seen.lastSeen) seen.lastSeen = r.last_seen;
  }
  const logins = new Map<string, ConsoleLogin>();
  for (const r of mine.flatMap((a) => a.results.consoleLogins)) {
    logins.set(r.eventid ?? `${r.eventtime}`, {
      eventTime: r.eventtime ?? '',
      region: r.awsregion ?? '',
      sourceIp: r.sourceipaddress,
      userAgent: r.useragent,
      result: r.login_result,
      mfaUsed: r.mfa_used,
      errorMessage: r.errormessage,
      eventId: r.eventid,
    });
  }
  const fls = mine.flatMap((a) => a.results.firstLastSeen);
  const firsts = fls.map((r) => r.first_seen).filter((t): t is string => !!t);
  const lasts = fls.map((r) => r.last_seen).filter((t): t is string => !!t);
  for (const [id, key] of p.keys) {
    const deleted = input.deletedKeys.get(id);
    if (deleted) key.deleted = deleted;
  }
  const notes = notesOf(p, input);
  const investigated = p.nodes.some((n) => n.kind === 'key' || n.kind === 'user');
  // A principal only seen from the actor's addresses: what it did from them.
  const seen = investigated ? undefined : p.seenFromActorIps;
  const protection =
    p.kind === 'IAMUser' || p.kind === 'Role'
      ? protectedReason(
          input.options.protection ?? PLAYBOOK_PROTECTION,
          p.kind === 'IAMUser' ? 'user' : 'role',
          p.name,
          p.arn,
        )
      : undefined;
  return {
    id: p.id,
    kind: p.kind,
    name: p.name,
    account: p.account,
    arn: p.arn,
    reached: p.reached,
    sessionNames: [...p.sessions].sort(),
    depth: p.depth,
    actor: p.actor,
    investigated,
    ...(protection ? { protected: protection } : {}),
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    accessKeys: [...p.keys.values()].map(keyInfo),
    firstSeen: seen ? seen.firstSeen : firsts.length > 0 ? firsts.reduce((a, b) => (a < b ? a : b)) : null,
    lastSeen: seen ? seen.lastSeen : lasts.length > 0 ? lasts.reduce((a, b) => (a > b ? a : b)) : null,
    events: seen ? seen.events : fls.reduce((n, r) => n + count(r.events), 0),
    sourceIps: counted((r) => r.sourceipaddress),
    userAgents: counted((r) => r.useragent),
    apiCalls,
    deniedCalls: [...denied.values()].sort(
      (a, b) =>
        b.count - a.count || a.firstSeen.localeCompare(b.firstSeen) || a.eventName.localeCompare(b.eventName),
    ),
    consoleLogins: [...logins.values()].sort((a, b) => a.eventTime.localeCompare(b.eventTime)),
    policies: p.policies,
  };
}

/** Why a principal was investigated only in part, or not at all. */
function notesOf(p: PrincipalState, input: BuildInput): string[] {
  const notes = [...p.notes];
  const kinds = new Set(p.nodes.map((n) => n.kind));
  const hows = new Set(p.reached.map((r) => r.how));
  if (!p.actor && hows.has('source IP')) {
    notes.push('acted from an address the actor used, but no key links it to the actor: review it');
  } else if (!p.actor) {
    notes.push('changed by the actor; its own activity is not attributed to the actor');
  } else if (kinds.has('user')) {
    // Everything it did is the actor's: nothing to add.
  } else if (p.kind === 'Role') {
    notes.push('only the sessions the actor minted or used are attributed to the actor');
  } else if (kinds.has('key')) {
    notes.push(
      p === input.subjectPrincipal
        ? 'only the exposed key’s activity and the sessions it minted are attributed to the actor'
        : 'only the access keys the actor created or used are attributed to the actor',
    );
  } else if (kinds.has('console')) {
    notes.push('the actor set its console password: only its console sign-ins were queried');
  }
  return notes;
}

function probeRef(eventSource: string, name: string | null, objectKey: string | null): ResourceRef {
  const service = eventSource.split('.')[0];
  if (service === 's3' && name) {
    return objectKey
      ? { type: 'AWS::S3::Object', name: `${name}/${objectKey}` }
      : { type: 'AWS::S3::Bucket', name };
  }
  const types: Record<string, string> = {
    secretsmanager: 'AWS::SecretsManager::Secret',
    lambda: 'AWS::Lambda::Function',
    kms: 'AWS::KMS::Key',
    logs: 'AWS::Logs::LogGroup',
    ssm: 'AWS::SSM::Parameter',
    dynamodb: 'AWS::DynamoDB::Table',
  };
  return { type: name && types[service] ? types[service] : serviceType(eventSource), name };
}

function resourcesOf(parts: readonly Attributed[]): {
  resources: Resource[];
  refsByEvent: Map<string, ResourceRef[]>;
  onBehalf: AwsAction[];
} {
  const seen = new Set<string>();
  const resources: Resource[] = [];
  const onBehalf: AwsAction[] = [];
  const refsByEvent = new Map<string, ResourceRef[]>();
  for (const { principal: p, results } of parts) {
    if (!p.actor) continue;
    for (const r of results.changeDetails) {
      const id = r.eventid ?? `${r.eventtime}/${r.eventname}/${p.id}`;
      if (seen.has(id) || !r.eventname || !r.eventsource) continue;
      seen.add(id);
      const request = parseJsonCell(r.requestparameters);
      const refs = describeResources({
        eventSource: r.eventsource,
        eventName: r.eventname,
        request,
        response: parseJsonCell(r.responseelements),
        region: r.awsregion ?? '',
        account: r.recipientaccountid ?? p.account,
      });
      refsByEvent.set(id, refs);
      if (r.errorcode) continue;
      const e = {
        eventName: r.eventname,
        eventSource: r.eventsource,
        eventTime: r.eventtime ?? '',
        eventId: r.eventid,
        region: r.awsregion ?? '',
        account: r.recipientaccountid ?? p.account,
        sourceIp: r.sourceipaddress,
      };
      const policy = quarantinePolicyOf(r.eventname, request);
      const aws = awsCaller(r) ?? (policy ? 'AWS' : undefined);
      if (aws) {
        onBehalf.push({
          kind: policy ? 'quarantine' : 'on behalf',
          by: aws,
          principal: p.name,
          principalId: p.id,
          accessKeyId: r.access_key_id,
          ...(policy ? { policy } : {}),
          resource: refs.map((ref) => ref.name).find((n): n is string => !!n) ?? null,
          ...e,
          userAgent: r.useragent,
        });
        continue;
      }
      for (const ref of refs) {
        const action = classifyAction(r.eventname, ref.type);
        if (!action || action === 'probed') continue;
        resources.push(resource(p, r.access_key_id, ref, action, e));
      }
    }
    for (const r of results.resourceActivity) {
      const id = r.eventid ?? `${r.eventtime}/${r.eventname}/${p.id}`;
      if (r.action !== 'probed' || r.errorcode || !r.eventname || !r.eventsource || seen.has(id)) continue;
      // Minting credentials is not probing; a service reading for the principal is AWS's.
      if (isCredentialEvent(r.eventname) || awsCaller(r)) continue;
      seen.add(id);
      const ref = probeRef(r.eventsource, r.resource_name, r.object_key);
      refsByEvent.set(id, [ref]);
      resources.push(
        resource(p, r.access_key_id, ref, 'probed', {
          eventName: r.eventname,
          eventSource: r.eventsource,
          eventTime: r.eventtime ?? '',
          eventId: r.eventid,
          region: r.awsregion ?? '',
          account: p.account,
          sourceIp: r.sourceipaddress,
        }),
      );
    }
  }
  const byTime = (a: { eventTime: string; eventId: string | null }, b: typeof a) =>
    a.eventTime.localeCompare(b.eventTime) || (a.eventId ?? '').localeCompare(b.eventId ?? '');
  resources.sort(byTime);
  onBehalf.sort(byTime);
  // What the actor created in the window did not exist before; anything else it changed did.
  const created = new Set(resources.filter((r) => r.action === 'created').map((r) => `${r.type}/${r.name}`));
  return {
    resources: resources.map((r) => ({
      ...r,
      preExisting: (r.action === 'modified' || r.action === 'deleted') && !created.has(`${r.type}/${r.name}`),
    })),
    refsByEvent,
    onBehalf,
  };
}

/** The quarantine policy an AttachUserPolicy or PutUserPolicy call attached or put, if it was one. */
function quarantinePolicyOf(
  eventName: string,
  request: ReturnType<typeof parseJsonCell>,
): string | undefined {
  if (eventName !== 'AttachUserPolicy' && eventName !== 'PutUserPolicy') return undefined;
  if (request === null || typeof request !== 'object' || Array.isArray(request)) return undefined;
  const policy = request.policyArn ?? request.policyName;
  return typeof policy === 'string' && isQuarantinePolicy(policy) ? policy : undefined;
}

/** AWS's quarantine of the actor's users, whoever CloudTrail recorded as making the call. */
function quarantinesOf(phase: readonly PolicyPhase[]): AwsAction[] {
  const out: AwsAction[] = [];
  for (const { principal: p, rows } of phase) {
    for (const r of rows) {
      if (r.errorcode || !r.eventname || !isQuarantinePolicy(r.policy)) continue;
      out.push({
        kind: 'quarantine',
        by:
          awsCaller(r) ??
          r.identity_arn ??
          nameIdentity({ ...NO_IDENTITY, identity_type: r.identity_type }).name,
        principal: p.name,
        principalId: p.id,
        accessKeyId: null,
        policy: r.policy ?? '',
        resource: p.name,
        eventName: r.eventname,
        eventSource: 'iam.amazonaws.com',
        eventTime: r.eventtime ?? '',
        eventId: r.eventid,
        region: r.awsregion ?? '',
        sourceIp: r.sourceipaddress,
        userAgent: r.useragent,
      });
    }
  }
  return out;
}

function resource(
  p: PrincipalState,
  accessKeyId: string | null,
  ref: ResourceRef,
  action: ResourceAction,
  e: {
    eventName: string;
    eventSource: string;
    eventTime: string;
    eventId: string | null;
    region: string;
    account: string | null;
    sourceIp: string | null;
  },
): Resource {
  return {
    type: ref.type,
    name: ref.name,
    arn: ref.arn ?? null,
    account: e.account,
    region: e.region,
    action,
    by: p.name,
    byPrincipal: p.id,
    accessKeyId,
    eventName: e.eventName,
    eventSource: e.eventSource,
    eventTime: e.eventTime,
    eventId: e.eventId,
    sourceIp: e.sourceIp,
    preExisting: false,
    ...(ref.detail ? { detail: ref.detail } : {}),
  };
}

function timelineOf(
  parts: readonly Attributed[],
  refsByEvent: ReadonlyMap<string, ResourceRef[]>,
  max: number,
  warnings: string[],
): TimelineEntry[] {
  const seen = new Set<string>();
  const entries: TimelineEntry[] = [];
  for (const { principal: p, results } of parts) {
    if (!p.actor) continue;
    for (const r of results.resourceActivity) {
      const id = r.eventid ?? `${r.eventtime}/${r.eventname}/${p.id}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const refs = refsByEvent.get(id);
      const named = refs?.map((ref) => ref.name).filter((n): n is string => !!n) ?? [];
      const fallback = r.resource_name
        ? r.object_key
          ? `${r.resource_name}/${r.object_key}`
          : r.resource_name
        : null;
      const aws = awsCaller(r);
      const eventName = r.eventname ?? '';
      entries.push({
        eventTime: r.eventtime ?? '',
        eventName,
        eventSource: r.eventsource ?? '',
        region: r.awsregion ?? '',
        principal: p.name,
        principalId: p.id,
        accessKeyId: r.access_key_id,
        action: isCredentialEvent(eventName)
          ? 'credentials'
          : ((refs ? classifyAction(eventName, refs[0]?.type) : undefined) ?? r.action ?? 'other'),
        resource: named.length > 0 ? named.join(', ') : fallback,
        errorCode: r.errorcode,
        eventId: r.eventid,
        ...(aws ? { aws } : {}),
      });
    }
  }
  entries.sort(
    (a, b) => a.eventTime.localeCompare(b.eventTime) || (a.eventId ?? '').localeCompare(b.eventId ?? ''),
  );
  if (entries.length > max) {
    warnings.push(
      `the timeline holds the first ${max} of ${entries.length} calls; the JSON queries list has them all`,
    );
    return entries.slice(0, max);
  }
  return entries;
}

/** Principals of identities seen acting from the actor's addresses, created here if new. */
function sourceIpsOf(
  parts: readonly Attributed[],
  input: BuildInput,
  principals: Map<string, PrincipalState>,
): SourceIp[] {
  const actorKeys = new Set(input.principals.filter((p) => p.actor).flatMap((p) => [...p.keys.keys()]));
  const userNodes = new Set(
    input.principals
      .filter((p) => p.actor && p.hasNode('user'))
      .map((p) => `${p.account}/${p.name.toLowerCase()}`),
  );
  const byAddress = new Map<
    string,
    {
      events: number;
      principals: Set<string>;
      agents: Set<string>;
      first: string | null;
      last: string | null;
      others: OtherIdentityActivity[];
    }
  >();
  const entry = (address: string) => {
    let e = byAddress.get(address);
    if (!e) {
      e = { events: 0, principals: new Set(), agents: new Set(), first: null, last: null, others: [] };
      byAddress.set(address, e);
    }
    return e;
  };
  for (const { principal: p, results } of parts) {
    if (!p.actor) continue;
    for (const r of results.sourceIps) {
      if (!r.sourceipaddress) continue;
      if (awsCaller({ invoked_by: null, sourceipaddress: r.sourceipaddress, useragent: r.useragent }))
        continue;
      const e = entry(r.sourceipaddress);
      e.events += count(r.count);
      e.principals.add(p.name);
      if (r.useragent) e.agents.add(r.useragent);
    }
  }
  for (const r of input.ipPhase?.activity ?? []) {
    if (!r.sourceipaddress) continue;
    const e = entry(r.sourceipaddress);
    const parsed = parseIdentityArn(r.identity_arn);
    const mine =
      (r.access_key_id !== null && actorKeys.has(r.access_key_id)) ||
      (r.identity_type === 'IAMUser' &&
        r.user_name !== null &&
        parsed !== undefined &&
        userNodes.has(`${parsed.account}/${r.user_name.toLowerCase()}`));
    if (mine) {
      if (r.first_seen && (!e.first || r.first_seen < e.first)) e.first = r.first_seen;
      if (r.last_seen && (!e.last || r.last_seen > e.last)) e.last = r.last_seen;
      continue;
    }
    const identity = nameIdentity(r);
    e.others.push({
      identity: identity.name,
      identityType: r.identity_type,
      identityArn: r.identity_arn,
      userName: r.user_name,
      accessKeyId: r.access_key_id,
      eventSource: r.eventsource ?? '',
      eventName: r.eventname ?? '',
      errorCode: r.errorcode,
      count: count(r.count),
      firstSeen: r.first_seen ?? '',
      lastSeen: r.last_seen ?? '',
    });
    // Principals a plan could name (or must exclude by name); AWS services and accounts are only listed.
    if (!['IAMUser', 'Role', 'Root'].includes(identity.kind) || identity.account === null) continue;
    const id = principalId(identity.kind, identity.account, identity.name);
    let other = principals.get(id);
    if (!other) {
      other = new PrincipalState(
        identity.kind,
        identity.account,
        identity.name,
        identity.arn,
        input.depthLimit + 1,
      );
      principals.set(id, other);
    }
    if (identity.session) other.sessions.add(identity.session);
    other.reach({
      how: 'source IP',
      from: r.sourceipaddress,
      event: {
        eventName: r.eventname ?? '',
        eventTime: r.first_seen ?? '',
        eventId: null,
        sourceIp: r.sourceipaddress,
      },
    });
    if (!other.actor) {
      const seenFrom = other.seenFromActorIps;
      seenFrom.events += count(r.count);
      if (r.first_seen && (!seenFrom.firstSeen || r.first_seen < seenFrom.firstSeen))
        seenFrom.firstSeen = r.first_seen;
      if (r.last_seen && (!seenFrom.lastSeen || r.last_seen > seenFrom.lastSeen))
        seenFrom.lastSeen = r.last_seen;
    }
    if (r.access_key_id) {
      const key = other.key(r.access_key_id, 'observed');
      observe(key, r.first_seen, r.last_seen, 0);
      key.events += count(r.count);
    }
  }
  return [...byAddress.entries()]
    .map(([address, e]) => ({
      address,
      isIp: isIP(address) !== 0,
      events: e.events,
      principals: [...e.principals],
      userAgents: [...e.agents],
      firstSeen: e.first,
      lastSeen: e.last,
      others: e.others,
    }))
    .sort((a, b) => b.events - a.events || a.address.localeCompare(b.address));
}

function iso(epochSeconds: string | null): string | null {
  if (epochSeconds === null) return null;
  const n = Number(epochSeconds);
  return Number.isFinite(n) ? new Date(n * 1000).toISOString().replace('.000Z', 'Z') : null;
}

function networkOf(input: BuildInput): Network {
  const addresses = input.ipPhase?.addresses ?? [];
  const flows = (input.ipPhase?.network ?? []).map((r) => ({
    sourceAddress: r.sourceaddress ?? '',
    destinationAddress: r.destinationaddress ?? '',
    destinationPort: r.destinationport === null ? null : count(r.destinationport),
    protocol: r.protocol === null ? null : count(r.protocol),
    action: r.action,
    records: count(r.count),
    bytes: count(r.bytes),
    firstStart: iso(r.first_start),
    lastEnd: iso(r.last_end),
  }));
  const noFlowFiles = input.warnings.find((w) => w.includes('no VPC Flow Logs'));
  const note =
    addresses.length === 0
      ? 'the actor used no IP address that VPC Flow Logs could show (only AWS service names)'
      : flows.length === 0
        ? noFlowFiles
          ? 'no VPC Flow Logs files in the window: traffic of the actor’s addresses could not be checked'
          : 'no VPC Flow Logs traffic to or from the actor’s addresses'
        : undefined;
  return {
    addresses,
    flows,
    records: flows.reduce((n, f) => n + f.records, 0),
    bytes: flows.reduce((n, f) => n + f.bytes, 0),
    ...(note ? { note } : {}),
  };
}

function subjectText(s: InvestigationSubject): string {
  return s.kind === 'accessKey' ? `access key ${s.accessKeyId}` : `IAM user ${s.userName}`;
}

export function buildResult(input: BuildInput): InvestigationResult {
  const warnings = [...input.warnings];
  const generatedAt = (input.options.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const generatedBy = input.options.generatedBy ?? 'irkit investigate';
  const principalsMap = new Map(input.principals.map((p) => [p.id, p]));
  const parts = attributed(input);
  const { resources, refsByEvent, onBehalf } = resourcesOf(parts);
  const awsActions = [...quarantinesOf(input.policyPhase), ...onBehalf].sort(
    (a, b) => a.eventTime.localeCompare(b.eventTime) || (a.eventId ?? '').localeCompare(b.eventId ?? ''),
  );
  const timeline = timelineOf(
    parts,
    refsByEvent,
    input.options.maxTimelineEntries ?? DEFAULT_MAX_TIMELINE,
    warnings,
  );
  const sourceIps = sourceIpsOf(parts, input, principalsMap);
  const allPrincipals = [...principalsMap.values()];
  const principals = allPrincipals
    .map((p) => principalOut(p, parts, input))
    .sort(
      (a, b) =>
        Number(b.actor) - Number(a.actor) ||
        a.depth - b.depth ||
        (a.reached[0]?.event?.eventTime ?? '').localeCompare(b.reached[0]?.event?.eventTime ?? '') ||
        a.name.localeCompare(b.name),
    );
  const network = networkOf(input);
  const subjectAccount = input.subjectPrincipal?.account ?? null;
  const plans = buildPlans({
    principals,
    resources,
    subjectAccount,
    protection: input.options.protection ?? PLAYBOOK_PROTECTION,
    incidentId: input.options.incidentId,
    generatedAt,
    generatedBy,
    warnings,
  });
  const found = input.subjectPrincipal !== undefined;
  const actors = principals.filter((p) => p.actor);
  const accounts = [
    ...new Set(
      [...actors.map((p) => p.account), ...resources.map((r) => r.account)].filter((a): a is string => !!a),
    ),
  ].sort((a, b) => (a === subjectAccount ? -1 : b === subjectAccount ? 1 : a.localeCompare(b)));
  const tally = (action: ResourceAction) => resources.filter((r) => r.action === action).length;
  const planSteps =
    plans.containmentPlan.steps.length + plans.otherAccountPlans.reduce((n, p) => n + p.steps.length, 0);
  const keys = new Set(actors.flatMap((p) => p.accessKeys.map((k) => k.accessKeyId)));
  const ips = sourceIps.filter((s) => s.principals.length > 0);
  const summary: InvestigationSummary = {
    headline: found
      ? `${subjectText(input.subject)} (${input.subjectPrincipal?.name}): ${actors.length} principal(s) and ${keys.size} access key(s) of the actor; ` +
        `${tally('created')} resource(s) created, ${tally('modified')} modified, ${tally('deleted')} deleted, ${tally('probed')} probed; ` +
        `${ips.length} source address(es); ${planSteps} containment step(s)`
      : `no activity of ${subjectText(input.subject)} in ${input.window.from}..${input.window.to}: nothing was found and nothing is to contain; ` +
        'check the id, and widen the window (playbook step 12) if the exposure may be older',
    accounts,
    principals: actors.length,
    accessKeys: keys.size,
    resources: {
      created: tally('created'),
      modified: tally('modified'),
      deleted: tally('deleted'),
      probed: tally('probed'),
    },
    sourceIps: ips.length,
    flowRecords: network.records,
    planSteps,
  };
  const impact = answerImpact({
    found,
    principals,
    resources,
    sourceIps,
    awsActions,
    network,
    protection: input.options.protection ?? PLAYBOOK_PROTECTION,
  });
  return {
    formatVersion: INVESTIGATION_FORMAT_VERSION,
    generatedAt,
    generatedBy,
    ...(input.options.incidentId ? { incidentId: input.options.incidentId } : {}),
    subject: input.subject,
    window: input.window,
    engine: input.engine,
    depthLimit: input.depthLimit,
    found,
    summary,
    principals,
    resources,
    sourceIps,
    awsActions,
    network,
    timeline,
    impact,
    containmentPlan: plans.containmentPlan,
    otherAccountPlans: plans.otherAccountPlans,
    excluded: plans.excluded,
    warnings,
    queries: input.queries,
  };
}
