import { ContainmentKind } from '../contain/plan';
import { DEFAULT_NAMES } from '../../lib/names';

/**
 * Who the investigation never contains like any other target: the IR roles and the
 * break-glass role (an actor on one of them gets a revoke-only step, see irRoleOf), the kit's
 * own roles, the bucket it reads logs from, and any name the config or the command line
 * protects (those are reported under `excluded`). All are still investigated: an actor using
 * an IR role, worst of all the break-glass role, is the worst news there is.
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

/** The configured break-glass role's name. */
export function breakGlassRoleOf(protection: ProtectionOptions): string {
  return protection.breakGlassRoleName ?? DEFAULT_NAMES.breakGlassRoleName;
}

/** Whether a role is the break-glass role or another IR role (names compare without case). */
export function irRoleOf(protection: ProtectionOptions, roleName: string): 'break-glass' | 'ir' | undefined {
  if (lower(breakGlassRoleOf(protection)) === lower(roleName)) return 'break-glass';
  const irRoles = protection.irRoleNames ?? [
    DEFAULT_NAMES.analystRoleName,
    DEFAULT_NAMES.adminRoleName,
    DEFAULT_NAMES.deployRoleName,
  ];
  return irRoles.some((r) => lower(r) === lower(roleName)) ? 'ir' : undefined;
}

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
    const irRole = irRoleOf(protection, name);
    if (irRole) return irRole === 'break-glass' ? 'the break-glass role' : 'an IR role';
    const kitRoles = protection.kitRoleNames ?? [DEFAULT_NAMES.containmentExecutionRoleName];
    if (kitRoles.some((r) => lower(r) === lower(name))) return 'a role of the kit itself';
  }
  return listed ? 'a protected principal (config protectedPrincipals or --protect)' : undefined;
}
