import type { Parameter, Stack } from '@aws-sdk/client-cloudformation';
import type { Tag as IamTag } from '@aws-sdk/client-iam';

import type { ContainClients } from '../aws';
import type { ContainEnvironment } from '../environment';
import type { PlanEvidence } from '../plan';
import type { Progress } from '../stacks';
import type { ContainmentStatus } from '../status';

/**
 * One containment kind (user, role, bucket, ...) on the orchestrator's side: everything that
 * differs between kinds, so that plan reading, targets, stack names, prepare, verify, release,
 * status and the CLI iterate the registry (kinds/index.ts) instead of switching on the kind.
 * What is the same for every kind stays in those files: protection (lib/protection.ts), stack
 * create/update/delete (stacks.ts), batches, events, tags.
 *
 * The methods are declared as methods on purpose: the registry hands out every module as
 * `ContainmentKindModule<ContainmentStep, ContainmentTarget>`, which type-checks only because
 * method parameters compare bivariantly. Callers pass each module only its own kind's steps and
 * targets (they look the module up by `kind`), so that is safe.
 */
export interface ContainmentKindModule<
  S extends KindStep = KindStep,
  T extends KindTarget = KindTarget,
  R = unknown,
> {
  /** The kind word: plan steps, stack names (`irkit-contain-<incident>-<kind>-<target>`), `--target kind:NAME`. */
  readonly kind: S['kind'];

  // --- names and targets ---------------------------------------------------------------

  /** Validates a name of this kind (IAM user or role name, bucket name); returns it. */
  validateName(name: string): string;
  /** The name as compared: IAM ignores case in user and role names, S3 compares bucket names exactly. */
  nameKey(name: string): string;
  /** An example name for hints (`user:JaneDoe`). */
  readonly example: string;

  // --- the plan (plan.ts) --------------------------------------------------------------

  /** Step fields besides kind, name and evidence; any other field is refused. */
  readonly stepFields: readonly string[];
  /** Reads and validates those fields of a step (plan-fields.ts has the readers). */
  readFields(raw: Readonly<Record<string, unknown>>, where: string): Omit<S, keyof KindStep>;
  /** Two steps for the same target in one plan: one step with both's fields (evidence merged by the caller). */
  merge(seen: S, step: S, evidence: readonly PlanEvidence[]): S;
  /** Checks a step once every step for its target is merged in (e.g. at most two keys per user). */
  checkMerged?(step: S): void;
  /** The target a plan step names. */
  targetOfStep(step: S): T;
  /** The investigation's renderers: the target as listed (e.g. with its keys), and what the step does. */
  stepTarget(step: S): string;
  stepAction(step: S): string;
  /** A line of the markdown report's resource list; `code` formats a name. */
  resourceLine(step: S, code: (text: string) => string): string;

  // --- the command line (cli/commands/contain.ts, targets.ts) ---------------------------

  /** `irkit contain` options naming targets of this kind (repeatable). */
  readonly options: readonly TargetOption[];
  /** How the options are used, for hints: `--user NAME [--access-key-id ID ...]`. */
  readonly usage: string;
  /** The command description's part: `deny-all on users (keys Inactive)`. */
  readonly summary: string;
  /** Targets from the options (keys of TargetOption.key); validated, nothing looked up. */
  targetsOfOptions(options: TargetOptionValues): T[];

  // --- prepare (prepare.ts): read-only reads, then the stack's parameters -----------------

  /** Read-only AWS reads: exists, exact spelling, tags; problems refuse the whole run. */
  inspect(context: InspectContext, target: T): Promise<Inspection<T, R>>;
  /** What a dry run without credentials could not read. */
  readonly unread: string;
  /** The stack's parameters (after IncidentId), the actions shown in the plan, notes. `read` is absent offline. */
  build(context: BuildContext, target: T, read: R | undefined): Built;
  /**
   * An IR role the actor assumed: exempt from the IR-role protection, performed only as the
   * break-glass role, and directly instead of by a stack (ir-role.ts).
   */
  irRole?(target: T): boolean;

  // --- verify (verify.ts retries each check with a bounded backoff) ---------------------

  /** One attempt at reading the containment's effect through IAM/S3. */
  verifyContained(clients: ContainClients, input: ContainedCheckInput<T>): Promise<Check>;
  /** One attempt at reading that the release undid it. */
  verifyReleased(clients: ContainClients, input: ReleasedCheckInput<T>): Promise<Check>;

  // --- status and release (status.ts, release.ts) -------------------------------------

  /** The stack parameter holding the target's name: it tells a stack's kind. */
  readonly nameParameter: string;
  /** What `irkit status` shows of the stack (parameters, outputs). */
  statusDetails(stack: Stack): string;
  /** The target as release verifies it, from its stack. */
  targetOfStack(name: string, stack: Stack): T;
  /**
   * Refusals before any stack is deleted; throws IRKIT_INVALID_INPUT. Called with this
   * kind's chosen stacks, possibly none (a `--restore-key` no stack holds is refused too).
   */
  checkRelease?(
    clients: ContainClients,
    rows: readonly ContainmentStatus[],
    request: ReleaseRequest,
    io: Progress,
  ): Promise<void>;
  /** Parameters to set on the stack before deleting it (what the delete is to do beyond the defaults). */
  releaseChanges(stack: Stack, request: ReleaseRequest): Readonly<Record<string, string>>;
  /** What releasing the stack does, one line each, for the release plan. */
  describeRelease(row: ContainmentStatus, request: ReleaseRequest): string[];
}

/** What every plan step has; a kind adds its own fields. */
export interface KindStep {
  readonly kind: string;
  readonly name: string;
  readonly evidence: readonly PlanEvidence[];
}

/** What every target has: what a plan step or the options name, without the evidence. */
export interface KindTarget {
  readonly kind: string;
  readonly name: string;
}

/** A repeatable `irkit contain` option. */
export interface TargetOption {
  /** As commander takes it: `--user <name>`. */
  readonly flag: string;
  readonly description: string;
  /** Its key in TargetOptionValues: `users`. */
  readonly key: string;
}

/** The values of the target options, by TargetOption.key. */
export type TargetOptionValues = Readonly<Record<string, readonly string[] | undefined>>;

export interface InspectContext {
  readonly clients: ContainClients;
  /** The stack of an earlier run for the target when it holds a containment (not a failed first attempt). */
  liveStack(target: KindTarget): Stack | undefined;
}

export interface Inspection<T, R> {
  /** The target with its exact spelling (IAM's own). */
  readonly target: T;
  readonly arn?: string;
  /** undefined: could not be read (protection then goes by name and ARN). */
  readonly tags?: readonly IamTag[];
  /** Each refuses the run, all named at once. */
  readonly problems: readonly string[];
  /** What build needs of the reads (keys, policy). */
  readonly read?: R;
}

export interface BuildContext {
  readonly incidentId: string;
  /** `user:JaneDoe`. */
  readonly label: string;
  readonly env: ContainEnvironment;
  /** The stack of an earlier run holding a containment: a re-run updates it and keeps what it chose. */
  readonly live?: Stack;
  /** A dry run without credentials: nothing was read. */
  readonly offline: boolean;
  readonly breakGlassRoleName: string;
  /** This run's containment time (the next whole second). */
  readonly containmentTime: string;
  value(key: string, value: string): Parameter;
  /** UsePreviousValue when the live stack has the parameter (an older template may not), else `fresh`. */
  kept(key: string, fresh: string): Parameter;
}

export interface Built {
  readonly parameters: readonly Parameter[];
  readonly actions: readonly string[];
  readonly notes: readonly string[];
  /** The bucket's policy could be read before containment (verification relies on it). */
  readonly policyReadable?: boolean;
}

export interface Check {
  readonly ok: boolean;
  readonly notes: string[];
}

export interface ContainedCheckInput<T = KindTarget> {
  readonly target: T;
  readonly stack: Stack;
  readonly incidentId: string;
  readonly containmentPolicyArn: string;
  /** The caller could read the bucket policy before containment. */
  readonly policyReadable?: boolean;
}

export interface ReleasedCheckInput<T = KindTarget> {
  readonly target: T;
  /** The stack as it was before deletion (parameters, outputs). */
  readonly stack: Stack;
  readonly incidentId: string;
  readonly containmentPolicyArn: string;
  /** The keys release asked to set Active again (those of this stack are). */
  readonly restoreKeyIds: readonly string[];
}

/** What `irkit release` was asked, as the kinds need it. */
export interface ReleaseRequest {
  readonly incidentId: string;
  /** `--restore-key`, validated, each once. */
  readonly restoreKeyIds: readonly string[];
  readonly liftSessionRevoke: boolean;
  readonly retainFailed: boolean;
}
