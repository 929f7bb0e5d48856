import { CONTAINMENT_HANDLER_NAMES } from './constructs/containment/names';
import { DEFAULT_NAMES, TAG_KEYS } from './names';

/*
 * The one rule of what the kit never contains. `irkit investigate` applies it to keep
 * targets out of the plan, `irkit contain` to refuse them, so a plan the investigation
 * writes is never refused for protection (contain also reads tags, which CloudTrail does not
 * show). Plain TypeScript with no SDK or CDK import: the bundled containment handler can use it.
 */

export interface ProtectionRule {
  /** The analyst, admin and deploy roles (configured names). */
  readonly irRoleNames: readonly string[];
  readonly breakGlassRoleName: string;
  /** The containment execution role and the handler's role. */
  readonly kitRoleNames: readonly string[];
  /** Config `protectedPrincipals` (and `--protect`): names, `path/name`, IAM ARNs, or bucket names. */
  readonly protectedPrincipals: readonly string[];
  /** The bucket(s) the tables read, and any other bucket of the kit known by name. */
  readonly protectedBuckets: readonly string[];
  /** Config `trustedPrincipals` that are IAM user or role ARNs: the responders themselves. */
  readonly trustedPrincipalArns: readonly string[];
  readonly breakGlassPrincipalArns: readonly string[];
}

/**
 * What the rule is built from: a subset of IrKitConfig (lib/config.ts), so the config itself
 * can be passed; the run-time config passes what it knows.
 */
export interface ProtectionConfig {
  readonly analystRoleName: string;
  readonly adminRoleName: string;
  readonly deployRoleName: string;
  readonly breakGlassRoleName: string;
  readonly containmentExecutionRoleName: string;
  readonly protectedPrincipals: readonly string[];
  /** The bucket CloudTrail (and flow logs) deliver to, when the config names one. */
  readonly logBucket?: string;
  /** Enabled without a logBucket: the kit creates `irkit-logs-ACCOUNT-REGION`. */
  readonly logSources?: { readonly enabled: boolean };
  /** Where the kit is deployed, for the name of the log bucket it creates. */
  readonly env?: { readonly account?: string; readonly region?: string };
  readonly trustedPrincipals?: readonly string[];
  readonly breakGlassPrincipals?: readonly string[];
}

export interface ProtectionSubject {
  readonly kind: 'user' | 'role' | 'bucket' | 'instance';
  readonly name: string;
  /** The IAM ARN (`arn:aws:iam::1:user/team/alice`); its path and account are compared too. */
  readonly arn?: string;
  /** The IAM path (`/team/`), when known without an ARN. */
  readonly path?: string;
  /** Tags of the user, role or bucket, when they could be read. */
  readonly tags?: ReadonlyArray<{ readonly Key?: string; readonly Value?: string }>;
  /** Who runs the command: a user ARN or an assumed-role session ARN. */
  readonly callerArn?: string;
}

/** The log bucket the log-sources stack creates when the config names none (lib/constructs/log-sources.ts). */
export function kitLogBucketName(account: string, region: string): string {
  return `irkit-logs-${account}-${region}`;
}

/**
 * The rule of a config. `where` gives the account and Region the kit runs in, when the config
 * does not say (`env`), so the log bucket the kit creates is known by name.
 */
export function protectionRule(
  config: ProtectionConfig,
  where: { readonly account?: string; readonly region?: string } = {},
): ProtectionRule {
  const account = config.env?.account ?? where.account;
  const region = config.env?.region ?? where.region;
  const buckets: string[] = [];
  if (config.logBucket !== undefined) buckets.push(config.logBucket);
  else if (config.logSources?.enabled && account && region) buckets.push(kitLogBucketName(account, region));
  const arns = (principals: readonly string[] | undefined) =>
    (principals ?? []).filter((p) => parseIamArn(p) !== undefined);
  return {
    irRoleNames: [config.analystRoleName, config.adminRoleName, config.deployRoleName],
    breakGlassRoleName: config.breakGlassRoleName,
    kitRoleNames: [config.containmentExecutionRoleName, CONTAINMENT_HANDLER_NAMES.roleName],
    protectedPrincipals: [...config.protectedPrincipals],
    protectedBuckets: buckets,
    trustedPrincipalArns: arns(config.trustedPrincipals),
    breakGlassPrincipalArns: arns(config.breakGlassPrincipals ?? config.trustedPrincipals),
  };
}

/** The rule of a kit deployed with the playbook's names and nothing else protected. */
export const PLAYBOOK_PROTECTION: ProtectionRule = protectionRule({
  ...DEFAULT_NAMES,
  protectedPrincipals: [],
});

/**
 * Why the subject is protected (every reason, joined by `; `), or undefined when it is not.
 * IAM names compare without case, as IAM does; bucket names exactly.
 */
export function protectedReason(rule: ProtectionRule, subject: ProtectionSubject): string | undefined {
  const reasons: string[] = [];
  const listed = (entries: readonly string[]) => entries.some((entry) => names(subject, entry));
  if (subject.kind === 'bucket') {
    if (rule.protectedBuckets.includes(subject.name))
      reasons.push('a bucket of the kit (it reads its logs there)');
    if (rule.protectedPrincipals.some((p) => p === subject.name || s3Name(p) === subject.name))
      reasons.push('listed in protectedPrincipals (config or --protect)');
  } else if (subject.kind === 'instance') {
    if (rule.protectedPrincipals.includes(subject.name))
      reasons.push('listed in protectedPrincipals (config or --protect)');
  } else {
    const name = lower(subject.name);
    if (subject.kind === 'role') {
      if (lower(rule.breakGlassRoleName) === name) reasons.push('the break-glass role');
      if (rule.irRoleNames.some((r) => lower(r) === name)) reasons.push('an IR role');
      if (rule.kitRoleNames.some((r) => lower(r) === name)) reasons.push('a role of the kit itself');
    }
    if (subject.callerArn !== undefined && names(subject, subject.callerArn))
      reasons.push(`the caller itself (${subject.callerArn})`);
    if (listed(rule.protectedPrincipals)) reasons.push('listed in protectedPrincipals (config or --protect)');
    if (listed(rule.trustedPrincipalArns)) reasons.push('a responder (config trustedPrincipals)');
    if (listed(rule.breakGlassPrincipalArns))
      reasons.push('may assume the break-glass role (config breakGlassPrincipals)');
  }
  if (isTaggedProtected(subject.tags)) reasons.push(`tagged ${TAG_KEYS.protected}=true`);
  return reasons.length > 0 ? [...new Set(reasons)].join('; ') : undefined;
}

/** Tag `irkit:protected=true`, the value in any case. */
export function isTaggedProtected(tags: ProtectionSubject['tags']): boolean {
  return (tags ?? []).some((t) => t.Key === TAG_KEYS.protected && lower(t.Value ?? '') === 'true');
}

interface IamName {
  readonly kind?: 'user' | 'role';
  readonly account?: string;
  /** `/team/`; undefined when not known (an assumed-role ARN has none). */
  readonly path?: string;
  readonly name: string;
}

const IAM_ARN = /^arn:[a-z-]+:iam::(\d+):(user|role)(\/.*)?\/([^/]+)$/;
const ASSUMED_ROLE_ARN = /^arn:[a-z-]+:sts::(\d+):assumed-role\/([^/]+)\/[^/]+$/;

/** A user or role ARN (or an assumed-role session ARN) as kind, account, path and name. */
export function parseIamArn(arn: string): IamName | undefined {
  const iam = IAM_ARN.exec(arn);
  if (iam) {
    return { kind: iam[2] as 'user' | 'role', account: iam[1], path: `${iam[3] ?? ''}/`, name: iam[4] };
  }
  const session = ASSUMED_ROLE_ARN.exec(arn);
  return session ? { kind: 'role', account: session[1], name: session[2] } : undefined;
}

/** A protectedPrincipals entry: an ARN, `path/name` (`team/alice`, `/team/alice`) or a bare name. */
function entryOf(entry: string): IamName {
  const arn = parseIamArn(entry);
  if (arn) return arn;
  const cut = entry.lastIndexOf('/');
  if (cut < 0) return { name: entry };
  const path = entry.slice(0, cut + 1);
  return { path: path.startsWith('/') ? path : `/${path}`, name: entry.slice(cut + 1) };
}

/**
 * Whether `entry` names the subject. What either side does not know (the subject's path or
 * account, an entry's kind) is not compared: when in doubt, protect.
 */
function names(subject: ProtectionSubject, entry: string): boolean {
  const e = entryOf(entry);
  const own = subject.arn !== undefined ? parseIamArn(subject.arn) : undefined;
  const path = subject.path ?? own?.path;
  if (lower(e.name) !== lower(subject.name)) return false;
  if (e.kind !== undefined && e.kind !== subject.kind) return false;
  if (e.path !== undefined && path !== undefined && lower(e.path) !== lower(path)) return false;
  return !(e.account !== undefined && own?.account !== undefined && e.account !== own.account);
}

function s3Name(entry: string): string | undefined {
  return /^arn:[a-z-]+:s3:::([^/]+)$/.exec(entry)?.[1];
}

function lower(s: string): string {
  return s.toLowerCase();
}
