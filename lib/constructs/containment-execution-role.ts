import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { CONTAINMENT_STACK_PREFIX, DEFAULT_NAMES, TAG_KEYS } from '../names';
import { acknowledgeWildcardResource } from './private/nag';
import { checkedName, ROLE_NAME_RULE } from './private/names';

export interface ContainmentExecutionRoleProps {
  /** The deny-all policy containment stacks attach to users; the only policy this role may attach. */
  readonly containmentPolicy: iam.IManagedPolicy;
  /**
   * Name of the role. `irkit contain` passes it to CloudFormation as the stacks' RoleARN.
   * @default 'IrKitContainmentExecutionRole'
   */
  readonly roleName?: string;
  /**
   * ARNs of further users and roles containment must never change (config protectedPrincipals).
   * @default - only the IR roles (protectRoles) and principals tagged `irkit:protected=true`
   */
  readonly protectedPrincipalArns?: readonly string[];
}

/** IAM actions that change a user or a role; the protection denies apply to all of them. */
const USER_CHANGES = ['iam:AttachUserPolicy', 'iam:DetachUserPolicy', 'iam:UpdateAccessKey'];
const ROLE_CHANGES = ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'];

/**
 * The role CloudFormation assumes to deploy and delete `irkit-contain-*` stacks. It holds only
 * what containment needs, so a responder with the deploy role can contain and release but not
 * otherwise change IAM: attach/detach of the containment policy only, deactivating access keys,
 * the revoke-older-sessions inline policy on roles other than the IR roles, bucket policies,
 * and the containment handlers.
 */
export class ContainmentExecutionRole extends Construct {
  public readonly role: iam.Role;
  /** Everything the role may do. Later containment features add their statements here. */
  public readonly policy: iam.Policy;
  private protectedRoles?: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: ContainmentExecutionRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const roleName = checkedName(
      'containment execution role name',
      props.roleName ?? DEFAULT_NAMES.containmentExecutionRoleName,
      ROLE_NAME_RULE,
    );
    const users = stack.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' });
    const roles = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' });
    const buckets = stack.formatArn({ service: 's3', region: '', account: '', resource: '*' });
    const handlers = stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: `${CONTAINMENT_STACK_PREFIX}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.role = new iam.Role(this, 'Resource', {
      roleName,
      description: 'IR Kit: CloudFormation deploys and deletes irkit-contain-* stacks with this role.',
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
    });

    this.policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'AttachOnlyTheContainmentPolicy',
          actions: ['iam:AttachUserPolicy', 'iam:DetachUserPolicy'],
          resources: [users],
          conditions: { ArnEquals: { 'iam:PolicyARN': props.containmentPolicy.managedPolicyArn } },
        }),
        new iam.PolicyStatement({
          sid: 'DeactivateAccessKeys',
          actions: ['iam:UpdateAccessKey', 'iam:ListAccessKeys'],
          resources: [users],
        }),
        new iam.PolicyStatement({
          sid: 'RevokeOlderRoleSessions',
          actions: ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:GetRolePolicy'],
          resources: [roles],
        }),
        new iam.PolicyStatement({
          sid: 'ContainBuckets',
          actions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
          resources: [buckets],
        }),
        new iam.PolicyStatement({
          sid: 'InvokeContainmentHandlers',
          actions: ['lambda:InvokeFunction'],
          resources: [handlers],
        }),
        // Principals tagged protected are never contained, whatever the stack asks for.
        new iam.PolicyStatement({
          sid: 'NeverChangeTaggedProtected',
          effect: iam.Effect.DENY,
          actions: [...USER_CHANGES, ...ROLE_CHANGES],
          resources: [users, roles],
          conditions: { StringEqualsIgnoreCase: { [`aws:ResourceTag/${TAG_KEYS.protected}`]: 'true' } },
        }),
      ],
    });
    if (props.protectedPrincipalArns && props.protectedPrincipalArns.length > 0) {
      this.policy.addStatements(
        new iam.PolicyStatement({
          sid: 'NeverChangeProtectedPrincipals',
          effect: iam.Effect.DENY,
          actions: [...USER_CHANGES, ...ROLE_CHANGES],
          resources: [...props.protectedPrincipalArns],
        }),
      );
    }
    this.policy.attachToRole(this.role);
    this.protectRoles(this.role);

    acknowledgeWildcardResource(
      this.policy,
      users,
      'Any IAM user may be the exposed one; attach/detach is limited to the containment policy by iam:PolicyARN, and protected users are denied.',
    );
    acknowledgeWildcardResource(
      this.policy,
      roles,
      'Any role the exposed key assumed may need its older sessions revoked; the IR roles and protected roles are denied.',
    );
    acknowledgeWildcardResource(
      this.policy,
      buckets,
      'Any bucket the actor created or touched may need containing; only the bucket-policy actions are allowed.',
    );
    acknowledgeWildcardResource(
      this.policy,
      handlers,
      'Only the kit containment handlers, which are all named with the irkit-contain- prefix.',
    );
  }

  /**
   * Denies this role any change to the given roles (the IR roles): their sessions must keep
   * working while everything else is contained.
   */
  public protectRoles(...roles: iam.IRole[]): void {
    if (!this.protectedRoles) {
      this.protectedRoles = new iam.PolicyStatement({
        sid: 'NeverChangeIrRoles',
        effect: iam.Effect.DENY,
        actions: [...ROLE_CHANGES, 'iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      });
      this.policy.addStatements(this.protectedRoles);
    }
    this.protectedRoles.addResources(...roles.map((role) => role.roleArn));
  }
}
