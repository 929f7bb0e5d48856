import * as athena from 'aws-cdk-lib/aws-athena';
import { Construct } from 'constructs';

import { DEFAULT_TABLE_NAMES, QUERIES, QueryDefinition, TableNames, renderSql } from '../queries';
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

/** The description shown in the Athena console: the title and where the playbook asks for it. */
export function namedQueryDescription(query: QueryDefinition): string {
  return `${query.title} (playbook part ${query.playbook.part}, step ${query.playbook.step})`;
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
