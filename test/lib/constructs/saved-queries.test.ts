import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';

import { InvestigationWorkgroup } from '../../../lib/constructs/investigation-workgroup';
import { SavedQueries, namedQueryDescription } from '../../../lib/constructs/saved-queries';
import { getQuery, QUERIES, QueryDefinition, TableNames, renderSql } from '../../../lib/queries';
import { testApp } from '../../helpers/compliance';

const NAMES: TableNames = { database: 'ir_db', cloudTrailTable: 'ct', vpcFlowTable: 'flows' };

describe('SavedQueries over the whole library', () => {
  const stack = new Stack(testApp(), 'S');
  const workgroup = new InvestigationWorkgroup(stack, 'Workgroup', { workgroupName: 'IR' });
  const saved = new SavedQueries(stack, 'Queries', { workgroup, tableNames: NAMES });
  const template = Template.fromStack(stack);
  const workgroupId = stack.getLogicalId(workgroup.resource);

  it('saves one named query per query of the library', () => {
    template.resourceCountIs('AWS::Athena::NamedQuery', QUERIES.length);
    expect([...saved.namedQueries.keys()]).toEqual(QUERIES.map((q) => q.id));
  });

  it.each(QUERIES.map((q) => ({ id: q.id, query: q })))(
    'saves $id with the library SQL for the configured names',
    ({ query }) => {
      template.hasResourceProperties('AWS::Athena::NamedQuery', {
        Name: query.id,
        Database: 'ir_db',
        WorkGroup: 'IR',
        QueryString: renderSql(query, NAMES),
        Description: namedQueryDescription(query),
      });
    },
  );

  it('describes each query by its title, playbook step and what to type at each prompt, quotes included', () => {
    const query = getQuery('key-api-activity');
    const description = namedQueryDescription(query);
    expect(description).toMatch(
      new RegExp(
        `^${query.title.replace(/[()]/g, '\\$&')} \\(playbook part 2, step \\d+\\)\\. Prompts, with the quotes: `,
      ),
    );
    // A bare 2021/07/16 would be integer division in the console; a bare key id a column name.
    expect(description).toContain("1. accessKeyId 'AKIAIOSFODNN7EXAMPLE'");
    expect(description).toMatch(/2\. from '\d{4}\/\d{2}\/\d{2}'/);
    for (const q of QUERIES) expect(namedQueryDescription(q).length).toBeLessThanOrEqual(1024);
  });

  it('creates every named query after the workgroup', () => {
    const queries = template.findResources('AWS::Athena::NamedQuery');
    for (const resource of Object.values(queries)) {
      expect(resource.DependsOn).toContain(workgroupId);
    }
  });
});

describe('SavedQueries with an explicit list', () => {
  it('saves exactly the queries given, with the playbook names by default', () => {
    const stack = new Stack(testApp(), 'S');
    const workgroup = new InvestigationWorkgroup(stack, 'Workgroup');
    const only: QueryDefinition = QUERIES[0];
    new SavedQueries(stack, 'Queries', { workgroup, queries: [only] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Athena::NamedQuery', 1);
    template.hasResourceProperties('AWS::Athena::NamedQuery', {
      Database: 'irworkshopgluedatabase',
      QueryString: Match.stringLikeRegexp('"irworkshopgluedatabase"\\."irworkshopgluetablecloudtrail"'),
    });
  });
});
