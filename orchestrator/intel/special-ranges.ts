import type { AddressScope } from '../investigate/types';
import { Cidr, IpAddress, PrefixTrie, parseCidr } from './cidr';

export interface SpecialRange {
  readonly prefix: string;
  readonly scope: AddressScope;
  /** IANA's name for the block and the RFC that sets it aside. */
  readonly name: string;
}

/**
 * IANA's IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890), multicast and the
 * IPv6 unicast space; the most specific block holding an address says what it is.
 */
export const SPECIAL_RANGES: readonly SpecialRange[] = [
  { prefix: '0.0.0.0/8', scope: 'reserved', name: '"This network" (RFC 791)' },
  { prefix: '0.0.0.0/32', scope: 'unspecified', name: '"This host on this network" (RFC 1122)' },
  { prefix: '10.0.0.0/8', scope: 'private', name: 'Private-Use (RFC 1918)' },
  { prefix: '100.64.0.0/10', scope: 'shared', name: 'Shared Address Space, carrier-grade NAT (RFC 6598)' },
  { prefix: '127.0.0.0/8', scope: 'loopback', name: 'Loopback (RFC 1122)' },
  { prefix: '169.254.0.0/16', scope: 'link-local', name: 'Link Local (RFC 3927)' },
  { prefix: '172.16.0.0/12', scope: 'private', name: 'Private-Use (RFC 1918)' },
  { prefix: '192.0.0.0/24', scope: 'reserved', name: 'IETF Protocol Assignments (RFC 6890)' },
  { prefix: '192.0.2.0/24', scope: 'documentation', name: 'Documentation, TEST-NET-1 (RFC 5737)' },
  { prefix: '192.88.99.0/24', scope: 'reserved', name: 'Deprecated 6to4 Relay Anycast (RFC 7526)' },
  { prefix: '192.168.0.0/16', scope: 'private', name: 'Private-Use (RFC 1918)' },
  { prefix: '198.18.0.0/15', scope: 'reserved', name: 'Benchmarking (RFC 2544)' },
  { prefix: '198.51.100.0/24', scope: 'documentation', name: 'Documentation, TEST-NET-2 (RFC 5737)' },
  { prefix: '203.0.113.0/24', scope: 'documentation', name: 'Documentation, TEST-NET-3 (RFC 5737)' },
  { prefix: '224.0.0.0/4', scope: 'multicast', name: 'Multicast (RFC 5771)' },
  { prefix: '233.252.0.0/24', scope: 'documentation', name: 'Documentation, MCAST-TEST-NET (RFC 6676)' },
  { prefix: '240.0.0.0/4', scope: 'reserved', name: 'Reserved for future use (RFC 1112)' },
  { prefix: '255.255.255.255/32', scope: 'reserved', name: 'Limited Broadcast (RFC 919)' },
  { prefix: '::/0', scope: 'reserved', name: 'Outside IPv6 global unicast 2000::/3 (RFC 4291)' },
  { prefix: '::/128', scope: 'unspecified', name: 'Unspecified Address (RFC 4291)' },
  { prefix: '::1/128', scope: 'loopback', name: 'Loopback Address (RFC 4291)' },
  { prefix: '64:ff9b::/96', scope: 'reserved', name: 'IPv4-IPv6 Translation, NAT64 (RFC 6052)' },
  { prefix: '64:ff9b:1::/48', scope: 'private', name: 'Local-Use IPv4/IPv6 Translation (RFC 8215)' },
  { prefix: '100::/64', scope: 'reserved', name: 'Discard-Only Address Block (RFC 6666)' },
  { prefix: '2000::/3', scope: 'public', name: 'Global Unicast (RFC 4291)' },
  { prefix: '2001::/23', scope: 'reserved', name: 'IETF Protocol Assignments (RFC 2928)' },
  { prefix: '2001::/32', scope: 'reserved', name: 'TEREDO (RFC 4380)' },
  { prefix: '2001:2::/48', scope: 'reserved', name: 'Benchmarking (RFC 5180)' },
  { prefix: '2001:db8::/32', scope: 'documentation', name: 'Documentation (RFC 3849)' },
  { prefix: '3fff::/20', scope: 'documentation', name: 'Documentation (RFC 9637)' },
  { prefix: '5f00::/16', scope: 'reserved', name: 'Segment Routing SIDs (RFC 9602)' },
  { prefix: 'fc00::/7', scope: 'private', name: 'Unique-Local (RFC 4193)' },
  { prefix: 'fe80::/10', scope: 'link-local', name: 'Link-Local Unicast (RFC 4291)' },
  { prefix: 'fec0::/10', scope: 'private', name: 'Site-Local, deprecated (RFC 3879)' },
  { prefix: 'ff00::/8', scope: 'multicast', name: 'Multicast (RFC 4291)' },
];

const TRIE = (() => {
  const trie = new PrefixTrie<SpecialRange>();
  for (const range of SPECIAL_RANGES) trie.insert(parseCidr(range.prefix) as Cidr, range);
  return trie;
})();

/** The special-purpose block holding the address (the most specific), or undefined for a public address. */
export function specialRange(address: IpAddress): SpecialRange | undefined {
  const match = TRIE.longestMatch(address);
  const range = match?.values[0];
  return range && range.scope !== 'public' ? range : undefined;
}
