import type { RuntimeConfig } from '../../lib/config';
import { ProtectionRule, protectionRule } from '../../lib/protection';
import { runtimeConfig } from '../config';

/**
 * What the kit's config says neither the investigation's plan nor containment may touch
 * (lib/protection.ts): the IR, break-glass and kit roles as configured, protectedPrincipals
 * and the log bucket. Both `irkit investigate` and `irkit contain` build their rule here.
 */
export function protectionFromConfig(config: RuntimeConfig = runtimeConfig()): ProtectionRule {
  return protectionRule({
    ...config.names,
    protectedPrincipals: config.protectedPrincipals,
    ...(config.logBucket !== undefined ? { logBucket: config.logBucket } : {}),
    logSources: config.logSources,
    env: config.env,
    trustedPrincipals: config.trustedPrincipals,
    ...(config.breakGlassPrincipals !== undefined
      ? { breakGlassPrincipals: config.breakGlassPrincipals }
      : {}),
  });
}
