import { bucketKind } from './bucket';
import { instanceKind } from './instance';
import { ContainmentKindModule, KindStep, KindTarget } from './kind';
import { roleKind } from './role';
import { userKind } from './user';

/**
 * The containment kinds, in the order the CLI lists their options and runs their release
 * checks. Adding a kind is adding its module here (see orchestrator/contain/README.md).
 */
export const CONTAINMENT_KINDS = [userKind, roleKind, bucketKind, instanceKind] as const;

type Module = (typeof CONTAINMENT_KINDS)[number];
type StepOf<M> = M extends ContainmentKindModule<infer S, KindTarget, unknown> ? S : never;
type TargetOf<M> = M extends ContainmentKindModule<KindStep, infer T, unknown> ? T : never;

export type ContainmentKind = Module['kind'];
/** A plan step: `{kind, name, evidence}` and the kind's own fields. */
export type ContainmentStep = StepOf<Module>;
/** One thing to contain: what the options or a plan step name. */
export type ContainmentTarget = TargetOf<Module>;

/** The kind words: `user`, `role`, `bucket`, `instance`. */
export const KIND_WORDS: readonly ContainmentKind[] = CONTAINMENT_KINDS.map((m) => m.kind);

export function isContainmentKind(value: unknown): value is ContainmentKind {
  return (KIND_WORDS as readonly unknown[]).includes(value);
}

/** The module of a kind, taking that kind's steps and targets (see ContainmentKindModule on why it is typed so). */
export function kindModule(kind: ContainmentKind): ContainmentKindModule<ContainmentStep, ContainmentTarget> {
  const found = CONTAINMENT_KINDS.find((m) => m.kind === kind);
  if (!found) throw new Error(`unknown containment kind ${String(kind)}`);
  return found;
}
