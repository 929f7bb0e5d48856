import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  ObjectIdentifier,
} from '@aws-sdk/client-s3';
import {
  DescribeInstancesCommand,
  ModifyInstanceAttributeCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  DeleteUserPolicyCommand,
  DeleteVirtualMFADeviceCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetLoginProfileCommand,
  GetRoleCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListInstanceProfilesForRoleCommand,
  ListMFADevicesCommand,
  ListRolePoliciesCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUserPoliciesCommand,
  RemoveRoleFromInstanceProfileCommand,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';

import { allIamPages, ContainClients, isAwsError } from '../contain/aws';
import { EradicationTarget } from './targets';

/**
 * The calls that delete one target, in the order AWS requires. Every read goes through
 * `ctx.read` and every change through `ctx.write`, so one code path serves the dry run (reads
 * live when there are credentials, placeholders when there are none; writes only printed) and
 * the real run (each write sent, retried while IAM's or S3's eventual consistency says a
 * dependency is still there, and recorded with its request id).
 */
export interface StepContext {
  readonly clients: ContainClients;
  /** Does the target exist? Offline: assumed so. */
  exists(what: string, call: () => Promise<boolean>): Promise<boolean>;
  /** A list read; offline, `[placeholder]`, so the printed plan says "for each". */
  read<T>(what: string, call: () => Promise<T[]>, placeholder: T): Promise<T[]>;
  /** A change: printed in a dry run, else sent and recorded. */
  write(call: string, send: () => Promise<{ $metadata: { requestId?: string } }>): Promise<void>;
}

export type EradicationResource =
  'user' | 'role' | 'group' | 'instance-profile' | 'mfa' | 'bucket' | 'instance';

/**
 * Every action eradication performs, with the resource type it acts on: what its role must be
 * allowed (SecurityBreakGlassRole; test/lib/policies/responder-roles.test.ts asks the simulator).
 */
export const ERADICATION_ACTIONS: ReadonlyArray<readonly [string, EradicationResource]> = [
  ['iam:DeleteLoginProfile', 'user'],
  ['iam:DeleteAccessKey', 'user'],
  ['iam:DeleteSSHPublicKey', 'user'],
  ['iam:DeleteServiceSpecificCredential', 'user'],
  ['iam:DeleteSigningCertificate', 'user'],
  ['iam:DeactivateMFADevice', 'user'],
  ['iam:DeleteVirtualMFADevice', 'mfa'],
  ['iam:DeleteUserPolicy', 'user'],
  ['iam:DetachUserPolicy', 'user'],
  ['iam:RemoveUserFromGroup', 'group'],
  ['iam:DeleteUserPermissionsBoundary', 'user'],
  ['iam:DeleteUser', 'user'],
  ['iam:RemoveRoleFromInstanceProfile', 'instance-profile'],
  ['iam:DeleteRolePolicy', 'role'],
  ['iam:DetachRolePolicy', 'role'],
  ['iam:DeleteRolePermissionsBoundary', 'role'],
  ['iam:DeleteRole', 'role'],
  ['s3:ListBucketVersions', 'bucket'],
  ['s3:DeleteObjectVersion', 'bucket'],
  ['s3:DeleteBucket', 'bucket'],
  ['ec2:ModifyInstanceAttribute', 'instance'],
  ['ec2:TerminateInstances', 'instance'],
];

/** AWS errors that say the thing is already gone: a re-run finds nothing left. */
export const GONE_CODES = ['NoSuchEntity', 'NoSuchBucket', 'InvalidInstanceID.NotFound'] as const;

/** AWS errors that, right after the dependencies were deleted, mean "not yet": retried with backoff. */
export const NOT_YET_CODES = [
  'DeleteConflict',
  'BucketNotEmpty',
  'ConcurrentModification',
  'IncorrectInstanceState',
];

const gone = (error: unknown) => isAwsError(error, ...GONE_CODES);

async function present(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (gone(error)) return false;
    throw error;
  }
}

/** Deletes one target; answers false when there was nothing left of it. */
export async function eradicateTarget(ctx: StepContext, t: EradicationTarget): Promise<boolean> {
  switch (t.kind) {
    case 'user':
      return deleteUser(ctx, t.name);
    case 'role':
      return deleteRole(ctx, t.name);
    case 'bucket':
      return deleteBucket(ctx, t.name);
    case 'instance':
      return terminateInstance(ctx, t.name);
    case 'access-key':
      return deleteKey(ctx, t.user, t.name);
    case 'login-profile':
      return deleteLoginProfile(ctx, t.name);
  }
}

async function deleteKey(ctx: StepContext, user: string, key: string): Promise<boolean> {
  const { iam } = ctx.clients;
  const keys = await ctx.read(
    `iam ListAccessKeys UserName=${user}`,
    async () => {
      if (!(await present(() => iam.send(new GetUserCommand({ UserName: user }))))) return [];
      return allIamPages(
        (Marker) => iam.send(new ListAccessKeysCommand({ UserName: user, Marker })),
        (p) => p.AccessKeyMetadata,
      ).then((all) => all.map((k) => k.AccessKeyId ?? ''));
    },
    key,
  );
  if (!keys.includes(key)) return false;
  await ctx.write(`iam DeleteAccessKey UserName=${user} AccessKeyId=${key}`, () =>
    iam.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: key })),
  );
  return true;
}

async function deleteLoginProfile(ctx: StepContext, user: string): Promise<boolean> {
  const { iam } = ctx.clients;
  const has = await ctx.exists(`iam GetLoginProfile UserName=${user}`, () =>
    present(() => iam.send(new GetLoginProfileCommand({ UserName: user }))),
  );
  if (!has) return false;
  await ctx.write(`iam DeleteLoginProfile UserName=${user}`, () =>
    iam.send(new DeleteLoginProfileCommand({ UserName: user })),
  );
  return true;
}

async function deleteUser(ctx: StepContext, user: string): Promise<boolean> {
  const { iam } = ctx.clients;
  const found = await ctx.read(
    `iam GetUser UserName=${user}`,
    async () => {
      try {
        const out = await iam.send(new GetUserCommand({ UserName: user }));
        return [{ boundary: out.User?.PermissionsBoundary?.PermissionsBoundaryArn }];
      } catch (error) {
        if (gone(error)) return [];
        throw error;
      }
    },
    { boundary: '<its permissions boundary, if any>' as string | undefined },
  );
  if (found.length === 0) return false;
  await deleteLoginProfile(ctx, user);
  for (const key of await ctx.read(
    `iam ListAccessKeys UserName=${user}`,
    () =>
      allIamPages(
        (Marker) => iam.send(new ListAccessKeysCommand({ UserName: user, Marker })),
        (p) => p.AccessKeyMetadata,
      ).then((all) => all.map((k) => k.AccessKeyId ?? '')),
    '<each access key>',
  )) {
    await ctx.write(`iam DeleteAccessKey UserName=${user} AccessKeyId=${key}`, () =>
      iam.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: key })),
    );
  }
  for (const id of await ctx.read(
    `iam ListSSHPublicKeys UserName=${user}`,
    () =>
      allIamPages(
        (Marker) => iam.send(new ListSSHPublicKeysCommand({ UserName: user, Marker })),
        (p) => p.SSHPublicKeys,
      ).then((all) => all.map((k) => k.SSHPublicKeyId ?? '')),
    '<each SSH public key>',
  )) {
    await ctx.write(`iam DeleteSSHPublicKey UserName=${user} SSHPublicKeyId=${id}`, () =>
      iam.send(new DeleteSSHPublicKeyCommand({ UserName: user, SSHPublicKeyId: id })),
    );
  }
  for (const id of await ctx.read(
    `iam ListServiceSpecificCredentials UserName=${user}`,
    () =>
      iam
        .send(new ListServiceSpecificCredentialsCommand({ UserName: user }))
        .then((out) =>
          (out.ServiceSpecificCredentials ?? []).map((c) => c.ServiceSpecificCredentialId ?? ''),
        ),
    '<each service-specific credential>',
  )) {
    await ctx.write(
      `iam DeleteServiceSpecificCredential UserName=${user} ServiceSpecificCredentialId=${id}`,
      () =>
        iam.send(
          new DeleteServiceSpecificCredentialCommand({ UserName: user, ServiceSpecificCredentialId: id }),
        ),
    );
  }
  for (const id of await ctx.read(
    `iam ListSigningCertificates UserName=${user}`,
    () =>
      allIamPages(
        (Marker) => iam.send(new ListSigningCertificatesCommand({ UserName: user, Marker })),
        (p) => p.Certificates,
      ).then((all) => all.map((c) => c.CertificateId ?? '')),
    '<each signing certificate>',
  )) {
    await ctx.write(`iam DeleteSigningCertificate UserName=${user} CertificateId=${id}`, () =>
      iam.send(new DeleteSigningCertificateCommand({ UserName: user, CertificateId: id })),
    );
  }
  for (const serial of await ctx.read(
    `iam ListMFADevices UserName=${user}`,
    () =>
      allIamPages(
        (Marker) => iam.send(new ListMFADevicesCommand({ UserName: user, Marker })),
        (p) => p.MFADevices,
      ).then((all) => all.map((d) => d.SerialNumber ?? '')),
    '<each MFA device>',
  )) {
    await ctx.write(`iam DeactivateMFADevice UserName=${user} SerialNumber=${serial}`, () =>
      iam.send(new DeactivateMFADeviceCommand({ UserName: user, SerialNumber: serial })),
    );
    // A virtual device is an IAM resource of its own (arn:...:mfa/NAME); a hardware one is not.
    if (/^arn:aws[a-z-]*:iam::\d{12}:mfa\//.test(serial) || serial.startsWith('<')) {
      await ctx.write(`iam DeleteVirtualMFADevice SerialNumber=${serial}`, () =>
        iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })),
      );
    }
  }
  for (const name of await ctx.read(
    `iam ListUserPolicies UserName=${user}`,
    () =>
      allIamPages(
        (Marker) => iam.send(new ListUserPoliciesCommand({ UserName: user, Marker })),
        (p) => p.PolicyNames,
      ),
    '<each inline policy>',
  )) {
    await ctx.write(`iam DeleteUserPolicy UserName=${user} PolicyName=${name}`, () =>
      iam.send(new DeleteUserPolicyCommand({ UserName: user, PolicyName: name })),
    );
  }
  for (const arn of await ctx.read(
    `iam ListAttachedUserPolicies UserName=${user}`,
    () =>
      allIamPages(
        (Marker) => iam.send(new ListAttachedUserPoliciesCommand({ UserName: user, Marker })),
        (p) => p.AttachedPolicies,
      ).then((all) => all.map((a) => a.PolicyArn ?? '')),
    '<each attached policy>',
  )) {
    await ctx.write(`iam DetachUserPolicy UserName=${user} PolicyArn=${arn}`, () =>
      iam.send(new DetachUserPolicyCommand({ UserName: user, PolicyArn: arn })),
    );
  }
  for (const group of await ctx.read(
    `iam ListGroupsForUser UserName=${user}`,
    () =>
      allIamPages(
        (Marker) => iam.send(new ListGroupsForUserCommand({ UserName: user, Marker })),
        (p) => p.Groups,
      ).then((all) => all.map((g) => g.GroupName ?? '')),
    '<each group>',
  )) {
    await ctx.write(`iam RemoveUserFromGroup UserName=${user} GroupName=${group}`, () =>
      iam.send(new RemoveUserFromGroupCommand({ UserName: user, GroupName: group })),
    );
  }
  if (found[0].boundary) {
    await ctx.write(`iam DeleteUserPermissionsBoundary UserName=${user}`, () =>
      iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: user })),
    );
  }
  await ctx.write(`iam DeleteUser UserName=${user}`, () =>
    iam.send(new DeleteUserCommand({ UserName: user })),
  );
  return true;
}

async function deleteRole(ctx: StepContext, role: string): Promise<boolean> {
  const { iam } = ctx.clients;
  const found = await ctx.read(
    `iam GetRole RoleName=${role}`,
    async () => {
      try {
        const out = await iam.send(new GetRoleCommand({ RoleName: role }));
        return [{ boundary: out.Role?.PermissionsBoundary?.PermissionsBoundaryArn }];
      } catch (error) {
        if (gone(error)) return [];
        throw error;
      }
    },
    { boundary: '<its permissions boundary, if any>' as string | undefined },
  );
  if (found.length === 0) return false;
  for (const profile of await ctx.read(
    `iam ListInstanceProfilesForRole RoleName=${role}`,
    () =>
      allIamPages(
        (Marker) => iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: role, Marker })),
        (p) => p.InstanceProfiles,
      ).then((all) => all.map((p) => p.InstanceProfileName ?? '')),
    '<each instance profile>',
  )) {
    await ctx.write(`iam RemoveRoleFromInstanceProfile RoleName=${role} InstanceProfileName=${profile}`, () =>
      iam.send(new RemoveRoleFromInstanceProfileCommand({ RoleName: role, InstanceProfileName: profile })),
    );
  }
  for (const name of await ctx.read(
    `iam ListRolePolicies RoleName=${role}`,
    () =>
      allIamPages(
        (Marker) => iam.send(new ListRolePoliciesCommand({ RoleName: role, Marker })),
        (p) => p.PolicyNames,
      ),
    '<each inline policy>',
  )) {
    await ctx.write(`iam DeleteRolePolicy RoleName=${role} PolicyName=${name}`, () =>
      iam.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: name })),
    );
  }
  for (const arn of await ctx.read(
    `iam ListAttachedRolePolicies RoleName=${role}`,
    () =>
      allIamPages(
        (Marker) => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role, Marker })),
        (p) => p.AttachedPolicies,
      ).then((all) => all.map((a) => a.PolicyArn ?? '')),
    '<each attached policy>',
  )) {
    await ctx.write(`iam DetachRolePolicy RoleName=${role} PolicyArn=${arn}`, () =>
      iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: arn })),
    );
  }
  if (found[0].boundary) {
    await ctx.write(`iam DeleteRolePermissionsBoundary RoleName=${role}`, () =>
      iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: role })),
    );
  }
  await ctx.write(`iam DeleteRole RoleName=${role}`, () =>
    iam.send(new DeleteRoleCommand({ RoleName: role })),
  );
  return true;
}

async function deleteBucket(ctx: StepContext, bucket: string): Promise<boolean> {
  const { s3 } = ctx.clients;
  const exists = await ctx.exists(`s3 HeadBucket Bucket=${bucket}`, () =>
    present(() => s3.send(new HeadBucketCommand({ Bucket: bucket }))).catch((error: unknown) => {
      // HEAD errors carry no body: S3's 404 comes back as NotFound.
      if (isAwsError(error, 'NotFound')) return false;
      throw error;
    }),
  );
  if (!exists) return false;
  // Every version and delete marker, a page (at most 1,000) per DeleteObjects.
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await ctx.read(
      `s3 ListObjectVersions Bucket=${bucket}`,
      async () => [
        await s3.send(
          new ListObjectVersionsCommand({
            Bucket: bucket,
            KeyMarker: keyMarker,
            VersionIdMarker: versionMarker,
          }),
        ),
      ],
      undefined,
    );
    const out = page[0];
    const objects: ObjectIdentifier[] = out
      ? [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].map((o) => ({
          Key: o.Key ?? '',
          VersionId: o.VersionId ?? 'null',
        }))
      : [{ Key: '<each key>', VersionId: '<each version and delete marker>' }];
    if (objects.length > 0) {
      const shown = objects.map((o) => `${o.Key}@${o.VersionId}`).join(',');
      await ctx.write(`s3 DeleteObjects Bucket=${bucket} Objects=${shown}`, async () => {
        const result = await s3.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
        );
        const failed = result.Errors ?? [];
        if (failed.length > 0) {
          throw new Error(
            `S3 refused to delete ${failed.length} object version(s), e.g. ${failed[0].Key}@${failed[0].VersionId}: ${failed[0].Code} ${failed[0].Message}`,
          );
        }
        return result;
      });
    }
    keyMarker = out?.IsTruncated ? out.NextKeyMarker : undefined;
    versionMarker = out?.IsTruncated ? out.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined || versionMarker !== undefined);
  await ctx.write(`s3 DeleteBucket Bucket=${bucket}`, () =>
    s3.send(new DeleteBucketCommand({ Bucket: bucket })),
  );
  return true;
}

async function terminateInstance(ctx: StepContext, id: string): Promise<boolean> {
  const { ec2 } = ctx.clients;
  const alive = await ctx.exists(`ec2 DescribeInstances InstanceId=${id}`, async () => {
    try {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      const state = out.Reservations?.flatMap((r) => r.Instances ?? [])[0]?.State?.Name;
      return state !== undefined && state !== 'terminated' && state !== 'shutting-down';
    } catch (error) {
      if (gone(error)) return false;
      throw error;
    }
  });
  if (!alive) return false;
  // Containment turned termination and stop protection on; eradication turns them off to terminate.
  await ctx.write(`ec2 ModifyInstanceAttribute InstanceId=${id} DisableApiTermination=false`, () =>
    ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: false } })),
  );
  await ctx.write(`ec2 TerminateInstances InstanceId=${id}`, () =>
    ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] })),
  );
  return true;
}
