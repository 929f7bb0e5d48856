import {
  CloudFormationClient,
  ListStackInstancesCommand,
  StackInstanceSummary,
} from '@aws-sdk/client-cloudformation';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

import { awsErrorCode } from '../../lib/aws-errors';
import { MEMBER_STACK_SETS } from '../../lib/stacks/organization/member-templates';
import { deployRoleArn, roleSessionName } from '../contain/accounts';
import { inBatches } from '../contain/batches';
import type { Caller } from '../contain/environment';
import type { Check } from './doctor';

export interface MemberChecksOptions {
  /** How the StackSets were created: in the management account (SELF) or a delegated administrator. */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  /** The member deploy role, `{account}` for the account id. */
  readonly deployRoleArnTemplate: string;
  readonly operator?: Caller;
}

/**
 * The member accounts' baseline, from the administration account: every instance of the
 * IrKitMemberBaseline StackSet (CURRENT and SUCCEEDED, or what is wrong), and in each member
 * account whether the deploy role can be assumed with these credentials, as `irkit contain`
 * will. Read-only: the sessions it opens are dropped.
 */
export async function memberChecks(
  aws: { readonly sts: STSClient; readonly cloudFormation: CloudFormationClient },
  options: MemberChecksOptions,
): Promise<Check[]> {
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
      return [baseline, await assumable(aws.sts, account, options)];
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

async function assumable(sts: STSClient, account: string, options: MemberChecksOptions): Promise<Check> {
  const role = deployRoleArn(options.deployRoleArnTemplate, account);
  try {
    await sts.send(
      new AssumeRoleCommand({
        RoleArn: role,
        RoleSessionName: roleSessionName(options.operator),
        DurationSeconds: 900,
      }),
    );
    return { name: `member ${account} deploy role`, status: 'ok', detail: `${role} can be assumed` };
  } catch (error) {
    return {
      name: `member ${account} deploy role`,
      status: 'fail',
      detail: `${role}: ${awsErrorCode(error)}: ${(error as Error).message}`,
      fix: 'your principal must be among trustedPrincipals (the member roles trust exactly those) and its own policy must allow sts:AssumeRole on that role',
    };
  }
}
