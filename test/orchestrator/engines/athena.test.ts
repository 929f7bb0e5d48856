import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  QueryExecutionState,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';

import { IrKitError } from '../../../lib/errors';
import { getQuery, renderSql } from '../../../lib/queries';
import { AthenaEngine, createAthenaClient, sqlLiteral } from '../../../orchestrator/engines/athena';

const athena = mockClient(AthenaClient);
const KEY_PARAMS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', from: '2021/07/16', to: '2021/07/24' };
const ID = '01234567-89ab-cdef-0123-456789abcdef';
const waits: number[] = [];

function engine(extra: Partial<ConstructorParameters<typeof AthenaEngine>[0]> = {}): AthenaEngine {
  return new AthenaEngine({
    client: new AthenaClient({ region: 'us-east-1' }),
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
}

function execution(State: QueryExecutionState, reason?: string, scanned = 1234) {
  return {
    QueryExecution: {
      QueryExecutionId: ID,
      Status: { State, ...(reason ? { StateChangeReason: reason } : {}) },
      Statistics: { DataScannedInBytes: scanned },
    },
  };
}

const COLUMNS = ['awsregion', 'eventname', 'COUNT'];
const header = { Data: COLUMNS.map((c) => ({ VarCharValue: c })) };
const row = (...cells: (string | undefined)[]) => ({
  Data: cells.map((c) => (c === undefined ? {} : { VarCharValue: c })),
});
const metadata = { ColumnInfo: COLUMNS.map((Name) => ({ Name, Type: 'varchar' })) };

async function expectError(promise: Promise<unknown>, code: string, text?: RegExp): Promise<IrKitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IrKitError);
  expect((error as IrKitError).code).toBe(code);
  if (text) expect((error as IrKitError).message).toMatch(text);
  return error as IrKitError;
}

beforeEach(() => {
  athena.reset();
  waits.length = 0;
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
});

describe('AthenaEngine', () => {
  test('starts the library SQL in the workgroup with the values as ExecutionParameters', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { Rows: [header], ResultSetMetadata: metadata } });

    await engine({ workGroup: 'IRWorkshopWorkgroup' }).run(getQuery('key-api-activity'), KEY_PARAMS);

    expect(athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      QueryString: renderSql(getQuery('key-api-activity')),
      WorkGroup: 'IRWorkshopWorkgroup',
      // The window's from and to, each bound twice: delivery days, then event days.
      ExecutionParameters: [
        "'AKIAIOSFODNN7EXAMPLE'",
        "'2021/07/16'",
        "'2021/07/24'",
        "'2021/07/16'",
        "'2021/07/24'",
      ],
    });
  });

  test('polls with growing waits until the query ends, then reads every page without the header row', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('QUEUED'))
      .resolvesOnce(execution('RUNNING'))
      .resolvesOnce(execution('RUNNING'))
      .resolves(execution('SUCCEEDED', undefined, 987654));
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce({
        ResultSet: { Rows: [header, row('us-east-1', 'CreateUser', '1')], ResultSetMetadata: metadata },
        NextToken: 'page-2',
      })
      .resolvesOnce({
        ResultSet: { Rows: [row('us-east-1', 'GetCallerIdentity', '1')], ResultSetMetadata: metadata },
        NextToken: 'page-3',
      })
      .resolvesOnce({
        ResultSet: { Rows: [row('us-east-1', 'ListUsers', undefined)], ResultSetMetadata: metadata },
      });
    const phases: string[] = [];

    const result = await engine({ initialPollMs: 100, maxPollMs: 200 }).run(
      getQuery('key-api-activity'),
      KEY_PARAMS,
      {
        onProgress: (p) => phases.push(p.phase),
      },
    );

    expect(waits).toEqual([100, 150, 200]);
    expect(result.columns).toEqual(COLUMNS);
    expect(result.rows).toEqual([
      ['us-east-1', 'CreateUser', '1'],
      ['us-east-1', 'GetCallerIdentity', '1'],
      ['us-east-1', 'ListUsers', null],
    ]);
    expect(result.stats).toMatchObject({ engine: 'athena', executionId: ID, bytesScanned: 987654 });
    expect(athena).toHaveReceivedCommandTimes(GetQueryResultsCommand, 3);
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      'page-2',
      'page-3',
    ]);
    expect(phases).toEqual(['submit', 'wait', 'wait', 'wait', 'fetch', 'done']);
  });

  test('a FAILED query is IRKIT_QUERY_FAILED with Athena’s reason', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolves(
        execution(
          'FAILED',
          "TABLE_NOT_FOUND: line 2:6: Table 'awsdatacatalog.irworkshopgluedatabase.irworkshopgluetablecloudtrail' does not exist",
        ),
      );

    const error = await expectError(
      engine().run(getQuery('key-api-activity'), KEY_PARAMS),
      'IRKIT_QUERY_FAILED',
      /TABLE_NOT_FOUND/,
    );
    expect(error.message).toContain(ID);
  });

  test('the workgroup’s bytes-scanned cutoff is IRKIT_QUERY_TOO_EXPENSIVE, with Athena’s reason', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolves(execution('CANCELLED', 'Query cancelled! : Bytes scanned limit was exceeded'));

    const error = await expectError(
      engine().run(getQuery('key-api-activity'), KEY_PARAMS),
      'IRKIT_QUERY_TOO_EXPENSIVE',
      /Bytes scanned limit was exceeded/,
    );
    expect(error.hint).toMatch(/narrow the date window/);
  });

  test('a query cancelled by someone else is IRKIT_QUERY_CANCELLED with the reason', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('CANCELLED', 'Query was cancelled by user'));

    await expectError(
      engine().run(getQuery('key-api-activity'), KEY_PARAMS),
      'IRKIT_QUERY_CANCELLED',
      /cancelled by user/,
    );
  });

  test('aborting while the query runs sends StopQueryExecution', async () => {
    const controller = new AbortController();
    athena.on(GetQueryExecutionCommand).callsFake(() => {
      controller.abort();
      return execution('RUNNING');
    });
    athena.on(StopQueryExecutionCommand).resolves({});

    await expectError(
      engine().run(getQuery('key-api-activity'), KEY_PARAMS, { signal: controller.signal }),
      'IRKIT_QUERY_CANCELLED',
      /StopQueryExecution sent/,
    );
    expect(athena).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: ID });
    expect(athena).not.toHaveReceivedCommand(GetQueryResultsCommand);
  });

  test('an already aborted signal starts nothing', async () => {
    const controller = new AbortController();
    controller.abort();

    await expectError(
      engine().run(getQuery('key-api-activity'), KEY_PARAMS, { signal: controller.signal }),
      'IRKIT_QUERY_CANCELLED',
    );
    expect(athena).not.toHaveReceivedCommand(StartQueryExecutionCommand);
  });

  test('bad parameters are refused before any AWS call', async () => {
    await expectError(
      engine().run(getQuery('key-api-activity'), { ...KEY_PARAMS, accessKeyId: "'; DROP TABLE x; --" }),
      'IRKIT_INVALID_INPUT',
    );
    expect(athena).not.toHaveReceivedAnyCommand();
  });

  test('an AWS error (no such workgroup) is IRKIT_AWS naming the error and what to check', async () => {
    athena.on(StartQueryExecutionCommand).rejects(
      Object.assign(new Error('WorkGroup IRWorkshopWorkgroup is not found.'), {
        name: 'InvalidRequestException',
      }),
    );

    const error = await expectError(
      engine().run(getQuery('key-api-activity'), KEY_PARAMS),
      'IRKIT_AWS',
      /InvalidRequestException/,
    );
    expect(error.hint).toMatch(/--workgroup/);
  });

  test('the real sleep between polls wakes up early when aborted', async () => {
    const controller = new AbortController();
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});
    const real = new AthenaEngine({
      client: new AthenaClient({ region: 'us-east-1' }),
      initialPollMs: 60_000,
    });
    setTimeout(() => controller.abort(), 50);

    const started = Date.now();
    await expectError(
      real.run(getQuery('key-api-activity'), KEY_PARAMS, { signal: controller.signal }),
      'IRKIT_QUERY_CANCELLED',
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('Athena helpers', () => {
  test('values become SQL string literals with quotes doubled', () => {
    expect(sqlLiteral('AKIAIOSFODNN7EXAMPLE')).toBe("'AKIAIOSFODNN7EXAMPLE'");
    expect(sqlLiteral("O'Brien")).toBe("'O''Brien'");
  });

  test('the client takes region and profile like the AWS CLI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irkit-aws-config-'));
    const saved = process.env.AWS_CONFIG_FILE;
    try {
      writeFileSync(join(dir, 'config'), '[profile SecurityAnalystRole]\nregion = us-east-1\n');
      process.env.AWS_CONFIG_FILE = join(dir, 'config');
      const client = createAthenaClient({ region: 'eu-west-1', profile: 'SecurityAnalystRole' });
      expect(await client.config.region()).toBe('eu-west-1');
      expect(client.config.profile).toBe('SecurityAnalystRole');
      expect(() => createAthenaClient({ profile: 'SecurityAnalystRol' })).toThrow(/is not configured/);
    } finally {
      if (saved === undefined) delete process.env.AWS_CONFIG_FILE;
      else process.env.AWS_CONFIG_FILE = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
