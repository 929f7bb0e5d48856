import type { Instance } from '@aws-sdk/client-ec2';

import { sdk } from '../../aws-sdk';
import { INLINE_POLICY_NAMES, isolationGroupName } from '../../../lib/constructs/containment/names';
import { CONTAINMENT_OUTPUTS, INSTANCE_PARAMS } from '../../../lib/stacks/containment/parameters';
import * as v from '../../../lib/validation';
import { ContainClients, isAwsError } from '../aws';
import type { PlanEvidence } from '../plan';
import { optionalString } from '../plan-fields';
import { outputOf, parameterOf } from '../stacks';
import { ContainmentKindModule } from './kind';
import { revokeAction, sessionRevokeChanges, sessionRevokeRelease } from './session-revoke';

/**
 * Isolate an EC2 instance the actor launched or commanded: a security group with no rules on
 * each interface, its instance profile disassociated and that role's older sessions revoked,
 * termination and stop protection on (lib/constructs/containment/handler/instance.ts).
 */
export interface InstanceStep {
  readonly kind: 'instance';
  /** The instance id. */
  readonly name: string;
  /** Where the logs saw it; contain refuses to run it from another Region (the stack is regional). */
  readonly region?: string;
  readonly evidence: readonly PlanEvidence[];
}

export interface InstanceTarget {
  readonly kind: 'instance';
  readonly name: string;
  readonly region?: string;
}

INSTANCE_PARAMS.keepSessionRevoke satisfies 'KeepSessionRevoke';
INSTANCE_PARAMS.containmentTime satisfies 'ContainmentTime';

const GONE = ['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed'];

export const instanceKind: ContainmentKindModule<InstanceStep, InstanceTarget> = {
  kind: 'instance',
  validateName: v.instanceId,
  nameKey: (name) => name,
  example: 'i-1234567890abcdef0',

  stepFields: ['region'],
  readFields(raw, where) {
    const region = optionalString(raw, 'region', where, v.region);
    return region ? { region } : {};
  },
  merge: (seen, step, evidence) => ({ ...seen, ...(step.region ? { region: step.region } : {}), evidence }),
  targetOfStep: (step) => ({
    kind: 'instance',
    name: step.name,
    ...(step.region ? { region: step.region } : {}),
  }),
  stepTarget: (step) => (step.region ? `${step.name} (${step.region})` : step.name),
  stepAction: () => 'isolate (no-rule security group), cut its role, protect from stop and terminate',
  resourceLine: (step, code) =>
    `- EC2 Instance: ${code(step.name)}${step.region ? ` in ${code(step.region)}` : ''}`,

  options: [
    {
      flag: '--instance <id>',
      description: 'an EC2 instance to isolate, in --region (repeatable)',
      key: 'instances',
    },
  ],
  usage: '--instance ID',
  summary: 'isolate instances',
  targetsOfOptions: (options) =>
    (options.instances ?? []).map((name) => ({ kind: 'instance', name: v.instanceId(name) })),

  async inspect({ clients }, t) {
    const region = await clients.ec2.config.region();
    if (t.region && t.region !== region) {
      return {
        target: t,
        problems: [
          `EC2 instance ${t.name} is in ${t.region}, not ${region}: contain it with --region ${t.region} ` +
            '(the containment handler must be deployed there), and leave it out of this run',
        ],
      };
    }
    const instance = await describeInstance(clients, t.name);
    if (!instance) return { target: t, problems: [`EC2 instance ${t.name} does not exist in ${region}`] };
    const state = instance.State?.Name ?? '';
    const problems = ['terminated', 'shutting-down'].includes(state)
      ? [`EC2 instance ${t.name} is ${state}: nothing to isolate`]
      : !instance.VpcId
        ? [`EC2 instance ${t.name} is not in a VPC (EC2-Classic): isolate it by hand`]
        : [];
    return {
      target: t,
      tags: (instance.Tags ?? []).map((tag) => ({ Key: tag.Key, Value: tag.Value })),
      problems,
    };
  },
  unread: 'the instance (state, VPC, tags), existing stacks',
  build(context, target) {
    const { value, kept } = context;
    return {
      parameters: [
        value(INSTANCE_PARAMS.instanceId, target.name),
        kept(INSTANCE_PARAMS.containmentTime, context.containmentTime),
        value(INSTANCE_PARAMS.keepSessionRevoke, 'true'),
      ],
      actions: [
        `turn on termination and stop protection of ${target.name} (evidence on its volumes and in memory is kept)`,
        `create security group ${isolationGroupName(context.incidentId, target.name)} with no rules in its VPC and ` +
          'make it the only group of each network interface (the original groups are kept for release)',
        `disassociate its instance profile, and ${revokeAction(context, 'the role of', 'its instance profile')}`,
        'release restores the groups, the profile and the protections it turned on, and deletes the group; ' +
          'the revoke stays unless release --lift-session-revoke',
      ],
      notes: [
        'connections already established stay open through a security group change (EC2 tracks them): ' +
          'stop the instance or use a network ACL if they must end now',
      ],
    };
  },

  async verifyContained(clients, { target, stack }) {
    const { DescribeIamInstanceProfileAssociationsCommand } = sdk.ec2();
    const group = outputOf(stack, CONTAINMENT_OUTPUTS.isolationGroupId) ?? '';
    const instance = await describeInstance(clients, target.name);
    if (!instance) return { ok: false, notes: [`instance ${target.name} not found`] };
    const notes: string[] = [];
    const enis = instance.NetworkInterfaces ?? [];
    const isolated = enis.every((e) => (e.Groups ?? []).length === 1 && e.Groups?.[0]?.GroupId === group);
    notes.push(
      isolated
        ? `every interface has only ${group}`
        : `an interface holds another group than ${group || 'the isolation group'}`,
    );
    const rules = await groupRules(clients, group);
    if (rules !== 0) notes.push(`the isolation group ${group} has ${rules ?? 'unreadable'} rule(s)`);
    const associations = await clients.ec2.send(
      new DescribeIamInstanceProfileAssociationsCommand({
        Filters: [
          { Name: 'instance-id', Values: [target.name] },
          { Name: 'state', Values: ['associating', 'associated'] },
        ],
      }),
    );
    const noProfile = (associations.IamInstanceProfileAssociations ?? []).length === 0;
    notes.push(noProfile ? 'no instance profile associated' : 'an instance profile is still associated');
    const termination = await attribute(clients, target.name, 'disableApiTermination');
    const stop = await attribute(clients, target.name, 'disableApiStop');
    notes.push(
      termination && stop ? 'termination and stop protection on' : 'termination or stop protection off',
    );
    return { ok: isolated && rules === 0 && noProfile && termination && stop, notes };
  },
  async verifyReleased(clients, { target, stack }) {
    const group = outputOf(stack, CONTAINMENT_OUTPUTS.isolationGroupId) ?? '';
    const instance = await describeInstance(clients, target.name);
    const notes: string[] = [];
    let ok = true;
    if (instance && !['terminated', 'shutting-down'].includes(instance.State?.Name ?? '')) {
      const original = parseGroups(outputOf(stack, CONTAINMENT_OUTPUTS.originalGroups) ?? '');
      for (const eni of instance.NetworkInterfaces ?? []) {
        const now = (eni.Groups ?? []).map((g) => g.GroupId ?? '').sort();
        const was = [...(original.get(eni.NetworkInterfaceId ?? '') ?? now)].sort();
        if (now.join() !== was.join()) {
          ok = false;
          notes.push(`${eni.NetworkInterfaceId} has ${now.join(', ')}, not its original ${was.join(', ')}`);
        }
      }
      if (ok) notes.push('original security groups restored');
    } else {
      notes.push(`instance ${target.name} is gone`);
    }
    const rules = group ? await groupRules(clients, group) : undefined;
    if (rules !== undefined) {
      ok = false;
      notes.push(`the isolation group ${group} still exists`);
    }
    return { ok, notes };
  },

  nameParameter: INSTANCE_PARAMS.instanceId,
  statusDetails: (stack) =>
    `isolated in ${outputOf(stack, CONTAINMENT_OUTPUTS.isolationGroupId) ?? '?'}; role sessions before ` +
    `${parameterOf(stack, INSTANCE_PARAMS.containmentTime) ?? '?'} revoked`,
  targetOfStack: (name) => ({ kind: 'instance', name }),
  releaseChanges: sessionRevokeChanges,
  describeRelease: (row, request) => [
    'restore the original security groups, the instance profile and the protections it turned on; delete the isolation group',
    sessionRevokeRelease(
      row.stack,
      request,
      `remove the inline policy ${INLINE_POLICY_NAMES.revokeOlderSessions(request.incidentId)} from the profile’s role`,
    ),
  ],
};

/** `eni-1=sg-a+sg-b;eni-2=sg-c` (the stack's OriginalGroups output) by interface. */
export function parseGroups(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of text.split(';').filter(Boolean)) {
    const [eni, groups = ''] = part.split('=');
    out.set(eni, groups.split('+').filter(Boolean));
  }
  return out;
}

export async function describeInstance(clients: ContainClients, id: string): Promise<Instance | undefined> {
  const { DescribeInstancesCommand } = sdk.ec2();
  try {
    const out = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    return out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === id);
  } catch (error) {
    if (isAwsError(error, ...GONE)) return undefined;
    throw error;
  }
}

/** How many rules the group has; undefined when it does not exist. */
async function groupRules(clients: ContainClients, group: string): Promise<number | undefined> {
  const { DescribeSecurityGroupsCommand } = sdk.ec2();
  if (!group) return undefined;
  try {
    const out = await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [group] }));
    const g = out.SecurityGroups?.[0];
    if (!g) return undefined;
    return (g.IpPermissions ?? []).length + (g.IpPermissionsEgress ?? []).length;
  } catch (error) {
    if (isAwsError(error, 'InvalidGroup.NotFound', 'InvalidGroupId.NotFound')) return undefined;
    throw error;
  }
}

async function attribute(
  clients: ContainClients,
  id: string,
  name: 'disableApiTermination' | 'disableApiStop',
): Promise<boolean> {
  const { DescribeInstanceAttributeCommand } = sdk.ec2();
  const out = await clients.ec2.send(
    new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: name }),
  );
  return (
    (name === 'disableApiTermination' ? out.DisableApiTermination?.Value : out.DisableApiStop?.Value) === true
  );
}
