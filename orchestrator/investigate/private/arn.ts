import { PrincipalKind } from '../types';

/** What an IAM or STS ARN says about the identity behind a call. */
export interface ArnIdentity {
  readonly kind: PrincipalKind;
  readonly account: string;
  /** User, role or federated user name; `root` for the root user. */
  readonly name: string;
  /** The role session name of an assumed-role ARN. */
  readonly session?: string;
  /** The principal's own ARN (the role's, for an assumed-role session). */
  readonly arn: string;
}

const ARN = /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$/;

/** Parses user, role, assumed-role, federated-user and root ARNs; undefined for anything else. */
export function parseIdentityArn(arn: string | null | undefined): ArnIdentity | undefined {
  const match = ARN.exec(arn ?? '');
  if (!match) return undefined;
  const [, partition, service, account, resource] = match;
  const parts = resource.split('/');
  const last = parts[parts.length - 1];
  if (service === 'iam' && resource === 'root') {
    return { kind: 'Root', account, name: 'root', arn: `arn:${partition}:iam::${account}:root` };
  }
  if (service === 'iam' && parts[0] === 'user' && parts.length >= 2) {
    return { kind: 'IAMUser', account, name: last, arn: arn as string };
  }
  if (service === 'iam' && parts[0] === 'role' && parts.length >= 2) {
    return { kind: 'Role', account, name: last, arn: arn as string };
  }
  if (service === 'sts' && parts[0] === 'assumed-role' && parts.length === 3) {
    return {
      kind: 'Role',
      account,
      name: parts[1],
      session: parts[2],
      arn: `arn:${partition}:iam::${account}:role/${parts[1]}`,
    };
  }
  if (service === 'sts' && parts[0] === 'federated-user' && parts.length === 2) {
    return { kind: 'FederatedUser', account, name: parts[1], arn: arn as string };
  }
  return undefined;
}

/** The ARN of an IAM user or role of an account (path `/`). */
export function principalArn(kind: 'IAMUser' | 'Role', account: string, name: string): string {
  return `arn:aws:iam::${account}:${kind === 'IAMUser' ? 'user' : 'role'}/${name}`;
}

/** The stable id of a principal in the result document. */
export function principalId(kind: PrincipalKind, account: string | null, name: string): string {
  return `${kind}:${account ?? '-'}:${name.toLowerCase()}`;
}
