import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as ts from 'typescript';

import { acknowledge } from '../../compliance';
import { TAG_KEYS } from '../../names';
import { CONTAINMENT_HANDLER_NAMES } from './common';

export interface ContainmentHandlerProps {
  /** The deny-all managed policy (iam-containment-policy): the only policy the handler attaches. */
  readonly containmentPolicy: iam.IManagedPolicy;
  /**
   * Roles the handler must never change (the IR roles, the execution role).
   * @default - none beyond principals tagged `irkit:protected=true`
   */
  readonly protectedRoles?: readonly iam.IRole[];
  /**
   * ARNs of further users and roles never to change (config protectedPrincipals).
   * @default - none
   */
  readonly protectedPrincipalArns?: readonly string[];
  /**
   * How long the handler's log (the record of every containment change) is kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

const USER_WRITES = [
  'iam:AttachUserPolicy',
  'iam:DetachUserPolicy',
  'iam:UpdateAccessKey',
  'iam:PutUserPolicy',
  'iam:DeleteUserPolicy',
];
const ROLE_WRITES = ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'];

/**
 * The Lambda function behind every containment stack's custom resources, deployed once.
 * Its role holds the IAM and S3 permissions containment needs, so the containment execution
 * role needs only to invoke it; what the function does with them is fixed by its code
 * (lib/constructs/containment/handler), which only ever adds denies, deactivates keys, and
 * restores what it recorded.
 */
export class ContainmentHandler extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly policy: iam.Policy;
  public readonly logGroup: logs.LogGroup;
  private protectedRoleStatement?: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: ContainmentHandlerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const users = stack.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' });
    const roles = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' });
    const buckets = stack.formatArn({ service: 's3', region: '', account: '', resource: '*' });
    // Named, not a reference, so the policy reads as what it allows: this log group's streams.
    const logStreams = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/lambda/${CONTAINMENT_HANDLER_NAMES.functionName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${CONTAINMENT_HANDLER_NAMES.functionName}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      roleName: CONTAINMENT_HANDLER_NAMES.roleName,
      description:
        'IR Kit: the containment handler Lambda; changes contained users, roles and bucket policies.',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    this.policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteItsLog',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logStreams],
        }),
        new iam.PolicyStatement({
          sid: 'AttachOnlyTheContainmentPolicy',
          actions: ['iam:AttachUserPolicy', 'iam:DetachUserPolicy'],
          resources: [users],
          conditions: { ArnEquals: { 'iam:PolicyARN': props.containmentPolicy.managedPolicyArn } },
        }),
        new iam.PolicyStatement({
          sid: 'ContainUsers',
          actions: [
            'iam:ListAttachedUserPolicies',
            'iam:ListAccessKeys',
            'iam:UpdateAccessKey',
            'iam:ListUserTags',
            'iam:GetUserPolicy',
            'iam:PutUserPolicy',
            'iam:DeleteUserPolicy',
          ],
          resources: [users],
        }),
        new iam.PolicyStatement({
          sid: 'RevokeOlderRoleSessions',
          actions: ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:ListRoleTags'],
          resources: [roles],
        }),
        new iam.PolicyStatement({
          sid: 'ContainBuckets',
          actions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
          resources: [buckets],
        }),
        new iam.PolicyStatement({
          sid: 'NeverChangeTaggedProtected',
          effect: iam.Effect.DENY,
          actions: [...USER_WRITES, ...ROLE_WRITES],
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
          actions: [...USER_WRITES, ...ROLE_WRITES],
          resources: [...props.protectedPrincipalArns],
        }),
      );
    }
    this.policy.attachToRole(this.role);
    this.protectRoles(this.role, ...(props.protectedRoles ?? []));

    this.function = new lambda.Function(this, 'Resource', {
      functionName: CONTAINMENT_HANDLER_NAMES.functionName,
      description: 'IR Kit containment handler: custom resources of the irkit-contain-* stacks',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(handlerCode()),
      role: this.role,
      timeout: Duration.minutes(2),
      memorySize: 256,
      logGroup: this.logGroup,
      environment: {
        CONTAINMENT_POLICY_ARN: props.containmentPolicy.managedPolicyArn,
        HANDLER_ROLE_ARN: this.role.roleArn,
      },
    });
    this.function.node.addDependency(this.policy);

    const why = {
      users:
        'Any IAM user may be the exposed one; attach is limited to the containment policy by iam:PolicyARN and protected users are denied.',
      roles:
        'Any role the exposed key assumed may need its older sessions revoked; IR and protected roles are denied.',
      buckets:
        'Any bucket the actor created or touched may need containing; only bucket-policy actions are allowed.',
      logs: 'The handler writes to the log streams Lambda creates at run time in its own log group.',
    };
    const flat = (arn: string) => flatten(stack.resolve(arn));
    acknowledge(this.policy, `AwsSolutions-IAM5[Resource::${flat(users)}]`, why.users);
    acknowledge(this.policy, `AwsSolutions-IAM5[Resource::${flat(roles)}]`, why.roles);
    acknowledge(this.policy, `AwsSolutions-IAM5[Resource::${flat(buckets)}]`, why.buckets);
    acknowledge(this.policy, `AwsSolutions-IAM5[Resource::${flat(logStreams)}]`, why.logs);
  }

  /** Denies the handler any change to these roles (the IR roles keep working while all else is contained). */
  public protectRoles(...roles: iam.IRole[]): void {
    if (roles.length === 0) return;
    if (!this.protectedRoleStatement) {
      this.protectedRoleStatement = new iam.PolicyStatement({
        sid: 'NeverChangeIrRoles',
        effect: iam.Effect.DENY,
        actions: ROLE_WRITES,
      });
      this.policy.addStatements(this.protectedRoleStatement);
    }
    this.protectedRoleStatement.addResources(...roles.map((role) => role.roleArn));
  }
}

let transpiled: string | undefined;

/**
 * The handler's TypeScript source, transpiled to one CommonJS file for an inline (ZipFile)
 * function: no asset, so the access stack needs no bootstrap bucket for it. Synth runs from a
 * clone with its dev dependencies (the CDK CLI is one), so the TypeScript compiler is there.
 */
export function handlerCode(): string {
  transpiled ??= ts.transpileModule(readFileSync(join(__dirname, 'handler', 'index.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, removeComments: true },
  }).outputText;
  return transpiled;
}

/** How cdk-nag spells a resolved ARN in a finding id. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (Array.isArray(node['Fn::GetAtt'])) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Ref' in node) return `<${String(node.Ref)}>`;
  return JSON.stringify(value);
}
