/**
 * The instance kind's resource: isolates an EC2 instance the actor launched or commanded.
 *
 * - every network interface gets one security group with no rules (created here, tagged
 *   `irkit:isolation`), the original groups kept in the state for release;
 * - its instance profile is disassociated (the credentials on the instance stop being renewed)
 *   and the profile's role gets the revoke of sessions issued before the containment time, so
 *   credentials already taken from the instance metadata stop working too;
 * - termination and stop protection are turned on, so the evidence on its volumes and in its
 *   memory is not lost by a stop or a terminate (playbook step 14).
 *
 * Release restores exactly what was there: the original groups on each interface (only where the
 * interface still holds the isolation group alone), the profile (only when none is associated),
 * the protections this stack turned on, and deletes the isolation group. The revoke stays unless
 * lifted. An instance terminated meanwhile (eradication) releases cleanly.
 *
 * Tracked connections survive a security group change (EC2 keeps established flows): the
 * orchestrator's notes say so; stopping the instance or its network ACL is the responder's call.
 */
import {
  AssociateIamInstanceProfileCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DisassociateIamInstanceProfileCommand,
  Instance,
  IpPermission,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  SecurityGroup,
} from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';

import { isAwsError } from '../../../aws-errors';
import { TAG_KEYS } from '../../../names';
import { INLINE_POLICY_NAMES, isolationGroupName } from '../names';
import { deleteKitInline, isRevoke, putRevoke, refuseProtected } from './iam';
import { changedOnUpdate, noState, PartialChange } from './outcome';
import { containmentTimeOf, flagOf, incidentOf, instanceIdOf } from './props';
import { encodeState, InstanceState, ProtectionHold } from './state';
import { VerifiedRequest } from './trust';
import { ContainmentError, HandlerDeps, Outcome } from './types';
import { mergeRevoke } from './user';

const GONE = ['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed'];

export async function instanceIsolation(v: VerifiedRequest, deps: HandlerDeps): Promise<Outcome> {
  if (v.type === 'Delete') {
    const s = v.state?.r === 'instance' ? v.state : undefined;
    if (!s) return noState();
    return release(s, v, deps);
  }
  const incident = incidentOf(v);
  const id = instanceIdOf(v);
  const at = containmentTimeOf(v, deps.now());
  const prev = v.state?.r === 'instance' ? v.state : undefined;
  if (v.type === 'Update' && (!prev || prev.instance !== id || prev.incident !== incident)) {
    throw changedOnUpdate(v, `instance ${id}`);
  }
  const instance = await readInstance(id, deps);
  if (!instance) throw new ContainmentError(`EC2 instance ${id} does not exist in ${deps.region}`);
  const stateName = instance.State?.Name ?? '';
  if (stateName === 'terminated' || stateName === 'shutting-down') {
    throw new ContainmentError(`EC2 instance ${id} is ${stateName}: nothing to isolate`);
  }
  const reason = deps.protectedReason({ kind: 'instance', name: id, tags: instance.Tags ?? [] });
  if (reason) throw new ContainmentError(`instance ${id} is protected (${reason}); irkit never changes it`);
  if (!instance.VpcId) throw new ContainmentError(`EC2 instance ${id} is not in a VPC; isolate it by hand`);

  let state: InstanceState = prev ?? {
    r: 'instance',
    stack: v.stack,
    incident,
    instance: id,
    group: '',
    enis: [],
    profile: '',
    role: '',
    revoke: 'none',
    termination: 'none',
    stop: 'none',
  };
  try {
    // Protection first: from here on, nobody's stop or terminate can lose the evidence.
    if (state.termination === 'none') {
      state = { ...state, termination: await protect(id, 'disableApiTermination', deps) };
    }
    if (state.stop === 'none') state = { ...state, stop: await protect(id, 'disableApiStop', deps) };

    const group = await isolationGroup(state, instance.VpcId, deps);
    state = { ...state, group };
    const enis = [...state.enis];
    for (const eni of instance.NetworkInterfaces ?? []) {
      const eniId = eni.NetworkInterfaceId ?? '';
      const groups = (eni.Groups ?? []).map((g) => g.GroupId ?? '');
      const known = enis.some(([e]) => e === eniId);
      // The originals are recorded once: a re-run finds the isolation group and keeps them.
      if (!known) enis.push([eniId, groups.filter((g) => g !== group)]);
      state = { ...state, enis };
      if (groups.length !== 1 || groups[0] !== group) {
        await deps.ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, Groups: [group] }),
        );
      }
    }

    const association = await profileAssociation(id, deps);
    if (association?.IamInstanceProfile?.Arn && association.AssociationId) {
      const profile = association.IamInstanceProfile.Arn;
      const role = state.role || (await roleOfProfile(profile, deps));
      state = { ...state, profile: state.profile || profile, role };
      await deps.ec2.send(
        new DisassociateIamInstanceProfileCommand({ AssociationId: association.AssociationId }),
      );
    }
    if (state.role) {
      await refuseProtected('role', state.role, deps);
      const revoke = await putRevoke(
        'role',
        state.role,
        INLINE_POLICY_NAMES.revokeOlderSessions(incident),
        at,
        deps,
      );
      state = { ...state, revoke: mergeRevoke(state.revoke, revoke) };
    }
  } catch (error) {
    throw PartialChange.of(error, v, state);
  }
  return {
    physicalResourceId: encodeState(state),
    data: {
      IsolationGroupId: state.group,
      OriginalGroups: formatGroups(state.enis),
      OriginalInstanceProfile: state.profile,
      RevokedRole: state.role,
    },
  };
}

/** `eni-1=sg-a+sg-b;eni-2=sg-c`: what release restores, as the stack shows it. */
export function formatGroups(enis: InstanceState['enis']): string {
  return enis.map(([eni, groups]) => `${eni}=${groups.join('+')}`).join(';');
}

async function release(s: InstanceState, v: VerifiedRequest, deps: HandlerDeps): Promise<Outcome> {
  const notes: string[] = [];
  const instance = await readInstance(s.instance, deps);
  const alive = instance && !['terminated', 'shutting-down'].includes(instance.State?.Name ?? '');
  if (alive) {
    for (const [eniId, groups] of s.enis) {
      const current = (instance.NetworkInterfaces ?? []).find((e) => e.NetworkInterfaceId === eniId);
      if (!current) continue;
      const now = (current.Groups ?? []).map((g) => g.GroupId);
      if (now.length === 1 && now[0] === s.group && groups.length > 0) {
        await deps.ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, Groups: [...groups] }),
        );
      } else if (!(now.length === groups.length && groups.every((g) => now.includes(g)))) {
        notes.push(`${eniId}'s groups were changed by someone else and are left as they are`);
      }
    }
    if (s.profile) {
      const association = await profileAssociation(s.instance, deps);
      if (!association) {
        await deps.ec2.send(
          new AssociateIamInstanceProfileCommand({
            InstanceId: s.instance,
            IamInstanceProfile: { Arn: s.profile },
          }),
        );
      } else if (association.IamInstanceProfile?.Arn !== s.profile) {
        notes.push('another instance profile was associated meanwhile and is left as it is');
      }
    }
    if (s.termination === 'set') await unprotect(s.instance, 'disableApiTermination', deps);
    if (s.stop === 'set') await unprotect(s.instance, 'disableApiStop', deps);
  } else {
    notes.push(`instance ${s.instance} is gone (terminated): nothing to restore on it`);
  }
  if (s.group) await deleteGroup(s.group, deps);
  // Rolling back, the operator's options are not read: the revoke stays, as by default.
  const lift = !v.rollingBack && !flagOf(v, 'KeepSessionRevoke', true);
  let revoke = s.revoke === 'none' ? 'none' : 'kept';
  if (lift && s.revoke === 'written' && s.role) {
    const done = await deleteKitInline(
      'role',
      s.role,
      INLINE_POLICY_NAMES.revokeOlderSessions(s.incident),
      isRevoke,
      deps,
    );
    revoke = done === 'not-ours' ? 'changed-by-someone-else' : 'lifted';
  }
  return {
    physicalResourceId: '',
    data: { SessionRevoke: revoke, ...(notes.length ? { Note: notes.join('; ') } : {}) },
  };
}

async function readInstance(id: string, deps: HandlerDeps): Promise<Instance | undefined> {
  try {
    const out = await deps.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    return out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === id);
  } catch (error) {
    if (isAwsError(error, ...GONE)) return undefined;
    throw error;
  }
}

type Attribute = 'disableApiTermination' | 'disableApiStop';

async function protect(id: string, attribute: Attribute, deps: HandlerDeps): Promise<ProtectionHold> {
  const out = await deps.ec2.send(
    new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: attribute }),
  );
  const on =
    attribute === 'disableApiTermination' ? out.DisableApiTermination?.Value : out.DisableApiStop?.Value;
  if (on) return 'preexisting';
  await setAttribute(id, attribute, true, deps);
  return 'set';
}

async function unprotect(id: string, attribute: Attribute, deps: HandlerDeps): Promise<void> {
  await setAttribute(id, attribute, false, deps);
}

function setAttribute(id: string, attribute: Attribute, value: boolean, deps: HandlerDeps) {
  return deps.ec2.send(
    new ModifyInstanceAttributeCommand({
      InstanceId: id,
      ...(attribute === 'disableApiTermination'
        ? { DisableApiTermination: { Value: value } }
        : { DisableApiStop: { Value: value } }),
    }),
  );
}

/**
 * The isolation group: the one this stack recorded, else one created now (or found by its name,
 * when a create answered but its answer was lost), its default allow-all egress revoked. A group
 * of that name that is not the kit's, or that has any rule left, is refused.
 */
async function isolationGroup(state: InstanceState, vpcId: string, deps: HandlerDeps): Promise<string> {
  const name = isolationGroupName(state.incident, state.instance);
  let group = state.group ? await describeGroup({ GroupIds: [state.group] }, deps) : undefined;
  if (!group)
    group = await describeGroup({ Filters: [filter('group-name', name), filter('vpc-id', vpcId)] }, deps);
  if (!group) {
    const created = await deps.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: name,
        VpcId: vpcId,
        Description: `IR Kit isolation of ${state.instance}, incident ${state.incident}: no rules`,
        TagSpecifications: [
          {
            ResourceType: 'security-group',
            Tags: [
              { Key: TAG_KEYS.isolation, Value: 'true' },
              { Key: TAG_KEYS.incident, Value: state.incident },
            ],
          },
        ],
      }),
    );
    group = await describeGroup({ GroupIds: [created.GroupId ?? ''] }, deps);
    if (!group)
      throw new ContainmentError(`the isolation group ${created.GroupId} vanished after its creation`);
  }
  const ours = (group.Tags ?? []).some((t) => t.Key === TAG_KEYS.isolation && t.Value === 'true');
  if (!ours || group.GroupName !== name) {
    throw new ContainmentError(
      `security group ${group.GroupId} (${group.GroupName}) is not the kit's isolation group; not using it`,
    );
  }
  if ((group.IpPermissions ?? []).length > 0) {
    throw new ContainmentError(
      `the isolation group ${group.GroupId} has inbound rules someone added; remove them`,
    );
  }
  const egress: IpPermission[] = group.IpPermissionsEgress ?? [];
  if (egress.length > 0) {
    await deps.ec2.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: group.GroupId, IpPermissions: egress }),
    );
  }
  return group.GroupId ?? '';
}

function filter(Name: string, value: string) {
  return { Name, Values: [value] };
}

async function describeGroup(
  input: { GroupIds?: string[]; Filters?: Array<{ Name: string; Values: string[] }> },
  deps: HandlerDeps,
): Promise<SecurityGroup | undefined> {
  try {
    const out = await deps.ec2.send(new DescribeSecurityGroupsCommand(input));
    return out.SecurityGroups?.[0];
  } catch (error) {
    if (isAwsError(error, 'InvalidGroup.NotFound', 'InvalidGroupId.NotFound')) return undefined;
    throw error;
  }
}

async function deleteGroup(groupId: string, deps: HandlerDeps): Promise<void> {
  try {
    await deps.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  } catch (error) {
    if (isAwsError(error, 'InvalidGroup.NotFound', 'InvalidGroupId.NotFound')) return;
    if (isAwsError(error, 'DependencyViolation')) {
      throw new ContainmentError(
        `the isolation group ${groupId} is still in use (an interface still holds it); remove it from that interface, then release again`,
      );
    }
    throw error;
  }
}

async function profileAssociation(id: string, deps: HandlerDeps) {
  const out = await deps.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({
      Filters: [filter('instance-id', id), { Name: 'state', Values: ['associating', 'associated'] }],
    }),
  );
  return out.IamInstanceProfileAssociations?.[0];
}

async function roleOfProfile(arn: string, deps: HandlerDeps): Promise<string> {
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  try {
    const out = await deps.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
    return out.InstanceProfile?.Roles?.[0]?.RoleName ?? '';
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return '';
    throw error;
  }
}
