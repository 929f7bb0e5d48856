/**
 * The step 6 and Part 3 Q1 flags of irkit investigate and irkit report, and irkit ip-ranges:
 * offline classification from files, the cached ip-ranges.json, and GuardDuty / AWS Health
 * through the real SDK clients against a local endpoint (AWS_ENDPOINT_URL_GUARDDUTY/_HEALTH).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InvestigationResult, demoInvestigation, renderJson } from '../../../orchestrator/investigate';
import { irkitWithEnv } from '../../helpers/cli';
import { KEY, LogTree, playbookKeyCalls } from '../engines/fixtures';
import { AwsWire, jsonOk, restJsonError, restJsonOk, startAwsWire } from '../../support/aws-wire';

const FIXTURES = join(__dirname, '../../fixtures/intel');
const IP_RANGES = join(FIXTURES, 'ip-ranges.sample.json');
const TOR = join(FIXTURES, 'tor-exits.sample.txt');

let dir: string;
let saved: string;
let result: InvestigationResult;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'irkit-cli-intel-'));
  result = (await demoInvestigation({ backgroundEvents: 50 })).result;
  saved = join(dir, 'result.json');
  writeFileSync(saved, renderJson(result));
  // No cached ip-ranges.json unless a test puts one there.
  env = { IRKIT_CACHE_DIR: join(dir, 'cache') };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => irkitWithEnv(env, ...args);

describe('irkit report with IP intelligence', () => {
  test('--ip-ranges and --tor-exits classify the saved result’s addresses, in JSON and in the Markdown report', async () => {
    const json = await run('report', saved, '--ip-ranges', IP_RANGES, '--tor-exits', TOR, '--format', 'json');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as InvestigationResult;
    const actor = doc.sourceIps.find((s) => s.address === '198.51.100.77');
    expect(actor?.intel).toMatchObject({ scope: 'documentation', torExit: false });
    expect(doc.ipIntelligence).toMatchObject({
      ipRanges: { source: IP_RANGES, syncToken: '1700000000', prefixes: 16 },
      torExits: { source: TOR, addresses: 2 },
      notes: [],
    });
    expect(doc.impact[5].facts[0]).toMatch(
      /^198\.51\.100\.77: \d+ call\(s\) by .*; documentation \(198\.51\.100\.0\/24/,
    );
    expect(json.stderr).toContain(
      `AWS ranges from ${IP_RANGES} (published 2023-11-14-22-13-20, 16 prefixes)`,
    );

    const markdown = await run('report', saved, '--ip-ranges', IP_RANGES, '--tor-exits', TOR);
    expect(markdown.stdout).toMatch(/^#+ Source IP address reputation \(playbook step 6\)$/m);
    // irkit's own look-up URLs, shown as text, never as live links (as every value in the report).
    expect(markdown.stdout).toContain('ExoneraTor: https\\://metrics.torproject.org/exonerator.html');
    expect(markdown.stdout).not.toContain('](https://');
    const table = await run(
      'report',
      saved,
      '--ip-ranges',
      IP_RANGES,
      '--tor-exits',
      TOR,
      '--format',
      'table',
      '--wide',
    );
    expect(table.stdout).toContain(
      'ExoneraTor: https://metrics.torproject.org/exonerator.html?ip=198.51.100.77&timestamp=2021-07-24&lang=en',
    );
    expect(table.stdout).toContain('GreyNoise: https://www.greynoise.io/viz/query/?gnql=198.51.100.77');
    expect(markdown.stdout).toContain('whois 198.51.100.77');
  });

  test('without the flags a saved result is rendered as it was saved', async () => {
    const again = await run('report', saved, '--format', 'json');
    expect(again.stdout).toBe(readFileSync(saved, 'utf8'));
  });

  test.each([
    [['--ip-ranges', TOR], /is not AWS's ip-ranges.json: not valid JSON/],
    [['--tor-exits', IP_RANGES], /line 1 is not a Tor exit address/],
    [['--ip-ranges', join(FIXTURES, 'missing.json')], /cannot read --ip-ranges .*missing.json/],
    [['--findings-region', 'us-east-1'], /--findings-region applies to --related-findings/],
    [['--related-findings', '--findings-region', 'mars-1'], /invalid AWS Region: "mars-1"/],
  ])('%j is refused before anything is written', async (flags, message) => {
    const out = join(dir, 'never.md');
    const refused = await run('report', saved, ...flags, '--out', out);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});

describe('irkit report --related-findings on the wire', () => {
  let wire: AwsWire;
  let awsEnv: NodeJS.ProcessEnv;
  beforeAll(async () => {
    wire = await startAwsWire();
    const config = join(dir, 'irkit.json');
    writeFileSync(config, JSON.stringify({ regions: ['us-east-1', 'eu-west-1'] }));
    awsEnv = {
      ...env,
      IRKIT_CONFIG: config,
      AWS_ENDPOINT_URL_GUARDDUTY: wire.endpoint,
      AWS_ENDPOINT_URL_HEALTH: wire.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wire-test-secret',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
    };
  });
  afterAll(async () => {
    await wire.close();
  });

  test('GuardDuty findings and the AWS Health event answer question 1; a denied Region is reported, not fatal; a second run replaces, not repeats', async () => {
    wire.on('guardduty', 'ListDetectors', () => restJsonOk({ detectorIds: ['d1'] }));
    wire.on('guardduty', 'ListFindings', (_p, call) =>
      call.region === 'eu-west-1'
        ? restJsonError({ code: 'AccessDeniedException', message: 'not authorized', status: 403 })
        : restJsonOk({ findingIds: ['f1'] }),
    );
    wire.on('guardduty', 'GetFindings', () =>
      restJsonOk({
        findings: [
          {
            id: 'f1',
            region: 'us-east-1',
            type: 'Recon:IAMUser/MaliciousIPCaller.Custom',
            severity: 5,
            updatedAt: '2021-07-24T03:00:00.000Z',
            resource: {
              accessKeyDetails: { accessKeyId: KEY, userName: 'JorgeSouza' },
              resourceType: 'AccessKey',
            },
            service: { detectorId: 'd1', archived: false, count: 2 },
          },
        ],
      }),
    );
    wire.on('health', 'DescribeEvents', () =>
      jsonOk({
        events: [
          {
            arn: 'arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/E1',
            eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED',
            statusCode: 'open',
            startTime: 1627093000,
          },
        ],
      }),
    );
    wire.on('health', 'DescribeAffectedEntities', () =>
      jsonOk({
        entities: [
          { eventArn: 'arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/E1', entityValue: KEY },
        ],
      }),
    );
    const out = join(dir, 'with-findings.json');
    const first = await irkitWithEnv(awsEnv, 'report', saved, '--related-findings', '--out', out);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(
      'reading GuardDuty in 2 Region(s) and AWS Health for 2 key(s) and 2 principal(s)',
    );
    expect(first.stderr).toContain(
      'warning: GuardDuty in eu-west-1 not read (denied): AccessDeniedException: not authorized',
    );
    const doc = JSON.parse(readFileSync(out, 'utf8')) as InvestigationResult;
    expect(doc.relatedFindings?.guardDuty.findings.map((f) => f.id)).toEqual(['f1']);
    expect(doc.relatedFindings?.health.events[0].actorKey).toBe(true);
    const q1 = doc.impact[0];
    expect(q1.answer).toContain(
      "GuardDuty: 1 finding(s) on the actor's keys and principals in 1 Region(s) with a detector; not read in eu-west-1 (denied).",
    );
    expect(q1.answer).toContain(
      "AWS Health: 1 AWS_RISK_CREDENTIALS_EXPOSED event(s), 1 naming the actor's keys.",
    );
    expect(q1.answer).not.toContain('were not read');
    expect(q1.facts).toContain(
      `GuardDuty Recon:IAMUser/MaliciousIPCaller.Custom (Medium 5) in us-east-1 on ${KEY}, updated 2021-07-24T03:00:00.000Z: finding f1`,
    );

    const markdown = await irkitWithEnv(awsEnv, 'report', out, '--related-findings');
    expect(markdown.stdout).toMatch(
      /\| `?5`? \| `Recon:IAMUser\/MaliciousIPCaller\.Custom` \| `us-east-1` \| `AKIAIOSFODNN7EXAMPLE` \|/,
    );
    expect(markdown.stdout).toContain(
      'console: https://console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=f1',
    );
    expect(markdown.stdout).not.toContain('](https://');
    const again = await irkitWithEnv(awsEnv, 'report', out, '--related-findings', '--format', 'json');
    const twice = JSON.parse(again.stdout) as InvestigationResult;
    expect(twice.impact[0].answer.match(/GuardDuty:/g)).toHaveLength(1);
    expect(twice.impact[0].facts.filter((f) => f.startsWith('GuardDuty '))).toHaveLength(1);
  });
});

describe('irkit investigate with IP intelligence', () => {
  let logs: LogTree;
  beforeAll(() => {
    logs = new LogTree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
  });
  afterAll(() => logs.remove());

  test('classifies with the cached ip-ranges.json and a --tor-exits list; a bad list stops it before any query', async () => {
    const cache = join(dir, 'investigate-cache');
    const cacheEnv = { IRKIT_CACHE_DIR: cache };
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(readFileSync(IP_RANGES));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ip-ranges.json`;
      const update = await irkitWithEnv(cacheEnv, 'ip-ranges', 'update', '--url', url);
      expect(update.code).toBe(0);
      expect(update.stdout).toContain(
        `wrote ${join(cache, 'ip-ranges.json')}: 16 prefixes, syncToken 1700000000`,
      );
    } finally {
      await new Promise((done) => server.close(done));
    }
    const window = ['--from', '2021/07/16', '--to', '2021/07/24', '--logs', logs.root];
    const investigated = await irkitWithEnv(
      cacheEnv,
      'investigate',
      '--access-key-id',
      KEY,
      ...window,
      '--tor-exits',
      TOR,
      '--format',
      'json',
    );
    expect(investigated.code).toBe(0);
    const doc = JSON.parse(investigated.stdout) as InvestigationResult;
    expect(doc.ipIntelligence?.ipRanges?.source).toBe(join(cache, 'ip-ranges.json'));
    expect(doc.sourceIps.find((s) => s.isIp)?.intel).toMatchObject({ torExit: false });

    const bad = join(dir, 'bad-tor.txt');
    writeFileSync(bad, '203.0.113.1\nnot an address\n');
    const refused = await irkitWithEnv(
      cacheEnv,
      'investigate',
      '--access-key-id',
      KEY,
      ...window,
      '--tor-exits',
      bad,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${bad} line 2 is not a Tor exit address: "not an address"`);
    expect(refused.stderr).not.toContain('depth 0');

    const lookup = await irkitWithEnv(cacheEnv, 'ip-ranges', 'lookup', '52.0.0.9', '--day', '2021-07-24');
    expect(lookup.stdout).toContain('52.0.0.9: public address; AWS EC2 us-east-1 (52.0.0.0/15)');
    expect(lookup.stdout).toContain('note: Tor exits not checked');
  });
});
