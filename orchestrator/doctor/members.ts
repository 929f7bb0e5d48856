import {
  CloudFormationClient,
  ListStackInstancesCommand,
  StackInstanceSummary,
} from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

import { awsErrorCode, isAwsError } from '../../lib/aws-errors';
import { MEMBER_STACK_SETS } from '../../lib/stacks/organization/member-templates';
import { deployRoleArn, memberRoleArnTemplate, roleSessionName } from '../contain/accounts';
import type { TemporaryCredentials } from '../contain/aws';
import { inBatches } from '../contain/batches';
import type { Caller } from '../contain/environment';
import type { Check } from './doctor';
import { evaluateTrust, orphanedPrincipals, parseTrustPolicy, TrustDecision } from './trust';

export interface MemberChecksOptions {
  /** How the StackSets were created: in the management account (SELF) or a delegated administrator. */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  /** The member deploy role, `{account}` for the account id. */
  readonly deployRoleArnTemplate: string;
  /** The analyst role's name in every member (`irkit status` enters it). */
  readonly analystRoleName: string;
  /** The break-glass role's name in every member (`irkit preserve` and `irkit eradicate` enter it). */
  readonly breakGlassRoleName: string;
  /** Who the config says may assume it (breakGlassPrincipals, else trustedPrincipals). */
  readonly breakGlassPrincipals: readonly string[];
  readonly operator?: Caller;
}

/** The clients the member checks use: the administration account's, and IAM with a member's credentials. */
export interface MemberChecksAws {
  readonly sts: STSClient;
  readonly cloudFormation: CloudFormationClient;
  /** IAM with the deploy role's credentials in a member account. */
  iamWith(credentials: TemporaryCredentials): IAMClient;
}

/**
 * The member accounts' baseline, from the administration account: every instance of the
 * IrKitMemberBaseline StackSet (CURRENT and SUCCEEDED, or what is wrong), and in each member
 * account whether the deploy and analyst roles can be assumed with these credentials, as
 * `irkit contain` and `irkit status` will, and whether the break-glass role's trust admits them with MFA and refuses them without
 * (breakGlassCheck). Read-only: the sessions it opens are dropped.
 */
export async function memberChecks(aws: MemberChecksAws, options: MemberChecksOptions): Promise<Check[]> {
  let instances: StackInstanceSummary[];
  try {
    instances = await listInstances(aws.cloudFormation, options.callAs);
  } catch (error) {
    const missing = awsErrorCode(error) === 'StackSetNotFoundException';
    return [
      {
        name: `StackSet ${MEMBER_STACK_SETS.baseline}`,
        status: 'fail',
        detail: missing ? 'not found' : `${awsErrorCode(error)}: ${(error as Error).message}`,
        fix: missing
          ? `deploy IrKitOrganization from the ${options.callAs === 'SELF' ? 'management' : 'delegated administrator'} account (npx cdk deploy IrKitOrganization), or set members.administrator`
          : 'run irkit doctor with credentials of the administration account (cloudformation:ListStackInstances)',
      },
    ];
  }
  if (instances.length === 0) {
    return [
      {
        name: `StackSet ${MEMBER_STACK_SETS.baseline}`,
        status: 'warn',
        detail: 'no stack instances: no member account has the baseline',
        fix: 'check members.organizationalUnits: the units hold no account, or only the security account',
      },
    ];
  }
  return (
    await inBatches(instances, 20, async (instance): Promise<Check[]> => {
      const account = instance.Account ?? '?';
      const detailed = instance.StackInstanceStatus?.DetailedStatus ?? 'unknown';
      const healthy = instance.Status === 'CURRENT' && detailed === 'SUCCEEDED';
      const baseline: Check = {
        name: `member ${account} baseline (${instance.Region})`,
        status: healthy ? 'ok' : 'fail',
        detail: `${instance.Status ?? 'unknown'}, ${detailed}${instance.StatusReason ? `: ${instance.StatusReason}` : ''}`,
        ...(healthy
          ? {}
          : {
              fix: `see the StackSet operation's results: aws cloudformation list-stack-set-operations --stack-set-name ${MEMBER_STACK_SETS.baseline}${options.callAs === 'DELEGATED_ADMIN' ? ' --call-as DELEGATED_ADMIN' : ''}`,
            }),
      };
      return [baseline, ...(await memberRoles(aws, account, options))];
    })
  ).flat();
}

async function listInstances(
  cloudFormation: CloudFormationClient,
  callAs: 'SELF' | 'DELEGATED_ADMIN',
): Promise<StackInstanceSummary[]> {
  const all: StackInstanceSummary[] = [];
  let token: string | undefined;
  do {
    const page = await cloudFormation.send(
      new ListStackInstancesCommand({
        StackSetName: MEMBER_STACK_SETS.baseline,
        CallAs: callAs,
        NextToken: token,
      }),
    );
    all.push(...(page.Summaries ?? []));
    token = page.NextToken;
  } while (token);
  return all;
}

/**
 * The roles irkit assumes in a member, each assumed as it will be: the deploy role (contain,
 * release) and the analyst role (status); then, through the deploy role's session, the
 * break-glass role's trust read (breakGlassCheck).
 */
async function memberRoles(
  aws: MemberChecksAws,
  account: string,
  options: MemberChecksOptions,
): Promise<Check[]> {
  const deploy = await assumable(
    aws.sts,
    'deploy',
    deployRoleArn(options.deployRoleArnTemplate, account),
    account,
    options,
  );
  const analyst = await assumable(
    aws.sts,
    'analyst',
    deployRoleArn(memberRoleArnTemplate(options.analystRoleName, options.operator?.partition), account),
    account,
    options,
  );
  const breakGlass: Check = deploy.credentials
    ? await breakGlassCheck(aws.iamWith(deploy.credentials), account, options)
    : {
        name: `member ${account} break-glass role`,
        status: 'skip',
        detail: 'not read: it is read through the deploy role, which could not be assumed (above)',
      };
  return [deploy.check, analyst.check, breakGlass];
}

/** One member role assumed with the operator in the session name; the session is only used to read. */
async function assumable(
  sts: STSClient,
  what: 'deploy' | 'analyst',
  role: string,
  account: string,
  options: MemberChecksOptions,
): Promise<{ readonly check: Check; readonly credentials?: TemporaryCredentials }> {
  const name = `member ${account} ${what} role`;
  try {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: role,
        RoleSessionName: roleSessionName(options.operator),
        DurationSeconds: 900,
      }),
    );
    const c = out.Credentials;
    const used = what === 'deploy' ? 'irkit contain and release' : 'irkit status';
    return {
      check: { name, status: 'ok', detail: `${role} can be assumed (${used})` },
      ...(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken
        ? {
            credentials: {
              accessKeyId: c.AccessKeyId,
              secretAccessKey: c.SecretAccessKey,
              sessionToken: c.SessionToken,
            },
          }
        : {}),
    };
  } catch (error) {
    return {
      check: {
        name,
        status: 'fail',
        detail: `${role}: ${awsErrorCode(error)}: ${(error as Error).message}`,
        fix: 'your principal must be among trustedPrincipals (the member roles trust exactly those) and its own policy must allow sts:AssumeRole on that role',
      },
    };
  }
}

/**
 * The member's break-glass role, which `irkit preserve` and `irkit eradicate` assume in another
 * account: never assumed here (it requires MFA, and assuming it raises an alert), but read through
 * the deploy role's session (iam:GetRole, which the member baseline grants it) and its trust
 * policy evaluated for the operator's principal with MFA and without (evaluateTrust). Not checked,
 * and said so: that the operator's own policy allows sts:AssumeRole on it, and that the session
 * irkit runs with carries MFA.
 */
export async function breakGlassCheck(
  iam: IAMClient,
  account: string,
  options: Pick<MemberChecksOptions, 'breakGlassRoleName' | 'breakGlassPrincipals' | 'operator'>,
): Promise<Check> {
  const partition = options.operator?.partition ?? 'aws';
  const role = deployRoleArn(memberRoleArnTemplate(options.breakGlassRoleName, partition), account);
  const name = `member ${account} break-glass role`;
  let document: string | undefined;
  try {
    const out = await iam.send(new GetRoleCommand({ RoleName: options.breakGlassRoleName }));
    document = out.Role?.AssumeRolePolicyDocument;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) {
      return {
        name,
        status: 'fail',
        detail: `${role} does not exist`,
        fix: `the baseline instance lacks it (see its check), or the config's breakGlassRoleName is not the name the StackSet deployed: make them agree and update IrKitOrganization (npx cdk deploy IrKitOrganization)`,
      };
    }
    return {
      name,
      status: 'warn',
      detail: `not verified: reading ${role} through the deploy role failed: ${awsErrorCode(error)}: ${(error as Error).message}`,
      fix: "the member baseline's deploy role may read any role there (iam:GetRole); an older baseline or a service control policy refuses it: update IrKitOrganization (npx cdk deploy IrKitOrganization) or the SCP",
    };
  }
  const operator = options.operator?.arn;
  if (!operator) {
    return { name, status: 'skip', detail: 'not evaluated: your caller identity could not be read' };
  }
  const trust = parseTrustPolicy(document);
  const withMfa = evaluateTrust(trust, { arn: operator, mfa: 'true' });
  // Without MFA: a session (the key false) and an IAM user's long-term keys (the key absent).
  const without = [
    evaluateTrust(trust, { arn: operator, mfa: 'false' }),
    evaluateTrust(trust, { arn: operator }),
  ];
  const unknown = [withMfa, ...without].find(
    (d): d is Extract<TrustDecision, { decision: 'unknown' }> => d.decision === 'unknown',
  );
  if (unknown) {
    return {
      name,
      status: 'warn',
      detail: `not verified: its trust policy is not one irkit can evaluate (${unknown.why})`,
      fix: `read it yourself: aws iam get-role --role-name ${options.breakGlassRoleName} (in ${account}); the member baseline's trust admits breakGlassPrincipals with MFA only`,
    };
  }
  const leak = without.find((d) => d.decision === 'allowed');
  if (leak && leak.decision === 'allowed') {
    return {
      name,
      status: 'fail',
      detail: `its trust admits ${operator} WITHOUT MFA (${leak.statement}): it is not the member baseline's`,
      fix: `restore the baseline's trust (MFA required): find the change in the member's CloudTrail (UpdateAssumeRolePolicy on ${options.breakGlassRoleName}) and update IrKitOrganization (npx cdk deploy IrKitOrganization)`,
    };
  }
  if (withMfa.decision === 'allowed') {
    return {
      name,
      status: 'ok',
      detail: `its trust admits you (${operator}) with MFA only (${withMfa.statement}); not checked: your own policy's sts:AssumeRole on ${role}, and MFA in the session you run irkit preserve and eradicate with`,
    };
  }
  const orphans = orphanedPrincipals(trust);
  const configured = options.breakGlassPrincipals.some(
    (p) =>
      evaluateTrust(
        { Statement: { Effect: 'Allow', Principal: { AWS: p }, Action: 'sts:AssumeRole' } },
        { arn: operator },
      ).decision === 'allowed',
  );
  if (orphans.length > 0) {
    return {
      name,
      status: 'fail',
      detail: `its trust does not admit you (${operator}); it names ${orphans.join(', ')}: principals deleted since the StackSet deployed (IAM shows them by unique id, and a principal re-created with the same name is another)`,
      fix: 'update IrKitOrganization (npx cdk deploy IrKitOrganization), so that the trust names the principals as they are now',
    };
  }
  return configured
    ? {
        name,
        status: 'fail',
        detail: `its trust does not admit you (${operator}), though the config names you among breakGlassPrincipals: the member's role is not the baseline's as configured`,
        fix: 'update IrKitOrganization (npx cdk deploy IrKitOrganization), and check the StackSet instance above',
      }
    : {
        name,
        status: 'warn',
        detail: `its trust does not admit you (${operator}): you are not among breakGlassPrincipals (${options.breakGlassPrincipals.join(', ')})`,
        fix: 'irkit preserve and irkit eradicate across accounts need credentials of one of breakGlassPrincipals, with MFA',
      };
}
