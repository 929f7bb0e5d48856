import { Parser } from 'node-sql-parser';

import { IrKitError } from '../../../lib/errors';
import {
  DEFAULT_TABLE_NAMES,
  QUERIES,
  QueryDefinition,
  bindParams,
  getQuery,
  renderForConsole,
  renderSql,
} from '../../../lib/queries';

const parser = new Parser();
const TRINO = { database: 'trino' };

/** Example values for every parameter, as `irkit queries show` prints them. */
function exampleValues(id: string): Record<string, string> {
  return Object.fromEntries(getQuery(id).params.map((p) => [p.name, p.example]));
}

describe('the query library', () => {
  test('ids are unique kebab-case and every query is reachable by id', () => {
    const ids = QUERIES.map((q) => q.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[a-z]+(-[a-z0-9]+)+$/);
      expect(getQuery(id).id).toBe(id);
    }
  });

  test('an unknown id is IRKIT_UNKNOWN_QUERY with a hint', () => {
    expect(() => getQuery('key-everything')).toThrow(IrKitError);
    expect(() => getQuery('key-everything')).toThrow(/no query with id "key-everything"/);
  });

  test.each(QUERIES.map((q) => [q.id, q] as const))('%s: placeholders match its parameters', (_id, query) => {
    const sql = renderSql(query);
    expect(sql.split('?').length - 1).toBe(query.placeholders.length);
    const names = query.params.map((p) => p.name);
    expect([...new Set(query.placeholders)].sort()).toEqual([...names].sort());
    expect(bindParams(query, exampleValues(query.id))).toHaveLength(query.placeholders.length);
  });

  test.each(QUERIES.map((q) => [q.id, q] as const))(
    '%s: reads one delivery day past the window and bounds every table it reads to the window’s event days',
    (_id, query) => {
      const sql = renderSql(query);
      expect(query.params.map((p) => p.name)).toEqual(expect.arrayContaining(['from', 'to']));
      const tables = [DEFAULT_TABLE_NAMES.cloudTrailTable, DEFAULT_TABLE_NAMES.vpcFlowTable].filter((t) =>
        sql.includes(`"${t}"`),
      );
      expect(tables.length).toBeGreaterThan(0);
      const count = (pattern: RegExp) => (sql.match(pattern) ?? []).length;
      expect(count(/date_partition >= \?/g)).toBe(tables.length);
      expect(
        count(
          /date_partition <= date_format\(date_parse\(\?, '%Y\/%m\/%d'\) \+ INTERVAL '1' DAY, '%Y\/%m\/%d'\)/g,
        ),
      ).toBe(tables.length);
      expect(count(/\) >= \?/g)).toBe(tables.length);
      expect(count(/\) <= \?/g)).toBe(tables.length);
      if (sql.includes(`"${DEFAULT_TABLE_NAMES.cloudTrailTable}"`)) {
        expect(sql).toMatch(/replace\(substr\(("[^"]+"\."[^"]+"\.)?eventtime, 1, 10\), '-', '\/'\) >= \?/);
      }
      if (sql.includes(`"${DEFAULT_TABLE_NAMES.vpcFlowTable}"`)) {
        expect(sql).toMatch(/from_unixtime\(("[^"]+"\."[^"]+"\.)?starttime\)/);
      }
      // Each window binds from and to twice, in this order.
      expect(query.placeholders.join(',')).toContain('from,to,from,to');
    },
  );

  test.each(QUERIES.map((q) => [q.id, q] as const))('%s: is valid Athena (Trino) SQL', (_id, query) => {
    expect(() => parser.astify(renderSql(query), TRINO)).not.toThrow();
  });

  test('the syntax check rejects what Athena would reject', () => {
    expect(() => parser.astify('SELECT eventname FROM WHERE eventname = ?', TRINO)).toThrow();
    expect(() => parser.astify(`${renderSql(getQuery('key-api-activity'))} ORDER BY GROUP`, TRINO)).toThrow();
  });

  test('no value is ever spliced into the SQL: every literal is fixed text', () => {
    for (const query of QUERIES) {
      const sql = renderSql(query);
      for (const value of Object.values(exampleValues(query.id))) {
        expect(sql).not.toContain(value);
      }
    }
  });

  test('renders configured Glue names in place of the playbook’s', () => {
    const names = { database: 'security_lake', cloudTrailTable: 'trail', vpcFlowTable: 'flows' };
    for (const query of QUERIES) {
      const sql = renderSql(query, names);
      expect(sql).not.toContain(DEFAULT_TABLE_NAMES.database);
      expect(sql).toContain('"security_lake".');
    }
  });
});

describe('bindParams refuses bad input before any engine runs', () => {
  const query = getQuery('key-api-activity');
  const good = exampleValues('key-api-activity');

  test.each([
    ['a malformed key id', { accessKeyId: 'AKIA123' }, /access key id/],
    ['an SQL fragment', { accessKeyId: "AKIAIOSFODNN7EXAMPLE' OR '1'='1" }, /access key id/],
    ['an impossible date', { from: '2021/02/30' }, /date/],
    ['an inverted window', { from: '2021/07/25', to: '2021/07/24' }, /date window/],
    ['an unknown parameter', { bucket: 'x' }, /no parameter "bucket"/],
  ])('%s', (_what, change, message) => {
    expect(() => bindParams(query, { ...good, ...change })).toThrow(message);
  });

  test('a user name outside IAM’s character set', () => {
    expect(() =>
      bindParams(getQuery('user-api-activity'), {
        ...exampleValues('user-api-activity'),
        userName: 'Jane Doe;',
      }),
    ).toThrow(/IAM user name/);
  });

  test('an IP list with a bad entry', () => {
    expect(() =>
      bindParams(getQuery('ip-activity'), {
        ...exampleValues('ip-activity'),
        sourceIps: '198.51.100.77,not-an-ip',
      }),
    ).toThrow(/IP address/);
  });

  test('a missing parameter names it and gives an example', () => {
    const partial: Record<string, string> = { ...good };
    delete partial.to;
    expect(() => bindParams(query, partial)).toThrow(/needs parameter "to"/);
  });
});

describe('renderForConsole', () => {
  const query = getQuery('key-api-activity');

  test('fills the given values as literals and keeps ? for the rest, naming them in order', () => {
    const { sql, prompts } = renderForConsole(query, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });

    expect(sql).toContain("useridentity.accesskeyid = 'AKIAIOSFODNN7EXAMPLE'");
    expect(sql.match(/\?/g)).toHaveLength(4);
    expect(prompts).toEqual(['from', 'to', 'from', 'to']);
  });

  test('leaves a ? inside a string literal alone', () => {
    const quoted: QueryDefinition = {
      ...query,
      sql: () =>
        `SELECT '?' AS mark FROM t WHERE useridentity.accesskeyid = ? AND date_partition >= ? AND date_partition <= ?`,
    };

    const { sql } = renderForConsole(quoted, {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      from: '2021/07/16',
      to: '2021/07/24',
    });

    expect(sql).toBe(
      "SELECT '?' AS mark FROM t WHERE useridentity.accesskeyid = 'AKIAIOSFODNN7EXAMPLE' AND date_partition >= '2021/07/16' AND date_partition <= '2021/07/24'",
    );
  });

  test('validates what it fills in', () => {
    expect(() => renderForConsole(query, { accessKeyId: "AKIA' --" })).toThrow(/access key id/);
    expect(() => renderForConsole(query, { from: '2021/07/25', to: '2021/07/01' })).toThrow(/date window/);
    expect(() => renderForConsole(query, { bucket: 'x' })).toThrow(/no parameter "bucket"/);
  });
});
