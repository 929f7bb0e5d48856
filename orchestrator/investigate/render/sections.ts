import { ContainmentStep, kindModule } from '../../contain/kinds';
import { ContainmentPlan } from '../../contain/plan';
import type { RecordedCall, TargetOutcome } from '../../eradicate/record';
import { eradicationTargets, targetLabel } from '../../eradicate/targets';
import type { ObjectVersion, BucketLiveCheck } from '../../preserve/collect/s3';
import type { EvidenceItem, ManifestRun, VerificationProblem } from '../../preserve/manifest';
import type { IncidentEvidence, ReportExtras } from '../evidence';
import {
  AccessKeyInfo,
  ApiCallSummary,
  AwsAction,
  ConsoleLogin,
  Counted,
  DeniedCall,
  ExcludedFinding,
  InvestigationResult,
  NetworkFlow,
  Principal,
  QueryRun,
  Resource,
  SourceIp,
  TimelineEntry,
} from '../types';
import {
  Block,
  CellValue,
  Column,
  Inline,
  ListItem,
  ReportDocument,
  Section,
  TableBlock,
  Text,
  code,
  event,
  textFrom,
} from './document';
import { IntelSection, LinkFormat, flowReputationSection, relatedSections, reputationSection } from './intel';
import {
  allPlans,
  approvalLine,
  keyList,
  kindLabel,
  manualLine,
  reachLabel,
  stepAction,
  stepTarget,
  subjectLabel,
} from './text';

/**
 * The one definition of the report: its sections in the playbook's order (Part 1 validation,
 * Part 2 scope with the playbook's tables, Part 3 impact, Part 4 containment, then whatever
 * later parts a result holds), every table's columns and titles. The table, Markdown, HTML and
 * CSV/NDJSON renderers all read it; a new section is one entry in SECTIONS, a new table one
 * entry in TABLES.
 */

/** A table's definition: its id, columns and how each cell comes from a row. */
export interface TableDefinition<R> {
  readonly id: string;
  readonly title: string;
  readonly columns: readonly (Column & { readonly value: (row: R) => CellValue })[];
}

function defineTable<R>(definition: TableDefinition<R>): TableDefinition<R> {
  return definition;
}

/** The rows of a definition as a table block. */
export function tableBlock<R>(
  definition: TableDefinition<R>,
  rows: readonly R[],
  options: {
    readonly title?: string;
    readonly context?: Record<string, string>;
    readonly empty?: string;
  } = {},
): TableBlock {
  return {
    kind: 'table',
    id: definition.id,
    ...(options.title !== undefined ? { title: options.title } : {}),
    columns: definition.columns.map(({ key, header, kind }) => ({ key, header, ...(kind ? { kind } : {}) })),
    rows: rows.map((r) => definition.columns.map((c) => c.value(r))),
    ...(options.context ? { context: options.context } : {}),
    ...(options.empty ? { empty: options.empty } : {}),
  };
}

const bool = (value: boolean | null) => (value === null ? null : String(value));
const number = { kind: 'number' } as const;
const sentence = { kind: 'text' } as const;
const eventId = { key: 'eventid', header: 'eventid', kind: 'event' } as const;

const principalLabel = (p: Principal) =>
  `${kindLabel(p)}${p.actor ? '' : ' (not the actor)'}${p.protected ? ' (protected)' : ''}`;

export const TABLES = {
  principals: defineTable<Principal>({
    id: 'principals',
    title: 'Principals',
    columns: [
      { key: 'kind', header: 'kind', value: principalLabel },
      { key: 'name', header: 'name', value: (p) => p.name },
      { key: 'account', header: 'account', value: (p) => p.account },
      { key: 'reached', header: 'reached', ...sentence, value: (p) => p.reached.map(reachLabel).join('; ') },
      { key: 'accesskeys', header: 'access keys', value: keyList },
      { key: 'firstseen', header: 'first seen', value: (p) => p.firstSeen },
      { key: 'lastseen', header: 'last seen', value: (p) => p.lastSeen },
      { key: 'calls', header: 'calls', ...number, value: (p) => p.events },
      { key: 'sourceips', header: 'source IPs', value: (p) => p.sourceIps.map((s) => s.value).join(', ') },
    ],
  }),
  accessKeys: defineTable<{ readonly principal: Principal; readonly key: AccessKeyInfo }>({
    id: 'access-keys',
    title: 'Access keys',
    columns: [
      { key: 'accesskeyid', header: 'access key', value: (r) => r.key.accessKeyId },
      { key: 'principal', header: 'principal', value: (r) => r.principal.name },
      { key: 'type', header: 'type', value: (r) => `${r.key.type}${r.key.deleted ? ' (deleted)' : ''}` },
      { key: 'origin', header: 'origin', value: (r) => r.key.origin },
      { key: 'mintedby', header: 'minted by', value: (r) => r.key.mintedBy },
      { key: 'firstseen', header: 'first seen', value: (r) => r.key.firstSeen },
      { key: 'lastseen', header: 'last seen', value: (r) => r.key.lastSeen },
      { key: 'calls', header: 'calls', ...number, value: (r) => r.key.events },
      { ...eventId, value: (r) => r.key.event?.eventId },
    ],
  }),
  apiCalls: defineTable<ApiCallSummary>({
    id: 'api-calls',
    title: 'API calls',
    columns: [
      { key: 'awsregion', header: 'awsregion', value: (c) => c.region },
      { key: 'eventsource', header: 'eventsource', value: (c) => c.eventSource },
      { key: 'eventname', header: 'eventname', value: (c) => c.eventName },
      { key: 'readonly', header: 'readonly', value: (c) => bool(c.readOnly) },
      { key: 'errorcode', header: 'errorcode', value: (c) => c.errorCode },
      { key: 'errormessage', header: 'errormessage', value: (c) => c.errorMessage },
      { key: 'count', header: 'COUNT', ...number, value: (c) => c.count },
    ],
  }),
  principalSourceIps: defineTable<Counted>({
    id: 'principal-source-ips',
    title: 'Source IP addresses',
    columns: [
      { key: 'sourceipaddress', header: 'sourceipaddress', value: (c) => c.value },
      { key: 'count', header: 'COUNT', ...number, value: (c) => c.count },
    ],
  }),
  userAgents: defineTable<Counted>({
    id: 'user-agents',
    title: 'User agents',
    columns: [
      { key: 'useragent', header: 'useragent', value: (c) => c.value },
      { key: 'count', header: 'COUNT', ...number, value: (c) => c.count },
    ],
  }),
  deniedCalls: defineTable<DeniedCall>({
    id: 'denied-calls',
    title: 'Denied calls',
    columns: [
      { key: 'awsregion', header: 'awsregion', value: (d) => d.region },
      { key: 'eventsource', header: 'eventsource', value: (d) => d.eventSource },
      { key: 'eventname', header: 'eventname', value: (d) => d.eventName },
      { key: 'errorcode', header: 'errorcode', value: (d) => d.errorCode },
      { key: 'errormessage', header: 'errormessage', value: (d) => d.errorMessage },
      { key: 'count', header: 'COUNT', ...number, value: (d) => d.count },
      { key: 'first', header: 'first', value: (d) => d.firstSeen },
      { key: 'last', header: 'last', value: (d) => d.lastSeen },
    ],
  }),
  consoleLogins: defineTable<ConsoleLogin>({
    id: 'console-logins',
    title: 'Console sign-ins',
    columns: [
      { key: 'eventtime', header: 'eventtime', value: (l) => l.eventTime },
      { key: 'sourceipaddress', header: 'source IP', value: (l) => l.sourceIp },
      { key: 'result', header: 'result', value: (l) => l.result },
      { key: 'mfaused', header: 'MFA', value: (l) => l.mfaUsed },
      { key: 'useragent', header: 'user agent', value: (l) => l.userAgent },
      { key: 'errormessage', header: 'errormessage', value: (l) => l.errorMessage },
      { ...eventId, value: (l) => l.eventId },
    ],
  }),
  resources: defineTable<Resource>({
    id: 'resources',
    title: 'Resources created, modified and deleted',
    columns: [
      { key: 'eventtime', header: 'eventtime', value: (r) => r.eventTime },
      {
        key: 'action',
        header: 'action',
        value: (r) => `${r.action}${r.preExisting ? ' (pre-existing)' : ''}`,
      },
      { key: 'type', header: 'type', value: (r) => r.type },
      { key: 'name', header: 'name', value: (r) => `${r.name ?? ''}${r.detail ? ` (${r.detail})` : ''}` },
      { key: 'by', header: 'by', value: (r) => r.by },
      { key: 'account', header: 'account', value: (r) => r.account },
      { key: 'awsregion', header: 'awsregion', value: (r) => r.region },
      { key: 'eventname', header: 'eventname', value: (r) => r.eventName },
      { ...eventId, value: (r) => r.eventId },
    ],
  }),
  probes: defineTable<Resource>({
    id: 'probes',
    title: 'Probing calls',
    columns: [
      { key: 'eventtime', header: 'eventtime', value: (r) => r.eventTime },
      { key: 'by', header: 'by', value: (r) => r.by },
      { key: 'awsregion', header: 'awsregion', value: (r) => r.region },
      { key: 'eventname', header: 'eventname', value: (r) => r.eventName },
      { key: 'resource', header: 'resource', value: (r) => r.name ?? r.type },
      { ...eventId, value: (r) => r.eventId },
    ],
  }),
  sourceIps: defineTable<SourceIp>({
    id: 'source-ips',
    title: 'Source IP addresses',
    columns: [
      { key: 'address', header: 'address', value: (s) => s.address },
      { key: 'calls', header: 'calls', ...number, value: (s) => s.events },
      { key: 'usedby', header: 'used by', value: (s) => s.principals.join(', ') },
      { key: 'firstseen', header: 'first seen', value: (s) => s.firstSeen },
      { key: 'lastseen', header: 'last seen', value: (s) => s.lastSeen },
      {
        key: 'others',
        header: 'other identities from it',
        ...sentence,
        value: (s) =>
          s.others
            .map((o) => `${o.identityArn ?? o.userName ?? o.identityType ?? '?'}: ${o.eventName} x${o.count}`)
            .join('; '),
      },
    ],
  }),
  network: defineTable<NetworkFlow>({
    id: 'network',
    title: 'Network activity (VPC Flow Logs)',
    columns: [
      { key: 'sourceaddress', header: 'sourceaddress', value: (f) => f.sourceAddress },
      { key: 'destinationaddress', header: 'destinationaddress', value: (f) => f.destinationAddress },
      { key: 'port', header: 'port', ...number, value: (f) => f.destinationPort },
      { key: 'protocol', header: 'protocol', ...number, value: (f) => f.protocol },
      { key: 'action', header: 'action', value: (f) => f.action },
      { key: 'records', header: 'records', ...number, value: (f) => f.records },
      { key: 'bytes', header: 'bytes', ...number, value: (f) => f.bytes },
      { key: 'first', header: 'first', value: (f) => f.firstStart },
      { key: 'last', header: 'last', value: (f) => f.lastEnd },
    ],
  }),
  awsActions: defineTable<AwsAction>({
    id: 'aws-actions',
    title: 'Calls AWS made, not the actor',
    columns: [
      { key: 'eventtime', header: 'eventtime', value: (a) => a.eventTime },
      { key: 'kind', header: 'kind', value: (a) => a.kind },
      { key: 'by', header: 'by', value: (a) => a.by },
      { key: 'principal', header: 'principal', value: (a) => a.principal },
      { key: 'eventname', header: 'eventname', value: (a) => a.eventName },
      { key: 'resource', header: 'resource', value: (a) => a.policy ?? a.resource },
      { key: 'awsregion', header: 'awsregion', value: (a) => a.region },
      { ...eventId, value: (a) => a.eventId },
    ],
  }),
  timeline: defineTable<TimelineEntry>({
    id: 'timeline',
    title: 'Timeline',
    columns: [
      { key: 'eventtime', header: 'eventtime', value: (t) => t.eventTime },
      { key: 'principal', header: 'principal', value: (t) => t.principal },
      { key: 'accesskeyid', header: 'access key', value: (t) => t.accessKeyId },
      { key: 'eventsource', header: 'eventsource', value: (t) => t.eventSource },
      {
        key: 'eventname',
        header: 'eventname',
        value: (t) => `${t.eventName}${t.aws ? ` (by ${t.aws})` : ''}`,
      },
      { key: 'awsregion', header: 'awsregion', value: (t) => t.region },
      { key: 'action', header: 'action', value: (t) => t.action },
      { key: 'resource', header: 'resource', value: (t) => t.resource },
      { key: 'errorcode', header: 'errorcode', value: (t) => t.errorCode },
      { ...eventId, value: (t) => t.eventId },
    ],
  }),
  plan: defineTable<{ readonly step: ContainmentStep; readonly index: number }>({
    id: 'plan',
    title: 'Containment plan',
    columns: [
      { key: 'step', header: '#', ...number, value: (r) => r.index + 1 },
      { key: 'kind', header: 'kind', value: (r) => r.step.kind },
      { key: 'target', header: 'target', value: (r) => stepTarget(r.step) },
      { key: 'action', header: 'action', value: (r) => stepAction(r.step) },
      {
        key: 'evidence',
        header: 'evidence',
        ...sentence,
        value: (r) =>
          r.step.evidence.map((e) => `${e.reason}${e.eventId ? ` (event ${e.eventId})` : ''}`).join('; '),
      },
    ],
  }),
  excluded: defineTable<ExcludedFinding>({
    id: 'excluded',
    title: 'Kept out of the plan',
    columns: [
      { key: 'kind', header: 'kind', value: (e) => e.kind },
      { key: 'name', header: 'name', value: (e) => e.name },
      { key: 'account', header: 'account', value: (e) => e.account },
      { key: 'reason', header: 'reason', ...sentence, value: (e) => e.reason },
    ],
  }),
  bucketChecks: defineTable<BucketLiveCheck>({
    id: 'bucket-checks',
    title: 'Live checks of the actor’s buckets',
    columns: [
      { key: 'bucket', header: 'bucket', value: (c) => c.bucket },
      { key: 'exists', header: 'exists', value: (c) => (c.exists ? 'yes' : 'no (NoSuchBucket)') },
      {
        key: 'policy',
        header: 'bucket policy',
        value: (c) =>
          c.policy === null
            ? 'none (NoSuchBucketPolicy)'
            : typeof c.policy === 'string'
              ? c.policy
              : JSON.stringify(c.policy),
      },
      {
        key: 'aclgrants',
        header: 'ACL grants',
        value: (c) => c.aclGrants.map((g) => `${g.grantee} ${g.permission}`).join('; ') || 'none',
      },
      {
        key: 'public',
        header: 'public',
        value: (c) => (c.publicExposure.length > 0 ? c.publicExposure.join('; ') : 'no'),
      },
      { key: 'versions', header: 'object versions', ...number, value: (c) => c.objects.length },
      { key: 'deletemarkers', header: 'delete markers', ...number, value: (c) => c.deleteMarkers.length },
    ],
  }),
  bucketObjects: defineTable<ObjectVersion>({
    id: 'bucket-objects',
    title: 'Objects',
    columns: [
      { key: 'key', header: 'key', value: (o) => o.key },
      { key: 'versionid', header: 'version', value: (o) => o.versionId },
      { key: 'size', header: 'size', ...number, value: (o) => o.size },
      { key: 'lastmodified', header: 'last modified', value: (o) => o.lastModified },
      { key: 'latest', header: 'latest', value: (o) => (o.isLatest ? 'yes' : 'no') },
    ],
  }),
  eradicationPlan: defineTable<{ readonly target: TargetOutcome; readonly calls: readonly RecordedCall[] }>({
    id: 'eradication-plan',
    title: 'Eradication list',
    columns: [
      { key: 'target', header: 'target', value: (r) => r.target.target },
      { key: 'why', header: 'why', ...sentence, value: (r) => r.target.why },
      {
        key: 'calls',
        header: 'calls, in order',
        value: (r) =>
          r.calls.length > 0
            ? r.calls.map((c) => c.call).join('; ')
            : r.target.outcome === 'nothing left'
              ? 'nothing left'
              : 'irkit eradicate --dry-run lists them',
      },
    ],
  }),
  eradicationTargets: defineTable<{
    readonly target: TargetOutcome;
    readonly calls: readonly RecordedCall[];
  }>({
    id: 'eradication-targets',
    title: 'Targets',
    columns: [
      { key: 'target', header: 'target', value: (r) => r.target.target },
      { key: 'outcome', header: 'outcome', value: (r) => r.target.outcome },
      {
        key: 'requestids',
        header: 'AWS request ids',
        value: (r) =>
          r.calls
            .map((c) => c.requestId)
            .filter((id): id is string => !!id)
            .join(', '),
      },
      { key: 'reason', header: 'reason', value: (r) => r.target.reason },
    ],
  }),
  eradicationCalls: defineTable<RecordedCall>({
    id: 'eradication-calls',
    title: 'Calls',
    columns: [
      { key: 'at', header: 'at', value: (c) => c.at },
      { key: 'target', header: 'target', value: (c) => c.target },
      { key: 'call', header: 'call', value: (c) => c.call },
      { key: 'outcome', header: 'outcome', value: (c) => c.outcome },
      { key: 'requestid', header: 'AWS request id', value: (c) => c.requestId },
      { key: 'error', header: 'error', value: (c) => c.error },
    ],
  }),
  evidenceRuns: defineTable<ManifestRun>({
    id: 'evidence-runs',
    title: 'Manifest runs',
    columns: [
      { key: 'run', header: 'run', ...number, value: (r) => r.run },
      { key: 'operator', header: 'operator', value: (r) => r.operator },
      { key: 'tool', header: 'tool', value: (r) => r.tool },
      { key: 'startedat', header: 'started', value: (r) => r.startedAt },
      { key: 'finishedat', header: 'finished', value: (r) => r.finishedAt },
      { key: 'items', header: 'items', ...number, value: (r) => r.items.length },
    ],
  }),
  evidenceItems: defineTable<EvidenceItem>({
    id: 'evidence-items',
    title: 'Items',
    columns: [
      { key: 'path', header: 'path', value: (i) => i.path },
      { key: 'kind', header: 'kind', value: (i) => i.kind },
      { key: 'sha256', header: 'SHA-256', value: (i) => i.sha256 },
      { key: 'size', header: 'bytes', ...number, value: (i) => i.size },
      { key: 'source', header: 'source', value: (i) => i.source },
      { key: 'collectedby', header: 'collected by', value: (i) => i.collectedBy },
      { key: 'collectedat', header: 'collected at', value: (i) => i.collectedAt },
    ],
  }),
  evidenceProblems: defineTable<VerificationProblem>({
    id: 'evidence-problems',
    title: 'Does not verify',
    columns: [
      { key: 'path', header: 'path', value: (p) => p.path },
      { key: 'problem', header: 'problem', value: (p) => p.problem },
      { key: 'detail', header: 'detail', value: (p) => p.detail },
    ],
  }),
  queries: defineTable<QueryRun>({
    id: 'queries',
    title: 'Queries run',
    columns: [
      { key: 'query', header: 'query', value: (q) => q.queryId },
      {
        key: 'parameters',
        header: 'parameters',
        value: (q) =>
          Object.entries(q.params)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
      },
      { key: 'rows', header: 'rows', ...number, value: (q) => q.rows },
      { key: 'ms', header: 'ms', ...number, value: (q) => q.elapsedMs },
    ],
  }),
} as const;

/** The tables of what irkit adds beyond the logs (render/intel.ts), by id. */
const INTEL_TABLES = {
  reputation: 'ip-reputation',
  flowReputation: 'flow-ip-reputation',
  quarantine: 'aws-quarantine',
  guardDuty: 'guardduty-findings',
  health: 'health-events',
} as const;

/** The ids of every table a report can hold, for `--table`. */
export const TABLE_IDS: readonly string[] = [
  ...Object.values(TABLES).map((t) => t.id),
  ...Object.values(INTEL_TABLES),
];

/**
 * Links irkit built itself (from a parsed address, a finding id or an event ARN, URL-encoded)
 * are shown as values, never as live links: one rule for every value in every format.
 */
const linkValue: LinkFormat = (label, url) => `${label}: ${url}`;

function intelSection(id: string, section: IntelSection): Section {
  const blocks: Block[] = [
    {
      kind: 'table',
      id,
      columns: section.headers.map((header) => ({
        key: header.toLowerCase().replace(/[^a-z0-9]+/g, ''),
        header,
      })),
      rows: section.rows,
      empty: section.empty,
    },
  ];
  if (section.notes.length > 0)
    blocks.push({ kind: 'list', items: section.notes.map((n) => ({ text: [n] })) });
  return { id, title: section.title, blocks };
}

// --- the sections --------------------------------------------------------------------------

/**
 * A section's definition: built from the result and what the report adds (the eradication
 * plan, the evidence), or absent (undefined) when it has nothing to say.
 */
export interface SectionDefinition {
  readonly id: string;
  readonly title: string;
  build(
    result: InvestigationResult,
    extras: ReportExtras,
  ): { blocks: Block[]; sections?: Section[] } | undefined;
}

const paragraph = (...parts: Inline[]): Block => ({ kind: 'paragraph', text: parts });
const list = (items: readonly ListItem[], title?: string): Block => ({
  kind: 'list',
  items,
  ...(title ? { title } : {}),
});

function subjectPrincipal(result: InvestigationResult): Principal | undefined {
  return result.principals.find((p) => p.reached.some((r) => r.how === 'subject' || r.how === 'exposed key'));
}

function validation(result: InvestigationResult): Block[] {
  const subject = subjectPrincipal(result);
  const s = result.subject;
  const owner: Inline[] = subject
    ? [`the ${kindLabel(subject)} `, code(subject.name), ' in account ', code(subject.account ?? 'unknown')]
    : [];
  const blocks: Block[] = [
    s.kind === 'accessKey'
      ? paragraph(
          'The exposed IAM access key ',
          code(s.accessKeyId),
          ...(subject
            ? [' belongs to ', ...owner, ' (from its CloudTrail records).']
            : [' has no activity in the window: the logs name no owner.']),
        )
      : paragraph(
          'The IAM user ',
          code(s.userName),
          ...(subject
            ? [' is in account ', code(subject.account ?? 'unknown'), ' (from its CloudTrail records).']
            : [' has no activity in the window.']),
        ),
  ];
  if (s.kind === 'accessKey') {
    blocks.push(
      paragraph(
        'Confirm the owner, and that you own the account (else report the key to AWS Trust and Safety): ',
        code(`aws sts get-access-key-info --access-key-id ${s.accessKeyId} --profile SecurityAnalystRole`),
      ),
    );
  }
  return blocks;
}

function principalSection(p: Principal): Section {
  const context = { principal: p.name };
  const blocks: Block[] = [
    paragraph(
      'Account ',
      code(p.account ?? 'unknown'),
      `; reached: ${p.reached.map(reachLabel).join('; ')}; access keys: `,
      ...(p.accessKeys.length === 0 ? ['none'] : [code(keyList(p))]),
      `; first seen ${p.firstSeen ?? '-'}, last seen ${p.lastSeen ?? '-'}, ${p.events} call(s).`,
      ...(p.note ? [` ${p.note}.`] : []),
      ...(p.protected ? [` Protected: ${p.protected}.`] : []),
    ),
    tableBlock(TABLES.apiCalls, p.apiCalls, { context }),
    tableBlock(TABLES.principalSourceIps, p.sourceIps, { context }),
    tableBlock(TABLES.userAgents, p.userAgents, { context }),
  ];
  if (p.deniedCalls.length > 0)
    blocks.push(tableBlock(TABLES.deniedCalls, p.deniedCalls, { title: 'Denied calls', context }));
  if (p.consoleLogins.length > 0)
    blocks.push(tableBlock(TABLES.consoleLogins, p.consoleLogins, { title: 'Console sign-ins', context }));
  return {
    id: `principal-${p.id.replace(/[^A-Za-z0-9_-]/g, '-')}`,
    title: `${kindLabel(p)} ${p.name}`,
    blocks,
  };
}

/** At most this many object versions of a bucket are listed (its bucket.json in the evidence lists all). */
const MAX_OBJECTS_SHOWN = 50;

/**
 * The live checks of the actor's buckets (the policy, ACL grants and public exposure of each,
 * then its object versions): the report's section and `irkit preserve`'s own output.
 */
export function liveChecksBlocks(checks: readonly BucketLiveCheck[]): Block[] {
  const blocks: Block[] = [
    tableBlock(TABLES.bucketChecks, checks, { empty: 'The actor created or wrote no bucket.' }),
  ];
  for (const c of checks.filter((x) => x.exists && x.objects.length > 0)) {
    const shown = c.objects.slice(0, MAX_OBJECTS_SHOWN);
    blocks.push(
      tableBlock(TABLES.bucketObjects, shown, {
        title: `Objects of ${c.bucket}${c.objects.length > shown.length ? ` (the first ${shown.length} of ${c.objects.length}; s3/BUCKET/bucket.json in the evidence lists all)` : ''}`,
        context: { bucket: c.bucket },
      }),
    );
  }
  return blocks;
}

/** Part 2's live checks of the actor's buckets, as `irkit preserve` stored them. */
function liveChecksSection(evidence: IncidentEvidence): Section {
  const blocks: Block[] = [];
  if (evidence.liveChecks.length === 0) {
    blocks.push(
      paragraph(
        evidence.manifest
          ? 'None in the evidence: the incident was preserved offline, or the actor created or wrote no bucket. '
          : 'The incident was not preserved in ',
        ...(evidence.manifest ? [] : [code(evidence.location), '. ']),
        'Run ',
        code(`irkit preserve --plan FILE --incident ${evidence.incidentId}`),
        ' with credentials: it runs the bucket policy, ACL, public access and object checks.',
      ),
    );
  }
  for (const live of evidence.liveChecks) {
    blocks.push(
      paragraph(
        `As irkit preserve read them at ${live.collectedAt} (`,
        code(live.path),
        '): the playbook’s get-bucket-policy, get-bucket-acl, public exposure and object list.',
      ),
      ...liveChecksBlocks(live.checks),
    );
  }
  return { id: 'live-checks', title: 'Live checks of the actor’s buckets (irkit preserve)', blocks };
}

function scope(result: InvestigationResult, extras: ReportExtras): { blocks: Block[]; sections: Section[] } {
  const sub = (id: string, title: string, blocks: Block[]): Section => ({ id, title, blocks });
  return {
    blocks: [tableBlock(TABLES.principals, result.principals)],
    sections: [
      ...result.principals.map(principalSection),
      sub('access-keys', TABLES.accessKeys.title, [
        tableBlock(
          TABLES.accessKeys,
          result.principals.flatMap((principal) => principal.accessKeys.map((key) => ({ principal, key }))),
        ),
      ]),
      sub('source-ips', TABLES.sourceIps.title, [tableBlock(TABLES.sourceIps, result.sourceIps)]),
      // Step 6: lookups as lines under the table, readable in a terminal as in a document.
      intelSection(INTEL_TABLES.reputation, reputationSection(result, linkValue, 'lines')),
      sub('network', TABLES.network.title, [
        tableBlock(TABLES.network, result.network.flows, { empty: result.network.note ?? 'No traffic.' }),
      ]),
      ...(result.network.flows.length > 0
        ? [intelSection(INTEL_TABLES.flowReputation, flowReputationSection(result, linkValue, 'lines'))]
        : []),
      sub('resources', TABLES.resources.title, [
        tableBlock(
          TABLES.resources,
          result.resources.filter((r) => r.action !== 'probed'),
        ),
      ]),
      ...(extras.evidence ? [liveChecksSection(extras.evidence)] : []),
      sub('probes', TABLES.probes.title, [
        tableBlock(
          TABLES.probes,
          result.resources.filter((r) => r.action === 'probed'),
        ),
      ]),
      ...(result.awsActions.length > 0
        ? [sub('aws-actions', TABLES.awsActions.title, [tableBlock(TABLES.awsActions, result.awsActions)])]
        : []),
      sub('timeline', TABLES.timeline.title, [tableBlock(TABLES.timeline, result.timeline)]),
    ],
  };
}

function impact(result: InvestigationResult): Block[] {
  return [
    {
      kind: 'list',
      ordered: true,
      items: result.impact.map((q) => ({
        text: [q.question],
        items: [[q.answer], ...q.facts.map((f) => [f])],
      })),
    },
  ];
}

function story(result: InvestigationResult): Text[] {
  const subject = subjectPrincipal(result);
  if (!subject) return [];
  const key = subject.accessKeys.find((k) => k.origin === 'subject');
  const lines: Text[] = [
    [
      `The ${kindLabel(subject)} `,
      code(subject.name),
      ...(key ? [' (access key ', code(key.accessKeyId), ')'] : []),
      ' was the initial compromise vector.',
    ],
  ];
  const verbs: Record<string, string> = {
    CreateUser: 'created the IAM user',
    CreateRole: 'created the role',
    CreateAccessKey: 'created an access key for',
    CreateLoginProfile: 'set a console password for',
    UpdateLoginProfile: 'changed the console password of',
    AssumeRole: 'assumed the role',
    AttachRolePolicy: 'changed the permissions of the role',
    PutRolePolicy: 'changed the permissions of the role',
    UpdateAssumeRolePolicy: 'changed the trust policy of the role',
  };
  const seen = new Set<string>();
  for (const p of result.principals) {
    for (const r of p.reached) {
      const verb = verbs[r.how];
      const line = `${r.from} ${verb} ${p.name} ${p.account}`;
      if (!verb || !r.from || seen.has(line)) continue;
      seen.add(line);
      lines.push([
        code(r.from),
        ` ${verb} `,
        code(p.name),
        ...(p.account ? [' in account ', code(p.account)] : []),
        ...(r.event?.eventId ? [' (event ', event(r.event.eventId), ')'] : []),
        '.',
      ]);
    }
  }
  for (const b of result.resources.filter((r) => r.type === 'AWS::S3::Bucket' && r.action === 'created')) {
    lines.push([
      code(b.by),
      ' created the S3 bucket ',
      code(b.name ?? ''),
      ...(b.eventId ? [' (event ', event(b.eventId), ')'] : []),
      '.',
    ]);
  }
  return lines;
}

function planSection(result: InvestigationResult, plan: ContainmentPlan): Section {
  const account = plan.accountId ?? 'unknown';
  const blocks: Block[] = [
    list(
      plan.steps.length === 0
        ? [{ text: ['nothing to contain'] }]
        : plan.steps.map((s) => ({
            text: textFrom((c) => kindModule(s.kind).resourceLine(s, c).replace(/^- /, '')),
          })),
      'Resource list',
    ),
    tableBlock(
      TABLES.plan,
      plan.steps.map((step, index) => ({ step, index })),
      {
        title:
          plan === result.containmentPlan
            ? 'Steps (irkit contain --plan FILE with the JSON result)'
            : 'Steps (irkit contain with this account’s credentials)',
        context: { account },
        empty: 'Nothing to contain.',
      },
    ),
  ];
  if ((plan.manualActions ?? []).length > 0) {
    blocks.push(
      list(
        (plan.manualActions ?? []).map((a) => ({ text: textFrom((c) => manualLine(a, c)) })),
        'By hand (the kit cannot contain these yet; playbook steps 9 and 10)',
      ),
    );
  }
  if ((plan.approvals ?? []).length > 0) {
    blocks.push(
      list(
        (plan.approvals ?? []).map((a) => ({ text: textFrom((c) => approvalLine(a, c)) })),
        'For the owner’s approval (pre-existing principals the actor changed, playbook step 10)',
      ),
    );
  }
  return { id: `plan-${account}`, title: `Containment plan for account ${account}`, blocks };
}

function containment(result: InvestigationResult): { blocks: Block[]; sections: Section[] } {
  const lines = story(result);
  const sections = allPlans(result).map((plan) => planSection(result, plan));
  if (result.excluded.length > 0) {
    sections.push({
      id: 'excluded',
      title: TABLES.excluded.title,
      blocks: [tableBlock(TABLES.excluded, result.excluded)],
    });
  }
  return { blocks: lines.map((text) => ({ kind: 'paragraph', text })), sections };
}

/** The calls of one target, in order. */
const callsOf = (calls: readonly RecordedCall[], target: string) => calls.filter((c) => c.target === target);

/**
 * Part 5: what eradication deletes (the plan's list, and the calls a dry run would make) and,
 * once it ran, what each run did to each target, with AWS's request ids.
 */
function eradication(
  result: InvestigationResult,
  extras: ReportExtras,
): { blocks: Block[]; sections: Section[] } {
  const incident = result.incidentId ?? result.containmentPlan.incidentId ?? 'ID';
  const plan = extras.eradicationPlan ?? {
    targets: eradicationTargets(result, { includeExposedUser: false }).map((t): TargetOutcome => ({
      target: targetLabel(t),
      why: t.why,
      outcome: 'planned',
    })),
    calls: [],
  };
  const blocks: Block[] = [
    paragraph(
      'THESE ACTIONS ARE FINAL AND UNRECOVERABLE (the playbook). What ',
      code(`irkit eradicate --plan FILE --incident ${incident}`),
      ' deletes, in this order, once the evidence verifies and every target is contained; ',
      code('--dry-run'),
      ' prints each call and changes nothing. The exposed user itself only with ',
      code('--include-exposed-user'),
      '; no other pre-existing principal, ever.',
    ),
    tableBlock(
      TABLES.eradicationPlan,
      plan.targets.map((target) => ({ target, calls: callsOf(plan.calls, target.target) })),
      { empty: 'The investigation names nothing the actor created: nothing to eradicate.' },
    ),
  ];
  const sections: Section[] = [];
  const evidence = extras.evidence;
  if (evidence) {
    const runs = evidence.eradication;
    sections.push({
      id: 'eradication-record',
      title: 'Eradication record',
      blocks:
        runs.length === 0
          ? [paragraph('Not run: the evidence in ', code(evidence.location), ' holds no eradication record.')]
          : runs.flatMap(({ path, record }): Block[] => [
              paragraph(
                `Run ${record.startedAt} to ${record.finishedAt} in account `,
                code(record.account),
                ' by ',
                code(record.operator),
                ' (',
                code(path),
                `): ${record.targets.filter((t) => t.outcome === 'failed').length} of ${record.targets.length} target(s) failed.`,
              ),
              tableBlock(
                TABLES.eradicationTargets,
                record.targets.map((target) => ({ target, calls: callsOf(record.calls, target.target) })),
                { context: { run: path } },
              ),
              tableBlock(TABLES.eradicationCalls, record.calls, { context: { run: path } }),
            ]),
    });
  }
  return { blocks, sections };
}

/** The evidence manifest (playbook step 14): what was preserved, and whether it verifies now. */
function evidenceSection(evidence: IncidentEvidence): { blocks: Block[] } {
  const m = evidence.manifest;
  const check = evidence.verification;
  const blocks: Block[] = [];
  if (evidence.problems.length > 0) {
    blocks.push(
      list(
        evidence.problems.map((p) => ({ text: [code(p)] })),
        'CANNOT BE TRUSTED: treat the evidence as tampered with and find out how (irkit preserve --verify)',
      ),
    );
  }
  if (!m) {
    if (evidence.problems.length === 0) {
      blocks.push(
        paragraph(
          'Not preserved: no manifest in ',
          code(evidence.location),
          '. Preserve it: ',
          code(`irkit preserve --plan FILE --incident ${evidence.incidentId}`),
          '.',
        ),
      );
    }
    return { blocks };
  }
  blocks.push(
    paragraph(
      'In ',
      code(evidence.location),
      `: ${m.items.length} item(s) in ${m.runs.length} manifest run(s). `,
      check
        ? check.ok
          ? `Verified at ${evidence.readAt}: every item re-read, ${check.bytes} bytes, each SHA-256 and size as listed.`
          : `DOES NOT VERIFY (checked at ${evidence.readAt}): ${check.problems.length} problem(s), below.`
        : 'Not verified.',
      ...(check && check.unlisted.length > 0
        ? [
            ` ${check.unlisted.length} file(s) in the folder are in no run (irkit preserve --verify lists them).`,
          ]
        : []),
    ),
  );
  if (check && check.problems.length > 0) blocks.push(tableBlock(TABLES.evidenceProblems, check.problems));
  blocks.push(tableBlock(TABLES.evidenceRuns, m.runs), tableBlock(TABLES.evidenceItems, m.items));
  return { blocks };
}

/**
 * The report's sections, in order. A section that needs the investigation to have found
 * activity returns undefined otherwise.
 */
export const SECTIONS: readonly SectionDefinition[] = [
  {
    id: 'part-1-validation',
    title: 'Part 1: Analysis - Validation',
    build: (r) => ({ blocks: validation(r) }),
  },
  {
    id: 'part-2-scope',
    title: 'Part 2: Analysis - Scope',
    build: (r, extras) => (r.found ? scope(r, extras) : undefined),
  },
  {
    id: 'part-3-impact',
    title: 'Part 3: Analysis - Impact',
    build: (r) => {
      if (!r.found) return undefined;
      const [quarantine, guardDuty, health] = relatedSections(r, linkValue);
      return {
        blocks: impact(r),
        sections: [
          intelSection(INTEL_TABLES.quarantine, quarantine),
          intelSection(INTEL_TABLES.guardDuty, guardDuty),
          intelSection(INTEL_TABLES.health, health),
        ],
      };
    },
  },
  {
    id: 'part-4-containment',
    title: 'Part 4: Containment',
    build: (r) => (r.found ? containment(r) : undefined),
  },
  {
    id: 'part-5-eradication',
    title: 'Part 5: Eradication',
    build: (r, extras) => (r.found ? eradication(r, extras) : undefined),
  },
  {
    id: 'evidence',
    title: 'Evidence (playbook step 14)',
    build: (_r, extras) => (extras.evidence ? evidenceSection(extras.evidence) : undefined),
  },
  {
    id: 'queries',
    title: 'Queries run',
    build: (r) => ({ blocks: [tableBlock(TABLES.queries, r.queries)] }),
  },
];

/** The report of a result, with what the report adds (render/../evidence.ts): what every renderer shows. */
export function reportDocument(result: InvestigationResult, extras: ReportExtras = {}): ReportDocument {
  return {
    title: `Investigation: ${subjectLabel(result.subject)}`,
    meta:
      `Window ${result.window.from}..${result.window.to}, ${result.engine} engine, depth ${result.depthLimit}` +
      `${result.incidentId ? `, incident ${result.incidentId}` : ''}; generated ${result.generatedAt} by ${result.generatedBy}.`,
    headline: result.summary.headline,
    warnings: result.warnings,
    sections: SECTIONS.flatMap((definition) => {
      const built = definition.build(result, extras);
      return built
        ? [
            {
              id: definition.id,
              title: definition.title,
              blocks: built.blocks,
              ...(built.sections ? { sections: built.sections } : {}),
            },
          ]
        : [];
    }),
  };
}
