import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

import { GlueDatabase } from '../../../lib/constructs/glue-database';
import { DEFAULT_NAMES } from '../../../lib/names';
import { testApp } from '../../helpers/compliance';

describe('GlueDatabase', () => {
  it('creates the playbook-named database in the stack account by default', () => {
    const stack = new Stack(testApp(), 'S', { env: { account: '777777777777', region: 'us-east-1' } });
    const database = new GlueDatabase(stack, 'Database');
    Template.fromStack(stack).hasResourceProperties('AWS::Glue::Database', {
      CatalogId: '777777777777',
      DatabaseInput: { Name: DEFAULT_NAMES.databaseName },
    });
    expect(JSON.stringify(stack.resolve(database.databaseArn))).toContain(
      ':glue:us-east-1:777777777777:database/irworkshopgluedatabase',
    );
  });

  it('takes the configured name', () => {
    const stack = new Stack(testApp(), 'S');
    new GlueDatabase(stack, 'Database', { databaseName: 'ir_db' });
    Template.fromStack(stack).hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: { Name: 'ir_db' },
    });
  });
});
