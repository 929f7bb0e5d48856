/**
 * IPv4 and IPv6 addresses and CIDR prefixes as bytes, and a binary prefix trie for
 * longest-prefix match: one walk of at most 32 (or 128) steps per look-up, whatever the
 * number of prefixes (AWS's ip-ranges.json holds over ten thousand).
 */

export type IpVersion = 4 | 6;

export interface IpAddress {
  readonly version: IpVersion;
  /** 4 or 16 bytes, network order. */
  readonly bytes: Uint8Array;
}

export interface Cidr extends IpAddress {
  /** Prefix length in bits. */
  readonly length: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): Uint8Array | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i += 1) {
    const part = m[i + 1];
    // A leading zero reads as octal to some tools (inet_aton): ambiguous, refused.
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes[i] = n;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const parts = half.split(':');
    const out: number[] = [];
    for (let i = 0; i < parts.length; i += 1) {
      const part = parts[i];
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (HEXTET.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 address is only allowed at the very end.
  if (halves.length === 2 && halves[0].includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** Parses a dotted-quad IPv4 or an RFC 4291 IPv6 address (no zone id); undefined when it is neither. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4) return { version: 4, bytes: v4 };
  if (!text.includes(':')) return undefined;
  const v6 = parseIpv6(text);
  return v6 ? { version: 6, bytes: v6 } : undefined;
}

/** Parses `ADDRESS/LENGTH` with no host bits set; undefined otherwise (see cidrProblem for why). */
export function parseCidr(text: string): Cidr | undefined {
  const parsed = cidrOrProblem(text);
  return typeof parsed === 'string' ? undefined : parsed;
}

/** Why `text` is not a CIDR prefix, or the prefix. */
export function cidrOrProblem(text: string): Cidr | string {
  const slash = text.indexOf('/');
  if (slash < 0) return 'has no /length';
  const address = parseIp(text.slice(0, slash));
  if (!address) return 'is not an IPv4 or IPv6 address followed by /length';
  const lengthText = text.slice(slash + 1);
  const max = address.version === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > max) {
    return `has a prefix length that is not 0-${max}`;
  }
  const length = Number(lengthText);
  for (let bit = length; bit < max; bit += 1) {
    if (bitAt(address.bytes, bit)) return `has host bits set after /${length}`;
  }
  return { ...address, length };
}

function bitAt(bytes: Uint8Array, index: number): number {
  return (bytes[index >> 3] >> (7 - (index & 7))) & 1;
}

/**
 * The canonical text: dotted quad, or RFC 5952 IPv6 (lower case, the first longest run of
 * zeros as `::`, an IPv4-mapped address in mixed notation).
 */
export function formatIp(address: IpAddress): string {
  const b = address.bytes;
  if (address.version === 4) return Array.from(b).join('.');
  const v4 = mappedIpv4(address);
  if (v4) return `::ffff:${formatIp(v4)}`;
  const groups = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr)}/${cidr.length}`;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:198.51.100.7`), if it is one. */
export function mappedIpv4(address: IpAddress): IpAddress | undefined {
  if (address.version !== 6) return undefined;
  const b = address.bytes;
  for (let i = 0; i < 10; i += 1) if (b[i] !== 0) return undefined;
  if (b[10] !== 0xff || b[11] !== 0xff) return undefined;
  return { version: 4, bytes: b.slice(12) };
}

interface TrieNode<T> {
  zero?: TrieNode<T>;
  one?: TrieNode<T>;
  /** Values of the prefix that ends here. */
  values?: T[];
  prefix?: Cidr;
}

export interface PrefixMatch<T> {
  readonly prefix: Cidr;
  readonly values: readonly T[];
}

/** A binary trie of IPv4 and IPv6 prefixes; a prefix inserted twice keeps every value. */
export class PrefixTrie<T> {
  private readonly roots: Record<IpVersion, TrieNode<T>> = { 4: {}, 6: {} };
  private count = 0;

  public get size(): number {
    return this.count;
  }

  public insert(prefix: Cidr, value: T): void {
    let node = this.roots[prefix.version];
    for (let bit = 0; bit < prefix.length; bit += 1) {
      const side = bitAt(prefix.bytes, bit) ? 'one' : 'zero';
      node = node[side] ??= {};
    }
    if (!node.values) {
      node.values = [];
      node.prefix = prefix;
      this.count += 1;
    }
    node.values.push(value);
  }

  /** Every prefix that holds the address, shortest first (the last is the longest-prefix match). */
  public matches(address: IpAddress): PrefixMatch<T>[] {
    const found: PrefixMatch<T>[] = [];
    let node: TrieNode<T> | undefined = this.roots[address.version];
    const bits = address.version === 4 ? 32 : 128;
    for (let bit = 0; node; bit += 1) {
      if (node.values && node.prefix) found.push({ prefix: node.prefix, values: node.values });
      if (bit === bits) break;
      node = bitAt(address.bytes, bit) ? node.one : node.zero;
    }
    return found;
  }

  /** The longest prefix that holds the address. */
  public longestMatch(address: IpAddress): PrefixMatch<T> | undefined {
    const all = this.matches(address);
    return all[all.length - 1];
  }
}
