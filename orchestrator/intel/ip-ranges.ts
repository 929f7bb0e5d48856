import { IrKitError } from '../../lib/errors';
import type { AwsOwner } from '../investigate/types';
import { IpAddress, PrefixTrie, cidrOrProblem, formatCidr } from './cidr';

/**
 * AWS's published IP address ranges (`ip-ranges.json`, "AWS IP address ranges" in the
 * VPC User Guide): which service and Region own an address. A prefix appears once per
 * service: every range is under `AMAZON`, and again under the service using it (EC2,
 * S3, CLOUDFRONT, ...), so an address's services are those of every prefix holding it.
 */

export const IP_RANGES_URL = 'https://ip-ranges.amazonaws.com/ip-ranges.json';

export interface AwsRangeEntry {
  readonly prefix: string;
  readonly region: string;
  readonly service: string;
  readonly networkBorderGroup: string | null;
}

export interface IpRanges {
  readonly syncToken: string;
  /** AWS's `YYYY-MM-DD-hh-mm-ss` publication time. */
  readonly createDate: string;
  /** Prefixes read (IPv4 and IPv6 entries). */
  readonly entries: number;
  /** Where it was read from (a file path or URL). */
  readonly source: string;
  lookup(address: IpAddress): AwsOwner | undefined;
}

function bad(source: string, problem: string): IrKitError {
  return new IrKitError('IRKIT_INVALID_INPUT', `${source} is not AWS's ip-ranges.json: ${problem}`, {
    hint: `give the file published at ${IP_RANGES_URL} (irkit ip-ranges update fetches and caches it), unedited`,
  });
}

const kindOf = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

/**
 * Reads ip-ranges.json text into a prefix trie. Throws IRKIT_INVALID_INPUT naming the
 * first bad field (`prefixes[12].ip_prefix`) on corrupt JSON or a wrong shape.
 */
export function parseIpRanges(text: string, source: string): IpRanges {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw bad(source, `not valid JSON (${(error as Error).message}); was the download cut short?`);
  }
  if (kindOf(doc) !== 'object') throw bad(source, `the document is ${kindOf(doc)}, expected an object`);
  const record = doc as Record<string, unknown>;
  for (const field of ['syncToken', 'createDate'] as const) {
    if (typeof record[field] !== 'string') {
      throw bad(source, `${field} is ${kindOf(record[field])}, expected a string`);
    }
  }
  const trie = new PrefixTrie<AwsRangeEntry>();
  let entries = 0;
  const lists = [
    { list: 'prefixes', key: 'ip_prefix', version: 4 },
    { list: 'ipv6_prefixes', key: 'ipv6_prefix', version: 6 },
  ] as const;
  for (const { list, key, version } of lists) {
    const items = record[list];
    if (!Array.isArray(items)) throw bad(source, `${list} is ${kindOf(items)}, expected an array`);
    items.forEach((item: unknown, index) => {
      const where = `${list}[${index}]`;
      if (kindOf(item) !== 'object') throw bad(source, `${where} is ${kindOf(item)}, expected an object`);
      const entry = item as Record<string, unknown>;
      for (const field of [key, 'region', 'service']) {
        if (typeof entry[field] !== 'string' || entry[field] === '') {
          throw bad(
            source,
            `${where}.${field} is ${JSON.stringify(entry[field])}, expected a non-empty string`,
          );
        }
      }
      const border = entry.network_border_group;
      if (border !== undefined && typeof border !== 'string') {
        throw bad(source, `${where}.network_border_group is ${kindOf(border)}, expected a string`);
      }
      const parsed = cidrOrProblem(entry[key] as string);
      if (typeof parsed === 'string' || parsed.version !== version) {
        throw bad(
          source,
          `${where}.${key} ${JSON.stringify(entry[key])} ${typeof parsed === 'string' ? parsed : `is not an IPv${version} prefix`}`,
        );
      }
      trie.insert(parsed, {
        prefix: formatCidr(parsed),
        region: entry.region as string,
        service: entry.service as string,
        networkBorderGroup: border ?? null,
      });
      entries += 1;
    });
  }
  return {
    syncToken: record.syncToken as string,
    createDate: record.createDate as string,
    entries,
    source,
    lookup: (address) => owner(trie, address),
  };
}

function owner(trie: PrefixTrie<AwsRangeEntry>, address: IpAddress): AwsOwner | undefined {
  const matches = trie.matches(address);
  if (matches.length === 0) return undefined;
  const longest = matches[matches.length - 1];
  // At the longest prefix a service's entry says more than AMAZON's (the same range, listed again).
  const best = longest.values.find((v) => v.service !== 'AMAZON') ?? longest.values[0];
  return {
    prefix: best.prefix,
    region: best.region,
    networkBorderGroup: best.networkBorderGroup,
    services: [...new Set(matches.flatMap((m) => m.values.map((v) => v.service)))].sort(),
  };
}
