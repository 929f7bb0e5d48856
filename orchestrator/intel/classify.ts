import type {
  AddressIntel,
  AddressLookups,
  FlowAddress,
  IpIntelligence,
  NetworkFlow,
  SourceIp,
} from '../investigate/types';
import { IpAddress, formatIp, mappedIpv4, parseIp } from './cidr';
import { IpRanges } from './ip-ranges';
import { specialRange } from './special-ranges';
import { TorExitList } from './tor-exits';

/**
 * Playbook step 6 offline: each of the actor's addresses classified by IANA's special
 * ranges, AWS's published ranges and a Tor exit list, with the look-ups the playbook names.
 */

export interface IntelSources {
  /** AWS's ip-ranges.json; absent: AWS ownership is not checked. */
  readonly ipRanges?: IpRanges;
  /** A Tor exit list; absent: Tor exits are not checked. */
  readonly torExits?: TorExitList;
}

/** Scopes a public reputation service can say something about. */
const LOOKED_UP = new Set(['public', 'documentation']);

/**
 * The playbook's links and commands. ExoneraTor answers for one day: the day given
 * (`YYYY-MM-DD`). The address is canonical text from parseIp, and encoded anyway.
 */
export function addressLookups(address: string, day: string): AddressLookups {
  const ip = encodeURIComponent(address);
  return {
    exonerator: `https://metrics.torproject.org/exonerator.html?ip=${ip}&timestamp=${encodeURIComponent(day)}&lang=en`,
    greynoise: `https://www.greynoise.io/viz/query/?gnql=${ip}`,
    rdap: `https://rdap.org/ip/${ip}`,
    whois: `whois ${address}`,
  };
}

/** Classifies one address; undefined when the text is not an IP address (`AWS Internal`). */
export function classifyAddress(text: string, day: string, sources: IntelSources): AddressIntel | undefined {
  const parsed = parseIp(text);
  if (!parsed) return undefined;
  const ipv4 = mappedIpv4(parsed);
  const address: IpAddress = ipv4 ?? parsed;
  const canonical = formatIp(address);
  const special = specialRange(address);
  const scope = special?.scope ?? 'public';
  const aws = sources.ipRanges?.lookup(address);
  return {
    scope,
    ...(special ? { range: `${special.prefix}: ${special.name}` } : {}),
    ...(ipv4 ? { ipv4: canonical } : {}),
    ...(aws ? { aws } : {}),
    ...(sources.torExits ? { torExit: sources.torExits.has(address) } : {}),
    ...(LOOKED_UP.has(scope) ? { lookups: addressLookups(canonical, day) } : {}),
  };
}

/** The record of what was checked, with a note for each source missing. */
export function intelligenceRecord(sources: IntelSources): IpIntelligence {
  const notes: string[] = [];
  if (!sources.ipRanges) {
    notes.push(
      'AWS ownership not checked: give --ip-ranges FILE (AWS’s ip-ranges.json), or run irkit ip-ranges update once online',
    );
  }
  if (!sources.torExits) {
    notes.push(
      'Tor exits not checked: give --tor-exits FILE (https://check.torproject.org/torbulkexitlist), or use the ExoneraTor links',
    );
  }
  return {
    ipRanges: sources.ipRanges
      ? {
          source: sources.ipRanges.source,
          syncToken: sources.ipRanges.syncToken,
          createDate: sources.ipRanges.createDate,
          prefixes: sources.ipRanges.entries,
        }
      : null,
    torExits: sources.torExits
      ? { source: sources.torExits.source, addresses: sources.torExits.addresses }
      : null,
    notes,
  };
}

/** `2021/07/24...` or `2021-07-24T...` as ExoneraTor's day. */
const dayOf = (time: string) => time.slice(0, 10).replace(/\//g, '-');

/**
 * Each IP address of the list classified; ExoneraTor's day is the day the address was last
 * seen (else `fallbackDay`, the window's last day).
 */
export function classifySourceIps(
  sourceIps: readonly SourceIp[],
  sources: IntelSources,
  fallbackDay: string,
): SourceIp[] {
  return sourceIps.map((s) => {
    const day = dayOf(s.lastSeen ?? fallbackDay);
    const intel = s.isIp ? classifyAddress(s.address, day, sources) : undefined;
    const unclassified: SourceIp = { ...s };
    delete (unclassified as { intel?: unknown }).intel;
    return intel ? { ...unclassified, intel } : unclassified;
  });
}

/**
 * Every address of the VPC flows (both sides), classified as the source addresses are; in
 * order of first appearance. ExoneraTor's day is the end of the last flow holding it.
 */
export function classifyFlowAddresses(
  flows: readonly NetworkFlow[],
  sources: IntelSources,
  fallbackDay: string,
): FlowAddress[] {
  const seen = new Map<
    string,
    { side: FlowAddress['side']; flows: number; bytes: number; lastSeen: string | null }
  >();
  const add = (address: string, side: 'source' | 'destination', f: NetworkFlow) => {
    const was = seen.get(address);
    const lastSeen =
      [was?.lastSeen, f.lastEnd]
        .filter((t): t is string => !!t)
        .sort()
        .pop() ?? null;
    seen.set(address, {
      side: was && was.side !== side ? 'both' : side,
      flows: (was?.flows ?? 0) + 1,
      bytes: (was?.bytes ?? 0) + f.bytes,
      lastSeen,
    });
  };
  for (const f of flows) {
    add(f.sourceAddress, 'source', f);
    add(f.destinationAddress, 'destination', f);
  }
  return [...seen].map(([address, facts]) => {
    const intel = classifyAddress(address, dayOf(facts.lastSeen ?? fallbackDay), sources);
    return { address, ...facts, ...(intel ? { intel } : {}) };
  });
}
