import { isIP } from 'node:net';

import { PrincipalKind } from '../types';
import { parseIdentityArn } from './arn';

/**
 * Names the identity behind a CloudTrail record, whatever its `userIdentity.type`, and
 * tells AWS's own calls from the principal's. Every value here comes from the logs.
 */

/** The userIdentity columns the first-last-seen and ip-activity queries return. */
export interface IdentityColumns {
  readonly identity_type: string | null;
  readonly identity_arn: string | null;
  readonly user_name: string | null;
  readonly access_key_id: string | null;
  readonly principal_id: string | null;
  readonly identity_account: string | null;
  readonly invoked_by: string | null;
  readonly session_issuer_arn: string | null;
  readonly on_behalf_of: string | null;
}

export interface NamedIdentity {
  readonly kind: PrincipalKind;
  readonly account: string | null;
  /** User, role, federated user, SAML or web identity subject, service, or account name. */
  readonly name: string;
  readonly arn: string | null;
  /** The role session name of an AssumedRole identity. */
  readonly session?: string;
}

/** The part of a principal id after its `AROA...:` or `account:` prefix (the session or subject). */
const afterColon = (id: string | null) => (id && id.includes(':') ? id.slice(id.indexOf(':') + 1) : id);

/**
 * The principal an identity stands for: an assumed role by its role (the session name kept
 * apart), a federated user by its name, a SAML or web identity user by its subject, an
 * Identity Center user by its user id, an AWS service by its name, another account by its
 * id; an identity without a type by its ARN, principal id or key.
 */
/** The identity columns of a row that carries none (a record seen only by one of its fields). */
export const NO_IDENTITY: IdentityColumns = {
  identity_type: null,
  identity_arn: null,
  user_name: null,
  access_key_id: null,
  principal_id: null,
  identity_account: null,
  invoked_by: null,
  session_issuer_arn: null,
  on_behalf_of: null,
};

export function nameIdentity(r: IdentityColumns): NamedIdentity {
  const parsed = parseIdentityArn(r.identity_arn);
  const account = parsed?.account ?? r.identity_account ?? null;
  const arn = parsed?.arn ?? r.identity_arn;
  const fallback = r.identity_arn ?? r.principal_id ?? r.access_key_id ?? 'an unidentified caller';
  switch (r.identity_type) {
    case 'IAMUser':
      return { kind: 'IAMUser', account, name: r.user_name ?? parsed?.name ?? fallback, arn };
    case 'AssumedRole': {
      const issuer = parseIdentityArn(r.session_issuer_arn);
      const name = parsed?.kind === 'Role' ? parsed.name : (issuer?.name ?? fallback);
      const session = parsed?.session ?? afterColon(r.principal_id) ?? undefined;
      return {
        kind: 'Role',
        account: account ?? issuer?.account ?? null,
        name,
        arn: parsed?.kind === 'Role' ? parsed.arn : (issuer?.arn ?? arn),
        ...(session ? { session } : {}),
      };
    }
    case 'FederatedUser':
      return {
        kind: 'FederatedUser',
        account,
        name: parsed?.name ?? afterColon(r.principal_id) ?? fallback,
        arn,
      };
    case 'Root':
      return { kind: 'Root', account, name: 'root', arn };
    case 'AWSService':
      return { kind: 'AWSService', account: null, name: r.invoked_by ?? 'an AWS service', arn: null };
    case 'AWSAccount':
      return { kind: 'AWSAccount', account, name: account ?? r.principal_id ?? fallback, arn: null };
    case 'SAMLUser':
    case 'WebIdentityUser':
      return {
        kind: r.identity_type,
        account,
        name: r.user_name ?? afterColon(r.principal_id) ?? fallback,
        arn,
      };
    case 'IdentityCenterUser':
      return {
        kind: 'IdentityCenterUser',
        account,
        name: r.on_behalf_of ?? r.user_name ?? r.principal_id ?? fallback,
        arn,
      };
    default:
      return parsed
        ? { kind: parsed.kind, account, name: parsed.name, arn: parsed.arn }
        : { kind: 'Other', account, name: r.user_name ?? fallback, arn };
  }
}

/** Policy names AWS itself attaches or puts on a user whose key it found exposed. */
export function isQuarantinePolicy(policy: string | null | undefined): boolean {
  const name = (policy ?? '').split('/').pop() ?? '';
  return (
    name.startsWith('AWSCompromisedKeyQuarantine') || name === 'AWSExposedCredentialPolicy_DO_NOT_REMOVE'
  );
}

export interface CallOrigin {
  readonly invoked_by: string | null;
  readonly sourceipaddress: string | null;
  readonly useragent: string | null;
}

/**
 * The AWS service that made a call, or undefined when the principal made it: a call with
 * `invokedBy`, from a service's name rather than an IP address (`cloudformation.amazonaws.com`,
 * `AWS Internal`), or with an SDK agent of AWS's own (`aws-internal/3 ...`). The console's
 * `AWS Internal` user agent from an IP address is the person at the console: the principal's.
 */
export function awsCaller(c: CallOrigin): string | undefined {
  if (c.invoked_by) return c.invoked_by;
  const address = c.sourceipaddress;
  if (address && isIP(address) === 0) return address;
  if (c.useragent && /^aws-internal\//i.test(c.useragent)) return c.useragent.split(' ')[0];
  return undefined;
}
