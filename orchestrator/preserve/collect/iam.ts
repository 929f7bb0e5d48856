import {
  GetAccessKeyLastUsedCommand,
  GetLoginProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListInstanceProfilesForRoleCommand,
  ListMFADevicesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';

import { isAwsError } from '../../../lib/aws-errors';
import { allIamPages } from '../../contain/aws';

/** IAM answers policy documents URL-encoded; the evidence keeps them as JSON (and the text when not JSON). */
export function policyDocument(encoded: string | undefined): unknown {
  if (encoded === undefined) return null;
  const text = decodeURIComponent(encoded);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function orNull<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return null;
    throw error;
  }
}

async function attachedWithDocuments(
  iam: IAMClient,
  attached: ReadonlyArray<{ PolicyArn?: string; PolicyName?: string }>,
): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const a of attached) {
    if (!a.PolicyArn) continue;
    const policy = (await orNull(() => iam.send(new GetPolicyCommand({ PolicyArn: a.PolicyArn }))))?.Policy;
    const version = policy?.DefaultVersionId
      ? (
          await orNull(() =>
            iam.send(
              new GetPolicyVersionCommand({ PolicyArn: a.PolicyArn, VersionId: policy.DefaultVersionId }),
            ),
          )
        )?.PolicyVersion
      : undefined;
    out.push({
      policyArn: a.PolicyArn,
      policyName: a.PolicyName,
      defaultVersionId: policy?.DefaultVersionId ?? null,
      document: policyDocument(version?.Document),
    });
  }
  return out;
}

/**
 * A user's whole IAM state, as the playbook's step 14 keeps it: the user, its policies with
 * their documents, groups, access keys with their last use, login profile, MFA devices, SSH
 * keys, service-specific credentials, signing certificates and tags. `exists: false` when IAM
 * has no such user (the actor deleted it, or it was eradicated).
 */
export async function userState(iam: IAMClient, userName: string): Promise<Record<string, unknown>> {
  const user = await orNull(() => iam.send(new GetUserCommand({ UserName: userName })));
  if (!user?.User) return { kind: 'user', userName, exists: false };
  const U = { UserName: userName };
  const attached = await allIamPages(
    (Marker) => iam.send(new ListAttachedUserPoliciesCommand({ ...U, Marker })),
    (p) => p.AttachedPolicies,
  );
  const inlineNames = await allIamPages(
    (Marker) => iam.send(new ListUserPoliciesCommand({ ...U, Marker })),
    (p) => p.PolicyNames,
  );
  const inline = [];
  for (const name of inlineNames) {
    const p = await orNull(() => iam.send(new GetUserPolicyCommand({ ...U, PolicyName: name })));
    inline.push({ policyName: name, document: policyDocument(p?.PolicyDocument) });
  }
  const keys = await allIamPages(
    (Marker) => iam.send(new ListAccessKeysCommand({ ...U, Marker })),
    (p) => p.AccessKeyMetadata,
  );
  const accessKeys = [];
  for (const k of keys) {
    const used = k.AccessKeyId
      ? await orNull(() => iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId })))
      : null;
    accessKeys.push({ ...k, lastUsed: used?.AccessKeyLastUsed ?? null });
  }
  return {
    kind: 'user',
    userName,
    exists: true,
    user: user.User,
    attachedPolicies: await attachedWithDocuments(iam, attached),
    inlinePolicies: inline,
    groups: await allIamPages(
      (Marker) => iam.send(new ListGroupsForUserCommand({ ...U, Marker })),
      (p) => p.Groups,
    ),
    accessKeys,
    loginProfile: (await orNull(() => iam.send(new GetLoginProfileCommand(U))))?.LoginProfile ?? null,
    mfaDevices: await allIamPages(
      (Marker) => iam.send(new ListMFADevicesCommand({ ...U, Marker })),
      (p) => p.MFADevices,
    ),
    sshPublicKeys: await allIamPages(
      (Marker) => iam.send(new ListSSHPublicKeysCommand({ ...U, Marker })),
      (p) => p.SSHPublicKeys,
    ),
    serviceSpecificCredentials:
      (await iam.send(new ListServiceSpecificCredentialsCommand(U))).ServiceSpecificCredentials ?? [],
    signingCertificates: await allIamPages(
      (Marker) => iam.send(new ListSigningCertificatesCommand({ ...U, Marker })),
      (p) => p.Certificates,
    ),
    tags: await allIamPages(
      (Marker) => iam.send(new ListUserTagsCommand({ ...U, Marker })),
      (p) => p.Tags,
    ),
  };
}

/** A role's whole IAM state: the role with its trust policy, its policies with documents, tags and instance profiles. */
export async function roleState(iam: IAMClient, roleName: string): Promise<Record<string, unknown>> {
  const role = await orNull(() => iam.send(new GetRoleCommand({ RoleName: roleName })));
  if (!role?.Role) return { kind: 'role', roleName, exists: false };
  const R = { RoleName: roleName };
  const attached = await allIamPages(
    (Marker) => iam.send(new ListAttachedRolePoliciesCommand({ ...R, Marker })),
    (p) => p.AttachedPolicies,
  );
  const inlineNames = await allIamPages(
    (Marker) => iam.send(new ListRolePoliciesCommand({ ...R, Marker })),
    (p) => p.PolicyNames,
  );
  const inline = [];
  for (const name of inlineNames) {
    const p = await orNull(() => iam.send(new GetRolePolicyCommand({ ...R, PolicyName: name })));
    inline.push({ policyName: name, document: policyDocument(p?.PolicyDocument) });
  }
  return {
    kind: 'role',
    roleName,
    exists: true,
    role: role.Role,
    trustPolicy: policyDocument(role.Role.AssumeRolePolicyDocument),
    attachedPolicies: await attachedWithDocuments(iam, attached),
    inlinePolicies: inline,
    tags: await allIamPages(
      (Marker) => iam.send(new ListRoleTagsCommand({ ...R, Marker })),
      (p) => p.Tags,
    ),
    instanceProfiles: await allIamPages(
      (Marker) => iam.send(new ListInstanceProfilesForRoleCommand({ ...R, Marker })),
      (p) => p.InstanceProfiles,
    ),
  };
}
