import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  classifyAddress,
  classifyFlowAddresses,
  classifySourceIps,
  intelligenceRecord,
  parseIpRanges,
  parseTorExitList,
} from '../../../orchestrator/intel';
import { NetworkFlow, SourceIp } from '../../../orchestrator/investigate';

const FIXTURES = join(__dirname, '../../fixtures/intel');
const ipRanges = parseIpRanges(readFileSync(join(FIXTURES, 'ip-ranges.sample.json'), 'utf8'), 'sample');
const torExits = parseTorExitList(readFileSync(join(FIXTURES, 'tor-exits.sample.txt'), 'utf8'), 'tor');
const sources = { ipRanges, torExits };

describe('classifyAddress', () => {
  it.each([
    ['10.1.2.3', 'private', '10.0.0.0/8: Private-Use (RFC 1918)'],
    ['172.31.255.255', 'private', '172.16.0.0/12: Private-Use (RFC 1918)'],
    ['192.168.0.1', 'private', '192.168.0.0/16: Private-Use (RFC 1918)'],
    ['100.64.0.1', 'shared', '100.64.0.0/10: Shared Address Space, carrier-grade NAT (RFC 6598)'],
    ['100.127.255.255', 'shared', '100.64.0.0/10: Shared Address Space, carrier-grade NAT (RFC 6598)'],
    ['127.0.0.1', 'loopback', '127.0.0.0/8: Loopback (RFC 1122)'],
    ['169.254.169.254', 'link-local', '169.254.0.0/16: Link Local (RFC 3927)'],
    ['192.0.2.1', 'documentation', '192.0.2.0/24: Documentation, TEST-NET-1 (RFC 5737)'],
    ['198.51.100.77', 'documentation', '198.51.100.0/24: Documentation, TEST-NET-2 (RFC 5737)'],
    ['203.0.113.9', 'documentation', '203.0.113.0/24: Documentation, TEST-NET-3 (RFC 5737)'],
    ['224.0.0.251', 'multicast', '224.0.0.0/4: Multicast (RFC 5771)'],
    ['233.252.0.1', 'documentation', '233.252.0.0/24: Documentation, MCAST-TEST-NET (RFC 6676)'],
    ['240.0.0.1', 'reserved', '240.0.0.0/4: Reserved for future use (RFC 1112)'],
    ['255.255.255.255', 'reserved', '255.255.255.255/32: Limited Broadcast (RFC 919)'],
    ['198.18.0.1', 'reserved', '198.18.0.0/15: Benchmarking (RFC 2544)'],
    ['0.0.0.0', 'unspecified', '0.0.0.0/32: "This host on this network" (RFC 1122)'],
    ['::', 'unspecified', '::/128: Unspecified Address (RFC 4291)'],
    ['::1', 'loopback', '::1/128: Loopback Address (RFC 4291)'],
    ['fe80::1', 'link-local', 'fe80::/10: Link-Local Unicast (RFC 4291)'],
    ['fd00::1', 'private', 'fc00::/7: Unique-Local (RFC 4193)'],
    ['ff02::1', 'multicast', 'ff00::/8: Multicast (RFC 4291)'],
    ['2001:db8::7', 'documentation', '2001:db8::/32: Documentation (RFC 3849)'],
    ['3fff::1', 'documentation', '3fff::/20: Documentation (RFC 9637)'],
    ['2001::1', 'reserved', '2001::/32: TEREDO (RFC 4380)'],
    ['100::1', 'reserved', '100::/64: Discard-Only Address Block (RFC 6666)'],
    ['4000::1', 'reserved', '::/0: Outside IPv6 global unicast 2000::/3 (RFC 4291)'],
  ])('%s is %s (%s)', (address, scope, range) => {
    const intel = classifyAddress(address, '2021-07-24', {});
    expect(intel).toMatchObject({ scope, range });
  });

  it('a public address outside every special block is public, with no range', () => {
    const intel = classifyAddress('8.8.8.8', '2021-07-24', {});
    expect(intel?.scope).toBe('public');
    expect(intel).not.toHaveProperty('range');
    expect(classifyAddress('2a00:1450::1', '2021-07-24', {})?.scope).toBe('public');
  });

  it('an IPv4-mapped IPv6 address is classified as its IPv4 address', () => {
    expect(classifyAddress('::ffff:10.0.0.1', '2021-07-24', {})).toMatchObject({
      scope: 'private',
      ipv4: '10.0.0.1',
    });
    expect(classifyAddress('::ffff:52.1.2.3', '2021-07-24', sources)?.aws?.services).toEqual([
      'AMAZON',
      'EC2',
    ]);
  });

  it('names the AWS range, Region and every service of an AWS address (longest prefix first)', () => {
    expect(classifyAddress('18.206.107.27', '2021-07-24', sources)?.aws).toEqual({
      prefix: '18.206.107.24/29',
      region: 'us-east-1',
      networkBorderGroup: 'us-east-1',
      services: ['AMAZON', 'EC2', 'EC2_INSTANCE_CONNECT'],
    });
    expect(classifyAddress('18.206.107.32', '2021-07-24', sources)?.aws).toMatchObject({
      prefix: '18.204.0.0/14',
      services: ['AMAZON', 'EC2'],
    });
    expect(classifyAddress('13.33.1.1', '2021-07-24', sources)?.aws).toMatchObject({
      region: 'GLOBAL',
      services: ['AMAZON', 'CLOUDFRONT'],
    });
    expect(classifyAddress('2600:1f18:7fff:f8ff::1', '2021-07-24', sources)?.aws).toMatchObject({
      prefix: '2600:1f18:7fff:f800::/56',
      services: ['AMAZON', 'EC2', 'ROUTE53_HEALTHCHECKS'],
    });
    expect(classifyAddress('2600:1f18:8000::1', '2021-07-24', sources)).not.toHaveProperty('aws');
    expect(classifyAddress('8.8.8.8', '2021-07-24', sources)).not.toHaveProperty('aws');
  });

  it('says whether the address is a listed Tor exit only when a list was given', () => {
    expect(classifyAddress('203.0.113.66', '2021-07-24', sources)?.torExit).toBe(true);
    expect(classifyAddress('2001:DB8:0::66', '2021-07-24', sources)?.torExit).toBe(true);
    expect(classifyAddress('203.0.113.67', '2021-07-24', sources)?.torExit).toBe(false);
    expect(classifyAddress('203.0.113.66', '2021-07-24', {})).not.toHaveProperty('torExit');
  });

  it('gives the playbook’s look-ups (ExoneraTor on the day, GreyNoise, RDAP, whois) for public and documentation addresses', () => {
    expect(classifyAddress('198.51.100.77', '2021-07-24', {})?.lookups).toEqual({
      exonerator:
        'https://metrics.torproject.org/exonerator.html?ip=198.51.100.77&timestamp=2021-07-24&lang=en',
      greynoise: 'https://www.greynoise.io/viz/query/?gnql=198.51.100.77',
      rdap: 'https://rdap.org/ip/198.51.100.77',
      whois: 'whois 198.51.100.77',
    });
    expect(classifyAddress('2001:db8::7', '2021-07-24', {})?.lookups?.greynoise).toBe(
      'https://www.greynoise.io/viz/query/?gnql=2001%3Adb8%3A%3A7',
    );
    for (const local of ['10.0.0.1', '100.64.0.1', '127.0.0.1', 'fe80::1', '224.0.0.1', '240.0.0.1']) {
      expect(classifyAddress(local, '2021-07-24', {})).not.toHaveProperty('lookups');
    }
  });

  it('leaves what is not an IP address alone', () => {
    expect(classifyAddress('AWS Internal', '2021-07-24', sources)).toBeUndefined();
    expect(classifyAddress('<img src=x>', '2021-07-24', sources)).toBeUndefined();
  });
});

describe('classifySourceIps', () => {
  const row = (address: string, isIp: boolean, lastSeen: string | null): SourceIp => ({
    address,
    isIp,
    events: 1,
    principals: ['AttackerUser'],
    userAgents: [],
    firstSeen: lastSeen,
    lastSeen,
    others: [],
  });

  it('classifies the IP addresses, ExoneraTor on the day each was last seen, and replaces an earlier classification', () => {
    const first = classifySourceIps(
      [row('198.51.100.77', true, '2021-07-20T10:00:00Z'), row('AWS Internal', false, null)],
      {},
      '2021/07/24',
    );
    expect(first[0].intel?.lookups?.exonerator).toContain('timestamp=2021-07-20');
    expect(first[1]).not.toHaveProperty('intel');
    const again = classifySourceIps(first, sources, '2021/07/24');
    expect(again[0].intel).toMatchObject({ scope: 'documentation', torExit: false });
    const noDate = classifySourceIps([row('198.51.100.77', true, null)], {}, '2021/07/24');
    expect(noDate[0].intel?.lookups?.exonerator).toContain('timestamp=2021-07-24');
  });
});

describe('classifyFlowAddresses', () => {
  const flow = (from: string, to: string, bytes: number, lastEnd: string | null): NetworkFlow => ({
    sourceAddress: from,
    destinationAddress: to,
    destinationPort: 22,
    protocol: 6,
    action: 'ACCEPT',
    records: 1,
    bytes,
    firstStart: lastEnd,
    lastEnd,
  });

  it('classifies both sides of every flow as the source addresses are: AWS, private, shared, reserved, documentation, Tor exit', () => {
    const flows = [
      flow('203.0.113.66', '10.0.1.25', 60, '2021-07-20T10:00:00Z'),
      flow('10.0.1.25', '52.0.0.10', 900, '2021-07-21T10:00:00Z'),
      flow('100.64.0.1', '10.0.1.25', 5, '2021-07-22T10:00:00Z'),
      flow('240.0.0.1', '198.51.100.77', 1, null),
      flow('-', '198.51.100.77', 1, null),
    ];
    const out = classifyFlowAddresses(flows, sources, '2021/07/24');
    const by = new Map(out.map((a) => [a.address, a]));
    expect(out.map((a) => a.address)).toEqual([
      '203.0.113.66',
      '10.0.1.25',
      '52.0.0.10',
      '100.64.0.1',
      '240.0.0.1',
      '198.51.100.77',
      '-',
    ]);
    expect(by.get('203.0.113.66')).toMatchObject({
      side: 'source',
      intel: { scope: 'documentation', torExit: true },
    });
    expect(by.get('203.0.113.66')?.intel?.lookups?.exonerator).toContain('timestamp=2021-07-20');
    expect(by.get('10.0.1.25')).toMatchObject({
      side: 'both',
      flows: 3,
      bytes: 965,
      lastSeen: '2021-07-22T10:00:00Z',
      intel: { scope: 'private', torExit: false },
    });
    expect(by.get('10.0.1.25')?.intel).not.toHaveProperty('lookups');
    expect(by.get('52.0.0.10')?.intel?.aws).toMatchObject({
      region: 'us-east-1',
      services: ['AMAZON', 'EC2'],
    });
    expect(by.get('100.64.0.1')?.intel?.scope).toBe('shared');
    expect(by.get('240.0.0.1')?.intel?.scope).toBe('reserved');
    expect(by.get('198.51.100.77')?.intel?.lookups?.exonerator).toContain('timestamp=2021-07-24');
    expect(by.get('-')).not.toHaveProperty('intel');
  });
});

describe('intelligenceRecord', () => {
  it('records the sources read, and says what was not checked and how to check it', () => {
    expect(intelligenceRecord(sources)).toEqual({
      ipRanges: {
        source: 'sample',
        syncToken: '1700000000',
        createDate: '2023-11-14-22-13-20',
        prefixes: 16,
      },
      torExits: { source: 'tor', addresses: 2 },
      notes: [],
    });
    const none = intelligenceRecord({});
    expect(none.ipRanges).toBeNull();
    expect(none.notes.join('\n')).toMatch(/--ip-ranges FILE.*irkit ip-ranges update/);
    expect(none.notes.join('\n')).toMatch(/--tor-exits FILE/);
  });
});
