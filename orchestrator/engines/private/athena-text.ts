import {
  DuckDBArrayValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBValue,
} from '@duckdb/node-api';

import { Cell } from '../engine';

/**
 * Renders a DuckDB value the way Athena's GetQueryResults renders the same SQL value, so
 * both engines return identical rows: every scalar as text (counts as decimal strings,
 * booleans as true/false), SQL NULL as null, arrays as `[a, b]`, rows and maps as
 * `{key=value}` with Hive's lower-case field names, timestamps as `yyyy-MM-dd HH:mm:ss.SSS`.
 */
export function athenaText(value: DuckDBValue): Cell {
  return value === null ? null : render(value);
}

function render(value: DuckDBValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return value.toString();
  }
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    return `[${value.items.map(render).join(', ')}]`;
  }
  if (value instanceof DuckDBStructValue) {
    return `{${Object.entries(value.entries)
      .map(([k, v]) => `${k.toLowerCase()}=${render(v)}`)
      .join(', ')}}`;
  }
  if (value instanceof DuckDBMapValue) {
    return `{${value.entries.map((e) => `${render(e.key)}=${render(e.value)}`).join(', ')}}`;
  }
  if (value instanceof DuckDBTimestampTZValue) return `${timestamp(value.micros)} UTC`;
  if (value instanceof DuckDBTimestampValue) return timestamp(value.micros);
  return value.toString();
}

function timestamp(micros: bigint): string {
  const iso = new Date(Number(micros / 1000n)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}
