import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { IrKitError } from '../errors';
import { CONTAINMENT_STACK_PREFIX, DEFAULT_NAMES } from '../names';
import { memberEvidenceObjects } from '../policies/member-evidence';
import { PATTERNS } from '../validation';
import { EVIDENCE_WRITE_ACTIONS } from './evidence-store';
import { acknowledgeManagedPolicy, acknowledgeWildcardResource } from './private/nag';
import { checkedName, ROLE_NAME_RULE } from './private/names';

export interface ResponderRolesProps {
  /** Who may assume the analyst, admin and deploy roles: IAM roles or users, by exact ARN. */
  readonly trustedPrincipals: readonly iam.IPrincipal[];
  /**
   * Who may assume the break-glass role, always with MFA.
   * @default - the trustedPrincipals
   */
  readonly breakGlassPrincipals?: readonly iam.IPrincipal[];
  /**
   * The bucket CloudTrail and VPC Flow Logs deliver to: read by the analyst. Give it with
   * resultsBucket, or neither.
   * @default - no investigation in this account (a member account of an organization: the
   *   analytics live in the security account); the analyst and admin roles then get no Athena,
   *   Glue or log access here, only ReadOnlyAccess and the deny of IAM writes
   */
  readonly logBucket?: s3.IBucket;
  /**
   * The KMS key the log objects are encrypted with, when it is a customer key.
   * @default - log objects use S3-managed keys; no key permission is granted
   */
  readonly logBucketKey?: kms.IKey;
  /**
   * The investigation workgroup's query results bucket: read and written by analyst and admin.
   * @default - no investigation in this account (see logBucket)
   */
  readonly resultsBucket?: s3.IBucket;
  /**
   * The customer key the query results are encrypted with.
   * @default - results use S3-managed keys; no key permission is granted
   */
  readonly resultsKey?: kms.IKey;
  /** The role CloudFormation runs containment stacks with: the only role the deploy role may pass. */
  readonly containmentExecutionRole: iam.IRole;
  /** @default 'IRWorkshopWorkgroup' */
  readonly workgroupName?: string;
  /** @default 'irworkshopgluedatabase' */
  readonly databaseName?: string;
  /** @default 'SecurityAnalystRole' */
  readonly analystRoleName?: string;
  /** @default 'SecurityAdminRole' */
  readonly adminRoleName?: string;
  /** @default 'SecurityDeployRole' */
  readonly deployRoleName?: string;
  /** @default 'SecurityBreakGlassRole' */
  readonly breakGlassRoleName?: string;
  /**
   * Longest break-glass session; elevation is meant to be short.
   * @default Duration.hours(1)
   */
  readonly breakGlassMaxSessionDuration?: Duration;
  /**
   * The account of the evidence store this account's evidence goes to, when it is another one:
   * a member account of an organization, whose break-glass role copies its object versions into
   * the security account's store. The break-glass role may then write to that account's S3 only
   * under `incidents/ID/accounts/THIS-ACCOUNT/` (as the store's bucket policy holds it too).
   * @default - the account's own store: no such restriction
   */
  readonly evidenceAccount?: string;
}

/**
 * IAM write actions by verb, from the service's action list: the analyst must never change
 * IAM, whatever other policy (ReadOnlyAccess today, something broader tomorrow) says. The
 * IAM semantics tests check this list against every IAM write action the service defines.
 */
export const IAM_WRITE_ACTIONS = [
  'Accept',
  'Add',
  'Associate',
  'Attach',
  'Change',
  'Create',
  'Deactivate',
  'Delete',
  'Detach',
  'Disable',
  'Enable',
  'Put',
  'Reject',
  'Remove',
  'Reset',
  'Resync',
  'Send',
  'Set',
  'Tag',
  'Untag',
  'Update',
  'Upload',
]
  .map((verb) => `iam:${verb}*`)
  .concat('iam:PassRole');

/** Running and reading queries in a workgroup (and the named queries saved in it). */
const ATHENA_QUERY_ACTIONS = [
  'athena:StartQueryExecution',
  'athena:StopQueryExecution',
  'athena:GetQueryExecution',
  'athena:GetQueryResults',
  'athena:GetQueryResultsStream',
  'athena:GetQueryRuntimeStatistics',
  'athena:BatchGetQueryExecution',
  'athena:ListQueryExecutions',
  'athena:GetWorkGroup',
  'athena:GetNamedQuery',
  'athena:BatchGetNamedQuery',
  'athena:ListNamedQueries',
  'athena:GetPreparedStatement',
  'athena:ListPreparedStatements',
];

/** Administering the workgroup itself and the queries saved in it. */
const ATHENA_ADMIN_ACTIONS = [
  ...ATHENA_QUERY_ACTIONS,
  'athena:UpdateWorkGroup',
  'athena:CreateNamedQuery',
  'athena:UpdateNamedQuery',
  'athena:DeleteNamedQuery',
  'athena:CreatePreparedStatement',
  'athena:UpdatePreparedStatement',
  'athena:DeletePreparedStatement',
  'athena:ListTagsForResource',
  'athena:TagResource',
  'athena:UntagResource',
];

const GLUE_READ_ACTIONS = [
  'glue:GetDatabase',
  'glue:GetDatabases',
  'glue:GetTable',
  'glue:GetTables',
  'glue:GetTableVersion',
  'glue:GetTableVersions',
  'glue:GetPartition',
  'glue:GetPartitions',
  'glue:BatchGetPartition',
];

const GLUE_ADMIN_ACTIONS = [
  ...GLUE_READ_ACTIONS,
  'glue:UpdateDatabase',
  'glue:CreateTable',
  'glue:UpdateTable',
  'glue:DeleteTable',
  'glue:BatchDeleteTable',
  'glue:DeleteTableVersion',
  'glue:BatchDeleteTableVersion',
  'glue:CreatePartition',
  'glue:BatchCreatePartition',
  'glue:UpdatePartition',
  'glue:DeletePartition',
  'glue:BatchDeletePartition',
];

/** What a stack deploy, update, delete and watch needs, on `irkit-contain-*` stacks only. */
const CONTAINMENT_STACK_ACTIONS = [
  'cloudformation:CreateStack',
  'cloudformation:UpdateStack',
  'cloudformation:DeleteStack',
  'cloudformation:DescribeStacks',
  'cloudformation:DescribeStackEvents',
  'cloudformation:DescribeStackResources',
  'cloudformation:GetTemplate',
  // Unblocks UPDATE_ROLLBACK_FAILED; the rollback runs with the stack's execution role.
  'cloudformation:ContinueUpdateRollback',
];

/**
 * The reads of `irkit investigate --related-findings` (Part 3 Q1): GuardDuty's detectors and
 * findings, AWS Health's events and their affected entities. Granted explicitly, so the analyst
 * keeps them should ReadOnlyAccess be swapped for a narrower policy. None of these actions has
 * a resource type (IAM's Service Authorization Reference): they take `*` only.
 */
export const RELATED_FINDINGS_READS = [
  'guardduty:ListDetectors',
  'guardduty:ListFindings',
  'guardduty:GetFindings',
  'health:DescribeEvents',
  'health:DescribeAffectedEntities',
];

/**
 * The playbook's four IR roles. Each trusts only the configured principals; the break-glass
 * role also requires MFA and keeps sessions short.
 */
export class ResponderRoles extends Construct {
  /** Athena queries on the kit's workgroup, read-only everywhere else, never IAM writes. */
  public readonly analystRole: iam.Role;
  /** Administers the kit's Athena workgroup and named queries and its Glue database and tables. */
  public readonly adminRole: iam.Role;
  /** Deploys, updates and deletes `irkit-contain-*` stacks with the containment execution role. */
  public readonly deployRole: iam.Role;
  /**
   * Administrator, MFA required, one-hour sessions. The only IR role that may change the other
   * IR roles: when the actor assumed one, a responder here puts the inline
   * `IrKitRevokeOlderSessions-<incident>` policy on it (AdministratorAccess covers
   * iam:PutRolePolicy, GetRolePolicy and DeleteRolePolicy; IAM has no condition key on the
   * inline policy's name or content, so "revoke only, never deny-all" is the procedure's rule,
   * not IAM's).
   */
  public readonly breakGlassRole: iam.Role;
  /** The analyst's custom policy (the playbook's "custom IAM Policy" for Athena queries). */
  public readonly analystPolicy: iam.ManagedPolicy;
  public readonly adminPolicy: iam.ManagedPolicy;
  public readonly deployPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ResponderRolesProps) {
    super(scope, id);
    if (props.trustedPrincipals.length === 0) {
      throw new IrKitError('IRKIT_CONFIG', 'no trusted principals given for the IR roles', {
        hint: 'name at least one IAM role or user ARN allowed to assume the IR roles (trustedPrincipals), e.g. arn:aws:iam::777777777777:role/IncidentResponder',
      });
    }
    const breakGlassPrincipals = props.breakGlassPrincipals ?? props.trustedPrincipals;
    if (breakGlassPrincipals.length === 0) {
      throw new IrKitError('IRKIT_CONFIG', 'no principals given for the break-glass role', {
        hint: 'name at least one IAM role or user ARN (breakGlassPrincipals), or leave it out to use trustedPrincipals',
      });
    }
    if ((props.logBucket === undefined) !== (props.resultsBucket === undefined)) {
      throw new IrKitError(
        'IRKIT_CONFIG',
        'the IR roles need both the log bucket and the results bucket, or neither',
        {
          hint: 'give logBucket and resultsBucket in the account that runs the investigation; leave both out in a member account',
        },
      );
    }
    const investigation =
      props.logBucket && props.resultsBucket
        ? { logBucket: props.logBucket, resultsBucket: props.resultsBucket }
        : undefined;
    const sessionSeconds = (props.breakGlassMaxSessionDuration ?? Duration.hours(1)).toSeconds();
    if (sessionSeconds < 3600 || sessionSeconds > 4 * 3600) {
      throw new IrKitError('IRKIT_CONFIG', `break-glass session of ${sessionSeconds} s is out of range`, {
        hint: 'keep break-glass sessions between 1 hour (the IAM minimum) and 4 hours',
      });
    }

    const stack = Stack.of(this);
    const workgroupArn = stack.formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: props.workgroupName ?? DEFAULT_NAMES.workgroupName,
    });
    const databaseName = props.databaseName ?? DEFAULT_NAMES.databaseName;
    const glueResources = [
      stack.formatArn({ service: 'glue', resource: 'catalog' }),
      stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName }),
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${databaseName}/*` }),
    ];
    const trusted = new iam.CompositePrincipal(...props.trustedPrincipals);
    const name = (what: string, value: string | undefined, fallback: string): string =>
      checkedName(what, value ?? fallback, ROLE_NAME_RULE);
    const names = {
      analyst: name('analyst role name', props.analystRoleName, DEFAULT_NAMES.analystRoleName),
      admin: name('admin role name', props.adminRoleName, DEFAULT_NAMES.adminRoleName),
      deploy: name('deploy role name', props.deployRoleName, DEFAULT_NAMES.deployRoleName),
      breakGlass: name('break-glass role name', props.breakGlassRoleName, DEFAULT_NAMES.breakGlassRoleName),
    };
    // By name, not by the roles' ARN attributes: the deploy policy is attached to one of them.
    const irRoleArns = Object.values(names).map((roleName) =>
      stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: roleName }),
    );

    // Analyst: the playbook's ReadOnlyAccess plus a custom policy for the investigation.
    this.analystPolicy = new iam.ManagedPolicy(this, 'AnalystPolicy', {
      description: 'IR Kit analyst: Athena queries on the kit workgroup, its Glue tables, logs and results.',
      statements: [
        ...(investigation
          ? [
              new iam.PolicyStatement({
                sid: 'QueryKitWorkgroup',
                actions: ATHENA_QUERY_ACTIONS,
                resources: [workgroupArn],
              }),
              new iam.PolicyStatement({
                sid: 'ReadKitTables',
                actions: GLUE_READ_ACTIONS,
                resources: glueResources,
              }),
              ...readLogs(investigation.logBucket, props.logBucketKey),
              ...readWriteResults(investigation.resultsBucket, props.resultsKey),
            ]
          : []),
        new iam.PolicyStatement({
          sid: 'ReadRelatedFindings',
          actions: RELATED_FINDINGS_READS,
          resources: ['*'],
        }),
        denyIamWrites(),
      ],
    });
    const readOnlyAccess = iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess');
    this.analystRole = new iam.Role(this, 'Analyst', {
      roleName: names.analyst,
      description: 'IR Kit: investigation (Athena on the kit workgroup, read-only elsewhere, no IAM writes).',
      assumedBy: trusted,
      managedPolicies: [readOnlyAccess, this.analystPolicy],
    });
    acknowledgeManagedPolicy(
      this.analystRole,
      readOnlyAccess,
      'The playbook gives SecurityAnalystRole ReadOnlyAccess to analyse every service the key touched; AWS keeps it current as services are added, and the custom policy denies IAM writes on top.',
    );

    this.adminPolicy = new iam.ManagedPolicy(this, 'AdminPolicy', {
      description:
        'IR Kit admin: administers the kit Athena workgroup, named queries, Glue database and tables.',
      statements: [
        ...(investigation
          ? [
              new iam.PolicyStatement({
                sid: 'AdministerKitWorkgroup',
                actions: ATHENA_ADMIN_ACTIONS,
                resources: [workgroupArn],
              }),
              new iam.PolicyStatement({
                // These list calls have no resource-level permissions; the console needs them.
                sid: 'ListAthenaWorkgroupsAndCatalogs',
                actions: ['athena:ListWorkGroups', 'athena:ListDataCatalogs', 'athena:ListEngineVersions'],
                resources: ['*'],
              }),
              new iam.PolicyStatement({
                sid: 'AdministerKitTables',
                actions: GLUE_ADMIN_ACTIONS,
                resources: glueResources,
              }),
              ...readLogs(investigation.logBucket, props.logBucketKey),
              ...readWriteResults(investigation.resultsBucket, props.resultsKey),
            ]
          : []),
        denyIamWrites(),
      ],
    });
    this.adminRole = new iam.Role(this, 'Admin', {
      roleName: names.admin,
      description: 'IR Kit: administers the kit Athena workgroup, named queries and Glue tables.',
      assumedBy: trusted,
      managedPolicies: [this.adminPolicy],
    });

    const containmentStacks = stack.formatArn({
      service: 'cloudformation',
      region: '*',
      resource: 'stack',
      resourceName: `${CONTAINMENT_STACK_PREFIX}*/*`,
    });
    this.deployPolicy = new iam.ManagedPolicy(this, 'DeployPolicy', {
      description: 'IR Kit deploy: irkit-contain-* stacks only, run with the containment execution role.',
      statements: [
        new iam.PolicyStatement({
          sid: 'ManageContainmentStacks',
          actions: CONTAINMENT_STACK_ACTIONS,
          resources: [containmentStacks],
        }),
        new iam.PolicyStatement({
          // ListStacks has no resource-level permissions; `irkit status` filters by prefix.
          sid: 'ListStacks',
          actions: ['cloudformation:ListStacks'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          // Instance containment: the preflight reads the instance (state, VPC, tags) and
          // verification its interfaces' groups, profile and protection. EC2's Describe calls
          // take no resource-level permissions.
          sid: 'VerifyInstanceContainment',
          actions: [
            'ec2:DescribeInstances',
            'ec2:DescribeInstanceAttribute',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeIamInstanceProfileAssociations',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          // `irkit contain` reads the execution role ARN from this stack's outputs.
          sid: 'ReadKitOutputs',
          actions: ['cloudformation:DescribeStacks'],
          resources: [stack.stackId],
        }),
        new iam.PolicyStatement({
          sid: 'PassOnlyContainmentExecutionRole',
          actions: ['iam:PassRole'],
          resources: [props.containmentExecutionRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
        }),
        new iam.PolicyStatement({
          // Containment is verified by reading what it changed, and protected principals are
          // recognised by their tags before anything is deployed.
          sid: 'VerifyContainment',
          actions: [
            'iam:GetUser',
            'iam:GetRole',
            'iam:ListAttachedUserPolicies',
            'iam:ListAccessKeys',
            'iam:GetRolePolicy',
            'iam:GetUserPolicy',
            'iam:ListUserTags',
            'iam:ListRoleTags',
            's3:GetBucketPolicy',
            's3:GetBucketTagging',
          ],
          resources: [
            stack.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' }),
            stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' }),
            stack.formatArn({ service: 's3', region: '', account: '', resource: '*' }),
          ],
        }),
        new iam.PolicyStatement({
          // The IR roles stay as deployed: containment never targets them, and whoever holds
          // this role (an actor who assumed it included) cannot loosen or revoke them, whatever
          // else is attached to it later.
          sid: 'NeverChangeIrRoles',
          effect: iam.Effect.DENY,
          actions: IAM_WRITE_ACTIONS,
          resources: irRoleArns,
        }),
      ],
    });
    this.deployRole = new iam.Role(this, 'Deploy', {
      roleName: names.deploy,
      description: 'IR Kit: deploys and deletes irkit-contain-* stacks only.',
      assumedBy: trusted,
      managedPolicies: [this.deployPolicy],
    });

    const administratorAccess = iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess');
    this.breakGlassRole = new iam.Role(this, 'BreakGlass', {
      roleName: names.breakGlass,
      description: 'IR Kit: account administrator for approved elevation; MFA required, 1-hour sessions.',
      assumedBy: new iam.PrincipalWithConditions(new iam.CompositePrincipal(...breakGlassPrincipals), {
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      }),
      maxSessionDuration: Duration.seconds(sessionSeconds),
      managedPolicies: [administratorAccess],
    });
    if (props.evidenceAccount !== undefined) this.holdEvidenceWritesToOwnFolder(props.evidenceAccount, stack);
    acknowledgeManagedPolicy(
      this.breakGlassRole,
      administratorAccess,
      'The playbook defines SecurityBreakGlassRole as the account administrator for approved containment and eradication; assuming it requires MFA, lasts at most an hour and raises an alert.',
    );

    this.acknowledgeScopedWildcards(glueResources[2], investigation, containmentStacks, stack);
  }

  /**
   * A member's break-glass role writes into the security account's S3 only its own account's
   * folder of an incident: the same keys the evidence bucket's policy admits, from this side too,
   * so that neither policy alone is what keeps it there.
   */
  private holdEvidenceWritesToOwnFolder(evidenceAccount: string, stack: Stack): void {
    if (!Token.isUnresolved(evidenceAccount) && !PATTERNS.accountId.test(evidenceAccount)) {
      throw new IrKitError('IRKIT_CONFIG', `invalid evidence account: ${JSON.stringify(evidenceAccount)}`, {
        hint: 'give the 12-digit id of the security account that holds the evidence store (env.account)',
      });
    }
    const objects = memberEvidenceObjects(
      stack.formatArn({ service: 's3', region: '', account: '', resource: '*' }),
    );
    const inEvidenceAccount = { StringEquals: { 'aws:ResourceAccount': evidenceAccount } };
    this.breakGlassRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceWritesOnlyInThisAccountsFolder',
        effect: iam.Effect.DENY,
        actions: [...EVIDENCE_WRITE_ACTIONS],
        notResources: [objects.own],
        conditions: inEvidenceAccount,
      }),
    );
    this.breakGlassRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceWritesNoFolderNestedElsewhere',
        effect: iam.Effect.DENY,
        actions: [...EVIDENCE_WRITE_ACTIONS],
        resources: [objects.nested],
        conditions: inEvidenceAccount,
      }),
    );
  }

  /** Each wildcard left in the custom policies is scoped to the kit's own resources; say why. */
  private acknowledgeScopedWildcards(
    kitTables: string,
    investigation: { readonly logBucket: s3.IBucket; readonly resultsBucket: s3.IBucket } | undefined,
    containmentStacks: string,
    stack: Stack,
  ): void {
    if (investigation) {
      for (const policy of [this.analystPolicy, this.adminPolicy]) {
        acknowledgeWildcardResource(
          policy,
          kitTables,
          "Tables of the kit's own Glue database only: Athena needs every table the investigation queries join.",
        );
        acknowledgeWildcardResource(
          policy,
          investigation.logBucket.arnForObjects('*'),
          'Log objects are keyed by account, Region and date; queries read any of them, and the bucket holds logs only.',
        );
        acknowledgeWildcardResource(
          policy,
          investigation.resultsBucket.arnForObjects('*'),
          "Athena writes each query's results under a new key in the kit's dedicated results bucket.",
        );
      }
      acknowledgeWildcardResource(
        this.adminPolicy,
        '*',
        'athena:ListWorkGroups, ListDataCatalogs and ListEngineVersions support no resource-level permissions; they only list names.',
      );
    }
    acknowledgeWildcardResource(
      this.analystPolicy,
      '*',
      'GuardDuty ListDetectors/ListFindings/GetFindings and Health DescribeEvents/DescribeAffectedEntities have no resource type; read-only, for question 1 of the playbook.',
    );
    acknowledgeWildcardResource(
      this.deployPolicy,
      containmentStacks,
      'Containment stacks are created per incident and target, so their names are known only by the irkit-contain- prefix.',
    );
    acknowledgeWildcardResource(
      this.deployPolicy,
      '*',
      'cloudformation:ListStacks and the EC2 Describe reads support no resource-level permissions; irkit status lists stacks and keeps the irkit-contain- ones, and instance containment only reads instances.',
    );
    for (const resource of ['user', 'role']) {
      acknowledgeWildcardResource(
        this.deployPolicy,
        stack.formatArn({ service: 'iam', region: '', resource, resourceName: '*' }),
        `Read-only checks on any IAM ${resource} containment may target: verification and the protected-tag check before deploying.`,
      );
    }
    acknowledgeWildcardResource(
      this.deployPolicy,
      stack.formatArn({ service: 's3', region: '', account: '', resource: '*' }),
      's3:GetBucketPolicy only, on any bucket containment may target, to verify the containment statement is in place.',
    );
  }

  /** The four roles, for protection lists. */
  public get all(): iam.Role[] {
    return [this.analystRole, this.adminRole, this.deployRole, this.breakGlassRole];
  }
}

function readLogs(logBucket: s3.IBucket, logBucketKey?: kms.IKey): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'ListLogBucket',
      actions: ['s3:ListBucket', 's3:GetBucketLocation'],
      resources: [logBucket.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'ReadLogObjects',
      actions: ['s3:GetObject'],
      resources: [logBucket.arnForObjects('*')],
    }),
  ];
  if (logBucketKey) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'DecryptLogObjects',
        actions: ['kms:Decrypt'],
        resources: [logBucketKey.keyArn],
      }),
    );
  }
  return statements;
}

function readWriteResults(resultsBucket: s3.IBucket, resultsKey?: kms.IKey): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'ListResultsBucket',
      actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      resources: [resultsBucket.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'ReadWriteResults',
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: [resultsBucket.arnForObjects('*')],
    }),
  ];
  if (resultsKey) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'EncryptDecryptResults',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [resultsKey.keyArn],
      }),
    );
  }
  return statements;
}

function denyIamWrites(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'NeverWriteIam',
    effect: iam.Effect.DENY,
    actions: IAM_WRITE_ACTIONS,
    resources: ['*'],
  });
}
