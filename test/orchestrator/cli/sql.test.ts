import { writeFileSync } from 'node:fs';
import * as path from 'node:path';

import { KEY, LogTree, playbookKeyCalls } from '../engines/fixtures';
import { irkit } from '../../helpers/cli';

/** `irkit sql` at the command line: the formats of `irkit queries run`, refusals with exit 2. */

const CT = 'irworkshopgluedatabase.irworkshopgluetablecloudtrail';
const WINDOW = ['--from', '2021/07/16', '--to', '2021/07/24'];
let logs: LogTree;

beforeAll(() => {
  logs = new LogTree();
  logs.cloudTrail('2021/07/24', playbookKeyCalls());
});

afterAll(() => logs.remove());

test('prints the rows as a table, JSON or CSV, progress on stderr', async () => {
  const select = `SELECT eventname, count(*) AS n FROM ${CT} WHERE useridentity.accesskeyid = '${KEY}' GROUP BY 1 ORDER BY 1`;
  const table = await irkit('sql', select, '--logs', logs.root, ...WINDOW);
  expect(table.code).toBe(0);
  expect(table.stdout.split('\n')[0]).toMatch(/^eventname\s+\|\s+n$/);
  expect(table.stdout).toContain('CreateUser');
  expect(table.stderr).toMatch(/irkit sql: window 2021\/07\/16\.\.2021\/07\/24/);
  expect(table.stderr).toMatch(/irkit sql: 4 row\(s\)/);

  const json = await irkit('sql', select, '--logs', logs.root, ...WINDOW, '--format', 'json');
  expect(JSON.parse(json.stdout)).toMatchObject({
    sql: select,
    window: { from: '2021/07/16', to: '2021/07/24' },
    engine: 'local',
    columns: ['eventname', 'n'],
    rows: expect.arrayContaining([{ eventname: 'CreateUser', n: 1 }]),
  });

  const file = path.join(logs.root, '..', `${path.basename(logs.root)}.sql`);
  writeFileSync(file, select);
  const csv = await irkit('sql', '--file', file, '--logs', logs.root, ...WINDOW, '--format', 'csv');
  expect(csv.stdout.split('\r\n')[0]).toBe('eventname,n');
});

test('a write is refused with exit 2, naming what irkit sql runs', async () => {
  const run = await irkit('sql', `DELETE FROM ${CT}`, '--logs', logs.root, ...WINDOW);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/one read-only SELECT/);
  expect(run.stdout).toBe('');
});

test('needs --logs, a window and one SELECT', async () => {
  expect((await irkit('sql', 'SELECT 1', ...WINDOW)).stderr).toMatch(/needs --logs/);
  expect((await irkit('sql', 'SELECT 1', '--logs', logs.root)).stderr).toMatch(/--from and --since/);
  expect((await irkit('sql', '--logs', logs.root, ...WINDOW)).stderr).toMatch(
    /as an argument or with --file/,
  );
});

test('--help names the tables and says the cache is a DuckDB file', async () => {
  const help = await irkit('sql', '--help');
  expect(help.stdout).toContain(CT);
  expect(help.stdout).toMatch(/DuckDB database/);
});
