import { ContainmentKind } from '../contain/plan';
import { DEFAULT_NAMES } from '../../lib/names';

/**
 * Who the investigation never puts in a containment plan: the IR roles, the break-glass role,
 * the kit's own roles, the bucket it reads logs from, and any name the config or the command
 * line protects. They are still investigated (an actor using the break-glass role is the
 * worst news of all) and are reported under `excluded`.
 */
export interface ProtectionOptions {
  /** @default the playbook's SecurityAnalystRole, SecurityAdminRole, SecurityDeployRole */
  readonly irRoleNames?: readonly string[];
  /** @default SecurityBreakGlassRole */
  readonly breakGlassRoleName?: string;
  /** Roles the kit itself runs as. @default the containment execution role */
  readonly kitRoleNames?: readonly string[];
  /** IAM user or role names or ARNs (config `protectedPrincipals`, `--protect`). */
  readonly protectedPrincipals?: readonly string[];
  /** Buckets never locked (the log bucket the tables read). */
  readonly protectedBuckets?: readonly string[];
}

const lower = (s: string) => s.toLowerCase();

/** Why a target is protected, or undefined when it is not. IAM names compare without case. */
export function protectedReason(
  protection: ProtectionOptions,
  kind: ContainmentKind,
  name: string,
  arn?: string | null,
): string | undefined {
  const listed = (protection.protectedPrincipals ?? []).some(
    (p) => lower(p) === lower(name) || (arn != null && lower(p) === lower(arn)),
  );
  if (kind === 'bucket') {
    if ((protection.protectedBuckets ?? []).includes(name)) return 'the bucket the kit reads its logs from';
    return (protection.protectedPrincipals ?? []).includes(name)
      ? 'protected by name (--protect)'
      : undefined;
  }
  if (kind === 'role') {
    const irRoles = protection.irRoleNames ?? [
      DEFAULT_NAMES.analystRoleName,
      DEFAULT_NAMES.adminRoleName,
      DEFAULT_NAMES.deployRoleName,
    ];
    if (lower(protection.breakGlassRoleName ?? DEFAULT_NAMES.breakGlassRoleName) === lower(name)) {
      return 'the break-glass role';
    }
    if (irRoles.some((r) => lower(r) === lower(name))) return 'an IR role';
    const kitRoles = protection.kitRoleNames ?? [DEFAULT_NAMES.containmentExecutionRoleName];
    if (kitRoles.some((r) => lower(r) === lower(name))) return 'a role of the kit itself';
  }
  return listed ? 'a protected principal (config protectedPrincipals or --protect)' : undefined;
}
