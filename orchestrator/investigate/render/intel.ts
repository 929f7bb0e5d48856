import { AddressIntel, InvestigationResult, IpIntelligence } from '../types';
import { CellValue } from './document';

type Cells = readonly CellValue[];

/**
 * The sections for what irkit adds beyond the logs, defined once for every format: the
 * source addresses' reputation (playbook step 6) and the related findings (Part 3 Q1).
 * Link cells carry URLs irkit built (from a parsed address, a finding id or event ARN,
 * URL-encoded); `link` says how a format shows them.
 */
export interface IntelSection {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly Cells[];
  /** Lines under the table (sources read, what was not checked). */
  readonly notes: readonly string[];
  /** Shown instead of the table when there are no rows. */
  readonly empty: string;
}

export type LinkFormat = (label: string, url: string) => string;

const yesNo = (value: boolean | undefined) => (value === undefined ? 'not checked' : value ? 'YES' : 'no');

/** An address and what it is: a source address or a flow-log address. */
interface Classified {
  readonly address: string;
  readonly intel?: AddressIntel;
  /** For flow-log addresses: source, destination or both. */
  readonly side?: string;
}

/**
 * Step 6's table of some addresses. `lookupsAs: 'lines'` (a terminal) lists each address's
 * look-ups under the table rather than in a column too wide to read.
 */
function reputation(
  addresses: readonly Classified[],
  info: IpIntelligence | undefined,
  link: LinkFormat,
  lookupsAs: 'column' | 'lines',
  sides: boolean,
): Pick<IntelSection, 'headers' | 'rows'> & { readonly lookupLines: string[] } {
  const classified = addresses.filter((s) => s.intel);
  const lines = lookupsAs === 'lines';
  const rows = classified.map((s) => {
    const i = s.intel!;
    return [
      s.address,
      ...(sides ? [s.side ?? ''] : []),
      `${i.scope}${i.range ? ` (${i.range})` : ''}${i.ipv4 ? `, IPv4-mapped ${i.ipv4}` : ''}`,
      i.aws
        ? `${i.aws.services.join(', ')} ${i.aws.region} (${i.aws.prefix})`
        : info?.ipRanges
          ? 'no'
          : 'not checked',
      yesNo(i.torExit),
      ...(lines
        ? []
        : [
            i.lookups
              ? [
                  link('ExoneraTor', i.lookups.exonerator),
                  link('GreyNoise', i.lookups.greynoise),
                  link('RDAP', i.lookups.rdap),
                ].join(' ')
              : '',
            i.lookups?.whois ?? '',
          ]),
    ];
  });
  const lookupLines = lines
    ? classified
        .filter((s) => s.intel?.lookups)
        .map((s) => {
          const l = s.intel!.lookups!;
          return `${s.address}: ${l.whois}; ${link('ExoneraTor', l.exonerator)}; ${link('GreyNoise', l.greynoise)}; ${link('RDAP', l.rdap)}`;
        })
    : [];
  return {
    headers: [
      'address',
      ...(sides ? ['in flows as'] : []),
      'scope',
      'AWS (services, Region, prefix)',
      'Tor exit',
      ...(lines ? [] : ['look-ups', 'whois']),
    ],
    rows,
    lookupLines,
  };
}

/** Step 6's table of the source addresses, with what they were checked against. */
export function reputationSection(
  result: InvestigationResult,
  link: LinkFormat,
  lookupsAs: 'column' | 'lines' = 'column',
): IntelSection {
  const info = result.ipIntelligence;
  const { headers, rows, lookupLines } = reputation(result.sourceIps, info, link, lookupsAs, false);
  const notes = [
    ...lookupLines,
    ...(info?.ipRanges
      ? [
          `AWS ranges: ${info.ipRanges.source} (syncToken ${info.ipRanges.syncToken}, published ${info.ipRanges.createDate}, ${info.ipRanges.prefixes} prefixes).`,
        ]
      : []),
    ...(info?.torExits ? [`Tor exits: ${info.torExits.source} (${info.torExits.addresses} addresses).`] : []),
    ...(info?.notes ?? []).map((n) => `${n}.`),
  ];
  return {
    title: 'Source IP address reputation (playbook step 6)',
    headers,
    rows,
    notes,
    empty: info ? 'No IP addresses.' : 'Not classified (written before irkit classified addresses).',
  };
}

/** The same for every address of the VPC flows (both sides), checked against the same sources. */
export function flowReputationSection(
  result: InvestigationResult,
  link: LinkFormat,
  lookupsAs: 'column' | 'lines' = 'column',
): IntelSection {
  const classified = result.network.addressIntel;
  const { headers, rows, lookupLines } = reputation(
    classified ?? [],
    result.ipIntelligence,
    link,
    lookupsAs,
    true,
  );
  return {
    title: 'Flow-log address reputation (playbook step 6)',
    headers,
    rows,
    notes: lookupLines,
    empty: classified
      ? 'No IP addresses in the flows.'
      : 'Not classified (written before irkit classified flow-log addresses): irkit report classifies them.',
  };
}

/** AWS's own quarantine of a key, found in the logs: shown with or without credentials. */
export function quarantineSection(result: InvestigationResult): IntelSection {
  // Documents written before awsActions existed have none.
  const rows = (result.awsActions ?? [])
    .filter((a) => a.kind === 'quarantine')
    .map((a) => [a.eventTime, a.principal, a.policy ?? '', a.eventName, a.by, a.eventId]);
  return {
    title: 'AWS quarantine in the logs',
    headers: ['eventtime', 'principal', 'policy', 'eventname', 'by', 'eventid'],
    rows,
    notes: [],
    empty: 'AWS attached no quarantine policy to the actor’s principals in the window.',
  };
}

export function guardDutySection(result: InvestigationResult, link: LinkFormat): IntelSection {
  const related = result.relatedFindings;
  const unread =
    related?.guardDuty.regions.filter((r) => r.status === 'denied' || r.status === 'failed') ?? [];
  const noDetector = related?.guardDuty.regions.filter((r) => r.status === 'no detector') ?? [];
  return {
    title: 'GuardDuty findings on the actor’s keys and principals',
    headers: [
      'severity',
      'type',
      'region',
      'key or user',
      'first / last event',
      'count',
      'updated',
      'finding',
    ],
    rows: (related?.guardDuty.findings ?? []).map((f) => [
      f.severity,
      `${f.type}${f.archived ? ' (archived)' : ''}`,
      f.region,
      f.accessKeyId ?? f.userName,
      `${f.eventFirstSeen ?? '?'} / ${f.eventLastSeen ?? '?'}`,
      f.count,
      f.updatedAt,
      `${f.id} ${link('console', f.consoleUrl)}`,
    ]),
    notes: related
      ? [
          `Read ${related.checkedAt} for ${related.accessKeyIds.length} key(s) and ${related.userNames.length} principal name(s), findings updated since ${related.since}.`,
          ...(noDetector.length > 0
            ? [`No GuardDuty detector in ${noDetector.map((r) => r.region).join(', ')}.`]
            : []),
          ...unread.map((r) => `Not read in ${r.region} (${r.status}): ${r.error ?? ''}`),
        ]
      : [],
    empty: related
      ? 'None.'
      : 'Not read (offline): run irkit investigate or irkit report with --related-findings and credentials.',
  };
}

export function healthSection(result: InvestigationResult, link: LinkFormat): IntelSection {
  const health = result.relatedFindings?.health;
  return {
    title: 'AWS Health AWS_RISK_CREDENTIALS_EXPOSED events',
    headers: ['start', 'status', 'affected', 'actor’s key', 'event'],
    rows: (health?.events ?? []).map((e) => [
      e.startTime,
      e.statusCode,
      e.affectedEntities.join(', '),
      e.actorKey ? 'YES' : 'no',
      `${e.arn} ${link('console', e.consoleUrl)}`,
    ]),
    notes:
      health && health.status !== 'checked' ? [`Not read (${health.status}): ${health.error ?? ''}`] : [],
    empty: health
      ? health.status === 'checked'
        ? 'None.'
        : 'Not read.'
      : 'Not read (offline): run with --related-findings and credentials.',
  };
}

/** Part 3 Q1's evidence: AWS's quarantine in the logs, then GuardDuty and AWS Health. */
export function relatedSections(result: InvestigationResult, link: LinkFormat): IntelSection[] {
  return [quarantineSection(result), guardDutySection(result, link), healthSection(result, link)];
}
