import type { RuntimeConfig } from '../../lib/config';
import { runtimeConfig } from '../config';
import type { ProtectionOptions } from './prepare';

/**
 * What the kit's config says containment must never touch: its protectedPrincipals, the IR
 * role names as configured, and the log bucket.
 */
export function protectionFromConfig(config: RuntimeConfig = runtimeConfig()): ProtectionOptions {
  return {
    protectedPrincipals: config.protectedPrincipals,
    irRoleNames: [
      config.names.analystRoleName,
      config.names.adminRoleName,
      config.names.deployRoleName,
      config.names.breakGlassRoleName,
    ],
    protectedBuckets: config.logBucket !== undefined ? [config.logBucket] : [],
  };
}
