import type { Stack } from '@aws-sdk/client-cloudformation';
import type { Tag as IamTag } from '@aws-sdk/client-iam';

import { sdk } from '../../aws-sdk';
import { INLINE_POLICY_NAMES } from '../../../lib/constructs/containment/names';
import {
  CONTAINMENT_OUTPUTS,
  ROLE_MODES,
  ROLE_PARAMS,
  RoleMode,
} from '../../../lib/stacks/containment/parameters';
import * as v from '../../../lib/validation';
import { allIamPages, ContainClients, unlessAwsError } from '../aws';
import { nameOfArn } from '../environment';
import type { PlanEvidence } from '../plan';
import { planError } from '../plan-fields';
import { outputOf, parameterOf } from '../stacks';
import { ContainmentKindModule } from './kind';
import {
  revokeAction,
  sessionRevokeChanges,
  sessionRevokeKept,
  sessionRevokeRelease,
} from './session-revoke';

/**
 * Revoke the sessions of a role the credential assumed. `deny-all` also attaches the deny-all
 * policy: for rogue roles the actor created or whose trust policy it changed.
 */
export interface RoleStep {
  readonly kind: 'role';
  readonly name: string;
  /** Absent: 'revoke'. */
  readonly mode?: RoleMode;
  /**
   * An IR role the actor assumed: revoke only, and `irkit contain` performs it only when run
   * as the break-glass role.
   */
  readonly irRole?: true;
  readonly evidence: readonly PlanEvidence[];
}

export interface RoleTarget {
  readonly kind: 'role';
  readonly name: string;
  readonly mode: RoleMode;
  readonly irRole: boolean;
}

type RoleOptions = Pick<RoleStep, 'mode' | 'irRole'>;

export const roleKind: ContainmentKindModule<RoleStep, RoleTarget> = {
  kind: 'role',
  validateName: v.iamRoleName,
  nameKey: (name) => name.toLowerCase(),
  example: 'AppRole',

  stepFields: ['mode', 'irRole'],
  readFields(raw, where) {
    const { mode, irRole } = raw;
    if (mode !== undefined && !ROLE_MODES.includes(mode as RoleMode)) {
      throw planError(
        `${where}.mode`,
        `is ${JSON.stringify(mode)}`,
        `mode is one of ${ROLE_MODES.join(', ')} (absent: revoke)`,
      );
    }
    if (irRole !== undefined && irRole !== true) {
      throw planError(`${where}.irRole`, `is ${JSON.stringify(irRole)}`, 'irRole is true or absent');
    }
    return checkedRoleOptions(
      { ...(mode !== undefined ? { mode: mode as RoleMode } : {}), ...(irRole ? { irRole } : {}) },
      where,
    );
  },
  merge(seen, step, evidence) {
    // The stronger containment wins: deny-all over revoke; an IR role stays one.
    const mode = seen.mode === 'deny-all' || step.mode === 'deny-all' ? 'deny-all' : (seen.mode ?? step.mode);
    const irRole = seen.irRole ?? step.irRole;
    return checkedRoleOptions(
      { ...seen, ...(mode ? { mode } : {}), ...(irRole ? { irRole } : {}), evidence },
      `the steps for role ${step.name}`,
    );
  },
  targetOfStep: (step) => ({
    kind: 'role',
    name: step.name,
    mode: step.mode ?? 'revoke',
    irRole: step.irRole ?? false,
  }),
  stepTarget: (step) => step.name,
  stepAction(step) {
    if (step.irRole) return 'revoke older sessions, as the break-glass role';
    return step.mode === 'deny-all' ? 'deny-all + revoke older sessions' : 'revoke older sessions';
  },
  resourceLine: (step, code) => `- IAM Role: ${code(step.name)}${roleNote(step)}`,

  options: [
    {
      flag: '--role <name>',
      description: 'a role whose older sessions to revoke (repeatable)',
      key: 'roles',
    },
  ],
  usage: '--role NAME',
  summary: 'revoke role sessions',
  targetsOfOptions: (options) =>
    (options.roles ?? []).map((name) => ({
      kind: 'role',
      name: v.iamRoleName(name),
      mode: 'revoke',
      irRole: false,
    })),

  async inspect({ clients }, t) {
    const { GetRoleCommand } = sdk.iam();
    const role = await unlessAwsError(['NoSuchEntity'], () =>
      clients.iam.send(new GetRoleCommand({ RoleName: t.name })),
    );
    if (!role?.Role) return { target: t, problems: [`IAM role ${t.name} does not exist`] };
    const target = { ...t, name: role.Role.RoleName ?? t.name };
    const tags = await roleTags(clients, target.name);
    const problems =
      t.irRole && t.mode === 'deny-all'
        ? ['an IR role the actor assumed is only revoked, never deny-all']
        : [];
    return { target, arn: role.Role.Arn, tags, problems };
  },
  unread: 'the role (exact name, tags), existing stacks',
  build(context, target) {
    const { value, kept } = context;
    const parameters = [
      value(ROLE_PARAMS.roleName, target.name),
      kept(ROLE_PARAMS.containmentTime, context.containmentTime),
      value(ROLE_PARAMS.roleMode, target.mode),
      value(ROLE_PARAMS.keepSessionRevoke, 'true'),
    ];
    if (target.irRole) {
      return {
        parameters,
        actions: [
          `put inline policy ${INLINE_POLICY_NAMES.revokeOlderSessions(context.incidentId)} on IR role ${target.name} directly ` +
            '(no stack: the handler never changes an IR role): deny everything to sessions issued before the containment time; never deny-all',
          'release does not lift it; remove it by hand once the role’s trust is reviewed',
        ],
        notes: [
          `an IR role the actor assumed: performed only when run as ${context.breakGlassRoleName}` +
            (context.offline ? ' (the caller was not read live)' : ''),
        ],
      };
    }
    const denyAll = target.mode === 'deny-all';
    return {
      parameters,
      actions: [
        ...(denyAll
          ? [
              `attach ${nameOfArn(context.env.containmentPolicyArn)} (Deny * on *) to role ${target.name}: a role the actor created or re-trusted, so no session of it keeps working`,
            ]
          : []),
        revokeAction(context, 'role', target.name) +
          (denyAll ? '' : ' (never deny-all: later sessions keep working)'),
        `release ${denyAll ? 'detaches the deny-all; it ' : ''}keeps the revoke of older sessions unless release --lift-session-revoke`,
      ],
      notes: [],
    };
  },
  irRole: (target) => target.irRole,

  async verifyContained(clients, { target, stack, incidentId }) {
    const { GetRolePolicyCommand } = sdk.iam();
    const policyName = revokePolicyName(stack, incidentId);
    const out = await clients.iam.send(
      new GetRolePolicyCommand({ RoleName: target.name, PolicyName: policyName }),
    );
    const doc = JSON.parse(decodeURIComponent(out.PolicyDocument ?? '%7B%7D')) as { Statement?: unknown };
    const ok = JSON.stringify(doc.Statement ?? '').includes('aws:TokenIssueTime');
    return {
      ok,
      notes: [
        ok
          ? `inline policy ${policyName} revokes sessions issued before the containment time`
          : `inline policy ${policyName} not as expected`,
      ],
    };
  },
  async verifyReleased(clients, { target, stack, incidentId }) {
    const policyName = revokePolicyName(stack, incidentId);
    const present =
      (await unlessAwsError(['NoSuchEntity'], async () => {
        const { GetRolePolicyCommand } = sdk.iam();
        await clients.iam.send(new GetRolePolicyCommand({ RoleName: target.name, PolicyName: policyName }));
        return true;
      })) === true;
    if (sessionRevokeKept(stack)) {
      return present
        ? {
            ok: true,
            notes: [`inline policy ${policyName} kept: sessions issued before containment stay revoked`],
          }
        : { ok: false, notes: [`inline policy ${policyName} is gone, but release was to keep it`] };
    }
    return present
      ? { ok: false, notes: [`inline policy ${policyName} still present`] }
      : { ok: true, notes: [`inline policy ${policyName} removed`] };
  },

  nameParameter: ROLE_PARAMS.roleName,
  statusDetails: (stack) =>
    `sessions before ${parameterOf(stack, ROLE_PARAMS.containmentTime) ?? '?'} revoked`,
  targetOfStack: (name, stack) => ({
    kind: 'role',
    name,
    mode: parameterOf(stack, ROLE_PARAMS.roleMode) === 'deny-all' ? 'deny-all' : 'revoke',
    irRole: false,
  }),
  releaseChanges: sessionRevokeChanges,
  describeRelease: (row, request) => [
    ...(parameterOf(row.stack, ROLE_PARAMS.roleMode) === 'deny-all' ? ['detach the deny-all'] : []),
    sessionRevokeRelease(
      row.stack,
      request,
      `remove the inline policy ${INLINE_POLICY_NAMES.revokeOlderSessions(request.incidentId)}`,
    ),
  ],
};

/** An IR role is never deny-all'd: the responders need it. */
function checkedRoleOptions<T extends RoleOptions>(step: T, where: string): T {
  if (step.irRole && step.mode === 'deny-all') {
    throw planError(
      where,
      'is an IR role (irRole) with mode deny-all',
      'an IR role the actor assumed is only revoked (mode revoke or absent); nothing was changed',
    );
  }
  return step;
}

function roleNote(step: RoleStep): string {
  if (step.irRole) return ' (IR role: revoke only, run as the break-glass role)';
  return step.mode === 'deny-all' ? ' (deny-all: created or re-trusted by the actor)' : '';
}

/** The stack's output names it; a stack of an older template has the kit's name. */
function revokePolicyName(stack: Stack, incidentId: string): string {
  return (
    outputOf(stack, CONTAINMENT_OUTPUTS.policyName) ?? INLINE_POLICY_NAMES.revokeOlderSessions(incidentId)
  );
}

function roleTags(clients: ContainClients, role: string): Promise<IamTag[]> {
  const { ListRoleTagsCommand } = sdk.iam();
  return allIamPages(
    (Marker) => clients.iam.send(new ListRoleTagsCommand({ RoleName: role, Marker })),
    (page) => page.Tags,
  );
}
