import { sdk } from '../aws-sdk';
import { IrKitError } from '../../lib/errors';
import { DEFAULT_NAMES } from '../../lib/names';
import { PATTERNS } from '../../lib/validation';
import { awsErrorMessage, awsFailure, ContainClients, isAwsError } from './aws';

/** The access stack (lib/stacks/access-stack.ts) and the outputs containment reads from it. */
export const ACCESS_STACK_NAME = 'IrKitAccess';
export const ACCESS_OUTPUT_KEYS = {
  analystRoleArn: 'AnalystRoleArn',
  adminRoleArn: 'AdminRoleArn',
  deployRoleArn: 'DeployRoleArn',
  breakGlassRoleArn: 'BreakGlassRoleArn',
  containmentExecutionRoleArn: 'ContainmentExecutionRoleArn',
  containmentPolicyArn: 'ContainmentPolicyArn',
} as const;

export interface Caller {
  readonly arn: string;
  readonly account: string;
  readonly partition: string;
  /** The IAM principal behind the credentials: a user, or the role of an assumed-role session. */
  readonly principal?: { readonly kind: 'user' | 'role'; readonly name: string };
}

export interface ContainEnvironment {
  readonly caller: Caller;
  readonly region: string;
  /** RoleARN for the stacks; undefined only for read-only uses (status, dry run without one). */
  readonly executionRoleArn?: string;
  readonly breakGlassRoleArn?: string;
  readonly containmentPolicyArn: string;
  /** ARNs the access stack reports for the IR roles. */
  readonly irRoleArns: readonly string[];
  /** Whether the access stack was found (the containment handler is deployed with it). */
  readonly accessStackFound: boolean;
  /** Set for a dry run that could not read the account: why, and the ARNs are built from names. */
  readonly offline?: string;
}

export interface EnvironmentOptions {
  readonly executionRoleArn?: string;
  readonly breakGlassRoleArn?: string;
  /** @default the IrKitAccess output, else the account's iam-containment-policy */
  readonly containmentPolicyArn?: string;
  /** @default 'IrKitAccess' */
  readonly accessStackName?: string;
}

const ROLE_ARN = PATTERNS.iamRoleArn;

export function roleArn(what: string, value: string): string {
  if (!ROLE_ARN.test(value)) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `invalid ${what}: ${JSON.stringify(value)}`, {
      hint: 'give an IAM role ARN, e.g. arn:aws:iam::777777777777:role/SecurityBreakGlassRole',
    });
  }
  return value;
}

/** The role or user name an IAM ARN names (the last path segment). */
export function nameOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** Who the credentials are: STS GetCallerIdentity, read as a user or a role. */
export async function whoAmI(clients: Pick<ContainClients, 'sts'>): Promise<Caller> {
  let out;
  try {
    out = await clients.sts.send(new (sdk.sts().GetCallerIdentityCommand)({}));
  } catch (error) {
    throw awsFailure('reading the caller identity (sts GetCallerIdentity)', error);
  }
  const arn = out.Arn ?? '';
  const parts = arn.split(':');
  const resource = parts.slice(5).join(':');
  let principal: Caller['principal'];
  if (resource.startsWith('user/')) principal = { kind: 'user', name: nameOfArn(resource) };
  if (resource.startsWith('assumed-role/')) principal = { kind: 'role', name: resource.split('/')[1] };
  return { arn, account: out.Account ?? parts[4] ?? '', partition: parts[1] ?? 'aws', principal };
}

/**
 * Resolves what containment needs from the account: the caller, and the access stack's
 * outputs (execution role, break-glass role, containment policy), options taking precedence.
 */
export async function resolveEnvironment(
  clients: ContainClients,
  options: EnvironmentOptions = {},
): Promise<ContainEnvironment> {
  if (options.executionRoleArn) roleArn('--execution-role-arn', options.executionRoleArn);
  if (options.breakGlassRoleArn) roleArn('--break-glass-role-arn', options.breakGlassRoleArn);
  const caller = await whoAmI(clients);
  const region = await clients.cloudFormation.config.region();
  const outputs = await accessOutputs(clients, options.accessStackName ?? ACCESS_STACK_NAME);
  const get = (key: keyof typeof ACCESS_OUTPUT_KEYS) => outputs?.[ACCESS_OUTPUT_KEYS[key]];
  return {
    caller,
    region,
    executionRoleArn: options.executionRoleArn ?? get('containmentExecutionRoleArn'),
    breakGlassRoleArn: options.breakGlassRoleArn ?? get('breakGlassRoleArn'),
    containmentPolicyArn:
      options.containmentPolicyArn ??
      get('containmentPolicyArn') ??
      `arn:${caller.partition}:iam::${caller.account}:policy/${DEFAULT_NAMES.containmentPolicyName}`,
    irRoleArns: (['analystRoleArn', 'adminRoleArn', 'deployRoleArn', 'breakGlassRoleArn'] as const)
      .map(get)
      .filter((a): a is string => a !== undefined),
    accessStackFound: outputs !== undefined,
  };
}

/** The configured names a dry run builds ARNs from when it cannot read the access stack. */
export interface KitNames {
  readonly breakGlassRoleName: string;
  readonly containmentExecutionRoleName: string;
  readonly containmentPolicyName: string;
}

/** Stands in for the account's id when a dry run knows neither the credentials nor the plan's account. */
export const PLACEHOLDER_ACCOUNT = '<account>';

/**
 * The environment of a dry run that could not read the account (no credentials, no network):
 * the ARNs are built from the configured names, in the plan's account when it names one.
 */
export function offlineEnvironment(
  options: EnvironmentOptions,
  names: KitNames,
  where: { readonly region?: string; readonly accountId?: string },
  reason: string,
): ContainEnvironment {
  const account = where.accountId ?? PLACEHOLDER_ACCOUNT;
  const arn = (resource: string) => `arn:aws:iam::${account}:${resource}`;
  return {
    caller: { arn: '(caller not read live)', account, partition: 'aws' },
    region: where.region ?? '(Region not read live)',
    executionRoleArn: options.executionRoleArn ?? arn(`role/${names.containmentExecutionRoleName}`),
    breakGlassRoleArn: options.breakGlassRoleArn ?? arn(`role/${names.breakGlassRoleName}`),
    containmentPolicyArn: options.containmentPolicyArn ?? arn(`policy/${names.containmentPolicyName}`),
    irRoleArns: [],
    accessStackFound: false,
    offline: reason,
  };
}

async function accessOutputs(
  clients: ContainClients,
  stackName: string,
): Promise<Record<string, string> | undefined> {
  try {
    const out = await clients.cloudFormation.send(
      new (sdk.cloudFormation().DescribeStacksCommand)({ StackName: stackName }),
    );
    const stack = out.Stacks?.[0];
    if (!stack) return undefined;
    return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    // No access stack: CloudFormation's ValidationError "Stack with id IrKitAccess does not exist".
    if (isAwsError(error, 'ValidationError') && /does not exist/.test(awsErrorMessage(error)))
      return undefined;
    throw awsFailure(`reading the ${stackName} stack's outputs`, error);
  }
}
