import { Stack } from '@aws-sdk/client-cloudformation';

import { IrKitError } from '../../lib/errors';
import { TAG_KEYS } from '../../lib/names';
import * as v from '../../lib/validation';
import { ContainClients } from './aws';
import { table } from './format';
import { CONTAINMENT_KINDS, ContainmentKind } from './kinds';
import { incidentOf, listContainmentStacks, parameterOf, tagOf } from './stacks';

/** One containment stack as `irkit status` shows it. */
export interface ContainmentStatus {
  readonly incidentId: string;
  readonly kind: ContainmentKind | 'unknown';
  readonly target: string;
  readonly stackName: string;
  readonly stackStatus: string;
  readonly containedAt?: string;
  readonly operator?: string;
  /** Keys deactivated (users), containment time (roles), details. */
  readonly details: string;
  readonly statusReason?: string;
  readonly stack: Stack;
}

/** What a containment stack contains, read from its parameters (exact) and tags. */
export function describeContainment(stack: Stack): ContainmentStatus {
  const tagged = tagOf(stack, TAG_KEYS.target);
  let kind: ContainmentStatus['kind'] = 'unknown';
  let target = tagged ?? '?';
  let details = '';
  const module = CONTAINMENT_KINDS.find((m) => parameterOf(stack, m.nameParameter) !== undefined);
  if (module) {
    kind = module.kind;
    target = parameterOf(stack, module.nameParameter) as string;
    details = module.statusDetails(stack);
  } else if (tagged?.includes(':')) {
    kind = tagged.split(':')[0] as ContainmentKind;
    target = tagged.slice(tagged.indexOf(':') + 1);
  }
  return {
    incidentId: incidentOf(stack) ?? '?',
    kind,
    target,
    stackName: stack.StackName ?? '?',
    stackStatus: stack.StackStatus ?? '?',
    containedAt: tagOf(stack, TAG_KEYS.containedAt),
    operator: tagOf(stack, TAG_KEYS.operator),
    details,
    statusReason: stack.StackStatusReason,
    stack,
  };
}

/**
 * What is contained: every `irkit-contain-*` stack, or those of one incident, with since
 * when, by whom and in which state. An incident with no stacks is refused as unknown.
 */
export async function containmentStatus(
  clients: ContainClients,
  incidentId?: string,
): Promise<ContainmentStatus[]> {
  if (incidentId !== undefined) v.incidentId(incidentId);
  const stacks = await listContainmentStacks(clients);
  const rows = stacks
    .map(describeContainment)
    .filter((row) => incidentId === undefined || row.incidentId === incidentId)
    .sort((a, b) => a.incidentId.localeCompare(b.incidentId) || a.stackName.localeCompare(b.stackName));
  if (incidentId !== undefined && rows.length === 0) throw unknownIncident(incidentId, stacks);
  return rows;
}

export function unknownIncident(incidentId: string, stacks: readonly Stack[]): IrKitError {
  const known = [
    ...new Set(stacks.map((s) => incidentOf(s)).filter((i): i is string => i !== undefined)),
  ].sort();
  return new IrKitError(
    'IRKIT_UNKNOWN_INCIDENT',
    `no containment stacks for incident ${incidentId} in this account and Region`,
    {
      hint: known.length
        ? `incidents with containment stacks here: ${known.join(', ')} (check --region and --profile)`
        : 'no incident has containment stacks here; check --region and --profile',
    },
  );
}

/** The status table's columns, and one row's cells (`irkit status`, and across accounts after an account column). */
export const STATUS_COLUMNS = ['incident', 'target', 'stack status', 'contained at', 'by', 'what'];
export function statusCells(r: ContainmentStatus): string[] {
  return [
    r.incidentId,
    `${r.kind}:${r.target}`,
    r.stackStatus,
    r.containedAt ?? '-',
    r.operator ?? '-',
    `${r.details}${r.statusReason && /FAILED/.test(r.stackStatus) ? ` (${r.statusReason})` : ''}`,
  ];
}

export function formatStatus(rows: readonly ContainmentStatus[]): string {
  if (rows.length === 0)
    return 'nothing is contained (no irkit-contain-* stacks in this account and Region)\n';
  return table(STATUS_COLUMNS, rows.map(statusCells));
}

/** JSON for scripts: the rows without the raw stack. */
export function statusJson(rows: readonly ContainmentStatus[]): string {
  const plain = rows.map((r) => ({
    incidentId: r.incidentId,
    kind: r.kind,
    target: r.target,
    stackName: r.stackName,
    stackStatus: r.stackStatus,
    containedAt: r.containedAt,
    operator: r.operator,
    details: r.details,
    statusReason: r.statusReason,
  }));
  return `${JSON.stringify(plain, null, 2)}\n`;
}
