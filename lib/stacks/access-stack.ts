import { Annotations, CfnOutput, Resource, Stack, StackProps, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { IrKitConfig, isAccountRootPrincipal } from '../config';
import { ContainmentHandler } from '../constructs/containment/containment-handler';
import { ContainmentExecutionRole } from '../constructs/containment-execution-role';
import { ContainmentPolicy } from '../constructs/containment-policy';
import { ResponderRoles } from '../constructs/responder-roles';
import { IrKitError } from '../errors';
import { DEFAULT_NAMES } from '../names';
import { protectionRule } from '../protection';
import { PATTERNS } from '../validation';

export interface AccessStackProps extends StackProps {
  /**
   * IAM role or user ARNs allowed to assume the IR roles. An account id or `:root` ARN is
   * refused unless allowAccountRootTrust is true.
   */
  readonly trustedPrincipals: readonly string[];
  /**
   * IAM role or user ARNs allowed to assume the break-glass role (with MFA).
   * @default - the trustedPrincipals
   */
  readonly breakGlassPrincipals?: readonly string[];
  /**
   * Accept an account id or `:root` ARN among the principals: the whole account is trusted,
   * so any IAM principal of it allowed sts:AssumeRole can assume the IR roles. Synth warns.
   * @default false
   */
  readonly allowAccountRootTrust?: boolean;
  /**
   * IAM user or role names, or ARNs, that containment must never change.
   * @default - none beyond the IR roles and principals tagged irkit:protected=true
   */
  readonly protectedPrincipals?: readonly string[];
  /**
   * Reserved concurrency of the containment handler (0: none reserved).
   * @default 1 - one containment change at a time, so two stacks cannot both act on one target
   */
  readonly containmentHandlerConcurrency?: number;

  /**
   * The log bucket the tables read.
   * @default - no investigation in this account: a member account of an organization, whose
   *   baseline (the IrKitOrganization stack's StackSet) this stack is; the analytics live in the
   *   security account
   */
  readonly logBucket?: s3.IBucket;
  /** @default - log objects use S3-managed keys */
  readonly logBucketKey?: kms.IKey;
  /**
   * The investigation workgroup's results bucket.
   * @default - no investigation in this account (see logBucket)
   */
  readonly resultsBucket?: s3.IBucket;
  /** @default - results use S3-managed keys */
  readonly resultsKey?: kms.IKey;
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
  /** @default 'IrKitContainmentExecutionRole' */
  readonly containmentExecutionRoleName?: string;
  /** @default 'iam-containment-policy' */
  readonly containmentPolicyName?: string;
  /**
   * The security account holding the evidence store, in a member account's baseline: the
   * break-glass role writes there only its own account's folder of an incident.
   * @default - the evidence store is this account's own
   */
  readonly evidenceAccount?: string;
}

export const ACCESS_STACK_NAME = 'IrKitAccess';

/** Output keys the orchestrator reads back; stable API. */
export const ACCESS_OUTPUTS = {
  analystRoleArn: 'AnalystRoleArn',
  adminRoleArn: 'AdminRoleArn',
  deployRoleArn: 'DeployRoleArn',
  breakGlassRoleArn: 'BreakGlassRoleArn',
  containmentExecutionRoleArn: 'ContainmentExecutionRoleArn',
  containmentPolicyArn: 'ContainmentPolicyArn',
  containmentHandlerArn: 'ContainmentHandlerArn',
} as const;

/** The access stack's settings from the kit config (the resources come from the other stacks). */
export function accessSettings(
  config: IrKitConfig,
): Omit<AccessStackProps, 'logBucket' | 'logBucketKey' | 'resultsBucket' | 'resultsKey'> {
  return {
    trustedPrincipals: config.trustedPrincipals,
    breakGlassPrincipals: config.breakGlassPrincipals,
    allowAccountRootTrust: config.allowAccountRootTrust,
    protectedPrincipals: config.protectedPrincipals,
    workgroupName: config.workgroupName,
    databaseName: config.databaseName,
    analystRoleName: config.analystRoleName,
    adminRoleName: config.adminRoleName,
    deployRoleName: config.deployRoleName,
    breakGlassRoleName: config.breakGlassRoleName,
    containmentExecutionRoleName: config.containmentExecutionRoleName,
    containmentPolicyName: config.containmentPolicyName,
    containmentHandlerConcurrency: config.containmentHandlerConcurrency,
  };
}

const { accountId: ACCOUNT_ID, iamPrincipalArn: PRINCIPAL_ARN, iamName: IAM_NAME } = PATTERNS;

/** The warning id synth reports when the IR roles trust a whole account. */
export const ACCOUNT_ROOT_TRUST_WARNING = '@irkit/access:accountRootTrust';

/** An account id becomes the account's root principal, an ARN the user or role it names. */
export function principalFrom(value: string): iam.IPrincipal {
  if (ACCOUNT_ID.test(value)) {
    return new iam.AccountPrincipal(value);
  }
  if (PRINCIPAL_ARN.test(value)) {
    return new iam.ArnPrincipal(value);
  }
  throw new IrKitError('IRKIT_CONFIG', `invalid trusted principal: ${JSON.stringify(value)}`, {
    hint: 'give an IAM role or user ARN (arn:aws:iam::777777777777:role/IncidentResponder); a 12-digit account id only with allowAccountRootTrust',
  });
}

/**
 * `IrKitAccess`: the four IR roles, the containment managed policy and the role CloudFormation
 * runs containment stacks with. Outputs carry the ARNs the orchestrator and README need.
 */
export class AccessStack extends Stack {
  public readonly roles: ResponderRoles;
  public readonly containmentPolicy: ContainmentPolicy;
  public readonly executionRole: ContainmentExecutionRole;
  /** The Lambda function answering the containment stacks' custom resources. */
  public readonly containmentHandler: ContainmentHandler;

  constructor(scope: Construct, id: string, props: AccessStackProps) {
    super(scope, id, props);
    this.checkTrust(props);
    this.containmentPolicy = new ContainmentPolicy(this, 'ContainmentPolicy', {
      managedPolicyName: props.containmentPolicyName,
    });
    this.executionRole = new ContainmentExecutionRole(this, 'ContainmentExecutionRole', {
      roleName: props.containmentExecutionRoleName,
    });
    // Validates every protected principal the config names (an unusable one is a config error).
    (props.protectedPrincipals ?? []).forEach((p) => this.protectedArns(p));
    const logBucket = props.logBucket && this.local(props.logBucket, 'LogBucket');
    const resultsBucket = props.resultsBucket && this.local(props.resultsBucket, 'ResultsBucket');
    this.roles = new ResponderRoles(this, 'Roles', {
      trustedPrincipals: props.trustedPrincipals.map(principalFrom),
      breakGlassPrincipals: props.breakGlassPrincipals?.map(principalFrom),
      logBucket,
      logBucketKey: props.logBucketKey && this.localKey(props.logBucketKey, 'LogBucketKey'),
      resultsBucket,
      resultsKey: props.resultsKey && this.localKey(props.resultsKey, 'ResultsKey'),
      containmentExecutionRole: this.executionRole.role,
      workgroupName: props.workgroupName,
      databaseName: props.databaseName,
      analystRoleName: props.analystRoleName,
      adminRoleName: props.adminRoleName,
      deployRoleName: props.deployRoleName,
      breakGlassRoleName: props.breakGlassRoleName,
      evidenceAccount: props.evidenceAccount,
    });
    this.containmentHandler = new ContainmentHandler(this, 'ContainmentHandler', {
      containmentPolicy: this.containmentPolicy.policy,
      protection: protectionRule({
        ...DEFAULT_NAMES,
        ...definedOnly({
          analystRoleName: props.analystRoleName,
          adminRoleName: props.adminRoleName,
          deployRoleName: props.deployRoleName,
          breakGlassRoleName: props.breakGlassRoleName,
          containmentExecutionRoleName: props.containmentExecutionRoleName,
        }),
        protectedPrincipals: props.protectedPrincipals ?? [],
        trustedPrincipals: props.trustedPrincipals,
        breakGlassPrincipals: props.breakGlassPrincipals,
      }),
      protectedRoles: [...this.roles.all, this.executionRole.role],
      protectedBuckets: [logBucket, resultsBucket].filter((b): b is s3.IBucket => b !== undefined),
      breakGlassRole: this.roles.breakGlassRole,
      reservedConcurrentExecutions:
        props.containmentHandlerConcurrency === 0 ? null : (props.containmentHandlerConcurrency ?? 1),
    });

    const output = (key: string, value: string, description: string): CfnOutput =>
      new CfnOutput(this, key, { value, description });
    output(ACCESS_OUTPUTS.analystRoleArn, this.roles.analystRole.roleArn, 'Investigation role');
    output(ACCESS_OUTPUTS.adminRoleArn, this.roles.adminRole.roleArn, 'Athena and Glue administration role');
    output(ACCESS_OUTPUTS.deployRoleArn, this.roles.deployRole.roleArn, 'Deploys irkit-contain-* stacks');
    output(
      ACCESS_OUTPUTS.breakGlassRoleArn,
      this.roles.breakGlassRole.roleArn,
      'Administrator, MFA required',
    );
    output(
      ACCESS_OUTPUTS.containmentExecutionRoleArn,
      this.executionRole.role.roleArn,
      'RoleARN for irkit-contain-* stacks',
    );
    output(
      ACCESS_OUTPUTS.containmentPolicyArn,
      this.containmentPolicy.policy.managedPolicyArn,
      'Deny-all policy attached to contained users',
    );
    output(
      ACCESS_OUTPUTS.containmentHandlerArn,
      this.containmentHandler.function.functionArn,
      'Answers the custom resources of the irkit-contain-* stacks',
    );
  }

  /**
   * A whole account is trusted only on the explicit opt-in, and then synth says so: an
   * exposed key of any administrator of that account could assume the IR roles.
   */
  private checkTrust(props: AccessStackProps): void {
    const accounts = [...props.trustedPrincipals, ...(props.breakGlassPrincipals ?? [])].filter(
      isAccountRootPrincipal,
    );
    if (accounts.length === 0) {
      return;
    }
    if (!props.allowAccountRootTrust) {
      throw new IrKitError(
        'IRKIT_CONFIG',
        `trusted principal ${JSON.stringify(accounts[0])} is a whole account: any IAM user or role in it that may call sts:AssumeRole could assume the IR roles`,
        {
          hint: "name your responders' IAM role or user ARN (arn:aws:iam::777777777777:role/IncidentResponder), or set allowAccountRootTrust to accept the risk",
        },
      );
    }
    const trusting = props.trustedPrincipals.filter(isAccountRootPrincipal);
    const breakGlass = (props.breakGlassPrincipals ?? props.trustedPrincipals).filter(isAccountRootPrincipal);
    const exposed = [
      ...(trusting.length > 0
        ? [
            props.analystRoleName ?? DEFAULT_NAMES.analystRoleName,
            props.adminRoleName ?? DEFAULT_NAMES.adminRoleName,
            props.deployRoleName ?? DEFAULT_NAMES.deployRoleName,
          ]
        : []),
      ...(breakGlass.length > 0
        ? [
            `${props.breakGlassRoleName ?? DEFAULT_NAMES.breakGlassRoleName} (after enrolling an MFA device of its own)`,
          ]
        : []),
    ];
    Annotations.of(this).addWarningV2(
      ACCOUNT_ROOT_TRUST_WARNING,
      `allowAccountRootTrust: the IR roles trust the whole account (${[...new Set(accounts)].join(', ')}). Any IAM user or role there allowed sts:AssumeRole, an exposed administrator key included, can assume ${exposed.join(', ')}. Trust your responders' IAM role ARNs instead and remove allowAccountRootTrust.`,
    );
  }

  /**
   * A bucket of another stack, re-imported through an explicitly named export. The roles'
   * policies then name it by that export, which is stable and lets each wildcard finding be
   * acknowledged exactly; an automatic cross-stack reference would carry a generated name.
   */
  private local(bucket: s3.IBucket, id: string): s3.IBucket {
    const producer = Stack.of(bucket);
    if (producer === this) {
      return bucket;
    }
    // A bucket the other stack only imports by name needs no export: import it the same way,
    // so that renaming it in config never meets an export still in use.
    if (!Resource.isOwnedResource(bucket) && this.namesOnlyPseudoParameters(producer, bucket.bucketName)) {
      return s3.Bucket.fromBucketName(this, id, bucket.bucketName);
    }
    return s3.Bucket.fromBucketArn(this, id, this.imported(producer, bucket.bucketArn, id));
  }

  /** A key of another stack, imported the same way. */
  private localKey(key: kms.IKey, id: string): kms.IKey {
    const producer = Stack.of(key);
    return producer === this ? key : kms.Key.fromKeyArn(this, id, this.imported(producer, key.keyArn, id));
  }

  /** True when a value is a literal, or built only of AWS::AccountId-like pseudo parameters. */
  private namesOnlyPseudoParameters(producer: Stack, value: string): boolean {
    if (!Token.isUnresolved(value)) {
      return true;
    }
    const resolved = JSON.stringify(producer.resolve(value));
    return !/"Fn::(GetAtt|ImportValue)"|"Ref":"(?!AWS::)/.test(resolved);
  }

  private imported(producer: Stack, arn: string, id: string): string {
    return producer.exportValue(arn, { name: `${producer.stackName}-${id}Arn` });
  }

  /** A name may be a user's or a role's, so it protects both; an ARN protects what it names. */
  private protectedArns(value: string): string[] {
    if (PRINCIPAL_ARN.test(value)) {
      return [value];
    }
    // A name with its path (contractors/alice) names the principal at that path.
    const name = value.replace(/^\//, '');
    if (name.split('/').every((part) => IAM_NAME.test(part))) {
      return ['user', 'role'].map((resource) =>
        this.formatArn({ service: 'iam', region: '', resource, resourceName: name }),
      );
    }
    throw new IrKitError('IRKIT_CONFIG', `invalid protected principal: ${JSON.stringify(value)}`, {
      hint: 'give an IAM user or role name (ci-deployer), a name with its path (contractors/alice) or an ARN (arn:aws:iam::777777777777:role/OrgAdmin)',
    });
  }
}

function definedOnly<T extends Record<string, string | undefined>>(
  values: T,
): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<
    Record<keyof T, string>
  >;
}
