import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseIpRanges, parseTorExitList } from '../../../../orchestrator/intel';
import { InvestigationResult, NetworkFlow, enrichResult } from '../../../../orchestrator/investigate';

/**
 * The demo result with what the demo's logs lack and a report can hold: VPC flows of the
 * actor's address (to an instance, from a Tor exit, out to an AWS address), every address
 * classified with the test fixtures' ip-ranges.json and Tor exit list.
 */

const FIXTURES = join(__dirname, '../../../fixtures/intel');

export const FLOWS: readonly NetworkFlow[] = [
  {
    sourceAddress: '198.51.100.77',
    destinationAddress: '10.0.1.25',
    destinationPort: 22,
    protocol: 6,
    action: 'ACCEPT',
    records: 3,
    bytes: 5120,
    firstStart: '2021-07-24T02:23:00Z',
    lastEnd: '2021-07-24T02:25:00Z',
  },
  {
    sourceAddress: '10.0.1.25',
    destinationAddress: '52.0.0.10',
    destinationPort: 443,
    protocol: 6,
    action: 'ACCEPT',
    records: 1,
    bytes: 900,
    firstStart: '2021-07-24T02:24:00Z',
    lastEnd: '2021-07-24T02:24:30Z',
  },
  {
    sourceAddress: '203.0.113.66',
    destinationAddress: '10.0.1.25',
    destinationPort: 3389,
    protocol: 6,
    action: 'REJECT',
    records: 1,
    bytes: 60,
    firstStart: '2021-07-24T02:26:00Z',
    lastEnd: '2021-07-24T02:26:10Z',
  },
];

export function withFlows(result: InvestigationResult): InvestigationResult {
  const network = { ...result.network, flows: FLOWS, records: 5, bytes: 6080 };
  delete (network as { note?: string }).note;
  return enrichResult(
    { ...result, network },
    {
      intel: {
        ipRanges: parseIpRanges(
          readFileSync(join(FIXTURES, 'ip-ranges.sample.json'), 'utf8'),
          'ip-ranges.json',
        ),
        torExits: parseTorExitList(
          readFileSync(join(FIXTURES, 'tor-exits.sample.txt'), 'utf8'),
          'tor-exits.txt',
        ),
      },
    },
  );
}
