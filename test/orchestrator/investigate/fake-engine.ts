import { IrKitError } from '../../../lib/errors';
import { QueryDefinition, bindParams } from '../../../lib/queries';
import { EngineKind, QueryEngine, QueryResult, RunOptions } from '../../../orchestrator/engines/engine';
import { COLUMNS } from '../../../orchestrator/investigate/private/rows';

/**
 * A QueryEngine that answers library queries with canned rows, for traversal tests: it
 * validates values like the real engines, records every run, and can delay, fail or honour
 * an abort, so concurrency and error paths can be observed.
 */

export type FakeRow = Record<string, string | number | boolean | null>;
export type Handler = (values: Readonly<Record<string, string>>) => FakeRow[];

const COLUMNS_OF: Record<string, readonly string[]> = {
  'first-last-seen': COLUMNS.firstLastSeen,
  'api-activity': COLUMNS.apiActivity,
  'source-ips': COLUMNS.sourceIps,
  'principals-created': COLUMNS.principalsCreated,
  'sessions-minted': COLUMNS.sessionsMinted,
  'resource-activity': COLUMNS.resourceActivity,
  'change-details': COLUMNS.changeDetails,
  'denied-calls': COLUMNS.deniedCalls,
  'console-logins': COLUMNS.consoleLogins,
  'role-sessions': COLUMNS.roleSessions,
  'ip-activity': COLUMNS.ipActivity,
  'ip-network-activity': COLUMNS.ipNetworkActivity,
  'policy-changes': COLUMNS.policyChanges,
};

function columnsOf(queryId: string): readonly string[] {
  const suffix = Object.keys(COLUMNS_OF)
    .sort((a, b) => b.length - a.length)
    .find((s) => queryId.endsWith(s));
  if (!suffix) throw new Error(`the fake engine knows no columns for ${queryId}`);
  return COLUMNS_OF[suffix];
}

export interface FakeOptions {
  readonly kind?: EngineKind;
  readonly delayMs?: number;
  readonly fail?: (queryId: string, values: Readonly<Record<string, string>>) => Error | undefined;
  readonly warnings?: readonly string[];
}

export class FakeEngine implements QueryEngine {
  public readonly kind: EngineKind;
  public readonly runs: { queryId: string; values: Readonly<Record<string, string>> }[] = [];
  public maxInFlight = 0;
  public signals: (AbortSignal | undefined)[] = [];
  private inFlight = 0;

  constructor(
    private readonly handlers: Readonly<Record<string, Handler>>,
    private readonly options: FakeOptions = {},
  ) {
    this.kind = options.kind ?? 'local';
  }

  /** Runs of a query, optionally for one parameter value. */
  count(queryId: string, value?: string): number {
    return this.runs.filter(
      (r) => r.queryId === queryId && (value === undefined || Object.values(r.values).includes(value)),
    ).length;
  }

  async run(
    query: QueryDefinition,
    values: Readonly<Record<string, string>>,
    options: RunOptions = {},
  ): Promise<QueryResult> {
    bindParams(query, values);
    this.runs.push({ queryId: query.id, values });
    this.signals.push(options.signal);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
      if (options.signal?.aborted) {
        throw new IrKitError('IRKIT_QUERY_CANCELLED', `query ${query.id} was cancelled`);
      }
      const failure = this.options.fail?.(query.id, values);
      if (failure) throw failure;
      const columns = columnsOf(query.id);
      const rows = (this.handlers[query.id]?.(values) ?? []).map((row) =>
        columns.map((c) => (row[c] === undefined || row[c] === null ? null : String(row[c]))),
      );
      return {
        queryId: query.id,
        columns: [...columns],
        rows,
        warnings: this.options.warnings ?? [],
        stats: { engine: this.kind, elapsedMs: 1 },
      };
    } finally {
      this.inFlight--;
    }
  }

  async close(): Promise<void> {}
}

/** Canned rows keyed by the value of one parameter (the key id, user or role name). */
export function by(param: string, table: Readonly<Record<string, FakeRow[]>>): Handler {
  return (values) => table[values[param]] ?? [];
}

export const ACCOUNT = '777777777777';
export const T = (s: number) =>
  `2021-07-24T03:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}Z`;

export function userIdentity(
  user: string,
  key: string | null,
  first = T(0),
  last = T(59),
  events = 3,
): FakeRow {
  return {
    identity_type: 'IAMUser',
    identity_arn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
    user_name: user,
    access_key_id: key,
    first_seen: first,
    last_seen: last,
    events,
  };
}

export function roleIdentity(role: string, session: string, key: string, account = ACCOUNT): FakeRow {
  return {
    identity_type: 'AssumedRole',
    identity_arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    user_name: null,
    access_key_id: key,
    first_seen: T(10),
    last_seen: T(20),
    events: 2,
  };
}

let ids = 0;
export function eventId(): string {
  ids += 1;
  return `00000000-0000-4000-8000-${String(ids).padStart(12, '0')}`;
}
