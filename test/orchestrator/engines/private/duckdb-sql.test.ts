import { QueryDefinition, getQuery } from '../../../../lib/queries';
import { rowObjects } from '../../../../orchestrator/engines/engine';
import { LocalEngine } from '../../../../orchestrator/engines/local';
import { ATHENA_MACROS, STORE_VERSION, literal } from '../../../../orchestrator/engines/private/duckdb-sql';
import { LogTree, playbookKeyCalls } from '../fixtures';

/** The Athena functions DuckDB lacks, as the macros supply them, checked against Trino's results. */

const base = getQuery('key-api-activity');
function adHoc(select: string): QueryDefinition {
  return {
    ...base,
    id: 'macro-check',
    placeholders: ['accessKeyId', 'from', 'to'],
    sql: (t) => `SELECT ${select}
FROM "${t.database}"."${t.cloudTrailTable}"
WHERE useridentity.accesskeyid = ? AND date_partition >= ? AND date_partition <= ?
      AND eventname = 'CreateUser'`,
  };
}

let logs: LogTree;
let engine: LocalEngine;

beforeAll(async () => {
  logs = new LogTree();
  logs.cloudTrail('2021/07/24', playbookKeyCalls());
  engine = await LocalEngine.open({ logs: logs.root, threads: 2 });
});

afterAll(async () => {
  await engine.close();
  logs.remove();
});

async function one(select: string) {
  const result = await engine.run(adHoc(select), {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    from: '2021/07/16',
    to: '2021/07/24',
  });
  return rowObjects(result)[0];
}

test('json_extract_scalar: scalars as text, objects and arrays as null, like Trino', async () => {
  expect(
    await one(`json_extract_scalar(responseelements, '$.user.userName') AS name,
       json_extract_scalar(responseelements, '$.user') AS object,
       json_extract_scalar(responseelements, '$.user.missing') AS missing,
       json_extract_scalar(requestparameters, '$.userName') AS requested`),
  ).toEqual({ name: 'JaneDoe', object: null, missing: null, requested: 'JaneDoe' });
});

test('from_iso8601_timestamp reads eventTime as a UTC timestamp', async () => {
  expect(await one('from_iso8601_timestamp(eventtime) AS at')).toEqual({ at: '2021-07-24 02:22:32.000 UTC' });
});

test('regexp_like and cardinality', async () => {
  expect(
    await one(`regexp_like(eventname, '^Create') AS created, regexp_like(eventname, '^Delete') AS deleted,
       cardinality(split('a,b,c', ',')) AS items`),
  ).toEqual({ created: 'true', deleted: 'false', items: '3' });
});

test('every macro is defined under the Athena name', () => {
  const names = ATHENA_MACROS.map((sql) => /MACRO (\w+)\(/.exec(sql)?.[1]);
  expect(names).toEqual([
    'json_extract_scalar',
    'from_iso8601_timestamp',
    'regexp_like',
    'cardinality',
    'date_parse',
    'date_format',
    'from_unixtime',
  ]);
});

test('the window’s date arithmetic gives Trino’s days, whatever the machine’s time zone', async () => {
  const logs = new LogTree();
  logs.cloudTrail('2021/07/24', playbookKeyCalls());
  const local = await LocalEngine.open({ logs: logs.root });
  const query: QueryDefinition = {
    ...base,
    id: 'window-check',
    placeholders: ['to', 'accessKeyId', 'from', 'to'],
    sql: (
      t,
    ) => `SELECT DISTINCT date_format(date_parse(?, '%Y/%m/%d') + INTERVAL '1' DAY, '%Y/%m/%d') AS next_day,
       date_format(from_unixtime(1627171199), '%Y/%m/%d') AS flow_day
FROM "${t.database}"."${t.cloudTrailTable}"
WHERE useridentity.accesskeyid = ? AND date_partition >= ? AND date_partition <= ?`,
  };
  try {
    const wide = await local.run(query, {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      from: '2021/07/16',
      to: '2021/12/31',
    });
    // 1627171199 is 2021-07-24T23:59:59Z.
    expect(rowObjects(wide)).toEqual([{ next_day: '2022/01/01', flow_day: '2021/07/24' }]);
  } finally {
    await local.close();
    logs.remove();
  }
});

test('helpers: literals double quotes; the store version is a stable hash', () => {
  expect(literal("it's")).toBe("'it''s'");
  expect(STORE_VERSION).toMatch(/^[0-9a-f]{16}$/);
});
