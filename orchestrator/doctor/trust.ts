/**
 * Whether a role's trust policy lets a caller call sts:AssumeRole, decided as IAM decides the
 * trust side of the request (a caller in another account also needs its own policy to allow the
 * call; that side is not read here). Used by `irkit doctor --members` on a member's break-glass
 * role, whose trust it reads but must not test by assuming it (MFA).
 *
 * Only what can be decided exactly is decided: Allow and Deny statements whose Action (or
 * NotAction) covers sts:AssumeRole; principals `*`, an account, its root, a role, a user or one
 * role session by ARN; conditions on aws:MultiFactorAuthPresent (Bool, BoolIfExists, Null).
 * Anything else that could change the answer (NotPrincipal, another condition key or operator, a
 * document that does not parse) makes the answer `unknown`, naming why, so that nothing is ever
 * reported verified that was not. The IAM policy simulator of the tests agrees with every answer
 * given (test/orchestrator/doctor/trust.test.ts); it cannot run here (its licence keeps it a
 * development dependency).
 */

/** The request: who calls, and aws:MultiFactorAuthPresent as IAM would set it. */
export interface TrustCaller {
  /** The caller's ARN as STS GetCallerIdentity returns it (a user, an assumed-role session, root). */
  readonly arn: string;
  /** `'true'` or `'false'` for temporary credentials, absent for an IAM user's long-term keys. */
  readonly mfa?: 'true' | 'false';
}

export type TrustDecision =
  | { readonly decision: 'allowed'; readonly statement: string }
  | { readonly decision: 'denied'; readonly statement?: string }
  | { readonly decision: 'unknown'; readonly why: string };

type Match = true | false | { readonly unknown: string };

const ACTION = 'sts:assumerole';
const MFA_KEY = 'aws:multifactorauthpresent';

/** A trust policy as IAM's GetRole returns it (URL-encoded JSON), or already decoded. */
export function parseTrustPolicy(document: string | undefined): unknown {
  if (document === undefined) return undefined;
  try {
    return JSON.parse(/^\s*\{/.test(document) ? document : decodeURIComponent(document));
  } catch {
    return undefined;
  }
}

export function evaluateTrust(policy: unknown, caller: TrustCaller): TrustDecision {
  const statements = statementsOf(policy);
  if (!statements) return { decision: 'unknown', why: 'the trust policy is not a policy document' };
  const results = statements.map((s, i) => ({
    label: typeof s.Sid === 'string' && s.Sid !== '' ? `statement ${s.Sid}` : `statement ${i + 1}`,
    effect: s.Effect,
    match: statementMatches(s, caller),
  }));
  const bad = results.find((r) => r.effect !== 'Allow' && r.effect !== 'Deny');
  if (bad) return { decision: 'unknown', why: `${bad.label} has no Effect Allow or Deny` };
  const denied = results.find((r) => r.effect === 'Deny' && r.match === true);
  if (denied) return { decision: 'denied', statement: denied.label };
  const unsure = (effect: string) => results.find((r) => r.effect === effect && typeof r.match === 'object');
  const maybeDenied = unsure('Deny');
  if (maybeDenied) return { decision: 'unknown', why: unknownWhy(maybeDenied) };
  const allowed = results.find((r) => r.effect === 'Allow' && r.match === true);
  if (allowed) return { decision: 'allowed', statement: allowed.label };
  const maybeAllowed = unsure('Allow');
  if (maybeAllowed) return { decision: 'unknown', why: unknownWhy(maybeAllowed) };
  return { decision: 'denied' };
}

function unknownWhy(r: { label: string; match: Match }): string {
  return `${r.label}: ${(r.match as { unknown: string }).unknown}`;
}

/**
 * The principals a trust policy names by unique id (`AROA...`, `AIDA...`) instead of ARN: IAM
 * shows a principal that way once the role or user it named was deleted. Such an entry admits no
 * one, not even a principal re-created with the same name.
 */
export function orphanedPrincipals(policy: unknown): string[] {
  return (statementsOf(policy) ?? []).flatMap((s) =>
    awsPrincipals(s.Principal).filter((p) => /^A[A-Z0-9]{15,127}$/.test(p)),
  );
}

type Statement = Record<string, unknown>;

function statementsOf(policy: unknown): Statement[] | undefined {
  if (policy === null || typeof policy !== 'object') return undefined;
  const raw = (policy as Record<string, unknown>).Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? undefined : [raw];
  if (!list || list.some((s) => s === null || typeof s !== 'object' || Array.isArray(s))) return undefined;
  return list as Statement[];
}

function statementMatches(s: Statement, caller: TrustCaller): Match {
  const parts: Match[] = [
    ...['NotPrincipal', 'Resource', 'NotResource']
      .filter((element) => s[element] !== undefined)
      .map((element) => ({ unknown: `${element} is not evaluated here` })),
    actionMatches(s),
    principalMatches(s.Principal, caller),
    conditionMatches(s.Condition, caller),
  ];
  // All must hold: one that does not settles it, whatever the parts not evaluated here say.
  if (parts.includes(false)) return false;
  return parts.find((m): m is { unknown: string } => typeof m === 'object') ?? true;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** IAM's action wildcards (`*`, `?`), case-insensitive. */
function globMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

function actionMatches(s: Statement): Match {
  const has = (list: unknown[]) => {
    if (list.some((a) => typeof a !== 'string')) return undefined;
    return (list as string[]).some((a) => globMatches(a, ACTION));
  };
  if (s.Action !== undefined && s.NotAction === undefined) {
    const found = has(listOf(s.Action));
    return found === undefined ? { unknown: 'an Action that is not a string' } : found;
  }
  if (s.NotAction !== undefined && s.Action === undefined) {
    const found = has(listOf(s.NotAction));
    return found === undefined ? { unknown: 'a NotAction that is not a string' } : !found;
  }
  return { unknown: 'neither Action nor NotAction alone' };
}

/** The `AWS` principal entries of a Principal element (`*` standing for everyone). */
function awsPrincipals(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (principal === null || typeof principal !== 'object') return [];
  return listOf((principal as Record<string, unknown>).AWS).filter((p): p is string => typeof p === 'string');
}

interface CallerIdentity {
  readonly partition: string;
  readonly account: string;
  readonly kind: 'user' | 'role' | 'root' | 'federated-user' | 'other';
  /** The user's or role's name (the last segment of its path), lower-cased: IAM names are unique regardless of case. */
  readonly name?: string;
}

/** Who an ARN from GetCallerIdentity is: `arn:aws:sts::A:assumed-role/ROLE/SESSION` is a session of ROLE. */
function identityOf(arn: string): CallerIdentity | undefined {
  const m = /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$/.exec(arn);
  if (!m) return undefined;
  const [, partition, , account, resource] = m;
  if (resource === 'root') return { partition, account, kind: 'root' };
  const parts = resource.split('/');
  if (parts[0] === 'assumed-role' && parts.length >= 3)
    return { partition, account, kind: 'role', name: parts[1].toLowerCase() };
  if (parts[0] === 'user' || parts[0] === 'role')
    return { partition, account, kind: parts[0], name: parts[parts.length - 1].toLowerCase() };
  if (parts[0] === 'federated-user') return { partition, account, kind: 'federated-user' };
  return { partition, account, kind: 'other' };
}

function principalMatches(principal: unknown, caller: TrustCaller): Match {
  if (principal === undefined) return { unknown: 'no Principal' };
  if (principal !== '*' && (principal === null || typeof principal !== 'object' || Array.isArray(principal)))
    return { unknown: 'a Principal that is neither "*" nor an object' };
  const me = identityOf(caller.arn);
  if (!me) return { unknown: `the caller ${caller.arn} is not an IAM ARN` };
  const entries = awsPrincipals(principal);
  let unsure: string | undefined;
  for (const entry of entries) {
    const m = entryMatches(entry, me, caller.arn);
    if (m === true) return true;
    if (typeof m === 'object') unsure ??= m.unknown;
  }
  // Service, Federated and CanonicalUser principals are never an IAM user or role session.
  return unsure ? { unknown: unsure } : false;
}

function entryMatches(entry: string, me: CallerIdentity, callerArn: string): Match {
  if (entry === '*') return true;
  if (/^\d{12}$/.test(entry)) return entry === me.account;
  // A unique id: the principal it named was deleted (orphanedPrincipals).
  if (/^A[A-Z0-9]{15,127}$/.test(entry)) return false;
  const m = /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$/.exec(entry);
  if (!m) return { unknown: `the principal ${entry} is not an account, an IAM ARN or "*"` };
  const [, partition, service, account, resource] = m;
  if (partition !== me.partition || account !== me.account) return false;
  if (service === 'iam' && resource === 'root') return true;
  const parts = resource.split('/');
  const name = parts[parts.length - 1].toLowerCase();
  if (service === 'iam' && (parts[0] === 'role' || parts[0] === 'user') && parts.length >= 2) {
    // A session's ARN carries no path; the role's name alone is unique in its account.
    return me.kind === parts[0] && me.name === name;
  }
  if (service === 'sts' && (parts[0] === 'assumed-role' || parts[0] === 'federated-user'))
    return entry === callerArn;
  return { unknown: `the principal ${entry} is not evaluated here` };
}

function conditionMatches(condition: unknown, caller: TrustCaller): Match {
  if (condition === undefined) return true;
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition))
    return { unknown: 'a Condition that is not an object' };
  // Every key must hold: one that does not settles it, whatever the keys not evaluated here say.
  let unsure: string | undefined;
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (block === null || typeof block !== 'object' || Array.isArray(block)) {
      unsure ??= `condition ${operator} is not an object`;
      continue;
    }
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
      if (key.toLowerCase() !== MFA_KEY || !['Bool', 'BoolIfExists', 'Null'].includes(operator)) {
        unsure ??= `condition ${operator} on ${key} is not evaluated here`;
        continue;
      }
      const wanted = listOf(values).map((v) => String(v).toLowerCase());
      const present = caller.mfa !== undefined;
      let holds: boolean;
      if (operator === 'Null') holds = wanted.includes(present ? 'false' : 'true');
      else if (!present) holds = operator === 'BoolIfExists';
      else holds = wanted.includes(caller.mfa as string);
      if (!holds) return false;
    }
  }
  return unsure ? { unknown: unsure } : true;
}
