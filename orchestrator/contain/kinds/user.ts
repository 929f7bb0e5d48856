import type { Stack } from '@aws-sdk/client-cloudformation';
import type { Tag as IamTag } from '@aws-sdk/client-iam';

import { sdk } from '../../aws-sdk';
import { INLINE_POLICY_NAMES } from '../../../lib/constructs/containment/names';
import { invalidInput, IrKitError } from '../../../lib/errors';
import { CONTAINMENT_OUTPUTS, USER_KEY_SLOTS, USER_PARAMS } from '../../../lib/stacks/containment/parameters';
import * as v from '../../../lib/validation';
import { allIamPages, ContainClients, unlessAwsError } from '../aws';
import { nameOfArn } from '../environment';
import type { PlanEvidence } from '../plan';
import { planError, readArray, stringAt, unique } from '../plan-fields';
import { outputOf, parameterOf } from '../stacks';
import type { ContainmentStatus } from '../status';
import { ContainmentKindModule } from './kind';
import {
  revokeAction,
  sessionRevokeChanges,
  sessionRevokeKept,
  sessionRevokeRelease,
} from './session-revoke';

/** Deny-all on the IAM user (the playbook's iam-containment-policy) and its listed keys set Inactive. */
export interface UserStep {
  readonly kind: 'user';
  readonly name: string;
  /** Long-term keys (AKIA...) of this user to set Inactive; a user has at most two. */
  readonly accessKeyIds: readonly string[];
  readonly evidence: readonly PlanEvidence[];
}

export interface UserTarget {
  readonly kind: 'user';
  readonly name: string;
  readonly accessKeyIds: readonly string[];
}

/** The user's keys and their status, as read before containment. */
interface UserRead {
  readonly keys: ReadonlyArray<{ id: string; status: string }>;
}

/** IAM allows two access keys per user; a plan that lists more for one user is wrong. */
export const MAX_KEYS_PER_USER = 2;

export const userKind: ContainmentKindModule<UserStep, UserTarget, UserRead> = {
  kind: 'user',
  validateName: v.iamUserName,
  nameKey: (name) => name.toLowerCase(),
  example: 'JaneDoe',

  stepFields: ['accessKeyIds'],
  readFields(raw, where) {
    const accessKeyIds =
      raw.accessKeyIds === undefined
        ? []
        : readArray(raw.accessKeyIds, `${where}.accessKeyIds`).map((k, i) =>
            longTermKeyId(k, `${where}.accessKeyIds[${i}]`),
          );
    return { accessKeyIds };
  },
  merge: (seen, step, evidence) => ({
    ...seen,
    accessKeyIds: unique([...seen.accessKeyIds, ...step.accessKeyIds]),
    evidence,
  }),
  checkMerged(step) {
    if (step.accessKeyIds.length <= MAX_KEYS_PER_USER) return;
    throw new IrKitError(
      'IRKIT_PLAN_INVALID',
      `the plan lists ${step.accessKeyIds.length} access keys for user ${step.name}: ${step.accessKeyIds.join(', ')}`,
      {
        hint: `IAM allows at most ${MAX_KEYS_PER_USER} access keys per user; check which keys belong to ${step.name}`,
      },
    );
  },
  targetOfStep: (step) => ({ kind: 'user', name: step.name, accessKeyIds: step.accessKeyIds }),
  stepTarget: (step) =>
    step.accessKeyIds.length > 0 ? `${step.name} (keys ${step.accessKeyIds.join(', ')})` : step.name,
  stepAction: (step) => `deny-all${step.accessKeyIds.length > 0 ? ' + deactivate keys' : ''}`,
  resourceLine: (step, code) =>
    `- IAM User: ${code(step.name)}${step.accessKeyIds.length > 0 ? ` and IAM Access Key ID: ${step.accessKeyIds.map(code).join(', ')}` : ''}`,

  options: [
    { flag: '--user <name>', description: 'an IAM user to contain (repeatable)', key: 'users' },
    {
      flag: '--access-key-id <id>',
      description: 'an access key of the --user to set Inactive (repeatable)',
      key: 'accessKeyIds',
    },
  ],
  usage: '--user NAME [--access-key-id ID ...]',
  summary: 'deny-all on users (keys Inactive)',
  targetsOfOptions(options) {
    const users = (options.users ?? []).map(v.iamUserName);
    const keys = (options.accessKeyIds ?? []).map(v.accessKeyId);
    if (keys.length > 0 && users.length !== 1) {
      throw invalidInput(
        '--access-key-id',
        keys.join(' '),
        'give the keys together with exactly one --user (the user they belong to); use --plan for several users',
      );
    }
    for (const key of keys) {
      if (key.startsWith('ASIA')) {
        throw invalidInput(
          '--access-key-id',
          key,
          'ASIA keys are session credentials and cannot be deactivated; containing the user that minted them cuts them',
        );
      }
    }
    const accessKeyIds = unique(keys);
    if (accessKeyIds.length > MAX_KEYS_PER_USER) {
      throw invalidInput(
        '--access-key-id',
        accessKeyIds.join(' '),
        `IAM allows at most ${MAX_KEYS_PER_USER} keys per user`,
      );
    }
    return users.map((name) => ({ kind: 'user', name, accessKeyIds }));
  },

  async inspect({ clients }, t) {
    const { GetUserCommand } = sdk.iam();
    const user = await unlessAwsError(['NoSuchEntity'], () =>
      clients.iam.send(new GetUserCommand({ UserName: t.name })),
    );
    if (!user?.User) return { target: t, problems: [`IAM user ${t.name} does not exist`] };
    const name = user.User.UserName ?? t.name;
    const [tags, keys] = await Promise.all([userTags(clients, name), userKeys(clients, name)]);
    const problems = t.accessKeyIds
      .filter((id) => !keys.some((k) => k.id === id))
      .map(
        (id) =>
          `access key ${id} is not a key of user ${name} (its keys: ${keys.map((k) => k.id).join(', ') || 'none'})`,
      );
    return { target: { ...t, name }, arn: user.User.Arn, tags, problems, read: { keys } };
  },
  unread: 'the user (exact name, tags, access keys and their status), existing stacks',
  build(context, target, read) {
    const { live, label, value, kept } = context;
    const slots = live ? USER_KEY_SLOTS.map((slot) => parameterOf(live, slot) ?? '') : ['', ''];
    for (const key of target.accessKeyIds) {
      if (slots.includes(key)) continue;
      const free = slots.indexOf('');
      if (free < 0) {
        throw new IrKitError(
          'IRKIT_INVALID_INPUT',
          `${label}: its stack already deactivates two keys (${slots.join(', ')})`,
          {
            hint: `release it (irkit release --incident ${context.incidentId} --target ${label}) and contain again; nothing was changed`,
          },
        );
      }
      slots[free] = key;
    }
    const notes: string[] = [];
    const earlier = slots.filter((k) => k !== '' && !target.accessKeyIds.includes(k));
    if (earlier.length > 0) notes.push(`keys ${earlier.join(', ')} stay deactivated from the earlier run`);
    const parameters = [
      value(USER_PARAMS.userName, target.name),
      ...USER_KEY_SLOTS.map((slot, n) => value(slot, slots[n])),
      kept(USER_PARAMS.containmentTime, context.containmentTime),
      value(USER_PARAMS.restoreKeyIds, ''),
      value(USER_PARAMS.keepSessionRevoke, 'true'),
    ];
    const actions = [
      `attach ${nameOfArn(context.env.containmentPolicyArn)} (Deny * on *) to user ${target.name}; it also cuts sessions from GetSessionToken/GetFederationToken`,
      revokeAction(context, 'user', target.name),
    ];
    for (const key of slots.filter((k) => k !== '')) {
      const status = context.offline
        ? 'not read live'
        : (read?.keys.find((k) => k.id === key)?.status ?? 'unknown');
      actions.push(`set access key ${key} Inactive (now ${status})`);
    }
    const others = (read?.keys ?? []).filter((k) => k.status === 'Active' && !slots.includes(k.id));
    for (const other of others) {
      notes.push(
        `access key ${other.id} is also Active: the deny-all blocks it; add --access-key-id ${other.id} to deactivate it`,
      );
    }
    actions.push(
      'release lifts the deny-all; the revoke of older sessions stays unless release --lift-session-revoke; ' +
        'keys stay Inactive unless named with release --restore-key ID',
    );
    return { parameters, actions, notes };
  },

  async verifyContained(clients, { target, stack, incidentId, containmentPolicyArn }) {
    const { ListAccessKeysCommand } = sdk.iam();
    const keys = deactivatedKeys(stack);
    const notes: string[] = [];
    let denied: boolean;
    if (outputOf(stack, CONTAINMENT_OUTPUTS.denyMode) === 'inline') {
      const { GetUserPolicyCommand } = sdk.iam();
      const inline = await clients.iam.send(
        new GetUserPolicyCommand({
          UserName: target.name,
          PolicyName: INLINE_POLICY_NAMES.userDenyAll(incidentId),
        }),
      );
      denied = inline.PolicyDocument !== undefined;
      notes.push(
        denied
          ? 'deny-all inline policy present (the user already held 10 managed policies)'
          : 'deny-all inline policy missing',
      );
    } else {
      denied = await hasAttached(clients, target.name, containmentPolicyArn);
      notes.push(denied ? 'containment policy attached' : 'containment policy not attached yet');
    }
    const listed = await clients.iam.send(new ListAccessKeysCommand({ UserName: target.name }));
    const active = keys.filter(
      (k) => listed.AccessKeyMetadata?.find((m) => m.AccessKeyId === k)?.Status !== 'Inactive',
    );
    if (keys.length > 0)
      notes.push(
        active.length === 0 ? `keys ${keys.join(', ')} Inactive` : `still Active: ${active.join(', ')}`,
      );
    return { ok: denied && active.length === 0, notes };
  },
  async verifyReleased(clients, { target, stack, incidentId, containmentPolicyArn, restoreKeyIds }) {
    const { GetUserPolicyCommand } = sdk.iam();
    const mode = outputOf(stack, CONTAINMENT_OUTPUTS.denyMode);
    if (mode === 'preexisting') {
      return {
        ok: true,
        notes: ['the containment policy was attached before this stack and stays attached'],
      };
    }
    // A user deleted meanwhile (eradication) reads as missing: released either way.
    const gone =
      mode === 'inline'
        ? (await unlessAwsError(['NoSuchEntity'], () =>
            clients.iam.send(
              new GetUserPolicyCommand({
                UserName: target.name,
                PolicyName: INLINE_POLICY_NAMES.userDenyAll(incidentId),
              }),
            ),
          )) === undefined
        : (await unlessAwsError(['NoSuchEntity'], () =>
            hasAttached(clients, target.name, containmentPolicyArn),
          )) !== true;
    const restored = restoredKeys(stack, restoreKeyIds);
    const notes = [gone ? 'deny lifted' : 'deny still in place'];
    notes.push(
      restored.length > 0
        ? `${restored.join(', ')} set Active again if Active before containment; other keys stay Inactive`
        : 'keys stay Inactive',
    );
    if (sessionRevokeKept(stack)) notes.push('sessions issued before containment stay revoked');
    return { ok: gone, notes };
  },

  nameParameter: USER_PARAMS.userName,
  statusDetails(stack) {
    const keys = deactivatedKeys(stack);
    const mode = outputOf(stack, CONTAINMENT_OUTPUTS.denyMode);
    return [`deny-all${mode ? ` (${mode})` : ''}`, keys.length ? `keys Inactive: ${keys.join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
  },
  targetOfStack: (name) => ({ kind: 'user', name, accessKeyIds: [] }),
  checkRelease: async (_clients, rows, request) => checkRestoreKeys(rows, request),
  releaseChanges(stack, request) {
    const restore = restoredKeys(stack, request.restoreKeyIds);
    return {
      ...(restore.length > 0 ? { [USER_PARAMS.restoreKeyIds]: restore.join(',') } : {}),
      ...sessionRevokeChanges(stack, request),
    };
  },
  describeRelease(row, request) {
    const lines = ['lift the deny-all (unless it was attached before containment)'];
    const restored = restoredKeys(row.stack, request.restoreKeyIds);
    const inactive = deactivatedKeys(row.stack).filter((k) => !restored.includes(k));
    if (restored.length > 0)
      lines.push(`set Active again: ${restored.join(', ')} (only if it was Active before containment)`);
    if (inactive.length > 0)
      lines.push(`stay Inactive: ${inactive.join(', ')} (name a key with --restore-key ID to set it Active)`);
    lines.push(sessionRevokeRelease(row.stack, request, 'no revoke of older sessions to lift'));
    return lines;
  },
};

function longTermKeyId(raw: unknown, where: string): string {
  const id = stringAt(raw, where, v.accessKeyId);
  if (id.startsWith('ASIA')) {
    throw planError(
      where,
      `${id} is a temporary (session) key`,
      'session keys cannot be deactivated; containing the user that minted them (deny-all) cuts them',
    );
  }
  return id;
}

function userTags(clients: ContainClients, user: string): Promise<IamTag[]> {
  const { ListUserTagsCommand } = sdk.iam();
  return allIamPages(
    (Marker) => clients.iam.send(new ListUserTagsCommand({ UserName: user, Marker })),
    (page) => page.Tags,
  );
}

async function userKeys(
  clients: ContainClients,
  user: string,
): Promise<Array<{ id: string; status: string }>> {
  const { ListAccessKeysCommand } = sdk.iam();
  const keys = await allIamPages(
    (Marker) => clients.iam.send(new ListAccessKeysCommand({ UserName: user, Marker })),
    (page) => page.AccessKeyMetadata,
  );
  return keys.map((k) => ({ id: k.AccessKeyId ?? '', status: k.Status ?? '' }));
}

async function hasAttached(clients: ContainClients, user: string, policyArn: string): Promise<boolean> {
  const { ListAttachedUserPoliciesCommand } = sdk.iam();
  let marker: string | undefined;
  do {
    const page = await clients.iam.send(
      new ListAttachedUserPoliciesCommand({ UserName: user, Marker: marker }),
    );
    if ((page.AttachedPolicies ?? []).some((p) => p.PolicyArn === policyArn)) return true;
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return false;
}

/** The keys the stack deactivated (its key slots AccessKeyId1/2). */
function deactivatedKeys(stack: Stack): string[] {
  return USER_KEY_SLOTS.map((slot) => parameterOf(stack, slot) ?? '').filter((k) => k !== '');
}

/** The `--restore-key`s this stack is to set Active again: only keys it deactivated. */
function restoredKeys(stack: Stack, restoreKeyIds: readonly string[]): string[] {
  const slots = deactivatedKeys(stack);
  return restoreKeyIds.filter((id) => slots.includes(id));
}

/**
 * A `--restore-key` the chosen stacks did not deactivate is refused (never reactivate what
 * was not named), as is a stack of an older template that cannot restore keys one by one;
 * nothing is changed then.
 */
function checkRestoreKeys(
  users: readonly ContainmentStatus[],
  request: { incidentId: string; restoreKeyIds: readonly string[] },
): void {
  const problems: string[] = [];
  const restoring = new Set<ContainmentStatus>();
  for (const id of request.restoreKeyIds) {
    const row = users.find((r) => deactivatedKeys(r.stack).includes(id));
    if (row) {
      restoring.add(row);
      continue;
    }
    const known = users.flatMap((r) => deactivatedKeys(r.stack).map((k) => `${k} (user:${r.target})`));
    problems.push(
      `access key ${id} was not deactivated by the containment being released (its keys: ${known.join(', ') || 'none'})`,
    );
  }
  for (const row of restoring) {
    if (parameterOf(row.stack, USER_PARAMS.restoreKeyIds) === undefined) {
      problems.push(
        `user:${row.target}: its stack ${row.stackName} was made by an older irkit that cannot restore keys one by one; ` +
          `run irkit contain --incident ${request.incidentId} --user ${row.target} again (it updates the stack), then release`,
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
}
