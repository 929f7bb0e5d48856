import { CONTAINMENT_HANDLER_NAMES } from '../constructs/containment/names';
import { PolicyDocument } from './containment';

/**
 * The residual risk of the containment handler: whoever may change its code, its configuration
 * or its role can do anything the handler's role can (attach the containment policy to anyone,
 * rewrite inline policies, bucket policies), whatever the handler's own checks. IAM administrators
 * of the account can do that; an exposed administrator key can too.
 *
 * This service control policy closes it: nobody but the principal that deploys the kit may change
 * the function, its concurrency, its permissions, its role, pass that role to anything else, or
 * delete its log (the record of every containment change). Attach it to the accounts (or OUs) that
 * run the kit. docs/containment-handler-guard.scp.json is this document with CDK's default
 * CloudFormation execution role as the deployer; tests hold the two equal and prove it with the
 * IAM simulator.
 */
export interface HandlerGuardOptions {
  /**
   * ARN patterns of the principals that deploy IrKitAccess.
   * @default CDK's bootstrap CloudFormation execution role in any account
   */
  readonly deployerArnPatterns?: readonly string[];
}

export const DEFAULT_DEPLOYER_ARN_PATTERNS = ['arn:aws:iam::*:role/cdk-*-cfn-exec-role-*'] as const;

export function handlerGuardPolicy(options: HandlerGuardOptions = {}): PolicyDocument {
  const unlessDeployer = {
    ArnNotLike: { 'aws:PrincipalArn': [...(options.deployerArnPatterns ?? DEFAULT_DEPLOYER_ARN_PATTERNS)] },
  };
  const fn = CONTAINMENT_HANDLER_NAMES.functionName;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'IrKitNeverChangeTheContainmentHandler',
        Effect: 'Deny',
        Action: [
          'lambda:UpdateFunctionCode',
          'lambda:UpdateFunctionConfiguration',
          'lambda:DeleteFunction',
          'lambda:PublishVersion',
          'lambda:CreateAlias',
          'lambda:UpdateAlias',
          'lambda:PutFunctionConcurrency',
          'lambda:DeleteFunctionConcurrency',
          'lambda:AddPermission',
          'lambda:RemovePermission',
          'lambda:PutFunctionRecursionConfig',
        ],
        Resource: [`arn:aws:lambda:*:*:function:${fn}`, `arn:aws:lambda:*:*:function:${fn}:*`],
        Condition: unlessDeployer,
      },
      {
        Sid: 'IrKitNeverChangeTheContainmentHandlerRole',
        Effect: 'Deny',
        Action: [
          'iam:AttachRolePolicy',
          'iam:DetachRolePolicy',
          'iam:PutRolePolicy',
          'iam:DeleteRolePolicy',
          'iam:UpdateAssumeRolePolicy',
          'iam:PutRolePermissionsBoundary',
          'iam:DeleteRolePermissionsBoundary',
          'iam:UpdateRole',
          'iam:DeleteRole',
          'iam:PassRole',
        ],
        Resource: `arn:aws:iam::*:role/${CONTAINMENT_HANDLER_NAMES.roleName}`,
        Condition: unlessDeployer,
      },
      {
        Sid: 'IrKitKeepTheContainmentRecord',
        Effect: 'Deny',
        Action: [
          'logs:DeleteLogGroup',
          'logs:DeleteLogStream',
          'logs:PutRetentionPolicy',
          'logs:DeleteRetentionPolicy',
        ],
        Resource: `arn:aws:logs:*:*:log-group:/aws/lambda/${fn}*`,
        Condition: unlessDeployer,
      },
    ],
  };
}
