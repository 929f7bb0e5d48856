import {
  PrefixTrie,
  cidrOrProblem,
  formatIp,
  mappedIpv4,
  parseCidr,
  parseIp,
} from '../../../orchestrator/intel';

const cidr = (text: string) => {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`bad test prefix ${text}`);
  return parsed;
};
const ip = (text: string) => {
  const parsed = parseIp(text);
  if (!parsed) throw new Error(`bad test address ${text}`);
  return parsed;
};

describe('parseIp', () => {
  it.each([
    ['198.51.100.7', '198.51.100.7'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::', '2001:db8::'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['::ffff:198.51.100.7', '::ffff:198.51.100.7'],
    ['::FFFF:C633:6407', '::ffff:198.51.100.7'],
  ])('reads %s as %s (RFC 5952 text)', (text, canonical) => {
    expect(formatIp(ip(text))).toBe(canonical);
  });

  it.each([
    'AWS Internal',
    's3.amazonaws.com',
    '256.1.1.1',
    '1.2.3',
    '01.2.3.4',
    '1.2.3.4.5',
    '2001:db8::1::1',
    '2001:db8:1:2:3:4:5:6:7',
    '2001:db8:1:2:3:4:5',
    'fe80::1%eth0',
    '12345::',
    '1.2.3.4::',
    '',
  ])('refuses %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('finds the IPv4 address in an IPv4-mapped IPv6 address, and nowhere else', () => {
    expect(formatIp(mappedIpv4(ip('::ffff:198.51.100.7'))!)).toBe('198.51.100.7');
    expect(mappedIpv4(ip('64:ff9b::198.51.100.7'))).toBeUndefined();
    expect(mappedIpv4(ip('198.51.100.7'))).toBeUndefined();
  });
});

describe('cidrOrProblem', () => {
  it('says why a prefix is refused', () => {
    expect(cidrOrProblem('10.0.0.0')).toBe('has no /length');
    expect(cidrOrProblem('10.0.0.0/33')).toBe('has a prefix length that is not 0-32');
    expect(cidrOrProblem('2001:db8::/129')).toBe('has a prefix length that is not 0-128');
    expect(cidrOrProblem('10.0.0.1/8')).toBe('has host bits set after /8');
    expect(cidrOrProblem('2001:db8::1/32')).toBe('has host bits set after /32');
    expect(cidrOrProblem('nonsense/8')).toBe('is not an IPv4 or IPv6 address followed by /length');
    expect(cidrOrProblem('10.0.0.0/0x8')).toBe('has a prefix length that is not 0-32');
  });
});

describe('PrefixTrie', () => {
  const trie = new PrefixTrie<string>();
  trie.insert(cidr('0.0.0.0/0'), 'v4 default');
  trie.insert(cidr('10.0.0.0/8'), 'ten');
  trie.insert(cidr('10.1.0.0/16'), 'ten-one');
  trie.insert(cidr('10.1.0.0/16'), 'ten-one again');
  trie.insert(cidr('10.1.2.3/32'), 'host');
  trie.insert(cidr('2001:db8::/32'), 'doc6');
  trie.insert(cidr('2001:db8:8000::/33'), 'doc6 upper half');

  it('returns the longest prefix holding the address, with every value inserted for it', () => {
    expect(trie.longestMatch(ip('10.1.9.9'))).toMatchObject({ values: ['ten-one', 'ten-one again'] });
    expect(trie.longestMatch(ip('10.1.2.3'))?.values).toEqual(['host']);
    expect(trie.longestMatch(ip('10.2.0.0'))?.values).toEqual(['ten']);
    expect(trie.longestMatch(ip('11.0.0.0'))?.values).toEqual(['v4 default']);
    expect(formatIp(trie.longestMatch(ip('10.1.9.9'))!.prefix)).toBe('10.1.0.0');
  });

  it('lists every prefix holding the address, shortest first', () => {
    expect(trie.matches(ip('10.1.2.3')).map((m) => m.values[0])).toEqual([
      'v4 default',
      'ten',
      'ten-one',
      'host',
    ]);
  });

  it('keeps IPv4 and IPv6 apart (no IPv6 default route here)', () => {
    expect(trie.longestMatch(ip('2001:db8:8000::1'))?.values).toEqual(['doc6 upper half']);
    expect(trie.longestMatch(ip('2001:db8:7fff::1'))?.values).toEqual(['doc6']);
    expect(trie.longestMatch(ip('2001:db9::1'))).toBeUndefined();
    expect(trie.longestMatch(ip('::ffff:10.1.2.3'))).toBeUndefined();
  });

  it('counts distinct prefixes', () => {
    expect(trie.size).toBe(6);
  });

  it('agrees with a linear scan on random addresses and prefixes (IPv4 and IPv6)', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => random() & 0xff);
    const masked = (b: Uint8Array, length: number) =>
      b.map((x, i) => (i * 8 >= length ? 0 : i * 8 + 8 <= length ? x : x & (0xff << (8 - (length - i * 8)))));
    for (const version of [4, 6] as const) {
      const width = version === 4 ? 4 : 16;
      const prefixes = Array.from({ length: 200 }, () => {
        const length = random() % (width * 8 + 1);
        return { version, length, bytes: masked(bytes(width), length) };
      });
      const random8 = new PrefixTrie<number>();
      prefixes.forEach((p, i) => random8.insert(p, i));
      for (let n = 0; n < 300; n += 1) {
        // Half the addresses inside a known prefix (random host bits), so long matches happen.
        const base = prefixes[random() % prefixes.length];
        const host = bytes(width).map(
          (x, i) => x & ~masked(Uint8Array.of(0xff), Math.max(0, base.length - i * 8))[0],
        );
        const address = { version, bytes: n % 2 ? bytes(width) : base.bytes.map((x, i) => x | host[i]) };
        const holds = (p: (typeof prefixes)[number]) =>
          masked(address.bytes, p.length).every((x, i) => x === p.bytes[i]);
        const linear = Math.max(-1, ...prefixes.filter(holds).map((p) => p.length));
        const found = random8.longestMatch(address);
        expect(found?.prefix.length ?? -1).toBe(linear);
      }
    }
  });
});
