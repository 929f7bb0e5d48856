import { invalidInput } from '../../lib/errors';
import { CONTAINMENT_KINDS, ContainmentKind, ContainmentTarget, KIND_WORDS, kindModule } from './kinds';
import { TargetOptionValues } from './kinds/kind';
import { ContainmentPlan, PlanEvidence, targetKey } from './plan';

export interface PlannedTarget {
  readonly target: ContainmentTarget;
  readonly evidence: readonly PlanEvidence[];
}

/** `user:JaneDoe`: how targets are shown, tagged and chosen with `--target`. */
export function targetLabel(target: { kind: ContainmentKind; name: string }): string {
  return `${target.kind}:${target.name}`;
}

export function sameTarget(
  a: { kind: ContainmentKind; name: string },
  b: { kind: ContainmentKind; name: string },
): boolean {
  return targetKey(a.kind, a.name) === targetKey(b.kind, b.name);
}

export function targetsOfPlan(plan: ContainmentPlan): PlannedTarget[] {
  return plan.steps.map((step) => ({
    target: kindModule(step.kind).targetOfStep(step),
    evidence: step.evidence,
  }));
}

/** The `irkit contain` target options (`users`, `accessKeyIds`, `roles`, `buckets`: each kind's TargetOption.key). */
export type TargetOptions = TargetOptionValues;

/** The options that name targets, for hints: `--user/--role/--bucket`. */
export const KIND_FLAGS = CONTAINMENT_KINDS.map((m) => m.options[0].flag.split(' ')[0]).join('/');

/** How to name targets on the command line, for hints. */
export const TARGETS_USAGE = `--plan FILE, or ${CONTAINMENT_KINDS.map((m) => m.usage).join(', ')}`;

/**
 * Targets from the command line, each kind reading its own options (`--access-key-id`
 * belongs to `--user`, so it needs exactly one user). Every name is validated; nothing is
 * looked up yet.
 */
export function targetsOfOptions(options: TargetOptions): PlannedTarget[] {
  const targets = CONTAINMENT_KINDS.flatMap((m): ContainmentTarget[] => m.targetsOfOptions(options));
  if (targets.length === 0) throw invalidInput('targets', '', `name what to contain: ${TARGETS_USAGE}`);
  const seen = new Set<string>();
  return targets
    .filter((t) => {
      const key = targetKey(t.kind, t.name);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((target) => ({ target, evidence: [{ reason: 'named on the command line' }] }));
}

/** Parses `--target user:JaneDoe` (or role:, bucket:) for release. */
export function parseTargetSpec(spec: string): { kind: ContainmentKind; name: string } {
  const colon = spec.indexOf(':');
  const kind = spec.slice(0, colon);
  if (colon < 0 || spec.length === colon + 1 || !(KIND_WORDS as readonly string[]).includes(kind)) {
    const examples = CONTAINMENT_KINDS.map((m) => `${m.kind}:${m.example}`);
    throw invalidInput(
      '--target',
      spec,
      `write the kind and the name, e.g. ${examples.slice(0, -1).join(', ')} or ${examples[examples.length - 1]}`,
    );
  }
  const module = kindModule(kind as ContainmentKind);
  return { kind: module.kind, name: module.validateName(spec.slice(colon + 1)) };
}
