import { IrKitError } from '../../lib/errors';
import * as v from '../../lib/validation';
import {
  AccountAccess,
  AccountOutcome,
  accountPrefixed,
  accountTargets,
  describeAccounts,
  inEveryAccount,
  memberRoleArns,
  operatorOf,
} from './accounts';
import { contain, ContainIo, ContainOptions, ContainResult } from './contain';
import { KitNames, PLACEHOLDER_ACCOUNT } from './environment';
import { table } from './format';
import { release, ReleaseIo, ReleaseOptions, ReleaseSummary } from './release';
import { containmentStatus, ContainmentStatus } from './status';
import { ContainmentPlan } from './plan';
import { targetsOfPlan } from './targets';

export interface AccountsContainOptions extends Omit<ContainOptions, 'plan' | 'targets'> {
  /** Every account's plan of the investigation document (containmentPlan, then otherAccountPlans). */
  readonly plans: readonly ContainmentPlan[];
  /** Only these accounts' plans (`--account`). @default every plan's */
  readonly accounts?: readonly string[];
}

export interface AccountsContainResult {
  readonly incidentId: string;
  readonly dryRun: boolean;
  readonly cancelled: boolean;
  readonly accounts: ReadonlyArray<AccountOutcome<ContainResult>>;
}

/**
 * `irkit contain --plan FILE` over every account's plan: the plan of the operator's own account
 * runs with their credentials, each other account's through its deploy role, assumed with the
 * operator's name in the session; all accounts at once, each account's stacks concurrently, and
 * each account verified and reported on its own. One account failing (its role not assumable, a
 * target refused) never stops the others. A single plan of the operator's own account is exactly
 * `contain`.
 */
export async function containAccounts(
  access: AccountAccess,
  options: AccountsContainOptions,
  io: ContainIo,
): Promise<AccountsContainResult> {
  const incidentId = v.incidentId(options.incidentId);
  const dryRun = options.dryRun ?? false;
  const chosen = choosePlans(options.plans, options.accounts);
  if (!dryRun && !options.yes && !io.confirm) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      'refusing to contain without confirmation: no terminal to ask on',
      {
        hint: 'review the plan with --dry-run, then pass --yes to act; nothing was changed',
      },
    );
  }
  const operator = await operatorOf(access, !dryRun);
  const home = operator?.account;
  const accountOf = (plan: ContainmentPlan) => plan.accountId ?? home ?? PLACEHOLDER_ACCOUNT;
  const targets = accountTargets(chosen.map(accountOf), home ?? PLACEHOLDER_ACCOUNT, access);

  if (targets.length === 1 && targets[0].roleArn === undefined) {
    const result = await contain(access.home, { ...options, plan: chosen[0] }, io);
    const failures = failuresOf(result);
    return { ...result, accounts: [{ account: targets[0].account, result, failures }] };
  }

  io.out(describeOverview(incidentId, chosen, targets, dryRun, home !== undefined));
  if (!dryRun && !options.yes) {
    const steps = chosen.reduce((n, p) => n + p.steps.length, 0);
    const confirm = io.confirm as (question: string) => Promise<boolean>;
    if (
      !(await confirm(
        `Contain ${steps} target(s) in ${targets.length} account(s) for incident ${incidentId}?`,
      ))
    ) {
      io.log('cancelled: nothing was changed');
      return { incidentId, dryRun, cancelled: true, accounts: [] };
    }
  }
  const partition = operator?.partition ?? 'aws';
  const outcomes = await inEveryAccount(
    access,
    targets,
    operator,
    (clients, target) =>
      contain(
        clients,
        {
          ...options,
          plan: chosen[targets.indexOf(target)],
          // Asked once for every account above.
          yes: true,
          ...(target.roleArn && options.names
            ? memberRoleArns(target.account, partition, options.names)
            : {}),
        },
        accountPrefixed(io, target.account),
      ),
    failuresOf,
    { dryRun },
  );
  io.out(
    `\nPer account:\n${describeAccounts(outcomes, (r) => {
      const by = (outcome: string) => r.results.filter((x) => x.outcome === outcome).length;
      return dryRun
        ? `${by('planned')} planned`
        : `${by('contained')} of ${r.results.length} contained${by('failed') ? `, ${by('failed')} failed` : ''}`;
    })}`,
  );
  return { incidentId, dryRun, cancelled: false, accounts: outcomes };
}

function failuresOf(result: ContainResult): string[] {
  return result.results
    .filter((r) => r.outcome === 'failed')
    .map((r) => `${r.label}: ${r.reason ?? 'failed'}`);
}

/** The plans of the accounts asked for; an account no plan names is refused, naming those that are. */
function choosePlans(
  plans: readonly ContainmentPlan[],
  accounts: readonly string[] | undefined,
): ContainmentPlan[] {
  if (!accounts?.length) {
    // An account whose plan holds nothing to do is not entered (its role is not even assumed).
    const busy = plans.filter((p) => p.steps.length > 0 || p.manualActions?.length || p.approvals?.length);
    return busy.length > 0 ? busy : plans.slice(0, 1);
  }
  const known = plans.map((p) => p.accountId).filter((a): a is string => a !== undefined);
  return accounts.map((raw) => {
    const account = v.accountId(raw);
    const plan = plans.find((p) => p.accountId === account);
    if (!plan) {
      throw new IrKitError('IRKIT_INVALID_INPUT', `the plan has nothing for account ${account}`, {
        hint: known.length
          ? `the plan's accounts are ${known.join(', ')}; nothing was changed`
          : "the plan names no account: leave out --account to contain it with your credentials' account",
      });
    }
    return plan;
  });
}

function describeOverview(
  incidentId: string,
  plans: readonly ContainmentPlan[],
  targets: ReturnType<typeof accountTargets>,
  dryRun: boolean,
  homeKnown: boolean,
): string {
  const lines = [
    `${dryRun ? 'Dry run: nothing will be changed. ' : ''}Containment of incident ${incidentId} in ${targets.length} account(s):`,
  ];
  targets.forEach((t, i) => {
    const labels = targetsOfPlan(plans[i]).map((p) => `${p.target.kind}:${p.target.name}`);
    lines.push(
      `  ${t.account}  as ${t.roleArn ?? 'your own credentials'}${t.roleArn && !homeKnown ? ' (your credentials could not be read: in their own account, irkit uses them instead)' : ''}`,
      `      ${labels.length} target(s)${labels.length ? `: ${labels.join(', ')}` : ''}`,
    );
  });
  return `${lines.join('\n')}\n\n`;
}

/** `irkit status --account ID...`: every account's containment stacks, each row naming its account. */
export async function statusAccounts(
  access: AccountAccess,
  accounts: readonly string[],
  incidentId: string | undefined,
): Promise<{ rows: AccountStatus[]; accounts: ReadonlyArray<AccountOutcome<ContainmentStatus[]>> }> {
  if (incidentId !== undefined) v.incidentId(incidentId);
  const operator = await operatorOf(access, true);
  const targets = accountTargets(
    accounts.map((a) => v.accountId(a)),
    operator?.account,
    access,
  );
  const outcomes = await inEveryAccount(
    access,
    targets,
    operator,
    async (clients) =>
      (await containmentStatus(clients)).filter(
        (r) => incidentId === undefined || r.incidentId === incidentId,
      ),
    () => [],
  );
  const rows = outcomes.flatMap((o) => (o.result ?? []).map((row) => ({ ...row, account: o.account })));
  return { rows, accounts: outcomes.map((o) => (o.error ? { ...o, failures: [o.error] } : o)) };
}

export type AccountStatus = ContainmentStatus & { readonly account: string };

/** The status table with an account column, and the accounts that could not be read. */
export function formatAccountsStatus(
  rows: readonly AccountStatus[],
  outcomes: ReadonlyArray<AccountOutcome<unknown>>,
): string {
  const unread = outcomes
    .filter((o) => o.error !== undefined)
    .map((o) => `account ${o.account}: ${o.error}\n`);
  if (rows.length === 0)
    return `nothing is contained in ${outcomes.length - unread.length} account(s) read\n${unread.join('')}`;
  return (
    table(
      ['account', 'incident', 'target', 'stack status', 'contained at', 'by', 'what'],
      rows.map((r) => [
        r.account,
        r.incidentId,
        `${r.kind}:${r.target}`,
        r.stackStatus,
        r.containedAt ?? '-',
        r.operator ?? '-',
        `${r.details}${r.statusReason && /FAILED/.test(r.stackStatus) ? ` (${r.statusReason})` : ''}`,
      ]),
    ) + unread.join('')
  );
}

/** JSON for scripts: each row with its account, without the raw stack. */
export function accountsStatusJson(rows: readonly AccountStatus[]): string {
  return `${JSON.stringify(
    rows.map(({ stack: _stack, ...row }) => row),
    null,
    2,
  )}\n`;
}

export interface AccountsReleaseOptions extends ReleaseOptions {
  readonly accounts: readonly string[];
  /** The kit's names, for the containment policy's ARN in a member account. */
  readonly names: KitNames;
}

/**
 * `irkit release --account ID...`: the incident's containment released in each account (its
 * deploy role assumed as for contain), concurrently; asked once for all. An account without the
 * incident's stacks, or whose role cannot be assumed, fails alone.
 */
export async function releaseAccounts(
  access: AccountAccess,
  options: AccountsReleaseOptions,
  io: ReleaseIo,
): Promise<ReadonlyArray<AccountOutcome<ReleaseSummary>>> {
  const incidentId = v.incidentId(options.incidentId);
  if (!options.dryRun && !options.yes && !io.confirm) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      'refusing to release without confirmation: no terminal to ask on',
      {
        hint: 'review with --dry-run, then pass --yes to act; nothing was changed',
      },
    );
  }
  const operator = await operatorOf(access, true);
  const targets = accountTargets(
    options.accounts.map((a) => v.accountId(a)),
    operator?.account,
    access,
  );
  if (!options.dryRun && !options.yes) {
    const confirm = io.confirm as (question: string) => Promise<boolean>;
    if (
      !(await confirm(
        `Release incident ${incidentId} in ${targets.length} account(s) (${targets.map((t) => t.account).join(', ')})?`,
      ))
    ) {
      io.log('cancelled: nothing was changed');
      return [];
    }
  }
  const outcomes = await inEveryAccount(
    access,
    targets,
    operator,
    (clients, target) =>
      release(
        clients,
        {
          ...options,
          yes: true,
          ...(target.roleArn
            ? {
                containmentPolicyArn: memberRoleArns(
                  target.account,
                  operator?.partition ?? 'aws',
                  options.names,
                ).containmentPolicyArn,
              }
            : {}),
        },
        accountPrefixed(io, target.account),
      ),
    (summary) =>
      summary.results.filter((r) => r.outcome === 'failed').map((r) => `${r.label}: ${r.reason ?? 'failed'}`),
    { dryRun: options.dryRun },
  );
  io.out(
    `\nPer account:\n${describeAccounts(outcomes, (s) => {
      const released = s.results.filter((r) => r.outcome === 'released').length;
      return options.dryRun
        ? `${s.results.length} to release`
        : `${released} of ${s.results.length} released`;
    })}`,
  );
  return outcomes;
}
