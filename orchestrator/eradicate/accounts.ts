import * as v from '../../lib/validation';
import {
  AccountAccess,
  AccountOutcome,
  AccountPlan,
  accountPrefixed,
  memberRoleArnTemplate,
  plansOfAccounts,
  runInAccounts,
} from '../contain/accounts';
import { ContainmentPlan } from '../contain/plan';
import { InvestigationResult } from '../investigate/types';
import { terminalSafe } from '../output/escape';
import { EvidenceStore } from '../preserve';
import { accountFolder, accountPlans } from '../preserve/accounts';
import { confirmEradication, eradicate, EradicateIo, EradicateOptions, EradicateResult } from './eradicate';
import { eradicationTargets, targetLabel } from './targets';

export interface AccountsEradicateOptions extends EradicateOptions {
  /** Only these accounts' plans (`--account`). @default every plan's with something to do */
  readonly accounts?: readonly string[];
  /** The role eradication assumes in another account: its break-glass role. */
  readonly breakGlassRoleName: string;
}

export interface AccountsEradicateResult {
  readonly cancelled: boolean;
  readonly accounts: ReadonlyArray<AccountOutcome<EradicateResult>>;
}

/** The investigation as one account's eradication reads it: that account's plan as the plan. */
export function resultForAccount(result: InvestigationResult, plan: ContainmentPlan): InvestigationResult {
  return plan === result.containmentPlan ? result : { ...result, containmentPlan: plan };
}

/**
 * `irkit eradicate` over every account's plan of the investigation (runInAccounts, as
 * containment): in another account as its break-glass role, assumed with the operator in the
 * session name. Each account refuses on its own unless the incident's one evidence manifest
 * verifies and its own targets are contained; its record goes to the security account's
 * evidence store under `accounts/ACCOUNT/eradication/`, in the same manifest. The incident id is
 * typed once for all accounts; one account failing does not stop the others.
 */
export async function eradicateAccounts(
  access: AccountAccess,
  options: AccountsEradicateOptions,
  io: EradicateIo,
): Promise<AccountsEradicateResult> {
  const incidentId = v.incidentId(options.incidentId);
  const dryRun = options.dryRun ?? false;
  const plans = plansOfAccounts(accountPlans(options.result), options.accounts);
  // One store for every account (the security account's), resolved once.
  let store: Promise<EvidenceStore> | undefined;
  const evidence = () => (store ??= options.evidence());
  const run = await runInAccounts(
    access,
    {
      plans,
      dryRun,
      roleArnTemplate: memberRoleArnTemplate(options.breakGlassRoleName),
      work: (clients, { target, plan }) => {
        const own = target.roleArn === undefined || clients === access.home;
        return eradicate(
          clients,
          {
            ...options,
            result: resultForAccount(options.result, plan),
            evidence,
            // Asked once for all accounts (a single account of the operator's own asks itself).
            yes: options.yes || !own || plans.length > 1,
            ...(own ? {} : { accountFolder: accountFolder(target.account) }),
          },
          plans.length > 1 ? accountPrefixed(io, target.account) : io,
        );
      },
      failuresOf: (r) =>
        r.targets.filter((t) => t.outcome === 'failed').map((t) => `${t.target}: ${t.reason ?? 'failed'}`),
      overview: (rows, homeKnown) => describeOverview(options, rows, homeKnown),
      confirm: async () => {
        await confirmEradication(incidentId, options.yes ?? false, io);
        return true;
      },
      done: (r) => {
        const by = (outcome: string) => r.targets.filter((t) => t.outcome === outcome).length;
        return dryRun
          ? `${by('planned')} planned, ${r.calls.length} call(s)`
          : `${by('done')} deleted, ${by('nothing left')} nothing left${by('failed') ? `, ${by('failed')} failed` : ''}`;
      },
    },
    io,
  );
  return { cancelled: run.cancelled, accounts: run.accounts };
}

function describeOverview(
  options: AccountsEradicateOptions,
  rows: readonly AccountPlan[],
  homeKnown: boolean,
): string {
  const lines = [
    `${options.dryRun ? 'Dry run: nothing will be changed. ' : 'THESE ACTIONS ARE FINAL AND UNRECOVERABLE. '}Eradication of incident ${options.incidentId} in ${rows.length} account(s):`,
  ];
  for (const { target, plan } of rows) {
    const targets = eradicationTargets(resultForAccount(options.result, plan), {
      includeExposedUser: options.includeExposedUser ?? false,
    });
    lines.push(
      `  ${target.account}  as ${target.roleArn ?? 'your own credentials'}${target.roleArn && !homeKnown ? ' (your credentials could not be read: in their own account, irkit uses them instead)' : ''}`,
      `      ${targets.length} target(s)${targets.length ? `: ${terminalSafe(targets.map(targetLabel).join(', '))}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}
