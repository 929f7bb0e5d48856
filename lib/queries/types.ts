import { DEFAULT_NAMES } from '../names';

/**
 * Kinds of query parameter. Each kind has one validator (lib/queries/params.ts); a value is
 * validated before any engine sees it, and reaches the engine only as a bound parameter.
 */
export type ParamKind =
  | 'accessKeyId'
  | 'userName'
  | 'roleName'
  | 'bucketName'
  | 'date'
  | 'ip'
  /** Comma-separated IP addresses, matched with contains(split(?, ','), column). */
  | 'ipList'
  /** Comma-separated API event names, e.g. CreateUser,AttachUserPolicy. */
  | 'eventNameList';

export interface QueryParam {
  /** Name used on the CLI (`--param name=value`) and in the Athena console prompt order. */
  readonly name: string;
  readonly kind: ParamKind;
  readonly description: string;
  /** Example value shown by `irkit queries show` (the playbook's where it has one). */
  readonly example: string;
}

/** The Glue names a query's SQL refers to; the config can override the playbook's defaults. */
export interface TableNames {
  readonly database: string;
  readonly cloudTrailTable: string;
  readonly vpcFlowTable: string;
}

export const DEFAULT_TABLE_NAMES: TableNames = {
  database: DEFAULT_NAMES.databaseName,
  cloudTrailTable: DEFAULT_NAMES.cloudTrailTableName,
  vpcFlowTable: DEFAULT_NAMES.vpcFlowTableName,
};

/**
 * What names the records a query reads, as the local engine indexes each log file (the
 * distinct values of these fields per file): the access key, the IAM user name, the role
 * that issued a session, the source IP address, the user an AttachUserPolicy/PutUserPolicy
 * names, and a flow record's source or destination address.
 */
export type SeekKind =
  'accessKeyId' | 'userName' | 'sessionIssuer' | 'sourceIp' | 'policyUser' | 'flowAddress';

/**
 * A condition every record a query reads from one table meets, written in the index's terms:
 * the records whose `kind` field matches the value of parameter `param` (compared as the
 * query compares it: `userName`, `sessionIssuer` and `policyUser` ignoring case, `sourceIp`
 * and `flowAddress` as a comma-separated list). The local engine then parses in full only the
 * files holding such a record; the query's own WHERE still decides every row.
 */
export interface Seek {
  readonly kind: SeekKind;
  readonly param: string;
}

/**
 * One query of the library: saved as one Athena named query, run on Athena with
 * ExecutionParameters and on DuckDB as a prepared statement, from this one text.
 */
export interface QueryDefinition {
  /** Stable kebab-case id: `irkit queries run ID`, and the named query's name suffix. */
  readonly id: string;
  readonly title: string;
  /** Where the playbook asks for it, e.g. `{ part: 2, step: '1' }`. */
  readonly playbook: { readonly part: number; readonly step: string };
  readonly description: string;
  /** The distinct parameters. */
  readonly params: readonly QueryParam[];
  /** The parameter name bound to each `?` of the SQL, in order (a name may repeat). */
  readonly placeholders: readonly string[];
  /** The SQL with `?` placeholders, for the given Glue names. */
  readonly sql: (names: TableNames) => string;
  /**
   * Per table the query reads, the condition its WHERE puts on every record it uses, so that
   * the local engine reads in full only the log files that can hold one (tested: every query
   * returns the same rows as over every file). A table without one is read whole.
   * @default every file of the window, for both tables
   */
  readonly seek?: { readonly cloudtrail?: Seek; readonly vpcflow?: Seek };
}
