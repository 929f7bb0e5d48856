import { join } from 'node:path';

import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';

import { acknowledge } from '../../compliance';
import { CONTAINMENT_STACK_PREFIX, TAG_KEYS } from '../../names';
import { parseIamArn, PLAYBOOK_PROTECTION, ProtectionRule } from '../../protection';
import { PATTERNS } from '../../validation';
import { CONTAINMENT_HANDLER_NAMES } from './common';
import { serializeProtectionRule } from './handler/environment';

export interface ContainmentHandlerProps {
  /** The deny-all managed policy (iam-containment-policy): the only policy the handler attaches. */
  readonly containmentPolicy: iam.IManagedPolicy;
  /**
   * The kit's one protection rule (lib/protection.ts): the handler refuses what it protects, and
   * its role is denied every write on the protected roles, users and buckets it names.
   * @default - the playbook's names, nothing else protected
   */
  readonly protection?: ProtectionRule;
  /**
   * Roles the handler must never change beyond the rule's names (the IR roles, the execution role).
   * @default - none beyond the protection rule and principals tagged `irkit:protected=true`
   */
  readonly protectedRoles?: readonly iam.IRole[];
  /**
   * Buckets whose policy the handler must never change (the kit's log and results buckets).
   * @default - the rule's protectedBuckets only
   */
  readonly protectedBuckets?: readonly s3.IBucket[];
  /**
   * The break-glass role: the only principal (beside the handler) a bucket containment spares.
   * @default - any exact role ARN of the account that the stack passes
   */
  readonly breakGlassRole?: iam.IRole;
  /**
   * Reserved concurrency: 1 runs one containment change at a time in the account, so two
   * stacks changing the same target cannot both act (CloudFormation invokes asynchronously and
   * Lambda retries throttled invocations). null reserves none, where the account's concurrency
   * quota allows no reservation (new accounts with a quota of 10).
   * @default 1
   */
  readonly reservedConcurrentExecutions?: number | null;
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
const ROLE_WRITES = [
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
];
const BUCKET_WRITES = ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy'];

/**
 * The Lambda function behind every containment stack's custom resources, deployed once.
 * Its role holds the IAM and S3 permissions containment needs, so the containment execution
 * role needs only to invoke it. What the function does with them is fixed by its code
 * (lib/constructs/containment/handler), and bounded in IAM itself: attach and detach only the
 * containment policy (iam:PolicyARN), read only irkit-contain-* stacks, and an explicit deny of
 * every write on protected principals and buckets, so a bug in the code cannot reach further.
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
    const given = props.protection ?? PLAYBOOK_PROTECTION;
    // The code refuses the kit's own buckets by name too, not only IAM by ARN.
    const rule: ProtectionRule = {
      ...given,
      protectedBuckets: [
        ...given.protectedBuckets,
        ...(props.protectedBuckets ?? []).map((b) => b.bucketName),
      ],
    };
    const iamArn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'iam', region: '', resource, resourceName });
    const users = iamArn('user', '*');
    const roles = iamArn('role', '*');
    const buckets = stack.formatArn({ service: 's3', region: '', account: '', resource: '*' });
    const containmentStacks = stack.formatArn({
      service: 'cloudformation',
      resource: 'stack',
      resourceName: `${CONTAINMENT_STACK_PREFIX}*/*`,
    });
    // Named, not a reference, so the policy reads as what it allows: this log group's streams.
    const logStreams = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/lambda/${CONTAINMENT_HANDLER_NAMES.functionName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const onlyTheContainmentPolicy = {
      ArnEquals: { 'iam:PolicyARN': props.containmentPolicy.managedPolicyArn },
    };

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
          sid: 'VerifyRequestsWithCloudFormation',
          actions: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'],
          resources: [containmentStacks],
        }),
        new iam.PolicyStatement({
          sid: 'AttachOnlyTheContainmentPolicy',
          actions: [
            'iam:AttachUserPolicy',
            'iam:DetachUserPolicy',
            'iam:AttachRolePolicy',
            'iam:DetachRolePolicy',
          ],
          resources: [users, roles],
          conditions: onlyTheContainmentPolicy,
        }),
        new iam.PolicyStatement({
          sid: 'ReadPrincipals',
          actions: [
            'iam:GetUser',
            'iam:GetRole',
            'iam:ListUserTags',
            'iam:ListRoleTags',
            'iam:ListAttachedUserPolicies',
            'iam:ListAttachedRolePolicies',
            'iam:ListAccessKeys',
            'iam:GetUserPolicy',
            'iam:GetRolePolicy',
          ],
          resources: [users, roles],
        }),
        new iam.PolicyStatement({
          // IAM has no condition key for an inline policy's name or document: the code writes only
          // the kit's documents under the kit's names, and the denies below keep protected ones out.
          sid: 'WriteTheKitsInlineDenies',
          actions: ['iam:PutUserPolicy', 'iam:DeleteUserPolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
          resources: [users, roles],
        }),
        new iam.PolicyStatement({
          sid: 'DeactivateKeys',
          actions: ['iam:UpdateAccessKey'],
          resources: [users],
        }),
        new iam.PolicyStatement({
          sid: 'ContainBuckets',
          actions: ['s3:GetBucketPolicy', 's3:GetBucketTagging', ...BUCKET_WRITES],
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
    const protectedPrincipals = protectedPrincipalArns(rule, iamArn);
    this.policy.addStatements(
      new iam.PolicyStatement({
        sid: 'NeverChangeProtectedPrincipals',
        effect: iam.Effect.DENY,
        actions: [...USER_WRITES, ...ROLE_WRITES],
        resources: protectedPrincipals,
      }),
    );
    const protectedBuckets = [
      ...given.protectedBuckets.map((name) => `arn:${stack.partition}:s3:::${name}`),
      ...(props.protectedBuckets ?? []).map((b) => b.bucketArn),
    ];
    if (protectedBuckets.length > 0) {
      this.policy.addStatements(
        new iam.PolicyStatement({
          sid: 'NeverChangeProtectedBuckets',
          effect: iam.Effect.DENY,
          actions: BUCKET_WRITES,
          resources: protectedBuckets,
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
      reservedConcurrentExecutions:
        props.reservedConcurrentExecutions === null ? undefined : (props.reservedConcurrentExecutions ?? 1),
      environment: {
        CONTAINMENT_POLICY_ARN: props.containmentPolicy.managedPolicyArn,
        HANDLER_ROLE_ARN: this.role.roleArn,
        PROTECTION_RULE: serializeProtectionRule(rule),
        ...(props.breakGlassRole ? { BREAK_GLASS_ROLE_ARN: props.breakGlassRole.roleArn } : {}),
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
      stacks:
        'Containment stacks are created at incident time under the irkit-contain- prefix; the handler only reads them, to verify each request.',
    };
    const flat = (arn: string) => flatten(stack.resolve(arn));
    acknowledge(this.policy, `AwsSolutions-IAM5[Resource::${flat(users)}]`, why.users);
    acknowledge(this.policy, `AwsSolutions-IAM5[Resource::${flat(roles)}]`, why.roles);
    acknowledge(this.policy, `AwsSolutions-IAM5[Resource::${flat(buckets)}]`, why.buckets);
    acknowledge(this.policy, `AwsSolutions-IAM5[Resource::${flat(logStreams)}]`, why.logs);
    acknowledge(this.policy, `AwsSolutions-IAM5[Resource::${flat(containmentStacks)}]`, why.stacks);
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

/**
 * The rule's principals as IAM resource ARNs: every IR, break-glass and kit role name, each
 * protected name as a user and a role at any path, and ARNs as they are.
 */
function protectedPrincipalArns(
  rule: ProtectionRule,
  iamArn: (resource: string, name: string) => string,
): string[] {
  const anyPath = (resource: string, name: string) => [iamArn(resource, name), iamArn(resource, `*/${name}`)];
  const roleNames = [...rule.irRoleNames, rule.breakGlassRoleName, ...rule.kitRoleNames];
  const arns = new Set<string>(roleNames.flatMap((name) => anyPath('role', name)));
  for (const entry of [
    ...rule.protectedPrincipals,
    ...rule.trustedPrincipalArns,
    ...rule.breakGlassPrincipalArns,
  ]) {
    const arn = parseIamArn(entry);
    if (arn?.kind && /^arn:[a-z-]+:iam::/.test(entry)) arns.add(entry);
    else if (arn) arns.add(iamArn('role', arn.name));
    else if (PATTERNS.iamName.test(entry) || PATTERNS.iamPathName.test(entry)) {
      const name = entry.slice(entry.lastIndexOf('/') + 1);
      for (const resource of ['user', 'role']) anyPath(resource, name).forEach((a) => arns.add(a));
    }
  }
  return [...arns];
}

let bundled: string | undefined;

/**
 * The handler bundled into one CommonJS file for an inline (ZipFile) function: no asset, so the
 * access stack needs no bootstrap bucket for it. The AWS SDK v3 clients come from the Lambda
 * runtime, so they stay external; the kit's own modules (validation, names, policies,
 * protection) are bundled in, so the handler enforces the same rules as the CLI.
 */
export function handlerCode(): string {
  bundled ??= buildSync({
    entryPoints: [join(__dirname, 'handler', 'index.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['@aws-sdk/*'],
    legalComments: 'none',
    logLevel: 'silent',
  }).outputFiles[0].text;
  return bundled;
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
