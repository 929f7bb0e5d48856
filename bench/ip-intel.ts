/**
 * Benchmark of IP intelligence (playbook step 6) on an ip-ranges.json of AWS's size:
 *  - reading: JSON parse, validation and the prefix trie for PREFIXES entries (IPv4 and IPv6,
 *    nested as AWS's are: each service range inside an AMAZON range);
 *  - look-ups: LOOKUPS addresses (half inside a range), longest-prefix match in the trie
 *    against the baseline of a linear scan over every prefix, measured in the same run.
 *
 *   npx tsx bench/ip-intel.ts [--prefixes 10000] [--lookups 20000] [--record]
 *
 * --record writes bench/results/ip-intel.json and bench/results/ip-intel.md.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

import { Cidr, IpAddress, cidrOrProblem, parseIp, parseIpRanges } from '../orchestrator/intel';
import { machine } from './private/harness';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const PREFIXES = flag('--prefixes', 10000);
const LOOKUPS = flag('--lookups', 20000);

let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed;
};
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2', 'GLOBAL'];

/** A synthetic ip-ranges.json: 80% IPv4, nested AMAZON / service pairs as AWS publishes them. */
function synthetic(): string {
  const prefixes: object[] = [];
  const ipv6: object[] = [];
  for (let i = 0; prefixes.length + ipv6.length < PREFIXES; i += 1) {
    const region = REGIONS[random() % REGIONS.length];
    if (i % 5 === 4) {
      const length = 32 + (random() % 25);
      const groups = [0x2600, random() & 0xffff, random() & 0xffff, random() & 0xffff];
      const masked = groups.map((g, n) =>
        n * 16 >= length ? 0 : n * 16 + 16 <= length ? g : g & (0xffff << (16 - (length - n * 16))),
      );
      const prefix = `${masked.map((g) => g.toString(16)).join(':')}::/${length}`;
      ipv6.push({ ipv6_prefix: prefix, region, service: 'AMAZON', network_border_group: region });
      ipv6.push({ ipv6_prefix: prefix, region, service: 'EC2', network_border_group: region });
    } else {
      const length = 14 + (random() % 13);
      const value = (((random() * 2) >>> (32 - length)) << (32 - length)) >>> 0;
      const prefix = `${[24, 16, 8, 0].map((s) => (value >>> s) & 0xff).join('.')}/${length}`;
      prefixes.push({ ip_prefix: prefix, region, service: 'AMAZON', network_border_group: region });
      prefixes.push({
        ip_prefix: prefix,
        region,
        service: i % 3 ? 'EC2' : 'S3',
        network_border_group: region,
      });
    }
  }
  return JSON.stringify({
    syncToken: '1700000000',
    createDate: '2023-11-14-22-13-20',
    prefixes,
    ipv6_prefixes: ipv6,
  });
}

function timed<T>(work: () => T): [T, number] {
  const start = process.hrtime.bigint();
  const result = work();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

function main(): void {
  const load = loadavg()[0];
  const text = synthetic();
  const heapBefore = process.memoryUsage().heapUsed;
  const [ranges, readMs] = timed(() => parseIpRanges(text, 'synthetic'));
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;

  const doc = JSON.parse(text) as {
    prefixes: { ip_prefix: string }[];
    ipv6_prefixes: { ipv6_prefix: string }[];
  };
  const cidrs = [...doc.prefixes.map((p) => p.ip_prefix), ...doc.ipv6_prefixes.map((p) => p.ipv6_prefix)].map(
    (p) => cidrOrProblem(p) as Cidr,
  );
  const addresses: IpAddress[] = Array.from({ length: LOOKUPS }, (_, n) => {
    if (n % 2) return parseIp(`${random() % 224}.${random() % 256}.${random() % 256}.${random() % 256}`)!;
    const base = cidrs[random() % cidrs.length];
    return {
      version: base.version,
      bytes: base.bytes.map((b, i) => (i * 8 >= base.length ? random() & 0xff : b)),
    };
  });
  const holds = (c: Cidr, a: IpAddress) => {
    if (c.version !== a.version) return false;
    for (let bit = 0; bit < c.length; bit += 1) {
      const mask = 0x80 >> (bit & 7);
      if ((c.bytes[bit >> 3] & mask) !== (a.bytes[bit >> 3] & mask)) return false;
    }
    return true;
  };
  const [trieHits, trieMs] = timed(() => addresses.filter((a) => ranges.lookup(a) !== undefined).length);
  const [linearHits, linearMs] = timed(
    () =>
      addresses.filter((a) => {
        let best = -1;
        for (const c of cidrs) if (c.length > best && holds(c, a)) best = c.length;
        return best >= 0;
      }).length,
  );
  if (trieHits !== linearHits)
    throw new Error(`trie found ${trieHits} addresses in AWS ranges, the scan ${linearHits}`);

  const figures = {
    date: new Date().toISOString(),
    prefixEntries: ranges.entries,
    jsonBytes: Buffer.byteLength(text),
    readAndBuildMs: Math.round(readMs),
    heapMb: Math.round(heapMb * 10) / 10,
    lookups: LOOKUPS,
    inAwsRanges: trieHits,
    trieMs: Math.round(trieMs * 10) / 10,
    trieLookupsPerSecond: Math.round(LOOKUPS / (trieMs / 1000)),
    linearScanMs: Math.round(linearMs),
    trieVsLinearScan: Math.round((trieMs / linearMs) * 10000) / 10000,
    machine: machine(load),
  };
  console.log(JSON.stringify(figures, null, 2));
  if (process.argv.includes('--record')) {
    const dir = join(__dirname, 'results');
    writeFileSync(join(dir, 'ip-intel.json'), `${JSON.stringify(figures, null, 2)}\n`);
    writeFileSync(
      join(dir, 'ip-intel.md'),
      [
        '# IP intelligence: ip-ranges.json of AWS’s size, longest-prefix match',
        '',
        `Recorded ${figures.date} with \`npx tsx bench/ip-intel.ts --record\` on ${figures.machine.cpus} x ${figures.machine.model}, Node ${figures.machine.node} (load average ${load.toFixed(2)} at start).`,
        '',
        `A synthetic ip-ranges.json of ${figures.prefixEntries} entries (${figures.jsonBytes} bytes; IPv4 and IPv6, AMAZON and service entries per prefix, as AWS publishes them); ${LOOKUPS} addresses, half inside a range.`,
        '',
        '| measure | figure |',
        '|---|---|',
        `| read, check and build the trie | ${figures.readAndBuildMs} ms, ${figures.heapMb} MB heap |`,
        `| ${LOOKUPS} look-ups in the trie | ${figures.trieMs} ms (${figures.trieLookupsPerSecond} per second) |`,
        `| baseline: the same look-ups by linear scan over every prefix | ${figures.linearScanMs} ms |`,
        `| **trie / linear scan** | **${figures.trieVsLinearScan}x** |`,
        `| addresses in AWS ranges (trie and scan agree) | ${figures.inAwsRanges} |`,
        '',
      ].join('\n'),
    );
  }
}

main();
