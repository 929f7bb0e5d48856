import { EC2Client } from '@aws-sdk/client-ec2';

import { EVIDENCE_STACK } from '../../lib/names';
import * as v from '../../lib/validation';
import {
  AccountAccess,
  AccountOutcome,
  accountTargets,
  AccountTarget,
  memberRoleArnTemplate,
  operatorOf,
  planHasWork,
  plansOfAccounts,
  runInAccounts,
} from '../contain/accounts';
import { ContainClients } from '../contain/aws';
import { PLACEHOLDER_ACCOUNT } from '../contain/environment';
import { ContainmentPlan } from '../contain/plan';
import { InvestigationResult } from '../investigate/types';
import { terminalSafe } from '../output/escape';
import { OnlineOptions, preserveOnline, PreserveReport, readPlan } from './preserve';
import { evidenceStoreFromStack } from './store';
import { preserveTargets, PreserveTargets } from './targets';

/**
 * Preservation across the accounts of an organization: the operator's own account's run
 * preserves the document, the raw records and that account's targets, as `irkit preserve`
 * always did; each other account the investigation names is entered through its break-glass
 * role (runInAccounts, as containment) and its principals, buckets and instances go to the one
 * evidence store of the operator's account, under `incidents/ID/accounts/ACCOUNT/`, listed in
 * the same manifest: written with the operator's credentials, except its object versions, which
 * that role copies server-side (the evidence bucket admits it there, lib/constructs/evidence-store.ts).
 */

/** The folder of another account's evidence and eradication records, relative to the incident's folder. */
export function accountFolder(account: string): string {
  return `${EVIDENCE_STACK.accountsFolder}${v.accountId(account)}/`;
}

/** One account's run in a line: what it added and kept, and what it did not. */
export function preservationSummary(r: PreserveReport): string {
  const counted = (n: number, what: string) => (n ? `, ${n} ${what}` : '');
  return `${r.added.length} added, ${r.kept.length} kept${counted(r.conflicts.length, 'conflict(s)')}${counted(r.failed.length, 'not copied')}${counted(r.skipped.length, 'skipped')}`;
}

/** Why one account's run is not whole: each conflict and each copy AWS refused, one line each. */
export function preservationFailures(report: PreserveReport): string[] {
  return [...report.conflicts, ...report.failed].map((p) => `${p.path}: ${terminalSafe(p.detail)}`);
}

/** Every plan of the investigation document: the main one, then the other accounts'. */
export function accountPlans(result: InvestigationResult): ContainmentPlan[] {
  return [result.containmentPlan, ...result.otherAccountPlans];
}

export interface AccountsPreserveOptions extends Omit<OnlineOptions, 'accountFolder' | 'elsewhere'> {
  /** Only these other accounts (`--account`); the operator's own account's run always happens. @default every account the investigation names */
  readonly accounts?: readonly string[];
  /** The role preservation assumes in another account: its break-glass role. */
  readonly breakGlassRoleName: string;
  /** EC2 in another Region with one account's credentials. */
  readonly ec2For: (clients: ContainClients, region: string) => EC2Client;
}

export interface AccountsPreserveReport {
  /** The operator's own account's run. */
  readonly home: PreserveReport;
  /** Each other account's. */
  readonly accounts: ReadonlyArray<AccountOutcome<PreserveReport>>;
}

/** What one account holds of the targets; the operator's own (`home`) holds those of no known account too. */
function targetsIn(targets: PreserveTargets, account: string | undefined, home?: string) {
  const here = (a: string | null) => (a === null ? account === home : a === account);
  return {
    principals: targets.principals.filter((p) => here(p.account)),
    buckets: targets.buckets.filter((b) => here(b.account)),
    instances: targets.instances.filter((i) => here(i.account)),
  };
}

/** The other accounts' plans to enter: asked with --account, else those with work or targets. */
function otherPlans(
  doc: InvestigationResult,
  targets: PreserveTargets,
  home: string | undefined,
  accounts: readonly string[] | undefined,
): ContainmentPlan[] {
  const plans = accountPlans(doc);
  const holds = (p: ContainmentPlan) => {
    const t = targetsIn(targets, p.accountId);
    return t.principals.length + t.buckets.length + t.instances.length > 0;
  };
  const chosen = plansOfAccounts(plans, accounts, (p) => planHasWork(p) || holds(p));
  return chosen.filter((p) => p.accountId !== undefined && p.accountId !== home);
}

/** `irkit preserve` over every account of the investigation; one account failing does not stop the others. */
export async function preserveAccounts(
  access: AccountAccess,
  options: AccountsPreserveOptions,
): Promise<AccountsPreserveReport> {
  const doc = readPlan(options.plan, options.incidentId);
  const targets = preserveTargets(doc);
  const operator = await operatorOf(access, true);
  const plans = otherPlans(doc, targets, operator?.account, options.accounts);
  const store = options.store ?? (await evidenceStoreFromStack(options.clients, options.evidenceStackName));
  const elsewhere = new Set(plans.map((p) => p.accountId as string));
  const home = await preserveOnline({ ...options, store, elsewhere });
  if (plans.length === 0) return { home, accounts: [] };
  const say = options.progress ?? (() => undefined);
  const run = await runInAccounts(
    access,
    {
      plans,
      dryRun: false,
      roleArnTemplate: memberRoleArnTemplate(options.breakGlassRoleName),
      work: (clients, { target }) =>
        preserveOnline({
          ...options,
          progress: (line) => say(`[${target.account}] ${line}`),
          clients: { ...clients, ec2: (region) => options.ec2For(clients, region) },
          store,
          accountFolder: accountFolder(target.account),
        }),
      failuresOf: preservationFailures,
      overview: () => '',
      done: preservationSummary,
    },
    { log: say, out: () => undefined },
  );
  return { home, accounts: run.accounts };
}

/**
 * Every account's outcome, the operator's own first, for the exit code: its failures are the
 * copies AWS refused there (its conflicts fail the command on their own, IRKIT_EVIDENCE_INVALID).
 */
export function preservationOutcomes(result: AccountsPreserveReport): Array<AccountOutcome<PreserveReport>> {
  const home = {
    account: result.home.operator.split(':')[4] ?? 'your account',
    result: result.home,
    failures: result.home.failed.map((f) => `${f.path}: ${terminalSafe(f.detail)}`),
  };
  return [home, ...result.accounts];
}

/** One account of a dry run: the role it would assume and the calls it would make. */
export interface PreservationPlan {
  readonly account: string;
  readonly roleArn?: string;
  readonly calls: readonly string[];
}

/**
 * `irkit preserve --dry-run`: per account, the role it would assume and the calls, read from the
 * investigation alone (no AWS call; the operator's account is named when the credentials can be
 * read).
 */
export async function planPreservation(
  access: AccountAccess,
  options: Pick<AccountsPreserveOptions, 'plan' | 'incidentId' | 'accounts' | 'breakGlassRoleName'>,
): Promise<PreservationPlan[]> {
  const doc = readPlan(options.plan, options.incidentId);
  const targets = preserveTargets(doc);
  const operator = await operatorOf(access, false);
  const home = operator?.account ?? doc.containmentPlan.accountId ?? PLACEHOLDER_ACCOUNT;
  const plans = otherPlans(doc, targets, home, options.accounts);
  const entered: AccountTarget[] = [
    { account: home },
    ...accountTargets(
      plans.map((p) => p.accountId as string),
      home,
      access,
      memberRoleArnTemplate(options.breakGlassRoleName, operator?.partition),
    ),
  ];
  return entered.map((t) => {
    const own = targetsIn(targets, t.account, home);
    const folder = t.account === home ? '' : accountFolder(t.account);
    const calls = [
      ...(t.account === home
        ? [
            `s3 PutObject incidents/${options.incidentId}/investigation.json`,
            `s3 GetObject of the trail's files holding the actor's ${targets.eventIds.size} event(s); PutObject incidents/${options.incidentId}/cloudtrail/actor-records.ndjson.gz; CopyObject of each of those files`,
          ]
        : []),
      ...own.principals.map(
        (p) =>
          `iam Get${p.kind === 'user' ? 'User' : 'Role'} ${p.kind === 'user' ? 'UserName' : 'RoleName'}=${terminalSafe(p.name)} and its policies, groups, keys, credentials, tags; PutObject ${folder}iam/${p.kind}s/`,
      ),
      ...own.buckets.map(
        (b) =>
          `s3 GetBucketPolicy, GetBucketAcl, GetBucketPolicyStatus, GetPublicAccessBlock, GetBucketOwnershipControls, GetBucketTagging, ListObjectVersions Bucket=${terminalSafe(b.name)}; PutObject ${folder}s3/${terminalSafe(b.name)}/bucket.json; CopyObject of every version into ${folder}s3/BUCKET/objects/`,
      ),
      ...own.instances.map(
        (i) =>
          `ec2 DescribeInstances InstanceIds=${i.id} (${i.region}); CreateSnapshot of each volume, tagged irkit:incident=${options.incidentId}; PutObject ${folder}ec2/${i.region}/${i.id}/`,
      ),
      `s3 PutObject incidents/${options.incidentId}/manifest/run-NNNN.json`,
    ];
    return { account: t.account, ...(t.roleArn ? { roleArn: t.roleArn } : {}), calls };
  });
}

export function formatPreservationPlan(incidentId: string, plans: readonly PreservationPlan[]): string {
  const lines = [
    `Dry run: nothing will be changed. Preservation of incident ${incidentId} in ${plans.length} account(s):`,
  ];
  for (const p of plans) {
    lines.push(`  ${p.account}  as ${p.roleArn ?? 'your own credentials'}`);
    for (const call of p.calls) lines.push(`      ${call}`);
  }
  return `${lines.join('\n')}\n`;
}
