import { AssumeRoleCommand } from '@aws-sdk/client-sts';

import { defaultDeployRoleArnTemplate } from '../../lib/config';
import { IrKitError } from '../../lib/errors';
import { DEFAULT_NAMES } from '../../lib/names';
import * as v from '../../lib/validation';
import { awsErrorMessage, awsErrorName, ContainClients, createClients, TemporaryCredentials } from './aws';
import { inBatches } from './batches';
import { Caller, KitNames, PLACEHOLDER_ACCOUNT, whoAmI } from './environment';
import { table } from './format';
import { ContainmentPlan } from './plan';

/**
 * Acting in the member accounts of an organization from the security account: each member's
 * deploy role (the IrKitMemberBaseline StackSet creates it, trusting the security account's
 * responders) is assumed with the operator's name in the session, and every account is worked
 * on concurrently; one account failing never stops the others.
 */

/** Where `{account}` stands for the member account's id. */
export const ACCOUNT_PLACEHOLDER = '{account}';
export const DEFAULT_DEPLOY_ROLE_ARN_TEMPLATE = defaultDeployRoleArnTemplate(DEFAULT_NAMES.deployRoleName);

/** The deploy role's ARN in one account, from the template (validated). */
export function deployRoleArn(template: string, account: string): string {
  if (!v.PATTERNS.roleArnTemplate.test(template)) {
    throw new IrKitError('IRKIT_CONFIG', `invalid deploy role ARN template: ${JSON.stringify(template)}`, {
      hint: `give an IAM role ARN with ${ACCOUNT_PLACEHOLDER} for the account id, e.g. ${DEFAULT_DEPLOY_ROLE_ARN_TEMPLATE}`,
    });
  }
  return template.replace(ACCOUNT_PLACEHOLDER, v.accountId(account));
}

/** STS's RoleSessionName: 2 to 64 of `[\w+=,.@-]`. */
const SESSION_NAME_MAX = 64;

/**
 * The session name recording who acts: `irkit-` and the operator's principal and session
 * (`irkit-IncidentResponder-jane@example.com`), every character STS refuses made `-`, cut to
 * 64. CloudTrail records it in the member account as the assumed-role session, and the
 * containment stacks' operator tag carries it.
 */
export function roleSessionName(operator: Caller | undefined): string {
  const resource = operator?.arn.split(':').slice(5).join(':') ?? '';
  const who = resource.startsWith('assumed-role/')
    ? resource.slice('assumed-role/'.length)
    : resource.slice(resource.indexOf('/') + 1) || 'unknown';
  return `irkit-${who}`.replace(/[^\w+=,.@-]/g, '-').slice(0, SESSION_NAME_MAX);
}

/** How the commands reach the accounts: the security account's clients, and clients for assumed credentials. */
export interface AccountAccess {
  /** Clients with the operator's own credentials (the security account). */
  readonly home: ContainClients;
  /** Clients for another account's assumed-role credentials, or ones that fail with `reason` (an offline dry run). */
  clientsFor(
    account: string,
    credentials: TemporaryCredentials | { readonly unavailable: string },
  ): ContainClients;
  /** @default DEFAULT_DEPLOY_ROLE_ARN_TEMPLATE */
  readonly deployRoleArnTemplate?: string;
  /** How many accounts at once. @default 20 */
  readonly concurrency?: number;
}

/** One account to act in: the home account (no role) or a member, through its deploy role. */
export interface AccountTarget {
  readonly account: string;
  /** The role assumed; undefined for the account of the operator's own credentials. */
  readonly roleArn?: string;
}

/** The clients of one account, assuming its deploy role when it is not the home account. */
export async function accountClients(
  access: AccountAccess,
  target: AccountTarget,
  operator: Caller | undefined,
): Promise<ContainClients> {
  if (target.roleArn === undefined) return access.home;
  let out;
  try {
    out = await access.home.sts.send(
      new AssumeRoleCommand({
        RoleArn: target.roleArn,
        RoleSessionName: roleSessionName(operator),
        DurationSeconds: 3600,
      }),
    );
  } catch (error) {
    throw assumeFailure(target, error);
  }
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new IrKitError('IRKIT_AWS', `assuming ${target.roleArn} returned no credentials`, {
      hint: 'run the command again; if it persists, check the role in that account',
    });
  }
  return access.clientsFor(target.account, {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    ...(c.Expiration ? { expiration: c.Expiration } : {}),
  });
}

function assumeFailure(target: AccountTarget, error: unknown): IrKitError {
  const name = awsErrorName(error);
  const denied = /AccessDenied|not authorized/i.test(`${name} ${awsErrorMessage(error)}`);
  return new IrKitError(
    'IRKIT_AWS',
    `cannot assume ${target.roleArn} in account ${target.account}: ${name ? `${name}: ` : ''}${awsErrorMessage(error)}`,
    {
      hint: denied
        ? 'check that the account has the member baseline (irkit doctor), that your principal is among the configured trustedPrincipals, and that your own policy allows sts:AssumeRole on that role'
        : 'check the network and the credentials (--profile), then run the command again',
      cause: error,
    },
  );
}

/** The operator behind the home credentials; undefined when they cannot be read (an offline dry run). */
export async function operatorOf(access: AccountAccess, required: boolean): Promise<Caller | undefined> {
  try {
    return await whoAmI(access.home);
  } catch (error) {
    if (required) throw error;
    return undefined;
  }
}

/** The account of each id: the home account needs no role, every other its deploy role (or the role of `roleArnTemplate`). */
export function accountTargets(
  accounts: readonly string[],
  home: string | undefined,
  access: AccountAccess,
  roleArnTemplate?: string,
): AccountTarget[] {
  const template = roleArnTemplate ?? access.deployRoleArnTemplate ?? DEFAULT_DEPLOY_ROLE_ARN_TEMPLATE;
  return accounts.map((account) =>
    account === home ? { account } : { account, roleArn: deployRoleArn(template, account) },
  );
}

/** The ARN template of one of the kit's roles in every member account (`arn:aws:iam::{account}:role/NAME`). */
export function memberRoleArnTemplate(roleName: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${ACCOUNT_PLACEHOLDER}:role/${roleName}`;
}

/** The names of the kit's resources in a member account, for the roles containment passes there. */
export function memberRoleArns(
  account: string,
  partition: string,
  names: KitNames,
): {
  readonly executionRoleArn: string;
  readonly breakGlassRoleArn: string;
  readonly containmentPolicyArn: string;
} {
  const arn = (resource: string) => `arn:${partition}:iam::${account}:${resource}`;
  return {
    executionRoleArn: arn(`role/${names.containmentExecutionRoleName}`),
    breakGlassRoleArn: arn(`role/${names.breakGlassRoleName}`),
    containmentPolicyArn: arn(`policy/${names.containmentPolicyName}`),
  };
}

/** What happened in one account. */
export interface AccountOutcome<R> {
  readonly account: string;
  readonly roleArn?: string;
  readonly result?: R;
  /** Why the account failed as a whole (the role not assumable, the command refused). */
  readonly error?: string;
  /** The account's own failures (targets not contained), for the summary. */
  readonly failures: readonly string[];
}

/** Runs `work` in every account concurrently; an account that throws is reported, never stops the others. */
export async function inEveryAccount<R>(
  access: AccountAccess,
  targets: readonly AccountTarget[],
  operator: Caller | undefined,
  work: (clients: ContainClients, target: AccountTarget) => Promise<R>,
  failuresOf: (result: R) => readonly string[],
  options: { readonly dryRun?: boolean } = {},
): Promise<Array<AccountOutcome<R>>> {
  return inBatches(targets, access.concurrency ?? 20, async (target) => {
    const base = { account: target.account, ...(target.roleArn ? { roleArn: target.roleArn } : {}) };
    try {
      let clients: ContainClients;
      try {
        clients = await accountClients(access, target, operator);
      } catch (error) {
        // A dry run shows what it would do even where the role cannot be assumed (offline).
        if (!options.dryRun || !(error instanceof IrKitError)) throw error;
        clients = access.clientsFor(target.account, { unavailable: error.message });
      }
      const result = await work(clients, target);
      return { ...base, result, failures: failuresOf(result) };
    } catch (error) {
      const reason =
        error instanceof IrKitError
          ? error.message
          : `unexpected: ${(error as Error)?.message ?? String(error)}`;
      return { ...base, error: reason, failures: [reason] };
    }
  });
}

/** Output of concurrent accounts, each line prefixed with its account so that they stay readable. */
export function accountPrefixed<T extends { log(line: string): void; out(text: string): void }>(
  io: T,
  account: string,
): T {
  const prefix = (text: string) =>
    text
      .split('\n')
      .map((line, i, all) => (i === all.length - 1 && line === '' ? line : `[${account}] ${line}`))
      .join('\n');
  return {
    ...io,
    log: (line: string) => io.log(prefix(line)),
    out: (text: string) => io.out(prefix(text)),
  };
}

/** The per-account summary: the role assumed, what it did, why it failed. */
export function describeAccounts<R>(
  outcomes: ReadonlyArray<AccountOutcome<R>>,
  done: (result: R) => string,
): string {
  return table(
    ['account', 'as', 'result', 'details'],
    outcomes.map((o) => [
      o.account,
      o.roleArn ?? '(your credentials)',
      o.failures.length > 0 ? 'FAILED' : 'OK',
      o.error ?? (o.result === undefined ? '-' : done(o.result)),
    ]),
  );
}

/** Fails the command (exit code 4) naming each account that failed, and why. */
export function failIfAnyAccountFailed<R>(
  outcomes: ReadonlyArray<AccountOutcome<R>>,
  what: string,
  code:
    | 'IRKIT_CONTAINMENT_FAILED'
    | 'IRKIT_ERADICATION_FAILED'
    | 'IRKIT_PRESERVATION_FAILED'
    | 'IRKIT_STATUS_INCOMPLETE' = 'IRKIT_CONTAINMENT_FAILED',
): void {
  const failed = outcomes.filter((o) => o.failures.length > 0);
  if (failed.length === 0) return;
  throw new IrKitError(
    code,
    `${what} failed in ${failed.length} of ${outcomes.length} account(s): ${failed.map((o) => o.account).join(', ')}\n` +
      failed.map((o) => o.failures.map((f) => `  - ${o.account}: ${f}`).join('\n')).join('\n'),
    {
      hint: 'the other accounts are done; fix the cause and run the same command again for those accounts (--account ID)',
    },
  );
}

/** The commands' access: the profile's credentials at home, assumed-role credentials elsewhere, in one Region. */
export function createAccountAccess(options: {
  readonly region?: string;
  readonly profile?: string;
  readonly deployRoleArnTemplate?: string;
}): AccountAccess {
  if (options.deployRoleArnTemplate !== undefined)
    deployRoleArn(options.deployRoleArnTemplate, '777777777777');
  return {
    home: createClients({ region: options.region, profile: options.profile }),
    clientsFor: (_account, credentials) =>
      createClients({
        region: options.region,
        ...(options.profile ? { profile: options.profile } : {}),
        credentials:
          'unavailable' in credentials
            ? () => Promise.reject(new IrKitError('IRKIT_AWS', credentials.unavailable))
            : credentials,
      }),
    ...(options.deployRoleArnTemplate !== undefined
      ? { deployRoleArnTemplate: options.deployRoleArnTemplate }
      : {}),
  };
}

/** A plan with something to do: steps, manual actions or approvals. */
export function planHasWork(plan: ContainmentPlan): boolean {
  return plan.steps.length > 0 || Boolean(plan.manualActions?.length) || Boolean(plan.approvals?.length);
}

/**
 * The plans of the accounts asked for (`--account`), or every plan `keep` keeps (by default those
 * with something to do; the first plan when none has); an account no plan names is refused,
 * naming those that are.
 */
export function plansOfAccounts(
  plans: readonly ContainmentPlan[],
  accounts: readonly string[] | undefined,
  keep: (plan: ContainmentPlan, index: number) => boolean = planHasWork,
): ContainmentPlan[] {
  if (!accounts?.length) {
    // An account whose plan holds nothing to do is not entered (its role is not even assumed).
    const busy = plans.filter(keep);
    return busy.length > 0 ? busy : plans.slice(0, 1);
  }
  const known = plans.map((p) => p.accountId).filter((a): a is string => a !== undefined);
  // An account given twice (--account A --account A) is entered once.
  const asked = [...new Set(accounts.map((raw) => v.accountId(raw)))];
  return asked.map((account) => {
    const plan = plans.find((p) => p.accountId === account);
    if (!plan) {
      throw new IrKitError('IRKIT_INVALID_INPUT', `the plan has nothing for account ${account}`, {
        hint: known.length
          ? `the plan's accounts are ${known.join(', ')}; nothing was changed`
          : "the plan names no account: leave out --account to act with your credentials' account",
      });
    }
    return plan;
  });
}

/** One account of a run: the role assumed there (none at home) and that account's plan. */
export interface AccountPlan {
  readonly target: AccountTarget;
  readonly plan: ContainmentPlan;
}

/** What the per-account commands (contain, preserve, eradicate) share: one plan per account, acted on concurrently. */
export interface AccountsRun<R> {
  /** The plans to act on (plansOfAccounts). */
  readonly plans: readonly ContainmentPlan[];
  readonly dryRun: boolean;
  /** The role assumed in another account. @default the access's deploy role template */
  readonly roleArnTemplate?: string;
  /** The command in one account, with that account's clients. */
  readonly work: (clients: ContainClients, account: AccountPlan, operator: Caller | undefined) => Promise<R>;
  /** An account's own failures, for the summary and the exit code. */
  readonly failuresOf: (result: R) => readonly string[];
  /** Printed before acting when another account than the operator's is entered. */
  readonly overview: (accounts: readonly AccountPlan[], homeKnown: boolean) => string;
  /** Asked once for every account (never in a dry run); false cancels. @default no question */
  readonly confirm?: (accounts: readonly AccountPlan[]) => Promise<boolean>;
  /** An account's cell in the summary. */
  readonly done: (result: R) => string;
}

export interface AccountsRunResult<R> {
  readonly cancelled: boolean;
  readonly accounts: ReadonlyArray<AccountOutcome<R>>;
}

/**
 * The one mechanism of `irkit contain|preserve|eradicate` across accounts: the plan of the
 * operator's own account runs with their credentials, each other account's through its role,
 * assumed with the operator in the session name; all at once; one account failing never stops
 * the others. A single plan of the operator's own account is the command itself, unchanged.
 */
export async function runInAccounts<R>(
  access: AccountAccess,
  run: AccountsRun<R>,
  io: { log(line: string): void; out(text: string): void },
): Promise<AccountsRunResult<R>> {
  const operator = await operatorOf(access, !run.dryRun);
  const home = operator?.account;
  const accountOf = (plan: ContainmentPlan) => plan.accountId ?? home ?? PLACEHOLDER_ACCOUNT;
  const targets = accountTargets(
    run.plans.map(accountOf),
    home ?? PLACEHOLDER_ACCOUNT,
    access,
    run.roleArnTemplate,
  );
  const rows = targets.map((target, i) => ({ target, plan: run.plans[i] }));
  // One plan and credentials that cannot be read (an offline dry run): shown as in its own account.
  if (rows.length === 1 && (rows[0].target.roleArn === undefined || home === undefined)) {
    const result = await run.work(access.home, rows[0], operator);
    return {
      cancelled: false,
      accounts: [{ account: rows[0].target.account, result, failures: run.failuresOf(result) }],
    };
  }
  io.out(run.overview(rows, home !== undefined));
  if (!run.dryRun && run.confirm && !(await run.confirm(rows))) {
    io.log('cancelled: nothing was changed');
    return { cancelled: true, accounts: [] };
  }
  const outcomes = await inEveryAccount(
    access,
    targets,
    operator,
    (clients, target) => run.work(clients, rows[targets.indexOf(target)], operator),
    run.failuresOf,
    { dryRun: run.dryRun },
  );
  io.out(`\nPer account:\n${describeAccounts(outcomes, run.done)}`);
  return { cancelled: false, accounts: outcomes };
}
