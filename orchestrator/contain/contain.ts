import { Stack } from '@aws-sdk/client-cloudformation';

import { IrKitError } from '../../lib/errors';
import { DEFAULT_NAMES } from '../../lib/names';
import { PLAYBOOK_PROTECTION, ProtectionRule } from '../../lib/protection';
import { ContainmentTemplate, containmentTemplates } from '../../lib/stacks/containment/templates';
import * as v from '../../lib/validation';
import { ContainClients } from './aws';
import { inBatches } from './batches';
import {
  ContainEnvironment,
  EnvironmentOptions,
  KitNames,
  offlineEnvironment,
  PLACEHOLDER_ACCOUNT,
  resolveEnvironment,
} from './environment';
import { table } from './format';
import { revokeIrRoleSessions } from './ir-role';
import { ContainmentPlan } from './plan';
import { isIrRole, PreparedTarget, prepareTargets } from './prepare';
import {
  createOrUpdate,
  deleteStack,
  failureReason,
  isInProgress,
  listContainmentStacks,
  Progress,
  waitForStack,
  WaitOptions,
} from './stacks';
import { KIND_FLAGS, PlannedTarget, TARGETS_USAGE, targetsOfPlan } from './targets';
import { verifyContained, VerifyOptions } from './verify';

/** What the library needs from its caller besides AWS: where to write, how to ask, how to wait. */
export interface ContainIo extends Progress {
  /** Results and the plan (stdout). */
  out(text: string): void;
  /** Asks a yes/no question; absent when there is no terminal to ask on. */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface ContainOptions extends EnvironmentOptions, WaitOptions {
  readonly incidentId: string;
  /** What is never contained (lib/protection.ts). @default PLAYBOOK_PROTECTION */
  readonly protection?: ProtectionRule;
  /** The configured names a dry run without credentials builds ARNs from. @default the playbook's */
  readonly names?: KitNames;
  /** The investigation's plan, or ... */
  readonly plan?: ContainmentPlan;
  /** ... targets named on the command line (exactly one of the two). */
  readonly targets?: readonly PlannedTarget[];
  /** Print the plan and templates; change nothing. */
  readonly dryRun?: boolean;
  /** Act without asking. */
  readonly yes?: boolean;
  /** How many stacks to deploy at once. @default 10 */
  readonly concurrency?: number;
  readonly verify?: VerifyOptions;
}

export type TargetOutcome = 'contained' | 'failed' | 'planned';

export interface TargetResult {
  readonly label: string;
  readonly stackName: string;
  readonly outcome: TargetOutcome;
  /** What happened to the stack. */
  readonly action?: 'created' | 'updated' | 'unchanged' | 'recreated';
  readonly verified?: boolean;
  readonly notes: readonly string[];
  /** Why it failed, for the summary. */
  readonly reason?: string;
}

export interface ContainResult {
  readonly incidentId: string;
  readonly dryRun: boolean;
  readonly cancelled: boolean;
  readonly results: readonly TargetResult[];
}

/**
 * Contains every target of a plan, one parameterized stack each, deployed concurrently:
 * validate, read and refuse (protected principals, bad input) before anything changes; show
 * the plan and ask; create or update the stacks, streaming their events; verify the effect
 * through IAM and S3 reads. One target failing does not stop the others.
 */
export async function contain(
  clients: ContainClients,
  options: ContainOptions,
  io: ContainIo,
): Promise<ContainResult> {
  const incidentId = v.incidentId(options.incidentId);
  const planned = plannedTargets(options, incidentId);
  const dryRun = options.dryRun ?? false;
  if (!dryRun && !options.yes && !io.confirm) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      'refusing to contain without confirmation: no terminal to ask on',
      {
        hint: 'review the plan with --dry-run, then pass --yes to act; nothing was changed',
      },
    );
  }
  const manual = options.plan ? describeManual(options.plan) : '';
  if (planned.length === 0) {
    if (manual) io.out(manual);
    io.log('the plan has no steps: nothing to contain');
    return { incidentId, dryRun, cancelled: false, results: [] };
  }
  const env = await environment(clients, options, dryRun);
  if (options.plan?.accountId && !env.offline && options.plan.accountId !== env.caller.account) {
    throw new IrKitError(
      'IRKIT_PLAN_INVALID',
      `the plan is for account ${options.plan.accountId}, but the credentials are for account ${env.caller.account}`,
      { hint: 'use credentials (--profile) of the account the plan was made for; nothing was changed' },
    );
  }
  if (!dryRun && !env.executionRoleArn) {
    throw new IrKitError('IRKIT_CONFIG', 'no containment execution role to deploy the stacks with', {
      hint: 'deploy the access stack (npx cdk deploy IrKitAccess) or pass --execution-role-arn; nothing was changed',
    });
  }
  if (!env.accessStackFound && !env.offline) {
    io.log(
      'note: the IrKitAccess stack was not found; the containment handler it deploys (or, in a member account, the IrKitMemberBaseline StackSet) must exist for the stacks to work',
    );
  }
  const existingStacks = env.offline ? [] : await listContainmentStacks(clients);
  const now = (io.now ?? (() => new Date()))();
  const templates = containmentTemplates();
  const prepared = (
    await prepareTargets(clients, {
      incidentId,
      targets: planned,
      env,
      existingStacks,
      protection: options.protection ?? PLAYBOOK_PROTECTION,
      now,
      offline: env.offline !== undefined,
    })
  ).map((p) => declaredOnly(p, templates[p.target.kind]));

  io.out(describePlan(incidentId, env, prepared, dryRun));
  if (manual) io.out(manual);
  if (dryRun) {
    for (const kind of [...new Set(prepared.map((p) => p.target.kind))]) {
      io.out(`\n# template: ${kind} containment (${Buffer.byteLength(templates[kind].body)} bytes)\n`);
      io.out(`${JSON.stringify(templates[kind].template, null, 2)}\n`);
    }
    const results = prepared.map((p): TargetResult => ({
      label: p.label,
      stackName: p.stackName,
      outcome: 'planned',
      notes: p.notes,
    }));
    return { incidentId, dryRun, cancelled: false, results };
  }
  if (
    !options.yes &&
    !(await (io.confirm as (q: string) => Promise<boolean>)(
      `Contain ${prepared.length} target(s) for incident ${incidentId}?`,
    ))
  ) {
    io.log('cancelled: nothing was changed');
    return { incidentId, dryRun, cancelled: true, results: [] };
  }

  const deployOne = async (p: PreparedTarget): Promise<TargetResult> => {
    try {
      if (isIrRole(p.target)) return await revokeIrRoleSessions(clients, p, incidentId);
      return await deployTarget(clients, p, env, templates[p.target.kind].body, incidentId, options, io);
    } catch (error) {
      const reason =
        error instanceof IrKitError
          ? error.message
          : `unexpected: ${(error as Error).message ?? String(error)}`;
      return { label: p.label, stackName: p.stackName, outcome: 'failed', notes: p.notes, reason };
    }
  };
  const results = await inBatches(prepared, options.concurrency ?? 10, deployOne);
  io.out(describeResults(results));
  return { incidentId, dryRun, cancelled: false, results };
}

function plannedTargets(options: ContainOptions, incidentId: string): PlannedTarget[] {
  if (options.plan && options.targets?.length) {
    throw new IrKitError('IRKIT_INVALID_INPUT', 'give either a plan or targets, not both', {
      hint: `use --plan FILE alone, or ${KIND_FLAGS} without --plan`,
    });
  }
  if (options.plan) {
    if (options.plan.incidentId && options.plan.incidentId !== incidentId) {
      throw new IrKitError(
        'IRKIT_PLAN_INVALID',
        `the plan is for incident ${options.plan.incidentId}, not ${incidentId}`,
        {
          hint: `pass --incident ${options.plan.incidentId}, or the plan of this incident; nothing was changed`,
        },
      );
    }
    return targetsOfPlan(options.plan);
  }
  if (!options.targets?.length) {
    throw new IrKitError('IRKIT_INVALID_INPUT', 'nothing to contain', {
      hint: `name what to contain: ${TARGETS_USAGE}`,
    });
  }
  return [...options.targets];
}

/**
 * The account as the credentials show it; for a dry run that cannot read it (no credentials,
 * no network), ARNs built from the configured names, said so in the plan.
 */
async function environment(
  clients: ContainClients,
  options: ContainOptions,
  dryRun: boolean,
): Promise<ContainEnvironment> {
  try {
    return await resolveEnvironment(clients, options);
  } catch (error) {
    if (!dryRun) throw error;
    const region = await clients.cloudFormation.config.region().catch(() => undefined);
    return offlineEnvironment(
      options,
      options.names ?? DEFAULT_NAMES,
      { region, accountId: options.plan?.accountId },
      error instanceof IrKitError ? error.message : String((error as Error)?.message ?? error),
    );
  }
}

/**
 * Only the parameters the template declares: CloudFormation refuses any other. The templates
 * and the orchestrator change together, but a stack of an older template keeps its own.
 */
function declaredOnly(p: PreparedTarget, template: ContainmentTemplate): PreparedTarget {
  return {
    ...p,
    parameters: p.parameters.filter((param) => template.parameters.includes(param.ParameterKey ?? '')),
  };
}

async function deployTarget(
  clients: ContainClients,
  p: PreparedTarget,
  env: ContainEnvironment,
  templateBody: string,
  incidentId: string,
  options: ContainOptions,
  io: ContainIo,
): Promise<TargetResult> {
  const fail = (reason: string): TargetResult => ({
    label: p.label,
    stackName: p.stackName,
    outcome: 'failed',
    notes: p.notes,
    reason,
  });
  let existing: Stack | undefined = p.existing;
  if (existing && isInProgress(existing.StackStatus)) {
    io.log(`[${p.stackName}] is ${existing.StackStatus} from another run; waiting for it to finish`);
    existing = await waitForStack(
      clients,
      p.stackName,
      existing.StackId ?? p.stackName,
      undefined,
      io,
      options,
    );
    if (existing?.StackStatus === 'DELETE_COMPLETE') existing = undefined;
    if (!existing || existing.StackStatus === 'ROLLBACK_COMPLETE') {
      // The plan was made for the stack as it was; it is gone or failed meanwhile.
      return fail(
        `its stack changed while waiting (now ${existing?.StackStatus ?? 'deleted'}); run irkit contain again`,
      );
    }
  }
  let recreated = false;
  const status = existing?.StackStatus;
  if (existing && (status === 'ROLLBACK_COMPLETE' || status === 'REVIEW_IN_PROGRESS')) {
    const why =
      status === 'ROLLBACK_COMPLETE'
        ? await failureReason(clients, existing.StackId ?? p.stackName, status)
        : status;
    io.log(
      `[${p.stackName}] an earlier attempt failed and was rolled back (${why}). CloudFormation cannot update a stack ` +
        'in ROLLBACK_COMPLETE; it holds no resources, so it is deleted and created again',
    );
    const deleted = await deleteStack(clients, existing, io, options, { roleArn: env.executionRoleArn });
    if (!deleted.ok) return fail(`could not delete the rolled-back stack: ${deleted.reason}`);
    existing = undefined;
    recreated = true;
  } else if (status === 'DELETE_FAILED') {
    const why = await failureReason(clients, existing?.StackId ?? p.stackName, status);
    return fail(
      `its stack is DELETE_FAILED from an earlier release (${why}). Fix the cause, then run ` +
        `irkit release --incident ${incidentId} --target ${p.label} (add --retain-failed once you have undone the change by hand), and contain again`,
    );
  } else if (status === 'ROLLBACK_FAILED' || status === 'UPDATE_ROLLBACK_FAILED') {
    const why = await failureReason(clients, existing?.StackId ?? p.stackName, status);
    return fail(
      `its stack is ${status} (${why}). ${status === 'UPDATE_ROLLBACK_FAILED' ? continueRollbackHint(p.stackName) : `Delete it with irkit release --incident ${incidentId} --target ${p.label}`}, then contain again`,
    );
  }

  const outcome = await createOrUpdate(
    clients,
    {
      stackName: p.stackName,
      templateBody,
      parameters: p.parameters,
      tags: p.tags,
      roleArn: env.executionRoleArn as string,
      description: p.actions.join('; '),
    },
    existing !== undefined,
    io,
    options,
  );
  if (!outcome.ok) return fail(outcome.reason);
  const verification = await verifyContained(
    clients,
    {
      target: p.target,
      stack: outcome.stack,
      incidentId,
      containmentPolicyArn: env.containmentPolicyArn,
      policyReadable: p.policyReadable,
    },
    io,
    options.verify,
  );
  const action = recreated ? 'recreated' : outcome.action;
  if (!verification.verified) {
    return {
      ...fail(
        `the stack is ${outcome.stack.StackStatus} but the effect was not visible: ${verification.notes.join('; ')}`,
      ),
      action,
      verified: false,
    };
  }
  return {
    label: p.label,
    stackName: p.stackName,
    outcome: 'contained',
    action,
    verified: true,
    notes: [...verification.notes, ...p.notes],
  };
}

/** The deploy role may continue a rollback of its own stacks; CloudFormation uses the stack's execution role. */
function continueRollbackHint(stackName: string): string {
  return (
    `Fix the cause above, then, with the same credentials (the deploy role may), run ` +
    `aws cloudformation continue-update-rollback --stack-name ${stackName}`
  );
}

export function describePlan(
  incidentId: string,
  env: ContainEnvironment,
  prepared: readonly PreparedTarget[],
  dryRun: boolean,
): string {
  const lines = [
    `${dryRun ? 'Dry run: nothing will be changed. ' : ''}Containment plan for incident ${incidentId}`,
    `  account ${env.caller.account}, Region ${env.region}, as ${env.caller.arn}`,
    `  stacks run with ${env.executionRoleArn ?? '(no execution role found)'}`,
  ];
  if (env.offline) {
    lines.push(
      `  not read live (${env.offline}): the caller, the IrKitAccess outputs, existing stacks, and each target below;`,
      `  the role and policy ARNs are built from the configured names${env.caller.account === PLACEHOLDER_ACCOUNT ? `, in account ${PLACEHOLDER_ACCOUNT}` : ` in the plan's account ${env.caller.account}`}`,
    );
  }
  lines.push('');
  prepared.forEach((p, n) => {
    const verb = p.existing ? (p.live ? 'update' : `replace (${p.existing.StackStatus})`) : 'create';
    lines.push(`${n + 1}. ${p.label}  ->  stack ${p.stackName} (${verb})`);
    for (const action of p.actions) lines.push(`     - ${action}`);
    const shown = p.parameters.map((param) =>
      param.UsePreviousValue
        ? `${param.ParameterKey}=(kept)`
        : /^OriginalPolicy\d$/.test(param.ParameterKey ?? '')
          ? `${param.ParameterKey}=<${Buffer.byteLength(param.ParameterValue ?? '')} bytes>`
          : `${param.ParameterKey}=${param.ParameterValue}`,
    );
    lines.push(`     parameters: ${shown.join(' ')}`);
    for (const e of p.evidence) {
      lines.push(
        `     evidence: ${e.reason}${e.eventName ? ` (${e.eventName}${e.eventTime ? ` at ${e.eventTime}` : ''})` : ''}`,
      );
    }
    for (const note of p.notes) lines.push(`     note: ${note}`);
    for (const unread of p.unread) lines.push(`     not read live: ${unread}`);
  });
  return `${lines.join('\n')}\n`;
}

/**
 * What the plan leaves to people (playbook steps 9 and 10): its manual actions, with their
 * AWS CLI commands, and the principals for their owners' approval. irkit contain runs none of
 * them; empty when the plan has neither.
 */
export function describeManual(plan: ContainmentPlan): string {
  const lines: string[] = [];
  const actions = plan.manualActions ?? [];
  if (actions.length > 0) {
    lines.push('', 'By hand (irkit contain does not run these):');
    actions.forEach((a, n) => {
      lines.push(`${n + 1}. ${a.target} ${a.name}${a.region ? ` (${a.region})` : ''}: ${a.action}`);
      if (a.command) lines.push(`     ${a.command}`);
    });
  }
  const approvals = plan.approvals ?? [];
  if (approvals.length > 0) {
    lines.push('', 'For the owner’s approval (pre-existing principals the actor changed; not contained):');
    approvals.forEach((a, n) => {
      lines.push(`${n + 1}. ${a.kind} ${a.name}: ${a.changes.map((c) => c.reason).join('; ')}`);
      lines.push(`     deny-all once approved: ${a.command}`);
    });
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

export function describeResults(results: readonly TargetResult[]): string {
  const rows = results.map((r) => [
    r.label,
    r.outcome === 'contained' ? 'CONTAINED' : r.outcome === 'failed' ? 'FAILED' : 'PLANNED',
    r.action ?? '-',
    r.stackName,
    r.reason ?? r.notes.join('; '),
  ]);
  return table(['target', 'result', 'stack', 'stack name', 'details'], rows);
}
