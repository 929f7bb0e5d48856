import { IrKitError } from '../../lib/errors';
import * as v from '../../lib/validation';
import {
  AccountAccess,
  AccountOutcome,
  AccountPlan,
  accountPrefixed,
  accountTargets,
  describeAccounts,
  inEveryAccount,
  memberRoleArns,
  operatorOf,
  plansOfAccounts,
  runInAccounts,
} from './accounts';
import { contain, ContainIo, ContainOptions, ContainResult } from './contain';
import { KitNames } from './environment';
import { release, ReleaseIo, ReleaseOptions, ReleaseSummary } from './release';
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
  const chosen = plansOfAccounts(options.plans, options.accounts);
  if (!dryRun && !options.yes && !io.confirm) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      'refusing to contain without confirmation: no terminal to ask on',
      {
        hint: 'review the plan with --dry-run, then pass --yes to act; nothing was changed',
      },
    );
  }
  let single: ContainResult | undefined;
  const run = await runInAccounts(
    access,
    {
      plans: chosen,
      dryRun,
      work: async (clients, { target, plan }, operator) => {
        if (clients === access.home && chosen.length === 1) {
          single = await contain(clients, { ...options, plan }, io);
          return single;
        }
        return contain(
          clients,
          {
            ...options,
            plan,
            // Asked once for every account.
            yes: true,
            ...(target.roleArn && options.names
              ? memberRoleArns(target.account, operator?.partition ?? 'aws', options.names)
              : {}),
          },
          accountPrefixed(io, target.account),
        );
      },
      failuresOf,
      overview: (rows, homeKnown) => describeOverview(incidentId, rows, dryRun, homeKnown),
      ...(options.yes
        ? {}
        : {
            confirm: async (rows) => {
              const steps = rows.reduce((n, r) => n + r.plan.steps.length, 0);
              const confirm = io.confirm as (question: string) => Promise<boolean>;
              return confirm(
                `Contain ${steps} target(s) in ${rows.length} account(s) for incident ${incidentId}?`,
              );
            },
          }),
      done: (r) => {
        const by = (outcome: string) => r.results.filter((x) => x.outcome === outcome).length;
        return dryRun
          ? `${by('planned')} planned`
          : `${by('contained')} of ${r.results.length} contained${by('failed') ? `, ${by('failed')} failed` : ''}`;
      },
    },
    io,
  );
  if (single) return { ...single, accounts: run.accounts };
  return { incidentId, dryRun, cancelled: run.cancelled, accounts: run.accounts };
}

function failuresOf(result: ContainResult): string[] {
  return result.results
    .filter((r) => r.outcome === 'failed')
    .map((r) => `${r.label}: ${r.reason ?? 'failed'}`);
}

function describeOverview(
  incidentId: string,
  rows: readonly AccountPlan[],
  dryRun: boolean,
  homeKnown: boolean,
): string {
  const lines = [
    `${dryRun ? 'Dry run: nothing will be changed. ' : ''}Containment of incident ${incidentId} in ${rows.length} account(s):`,
  ];
  for (const { target: t, plan } of rows) {
    const labels = targetsOfPlan(plan).map((p) => `${p.target.kind}:${p.target.name}`);
    lines.push(
      `  ${t.account}  as ${t.roleArn ?? 'your own credentials'}${t.roleArn && !homeKnown ? ' (your credentials could not be read: in their own account, irkit uses them instead)' : ''}`,
      `      ${labels.length} target(s)${labels.length ? `: ${labels.join(', ')}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n\n`;
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
