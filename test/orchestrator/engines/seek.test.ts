import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { QUERIES, QueryDefinition, SeekKind } from '../../../lib/queries';
import { rowObjects } from '../../../orchestrator/engines/engine';
import { LocalEngine } from '../../../orchestrator/engines/local';
import { generateIncident } from '../../../simulation/synthetic';
import { VARIANT_NAMES } from '../../../simulation/synthetic/variants';

/**
 * The local engine reads in full only the log files its index says can hold a record a query
 * selects (the query's `seek`). This proves the shortcut changes no answer: every library query,
 * for every value of its subject found in the logs (in other cases too, and one that is absent),
 * returns exactly the rows it returns when every file of the window is read.
 */

const WINDOW = { from: '2021/07/23', to: '2021/07/24' };

/** Every value of each seek kind in the logs, read by the whole-read engine. */
const DISTINCT: QueryDefinition = {
  ...QUERIES[0],
  id: 'distinct-subjects',
  params: QUERIES[0].params.filter((p) => p.name === 'from' || p.name === 'to'),
  placeholders: ['from', 'to'],
  seek: undefined,
  sql: (t) => `SELECT DISTINCT t.kind AS kind, t.value AS value FROM (
  SELECT unnest([
    {'kind': 'accessKeyId', 'value': useridentity.accesskeyid},
    {'kind': 'userName', 'value': useridentity.username},
    {'kind': 'sessionIssuer', 'value': useridentity.sessioncontext.sessionissuer.username},
    {'kind': 'sourceIp', 'value': sourceipaddress},
    {'kind': 'policyUser', 'value': json_extract_scalar(requestparameters, '$.userName')}]) AS t
  FROM "${t.database}"."${t.cloudTrailTable}"
  WHERE date_partition >= ? AND date_partition <= ?)
WHERE t.value IS NOT NULL ORDER BY 1, 2`,
};

let dir: string;
let seeking: LocalEngine;
let whole: LocalEngine;
const values = new Map<SeekKind, string[]>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'irkit-seek-'));
  await generateIncident({
    outDir: dir,
    backgroundEvents: 1500,
    days: 2,
    regions: ['us-east-1', 'us-west-2'],
    accounts: ['777777777777', '111122223333'],
    variants: [...VARIANT_NAMES],
  });
  seeking = await LocalEngine.open({ logs: dir, threads: 2 });
  whole = await LocalEngine.open({ logs: dir, threads: 2 });
  const found = rowObjects(await whole.run(DISTINCT, WINDOW));
  for (const { kind, value } of found) {
    const k = (kind === 'policyUser' ? 'userName' : kind) as SeekKind;
    values.set(k, [...new Set([...(values.get(k) ?? []), value as string])]);
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([seeking?.close(), whole?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** The values to try for a parameter: a few found in the logs (the incident's first), in other case, and one absent. */
function trials(query: QueryDefinition, param: string): string[] {
  const kind = query.params.find((p) => p.name === param)?.kind;
  const pick = (k: SeekKind, valid: RegExp) => {
    const found = (values.get(k) ?? []).filter((v) => valid.test(v));
    const incident = found.filter((v) => /EXAMPLE|JaneDoe|JorgeSouza|198\.51\.100|72\.21/.test(v));
    return [...incident, ...found.filter((v) => !incident.includes(v)).slice(0, 3)];
  };
  switch (kind) {
    case 'accessKeyId':
      return [...pick('accessKeyId', /^(AKIA|ASIA)[A-Z0-9]{16}$/), 'AKIAI44QH8DHBEXAMPLF'];
    case 'userName': {
      const names = pick('userName', /^[\w+=,.@-]{1,64}$/);
      return [...names, ...names.slice(0, 2).map((n) => n.toLowerCase()), 'NobodyAtAll'];
    }
    case 'roleName': {
      const roles = pick('sessionIssuer', /^[\w+=,.@-]{1,64}$/);
      return [...roles, ...roles.slice(0, 1).map((n) => n.toUpperCase()), 'NoSuchRole'];
    }
    case 'ipList': {
      const ips = pick('sourceIp', /^[\d.]+$|^[\da-f:]+$/i);
      return [ips.slice(0, 2).join(','), ips.slice(2).join(',') || ips[0], '203.0.113.9'];
    }
    default:
      throw new Error(`no trial values for ${param} (${kind})`);
  }
}

test('every library query declares how its CloudTrail records are found, or reads the table whole', () => {
  for (const query of QUERIES) {
    for (const seek of Object.values(query.seek ?? {})) {
      expect([query.id, query.placeholders.includes(seek.param)]).toEqual([query.id, true]);
    }
    const sql = query.sql({ database: 'db', cloudTrailTable: 'ct', vpcFlowTable: 'flow' });
    if (sql.includes('"ct"')) expect([query.id, query.seek?.cloudtrail]).not.toEqual([query.id, undefined]);
  }
});

test.each(QUERIES.map((q) => [q.id, q] as const))(
  '%s returns the same rows as over every file',
  async (_id, query) => {
    const seekParams = Object.values(query.seek ?? {}).map((s) => s.param);
    const param = seekParams[0];
    const tried = param ? trials(query, param) : [''];
    let rows = 0;
    for (const value of tried) {
      const given = Object.fromEntries(
        query.params.map((p) => [
          p.name,
          p.name === param ? value : (({ ...WINDOW } as Record<string, string>)[p.name] ?? p.example),
        ]),
      );
      const fast = await seeking.run(query, given);
      const slow = await whole.run({ ...query, seek: undefined }, given);
      expect({ value, columns: fast.columns, rows: fast.rows }).toEqual({
        value,
        columns: slow.columns,
        rows: slow.rows,
      });
      rows += slow.rows.length;
    }
    // The trials are not vacuous: the incident's values select rows for the subject queries.
    if (param && !['user-console-logins', 'ip-network-activity', 'key-network-activity'].includes(query.id)) {
      expect([query.id, rows]).not.toEqual([query.id, 0]);
    }
  },
  60_000,
);

test('the index reads in full only some files for a subject query', async () => {
  const engine = await LocalEngine.open({ logs: dir, threads: 2 });
  try {
    const result = await engine.run(QUERIES.find((q) => q.id === 'key-api-activity') as QueryDefinition, {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      ...WINDOW,
    });
    const all = await engine.run(DISTINCT, WINDOW);
    expect(result.rows.length).toBeGreaterThan(0);
    expect(all.stats.filesParsed).toBeGreaterThan(0);
    expect(all.stats.filesParsed).toBeLessThan(all.stats.filesInWindow as number);
  } finally {
    await engine.close();
  }
});
