import { IrKitError } from '../errors';
import { dateWindow } from '../validation';
import { INVESTIGATION_QUERIES } from './investigation';
import { INVESTIGATION_EXTRA_QUERIES } from './investigation-extra';
import { validateParam } from './params';
import { PLAYBOOK_QUERIES } from './playbook';
import { DEFAULT_TABLE_NAMES, QueryDefinition, TableNames } from './types';

/** Every query of the library, in the order `irkit queries list` shows them. */
export const QUERIES: readonly QueryDefinition[] = [
  ...PLAYBOOK_QUERIES,
  ...INVESTIGATION_QUERIES,
  ...INVESTIGATION_EXTRA_QUERIES,
];

export function getQuery(id: string): QueryDefinition {
  const query = QUERIES.find((q) => q.id === id);
  if (!query) {
    throw new IrKitError('IRKIT_UNKNOWN_QUERY', `no query with id "${id}"`, {
      hint: 'run `irkit queries list` to see the ids',
    });
  }
  return query;
}

/** The SQL text of a query for the given Glue names (the playbook's by default). */
export function renderSql(query: QueryDefinition, names: TableNames = DEFAULT_TABLE_NAMES): string {
  return query.sql(names);
}

/**
 * The SQL ready to paste into the Athena console: each `?` whose parameter has a value is
 * replaced by that value as a string literal (validated first, quotes doubled); the others
 * stay `?`, for the console to prompt. Returns the parameter name of each remaining `?`.
 */
/**
 * A value as the Athena console's parameter prompt takes it: every parameter of the library is
 * a string, and the console wants SQL literals, so `'AKIAIOSFODNN7EXAMPLE'` with its quotes (a
 * bare 2021/07/16 would be integer division).
 */
export function consoleLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The console prompts of a query, in order, each with its example as the console takes it. */
export function consolePrompts(
  query: QueryDefinition,
): Array<{ name: string; description: string; example: string }> {
  return query.placeholders.map((name) => {
    const param = query.params.find((p) => p.name === name);
    return { name, description: param?.description ?? '', example: consoleLiteral(param?.example ?? '') };
  });
}

export function renderForConsole(
  query: QueryDefinition,
  values: Readonly<Record<string, string>>,
  names: TableNames = DEFAULT_TABLE_NAMES,
): { sql: string; prompts: string[] } {
  const known = new Set(query.params.map((p) => p.name));
  const normalized: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const param = query.params.find((p) => p.name === name);
    if (!param) {
      throw new IrKitError('IRKIT_INVALID_INPUT', `query ${query.id} has no parameter "${name}"`, {
        hint: `its parameters are: ${[...known].join(', ')}`,
      });
    }
    normalized[name] = validateParam(param.kind, value);
  }
  if (normalized.from !== undefined && normalized.to !== undefined)
    dateWindow(normalized.from, normalized.to);

  const prompts: string[] = [];
  let index = 0;
  let quoted = false;
  let sql = '';
  for (const char of query.sql(names)) {
    if (char === "'") quoted = !quoted;
    if (char !== '?' || quoted) {
      sql += char;
      continue;
    }
    const name = query.placeholders[index++];
    const value = normalized[name];
    if (value === undefined) {
      prompts.push(name);
      sql += char;
    } else {
      sql += consoleLiteral(value);
    }
  }
  return { sql, prompts };
}
