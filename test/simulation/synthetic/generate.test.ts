import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { IrKitError } from '../../../lib/errors';
import {
  FLOW_LOG_HEADER,
  GenerateOptions,
  GenerateSummary,
  MANIFEST_FILE,
  SCENARIO,
  generateIncident,
} from '../../../simulation/synthetic';
import {
  AnyRecord,
  CloudTrailFile,
  FlowFile,
  countBy,
  listFiles,
  readCloudTrail,
  readFlowLogs,
  readText,
  tempDir,
} from './helpers';

const CT_PATH =
  /^AWSLogs\/(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/\1_CloudTrail_\2_(\d{4})(\d{2})(\d{2})T(\d{4})Z_[A-Za-z0-9]{16}\.json\.gz$/;
const FLOW_PATH =
  /^AWSLogs\/(\d{12})\/vpcflowlogs\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/\1_vpcflowlogs_\2_fl-[0-9a-f]{17}_(\d{4})(\d{2})(\d{2})T(\d{4})Z_[0-9a-f]{8}\.log\.gz$/;
const INCIDENT_STRINGS = [
  'JorgeSouza',
  'JaneDoe',
  'AKIAIOSFODNN7EXAMPLE',
  'AKIAI44QH8DHBEXAMPLE',
  'AIDAJ45Q7YFFAREXAMPLE',
  'AIDACKCEVSQ6C2EXAMPLE',
  '198.51.100.',
  '72.21.198.71',
  'DOC-EXAMPLE-BUCKET',
];

const dirs: string[] = [];
function dir(label: string): string {
  const d = tempDir(label);
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (e) {
    return e instanceof IrKitError ? e.code : `not an IrKitError: ${String(e)}`;
  }
  return undefined;
}

describe('generateIncident: the default incident in background activity', () => {
  let out: string;
  let summary: GenerateSummary;
  let trail: CloudTrailFile[];
  let records: AnyRecord[];
  let flows: FlowFile[];
  const progress: number[] = [];

  beforeAll(async () => {
    out = dir('default');
    summary = await generateIncident({
      outDir: out,
      backgroundEvents: 2000,
      flowRecords: 300,
      regions: ['us-east-1', 'eu-west-1'],
      onProgress: (p) => progress.push(p.filesWritten),
    });
    trail = readCloudTrail(out);
    records = trail.flatMap((f) => f.records);
    flows = readFlowLogs(out);
  });

  const isIncident = (r: AnyRecord) => {
    const text = JSON.stringify(r);
    return INCIDENT_STRINGS.some((x) => text.includes(x));
  };
  const incident = () => records.filter(isIncident);

  it('writes CloudTrail and flow log files in the S3 layout, each in the folder of its own time', () => {
    const files = listFiles(out).filter((f) => f !== MANIFEST_FILE);
    expect(files.length).toBe(summary.files.cloudTrail + summary.files.flowLogs);
    for (const file of files) {
      const m = CT_PATH.exec(file) ?? FLOW_PATH.exec(file);
      expect(m).not.toBeNull();
      const [, account, region, y, mo, d, fy, fmo, fd] = m as RegExpExecArray;
      expect(account).toBe('777777777777');
      expect(['us-east-1', 'eu-west-1']).toContain(region);
      expect(`${fy}/${fmo}/${fd}`).toBe(`${y}/${mo}/${d}`);
      expect(`${y}/${mo}/${d}` >= '2021/07/16' && `${y}/${mo}/${d}` <= '2021/07/24').toBe(true);
    }
    expect(trail.length).toBeGreaterThan(10);
    expect(flows.length).toBeGreaterThan(10);
  });

  it('writes each CloudTrail file as {"Records":[...]} whose records belong to its account, Region and day', () => {
    const bad: string[] = [];
    for (const { file, text, records: recs } of trail) {
      if (Object.keys(JSON.parse(text)).join() !== 'Records' || recs.length === 0) bad.push(`${file}: shape`);
      const [, account, region, y, mo, d] = CT_PATH.exec(file) as RegExpExecArray;
      for (const r of recs) {
        if (
          r.recipientAccountId !== account ||
          r.awsRegion !== region ||
          r.eventTime.slice(0, 10) !== `${y}-${mo}-${d}`
        ) {
          bad.push(`${file}: ${r.eventID}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('writes realistic records: CloudTrail fields, ids, identities of every kind, errors', () => {
    // Collected rather than asserted one by one: thousands of expect() calls are slow.
    const bad: string[] = [];
    const check = (ok: boolean, what: string, r: AnyRecord) => {
      if (!ok) bad.push(`${what}: ${JSON.stringify(r)}`);
    };
    for (const r of records) {
      check(r.eventVersion === '1.08', 'eventVersion', r);
      check(/^2021-07-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(r.eventTime), 'eventTime', r);
      check(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(r.eventID),
        'eventID',
        r,
      );
      check(typeof r.readOnly === 'boolean', 'readOnly', r);
      check(['AwsApiCall', 'AwsConsoleSignIn', 'AwsServiceEvent'].includes(r.eventType), 'eventType', r);
      check(['Management', 'Data'].includes(r.eventCategory), 'eventCategory', r);
      check(r.managementEvent === (r.eventCategory === 'Management'), 'managementEvent', r);
      check(r.requestParameters === null || typeof r.requestParameters === 'object', 'requestParameters', r);
      check(r.responseElements === null || typeof r.responseElements === 'object', 'responseElements', r);
      const id = r.userIdentity;
      if (id.accessKeyId !== undefined) check(/^(AKIA|ASIA)[A-Z0-9]{16}$/.test(id.accessKeyId), 'key', r);
      if (id.type === 'AssumedRole') {
        check(/^ASIA/.test(id.accessKeyId), 'role session key', r);
        check(id.sessionContext.sessionIssuer.type === 'Role', 'sessionIssuer', r);
        check(id.sessionContext.attributes.creationDate <= r.eventTime, 'creationDate', r);
      }
      if (id.type === 'AWSService') check(r.sourceIPAddress === id.invokedBy, 'service source', r);
      if (r.eventCategory === 'Data') check(r.resources?.length > 0, 'data event resources', r);
      if (r.errorCode !== undefined) check(r.responseElements === null, 'error response', r);
    }
    expect(bad).toEqual([]);
    const types = new Set(records.map((r) => r.userIdentity.type));
    expect([...types].sort()).toEqual(['AWSService', 'AssumedRole', 'IAMUser']);
    expect(records.some((r) => r.eventType === 'AwsConsoleSignIn')).toBe(true);
    expect(records.some((r) => r.errorCode === 'AccessDenied')).toBe(true);
    expect(
      records.some((r) => r.userIdentity.sessionContext && !r.userIdentity.sessionContext.sessionIssuer.type),
    ).toBe(true);
    expect(records.some((r) => r.userIdentity.invokedBy && r.userIdentity.type === 'AssumedRole')).toBe(true);
    expect(new Set(records.map((r) => r.userIdentity.arn)).size).toBeGreaterThan(40);
    expect(new Set(records.map((r) => r.eventID)).size).toBe(records.length);
  });

  it('writes every scenario call exactly once, field for field', () => {
    const written = incident();
    expect(written).toHaveLength(SCENARIO.calls.length);
    for (const [i, call] of SCENARIO.calls.entries()) {
      // The record is the call without the scenario's own bookkeeping.
      const fields: Record<string, unknown> = { ...call };
      for (const k of ['step', 'principal', 'cli']) delete fields[k];
      const r = written[i];
      const { requestID, eventID, eventVersion, ...rest } = r;
      expect(eventVersion).toBe('1.08');
      expect(typeof eventID).toBe('string');
      expect(typeof requestID).toBe('string');
      expect(rest).toEqual(JSON.parse(JSON.stringify(fields)));
    }
    // Athena returns the stored JSON text, so the key order is part of the answer.
    const attach = written.find((r) => r.eventName === 'AttachUserPolicy') as AnyRecord;
    expect(JSON.stringify(attach.requestParameters)).toBe(
      '{"userName":"JaneDoe","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}',
    );
    expect(summary.incidentFiles).toHaveLength(1);
    expect(summary.incidentFiles[0]).toMatch(/\/us-east-1\/2021\/07\/24\//);
  });

  it("reproduces the playbook's aggregate tables from the files, background included", () => {
    const key = records.filter((r) => r.userIdentity.accessKeyId === 'AKIAIOSFODNN7EXAMPLE');
    expect(countBy(key, (r) => [r.awsRegion, r.eventSource, r.eventName, r.readOnly, r.errorCode])).toEqual([
      ['["us-east-1","iam.amazonaws.com","AttachUserPolicy",false,null]', 1],
      ['["us-east-1","iam.amazonaws.com","CreateAccessKey",false,null]', 1],
      ['["us-east-1","iam.amazonaws.com","CreateUser",false,null]', 1],
      ['["us-east-1","sts.amazonaws.com","GetCallerIdentity",true,null]', 1],
    ]);
    const jane = records.filter((r) => r.userIdentity.userName === 'JaneDoe');
    expect(jane).toHaveLength(12);
    expect(countBy(jane, (r) => [r.sourceIPAddress])).toEqual([
      ['["198.51.100.77"]', 11],
      ['["72.21.198.71"]', 1],
    ]);
  });

  it('keeps the background away from every incident identifier', () => {
    const bg = records.filter((r) => !isIncident(r));
    expect(bg.length).toBe(summary.events.background);
    expect(bg.length).toBe(2000);
    const ips = new Set(bg.map((r) => r.sourceIPAddress));
    const strange = [...ips].filter(
      (ip) => !/^(192\.0\.2|203\.0\.113)\.\d+$|^10\.\d+\.\d+\.\d+$|amazonaws\.com$/.test(ip),
    );
    expect(strange).toEqual([]);
  });

  it('writes version-2 flow logs with a header and no attacker address (the join returns nothing)', () => {
    let lines = 0;
    for (const f of flows) {
      expect(f.header).toBe(FLOW_LOG_HEADER);
      for (const line of f.lines) {
        const fields = line.split(' ');
        expect(fields).toHaveLength(14);
        expect(fields[0]).toBe('2');
        expect(fields[1]).toBe('777777777777');
        expect(line).not.toContain('198.51.100.');
        expect(line).not.toContain('72.21.198.71');
        lines++;
      }
    }
    expect(lines).toBe(summary.flowRecords.total);
    expect(summary.flowRecords).toEqual({ total: 300, incident: 0, background: 300 });
    expect(summary.groundTruth.network).toEqual({ flowRecords: 0, joinRows: [] });
  });

  it('summarizes what it wrote and records it in the manifest', () => {
    expect(summary.events).toEqual({ total: 2016, incident: 16, background: 2000 });
    expect(summary.window).toEqual({
      from: '2021/07/16',
      to: '2021/07/24',
      start: '2021-07-16T00:00:00Z',
      end: '2021-07-25T00:00:00Z',
    });
    expect(records).toHaveLength(summary.events.total);
    expect(progress[progress.length - 1]).toBe(summary.files.cloudTrail + summary.files.flowLogs);
    const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), 'utf8'));
    expect(manifest.status).toBe('complete');
    expect(manifest.summary.events).toEqual(summary.events);
    expect(manifest.summary.groundTruth.accessKeyIds).toEqual([
      'AKIAIOSFODNN7EXAMPLE',
      'AKIAI44QH8DHBEXAMPLE',
    ]);
  });

  it('states the ground truth an investigation must reach', () => {
    const t = summary.groundTruth;
    expect(t.principals.map((p) => [p.name, p.reachedBy, p.accessKeyIds])).toEqual([
      ['JorgeSouza', 'exposed key', ['AKIAIOSFODNN7EXAMPLE']],
      ['JaneDoe', 'CreateUser', ['AKIAI44QH8DHBEXAMPLE']],
    ]);
    expect(t.sourceIps).toEqual(['198.51.100.77', '72.21.198.71']);
    expect(t.containment).toEqual({
      users: [
        { account: '777777777777', name: 'JorgeSouza' },
        { account: '777777777777', name: 'JaneDoe' },
      ],
      roles: [],
      buckets: [{ account: '777777777777', name: 'DOC-EXAMPLE-BUCKET' }],
      instances: [],
    });
    expect(t.resources.map((r) => `${r.action} ${r.type} ${r.name}`)).toEqual([
      'created AWS::IAM::User JaneDoe',
      'modified AWS::IAM::User JaneDoe',
      'created AWS::IAM::AccessKey AKIAI44QH8DHBEXAMPLE',
      'created AWS::S3::Bucket DOC-EXAMPLE-BUCKET',
      'created AWS::S3::Object DOC-EXAMPLE-BUCKET/stuff',
    ]);
  });
});

describe('generateIncident: determinism and layouts', () => {
  const small: Omit<GenerateOptions, 'outDir'> = { backgroundEvents: 300, regions: ['us-east-1'], days: 2 };

  it('writes byte-identical files for the same seed, and different ones for another seed', async () => {
    const [a, b, c] = [dir('seed-a'), dir('seed-b'), dir('seed-c')];
    await generateIncident({ ...small, outDir: a, seed: 7 });
    await generateIncident({ ...small, outDir: b, seed: 7 });
    await generateIncident({ ...small, outDir: c, seed: 8 });
    const files = listFiles(a);
    expect(listFiles(b)).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f)))).toBe(true);
    expect(listFiles(c)).not.toEqual(files);
  });

  it('writes the organization-trail layout under a prefix, as plain JSON when asked', async () => {
    const out = dir('org');
    const s = await generateIncident({
      ...small,
      outDir: out,
      organizationId: 'o-exampleorgid',
      prefix: 'trails/prod',
      compress: false,
      accounts: ['777777777777', '111122223333'],
    });
    const files = listFiles(out).filter((f) => f !== MANIFEST_FILE);
    const ct = files.filter((f) => f.includes('/CloudTrail/'));
    const flow = files.filter((f) => f.includes('/vpcflowlogs/'));
    expect(ct.length + flow.length).toBe(files.length);
    for (const f of ct) {
      expect(f).toMatch(
        /^trails\/prod\/AWSLogs\/o-exampleorgid\/(777777777777|111122223333)\/CloudTrail\/us-east-1\/2021\/07\/2[34]\/\d{12}_CloudTrail_us-east-1_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json$/,
      );
      expect(Object.keys(JSON.parse(readText(out, f)))).toEqual(['Records']);
    }
    // Flow logs are delivered per account, never under the organization id.
    for (const f of flow) expect(f).toMatch(/^trails\/prod\/AWSLogs\/\d{12}\/vpcflowlogs\/.*\.log$/);
    expect(new Set(ct.map((f) => f.split('/')[4]))).toEqual(new Set(['777777777777', '111122223333']));
    expect(s.groundTruth.accountId).toBe('777777777777');
  });

  it('can leave out flow logs', async () => {
    const out = dir('noflow');
    const s = await generateIncident({ ...small, outDir: out, flowLogs: false });
    expect(s.files.flowLogs).toBe(0);
    expect(listFiles(out).some((f) => f.includes('vpcflowlogs'))).toBe(false);
  });

  it('splits a busy window into files of at most maxRecordsPerFile records', async () => {
    const out = dir('split');
    const s = await generateIncident({
      outDir: out,
      backgroundEvents: 1500,
      days: 1,
      regions: ['us-east-1'],
      fileWindowMinutes: 60,
      maxRecordsPerFile: 100,
      flowLogs: false,
    });
    const trail = readCloudTrail(out);
    expect(trail.length).toBe(s.files.cloudTrail);
    expect(Math.max(...trail.map((f) => f.records.length))).toBeLessThanOrEqual(100 + 16);
    expect(trail.reduce((n, f) => n + f.records.length, 0)).toBe(1516);
  });
});

describe('generateIncident: bounded memory', () => {
  it('streams: writes three times as much JSON as a 16 MB heap could hold', () => {
    const out = dir('stream');
    const heapMb = 16;
    const run = spawnSync(
      process.execPath,
      [
        `--max-old-space-size=${heapMb}`,
        '--import',
        'tsx',
        join(__dirname, 'generate-child.ts'),
        out,
        '40000',
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.events).toBe(40016);
    expect(result.bytesWritten).toBeGreaterThan(3 * heapMb * 1024 * 1024);
  });
});

describe('generateIncident: the output folder', () => {
  it('refuses a folder that holds other files, and writes nothing there', async () => {
    const out = dir('busy');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    expect(await codeOf(generateIncident({ outDir: out, backgroundEvents: 10 }))).toBe('IRKIT_INVALID_INPUT');
    expect(listFiles(out)).toEqual(['notes.txt']);
  });

  it('rewrites a previous run with the same options, and refuses other options', async () => {
    const out = dir('rerun');
    const opts = { outDir: out, backgroundEvents: 50, regions: ['us-east-1'], days: 1 };
    await generateIncident(opts);
    const before = listFiles(out);
    await generateIncident(opts);
    expect(listFiles(out)).toEqual(before);
    expect(await codeOf(generateIncident({ ...opts, seed: 2 }))).toBe('IRKIT_INVALID_INPUT');
    expect(listFiles(out)).toEqual(before);
  });

  it('refuses an output path that is a file', async () => {
    const out = join(dir('file'), 'a-file');
    writeFileSync(out, 'x');
    expect(await codeOf(generateIncident({ outDir: out }))).toBe('IRKIT_INVALID_INPUT');
  });
});

describe('generateIncident: bad options are refused before anything is written', () => {
  it.each<[string, Partial<GenerateOptions>]>([
    ['empty outDir', { outDir: '' }],
    ['negative seed', { seed: -1 }],
    ['fractional seed', { seed: 1.5 }],
    ['negative events', { backgroundEvents: -5 }],
    ['too many events', { backgroundEvents: 2_000_000_000 }],
    ['zero days', { days: 0 }],
    ['too many days', { days: 400 }],
    ['malformed account', { accounts: ['77777777777'] }],
    ['no account', { accounts: [] }],
    ['duplicate account', { accounts: ['777777777777', '777777777777'] }],
    ['unknown Region', { regions: ['us-east-1', 'mars-north-1'] }],
    ['Region list without us-east-1', { regions: ['eu-west-1'] }],
    ['malformed organization id', { organizationId: 'org-1' }],
    ['prefix with a leading slash', { prefix: '/logs' }],
    ['prefix climbing out', { prefix: 'a/../b' }],
    ['file window that does not divide a day', { fileWindowMinutes: 7 }],
    ['unknown variant', { variants: ['teleport' as never] }],
    ['network variant without flow logs', { variants: ['network'], flowLogs: false }],
    ['spread variant with one account', { variants: ['spread'] }],
    ['non-boolean compress', { compress: 'yes' as never }],
  ])('%s', async (_label, bad) => {
    const out = join(dir('bad'), 'out');
    expect(await codeOf(generateIncident({ outDir: out, backgroundEvents: 10, ...bad }))).toBe(
      'IRKIT_INVALID_INPUT',
    );
    expect(() => listFiles(out)).toThrow();
  });
});
