import { IrKitError } from '../errors';
import { INVESTIGATION_QUERIES } from './investigation';
import { INVESTIGATION_EXTRA_QUERIES } from './investigation-extra';
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
