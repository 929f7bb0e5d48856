import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';

import { QueryDefinition, bindParams, renderSql } from '../../../lib/queries';
import { AthenaEngine, sqlLiteral } from '../../../orchestrator/engines/athena';
import { QueryEngine, QueryResult, RunOptions } from '../../../orchestrator/engines/engine';
import { InvestigationResult, investigate } from '../../../orchestrator/investigate';
import { Incident, writeIncident } from './helpers';

/**
 * The Athena path, through the real Athena engine: Athena is mocked with the rows the local
 * engine returned for the very same SQL and bound values (paged as Athena pages them, with
 * queued and running states first), and the investigation must come out identical.
 */

const athena = mockClient(AthenaClient);
const key = (sql: string, parameters: readonly string[]) => `${sql}\u0000${parameters.join('\u0001')}`;

/** Records what the local engine answered for each SQL text and bound values. */
class Recorder implements QueryEngine {
  public readonly kind = 'local' as const;
  public readonly answers = new Map<string, QueryResult>();

  constructor(private readonly inner: QueryEngine) {}

  async run(query: QueryDefinition, values: Readonly<Record<string, string>>, options?: RunOptions) {
    const result = await this.inner.run(query, values, options);
    this.answers.set(key(renderSql(query), bindParams(query, values).map(sqlLiteral)), result);
    return result;
  }

  async close(): Promise<void> {}
}

function replayAthena(answers: ReadonlyMap<string, QueryResult>): void {
  const executions = new Map<string, { result: QueryResult; polls: number }>();
  athena
    .on(StartQueryExecutionCommand)
    .callsFake((input: { QueryString: string; ExecutionParameters: string[] }) => {
      const result = answers.get(key(input.QueryString, input.ExecutionParameters));
      if (!result) throw new Error(`no local answer for ${input.QueryString.slice(0, 60)}`);
      const id = `exec-${executions.size + 1}`;
      executions.set(id, { result, polls: 0 });
      return { QueryExecutionId: id };
    });
  athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => {
    const execution = executions.get(input.QueryExecutionId);
    if (!execution) throw new Error('unknown execution');
    const state = ['QUEUED', 'RUNNING', 'SUCCEEDED'][Math.min(execution.polls++, 2)];
    return { QueryExecution: { QueryExecutionId: input.QueryExecutionId, Status: { State: state } } };
  });
  const PAGE = 3;
  athena.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId: string; NextToken?: string }) => {
    const { result } = executions.get(input.QueryExecutionId) as { result: QueryResult };
    const offset = input.NextToken ? Number(input.NextToken) : 0;
    const header = { Data: result.columns.map((c) => ({ VarCharValue: c })) };
    const rows = result.rows
      .slice(offset, offset + PAGE)
      .map((row) => ({ Data: row.map((cell) => (cell === null ? {} : { VarCharValue: cell })) }));
    return {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: result.columns.map((c) => ({ Name: c, Type: 'varchar' })) },
        Rows: offset === 0 ? [header, ...rows] : rows,
      },
      ...(offset + PAGE < result.rows.length ? { NextToken: String(offset + PAGE) } : {}),
    };
  });
}

/** The parts of a result that must not depend on the engine. */
function comparable(result: InvestigationResult) {
  return { ...result, engine: undefined, queries: result.queries.map((q) => ({ ...q, elapsedMs: 0 })) };
}

describe('GIVEN the playbook incident with a session token and an assumed role', () => {
  let incident: Incident;
  let local: InvestigationResult;
  let recorder: Recorder;
  const options = { incidentId: 'IR-2021-0724', now: () => new Date('2021-07-26T00:00:00Z'), concurrency: 1 };

  beforeAll(async () => {
    incident = await writeIncident({ regions: ['us-east-1'], variants: ['sessionToken', 'assumeRole'] });
    recorder = new Recorder(incident.engine);
    local = await investigate(
      recorder,
      { kind: 'accessKey', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
      incident.summary.groundTruth.window,
      options,
    );
  });

  afterAll(async () => {
    athena.restore();
    await incident.close();
  });

  test('the investigation through the Athena engine equals the local one', async () => {
    athena.reset();
    replayAthena(recorder.answers);
    const engine = new AthenaEngine({
      client: new AthenaClient({ region: 'us-east-1' }),
      workGroup: 'IRWorkshopWorkgroup',
      sleep: async () => undefined,
    });
    const result = await investigate(
      engine,
      { kind: 'accessKey', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
      incident.summary.groundTruth.window,
      { ...options, concurrency: 4 },
    );
    expect(result.engine).toBe('athena');
    // Queries of a level run concurrently on Athena, so they finish in another order.
    const byId = (r: InvestigationResult) =>
      [...comparable(r).queries].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect({ ...comparable(result), queries: byId(result) }).toEqual({
      ...comparable(local),
      queries: byId(local),
    });
    expect(result.containmentPlan.steps.map((s) => s.name)).toEqual([
      'JorgeSouza',
      'JaneDoe',
      'DevOpsRole',
      'DOC-EXAMPLE-BUCKET',
      'DOC-EXAMPLE-BUCKET1',
    ]);
    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, local.queries.length);
    expect(athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      WorkGroup: 'IRWorkshopWorkgroup',
      ExecutionParameters: [
        "'ASIAIOSFODNN7ROLE001'",
        "'2021/07/16'",
        "'2021/07/24'",
        "'2021/07/16'",
        "'2021/07/24'",
      ],
    });
  });

  test('an Athena failure fails the investigation with Athena’s reason', async () => {
    athena.reset();
    replayAthena(recorder.answers);
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        QueryExecutionId: 'exec-1',
        Status: { State: 'FAILED', StateChangeReason: 'TABLE_NOT_FOUND: irworkshopgluetablecloudtrail' },
      },
    });
    const engine = new AthenaEngine({
      client: new AthenaClient({ region: 'us-east-1' }),
      sleep: async () => undefined,
    });
    await expect(
      investigate(
        engine,
        { kind: 'accessKey', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
        incident.summary.groundTruth.window,
      ),
    ).rejects.toMatchObject({
      code: 'IRKIT_QUERY_FAILED',
      message: expect.stringMatching(/TABLE_NOT_FOUND/),
    });
  });
});
