import { Cell, QueryResult } from '../../engines/engine';

/**
 * Typed views of the library queries' rows. Both engines return Athena's text rendering
 * (counts as decimal strings, booleans as true/false, SQL NULL as null), so one reader
 * serves both.
 */

export type RowOf<K extends string> = { readonly [C in K]: string | null };

const text = (cell: Cell | undefined): string | null => (cell === undefined || cell === '' ? null : cell);

/**
 * Rows by column name; names compare without case (Athena lower-cases unquoted aliases).
 * An empty result may come without column names.
 */
export function rows<K extends string>(result: QueryResult, columns: readonly K[]): RowOf<K>[] {
  const index = new Map(result.columns.map((c, i) => [c.toLowerCase(), i]));
  const missing = columns.filter((c) => !index.has(c));
  if (missing.length > 0 && result.rows.length > 0) {
    // A query and its reader drifted apart: a bug, not bad input.
    throw new Error(`query ${result.queryId} returned no column(s) ${missing.join(', ')}`);
  }
  return result.rows.map(
    (row) => Object.fromEntries(columns.map((c) => [c, text(row[index.get(c) as number])])) as RowOf<K>,
  );
}

export function count(cell: string | null): number {
  const n = cell === null ? 0 : Number(cell);
  return Number.isFinite(n) ? n : 0;
}

export function bool(cell: string | null): boolean | null {
  return cell === 'true' ? true : cell === 'false' ? false : null;
}

/** Column lists of the queries the investigation reads. */
export const COLUMNS = {
  firstLastSeen: [
    'identity_type',
    'identity_arn',
    'user_name',
    'access_key_id',
    'principal_id',
    'identity_account',
    'invoked_by',
    'session_issuer_arn',
    'role_delivery',
    'on_behalf_of',
    'first_seen',
    'last_seen',
    'events',
  ],
  apiActivity: ['awsregion', 'eventsource', 'eventname', 'readonly', 'errorcode', 'errormessage', 'count'],
  sourceIps: ['sourceipaddress', 'useragent', 'count'],
  principalsCreated: [
    'eventtime',
    'awsregion',
    'eventname',
    'principal_type',
    'principal_name',
    'principal_arn',
    'access_key_id',
    'policy_or_group',
    'errorcode',
    'eventid',
  ],
  sessionsMinted: [
    'eventtime',
    'awsregion',
    'eventname',
    'role_arn',
    'session_name',
    'session_key_id',
    'session_arn',
    'sourceipaddress',
    'errorcode',
    'eventid',
  ],
  resourceActivity: [
    'eventtime',
    'awsregion',
    'eventsource',
    'eventname',
    'action',
    'resource_name',
    'object_key',
    'access_key_id',
    'invoked_by',
    'sourceipaddress',
    'useragent',
    'errorcode',
    'eventid',
  ],
  changeDetails: [
    'eventtime',
    'awsregion',
    'eventsource',
    'eventname',
    'requestparameters',
    'responseelements',
    'recipientaccountid',
    'access_key_id',
    'invoked_by',
    'sourceipaddress',
    'useragent',
    'errorcode',
    'eventid',
  ],
  deniedCalls: [
    'awsregion',
    'eventsource',
    'eventname',
    'errorcode',
    'errormessage',
    'count',
    'first_seen',
    'last_seen',
  ],
  consoleLogins: [
    'eventtime',
    'awsregion',
    'sourceipaddress',
    'useragent',
    'login_result',
    'mfa_used',
    'errormessage',
    'eventid',
  ],
  roleSessions: ['identity_arn', 'access_key_id', 'first_seen', 'last_seen', 'events'],
  ipActivity: [
    'sourceipaddress',
    'identity_type',
    'identity_arn',
    'user_name',
    'access_key_id',
    'principal_id',
    'identity_account',
    'invoked_by',
    'session_issuer_arn',
    'role_delivery',
    'on_behalf_of',
    'eventsource',
    'eventname',
    'errorcode',
    'count',
    'first_seen',
    'last_seen',
  ],
  policyChanges: [
    'eventtime',
    'awsregion',
    'eventname',
    'policy',
    'identity_type',
    'identity_arn',
    'invoked_by',
    'sourceipaddress',
    'useragent',
    'errorcode',
    'eventid',
  ],
  ipNetworkActivity: [
    'sourceaddress',
    'destinationaddress',
    'destinationport',
    'protocol',
    'action',
    'count',
    'bytes',
    'first_start',
    'last_end',
  ],
} as const;

export type FirstLastSeenRow = RowOf<(typeof COLUMNS.firstLastSeen)[number]>;
export type ApiActivityRow = RowOf<(typeof COLUMNS.apiActivity)[number]>;
export type SourceIpRow = RowOf<(typeof COLUMNS.sourceIps)[number]>;
export type PrincipalCreatedRow = RowOf<(typeof COLUMNS.principalsCreated)[number]>;
export type SessionMintedRow = RowOf<(typeof COLUMNS.sessionsMinted)[number]>;
export type ResourceActivityRow = RowOf<(typeof COLUMNS.resourceActivity)[number]>;
export type ChangeDetailRow = RowOf<(typeof COLUMNS.changeDetails)[number]>;
export type DeniedCallRow = RowOf<(typeof COLUMNS.deniedCalls)[number]>;
export type ConsoleLoginRow = RowOf<(typeof COLUMNS.consoleLogins)[number]>;
export type RoleSessionRow = RowOf<(typeof COLUMNS.roleSessions)[number]>;
export type IpActivityRow = RowOf<(typeof COLUMNS.ipActivity)[number]>;
export type PolicyChangeRow = RowOf<(typeof COLUMNS.policyChanges)[number]>;
export type IpNetworkRow = RowOf<(typeof COLUMNS.ipNetworkActivity)[number]>;
