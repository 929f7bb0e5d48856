import { Parameter, Stack, Tag } from '@aws-sdk/client-cloudformation';

import { IrKitError } from '../../lib/errors';
import { TAG_KEYS } from '../../lib/names';
import { parseIamArn, protectedReason, ProtectionRule } from '../../lib/protection';
import { COMMON_PARAMS } from '../../lib/stacks/containment/parameters';
import { awsFailure, ContainClients } from './aws';
import { ContainEnvironment, nameOfArn } from './environment';
import { ContainmentTarget, kindModule } from './kinds';
import { BuildContext, Inspection } from './kinds/kind';
import { PlanEvidence } from './plan';
import { containmentStackName } from './stack-names';
import { parameterOf, tagOf } from './stacks';
import { PlannedTarget, sameTarget, targetLabel } from './targets';

/**
 * Everything that happens before a containment changes anything: read each target (does it
 * exist, what is its exact name, which keys does it have, what is its bucket policy), refuse
 * protected principals and bad input for ALL targets at once, and work out each stack's name,
 * parameters and tags. Only read calls are made here, and none for a dry run without
 * credentials (`offline`), which says instead what it could not read.
 */

export interface PreparedTarget {
  /** The target with IAM's own spelling of the name. */
  readonly target: ContainmentTarget;
  readonly label: string;
  readonly evidence: readonly PlanEvidence[];
  readonly stackName: string;
  /** The stack of an earlier run, when there is one. */
  readonly existing?: Stack;
  /** True when `existing` holds a containment to update (not a failed first attempt). */
  readonly live: boolean;
  readonly parameters: readonly Parameter[];
  readonly tags: readonly Tag[];
  /** What the stack does, one line each, for the plan shown before acting. */
  readonly actions: readonly string[];
  /** Things the responder should know (other active keys, kept keys, ...). */
  readonly notes: readonly string[];
  /** The bucket's policy could be read before containment (verification relies on it). */
  readonly policyReadable?: boolean;
  /** What a dry run without credentials could not read for this target. */
  readonly unread: readonly string[];
}

export interface PrepareInput {
  readonly incidentId: string;
  readonly targets: readonly PlannedTarget[];
  readonly env: ContainEnvironment;
  readonly existingStacks: readonly Stack[];
  /** The config's rule; the access stack's role names are added to it here. */
  readonly protection: ProtectionRule;
  readonly now: Date;
  /** A dry run without credentials: nothing is read; the targets are taken as named. */
  readonly offline?: boolean;
}

/** States that hold no containment: a first attempt that failed, or nothing executed yet. */
const NOT_LIVE = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'REVIEW_IN_PROGRESS', 'DELETE_FAILED']);

/** A target as read: the kind's inspection, and its stack of an earlier run. */
interface Inspected extends Inspection<ContainmentTarget, unknown> {
  readonly planned: PlannedTarget;
  /** Not read: a dry run without credentials. */
  readonly offline?: boolean;
  readonly existing?: Stack;
}

export async function prepareTargets(
  clients: ContainClients,
  input: PrepareInput,
): Promise<PreparedTarget[]> {
  const inspections = input.offline
    ? input.targets.map((planned): Inspected => ({
        planned,
        target: planned.target,
        problems: [],
        offline: true,
      }))
    : await Promise.all(input.targets.map((planned) => inspect(clients, planned, input)));
  refuseProtected(inspections, input);
  const problems = inspections.flatMap((i) => i.problems.map((p) => `${targetLabel(i.target)}: ${p}`));
  problems.push(...conflicts(inspections, input));
  if (problems.length > 0) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `cannot contain as asked:\n  - ${problems.join('\n  - ')}`, {
      hint: 'fix the plan or the options; nothing was changed',
    });
  }
  return inspections.map((i) => build(i, input));
}

/** The kind's read-only reads, then the stack of an earlier run under the exact name. */
async function inspect(
  clients: ContainClients,
  planned: PlannedTarget,
  input: PrepareInput,
): Promise<Inspected> {
  const t = planned.target;
  try {
    const liveStack = (target: { kind: string; name: string }) => {
      const stack = existingFor(target as ContainmentTarget, input);
      return isLive(stack) ? stack : undefined;
    };
    const inspection = await kindModule(t.kind).inspect({ clients, liveStack }, t);
    return {
      ...inspection,
      planned,
      existing: inspection.problems.length === 0 ? existingFor(inspection.target, input) : undefined,
    };
  } catch (error) {
    if (error instanceof IrKitError) throw error;
    throw awsFailure(`reading ${targetLabel(t)}`, error);
  }
}

function isLive(stack: Stack | undefined): stack is Stack {
  return stack !== undefined && !NOT_LIVE.has(stack.StackStatus ?? '');
}

function existingFor(target: ContainmentTarget, input: PrepareInput): Stack | undefined {
  const name = containmentStackName(input.incidentId, target.kind, target.name);
  return input.existingStacks.find((s) => s.StackName === name);
}

/**
 * The config's rule with what the access stack reports: the IR roles and the execution role
 * as deployed, and its break-glass role (the one whose sessions may revoke an IR role's).
 */
export function containmentRule(rule: ProtectionRule, env: ContainEnvironment): ProtectionRule {
  const breakGlass = env.breakGlassRoleArn ? nameOfArn(env.breakGlassRoleArn) : rule.breakGlassRoleName;
  const irRoles = env.irRoleArns.filter((arn) => arn !== env.breakGlassRoleArn).map(nameOfArn);
  return {
    ...rule,
    breakGlassRoleName: breakGlass,
    irRoleNames: [
      ...rule.irRoleNames,
      ...irRoles,
      ...(same(breakGlass, rule.breakGlassRoleName) ? [] : [rule.breakGlassRoleName]),
    ],
    kitRoleNames: [...rule.kitRoleNames, ...(env.executionRoleArn ? [nameOfArn(env.executionRoleArn)] : [])],
  };
}

/** Whether the credentials are a session of the break-glass role. */
export function isBreakGlassCaller(rule: ProtectionRule, callerArn: string): boolean {
  const caller = parseIamArn(callerArn);
  return caller?.kind === 'role' && same(caller.name, rule.breakGlassRoleName);
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Protected principals are refused, all named at once, before anything changes. An IR role
 * the actor assumed (a plan step with irRole) is the one exception, revoked only, and only
 * by the break-glass role.
 */
function refuseProtected(inspections: readonly Inspected[], input: PrepareInput): void {
  const rule = containmentRule(input.protection, input.env);
  const callerArn = input.offline ? undefined : input.env.caller.arn;
  const breakGlassCaller = callerArn !== undefined && isBreakGlassCaller(rule, callerArn);
  const refused: string[] = [];
  for (const i of inspections) {
    const { target } = i;
    const irRole = isIrRole(target);
    const reason = protectedReason(irRole ? { ...rule, irRoleNames: [] } : rule, {
      kind: target.kind,
      name: target.name,
      ...(i.arn ? { arn: i.arn } : {}),
      ...(i.tags ? { tags: i.tags } : {}),
      ...(callerArn ? { callerArn } : {}),
    });
    const reasons = reason ? [reason] : [];
    if (irRole && callerArn !== undefined && !breakGlassCaller) {
      reasons.push(
        `an IR role the actor assumed: only ${rule.breakGlassRoleName} may revoke its sessions, and the caller is ${callerArn}`,
      );
    }
    if (reasons.length > 0) refused.push(`${targetLabel(target)}: ${reasons.join('; ')}`);
  }
  if (refused.length > 0) {
    const irRoles = inspections.some((i) => isIrRole(i.target));
    throw new IrKitError(
      'IRKIT_PROTECTED_PRINCIPAL',
      `refusing to contain protected principals:\n  - ${refused.join('\n  - ')}`,
      {
        hint:
          'the kit never contains these; remove them from the plan or options' +
          (irRoles
            ? `. To revoke an IR role the actor assumed, run irkit contain as ${rule.breakGlassRoleName}`
            : '') +
          '. Nothing was changed',
      },
    );
  }
}

/** The same target already contained under another incident: releasing one would undo the other. */
function conflicts(inspections: readonly Inspected[], input: PrepareInput): string[] {
  const out: string[] = [];
  for (const i of inspections) {
    for (const stack of input.existingStacks) {
      const label = tagOf(stack, TAG_KEYS.target);
      const incident = tagOf(stack, TAG_KEYS.incident);
      if (!label || !incident || incident === input.incidentId) continue;
      const [kind, ...rest] = label.split(':');
      if (kind === i.target.kind && sameTarget(i.target, { kind: i.target.kind, name: rest.join(':') })) {
        out.push(
          `${targetLabel(i.target)} is already contained under incident ${incident} (stack ${stack.StackName}); ` +
            `use --incident ${incident}, or release it there first`,
        );
      }
    }
  }
  return out;
}

/** An IR role the actor assumed (kinds/kind.ts irRole). */
export function isIrRole(target: ContainmentTarget): boolean {
  return kindModule(target.kind).irRole?.(target) ?? false;
}

function build(i: Inspected, input: PrepareInput): PreparedTarget {
  const { target } = i;
  const module = kindModule(target.kind);
  const stackName = containmentStackName(input.incidentId, target.kind, target.name);
  const live = isLive(i.existing) ? i.existing : undefined;
  const label = targetLabel(target);
  const value = (key: string, v: string): Parameter => ({ ParameterKey: key, ParameterValue: v });
  const context: BuildContext = {
    incidentId: input.incidentId,
    label,
    env: input.env,
    live,
    offline: i.offline ?? false,
    breakGlassRoleName: containmentRule(input.protection, input.env).breakGlassRoleName,
    containmentTime: containmentTime(input.now),
    value,
    // A re-run keeps what the first run chose, when its stack has it (an older template may not).
    kept: (key, fresh) =>
      live && parameterOf(live, key) !== undefined
        ? { ParameterKey: key, UsePreviousValue: true }
        : value(key, fresh),
  };
  const built = module.build(context, target, i.read);
  const tags: Tag[] = live?.Tags?.length
    ? live.Tags
    : [
        { Key: TAG_KEYS.incident, Value: input.incidentId },
        { Key: TAG_KEYS.operator, Value: input.env.caller.arn.slice(0, 256) },
        { Key: TAG_KEYS.containedAt, Value: input.now.toISOString() },
        { Key: TAG_KEYS.target, Value: label.slice(0, 256) },
      ];
  return {
    target,
    label,
    evidence: i.planned.evidence,
    stackName,
    existing: i.existing,
    live: live !== undefined,
    parameters: [value(COMMON_PARAMS.incidentId, input.incidentId), ...built.parameters],
    tags,
    actions: built.actions,
    notes: built.notes,
    policyReadable: built.policyReadable,
    unread: i.offline ? [module.unread] : [],
  };
}

/** The containment time: the next whole second, so no session of the current second escapes. */
export function containmentTime(now: Date): string {
  return new Date(Math.ceil(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
