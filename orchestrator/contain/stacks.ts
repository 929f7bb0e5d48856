import { randomUUID } from 'node:crypto';

import type { Parameter, Stack, StackEvent, StackStatus, Tag } from '@aws-sdk/client-cloudformation';

import { CONTAINMENT_STACK_PREFIX, TAG_KEYS } from '../../lib/names';
import { sdk } from '../aws-sdk';
import { awsErrorMessage, awsFailure, ContainClients, isAwsError } from './aws';
import { inBatches } from './batches';

/**
 * CloudFormation operations for containment stacks: find, create or update, delete, and
 * wait while streaming the stack's events as progress.
 */

export interface Progress {
  /** One line of progress (stderr). */
  log(line: string): void;
  sleep(ms: number): Promise<void>;
}

export interface WaitOptions {
  /** @default 3000 */
  readonly pollIntervalMs?: number;
  /** @default 30 minutes */
  readonly timeoutMs?: number;
}

/** Every stack status but DELETE_COMPLETE: what ListStacks should return. */
function liveStatuses(): StackStatus[] {
  const { StackStatus: statuses } = sdk.cloudFormation();
  return Object.values(statuses).filter((s) => s !== statuses.DELETE_COMPLETE);
}

/**
 * Every stack whose name has the containment prefix (deleted stacks excluded). ListStacks
 * finds the names (it needs no resource permission), then DescribeStacks reads each one,
 * which the deploy role may do on `irkit-contain-*` stacks only.
 */
export async function listContainmentStacks(clients: ContainClients): Promise<Stack[]> {
  const names: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await clients.cloudFormation.send(
        new (sdk.cloudFormation().ListStacksCommand)({ NextToken: token, StackStatusFilter: liveStatuses() }),
      );
      for (const summary of page.StackSummaries ?? []) {
        if (summary.StackName?.startsWith(CONTAINMENT_STACK_PREFIX)) names.push(summary.StackName);
      }
      token = page.NextToken;
    } while (token);
    const stacks = await inBatches(names, 5, (name) => describeStack(clients, name));
    return stacks.filter((s): s is Stack => s !== undefined);
  } catch (error) {
    throw awsFailure('listing the containment stacks (cloudformation ListStacks, DescribeStacks)', error);
  }
}

export function tagOf(stack: Stack, key: string): string | undefined {
  return stack.Tags?.find((t) => t.Key === key)?.Value;
}

export function parameterOf(stack: Stack, key: string): string | undefined {
  return stack.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

export function outputOf(stack: Stack, key: string): string | undefined {
  return stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
}

export function incidentOf(stack: Stack): string | undefined {
  return tagOf(stack, TAG_KEYS.incident) ?? parameterOf(stack, 'IncidentId');
}

export async function describeStack(
  clients: ContainClients,
  stackNameOrId: string,
): Promise<Stack | undefined> {
  try {
    const out = await clients.cloudFormation.send(
      new (sdk.cloudFormation().DescribeStacksCommand)({ StackName: stackNameOrId }),
    );
    return out.Stacks?.[0];
  } catch (error) {
    // CloudFormation's answer for a stack name it does not know (or a deleted stack's name).
    if (isAwsError(error, 'ValidationError') && /does not exist/.test(awsErrorMessage(error)))
      return undefined;
    throw error;
  }
}

const NO_UPDATES = /No updates are to be performed/;

/** UpdateStack's ValidationError when the template and parameters are unchanged: nothing to do. */
export function isNoUpdates(error: unknown): boolean {
  return isAwsError(error, 'ValidationError') && NO_UPDATES.test(awsErrorMessage(error));
}

export function isInProgress(status: string | undefined): boolean {
  return (status ?? '').endsWith('_IN_PROGRESS');
}

export interface StackRequest {
  readonly stackName: string;
  readonly templateBody: string;
  readonly parameters: readonly Parameter[];
  readonly tags: readonly Tag[];
  readonly roleArn: string;
  readonly description: string;
}

export type DeployOutcome =
  | { readonly ok: true; readonly action: 'created' | 'updated' | 'unchanged'; readonly stack: Stack }
  | { readonly ok: false; readonly reason: string; readonly stack?: Stack };

/** Creates the stack (none yet) or updates it; "No updates are to be performed" is success. */
export async function createOrUpdate(
  clients: ContainClients,
  request: StackRequest,
  exists: boolean,
  progress: Progress,
  wait: WaitOptions,
): Promise<DeployOutcome> {
  const token = `irkit-${randomUUID()}`;
  const common = {
    StackName: request.stackName,
    TemplateBody: request.templateBody,
    Parameters: [...request.parameters],
    Tags: [...request.tags],
    RoleARN: request.roleArn,
    ClientRequestToken: token,
  };
  let stackId: string;
  if (exists) {
    try {
      const out = await clients.cloudFormation.send(new (sdk.cloudFormation().UpdateStackCommand)(common));
      stackId = out.StackId ?? request.stackName;
    } catch (error) {
      if (isNoUpdates(error)) {
        const stack = await describeStack(clients, request.stackName);
        return stack
          ? { ok: true, action: 'unchanged', stack }
          : { ok: false, reason: 'the stack disappeared' };
      }
      return { ok: false, reason: `UpdateStack refused: ${awsErrorMessage(error)}` };
    }
  } else {
    try {
      const out = await clients.cloudFormation.send(
        new (sdk.cloudFormation().CreateStackCommand)({
          ...common,
          OnFailure: 'ROLLBACK',
          TimeoutInMinutes: 15,
        }),
      );
      stackId = out.StackId ?? request.stackName;
    } catch (error) {
      return { ok: false, reason: `CreateStack refused: ${awsErrorMessage(error)}` };
    }
  }
  const stack = await waitForStack(clients, request.stackName, stackId, token, progress, wait);
  const status = stack?.StackStatus ?? 'UNKNOWN';
  if (status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE') {
    return { ok: true, action: exists ? 'updated' : 'created', stack: stack as Stack };
  }
  return { ok: false, reason: await failureReason(clients, stackId, status, token), stack };
}

export type DeleteOutcome =
  { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly stack?: Stack };

/** Deletes the stack (optionally leaving the named resources as they are) and waits for it. */
export async function deleteStack(
  clients: ContainClients,
  stack: Stack,
  progress: Progress,
  wait: WaitOptions,
  options: { roleArn?: string; retainResources?: readonly string[] } = {},
): Promise<DeleteOutcome> {
  const token = `irkit-${randomUUID()}`;
  const stackId = stack.StackId ?? (stack.StackName as string);
  try {
    await clients.cloudFormation.send(
      new (sdk.cloudFormation().DeleteStackCommand)({
        StackName: stackId,
        ClientRequestToken: token,
        ...(options.roleArn ? { RoleARN: options.roleArn } : {}),
        ...(options.retainResources?.length ? { RetainResources: [...options.retainResources] } : {}),
      }),
    );
  } catch (error) {
    return { ok: false, reason: `DeleteStack refused: ${awsErrorMessage(error)}` };
  }
  const after = await waitForStack(clients, stack.StackName as string, stackId, token, progress, wait);
  const status = after?.StackStatus ?? 'DELETE_COMPLETE';
  if (status === 'DELETE_COMPLETE') return { ok: true };
  return { ok: false, reason: await failureReason(clients, stackId, status, token), stack: after };
}

/** Logical ids of the resources a DELETE_FAILED stack could not delete. */
export async function failedResources(clients: ContainClients, stack: Stack): Promise<string[]> {
  const out = await clients.cloudFormation.send(
    new (sdk.cloudFormation().DescribeStackResourcesCommand)({ StackName: stack.StackId ?? stack.StackName }),
  );
  return (out.StackResources ?? [])
    .filter((r) => r.ResourceStatus === 'DELETE_FAILED')
    .map((r) => r.LogicalResourceId as string);
}

/**
 * Polls until the stack leaves *_IN_PROGRESS, printing each new event of this operation
 * (matched by its client request token) as `[stack] time STATUS resource reason`.
 */
export async function waitForStack(
  clients: ContainClients,
  stackName: string,
  stackId: string,
  token: string | undefined,
  progress: Progress,
  wait: WaitOptions,
): Promise<Stack | undefined> {
  const interval = wait.pollIntervalMs ?? 3000;
  const deadline = Date.now() + (wait.timeoutMs ?? 30 * 60_000);
  const seen = new Set<string>();
  // Waiting on another run's operation (no token): show only what happens from now on.
  const since = token ? 0 : Date.now();
  for (;;) {
    await streamEvents(clients, stackName, stackId, token, since, seen, progress);
    const stack = await describeStack(clients, stackId);
    if (!stack || !isInProgress(stack.StackStatus)) {
      await streamEvents(clients, stackName, stackId, token, since, seen, progress);
      return stack;
    }
    if (Date.now() > deadline) {
      progress.log(
        `[${stackName}] still ${stack.StackStatus}; stopped waiting (see the CloudFormation console)`,
      );
      return stack;
    }
    await progress.sleep(interval);
  }
}

async function streamEvents(
  clients: ContainClients,
  stackName: string,
  stackId: string,
  token: string | undefined,
  since: number,
  seen: Set<string>,
  progress: Progress,
): Promise<void> {
  let events: StackEvent[];
  try {
    events =
      (
        await clients.cloudFormation.send(
          new (sdk.cloudFormation().DescribeStackEventsCommand)({ StackName: stackId }),
        )
      ).StackEvents ?? [];
  } catch {
    return; // events are progress only; the status poll decides
  }
  const fresh = events.filter(
    (e) =>
      (token ? e.ClientRequestToken === token : new Date(e.Timestamp ?? 0).getTime() >= since) &&
      !seen.has(e.EventId ?? ''),
  );
  for (const event of fresh.reverse()) {
    seen.add(event.EventId ?? '');
    const time = event.Timestamp ? new Date(event.Timestamp).toISOString().slice(11, 19) : '--:--:--';
    const reason = event.ResourceStatusReason ? `  ${event.ResourceStatusReason}` : '';
    progress.log(
      `[${stackName}] ${time} ${event.ResourceStatus} ${event.ResourceType} ${event.LogicalResourceId}${reason}`,
    );
  }
}

/** Why an operation failed, from its FAILED events (the first is usually the cause). */
export async function failureReason(
  clients: ContainClients,
  stackId: string,
  status: string,
  token?: string,
): Promise<string> {
  try {
    const events =
      (
        await clients.cloudFormation.send(
          new (sdk.cloudFormation().DescribeStackEventsCommand)({ StackName: stackId }),
        )
      ).StackEvents ?? [];
    const failed = events
      .filter((e) => (!token || e.ClientRequestToken === token) && /FAILED$/.test(e.ResourceStatus ?? ''))
      .filter(
        (e) =>
          e.ResourceStatusReason && !/cancelled|Resource creation cancelled/i.test(e.ResourceStatusReason),
      )
      .reverse();
    const first = failed.find((e) => e.ResourceType !== 'AWS::CloudFormation::Stack') ?? failed[0];
    if (first) return `${status}: ${first.LogicalResourceId}: ${first.ResourceStatusReason}`;
  } catch {
    // fall through to the status alone
  }
  return `stack ended in ${status}`;
}
