import { randomUUID } from 'node:crypto';

import { Stack, UpdateStackCommand } from '@aws-sdk/client-cloudformation';

import { IrKitError } from '../../lib/errors';
import { DEFAULT_NAMES } from '../../lib/names';
import { USER_PARAMS } from '../../lib/stacks/containment/parameters';
import * as v from '../../lib/validation';
import { awsErrorMessage, ContainClients } from './aws';
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
  Progress,
  waitForStack,
  WaitOptions,
} from './stacks';
import { ContainmentStatus, describeContainment, unknownIncident } from './status';
import { parseTargetSpec, sameTarget } from './targets';
import { keptOriginalPolicy, verifyReleased, VerifyOptions } from './verify';

export interface ReleaseIo extends Progress {
  out(text: string): void;
  readonly confirm?: (question: string) => Promise<boolean>;
}

export interface ReleaseOptions extends WaitOptions {
  readonly incidentId: string;
  /** `user:NAME`, `role:NAME`, `bucket:NAME` or a stack name; all of the incident's when absent. */
  readonly targets?: readonly string[];
  /** Set the keys the containment deactivated Active again. */
  readonly restoreKeys?: boolean;
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
  const policyArn = options.containmentPolicyArn ?? (await containmentPolicyArn(clients, chosen));

  io.out(describeRelease(incidentId, chosen, options));
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
      return await releaseOne(clients, row, incidentId, policyArn, options, io);
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
): string {
  const lines = [
    `${options.dryRun ? 'Dry run: nothing will be changed. ' : ''}Release of incident ${incidentId}`,
    '',
  ];
  rows.forEach((row, n) => {
    lines.push(`${n + 1}. ${row.kind}:${row.target}  ->  delete stack ${row.stackName} (${row.stackStatus})`);
    if (row.kind === 'user') {
      lines.push('     - lift the deny-all (unless it was attached before containment)');
      lines.push(
        options.restoreKeys
          ? '     - set the keys it deactivated Active again (those that were Active)'
          : '     - keys stay Inactive',
      );
    } else if (row.kind === 'role') {
      lines.push('     - remove the revoke-older-sessions inline policy');
    } else if (row.kind === 'bucket') {
      const original = keptOriginalPolicy(row.stack);
      lines.push(
        original === undefined
          ? '     - remove the bucket policy (the bucket had none before)'
          : `     - put back the original bucket policy, byte for byte (${Buffer.byteLength(original)} bytes)`,
      );
    }
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

async function releaseOne(
  clients: ContainClients,
  row: ContainmentStatus,
  incidentId: string,
  policyArn: string,
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
  const before = stack;

  if (
    options.restoreKeys &&
    row.kind === 'user' &&
    stack.StackStatus !== 'DELETE_FAILED' &&
    stack.StackStatus !== 'ROLLBACK_COMPLETE'
  ) {
    const restored = await setRestoreKeys(clients, stack, io, options);
    if (restored) return fail(`could not ask for the keys to be restored: ${restored}; nothing was released`);
  }

  let retain: string[] = [];
  if (stack.StackStatus === 'DELETE_FAILED' && options.retainFailed) {
    retain = await failedResources(clients, stack);
    io.log(`[${row.stackName}] deleting, leaving as they are: ${retain.join(', ') || '(none)'}`);
  }
  const deleted = await deleteStack(clients, stack, io, options, { retainResources: retain });
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
  const target =
    row.kind === 'user'
      ? { kind: 'user' as const, name: row.target, accessKeyIds: [] }
      : { kind: row.kind === 'role' ? ('role' as const) : ('bucket' as const), name: row.target };
  const check = await verifyReleased(
    clients,
    {
      target,
      stack: before,
      incidentId,
      containmentPolicyArn: policyArn,
      restoreKeys: options.restoreKeys ?? false,
    },
    io,
    options.verify,
  );
  if (!check.verified) return fail(`the stack is deleted but ${check.notes.join('; ')}`);
  return { label, stackName: row.stackName, outcome: 'released', notes: check.notes };
}

/** Stack update RestoreKeys=true, everything else as it is; returns a reason on failure. */
async function setRestoreKeys(
  clients: ContainClients,
  stack: Stack,
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
          p.ParameterKey === USER_PARAMS.restoreKeys
            ? { ParameterKey: p.ParameterKey, ParameterValue: 'true' }
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
