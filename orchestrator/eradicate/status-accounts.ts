import * as v from '../../lib/validation';
import {
  AccountAccess,
  AccountOutcome,
  AccountTarget,
  memberRoleArnTemplate,
  runInAccounts,
} from '../contain/accounts';
import { table } from '../contain/format';
import { createPlan, ContainmentPlan } from '../contain/plan';
import { containmentStatus, ContainmentStatus, STATUS_COLUMNS, statusCells } from '../contain/status';
import { InvestigationResult } from '../investigate/types';
import { terminalSafe } from '../output/escape';
import { accountPlans } from '../preserve/accounts';
import { resultForAccount } from './accounts';
import { actorRemains, formatRemains, IncidentInvestigation, Remaining } from './eradicate';

/**
 * `irkit status` across the accounts of an organization (runInAccounts, as contain, preserve and
 * eradicate): in every account the investigation names, or those given with `--account`, the
 * containment stacks (of the incident) and the playbook's Part 6, what remains of what the actor
 * created there. Status only reads, so another account is entered as its analyst role
 * (SecurityAnalystRole: ReadOnlyAccess, never an IAM write), the member baseline's read-only
 * role; the deploy role could not read what Part 6 reads (login profiles, MFA devices, bucket
 * versions). One account failing, its role not assumable or a read refused, never stops the others.
 */
/**
 * Every call `irkit status` makes in an account, as the IAM action it needs and what it acts on:
 * what another account's analyst role must be allowed (the simulator asks the member baseline,
 * test/lib/stacks/organization/organization-stack.test.ts; the wire test holds every call made to
 * this list).
 */
export const STATUS_READS: ReadonlyArray<readonly [string, 'user' | 'role' | 'bucket' | 'stack' | 'any']> = [
  ['cloudformation:ListStacks', 'any'],
  ['cloudformation:DescribeStacks', 'stack'],
  ['iam:GetUser', 'user'],
  ['iam:GetLoginProfile', 'user'],
  ['iam:ListAccessKeys', 'user'],
  ['iam:ListSSHPublicKeys', 'user'],
  ['iam:ListServiceSpecificCredentials', 'user'],
  ['iam:ListSigningCertificates', 'user'],
  ['iam:ListMFADevices', 'user'],
  ['iam:ListUserPolicies', 'user'],
  ['iam:ListAttachedUserPolicies', 'user'],
  ['iam:ListGroupsForUser', 'user'],
  ['iam:GetRole', 'role'],
  ['iam:ListInstanceProfilesForRole', 'role'],
  ['iam:ListRolePolicies', 'role'],
  ['iam:ListAttachedRolePolicies', 'role'],
  // S3's HeadBucket needs s3:ListBucket, ListObjectVersions s3:ListBucketVersions.
  ['s3:ListBucket', 'bucket'],
  ['s3:ListBucketVersions', 'bucket'],
  ['ec2:DescribeInstances', 'any'],
];

export interface AccountsStatusOptions {
  /** Only this incident's stacks, and Part 6 when an investigation is given. */
  readonly incidentId?: string;
  /** The investigation Part 6 checks against (investigationForStatus), already verified. */
  readonly investigation?: IncidentInvestigation;
  /** These accounts (`--account`). @default every account the investigation names */
  readonly accounts?: readonly string[];
  /** The role status assumes in another account: its analyst role. */
  readonly analystRoleName: string;
}

/** One account's status. */
export interface AccountStatus {
  /** Its containment stacks (of the incident, when one is given). */
  readonly contained: readonly ContainmentStatus[];
  /** Part 6 there; absent when not checked: no investigation, or it names nothing in this account. */
  readonly remains?: readonly Remaining[];
}

export async function statusAccounts(
  access: AccountAccess,
  options: AccountsStatusOptions,
  io: { log(line: string): void; out(text: string): void },
): Promise<ReadonlyArray<AccountOutcome<AccountStatus>>> {
  const incidentId = options.incidentId === undefined ? undefined : v.incidentId(options.incidentId);
  const result = options.investigation?.result;
  const named = result ? accountPlans(result) : [];
  // An account the investigation does not name: its stacks only (a plan with nothing to do).
  const unnamed = new Set<ContainmentPlan>();
  const planFor = (raw: string) => {
    const account = v.accountId(raw);
    const plan = named.find((p) => p.accountId === account);
    if (plan) return plan;
    const empty = createPlan({ ...(incidentId ? { incidentId } : {}), accountId: account, steps: [] });
    unnamed.add(empty);
    return empty;
  };
  // An account given twice (--account A --account A) is entered once.
  const plans = options.accounts?.length
    ? [...new Set(options.accounts.map((a) => v.accountId(a)))].map(planFor)
    : named;
  if (plans.length === 0) return [];
  const run = await runInAccounts(
    access,
    {
      plans,
      dryRun: false,
      roleArnTemplate: memberRoleArnTemplate(options.analystRoleName),
      work: async (clients, { target, plan }) => {
        const contained = (await containmentStatus(clients)).filter(
          (r) => incidentId === undefined || r.incidentId === incidentId,
        );
        const part6 = result && incidentId ? part6Plan(result, plan, target, unnamed) : undefined;
        if (!part6 || !result || !incidentId) return { contained };
        return {
          contained,
          remains: await actorRemains(clients, resultForAccount(result, part6), incidentId),
        };
      },
      failuresOf: () => [],
      overview: () => '',
      done: (s) =>
        `${s.contained.length} containment stack(s)${s.remains ? `; ${s.remains.filter((r) => r.remains).length} of ${s.remains.length} thing(s) the actor created remain` : ''}`,
    },
    io,
  );
  return run.accounts;
}

/**
 * The plan Part 6 reads an account's targets from: the investigation's for that account; for an
 * account it does not name, none, except your own account when the investigation's main plan
 * names no account (an investigation of a single account's logs).
 */
function part6Plan(
  result: InvestigationResult,
  plan: ContainmentPlan,
  target: AccountTarget,
  unnamed: ReadonlySet<ContainmentPlan>,
): ContainmentPlan | undefined {
  if (!unnamed.has(plan)) return plan;
  return target.roleArn === undefined && result.containmentPlan.accountId === undefined
    ? result.containmentPlan
    : undefined;
}

/** The containment stacks of every account (an account column), then Part 6 per account. */
export function formatAccountsStatus(
  outcomes: ReadonlyArray<AccountOutcome<AccountStatus>>,
  incidentId?: string,
  from?: string,
): string {
  const rows = outcomes.flatMap((o) =>
    (o.result?.contained ?? []).map((r) => ({ ...r, account: o.account })),
  );
  const read = outcomes.filter((o) => o.result !== undefined).length;
  const contained =
    rows.length === 0
      ? `nothing is contained${incidentId ? ` for incident ${incidentId}` : ''} in the ${read} account(s) read\n`
      : table(
          ['account', ...STATUS_COLUMNS],
          rows.map((r) => [r.account, ...statusCells(r)]),
        );
  if (!incidentId || from === undefined) return contained;
  const part6 = outcomes.map((o) => {
    if (o.error !== undefined) return `Account ${o.account}: not checked: ${terminalSafe(o.error)}\n`;
    if (!o.result?.remains) return `Account ${o.account}: the investigation names nothing in this account\n`;
    const lines = formatRemains(incidentId, o.result.remains).trimEnd().split('\n');
    return `Account ${o.account}: ${lines[0]}\n${lines
      .slice(1)
      .map((l) => `  ${l}\n`)
      .join('')}`;
  });
  return `${contained}\nPart 6, checked against the investigation ${terminalSafe(from)}:\n${part6.join('')}`;
}

/**
 * JSON for scripts, as a single account's: the containment rows (each with its account), and
 * with Part 6 an object of them, what remains (each with its account), where the investigation
 * was read, and each account's role and error.
 */
export function accountsStatusJson(
  outcomes: ReadonlyArray<AccountOutcome<AccountStatus>>,
  from?: string,
): string {
  const contained = outcomes.flatMap((o) =>
    (o.result?.contained ?? []).map(({ stack: _stack, ...row }) => ({ account: o.account, ...row })),
  );
  if (from === undefined) return `${JSON.stringify(contained, null, 2)}\n`;
  return `${JSON.stringify(
    {
      contained,
      remains: outcomes.flatMap((o) => (o.result?.remains ?? []).map((r) => ({ account: o.account, ...r }))),
      remainsFrom: from,
      accounts: outcomes.map((o) => ({
        account: o.account,
        ...(o.roleArn ? { roleArn: o.roleArn } : {}),
        part6: o.error !== undefined ? 'failed' : o.result?.remains ? 'checked' : 'not named',
        ...(o.error !== undefined ? { error: o.error } : {}),
      })),
    },
    null,
    2,
  )}\n`;
}
