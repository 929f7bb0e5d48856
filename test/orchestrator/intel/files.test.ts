import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { IrKitError } from '../../../lib/errors';
import { parseIp, parseIpRanges, parseTorExitList } from '../../../orchestrator/intel';

const FIXTURES = join(__dirname, '../../fixtures/intel');
const sample = JSON.parse(readFileSync(join(FIXTURES, 'ip-ranges.sample.json'), 'utf8')) as Record<
  string,
  unknown
>;

function failure(run: () => unknown): IrKitError {
  try {
    run();
  } catch (error) {
    return error as IrKitError;
  }
  throw new Error('expected an error');
}

describe('parseIpRanges', () => {
  it('reads AWS’s document: sync token, date and every IPv4 and IPv6 entry', () => {
    const ranges = parseIpRanges(JSON.stringify(sample), 'sample');
    expect(ranges).toMatchObject({ syncToken: '1700000000', createDate: '2023-11-14-22-13-20', entries: 16 });
    expect(ranges.lookup(parseIp('3.5.141.1')!)).toEqual({
      prefix: '3.5.140.0/22',
      region: 'ap-northeast-2',
      networkBorderGroup: 'ap-northeast-2',
      services: ['AMAZON', 'S3'],
    });
  });

  it.each([
    ['{"syncToken": "1", ', /not valid JSON .*cut short/],
    ['[]', /the document is array, expected an object/],
    [JSON.stringify({ ...sample, syncToken: 1 }), /syncToken is number, expected a string/],
    [JSON.stringify({ ...sample, prefixes: {} }), /prefixes is object, expected an array/],
    [
      JSON.stringify({ ...sample, ipv6_prefixes: undefined }),
      /ipv6_prefixes is undefined, expected an array/,
    ],
    [JSON.stringify({ ...sample, prefixes: [null] }), /prefixes\[0\] is null, expected an object/],
    [
      JSON.stringify({ ...sample, prefixes: [{ ip_prefix: '52.0.0.0/15', region: 'us-east-1' }] }),
      /prefixes\[0\]\.service is undefined, expected a non-empty string/,
    ],
    [
      JSON.stringify({
        ...sample,
        prefixes: [{ ip_prefix: '52.0.0.1/15', region: 'us-east-1', service: 'EC2' }],
      }),
      /prefixes\[0\]\.ip_prefix "52.0.0.1\/15" has host bits set after \/15/,
    ],
    [
      JSON.stringify({
        ...sample,
        prefixes: [{ ip_prefix: '2600:1f18::/33', region: 'us-east-1', service: 'EC2' }],
      }),
      /prefixes\[0\]\.ip_prefix "2600:1f18::\/33" is not an IPv4 prefix/,
    ],
    [
      JSON.stringify({
        ...sample,
        ipv6_prefixes: [
          { ipv6_prefix: '2600:1f18::/33', region: 'us-east-1', service: 'EC2', network_border_group: 5 },
        ],
      }),
      /ipv6_prefixes\[0\]\.network_border_group is number, expected a string/,
    ],
  ])('refuses a bad document with a clear error (%#)', (text, message) => {
    const error = failure(() => parseIpRanges(text, '/tmp/ip-ranges.json'));
    expect(error).toBeInstanceOf(IrKitError);
    expect(error.code).toBe('IRKIT_INVALID_INPUT');
    expect(error.message).toMatch(/^\/tmp\/ip-ranges.json is not AWS's ip-ranges.json: /);
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(/irkit ip-ranges update/);
  });
});

describe('parseTorExitList', () => {
  it('reads the bulk exit list and the exit-addresses document', () => {
    const bulk = parseTorExitList(readFileSync(join(FIXTURES, 'tor-exits.sample.txt'), 'utf8'), 'bulk');
    expect(bulk.addresses).toBe(2);
    expect(bulk.has(parseIp('2001:db8:0:0::66')!)).toBe(true);
    const records = parseTorExitList(
      readFileSync(join(FIXTURES, 'tor-exit-addresses.sample.txt'), 'utf8'),
      'records',
    );
    expect(records.addresses).toBe(2);
    expect(records.has(parseIp('192.0.2.99')!)).toBe(true);
    expect(records.has(parseIp('192.0.2.98')!)).toBe(false);
  });

  it('names the line that is not an address', () => {
    const error = failure(() =>
      parseTorExitList('203.0.113.66\r\n\n# comment\n203.0.113.300\n', '/tmp/tor.txt'),
    );
    expect(error.code).toBe('IRKIT_INVALID_INPUT');
    expect(error.message).toBe('/tmp/tor.txt line 4 is not a Tor exit address: "203.0.113.300"');
    expect(failure(() => parseTorExitList('ExitAddress nonsense 2021-07-24\n', 't')).message).toMatch(
      /line 1/,
    );
    expect(failure(() => parseTorExitList('<html><body>rate limited</body></html>\n', 't')).message).toMatch(
      /line 1 is not a Tor exit address/,
    );
    expect(failure(() => parseTorExitList(`${'x'.repeat(200)}\n`, 't')).message).toMatch(/x{80}\.\.\."$/);
  });
});
