import {
  CreateSnapshotCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  Instance,
} from '@aws-sdk/client-ec2';

import { isAwsError } from '../../../lib/aws-errors';
import { TAG_KEYS } from '../../../lib/names';

/** Tag on each snapshot naming the volume it preserves (with irkit:incident, what makes a re-run find it). */
export const SOURCE_VOLUME_TAG = 'irkit:source-volume';

/** The instance's description, or null when EC2 knows no such instance. */
export async function describeInstance(ec2: EC2Client, instanceId: string): Promise<Instance | null> {
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return (
      out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId) ?? null
    );
  } catch (error) {
    if (isAwsError(error, 'InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed')) return null;
    throw error;
  }
}

export interface PreservedSnapshot {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly instanceId: string;
  readonly deviceName: string | null;
  readonly startTime: string | null;
  readonly state: string | null;
  /** False when an earlier run had already made it. */
  readonly created: boolean;
  readonly tags: ReadonlyArray<{ Key?: string; Value?: string }>;
}

/**
 * An EBS snapshot of every volume of the instance, tagged with the incident; a volume that
 * already has this incident's snapshot gets no second one.
 */
export async function snapshotVolumes(
  ec2: EC2Client,
  instance: Instance,
  incidentId: string,
): Promise<PreservedSnapshot[]> {
  const instanceId = instance.InstanceId ?? '';
  const out: PreservedSnapshot[] = [];
  for (const mapping of instance.BlockDeviceMappings ?? []) {
    const volumeId = mapping.Ebs?.VolumeId;
    if (!volumeId) continue;
    const existing = await ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: `tag:${TAG_KEYS.incident}`, Values: [incidentId] },
          { Name: `tag:${SOURCE_VOLUME_TAG}`, Values: [volumeId] },
        ],
      }),
    );
    const found = existing.Snapshots?.[0];
    if (found?.SnapshotId) {
      out.push({
        snapshotId: found.SnapshotId,
        volumeId,
        instanceId,
        deviceName: mapping.DeviceName ?? null,
        startTime: found.StartTime?.toISOString() ?? null,
        state: found.State ?? null,
        created: false,
        tags: found.Tags ?? [],
      });
      continue;
    }
    const tags = [
      { Key: TAG_KEYS.incident, Value: incidentId },
      { Key: SOURCE_VOLUME_TAG, Value: volumeId },
      { Key: 'irkit:instance', Value: instanceId },
    ];
    const made = await ec2.send(
      new CreateSnapshotCommand({
        VolumeId: volumeId,
        Description: `irkit preserve ${incidentId}: ${instanceId} ${mapping.DeviceName ?? ''}`.trim(),
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
      }),
    );
    out.push({
      snapshotId: made.SnapshotId ?? '',
      volumeId,
      instanceId,
      deviceName: mapping.DeviceName ?? null,
      startTime: made.StartTime?.toISOString() ?? null,
      state: made.State ?? null,
      created: true,
      tags: made.Tags ?? tags,
    });
  }
  return out;
}
