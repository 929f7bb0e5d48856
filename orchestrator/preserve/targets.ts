import { InvestigationResult } from '../investigate/types';

/** What the investigation says to preserve, beyond the document and the raw records. */
export interface PreserveTargets {
  /** The actor's IAM users and roles. */
  readonly principals: ReadonlyArray<{ kind: 'user' | 'role'; name: string; account: string | null }>;
  /** Buckets the actor created or wrote to. */
  readonly buckets: ReadonlyArray<{ name: string; account: string | null; region: string }>;
  /** Instances the actor launched or acted on (not only described). */
  readonly instances: ReadonlyArray<{ id: string; account: string | null; region: string }>;
  /** Every event id of the actor's calls. */
  readonly eventIds: ReadonlySet<string>;
  /** The actor's events per Region: first and last time (to find the log files). */
  readonly regions: ReadonlyMap<string, { account: string | null; first: string; last: string }[]>;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const INSTANCE = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;
const IAM_NAME = /^[\w+=,.@-]{1,128}$/;

/** Reads the targets from a parsed investigation; values failing AWS's name rules are dropped (logged values are the actor's). */
export function preserveTargets(doc: InvestigationResult): PreserveTargets {
  const principals = new Map<string, { kind: 'user' | 'role'; name: string; account: string | null }>();
  for (const p of doc.principals) {
    if (!p.actor || p.protected) continue;
    const kind = p.kind === 'IAMUser' ? 'user' : p.kind === 'Role' ? 'role' : undefined;
    if (!kind || !IAM_NAME.test(p.name)) continue;
    principals.set(`${kind}:${p.account}:${p.name.toLowerCase()}`, {
      kind,
      name: p.name,
      account: p.account,
    });
  }
  const buckets = new Map<string, { name: string; account: string | null; region: string }>();
  const instances = new Map<string, { id: string; account: string | null; region: string }>();
  for (const r of doc.resources) {
    if (r.name === null || r.action === 'probed') continue;
    if ((r.type === 'AWS::S3::Bucket' || r.type === 'AWS::S3::Object') && r.action !== 'deleted') {
      const name = r.type === 'AWS::S3::Bucket' ? r.name : r.name.split('/')[0];
      if (BUCKET.test(name) && !buckets.has(name))
        buckets.set(name, { name, account: r.account, region: r.region });
    }
    if (r.type === 'AWS::EC2::Instance' && INSTANCE.test(r.name) && !instances.has(r.name)) {
      instances.set(r.name, { id: r.name, account: r.account, region: r.region });
    }
  }
  const eventIds = new Set<string>();
  const regions = new Map<string, { account: string | null; first: string; last: string }[]>();
  for (const t of doc.timeline) {
    if (!t.eventId) continue;
    eventIds.add(t.eventId);
    const account = doc.principals.find((p) => p.id === t.principalId)?.account ?? null;
    const spans = regions.get(t.region) ?? [];
    const span = spans.find((s) => s.account === account);
    if (!span) spans.push({ account, first: t.eventTime, last: t.eventTime });
    else {
      if (t.eventTime < span.first) span.first = t.eventTime;
      if (t.eventTime > span.last) span.last = t.eventTime;
    }
    regions.set(t.region, spans);
  }
  return {
    principals: [...principals.values()],
    buckets: [...buckets.values()],
    instances: [...instances.values()],
    eventIds,
    regions,
  };
}
