import { mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { constants, createGzip, gzipSync } from 'node:zlib';

import { IrKitError } from '../../../lib/errors';
import { getQuery } from '../../../lib/queries';
import { QueryResult, rowObjects } from '../../../orchestrator/engines/engine';
import { LocalEngine } from '../../../orchestrator/engines/local';
import {
  ACCOUNT,
  ATTACKER_IP,
  FLOW_HEADER,
  KEY,
  LogTree,
  ctRecord,
  flowLine,
  playbookKeyCalls,
} from './fixtures';

const WINDOW = { from: '2021/07/16', to: '2021/07/24' };
const KEY_PARAMS = { accessKeyId: KEY, ...WINDOW };
/** The raw partition of every record of the key, for tests of how files are read. */
const PARTITION_SQL = `SELECT date_partition, eventtime FROM "irworkshopgluedatabase"."irworkshopgluetablecloudtrail"
WHERE useridentity.accesskeyid = ? AND date_partition >= ? AND date_partition <= ? AND ? <> '' AND ? <> ''`;

const trees: LogTree[] = [];
const engines: LocalEngine[] = [];

function tree(): LogTree {
  const t = new LogTree();
  trees.push(t);
  return t;
}

async function open(logs: string, options: Partial<Parameters<typeof LocalEngine.open>[0]> = {}) {
  const engine = await LocalEngine.open({ logs, threads: 2, ...options });
  engines.push(engine);
  return engine;
}

async function expectError(promise: Promise<unknown>, code: string, text?: RegExp): Promise<IrKitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IrKitError);
  expect((error as IrKitError).code).toBe(code);
  if (text) expect(`${(error as IrKitError).message} ${(error as IrKitError).hint}`).toMatch(text);
  return error as IrKitError;
}

function counts(result: QueryResult): Record<string, string | null> {
  return Object.fromEntries(rowObjects(result).map((r) => [r.eventname as string, r.COUNT]));
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  trees.splice(0).forEach((t) => t.remove());
});

describe('LocalEngine over the S3 layout', () => {
  test('runs a library query unchanged and renders cells as Athena does', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(result.columns).toEqual([
      'awsregion',
      'eventsource',
      'eventname',
      'readonly',
      'errorcode',
      'errormessage',
      'COUNT',
    ]);
    expect(result.rows).toHaveLength(4);
    const identity = result.rows.find((r) => r[2] === 'GetCallerIdentity');
    expect(identity).toEqual([
      'us-east-1',
      'sts.amazonaws.com',
      'GetCallerIdentity',
      'true',
      null,
      null,
      '1',
    ]);
    expect(result.warnings).toEqual([]);
    expect(result.stats).toMatchObject({ engine: 'local', filesInWindow: 1, filesParsed: 1 });
  });

  test('keeps JSON documents as Athena shows them: compact text, and null as the text null', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-call-details'), {
      ...KEY_PARAMS,
      eventNames: 'AttachUserPolicy,CreateUser',
    });

    expect(rowObjects(result)).toEqual([
      {
        eventtime: '2021-07-24T02:22:32Z',
        awsregion: 'us-east-1',
        eventname: 'CreateUser',
        requestparameters: '{"userName":"JaneDoe"}',
        responseelements:
          '{"user":{"path":"/","userName":"JaneDoe","userId":"AIDACKCEVSQ6C2EXAMPLE","arn":"arn:aws:iam::777777777777:user/JaneDoe","createDate":"Jul 24, 2021 2:22:32 AM"}}',
        errorcode: null,
        errormessage: null,
      },
      {
        eventtime: '2021-07-24T02:22:33Z',
        awsregion: 'us-east-1',
        eventname: 'AttachUserPolicy',
        requestparameters: '{"userName":"JaneDoe","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}',
        responseelements: 'null',
        errorcode: null,
        errormessage: null,
      },
    ]);
  });

  test('takes date_partition from the object path, not from eventTime', async () => {
    const logs = tree();
    // Delivered just after midnight: the event of 07/23 sits in the 07/24 folder.
    logs.cloudTrail('2021/07/24', [ctRecord({ eventTime: '2021-07-23T23:58:00Z', eventName: 'ListUsers' })]);
    const engine = await open(logs.root);

    const result = await engine.run(
      { ...getQuery('key-api-activity'), id: 'partition-check', sql: () => PARTITION_SQL },
      KEY_PARAMS,
    );

    expect(rowObjects(result)).toEqual([{ date_partition: '2021/07/24', eventtime: '2021-07-23T23:58:00Z' }]);
  });

  test('the window is event time: an event of the last day delivered the next day is in it', async () => {
    const logs = tree();
    // Delivered just after midnight: the event of 07/23 sits in the 07/24 folder.
    logs.cloudTrail('2021/07/24', [ctRecord({ eventTime: '2021-07-23T23:58:00Z', eventName: 'ListUsers' })]);
    logs.cloudTrail('2021/07/23', [ctRecord({ eventTime: '2021-07-23T12:00:00Z', eventName: 'ListRoles' })]);
    logs.cloudTrail('2021/07/25', [ctRecord({ eventTime: '2021-07-24T23:59:59Z', eventName: 'ListKeys' })]);
    logs.cloudTrail('2021/07/26', [
      ctRecord({ eventTime: '2021-07-25T00:01:00Z', eventName: 'ListAliases' }),
    ]);
    const engine = await open(logs.root);

    const on23 = await engine.run(getQuery('key-api-activity'), { ...KEY_PARAMS, to: '2021/07/23' });
    const on24 = await engine.run(getQuery('key-api-activity'), { ...KEY_PARAMS, from: '2021/07/24' });

    expect(counts(on23)).toEqual({ ListRoles: '1', ListUsers: '1' });
    expect(counts(on24)).toEqual({ ListKeys: '1' });
  });

  test('never reads a file outside the window (a broken one there goes unnoticed)', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const outside = logs.cloudTrail('2021/07/10', playbookKeyCalls());
    writeFileSync(outside, 'definitely not gzip');
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(result.warnings).toEqual([]);
    expect(result.stats.filesInWindow).toBe(1);
  });

  test('reads the organization-trail layout under a prefix, plain .json too, across accounts and regions', async () => {
    const logs = tree();
    const [identity, createUser] = playbookKeyCalls();
    logs.cloudTrail('2021/07/24', [identity], { prefix: 'trails', org: 'o-exampleorgid' });
    logs.cloudTrail('2021/07/20', [createUser], {
      prefix: 'trails',
      org: 'o-exampleorgid',
      account: '111122223333',
      region: 'eu-west-1',
      gzip: false,
    });
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(counts(result)).toEqual({ GetCallerIdentity: '1', CreateUser: '1' });
    expect(result.stats.filesInWindow).toBe(2);
  });

  test('reads a file larger than DuckDB’s default 16 MB document limit', async () => {
    const logs = tree();
    const blob = 'x'.repeat(90_000);
    const big = Array.from({ length: 200 }, (_, i) =>
      ctRecord({
        eventTime: '2021-07-24T01:00:00Z',
        eventName: 'PutObject',
        requestParameters: { key: `k${i}`, blob },
      }),
    );
    logs.cloudTrail('2021/07/24', big);
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(counts(result)).toMatchObject({ PutObject: '200', CreateUser: '1' });
    expect(result.warnings).toEqual([]);
  });

  test('accepts a --logs folder inside the layout (one account)', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    logs.cloudTrail('2021/07/24', playbookKeyCalls(), { account: '111122223333' });
    const engine = await open(path.join(logs.root, 'AWSLogs', ACCOUNT));

    const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(result.stats.filesInWindow).toBe(1);
    expect(counts(result).CreateUser).toBe('1');
  });
});

describe('LocalEngine over a flat folder', () => {
  test('derives partitions from eventTime, awsRegion and recipientAccountId', async () => {
    const logs = tree();
    logs.file('export/a.json', JSON.stringify({ Records: playbookKeyCalls().slice(0, 2) }));
    logs.file('export/b.json.gz', JSON.stringify({ Records: playbookKeyCalls().slice(2) }), true);
    logs.file(
      'export/old.json',
      JSON.stringify({ Records: [ctRecord({ eventTime: '2021-06-01T00:00:00Z', eventName: 'Old' })] }),
    );
    const engine = await open(path.join(logs.root, 'export'));

    const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(Object.keys(counts(result)).sort()).toEqual([
      'AttachUserPolicy',
      'CreateAccessKey',
      'CreateUser',
      'GetCallerIdentity',
    ]);
  });

  test('reads loose VPC Flow Logs files too, dating each record by its start time', async () => {
    const logs = tree();
    logs.file('export/trail.json', JSON.stringify({ Records: playbookKeyCalls() }));
    logs.file('export/flows.log.gz', `${FLOW_HEADER}\n${flowLine(ATTACKER_IP, '10.0.0.5')}\n`, true);
    logs.file(
      'export/old-flows.log',
      `${FLOW_HEADER}\n${flowLine(ATTACKER_IP, '10.0.0.9').replace(/1627093[89]\d0/g, '1600000000')}\n`,
    );
    const engine = await open(path.join(logs.root, 'export'));

    const result = await engine.run(getQuery('key-network-activity'), KEY_PARAMS);

    expect(rowObjects(result)).toEqual([
      { sourceaddress: ATTACKER_IP, destinationaddress: '10.0.0.5', count: '1' },
    ]);
  });

  test('skips loose files whose CloudTrail name dates them outside the window', async () => {
    const logs = tree();
    logs.file(
      `${ACCOUNT}_CloudTrail_us-east-1_20210724T0230Z_AAAAAAAAAAAAAAAA.json.gz`,
      JSON.stringify({ Records: playbookKeyCalls() }),
      true,
    );
    logs.file(
      `${ACCOUNT}_CloudTrail_us-east-1_20200101T0230Z_BBBBBBBBBBBBBBBB.json.gz`,
      'broken and never read',
    );
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(result.warnings).toEqual([]);
    expect(result.stats.filesInWindow).toBe(1);
  });
});

describe('LocalEngine with damaged logs', () => {
  function damagedTree(): { logs: LogTree; bad: string[] } {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const truncated = logs.cloudTrail('2021/07/23', playbookKeyCalls());
    truncateSync(truncated, Math.floor(statSync(truncated).size / 2));
    const foreign = logs.cloudTrail('2021/07/22', []);
    writeFileSync(foreign, gzipSync(JSON.stringify({ configurationItems: [] })));
    const text = logs.cloudTrail('2021/07/21', []);
    writeFileSync(text, gzipSync('2021-07-21 GET /index.html 200'));
    const badJson = logs.cloudTrail('2021/07/20', [], { gzip: false });
    writeFileSync(badJson, '{"Records": [{"eventName": "X", ');
    return { logs, bad: [truncated, foreign, text, badJson] };
  }

  test('skips corrupt, truncated and foreign files, names each in a warning, and answers from the rest', async () => {
    const { logs, bad } = damagedTree();
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(counts(result)).toEqual({
      GetCallerIdentity: '1',
      CreateUser: '1',
      AttachUserPolicy: '1',
      CreateAccessKey: '1',
    });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/^skipped 4 of 5 log file/);
    for (const file of bad) expect(result.warnings[0]).toContain(file);
    expect(result.warnings[0]).toMatch(/foreign: not a CloudTrail log file/);
  });

  test('isolates several bad files among many good ones, keeping every good record', async () => {
    const logs = tree();
    const bad: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const day = `2021/07/${String(16 + (i % 9)).padStart(2, '0')}`;
      const file = logs.cloudTrail(day, [
        ctRecord({ eventTime: `${day.replace(/\//g, '-')}T01:00:00Z`, eventName: 'ListUsers' }),
      ]);
      if (i % 10 === 3) {
        truncateSync(file, 30);
        bad.push(file);
      } else if (i % 10 === 7) {
        writeFileSync(file, gzipSync('{"Records": [{"eventName": 1'));
        bad.push(file);
      }
    }
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(counts(result)).toEqual({ ListUsers: String(30 - bad.length) });
    expect(result.warnings[0]).toMatch(new RegExp(`^skipped ${bad.length} of 30 log file`));
    for (const file of bad) expect(result.warnings[0]).toContain(file);
  });

  test('--strict makes them fatal with IRKIT_LOGS_CORRUPT', async () => {
    const { logs, bad } = damagedTree();
    const engine = await open(logs.root, { strict: true });

    const error = await expectError(
      engine.run(getQuery('key-api-activity'), KEY_PARAMS),
      'IRKIT_LOGS_CORRUPT',
    );
    for (const file of bad) expect(error.message).toContain(file);
  });

  test('a window whose only files are unreadable is an error, not an empty answer', async () => {
    const logs = tree();
    const only = logs.cloudTrail('2021/07/24', []);
    writeFileSync(only, 'garbage');
    const engine = await open(logs.root);

    await expectError(
      engine.run(getQuery('key-api-activity'), KEY_PARAMS),
      'IRKIT_LOGS_CORRUPT',
      /no readable CloudTrail file/,
    );
  });

  test('an empty Records array is a valid file with no events', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', []);
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(result.rows).toEqual([]);
    expect(result.warnings).toEqual([]);
  });
});

describe('LocalEngine when logs are missing', () => {
  test('says where it looked, which window, and where the logs are', async () => {
    const logs = tree();
    logs.cloudTrail('2021/06/01', playbookKeyCalls());
    logs.cloudTrail('2021/06/03', playbookKeyCalls());
    const engine = await open(logs.root);

    const error = await expectError(
      engine.run(getQuery('key-api-activity'), KEY_PARAMS),
      'IRKIT_LOGS_MISSING',
    );
    expect(error.message).toContain('2021/07/16..2021/07/24');
    expect(error.message).toContain(logs.root);
    expect(error.hint).toContain('2021/06/01..2021/06/03');
  });

  test('an empty folder names the layout it expects', async () => {
    const logs = tree();
    const engine = await open(logs.root);

    const error = await expectError(
      engine.run(getQuery('key-api-activity'), KEY_PARAMS),
      'IRKIT_LOGS_MISSING',
    );
    expect(error.hint).toContain('AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD');
  });

  test('a folder that does not exist is refused at open', async () => {
    await expectError(
      LocalEngine.open({ logs: '/nonexistent/irkit/logs' }),
      'IRKIT_INVALID_INPUT',
      /does not exist/,
    );
  });
});

describe('LocalEngine and VPC Flow Logs', () => {
  test('joins flow records with the key’s source IPs, limiting both tables to the window', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    logs.flowLog('2021/07/24', FLOW_HEADER, [
      flowLine(ATTACKER_IP, '10.0.0.5'),
      flowLine(ATTACKER_IP, '10.0.0.5'),
      flowLine('10.0.0.5', ATTACKER_IP),
      flowLine('192.0.2.10', '10.0.0.6'),
      `2 ${ACCOUNT} eni-0123456789abcdef0 - - - - - - - 1627093800 1627093860 - NODATA`,
    ]);
    logs.flowLog('2021/07/01', FLOW_HEADER, [flowLine(ATTACKER_IP, '10.0.0.9')]);
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-network-activity'), KEY_PARAMS);

    // Each flow record counts once, however many of the key's calls came from its address.
    expect(rowObjects(result)).toEqual([
      { sourceaddress: ATTACKER_IP, destinationaddress: '10.0.0.5', count: '2' },
      { sourceaddress: '10.0.0.5', destinationaddress: ATTACKER_IP, count: '1' },
    ]);
    expect(result.warnings).toEqual([]);
  });

  test('reads a custom field list from the file header', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    logs.flowLog('2021/07/24', 'srcaddr dstaddr start action region', [
      `${ATTACKER_IP} 10.0.0.5 1627093800 REJECT us-east-1`,
    ]);
    const engine = await open(logs.root, {
      flowLogFormat: ['srcaddr', 'dstaddr', 'start', 'action', 'region'],
    });

    const result = await engine.run(getQuery('key-network-activity'), KEY_PARAMS);

    expect(rowObjects(result)).toEqual([
      { sourceaddress: ATTACKER_IP, destinationaddress: '10.0.0.5', count: '1' },
    ]);
  });

  test('catches a gzip cut between two flow records (DuckDB alone would read it as fewer flows)', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const file = logs.flowLog('2021/07/24', FLOW_HEADER, []);
    const gzip = createGzip();
    const chunks: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
    gzip.write(`${FLOW_HEADER}\n${flowLine(ATTACKER_IP, '10.0.0.5')}\n`);
    await new Promise<void>((resolve) => gzip.flush(constants.Z_FULL_FLUSH, () => resolve()));
    writeFileSync(file, Buffer.concat(chunks));
    gzip.end(`${flowLine(ATTACKER_IP, '10.0.0.6')}\n`);
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-network-activity'), KEY_PARAMS);

    expect(result.rows).toEqual([]);
    expect(result.warnings.join()).toContain(`${file} (corrupt: not a complete gzip file`);
  });

  test('loads only the flow files whose text holds an address sought, and still names a bad one', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    logs.flowLog('2021/07/24', FLOW_HEADER, [flowLine(ATTACKER_IP, '10.0.0.5')]);
    logs.flowLog('2021/07/23', FLOW_HEADER, [flowLine('192.0.2.10', '10.0.0.6')]);
    // The address inside a longer text: the search lets the file through, the query drops it.
    logs.flowLog('2021/07/22', FLOW_HEADER, [flowLine(`${ATTACKER_IP}9`, '10.0.0.7')]);
    const cut = logs.flowLog('2021/07/21', FLOW_HEADER, [flowLine('192.0.2.11', '10.0.0.8')]);
    truncateSync(cut, statSync(cut).size - 12);
    const engine = await open(logs.root);
    const params = { ...WINDOW, sourceIps: `203.0.113.250,${ATTACKER_IP}` };

    const result = await engine.run(getQuery('ip-network-activity'), params);

    expect(rowObjects(result).map((r) => [r.sourceaddress, r.destinationaddress])).toEqual([
      [ATTACKER_IP, '10.0.0.5'],
    ]);
    expect(result.stats.filesParsed).toBe(2);
    expect(result.warnings.join()).toContain(`${cut} (corrupt: not a complete gzip file`);
    // The same answer when the files are known to the store (the index answers then).
    const again = await engine.run(getQuery('ip-network-activity'), params);
    expect(again.rows).toEqual(result.rows);
    expect(again.stats.filesParsed).toBe(0);
  });

  test('warns when the window has no flow log files at all', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-network-activity'), KEY_PARAMS);

    expect(result.rows).toEqual([]);
    expect(result.warnings.join()).toMatch(/no VPC Flow Logs files for 2021\/07\/16\.\.2021\/07\/24/);
  });

  test('skips a .log.gz file that is not a flow log, naming it', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    logs.flowLog('2021/07/24', FLOW_HEADER, [flowLine(ATTACKER_IP, '10.0.0.5')]);
    const other = logs.flowLog('2021/07/23', 'GET /index.html HTTP/1.1', ['200']);
    const engine = await open(logs.root);

    const result = await engine.run(getQuery('key-network-activity'), KEY_PARAMS);

    expect(result.rows).toHaveLength(1);
    expect(result.warnings.join()).toContain(other);
  });
});

describe('LocalEngine persistent cache', () => {
  test('a second session over the same logs parses nothing and answers the same', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    // Inside the log folder on purpose: a cache file there is not mistaken for a log.
    const cachePath = path.join(logs.root, 'irkit-cache.duckdb');

    const first = await open(logs.root, { cachePath });
    const cold = await first.run(getQuery('key-api-activity'), KEY_PARAMS);
    await first.close();
    const second = await open(logs.root, { cachePath });
    const warm = await second.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(cold.stats.filesParsed).toBe(1);
    expect(warm.stats.filesParsed).toBe(0);
    expect(warm.rows).toEqual(cold.rows);
  });

  test('a bad file stays named, with its reason, by a later session that does not read it again', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const cut = logs.cloudTrail('2021/07/23', playbookKeyCalls());
    writeFileSync(cut, readFileSync(cut).subarray(0, 40));
    const cachePath = path.join(logs.root, 'irkit-cache.duckdb');
    const session = async () => {
      const engine = await open(logs.root, { cachePath });
      const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);
      await engine.close();
      return result;
    };

    const cold = await session();
    const warm = await session();

    expect(cold.warnings.join()).toContain(`${cut} (corrupt: not a complete gzip file`);
    expect(warm.stats.filesParsed).toBe(0);
    expect(warm.warnings).toEqual(cold.warnings);
    expect(warm.rows).toEqual(cold.rows);
  });

  test('a flow search indexes the files into the cache: the next session asks the index, for any address', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    logs.flowLog('2021/07/24', FLOW_HEADER, [
      flowLine(ATTACKER_IP, '10.0.0.5'),
      flowLine('10.0.0.5', ATTACKER_IP),
    ]);
    logs.flowLog('2021/07/23', FLOW_HEADER, [
      flowLine('192.0.2.10', '10.0.0.6'),
      `2 ${ACCOUNT} eni-0123456789abcdef0 - - - - - - - 1627003800 1627003860 - NODATA`,
    ]);
    const cachePath = path.join(logs.root, 'irkit-cache.duckdb');
    const searched = (messages: string[]) => messages.filter((m) => m.startsWith('searching'));
    const run = async (sourceIps: string) => {
      const engine = await open(logs.root, { cachePath });
      const messages: string[] = [];
      const result = await engine.run(
        getQuery('ip-network-activity'),
        { ...WINDOW, sourceIps },
        { onProgress: (e) => messages.push(e.message) },
      );
      await engine.close();
      return { rows: rowObjects(result).map((r) => [r.sourceaddress, r.destinationaddress]), messages };
    };

    const cold = await run(ATTACKER_IP);
    const warm = await run(ATTACKER_IP);
    const other = await run('192.0.2.10');

    expect(searched(cold.messages)).not.toEqual([]);
    expect(cold.rows).toEqual([
      ['10.0.0.5', ATTACKER_IP],
      [ATTACKER_IP, '10.0.0.5'],
    ]);
    expect(searched(warm.messages)).toEqual([]);
    expect(warm.rows).toEqual(cold.rows);
    expect(searched(other.messages)).toEqual([]);
    expect(other.rows).toEqual([['192.0.2.10', '10.0.0.6']]);
  });

  test('parses a changed file again and forgets a deleted one', async () => {
    const logs = tree();
    const changing = logs.cloudTrail('2021/07/24', playbookKeyCalls().slice(0, 1));
    const deleted = logs.cloudTrail('2021/07/23', playbookKeyCalls().slice(1, 2));
    const cachePath = path.join(logs.root, 'cache', 'irkit.duckdb');
    mkdirSync(path.dirname(cachePath));

    const first = await open(logs.root, { cachePath });
    expect(counts(await first.run(getQuery('key-api-activity'), KEY_PARAMS))).toEqual({
      GetCallerIdentity: '1',
      CreateUser: '1',
    });
    await first.close();

    logs.cloudTrail('2021/07/24', playbookKeyCalls().slice(2), { name: path.basename(changing) });
    logs.touch(changing, 60);
    rmSync(deleted);
    const second = await open(logs.root, { cachePath });
    const result = await second.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(counts(result)).toEqual({ AttachUserPolicy: '1', CreateAccessKey: '1' });
    expect(result.stats.filesParsed).toBe(1);
  });

  test('refuses a DuckDB file it did not write and leaves it untouched', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const other = path.join(logs.root, 'other.duckdb');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(other);
    const c = await db.connect();
    await c.run('CREATE TABLE evidence AS SELECT 42 AS answer');
    c.closeSync();
    db.closeSync();
    const before = readFileSync(other);

    await expectError(open(logs.root, { cachePath: other }), 'IRKIT_CONFIG', /did not write/);
    expect(readFileSync(other).equals(before)).toBe(true);
  });

  test('refuses a cache path that is not a DuckDB file', async () => {
    const logs = tree();
    const notDb = logs.file('notes.txt', 'my notes');

    await expectError(open(logs.root, { cachePath: notDb }), 'IRKIT_CONFIG', /cannot open the cache/);
    expect(readFileSync(notDb, 'utf8')).toBe('my notes');
  });
});

describe('LocalEngine parameters, names and cancellation', () => {
  test('refuses bad values before anything runs', async () => {
    const logs = tree();
    const engine = await open(logs.root);

    await expectError(
      engine.run(getQuery('key-api-activity'), { ...KEY_PARAMS, accessKeyId: "x' OR '1'='1" }),
      'IRKIT_INVALID_INPUT',
    );
    await expectError(
      engine.run(getQuery('key-api-activity'), { ...KEY_PARAMS, from: '2021/07/25' }),
      'IRKIT_INVALID_INPUT',
      /start date/,
    );
  });

  test('serves configured Glue names', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const names = { database: 'security_lake', cloudTrailTable: 'trail', vpcFlowTable: 'flows' };
    const engine = await open(logs.root, { names });

    const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(result.rows).toHaveLength(4);
  });

  test('an aborted signal cancels with IRKIT_QUERY_CANCELLED', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const engine = await open(logs.root);
    const controller = new AbortController();
    controller.abort();

    await expectError(
      engine.run(getQuery('key-api-activity'), KEY_PARAMS, { signal: controller.signal }),
      'IRKIT_QUERY_CANCELLED',
    );
  });

  test('aborting while logs load cancels the run, and the engine still works afterwards', async () => {
    const logs = tree();
    for (let day = 16; day <= 24; day += 1) logs.cloudTrail(`2021/07/${day}`, playbookKeyCalls());
    const engine = await open(logs.root);
    const controller = new AbortController();

    await expectError(
      engine.run(getQuery('key-api-activity'), KEY_PARAMS, {
        signal: controller.signal,
        onProgress: (p) => p.phase === 'load' && controller.abort(),
      }),
      'IRKIT_QUERY_CANCELLED',
    );
    const result = await engine.run(getQuery('key-api-activity'), KEY_PARAMS);
    expect(counts(result).CreateUser).toBe('9');
  });

  test('queued runs execute one after another', async () => {
    const logs = tree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const engine = await open(logs.root);

    const results = await Promise.all([
      engine.run(getQuery('key-api-activity'), KEY_PARAMS),
      engine.run(getQuery('key-source-ips'), KEY_PARAMS),
    ]);

    expect(results.map((r) => r.rows.length)).toEqual([4, 4]);
    expect(results.map((r) => r.stats.filesParsed)).toEqual([1, 0]);
  });
});
