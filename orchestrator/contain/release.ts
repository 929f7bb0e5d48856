import { randomUUID } from 'node:crypto';

import { Stack, UpdateStackCommand } from '@aws-sdk/client-cloudformation';

import { IrKitError } from '../../lib/errors';
import { DEFAULT_NAMES } from '../../lib/names';
import * as v from '../../lib/validation';
import { awsErrorMessage, ContainClients } from './aws';
import { inBatches } from './batches';
import { ACCESS_OUTPUT_KEYS, ACCESS_STACK_NAME } from './environment';
import { table } from './format';
import { CONTAINMENT_KINDS, ContainmentKind, kindModule } from './kinds';
import { ReleaseRequest } from './kinds/kind';
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
import { verifyReleased, VerifyOptions } from './verify';

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
  const request: ReleaseRequest = {
    incidentId,
    restoreKeyIds: [...new Set((options.restoreKeyIds ?? []).map((k) => v.accessKeyId(k)))],
    liftSessionRevoke: options.liftSessionRevoke ?? false,
    retainFailed: options.retainFailed ?? false,
  };
  // Each kind refuses what it cannot release as asked, before any stack is deleted.
  for (const module of CONTAINMENT_KINDS) {
    await module.checkRelease?.(
      clients,
      chosen.filter((row) => row.kind === module.kind),
      request,
      io,
    );
  }
  const policyArn = options.containmentPolicyArn ?? (await containmentPolicyArn(clients, chosen));

  io.out(describeRelease(chosen, options, request));
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
      return await releaseOne(clients, row, policyArn, request, options, io);
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
  rows: readonly ContainmentStatus[],
  options: ReleaseOptions,
  request: ReleaseRequest,
): string {
  const lines = [
    `${options.dryRun ? 'Dry run: nothing will be changed. ' : ''}Release of incident ${request.incidentId}`,
    '',
  ];
  rows.forEach((row, n) => {
    lines.push(`${n + 1}. ${row.kind}:${row.target}  ->  delete stack ${row.stackName} (${row.stackStatus})`);
    const does = row.kind === 'unknown' ? [] : kindModule(row.kind).describeRelease(row, request);
    for (const line of does) lines.push(`     - ${line}`);
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
  policyArn: string,
  request: ReleaseRequest,
  options: ReleaseOptions,
  io: ReleaseIo,
): Promise<ReleaseResult> {
  const { incidentId } = request;
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
  const changes = row.kind === 'unknown' ? {} : kindModule(row.kind).releaseChanges(stack, request);
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
  if (row.kind === 'unknown') {
    return {
      label,
      stackName: row.stackName,
      outcome: 'released',
      notes: ['stack deleted; its kind is unknown, so not verified'],
    };
  }
  const check = await verifyReleased(
    clients,
    {
      target: kindModule(row.kind).targetOfStack(row.target, before),
      stack: before,
      incidentId,
      containmentPolicyArn: policyArn,
      restoreKeyIds: request.restoreKeyIds,
    },
    io,
    options.verify,
  );
  if (!check.verified) return fail(`the stack is deleted but ${check.notes.join('; ')}`);
  return { label, stackName: row.stackName, outcome: 'released', notes: check.notes };
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
