import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

import { QUERIES, QueryDefinition, isReadOnly } from '../../../lib/queries';
import { rowObjects } from '../../../orchestrator/engines/engine';
import { LocalEngine } from '../../../orchestrator/engines/local';
import { InvestigationResult, investigate } from '../../../orchestrator/investigate';
import { irkit } from '../../helpers/cli';

/**
 * Real CloudTrail records (test/fixtures/cloudtrail, public and licensed: see the READMEs
 * there): every library query runs on them, and the investigation of every detonation's
 * key completes, without dropping a record. They hold shapes the generator never writes:
 * pseudonymised Region names, event versions 1.05 to 1.10, FederatedUser and AssumedRole
 * identities, records without readOnly, Logstash's extra fields.
 */

type CtJson = Record<string, unknown> & {
  eventTime: string;
  eventName: string;
  readOnly?: boolean;
  recipientAccountId: string;
  awsRegion: string;
  userIdentity?: { type?: string; accessKeyId?: string };
};

const FIXTURES = path.join(__dirname, '../../fixtures/cloudtrail');

/** The Stratus files as published: a JSON array of records each. */
function stratusRecords(): Map<string, CtJson[]> {
  const dir = path.join(FIXTURES, 'stratus-red-team');
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f, JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CtJson[]]),
  );
}

/**
 * The OTRF records, one per line as Logstash wrote them; `eventTime` is restored from
 * `@timestamp` (the one change, noted in the fixture's README), Logstash's own fields dropped.
 */
function otrfRecords(): CtJson[] {
  const dir = path.join(FIXTURES, 'otrf-security-datasets');
  const file = readdirSync(dir).find((f) => f.endsWith('.json')) as string;
  return readFileSync(path.join(dir, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      const stamp = String(record['@timestamp']);
      delete record['@timestamp'];
      delete record['@version'];
      return { ...record, eventTime: stamp.replace(/\.\d{3}Z$/, 'Z') } as CtJson;
    });
}

const day = (r: CtJson) => r.eventTime.slice(0, 10).replace(/-/g, '/');

/** Writes the records into the S3 layout, one file per account, Region and event day. */
function writeLayout(root: string, records: readonly CtJson[]): void {
  const files = new Map<string, CtJson[]>();
  for (const r of records) {
    const key = `${r.recipientAccountId}/CloudTrail/${r.awsRegion}/${day(r)}`;
    files.set(key, [...(files.get(key) ?? []), r]);
  }
  for (const [key, list] of files) {
    const dir = path.join(root, 'AWSLogs', key);
    mkdirSync(dir, { recursive: true });
    const [account, , region, y, m, d] = key.split('/');
    const name = `${account}_CloudTrail_${region}_${y}${m}${d}T0000Z_fixture.json.gz`;
    writeFileSync(path.join(dir, name), gzipSync(JSON.stringify({ Records: list })));
  }
}

/** Writes each published file as one loose `{"Records":[...]}` file. */
function writeLoose(root: string, sets: ReadonlyMap<string, readonly CtJson[]>): void {
  mkdirSync(root, { recursive: true });
  for (const [name, list] of sets) {
    writeFileSync(path.join(root, `${name}.gz`), gzipSync(JSON.stringify({ Records: list })));
  }
}

function windowOf(records: readonly CtJson[]): { from: string; to: string } {
  const days = records.map(day).sort();
  return { from: days[0], to: days[days.length - 1] };
}

/** Every record of the window, counted by the engine. */
const COUNT_ALL: QueryDefinition = {
  ...QUERIES[0],
  id: 'count-all',
  params: QUERIES[0].params.filter((p) => p.name === 'from' || p.name === 'to'),
  placeholders: ['from', 'to'],
  sql: (t) => `SELECT count(*) AS records FROM "${t.database}"."${t.cloudTrailTable}"
WHERE date_partition >= ? AND date_partition <= ?`,
};

interface Source {
  readonly name: string;
  readonly root: string;
  readonly records: readonly CtJson[];
  readonly window: { from: string; to: string };
}

let tmp: string;
let sources: Source[];
const stratus = stratusRecords();

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'irkit-real-'));
  const otrf = otrfRecords();
  writeLayout(path.join(tmp, 'otrf'), otrf);
  writeLoose(path.join(tmp, 'stratus'), stratus);
  const all = [...stratus.values()].flat();
  sources = [
    { name: 'otrf', root: path.join(tmp, 'otrf'), records: otrf, window: windowOf(otrf) },
    { name: 'stratus', root: path.join(tmp, 'stratus'), records: all, window: windowOf(all) },
  ];
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

test('the fixtures hold the shapes the generator never writes', () => {
  const all = [...[...stratus.values()].flat(), ...otrfRecords()];
  const types = new Set(all.map((r) => r.userIdentity?.type));
  expect([...types].sort()).toEqual(['AssumedRole', 'FederatedUser', 'IAMUser']);
  expect(all.filter((r) => r.readOnly === undefined).length).toBeGreaterThan(50);
  expect(new Set(all.map((r) => r.eventVersion))).toEqual(new Set(['1.05', '1.07', '1.08', '1.09', '1.10']));
  // No session token or secret key is ever committed.
  for (const r of all) expect(JSON.stringify(r)).not.toMatch(/sessionToken|secretAccessKey/i);
});

describe.each(['otrf', 'stratus'])('the %s records on the local engine', (name) => {
  let source: Source;
  let engine: LocalEngine;

  beforeAll(async () => {
    source = sources.find((s) => s.name === name) as Source;
    engine = await LocalEngine.open({ logs: source.root });
  });

  afterAll(async () => {
    await engine.close();
  });

  test('every record in the files is read, none skipped', async () => {
    const result = await engine.run(COUNT_ALL, source.window);

    expect(result.warnings).toEqual([]);
    expect(rowObjects(result)).toEqual([{ records: String(source.records.length) }]);
  });

  test('every library query runs on them, with the rows it gives when every file is read', async () => {
    const whole = await LocalEngine.open({ logs: source.root });
    const key = source.records.find((r) => r.userIdentity?.accessKeyId)?.userIdentity?.accessKeyId as string;
    const user = (
      source.records.find((r) => r.userIdentity?.type === 'IAMUser')?.userIdentity as {
        userName: string;
      }
    ).userName;
    for (const query of QUERIES) {
      const values = Object.fromEntries(
        query.params.map((p) => [
          p.name,
          { accessKeyId: key, userName: user, ...source.window }[p.name as 'from'] ?? p.example,
        ]),
      );
      const result = await engine.run(query, values);
      expect([query.id, result.columns.length > 0 || result.rows.length === 0]).toEqual([query.id, true]);
      // The index chose the files: the answer is the one over every file of the window.
      const all = await whole.run({ ...query, seek: undefined }, values);
      expect([query.id, result.rows]).toEqual([query.id, all.rows]);
    }
    await whole.close();
  });

  test('the change queries keep the records without readOnly, classed by event name', async () => {
    const byKey = new Map<string, CtJson[]>();
    for (const r of source.records) {
      const k = r.userIdentity?.accessKeyId;
      if (k) byKey.set(k, [...(byKey.get(k) ?? []), r]);
    }
    const change = QUERIES.find((q) => q.id === 'key-change-details') as QueryDefinition;
    for (const [key, records] of byKey) {
      const result = await engine.run(change, { accessKeyId: key, ...source.window });
      const expected = records.filter((r) => !isReadOnly(r.readOnly, r.eventName)).map((r) => r.eventID);
      expect(
        rowObjects(result)
          .map((r) => r.eventid)
          .sort(),
      ).toEqual([...expected].sort());
    }
  });

  test('the investigation of every IAM user’s key completes, with each of its calls in the timeline', async () => {
    const keys = new Set(
      source.records
        .filter((r) => r.userIdentity?.type === 'IAMUser' && r.userIdentity.accessKeyId)
        .map((r) => r.userIdentity?.accessKeyId as string),
    );
    expect(keys.size).toBeGreaterThan(0);
    for (const accessKeyId of keys) {
      const result: InvestigationResult = await investigate(
        engine,
        { kind: 'accessKey', accessKeyId },
        source.window,
      );
      const own = source.records.filter((r) => r.userIdentity?.accessKeyId === accessKeyId);
      const timeline = result.timeline.filter((e) => e.accessKeyId === accessKeyId).map((e) => e.eventId);
      expect([accessKeyId, [...timeline].sort()]).toEqual([
        accessKeyId,
        own.map((r) => r.eventID as string).sort(),
      ]);
    }
  });
});

test('irkit investigate --engine local --logs completes on the real records', async () => {
  const source = sources.find((s) => s.name === 'otrf') as Source;
  const key = source.records.find((r) => r.userIdentity?.type === 'IAMUser')?.userIdentity
    ?.accessKeyId as string;
  const out = path.join(tmp, 'otrf-result');
  const run = await irkit(
    'investigate',
    '--access-key-id',
    key,
    '--from',
    source.window.from,
    '--to',
    source.window.to,
    '--engine',
    'local',
    '--logs',
    source.root,
    '--out',
    out,
  );

  expect([run.code, run.stderr]).toEqual([0, expect.any(String)]);
});
