import { createHash } from 'node:crypto';

import { SeekKind, TableNames } from '../../../lib/queries';
import { CLOUDTRAIL_FIELDS, CLOUDTRAIL_JSON_COLUMNS } from '../../../lib/schema/cloudtrail';
import { ColumnType, duckDbType } from '../../../lib/schema/types';
import { FLOW_LOG_FIELDS, FlowField } from '../../../lib/schema/vpc-flow';

/**
 * The SQL the local engine runs besides the library's: the store of parsed records, the
 * Glue-named views over it, and macros supplying the Athena functions DuckDB lacks.
 */

/** The attached database holding parsed records: a cache file, or a session temp file. */
export const STORE = 'irkit_store';

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Athena (Trino) functions the library uses that DuckDB lacks, under their Athena names.
 * json_extract_scalar returns null for objects and arrays, as Trino's does.
 */
export const ATHENA_MACROS: readonly string[] = [
  `CREATE OR REPLACE MACRO json_extract_scalar(doc, path) AS
     CASE WHEN json_type(doc, path) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(doc, path) END`,
  `CREATE OR REPLACE MACRO from_iso8601_timestamp(text) AS CAST(text AS TIMESTAMPTZ)`,
  `CREATE OR REPLACE MACRO regexp_like(text, pattern) AS regexp_matches(text, pattern)`,
  `CREATE OR REPLACE MACRO cardinality(items) AS len(items)`,
  // The window's date arithmetic (lib/queries/window.ts). Trino's date_parse/date_format
  // patterns used there ('%Y/%m/%d') mean the same to strptime/strftime; the timestamps are
  // plain (UTC) timestamps, never TIMESTAMPTZ, so the machine's time zone cannot shift a day.
  `CREATE OR REPLACE MACRO date_parse(text, pattern) AS strptime(text, pattern)`,
  `CREATE OR REPLACE MACRO date_format(ts, pattern) AS strftime(ts, pattern)`,
  `CREATE OR REPLACE MACRO from_unixtime(seconds) AS make_timestamp(CAST(seconds AS BIGINT) * 1000000)`,
];

/** The record type read_json parses: the record's camelCase keys (json_transform is case-sensitive). */
function readType(type: ColumnType): string {
  if (typeof type === 'string' || !('struct' in type || 'array' in type)) return duckDbType(type);
  if ('array' in type) return `${readType(type.array)}[]`;
  return `STRUCT(${type.struct.map((f) => `${ident(f.sourceName)} ${readType(f.type)}`).join(', ')})`;
}

const CLOUDTRAIL_RECORD_TYPE = `STRUCT(${CLOUDTRAIL_FIELDS.map(
  (f) => `${ident(f.sourceName)} ${CLOUDTRAIL_JSON_COLUMNS.includes(f.name) ? 'JSON' : readType(f.type)}`,
).join(', ')})`;

/**
 * requestParameters and responseElements are always present in a CloudTrail record, and
 * Athena shows a JSON null there as the text `null` (the playbook's tables do); DuckDB
 * reads it as SQL NULL, so it is put back.
 */
const ALWAYS_PRESENT_JSON = new Set(['requestparameters', 'responseelements']);

const PARTITIONS = ['date_partition', 'region_partition', 'account_partition'] as const;

const FLOW_COLUMNS: readonly FlowField[] = Object.values(FLOW_LOG_FIELDS);

/** Changes whenever the stored layout changes, so an old cache file is never misread. */
export const STORE_VERSION = createHash('sha256')
  .update(CLOUDTRAIL_RECORD_TYPE)
  .update(FLOW_COLUMNS.map((f) => `${f.column}:${duckDbType(f.type)}`).join(','))
  .update('store-v3')
  .digest('hex')
  .slice(0, 16);

export function storeDdl(): string[] {
  const ctColumns = CLOUDTRAIL_FIELDS.map((f) => `${ident(f.name)} ${duckDbType(f.type)}`);
  const flowColumns = FLOW_COLUMNS.map((f) => `${ident(f.column)} ${duckDbType(f.type)}`);
  const partitions = PARTITIONS.map((p) => `${p} VARCHAR`);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${STORE}.irkit`,
    `CREATE TABLE IF NOT EXISTS ${STORE}.irkit.meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
    `CREATE TABLE IF NOT EXISTS ${STORE}.irkit.files (
       file_id INTEGER PRIMARY KEY, path VARCHAR NOT NULL, kind VARCHAR NOT NULL, size BIGINT NOT NULL,
       mtime_ms BIGINT NOT NULL, status VARCHAR NOT NULL, records BIGINT NOT NULL, error VARCHAR,
       loaded BOOLEAN NOT NULL)`,
    // The index: per file, the distinct values of the fields queries select records by.
    `CREATE TABLE IF NOT EXISTS ${STORE}.irkit.terms (file_id INTEGER, kind VARCHAR, value VARCHAR)`,
    `CREATE TABLE IF NOT EXISTS ${STORE}.irkit.cloudtrail (file_id INTEGER, ${[...ctColumns, ...partitions].join(', ')})`,
    `CREATE TABLE IF NOT EXISTS ${STORE}.irkit.vpcflow (file_id INTEGER, ${[...flowColumns, ...partitions].join(', ')})`,
  ];
}

/**
 * The Glue names over the store. Only files of this session's windows are visible, so a
 * cache holding other logs, or files since deleted, never leaks into an answer.
 */
export function viewDdl(names: TableNames, flowFormat: readonly FlowField[]): string[] {
  const db = ident(names.database);
  const ctColumns = [...CLOUDTRAIL_FIELDS.map((f) => ident(f.name)), ...PARTITIONS].join(', ');
  const flowColumns = [...flowFormat.map((f) => ident(f.column)), ...PARTITIONS].join(', ');
  const visible = `file_id IN (SELECT file_id FROM temp.main.irkit_active)`;
  return [
    `CREATE TEMP TABLE IF NOT EXISTS irkit_active (file_id INTEGER PRIMARY KEY)`,
    `CREATE SCHEMA IF NOT EXISTS ${db}`,
    `CREATE OR REPLACE VIEW ${db}.${ident(names.cloudTrailTable)} AS
       SELECT ${ctColumns} FROM ${STORE}.irkit.cloudtrail WHERE ${visible}`,
    `CREATE OR REPLACE VIEW ${db}.${ident(names.vpcFlowTable)} AS
       SELECT ${flowColumns} FROM ${STORE}.irkit.vpcflow WHERE ${visible}`,
  ];
}

/** Staging table naming each file of a load batch, its id and its layout partitions. */
export const BATCH_TABLE = 'temp.main.irkit_batch';
export const BATCH_DDL = `CREATE TEMP TABLE IF NOT EXISTS irkit_batch (
  path VARCHAR, file_id INTEGER, date_partition VARCHAR, region_partition VARCHAR, account_partition VARCHAR)`;

function list(paths: readonly string[]): string {
  return `[${paths.map(literal).join(', ')}]`;
}

/** The kind of the per-file record count among the terms. */
export const RECORDS_TERM = '#records';
/** The kind of a flow log address among the terms (the seek kind that asks for it). */
export const FLOW_ADDRESS_TERM: SeekKind = 'flowAddress';

/**
 * Kinds whose values the queries compare ignoring case (IAM names): the index keeps them in
 * lower case, so that a seek compares equal values, which the sorted terms answer from a few
 * row groups (zone maps) instead of reading every term.
 */
const CASELESS_TERMS: readonly SeekKind[] = ['userName', 'sessionIssuer', 'policyUser'];
/** Kinds whose parameter is a comma-separated list (`contains(split(?, ','), ...)` in the query). */
const LIST_TERMS: readonly SeekKind[] = ['sourceIp', 'flowAddress'];

/**
 * Each record's index terms, as (kind, value) structs, from expressions naming its fields.
 * The policy user is the one an AttachUserPolicy/PutUserPolicy request names, read with the
 * json_extract_scalar the query itself uses.
 */
function cloudTrailTerms(f: {
  accessKeyId: string;
  userName: string;
  sessionIssuer: string;
  sourceIp: string;
  eventName: string;
  requestParameters: string;
}): string {
  const terms: [string, string][] = [
    [RECORDS_TERM, 'NULL'],
    ['accessKeyId', f.accessKeyId],
    ['userName', f.userName],
    ['sessionIssuer', f.sessionIssuer],
    ['sourceIp', f.sourceIp],
    [
      'policyUser',
      `CASE WHEN ${f.eventName} IN ('AttachUserPolicy', 'PutUserPolicy')
         THEN json_extract_scalar(${f.requestParameters}, '$.userName') END`,
    ],
  ];
  return termList(terms);
}

function termList(terms: readonly (readonly [string, string])[]): string {
  return `[${terms.map(([kind, value]) => `{'kind': ${literal(kind)}, 'value': (${value})::VARCHAR}`).join(', ')}]`;
}

/**
 * Distinct terms per file (and the file's record count) from rows of (file_id, t STRUCT(kind,
 * value)), names in lower case (CASELESS_TERMS), sorted by kind and value: each row group then
 * holds a narrow range of values, and a seek reads only the row groups that can hold its own.
 */
function termsInsert(source: string): string {
  return `INSERT INTO ${STORE}.irkit.terms
SELECT file_id, kind, CASE WHEN kind = '${RECORDS_TERM}' THEN count(*)::VARCHAR ELSE value END AS value
FROM (
  SELECT file_id, t.kind AS kind,
    CASE WHEN t.kind IN (${CASELESS_TERMS.map(literal).join(', ')}) THEN lower(t.value) ELSE t.value END AS value
  FROM (${source}) s
  WHERE t.kind = '${RECORDS_TERM}' OR t.value IS NOT NULL)
GROUP BY file_id, kind, value
ORDER BY kind, value`;
}

/** The raw record's fields as read_json types them (RECORD_TYPE). */
const RAW_FIELDS = {
  accessKeyId: `r."userIdentity"."accessKeyId"`,
  userName: `r."userIdentity"."userName"`,
  sessionIssuer: `r."userIdentity"."sessionContext"."sessionIssuer"."userName"`,
  sourceIp: `r."sourceIPAddress"`,
  eventName: `r."eventName"`,
  requestParameters: `r."requestParameters"`,
};

/** The same fields in the store's columns. */
const STORED_FIELDS = {
  accessKeyId: `useridentity.accesskeyid`,
  userName: `useridentity.username`,
  sessionIssuer: `useridentity.sessioncontext.sessionissuer.username`,
  sourceIp: `sourceipaddress`,
  eventName: `eventname`,
  requestParameters: `requestparameters`,
};

/**
 * The fields the index reads, typed as in CLOUDTRAIL_RECORD_TYPE: parsing only them costs about
 * a quarter less than the whole record. A file whose other fields do not parse is found when
 * it is loaded, and then skipped as corrupt like any other.
 */
const SCAN_RECORD_TYPE = `STRUCT("eventName" VARCHAR, "sourceIPAddress" VARCHAR, "requestParameters" JSON,
  "userIdentity" STRUCT("accessKeyId" VARCHAR, "userName" VARCHAR,
    "sessionContext" STRUCT("sessionIssuer" STRUCT("userName" VARCHAR))))`.replace(/\s+/g, ' ');

function cloudTrailRecords(
  paths: readonly string[],
  maximumObjectSize: number,
  recordType = CLOUDTRAIL_RECORD_TYPE,
): string {
  return `SELECT b.file_id, b.date_partition, b.region_partition, b.account_partition, unnest(j."Records") AS r
  FROM read_json(${list(paths)}, columns = {'Records': '${recordType}[]'},
    format = 'unstructured', filename = true, maximum_object_size = ${maximumObjectSize}) j
  JOIN ${BATCH_TABLE} b ON b.path = j.filename`;
}

/** Indexes CloudTrail files without keeping their records: their terms and record counts. */
export function cloudTrailScan(paths: readonly string[], maximumObjectSize: number): string {
  return termsInsert(
    `SELECT file_id, unnest(${cloudTrailTerms(RAW_FIELDS)}) AS t
     FROM (${cloudTrailRecords(paths, maximumObjectSize, SCAN_RECORD_TYPE)})`,
  );
}

/** The terms of files whose records are in the store (loaded without a scan first). */
export function cloudTrailTermsOfRows(): string {
  return termsInsert(
    `SELECT file_id, unnest(${cloudTrailTerms(STORED_FIELDS)}) AS t FROM ${STORE}.irkit.cloudtrail
     WHERE file_id BETWEEN $1 AND $2`,
  );
}

/**
 * The terms of loaded flow log records: both addresses (NULL, so no term, where the file's
 * format has no such field), and the record count.
 */
export function flowTermsOfRows(): string {
  const terms = termList([
    [RECORDS_TERM, 'NULL'],
    [FLOW_ADDRESS_TERM, 'sourceaddress'],
    [FLOW_ADDRESS_TERM, 'destinationaddress'],
  ]);
  return termsInsert(
    `SELECT file_id, unnest(${terms}) AS t FROM ${STORE}.irkit.vpcflow WHERE file_id BETWEEN $1 AND $2`,
  );
}

/**
 * Seeks whose values are written verbatim in the log files' text: the flow log addresses.
 * Files the store does not know are chosen for such a seek by a search of their text,
 * instead of being parsed to be indexed.
 */
export const TEXT_SEEKS: Partial<Record<SeekKind, (value: string) => string[]>> = {
  flowAddress: (value) => value.split(','),
};

/**
 * The files holding a record a seek matches, among every file the store indexed (any window):
 * the engine keeps those of the query's window. A term matches as the query's own WHERE
 * compares the field (lib/queries): `=` for keys, ignoring case for names, any value of a list.
 */
export function seekSql(kind: SeekKind, value: string): { sql: string; params: string[] } {
  const params = LIST_TERMS.includes(kind) ? value.split(',') : [value];
  const wanted = params.map((_, i) => (CASELESS_TERMS.includes(kind) ? `lower($${i + 1})` : `$${i + 1}`));
  return {
    sql: `SELECT DISTINCT file_id FROM ${STORE}.irkit.terms WHERE kind = ${literal(kind)} AND value IN (${wanted.join(', ')})`,
    params,
  };
}

/**
 * Parses CloudTrail files (`{"Records":[...]}`, gzip or plain) into the store. Partitions
 * come from the S3 layout when the file has one, else from the record itself.
 */
export function cloudTrailInsert(paths: readonly string[], maximumObjectSize: number): string {
  const columns = CLOUDTRAIL_FIELDS.map((f) => {
    const source = `r.${ident(f.sourceName)}`;
    if (ALWAYS_PRESENT_JSON.has(f.name)) return `coalesce(${source}::VARCHAR, 'null')`;
    if (CLOUDTRAIL_JSON_COLUMNS.includes(f.name)) return `${source}::VARCHAR`;
    return typeof f.type === 'string' ? source : `${source}::${duckDbType(f.type)}`;
  });
  // The join with the batch table is on files (one row each), before the records unnest.
  return `INSERT INTO ${STORE}.irkit.cloudtrail
SELECT b.file_id, ${columns.join(', ')},
  coalesce(b.date_partition, replace(left(r."eventTime", 10), '-', '/')),
  coalesce(b.region_partition, r."awsRegion"),
  coalesce(b.account_partition, r."recipientAccountId")
FROM (${cloudTrailRecords(paths, maximumObjectSize)}) b`;
}

/**
 * Parses VPC Flow Logs files sharing one header (their field list) into the store.
 * `-` (NODATA/SKIPDATA) is NULL, as in Athena's table.
 */
export function flowInsert(paths: readonly string[], header: readonly FlowField[]): string {
  const has = (column: string) => header.some((f) => f.column === column);
  const region = has('region') ? 'f."region"' : 'NULL';
  const account = has('account') ? 'f."account-id"' : 'NULL';
  const date = has('starttime') ? `strftime(epoch_ms(f."start" * 1000), '%Y/%m/%d')` : 'NULL';
  return `INSERT INTO ${STORE}.irkit.vpcflow (file_id, ${header.map((f) => ident(f.column)).join(', ')}, ${PARTITIONS.join(', ')})
SELECT b.file_id, ${header.map((f) => `f.${ident(f.logName)}`).join(', ')},
  coalesce(b.date_partition, ${date}),
  coalesce(b.region_partition, ${region}),
  coalesce(b.account_partition, ${account})
FROM ${flowRead(paths, header)} f
JOIN ${BATCH_TABLE} b ON b.path = f.filename`;
}

function flowRead(paths: readonly string[], header: readonly FlowField[]): string {
  const columns = header.map((f) => `${literal(f.logName)}: ${literal(duckDbType(f.type))}`).join(', ');
  return `read_csv(${list(paths)}, delim = ' ', header = true, auto_detect = false, nullstr = '-',
  columns = {${columns}}, filename = true)`;
}
