import { CONTAINMENT_SIDS } from '../names';

/**
 * The playbook's containment policy documents, as plain JSON. The CDK constructs, the
 * containment stacks and the orchestrator's verification all build them here, so what is
 * tested with the IAM simulator is exactly what gets deployed.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17' | '2008-10-17';
  readonly Id?: string;
  readonly Statement: readonly PolicyStatement[];
}

/** The playbook's `iam-containment-policy`: deny every action on every resource. */
export function iamDenyAllPolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: CONTAINMENT_SIDS.iamDenyAll, Effect: 'Deny', Action: '*', Resource: '*' }],
  };
}

/**
 * The playbook's bucket containment statement: deny every principal but the break-glass
 * role every action on the bucket and its objects. Further exempt ARNs may follow the
 * break-glass role (the containment handler's role, so that release can restore the policy).
 */
export function bucketContainmentStatement(
  bucketName: string,
  breakGlassRoleArn: string | readonly string[],
  partition = 'aws',
): PolicyStatement {
  return {
    Sid: CONTAINMENT_SIDS.bucket,
    Effect: 'Deny',
    Principal: '*',
    Action: '*',
    Resource: [`arn:${partition}:s3:::${bucketName}`, `arn:${partition}:s3:::${bucketName}/*`],
    Condition: {
      StringNotLike: {
        'aws:PrincipalArn':
          typeof breakGlassRoleArn === 'string' ? [breakGlassRoleArn] : [...breakGlassRoleArn],
      },
    },
  };
}

/**
 * The bucket policy to apply while contained: every statement of the existing policy, kept
 * as it is, plus the containment statement. A bucket policy replaces the whole policy on
 * PutBucketPolicy, so dropping the original statements would silently change access after
 * release. An existing statement with the containment Sid (an earlier containment) is replaced.
 */
export function containedBucketPolicy(
  bucketName: string,
  breakGlassRoleArn: string | readonly string[],
  existing?: PolicyDocument,
  partition = 'aws',
): PolicyDocument {
  // A policy may hold one statement as an object rather than a list.
  const statements: readonly PolicyStatement[] = Array.isArray(existing?.Statement)
    ? existing.Statement
    : existing?.Statement
      ? [existing.Statement as unknown as PolicyStatement]
      : [];
  const kept = statements.filter((s) => s.Sid !== CONTAINMENT_SIDS.bucket);
  return {
    Version: existing?.Version ?? '2012-10-17',
    ...(existing?.Id ? { Id: existing.Id } : {}),
    Statement: [...kept, bucketContainmentStatement(bucketName, breakGlassRoleArn, partition)],
  };
}

/** S3's limit on the size of a bucket policy. */
export const BUCKET_POLICY_MAX_BYTES = 20_480;

/**
 * Whether `current` is `original` with the containment statement added: what a contained
 * bucket holds until someone changes its policy. Statements compare as JSON (key order, and a
 * one-element list read as its element, as S3 rewrites them).
 */
export function holdsBucketContainment(current: string | undefined, original: string | undefined): boolean {
  if (current === undefined) return false;
  const now = statementsOf(JSON.parse(current));
  if (!now.some((s) => s.Sid === CONTAINMENT_SIDS.bucket)) return false;
  const before = statementsOf(original === undefined ? undefined : JSON.parse(original));
  const rest = (list: readonly Record<string, unknown>[]) =>
    list.filter((s) => s.Sid !== CONTAINMENT_SIDS.bucket);
  return samePolicyJson(rest(now), rest(before));
}

/** Deep equality of policy JSON as IAM and S3 give it back: key order ignored, a one-element list read as its element. */
export function samePolicyJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function statementsOf(policy: unknown): Array<Record<string, unknown>> {
  if (typeof policy !== 'object' || policy === null) return [];
  const s = (policy as Record<string, unknown>).Statement;
  if (Array.isArray(s)) return s as Array<Record<string, unknown>>;
  return s && typeof s === 'object' ? [s as Record<string, unknown>] : [];
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 1 ? canonical(value[0]) : value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * AWS's "revoke older sessions" pattern for a role: deny everything to sessions whose
 * credentials were issued before the containment time. New sessions (after the responder
 * has fixed the trust policy) keep working; the role itself is never deny-all'd.
 */
export function revokeOlderSessionsPolicy(containedAt: Date | string): PolicyDocument {
  const at = typeof containedAt === 'string' ? containedAt : containedAt.toISOString();
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: CONTAINMENT_SIDS.revokeOlderSessions,
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': at } },
      },
    ],
  };
}
