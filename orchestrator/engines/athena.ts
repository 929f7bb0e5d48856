import type { AthenaClient, QueryExecution } from '@aws-sdk/client-athena';

import { notReached } from '../../lib/aws-errors';
import { sdk } from '../aws-sdk';
import { IrKitError } from '../../lib/errors';
import { DEFAULT_NAMES } from '../../lib/names';
import { DEFAULT_TABLE_NAMES, QueryDefinition, TableNames, bindParams, renderSql } from '../../lib/queries';
import {
  Cell,
  ColumnKind,
  ProgressEvent,
  QueryEngine,
  QueryResult,
  Row,
  RunOptions,
  athenaColumnKind,
} from './engine';
import { awsClientConfig } from '../aws-profile';

export interface AthenaEngineOptions {
  /** An Athena client; region and credentials come from it (the standard chain by default). */
  readonly client: AthenaClient;
  /** @default the playbook's workgroup, IRWorkshopWorkgroup */
  readonly workGroup?: string;
  /** @default the playbook's Glue names */
  readonly names?: TableNames;
  /** First wait between GetQueryExecution polls; each wait is 1.5 times the last. @default 250 */
  readonly initialPollMs?: number;
  /** @default 5000 */
  readonly maxPollMs?: number;
  /** Waits between polls; tests pass one that does not really wait. @default setTimeout */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A client on the standard credential chain, in the Region of the one rule (orchestrator/aws-profile.ts). */
export function createAthenaClient(options: { region?: string; profile?: string } = {}): AthenaClient {
  return new (sdk.athena().AthenaClient)(awsClientConfig(options));
}

/** Athena's reason text when the workgroup's per-query data usage control stops a query. */
const SCAN_LIMIT = /bytes scanned|data scanned|scan(ned)? limit|BytesScannedCutoff|data usage/i;
const PAGE_SIZE = 1000;

/**
 * The Athena engine: StartQueryExecution in the kit's workgroup with the validated values
 * as ExecutionParameters (never spliced into the SQL), polling with backoff, every result
 * page, and StopQueryExecution when the run is aborted (the CLI wires Ctrl-C).
 */
export class AthenaEngine implements QueryEngine {
  public readonly kind = 'athena' as const;
  private readonly workGroup: string;
  private readonly names: TableNames;

  constructor(private readonly options: AthenaEngineOptions) {
    this.workGroup = options.workGroup ?? DEFAULT_NAMES.workgroupName;
    this.names = options.names ?? DEFAULT_TABLE_NAMES;
  }

  async run(
    query: QueryDefinition,
    values: Readonly<Record<string, string>>,
    options: RunOptions = {},
  ): Promise<QueryResult> {
    const bound = bindParams(query, values);
    const started = Date.now();
    const { signal } = options;
    const progress = (phase: ProgressEvent['phase'], message: string) =>
      options.onProgress?.({ engine: 'athena', queryId: query.id, phase, message });
    if (signal?.aborted) throw cancelled(query, 'before it started');

    progress('submit', `starting ${query.id} in workgroup ${this.workGroup}`);
    const start = await this.call(query, () =>
      this.options.client.send(
        new (sdk.athena().StartQueryExecutionCommand)({
          QueryString: renderSql(query, this.names),
          WorkGroup: this.workGroup,
          ExecutionParameters: bound.map(sqlLiteral),
        }),
      ),
    );
    const executionId = start.QueryExecutionId;
    if (!executionId) {
      throw new IrKitError('IRKIT_AWS', `Athena returned no QueryExecutionId for ${query.id}`, {
        hint: 'retry; if it persists, check the workgroup in the Athena console',
      });
    }

    const execution = await this.waitForEnd(query, executionId, signal, progress);
    const state = execution.Status?.State;
    const reason = execution.Status?.StateChangeReason ?? execution.Status?.AthenaError?.ErrorMessage ?? '';
    if (state !== 'SUCCEEDED') throw this.failure(query, executionId, state, reason);

    progress('fetch', `reading the results of ${executionId}`);
    const { columns, columnKinds, rows } = await this.results(query, executionId, signal);
    progress('done', `${query.id}: ${rows.length} row(s)`);
    return {
      queryId: query.id,
      columns,
      columnKinds,
      rows,
      warnings: [],
      stats: {
        engine: 'athena',
        elapsedMs: Date.now() - started,
        executionId,
        bytesScanned: execution.Statistics?.DataScannedInBytes,
      },
    };
  }

  async close(): Promise<void> {
    // The client belongs to the caller, who may share it.
  }

  private async waitForEnd(
    query: QueryDefinition,
    executionId: string,
    signal: AbortSignal | undefined,
    progress: (phase: ProgressEvent['phase'], message: string) => void,
  ): Promise<QueryExecution> {
    const sleep = this.options.sleep ?? abortableSleep;
    let wait = this.options.initialPollMs ?? 250;
    const maxWait = this.options.maxPollMs ?? 5000;
    for (;;) {
      if (signal?.aborted) throw await this.stop(query, executionId);
      const { QueryExecution: execution } = await this.call(query, () =>
        this.options.client.send(
          new (sdk.athena().GetQueryExecutionCommand)({ QueryExecutionId: executionId }),
        ),
      );
      const state = execution?.Status?.State;
      if (execution && state && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(state)) return execution;
      progress('wait', `${executionId} is ${state ?? 'QUEUED'}`);
      await sleep(wait, signal);
      wait = Math.min(Math.round(wait * 1.5), maxWait);
    }
  }

  private async results(
    query: QueryDefinition,
    executionId: string,
    signal: AbortSignal | undefined,
  ): Promise<{ columns: string[]; columnKinds: ColumnKind[]; rows: Row[] }> {
    let columns: string[] = [];
    let columnKinds: ColumnKind[] = [];
    const rows: Row[] = [];
    let token: string | undefined;
    let first = true;
    do {
      if (signal?.aborted) throw cancelled(query, `while reading the results of ${executionId}`);
      const page = await this.call(query, () =>
        this.options.client.send(
          new (sdk.athena().GetQueryResultsCommand)({
            QueryExecutionId: executionId,
            NextToken: token,
            MaxResults: PAGE_SIZE,
          }),
        ),
      );
      const data = page.ResultSet?.Rows ?? [];
      if (first) {
        const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        columns = info.map((c) => c.Name ?? c.Label ?? '');
        columnKinds = info.map((c) => athenaColumnKind(c.Type));
      }
      // The first row of the first page repeats the column names.
      for (const row of first ? data.slice(1) : data) {
        rows.push((row.Data ?? []).map((d): Cell => d.VarCharValue ?? null));
      }
      first = false;
      token = page.NextToken;
    } while (token);
    return { columns, columnKinds, rows };
  }

  private async stop(query: QueryDefinition, executionId: string): Promise<IrKitError> {
    await this.options.client
      .send(new (sdk.athena().StopQueryExecutionCommand)({ QueryExecutionId: executionId }))
      .catch(() => undefined);
    return cancelled(query, `StopQueryExecution sent for ${executionId}`);
  }

  private failure(
    query: QueryDefinition,
    executionId: string,
    state: string | undefined,
    reason: string,
  ): IrKitError {
    if (SCAN_LIMIT.test(reason)) {
      return new IrKitError(
        'IRKIT_QUERY_TOO_EXPENSIVE',
        `Athena stopped ${query.id} (${executionId}) at the workgroup's data scan limit: ${reason}`,
        { hint: 'narrow the date window (--param from/to), or raise the workgroup’s per-query limit' },
      );
    }
    if (state === 'CANCELLED') {
      return cancelled(query, `${executionId} was cancelled in Athena${reason ? `: ${reason}` : ''}`);
    }
    return new IrKitError(
      'IRKIT_QUERY_FAILED',
      `Athena query ${query.id} (${executionId}) failed: ${reason || state}`,
      {
        hint: 'check the tables and the workgroup in the Athena console (the execution id finds the run)',
      },
    );
  }

  /** AWS errors become IRKIT_AWS with the service's message, so the CLI can say what to fix. */
  private async call<T>(query: QueryDefinition, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      // Athena refused only what reached it: credentials, Region and network are named as such.
      const unsent = notReached(`the Athena call for ${query.id}`, error);
      if (unsent) throw new IrKitError('IRKIT_AWS', unsent.message, { hint: unsent.fix, cause: error });
      const name = (error as Error).name ?? 'Error';
      throw new IrKitError('IRKIT_AWS', `Athena refused ${query.id}: ${name}: ${(error as Error).message}`, {
        hint:
          name === 'InvalidRequestException'
            ? 'check that the workgroup exists and that your role may use it (--workgroup, --profile, --region)'
            : 'check your credentials and region (--profile, --region) and that Athena is reachable',
        cause: error,
      });
    }
  }
}

/** A value as a SQL string literal, the form ExecutionParameters takes. */
export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function cancelled(query: QueryDefinition, detail: string): IrKitError {
  return new IrKitError('IRKIT_QUERY_CANCELLED', `query ${query.id} was cancelled (${detail})`, {
    hint: 'nothing was changed; run it again when ready',
  });
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
