import type { Finding, GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { Event as HealthEvent, HealthClient } from '@aws-sdk/client-health';

import { awsErrorCode, isAwsError } from '../../lib/aws-errors';
import { sdk } from '../aws-sdk';
import { GLOBAL_EVENTS_REGION } from '../../lib/regions';
import type {
  GuardDutyFindingRef,
  GuardDutyRegionCheck,
  HealthEventRef,
  InvestigationResult,
  RelatedFindings,
} from '../investigate/types';
import { checkedProfile } from '../aws-profile';

/**
 * Part 3 Q1 ("What related alerts have been triggered?") from AWS's own detectors: GuardDuty
 * findings on the actor's access keys and principals in every Region given, and AWS Health
 * AWS_RISK_CREDENTIALS_EXPOSED events. Read-only; one Region failing (denied, not enabled,
 * throttled past the SDK's retries) is recorded and the others still read.
 */

export const CREDENTIALS_EXPOSED_EVENT = 'AWS_RISK_CREDENTIALS_EXPOSED';

/** AWS Health's API is served from us-east-1 (its global endpoint). */
export const HEALTH_REGION = GLOBAL_EVENTS_REGION;

export interface RelatedFindingsClients {
  /** A GuardDuty client for one Region. */
  readonly guardDuty: (region: string) => GuardDutyClient;
  /** A Health client in us-east-1. */
  readonly health: HealthClient;
}

export interface ClientOptions {
  readonly profile?: string;
}

/** Clients on the standard credential chain (`--profile`, environment), like the AWS CLI. */
export function createRelatedFindingsClients(options: ClientOptions = {}): RelatedFindingsClients {
  const profile = options.profile ? { profile: checkedProfile(options.profile) } : {};
  const clients = new Map<string, GuardDutyClient>();
  return {
    guardDuty: (region) => {
      let client = clients.get(region);
      if (!client) {
        client = new (sdk.guardDuty().GuardDutyClient)({ ...profile, region });
        clients.set(region, client);
      }
      return client;
    },
    health: new (sdk.health().HealthClient)({ ...profile, region: HEALTH_REGION }),
  };
}

export interface RelatedFindingsQuery {
  readonly accessKeyIds: readonly string[];
  /** IAM user and role names of the actor's principals. */
  readonly userNames: readonly string[];
  /** ISO 8601: findings updated, and Health events started, from then on. */
  readonly since: string;
  readonly regions: readonly string[];
  /** Regions read at once. @default 4 */
  readonly concurrency?: number;
  /** @default the current time */
  readonly now?: () => Date;
}

/** GuardDuty's limits: 50 values in an Equals condition, 50 ids per GetFindings, 50 results a page. */
const GUARDDUTY_BATCH = 50;
/** AWS Health: at most 10 event ARNs per DescribeAffectedEntities filter. */
const HEALTH_ARN_BATCH = 10;

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

const message = (error: unknown) =>
  `${awsErrorCode(error) || 'Error'}: ${(error as Error)?.message ?? String(error)}`.slice(0, 500);

export function guardDutyConsoleUrl(region: string, findingId: string): string {
  return `https://console.aws.amazon.com/guardduty/home?region=${encodeURIComponent(region)}#/findings?macros=current&fId=${encodeURIComponent(findingId)}`;
}

export function healthConsoleUrl(eventArn: string): string {
  return `https://health.aws.amazon.com/health/home#/account/event-log?eventID=${encodeURIComponent(eventArn)}&eventTab=details`;
}

/** The keys and principal names of the actor in an investigation result, and its window's start. */
export function relatedFindingsQuery(
  result: InvestigationResult,
  regions: readonly string[],
): RelatedFindingsQuery {
  const actors = result.principals.filter((p) => p.actor);
  return {
    accessKeyIds: [...new Set(actors.flatMap((p) => p.accessKeys.map((k) => k.accessKeyId)))].sort(),
    userNames: [
      ...new Set(actors.filter((p) => p.kind === 'IAMUser' || p.kind === 'Role').map((p) => p.name)),
    ].sort(),
    since: `${result.window.from.replace(/\//g, '-')}T00:00:00.000Z`,
    regions,
  };
}

async function allPages<T>(page: (token: string | undefined) => Promise<{ items: T[]; next?: string }>) {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const current = await page(token);
    all.push(...current.items);
    token = current.next || undefined;
  } while (token);
  return all;
}

function findingRef(f: Finding, fallbackRegion: string, detectorId: string): GuardDutyFindingRef {
  const key = f.Resource?.AccessKeyDetails;
  const region = f.Region ?? fallbackRegion;
  const id = f.Id ?? '';
  return {
    id,
    detectorId: f.Service?.DetectorId ?? detectorId,
    region,
    accountId: f.AccountId ?? null,
    type: f.Type ?? '',
    title: f.Title ?? null,
    severity: f.Severity ?? null,
    createdAt: f.CreatedAt ?? null,
    updatedAt: f.UpdatedAt ?? null,
    eventFirstSeen: f.Service?.EventFirstSeen ?? null,
    eventLastSeen: f.Service?.EventLastSeen ?? null,
    count: f.Service?.Count ?? null,
    accessKeyId: key?.AccessKeyId ?? null,
    userName: key?.UserName ?? null,
    archived: f.Service?.Archived ?? false,
    consoleUrl: guardDutyConsoleUrl(region, id),
  };
}

async function guardDutyRegion(
  client: GuardDutyClient,
  region: string,
  query: RelatedFindingsQuery,
): Promise<{ check: GuardDutyRegionCheck; findings: GuardDutyFindingRef[] }> {
  const detectorIds: string[] = [];
  try {
    detectorIds.push(
      ...(await allPages(async (token) => {
        const out = await client.send(new (sdk.guardDuty().ListDetectorsCommand)({ NextToken: token }));
        return { items: out.DetectorIds ?? [], next: out.NextToken };
      })),
    );
    if (detectorIds.length === 0) {
      return { check: { region, status: 'no detector', detectorIds, findings: 0 }, findings: [] };
    }
    const since = Date.parse(query.since);
    const findings: GuardDutyFindingRef[] = [];
    for (const detectorId of detectorIds) {
      const ids = new Set<string>();
      const criteria = [
        ...chunks(query.accessKeyIds, GUARDDUTY_BATCH).map((values) => ({
          'resource.accessKeyDetails.accessKeyId': { Equals: values },
        })),
        ...chunks(query.userNames, GUARDDUTY_BATCH).map((values) => ({
          'resource.accessKeyDetails.userName': { Equals: values },
        })),
      ];
      for (const criterion of criteria) {
        const found = await allPages(async (token) => {
          const out = await client.send(
            new (sdk.guardDuty().ListFindingsCommand)({
              DetectorId: detectorId,
              FindingCriteria: { Criterion: { ...criterion, updatedAt: { GreaterThanOrEqual: since } } },
              MaxResults: GUARDDUTY_BATCH,
              NextToken: token,
            }),
          );
          return { items: out.FindingIds ?? [], next: out.NextToken };
        });
        found.forEach((id) => ids.add(id));
      }
      for (const batch of chunks([...ids], GUARDDUTY_BATCH)) {
        const out = await client.send(
          new (sdk.guardDuty().GetFindingsCommand)({ DetectorId: detectorId, FindingIds: batch }),
        );
        findings.push(...(out.Findings ?? []).map((f) => findingRef(f, region, detectorId)));
      }
    }
    return { check: { region, status: 'checked', detectorIds, findings: findings.length }, findings };
  } catch (error) {
    const denied = isAwsError(error, 'AccessDeniedException', 'AccessDenied');
    const notEnabled = isAwsError(error, 'UnrecognizedClientException', 'InvalidClientTokenId');
    return {
      check: {
        region,
        status: denied ? 'denied' : 'failed',
        detectorIds,
        findings: 0,
        error: notEnabled ? `${message(error)} (is the Region enabled for the account?)` : message(error),
      },
      findings: [],
    };
  }
}

async function healthEvents(
  client: HealthClient,
  query: RelatedFindingsQuery,
): Promise<RelatedFindings['health']> {
  try {
    const events = await allPages(async (token) => {
      const out = await client.send(
        new (sdk.health().DescribeEventsCommand)({
          filter: {
            eventTypeCodes: [CREDENTIALS_EXPOSED_EVENT],
            startTimes: [{ from: new Date(query.since) }],
          },
          maxResults: 100,
          nextToken: token,
        }),
      );
      return { items: out.events ?? [], next: out.nextToken };
    });
    const arns = events.map((e) => e.arn).filter((a): a is string => !!a);
    const entities = new Map<string, string[]>();
    for (const batch of chunks(arns, HEALTH_ARN_BATCH)) {
      const found = await allPages(async (token) => {
        const out = await client.send(
          new (sdk.health().DescribeAffectedEntitiesCommand)({
            filter: { eventArns: batch },
            nextToken: token,
          }),
        );
        return { items: out.entities ?? [], next: out.nextToken };
      });
      for (const e of found) {
        if (!e.eventArn || !e.entityValue) continue;
        entities.set(e.eventArn, [...(entities.get(e.eventArn) ?? []), e.entityValue]);
      }
    }
    const keys = new Set(query.accessKeyIds);
    return {
      status: 'checked',
      events: events.map((e: HealthEvent) => {
        const affected = [...new Set(entities.get(e.arn ?? '') ?? [])].sort();
        return {
          arn: e.arn ?? '',
          eventTypeCode: e.eventTypeCode ?? CREDENTIALS_EXPOSED_EVENT,
          service: e.service ?? null,
          region: e.region ?? null,
          statusCode: e.statusCode ?? null,
          startTime: e.startTime?.toISOString() ?? null,
          lastUpdatedTime: e.lastUpdatedTime?.toISOString() ?? null,
          affectedEntities: affected,
          actorKey: affected.some((v) => keys.has(v)),
          consoleUrl: healthConsoleUrl(e.arn ?? ''),
        } satisfies HealthEventRef;
      }),
    };
  } catch (error) {
    if (isAwsError(error, 'SubscriptionRequiredException')) {
      return {
        status: 'subscription required',
        error: `${message(error)}: the AWS Health API needs Business, Enterprise On-Ramp or Enterprise Support; look in the AWS Health Dashboard and the email to the account's contacts instead`,
        events: [],
      };
    }
    const denied = isAwsError(error, 'AccessDeniedException', 'AccessDenied');
    return { status: denied ? 'denied' : 'failed', error: message(error), events: [] };
  }
}

/** Reads GuardDuty (every Region, a few at once) and AWS Health; never throws for an AWS error. */
export async function fetchRelatedFindings(
  clients: RelatedFindingsClients,
  query: RelatedFindingsQuery,
): Promise<RelatedFindings> {
  const now = query.now ?? (() => new Date());
  // Nothing to search for (no key, no name): no Region is asked.
  const searched = query.accessKeyIds.length + query.userNames.length > 0;
  const regions = searched ? [...new Set(query.regions)] : [];
  const results: { check: GuardDutyRegionCheck; findings: GuardDutyFindingRef[] }[] = new Array(
    regions.length,
  );
  let next = 0;
  const worker = async () => {
    while (next < regions.length) {
      const index = next;
      next += 1;
      const region = regions[index];
      results[index] = await guardDutyRegion(clients.guardDuty(region), region, query);
    }
  };
  await Promise.all(Array.from({ length: Math.min(query.concurrency ?? 4, regions.length) }, worker));
  const health = await healthEvents(clients.health, query);
  const findings = results
    .flatMap((r) => r.findings)
    .sort(
      (a, b) => (b.severity ?? 0) - (a.severity ?? 0) || (a.updatedAt ?? '').localeCompare(b.updatedAt ?? ''),
    );
  return {
    checkedAt: now().toISOString(),
    accessKeyIds: query.accessKeyIds,
    userNames: query.userNames,
    since: query.since,
    guardDuty: { regions: results.map((r) => r.check), findings },
    health,
  };
}
