import * as athena from 'aws-cdk-lib/aws-athena';
import { Construct } from 'constructs';

import {
  consolePrompts,
  DEFAULT_TABLE_NAMES,
  QUERIES,
  QueryDefinition,
  TableNames,
  renderSql,
} from '../queries';
import { InvestigationWorkgroup } from './investigation-workgroup';

export interface SavedQueriesProps {
  /** The workgroup the queries are saved in. */
  readonly workgroup: InvestigationWorkgroup;
  /**
   * The Glue names the SQL refers to.
   * @default - the playbook's names
   */
  readonly tableNames?: TableNames;
  /**
   * @default - every query of the library (lib/queries QUERIES)
   */
  readonly queries?: readonly QueryDefinition[];
}

/** Athena's limit on a named query's description. */
const DESCRIPTION_MAX_CHARS = 1024;

/**
 * The description shown in the Athena console: the title, where the playbook asks for it, and
 * what to type at each prompt, as the console takes it (a string literal, quotes included).
 */
export function namedQueryDescription(query: QueryDefinition): string {
  const head = `${query.title} (playbook part ${query.playbook.part}, step ${query.playbook.step})`;
  const prompts = consolePrompts(query);
  if (prompts.length === 0) return head.slice(0, DESCRIPTION_MAX_CHARS);
  const text = `${head}. Prompts, with the quotes: ${prompts.map((p, i) => `${i + 1}. ${p.name} ${p.example}`).join('; ')}`;
  return text.length <= DESCRIPTION_MAX_CHARS ? text : `${text.slice(0, DESCRIPTION_MAX_CHARS - 1)}…`;
}

/**
 * One Athena named query per query of the library, in the investigation workgroup. The SQL is
 * the library's text with `?` placeholders: the console prompts for the values, and the same
 * text runs through the orchestrator with ExecutionParameters.
 */
export class SavedQueries extends Construct {
  /** By query id. */
  public readonly namedQueries: ReadonlyMap<string, athena.CfnNamedQuery>;

  constructor(scope: Construct, id: string, props: SavedQueriesProps) {
    super(scope, id);
    const names = props.tableNames ?? DEFAULT_TABLE_NAMES;
    const queries = props.queries ?? QUERIES;
    const saved = new Map<string, athena.CfnNamedQuery>();
    for (const query of queries) {
      const namedQuery = new athena.CfnNamedQuery(this, query.id, {
        name: query.id,
        description: namedQueryDescription(query),
        database: names.database,
        queryString: renderSql(query, names),
        workGroup: props.workgroup.workgroupName,
      });
      // The workgroup is named by config, not referenced, so order the creation explicitly.
      namedQuery.addResourceDependency(props.workgroup.resource);
      saved.set(query.id, namedQuery);
    }
    this.namedQueries = saved;
  }
}
