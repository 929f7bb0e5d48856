/**
 * A small type language for log tables, rendered both as Glue/Hive type strings (for the
 * CDK tables) and as DuckDB types (for the local engine), so the two can never drift.
 */
export type ColumnType =
  | 'string'
  | 'boolean'
  | 'int'
  | 'bigint'
  | { readonly struct: readonly Field[] }
  | { readonly array: ColumnType }
  | { readonly map: readonly [ColumnType, ColumnType] };

export interface Field {
  /** The Glue column name: lower case, as Athena exposes it. */
  readonly name: string;
  /** The key in the log record, when it differs from `name` only by case (camelCase in CloudTrail). */
  readonly sourceName: string;
  readonly type: ColumnType;
  readonly comment?: string;
}

export function field(sourceName: string, type: ColumnType, comment?: string): Field {
  return { name: sourceName.toLowerCase(), sourceName, type, comment };
}

export function struct(...fields: Field[]): ColumnType {
  return { struct: fields };
}

/** Hive/Glue type string, e.g. `struct<type:string,arn:string>`. */
export function glueType(type: ColumnType): string {
  if (typeof type === 'string') return type;
  if ('struct' in type) return `struct<${type.struct.map((f) => `${f.name}:${glueType(f.type)}`).join(',')}>`;
  if ('array' in type) return `array<${glueType(type.array)}>`;
  return `map<${glueType(type.map[0])},${glueType(type.map[1])}>`;
}

/** DuckDB type string with the lower-cased Glue field names, e.g. `STRUCT("type" VARCHAR)`. */
export function duckDbType(type: ColumnType): string {
  if (typeof type === 'string') {
    return { string: 'VARCHAR', boolean: 'BOOLEAN', int: 'INTEGER', bigint: 'BIGINT' }[type];
  }
  if ('struct' in type)
    return `STRUCT(${type.struct.map((f) => `"${f.name}" ${duckDbType(f.type)}`).join(', ')})`;
  if ('array' in type) return `${duckDbType(type.array)}[]`;
  return `MAP(${duckDbType(type.map[0])}, ${duckDbType(type.map[1])})`;
}
