import { randomUUID } from 'node:crypto';

import { Stack, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetBucketPolicyCommand } from '@aws-sdk/client-s3';

import { INLINE_POLICY_NAMES } from '../../lib/constructs/containment/names';
import { IrKitError } from '../../lib/errors';
import { CONTAINMENT_SIDS, DEFAULT_NAMES } from '../../lib/names';
import { holdsBucketContainment } from '../../lib/policies/containment';
import { ROLE_PARAMS, USER_KEY_SLOTS, USER_PARAMS } from '../../lib/stacks/containment/parameters';
import * as v from '../../lib/validation';
import { awsErrorMessage, awsErrorName, ContainClients, isAwsError } from './aws';
import { inBatches } from './batches';
import { ACCESS_OUTPUT_KEYS, ACCESS_STACK_NAME } from './environment';
import { table } from './format';
import { ContainmentKind } from './plan';
import {
  deleteStack,
  describeStack,
  failedResources,
  failureReason,
  isInProgress,
  isNoUpdates,
  listContainmentStacks,
  outputOf,
  parameterOf,
  Progress,
  waitForStack,
  WaitOptions,
} from './stacks';
import { ContainmentStatus, describeContainment, unknownIncident } from './status';
import { ContainmentTarget, parseTargetSpec, sameTarget } from './targets';
import { keptOriginalPolicy, verifyReleased, VerifyOptions } from './verify';

export interface ReleaseIo extends Progress {
  out(text: string): void;
  readonly confirm?: (question: string) => Promise<boolean>;
}

export interface ReleaseOptions extends WaitOptions {
  readonly incidentId: string;
  /** `user:NAME`, `role:NAME`, `bucket:NAME` or a stack name; all of the incident's when absent. */
  readonly targets?: readonly string[];
  /**
   * Access keys to set Active again: only keys a user stack deactivated (AccessKeyId1/2), and
   * only those it found Active. Any other key of the user stays Inactive.
   */
  readonly restoreKeyIds?: readonly string[];
  /** Also lift the revoke of sessions issued before containment (kept by default). */
  readonly liftSessionRevoke?: boolean;
  /**
   * For stacks left DELETE_FAILED: delete them leaving the resources that failed as they
   * are (after the responder has put those right by hand).
   */
  readonly retainFailed?: boolean;
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  /** @default 10 */
  readonly concurrency?: number;
  readonly verify?: VerifyOptions;
  /** For the check that the deny is lifted. @default from the IrKitAccess stack, else the account's iam-containment-policy */
  readonly containmentPolicyArn?: string;
}

export interface ReleaseResult {
  readonly label: string;
  readonly stackName: string;
  readonly outcome: 'released' | 'failed' | 'planned';
  readonly notes: readonly string[];
  readonly reason?: string;
}

export interface ReleaseSummary {
  readonly incidentId: string;
  readonly cancelled: boolean;
  readonly results: readonly ReleaseResult[];
}

/**
 * Releases an incident's containment: deletes its stacks (each handler undoing exactly what
 * it did), optionally reactivating the keys first, then checks through IAM/S3 reads that the
 * deny is gone and each bucket has its original policy back.
 */
export async function release(
  clients: ContainClients,
  options: ReleaseOptions,
  io: ReleaseIo,
): Promise<ReleaseSummary> {
  const incidentId = v.incidentId(options.incidentId);
  const wanted = (options.targets ?? []).map((spec) =>
    spec.startsWith('irkit-contain-') ? { stackName: spec } : { target: parseTargetSpec(spec) },
  );
  if (!options.dryRun && !options.yes && !io.confirm) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      'refusing to release without confirmation: no terminal to ask on',
      {
        hint: 'review with --dry-run, then pass --yes to act; nothing was changed',
      },
    );
  }
  const all = await listContainmentStacks(clients);
  const mine = all.map(describeContainment).filter((row) => row.incidentId === incidentId);
  if (mine.length === 0) throw unknownIncident(incidentId, all);
  const chosen = choose(mine, wanted, incidentId);
  const restoring = keysToRestore(chosen, options.restoreKeyIds ?? [], incidentId);
  if (!options.retainFailed) await refuseChangedBucketPolicies(clients, chosen, io);
  const policyArn = options.containmentPolicyArn ?? (await containmentPolicyArn(clients, chosen));

  io.out(describeRelease(incidentId, chosen, options, restoring));
  if (options.dryRun) {
    return {
      incidentId,
      cancelled: false,
      results: chosen.map((c) => ({
        label: `${c.kind}:${c.target}`,
        stackName: c.stackName,
        outcome: 'planned',
        notes: [],
      })),
    };
  }
  if (
    !options.yes &&
    !(await (io.confirm as (q: string) => Promise<boolean>)(
      `Release ${chosen.length} containment(s) of incident ${incidentId}?`,
    ))
  ) {
    io.log('cancelled: nothing was changed');
    return { incidentId, cancelled: true, results: [] };
  }
  const results = await inBatches(chosen, options.concurrency ?? 10, async (row) => {
    try {
      return await releaseOne(clients, row, incidentId, policyArn, restoring.get(row) ?? [], options, io);
    } catch (error) {
      const reason =
        error instanceof IrKitError
          ? error.message
          : `unexpected: ${(error as Error).message ?? String(error)}`;
      return {
        label: `${row.kind}:${row.target}`,
        stackName: row.stackName,
        outcome: 'failed' as const,
        notes: [],
        reason,
      };
    }
  });
  io.out(
    table(
      ['target', 'result', 'stack name', 'details'],
      results.map((r) => [
        r.label,
        r.outcome === 'released' ? 'RELEASED' : 'FAILED',
        r.stackName,
        r.reason ?? r.notes.join('; '),
      ]),
    ),
  );
  return { incidentId, cancelled: false, results };
}

function choose(
  rows: readonly ContainmentStatus[],
  wanted: ReadonlyArray<{ stackName?: string; target?: { kind: ContainmentKind; name: string } }>,
  incidentId: string,
): ContainmentStatus[] {
  if (wanted.length === 0) return [...rows];
  const chosen: ContainmentStatus[] = [];
  const unknown: string[] = [];
  for (const w of wanted) {
    const row = rows.find((r) =>
      w.stackName
        ? r.stackName === w.stackName
        : r.kind === w.target?.kind && sameTarget({ kind: r.kind, name: r.target }, w.target),
    );
    if (!row) unknown.push(w.stackName ?? `${w.target?.kind}:${w.target?.name}`);
    else if (!chosen.includes(row)) chosen.push(row);
  }
  if (unknown.length > 0) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      `incident ${incidentId} has no containment for ${unknown.join(', ')}`,
      {
        hint: `its containments: ${rows.map((r) => `${r.kind}:${r.target}`).join(', ')}; nothing was changed`,
      },
    );
  }
  return chosen;
}

/**
 * Which keys each chosen user stack is to set Active again. A key the stacks did not
 * deactivate is refused (never reactivate what was not named), as is a stack of an older
 * template that cannot restore keys one by one; nothing is changed then.
 */
function keysToRestore(
  rows: readonly ContainmentStatus[],
  keyIds: readonly string[],
  incidentId: string,
): Map<ContainmentStatus, string[]> {
  const out = new Map<ContainmentStatus, string[]>();
  const problems: string[] = [];
  const users = rows.filter((r) => r.kind === 'user');
  for (const id of [...new Set(keyIds.map((k) => v.accessKeyId(k)))]) {
    const row = users.find((r) => USER_KEY_SLOTS.some((slot) => parameterOf(r.stack, slot) === id));
    if (!row) {
      const known = users.flatMap((r) => deactivatedKeys(r.stack).map((k) => `${k} (user:${r.target})`));
      problems.push(
        `access key ${id} was not deactivated by the containment being released (its keys: ${known.join(', ') || 'none'})`,
      );
    } else {
      out.set(row, [...(out.get(row) ?? []), id]);
    }
  }
  for (const row of out.keys()) {
    if (parameterOf(row.stack, USER_PARAMS.restoreKeyIds) === undefined) {
      problems.push(
        `user:${row.target}: its stack ${row.stackName} was made by an older irkit that cannot restore keys one by one; ` +
          `run irkit contain --incident ${incidentId} --user ${row.target} again (it updates the stack), then release`,
      );
    }
  }
  if (problems.length > 0) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      `cannot restore keys as asked:\n  - ${problems.join('\n  - ')}`,
      {
        hint: 'name with --restore-key only keys the containment deactivated; nothing was changed',
      },
    );
  }
  return out;
}

function deactivatedKeys(stack: Stack): string[] {
  return USER_KEY_SLOTS.map((slot) => parameterOf(stack, slot) ?? '').filter((k) => k !== '');
}

/**
 * A bucket policy changed while contained is never overwritten, so its release cannot
 * finish: refuse before deleting anything, showing the kept original and the current policy.
 * While contained the bucket denies everyone but break-glass, so the deploy role may not be
 * able to read it; the stack's own delete then checks it the same way.
 */
async function refuseChangedBucketPolicies(
  clients: ContainClients,
  rows: readonly ContainmentStatus[],
  io: ReleaseIo,
): Promise<void> {
  const changed: string[] = [];
  for (const row of rows.filter((r) => r.kind === 'bucket' && r.stackStatus !== 'DELETE_FAILED')) {
    const original = keptOriginalPolicy(row.stack);
    let current: string | undefined;
    try {
      current = (await clients.s3.send(new GetBucketPolicyCommand({ Bucket: row.target }))).Policy;
    } catch (error) {
      const name = awsErrorName(error);
      if (isAwsError(error, 'NoSuchBucket')) continue;
      if (!isAwsError(error, 'NoSuchBucketPolicy')) {
        io.log(
          `[${row.stackName}] could not read the current policy of bucket ${row.target} (${name || awsErrorMessage(error)}); ` +
            'the stack checks it on delete and never overwrites a changed policy',
        );
        continue;
      }
    }
    if (current === original || holdsBucketContainment(current, original)) continue;
    changed.push(
      [
        `bucket:${row.target}: its policy was changed while contained, so releasing it would overwrite that change.`,
        `    kept original (stack ${row.stackName}, parameters OriginalPolicy1..6): ${original ?? '(none: the bucket had no policy)'}`,
        `    current: ${current ?? '(none: the bucket has no policy now)'}`,
      ].join('\n'),
    );
  }
  if (changed.length === 0) return;
  throw new IrKitError('IRKIT_INVALID_INPUT', `refusing to release:\n  - ${changed.join('\n  - ')}`, {
    hint:
      'nothing was changed. As the break-glass role, either put the kept original back (aws s3api put-bucket-policy, ' +
      'or delete-bucket-policy when there was none) and run irkit release again; or, to keep the policy as it is now, ' +
      `remove its ${CONTAINMENT_SIDS.bucket} statement and run irkit release --retain-failed (the stack is deleted, the policy left as you set it)`,
  });
}

async function containmentPolicyArn(
  clients: ContainClients,
  rows: readonly ContainmentStatus[],
): Promise<string> {
  const access = await describeStack(clients, ACCESS_STACK_NAME).catch(() => undefined);
  const fromStack = access && outputOf(access, ACCESS_OUTPUT_KEYS.containmentPolicyArn);
  if (fromStack) return fromStack;
  const arn = rows[0]?.stack.StackId ?? '';
  const [, partition = 'aws', , , account = ''] = arn.split(':');
  return `arn:${partition}:iam::${account}:policy/${DEFAULT_NAMES.containmentPolicyName}`;
}

function describeRelease(
  incidentId: string,
  rows: readonly ContainmentStatus[],
  options: ReleaseOptions,
  restoring: ReadonlyMap<ContainmentStatus, readonly string[]>,
): string {
  const lines = [
    `${options.dryRun ? 'Dry run: nothing will be changed. ' : ''}Release of incident ${incidentId}`,
    '',
  ];
  rows.forEach((row, n) => {
    lines.push(`${n + 1}. ${row.kind}:${row.target}  ->  delete stack ${row.stackName} (${row.stackStatus})`);
    if (row.kind === 'user') {
      lines.push('     - lift the deny-all (unless it was attached before containment)');
      const restored = restoring.get(row) ?? [];
      const inactive = deactivatedKeys(row.stack).filter((k) => !restored.includes(k));
      if (restored.length > 0)
        lines.push(
          `     - set Active again: ${restored.join(', ')} (only if it was Active before containment)`,
        );
      if (inactive.length > 0)
        lines.push(
          `     - stay Inactive: ${inactive.join(', ')} (name a key with --restore-key ID to set it Active)`,
        );
    } else if (row.kind === 'role') {
      if (parameterOf(row.stack, ROLE_PARAMS.roleMode) === 'deny-all')
        lines.push('     - detach the deny-all');
    } else if (row.kind === 'bucket') {
      const original = keptOriginalPolicy(row.stack);
      lines.push(
        original === undefined
          ? '     - remove the bucket policy (the bucket had none before)'
          : `     - put back the original bucket policy, byte for byte (${Buffer.byteLength(original)} bytes)`,
      );
    }
    if (row.kind !== 'bucket') lines.push(`     - ${sessionRevoke(row, incidentId, options)}`);
    if (row.stackStatus === 'DELETE_FAILED') {
      lines.push(
        options.retainFailed
          ? '     - its earlier delete failed: delete it now, leaving the failed resources as they are (--retain-failed)'
          : '     - its earlier delete failed: try again (add --retain-failed once you have put the failed resources right by hand)',
      );
    }
  });
  return `${lines.join('\n')}\n`;
}

/** What release does with the revoke of older sessions of a user or role. */
function sessionRevoke(row: ContainmentStatus, incidentId: string, options: ReleaseOptions): string {
  const policy = INLINE_POLICY_NAMES.revokeOlderSessions(incidentId);
  const time = parameterOf(
    row.stack,
    row.kind === 'user' ? USER_PARAMS.containmentTime : ROLE_PARAMS.containmentTime,
  );
  if (parameterOf(row.stack, USER_PARAMS.keepSessionRevoke) === undefined)
    return row.kind === 'role' ? `remove the inline policy ${policy}` : 'no revoke of older sessions to lift';
  if (options.liftSessionRevoke)
    return `lift the revoke of sessions issued before ${time ?? 'containment'}: remove the inline policy ${policy} (--lift-session-revoke)`;
  return (
    `sessions issued before ${time ?? 'containment'} stay revoked: the inline policy ${policy} stays, since credentials ` +
    'taken before containment must not work again; --lift-session-revoke removes it'
  );
}

async function releaseOne(
  clients: ContainClients,
  row: ContainmentStatus,
  incidentId: string,
  policyArn: string,
  restoreKeyIds: readonly string[],
  options: ReleaseOptions,
  io: ReleaseIo,
): Promise<ReleaseResult> {
  const label = `${row.kind}:${row.target}`;
  const fail = (reason: string): ReleaseResult => ({
    label,
    stackName: row.stackName,
    outcome: 'failed',
    notes: [],
    reason,
  });
  let stack: Stack | undefined = row.stack;
  if (isInProgress(stack.StackStatus)) {
    io.log(`[${row.stackName}] is ${stack.StackStatus}; waiting for it to finish`);
    stack = await waitForStack(
      clients,
      row.stackName,
      stack.StackId ?? row.stackName,
      undefined,
      io,
      options,
    );
    if (!stack || stack.StackStatus === 'DELETE_COMPLETE')
      return { label, stackName: row.stackName, outcome: 'released', notes: ['already deleted'] };
  }

  // What the delete is to do beyond the defaults goes into the stack's parameters first.
  const changes: Record<string, string> = {};
  if (restoreKeyIds.length > 0) {
    changes[USER_PARAMS.restoreKeyIds] = restoreKeyIds.join(',');
  }
  if (options.liftSessionRevoke && parameterOf(stack, USER_PARAMS.keepSessionRevoke) !== undefined)
    changes[USER_PARAMS.keepSessionRevoke] = 'false';
  if (
    Object.keys(changes).length > 0 &&
    stack.StackStatus !== 'DELETE_FAILED' &&
    stack.StackStatus !== 'ROLLBACK_COMPLETE'
  ) {
    const updated = await setParameters(clients, stack, changes, io, options);
    if (updated)
      return fail(`could not set ${Object.keys(changes).join(', ')}: ${updated}; nothing was released`);
    stack = (await describeStack(clients, stack.StackId ?? row.stackName)) ?? stack;
  }
  const before = stack;

  let retain: string[] = [];
  if (stack.StackStatus === 'DELETE_FAILED' && options.retainFailed) {
    retain = await failedResources(clients, stack);
    io.log(`[${row.stackName}] deleting, leaving as they are: ${retain.join(', ') || '(none)'}`);
  }
  let deleted = await deleteStack(clients, stack, io, options, { retainResources: retain });
  if (
    !deleted.ok &&
    options.retainFailed &&
    retain.length === 0 &&
    deleted.stack?.StackStatus === 'DELETE_FAILED'
  ) {
    // --retain-failed: the responder has put the target right by hand, so leave what fails as it is.
    retain = await failedResources(clients, deleted.stack);
    io.log(`[${row.stackName}] delete failed; deleting again, leaving as they are: ${retain.join(', ')}`);
    deleted = await deleteStack(clients, deleted.stack, io, options, { retainResources: retain });
  }
  if (!deleted.ok) {
    return fail(
      `${deleted.reason}. Fix the cause (the reason above says what the handler found), then run ` +
        `irkit release --incident ${incidentId} --target ${label} again; if you have put it right by hand, add --retain-failed`,
    );
  }
  if (retain.length > 0) {
    return {
      label,
      stackName: row.stackName,
      outcome: 'released',
      notes: [`stack deleted; left as they were: ${retain.join(', ')}`],
    };
  }
  const check = await verifyReleased(
    clients,
    {
      target: releasedTarget(row),
      stack: before,
      incidentId,
      containmentPolicyArn: policyArn,
      restoreKeyIds,
    },
    io,
    options.verify,
  );
  if (!check.verified) return fail(`the stack is deleted but ${check.notes.join('; ')}`);
  return { label, stackName: row.stackName, outcome: 'released', notes: check.notes };
}

function releasedTarget(row: ContainmentStatus): ContainmentTarget {
  if (row.kind === 'user') return { kind: 'user', name: row.target, accessKeyIds: [] };
  if (row.kind === 'role') {
    const mode = parameterOf(row.stack, ROLE_PARAMS.roleMode) === 'deny-all' ? 'deny-all' : 'revoke';
    return { kind: 'role', name: row.target, mode, irRole: false };
  }
  return { kind: 'bucket', name: row.target };
}

/** Stack update setting `changes`, every other parameter as it is; returns a reason on failure. */
async function setParameters(
  clients: ContainClients,
  stack: Stack,
  changes: Readonly<Record<string, string>>,
  io: ReleaseIo,
  options: ReleaseOptions,
): Promise<string | undefined> {
  const token = `irkit-${randomUUID()}`;
  try {
    await clients.cloudFormation.send(
      new UpdateStackCommand({
        StackName: stack.StackId ?? stack.StackName,
        UsePreviousTemplate: true,
        ClientRequestToken: token,
        Parameters: (stack.Parameters ?? []).map((p) =>
          p.ParameterKey !== undefined && changes[p.ParameterKey] !== undefined
            ? { ParameterKey: p.ParameterKey, ParameterValue: changes[p.ParameterKey] }
            : { ParameterKey: p.ParameterKey, UsePreviousValue: true },
        ),
      }),
    );
  } catch (error) {
    if (isNoUpdates(error)) return undefined;
    return awsErrorMessage(error);
  }
  const after = await waitForStack(
    clients,
    stack.StackName as string,
    stack.StackId ?? (stack.StackName as string),
    token,
    io,
    options,
  );
  if (after?.StackStatus === 'UPDATE_COMPLETE') return undefined;
  return failureReason(
    clients,
    stack.StackId ?? (stack.StackName as string),
    after?.StackStatus ?? 'UNKNOWN',
    token,
  );
}
