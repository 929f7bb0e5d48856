import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { DEFAULT_NAMES } from '../names';
import { handlerFunctionArn } from './containment/common';
import { checkedName, ROLE_NAME_RULE } from './private/names';

export interface ContainmentExecutionRoleProps {
  /**
   * Name of the role. `irkit contain` passes it to CloudFormation as the stacks' RoleARN.
   * @default 'IrKitContainmentExecutionRole'
   */
  readonly roleName?: string;
}

/**
 * The role CloudFormation assumes to deploy and delete `irkit-contain-*` stacks. Those stacks
 * hold only custom resources answered by the containment handler
 * (lib/constructs/containment/containment-handler.ts), so this role may do one thing: invoke
 * that handler. Whatever template a holder of the deploy role submits, this role cannot write
 * IAM or S3 itself; what containment may change is fixed by the handler's code and its role,
 * where the protections (IR roles, tagged and configured principals) live.
 */
export class ContainmentExecutionRole extends Construct {
  public readonly role: iam.Role;
  /** Everything the role may do. */
  public readonly policy: iam.Policy;

  constructor(scope: Construct, id: string, props: ContainmentExecutionRoleProps = {}) {
    super(scope, id);
    const roleName = checkedName(
      'containment execution role name',
      props.roleName ?? DEFAULT_NAMES.containmentExecutionRoleName,
      ROLE_NAME_RULE,
    );
    this.role = new iam.Role(this, 'Resource', {
      roleName,
      description: 'IR Kit: CloudFormation deploys and deletes irkit-contain-* stacks with this role.',
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
    });
    this.policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'InvokeTheContainmentHandler',
          actions: ['lambda:InvokeFunction'],
          resources: [handlerFunctionArn(this)],
        }),
      ],
    });
    this.policy.attachToRole(this.role);
  }
}
