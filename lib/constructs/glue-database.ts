import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';

import { DEFAULT_NAMES } from '../names';

export interface GlueDatabaseProps {
  /**
   * The Glue database name; the playbook's queries name it.
   * @default 'irworkshopgluedatabase'
   */
  readonly databaseName?: string;
}

/** The Glue database holding the kit's log tables. */
export class GlueDatabase extends Construct {
  public readonly databaseName: string;
  public readonly resource: glue.CfnDatabase;
  /** `arn:...:database/NAME`, for IAM policies on the catalog. */
  public readonly databaseArn: string;

  constructor(scope: Construct, id: string, props: GlueDatabaseProps = {}) {
    super(scope, id);
    this.databaseName = props.databaseName ?? DEFAULT_NAMES.databaseName;
    const stack = Stack.of(this);
    this.resource = new glue.CfnDatabase(this, 'Resource', {
      catalogId: stack.account,
      databaseInput: {
        name: this.databaseName,
        description: 'IR Kit: CloudTrail and VPC Flow Logs tables for the IAM credential exposure playbook',
      },
    });
    this.databaseArn = stack.formatArn({
      service: 'glue',
      resource: 'database',
      resourceName: this.databaseName,
    });
  }
}
