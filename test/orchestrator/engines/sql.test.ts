import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';

import { IrKitError } from '../../../lib/errors';
import { rowObjects } from '../../../orchestrator/engines/engine';
import { LocalEngine } from '../../../orchestrator/engines/local';
import { ATTACKER_IP, FLOW_HEADER, KEY, LogTree, ctRecord, flowLine, playbookKeyCalls } from './fixtures';

/**
 * `irkit sql` on the engine: one SELECT of the user's over the Glue-named views, with every
 * file of the window and every column; anything that is not a read is refused and changes
 * nothing (the cache file, other files, the session's settings and attachments).
 */

const WINDOW = { from: '2021/07/16', to: '2021/07/24' };
const CT = '"irworkshopgluedatabase"."irworkshopgluetablecloudtrail"';

let logs: LogTree;
let engine: LocalEngine;
let cache: string;

beforeAll(async () => {
  logs = new LogTree();
  logs.cloudTrail('2021/07/24', playbookKeyCalls());
  logs.cloudTrail('2021/07/20', [
    ctRecord({
      eventTime: '2021-07-20T10:00:00Z',
      eventName: 'ListBuckets',
      eventSource: 's3.amazonaws.com',
      accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
      userName: 'JaneDoe',
      tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' },
    }),
  ]);
  logs.flowLog('2021/07/24', FLOW_HEADER, [flowLine(ATTACKER_IP, '10.0.0.5')]);
  cache = path.join(logs.root, '..', `${path.basename(logs.root)}.duckdb`);
  engine = await LocalEngine.open({ logs: logs.root, threads: 2, cachePath: cache });
});

afterAll(async () => {
  await engine.close();
  logs.remove();
  for (const f of [cache, `${cache}.wal`, '/tmp/irkit-sql-copy.csv', '/tmp/irkit-sql-attached.duckdb'])
    rmSync(f, { force: true });
});

test('reads every file of the window, every column, as the library sees them', async () => {
  const result = await engine.sql(
    `SELECT eventname, useridentity.accesskeyid AS key, tlsdetails.tlsversion AS tls, date_partition
     FROM irworkshopgluedatabase.irworkshopgluetablecloudtrail ORDER BY eventtime`,
    WINDOW,
  );

  expect(rowObjects(result).map((r) => [r.eventname, r.key, r.tls])).toEqual([
    ['ListBuckets', 'AKIAI44QH8DHBEXAMPLE', 'TLSv1.3'],
    ...playbookKeyCalls().map((r) => [r.eventName, KEY, null]),
  ]);
  expect(result.stats.filesInWindow).toBe(2);
});

test('joins both tables, with Athena’s functions', async () => {
  const result = await engine.sql(
    `SELECT f.sourceaddress, count(*) AS n, max(json_extract_scalar(c.requestparameters, '$.userName')) AS u
     FROM irworkshopgluedatabase.irworkshopgluetablevpcflow f
     JOIN ${CT} c ON c.sourceipaddress = f.sourceaddress
     GROUP BY 1`,
    WINDOW,
  );

  expect(rowObjects(result)).toEqual([
    { sourceaddress: ATTACKER_IP, n: String(playbookKeyCalls().length + 1), u: 'JaneDoe' },
  ]);
});

const REFUSED = [
  `INSERT INTO ${CT} (eventname) VALUES ('x')`,
  `DELETE FROM irkit_store.irkit.files`,
  `UPDATE irkit_store.irkit.files SET status = 'ok'`,
  `CREATE TABLE t AS SELECT 1`,
  `DROP VIEW ${CT}`,
  `ATTACH '/tmp/irkit-sql-attached.duckdb' AS other`,
  `DETACH irkit_store`,
  `COPY (SELECT * FROM ${CT}) TO '/tmp/irkit-sql-copy.csv'`,
  `EXPORT DATABASE '/tmp/irkit-sql-export'`,
  `INSTALL httpfs`,
  `LOAD httpfs`,
  `PRAGMA memory_limit = '1GB'`,
  `SET memory_limit = '1GB'`,
  `CALL pragma_version()`,
  `CHECKPOINT`,
  `EXPLAIN ANALYZE SELECT 1`,
  `SELECT 1; DROP VIEW ${CT}`,
  `BEGIN TRANSACTION`,
  `SELECT * FROM query('CREATE TABLE t AS SELECT 1')`,
];

test.each(REFUSED)('refuses %s and changes nothing', async (statement) => {
  const before = {
    cache: statSync(cache).mtimeMs,
    rows: (await engine.sql(`SELECT count(*) AS n FROM ${CT}`, WINDOW)).rows,
    files: (await engine.sql(`SELECT count(*) AS n FROM irkit_store.irkit.files`, WINDOW)).rows,
    databases: (await engine.sql(`SELECT database_name FROM duckdb_databases() ORDER BY 1`, WINDOW)).rows,
    memory: (await engine.sql(`SELECT current_setting('memory_limit') AS m`, WINDOW)).rows,
  };

  const error = await engine.sql(statement, WINDOW).then(
    () => undefined,
    (e: unknown) => e,
  );

  expect(error).toBeInstanceOf(IrKitError);
  expect((error as IrKitError).code).toBe('IRKIT_INVALID_INPUT');
  expect((error as IrKitError).message).toMatch(/one read-only SELECT|Expected a single SELECT/);
  expect(statSync(cache).mtimeMs).toBe(before.cache);
  expect(existsSync('/tmp/irkit-sql-copy.csv')).toBe(false);
  expect(existsSync('/tmp/irkit-sql-attached.duckdb')).toBe(false);
  expect(existsSync('/tmp/irkit-sql-export')).toBe(false);
  expect((await engine.sql(`SELECT count(*) AS n FROM ${CT}`, WINDOW)).rows).toEqual(before.rows);
  expect((await engine.sql(`SELECT count(*) AS n FROM irkit_store.irkit.files`, WINDOW)).rows).toEqual(
    before.files,
  );
  expect((await engine.sql(`SELECT database_name FROM duckdb_databases() ORDER BY 1`, WINDOW)).rows).toEqual(
    before.databases,
  );
  expect((await engine.sql(`SELECT current_setting('memory_limit') AS m`, WINDOW)).rows).toEqual(
    before.memory,
  );
});

test('a SELECT that does not parse or bind is refused before any file is read', async () => {
  const fresh = await LocalEngine.open({ logs: logs.root, threads: 2 });
  try {
    const error = await fresh.sql(`SELECT nosuchcolumn FROM ${CT}`, WINDOW).then(
      () => undefined,
      (e: unknown) => e as IrKitError,
    );
    expect(error?.code).toBe('IRKIT_INVALID_INPUT');
    expect(error?.message).toMatch(/nosuchcolumn/);
    // The engine still works, and had read nothing.
    const ok = await fresh.sql(`SELECT count(*) AS n FROM ${CT}`, WINDOW);
    expect(ok.stats.filesParsed).toBe(2);
  } finally {
    await fresh.close();
  }
});

test('the store is attached read-only while the SELECT runs, and writable again after', async () => {
  const result = await engine.sql(
    `SELECT readonly FROM duckdb_databases() WHERE database_name = 'irkit_store'`,
    WINDOW,
  );
  expect(rowObjects(result)).toEqual([{ readonly: 'true' }]);
  // A library query after it still loads new files into the store.
  const text = readFileSync(cache).length;
  expect(text).toBeGreaterThan(0);
});
