/**
 * IAM reads and writes shared by the user and role resources. Every write is one the handler's
 * role is also limited to in IAM (see containment-handler.ts), so a bug here cannot reach further.
 */
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  Tag,
} from '@aws-sdk/client-iam';

import { isAwsError } from '../../../aws-errors';
import {
  iamDenyAllPolicy,
  revokeOlderSessionsPolicy,
  samePolicyJson as sameJson,
} from '../../../policies/containment';
import { ContainmentError, HandlerDeps } from './types';

export type PrincipalKind = 'user' | 'role';

/** What the inline-policy helpers need: they also serve the CLI (an IR role revoked as break-glass). */
export type IamOnly = Pick<HandlerDeps, 'iam'>;

export interface Principal {
  readonly kind: PrincipalKind;
  /** IAM's own spelling of the name (IAM names ignore case). */
  readonly name: string;
  readonly arn: string;
  readonly path: string;
}

/** The principal as IAM has it; a missing one is a refusal that names it. */
export async function readPrincipal(
  kind: PrincipalKind,
  name: string,
  deps: HandlerDeps,
): Promise<Principal> {
  try {
    const found =
      kind === 'user'
        ? (await deps.iam.send(new GetUserCommand({ UserName: name }))).User
        : (await deps.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
    if (!found) throw new ContainmentError(`IAM ${kind} ${name} does not exist`);
    const spelled = 'UserName' in found ? found.UserName : 'RoleName' in found ? found.RoleName : undefined;
    return { kind, name: spelled ?? name, arn: found.Arn ?? '', path: found.Path ?? '/' };
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) throw new ContainmentError(`IAM ${kind} ${name} does not exist`);
    throw error;
  }
}

/** Refuses a protected principal (the kit's one protection rule, tags included) before any change. */
export async function refuseProtected(
  kind: PrincipalKind,
  name: string,
  deps: HandlerDeps,
): Promise<Principal> {
  const principal = await readPrincipal(kind, name, deps);
  const tags = await tagsOf(principal, deps);
  const reason = deps.protectedReason({
    kind,
    name: principal.name,
    arn: principal.arn,
    path: principal.path,
    tags,
  });
  if (reason)
    throw new ContainmentError(`${kind} ${principal.name} is protected (${reason}); irkit never changes it`);
  return principal;
}

async function tagsOf(p: Principal, deps: HandlerDeps): Promise<Tag[]> {
  const tags: Tag[] = [];
  let marker: string | undefined;
  do {
    const page =
      p.kind === 'user'
        ? await deps.iam.send(new ListUserTagsCommand({ UserName: p.name, Marker: marker }))
        : await deps.iam.send(new ListRoleTagsCommand({ RoleName: p.name, Marker: marker }));
    tags.push(...(page.Tags ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return tags;
}

export async function hasManagedDeny(kind: PrincipalKind, name: string, deps: HandlerDeps): Promise<boolean> {
  let marker: string | undefined;
  do {
    const page =
      kind === 'user'
        ? await deps.iam.send(new ListAttachedUserPoliciesCommand({ UserName: name, Marker: marker }))
        : await deps.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name, Marker: marker }));
    if ((page.AttachedPolicies ?? []).some((p) => p.PolicyArn === deps.containmentPolicyArn)) return true;
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return false;
}

/**
 * Attaches the containment policy; at IAM's managed-policy quota (which an attacker can fill)
 * the same deny goes inline under the kit's per-incident name instead.
 */
export async function attachDeny(
  kind: PrincipalKind,
  name: string,
  inlineName: string,
  deps: HandlerDeps,
): Promise<'managed' | 'inline'> {
  try {
    if (kind === 'user') {
      await deps.iam.send(
        new AttachUserPolicyCommand({ UserName: name, PolicyArn: deps.containmentPolicyArn }),
      );
    } else {
      await deps.iam.send(
        new AttachRolePolicyCommand({ RoleName: name, PolicyArn: deps.containmentPolicyArn }),
      );
    }
    return 'managed';
  } catch (error) {
    if (!isAwsError(error, 'LimitExceeded')) throw error;
    await putKitInline(kind, name, inlineName, iamDenyAllPolicy(), isDenyAll, deps);
    return 'inline';
  }
}

export async function detachDeny(kind: PrincipalKind, name: string, deps: HandlerDeps): Promise<void> {
  try {
    if (kind === 'user') {
      await deps.iam.send(
        new DetachUserPolicyCommand({ UserName: name, PolicyArn: deps.containmentPolicyArn }),
      );
    } else {
      await deps.iam.send(
        new DetachRolePolicyCommand({ RoleName: name, PolicyArn: deps.containmentPolicyArn }),
      );
    }
  } catch (error) {
    if (!isAwsError(error, 'NoSuchEntity')) throw error;
  }
}

export async function readInline(
  kind: PrincipalKind,
  name: string,
  policyName: string,
  deps: IamOnly,
): Promise<unknown> {
  try {
    const out =
      kind === 'user'
        ? await deps.iam.send(new GetUserPolicyCommand({ UserName: name, PolicyName: policyName }))
        : await deps.iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName }));
    // IAM returns the document URL-encoded.
    return out.PolicyDocument === undefined ? undefined : JSON.parse(decodeURIComponent(out.PolicyDocument));
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return undefined;
    throw error;
  }
}

/**
 * Writes one of the kit's inline documents. An inline policy of that name that is not one of
 * the kit's own documents is never overwritten. Answers whether it wrote (false: the same
 * document was already there).
 */
export async function putKitInline(
  kind: PrincipalKind,
  name: string,
  policyName: string,
  wanted: object,
  isKits: (doc: unknown) => boolean,
  deps: IamOnly,
): Promise<boolean> {
  const existing = await readInline(kind, name, policyName, deps);
  if (existing !== undefined) {
    if (sameJson(existing, wanted)) return false;
    if (!isKits(existing)) {
      throw new ContainmentError(
        `${kind} ${name} already has an inline policy named ${policyName} that irkit did not write; not overwriting it`,
      );
    }
  }
  const document = JSON.stringify(wanted);
  if (kind === 'user') {
    await deps.iam.send(
      new PutUserPolicyCommand({ UserName: name, PolicyName: policyName, PolicyDocument: document }),
    );
  } else {
    await deps.iam.send(
      new PutRolePolicyCommand({ RoleName: name, PolicyName: policyName, PolicyDocument: document }),
    );
  }
  return true;
}

/** Deletes the inline policy only while it is still one of the kit's documents; answers whether it did. */
export async function deleteKitInline(
  kind: PrincipalKind,
  name: string,
  policyName: string,
  isKits: (doc: unknown) => boolean,
  deps: HandlerDeps,
): Promise<'deleted' | 'absent' | 'not-ours'> {
  const existing = await readInline(kind, name, policyName, deps);
  if (existing === undefined) return 'absent';
  if (!isKits(existing)) return 'not-ours';
  try {
    if (kind === 'user') {
      await deps.iam.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: policyName }));
    } else {
      await deps.iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName }));
    }
  } catch (error) {
    if (!isAwsError(error, 'NoSuchEntity')) throw error;
  }
  return 'deleted';
}

export function isDenyAll(doc: unknown): boolean {
  return sameJson(doc, iamDenyAllPolicy());
}

/** The containment time of a kit revoke-older-sessions document, or undefined when it is not one. */
export function revokeTimeOf(doc: unknown): string | undefined {
  const statements = (doc as { Statement?: unknown } | undefined)?.Statement;
  const first = (Array.isArray(statements) ? statements : [statements])[0] as
    { Condition?: { DateLessThan?: Record<string, unknown> } } | undefined;
  const at = first?.Condition?.DateLessThan?.['aws:TokenIssueTime'];
  if (typeof at !== 'string') return undefined;
  return sameJson(doc, revokeOlderSessionsPolicy(at)) ? at : undefined;
}

export function isRevoke(doc: unknown): boolean {
  return revokeTimeOf(doc) !== undefined;
}

/**
 * Puts the revoke-older-sessions document; an earlier revoke of the kit's is moved to the later
 * of the two times (it only ever revokes more).
 */
export async function putRevoke(
  kind: PrincipalKind,
  name: string,
  policyName: string,
  containedAt: string,
  deps: IamOnly,
): Promise<'written' | 'preexisting'> {
  const existing = revokeTimeOf(await readInline(kind, name, policyName, deps));
  const at =
    existing !== undefined && Date.parse(existing) > Date.parse(containedAt) ? existing : containedAt;
  const wrote = await putKitInline(kind, name, policyName, revokeOlderSessionsPolicy(at), isRevoke, deps);
  return wrote ? 'written' : 'preexisting';
}
