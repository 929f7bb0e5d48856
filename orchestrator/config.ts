import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { RuntimeConfig, parseRuntimeConfig, rawConfigOf } from '../lib/config';
import { IrKitError } from '../lib/errors';
import type { TableNames } from '../lib/queries';

/**
 * The kit's config as `irkit` sees it: the cdk.json of the working directory (and the config
 * file it names), read for the names and protections the commands need. With no cdk.json,
 * the playbook's names and no extra protections.
 */
export function runtimeConfig(cwd = process.cwd()): RuntimeConfig {
  const path = join(cwd, 'cdk.json');
  if (!existsSync(path)) return parseRuntimeConfig({});
  let context: Record<string, unknown>;
  try {
    context = ((JSON.parse(readFileSync(path, 'utf8')) as { context?: Record<string, unknown> }).context ??
      {}) as Record<string, unknown>;
  } catch (error) {
    throw new IrKitError('IRKIT_CONFIG', `${path} is not valid JSON: ${(error as Error).message}`, {
      hint: 'fix cdk.json, or run irkit from another directory',
      cause: error,
    });
  }
  return parseRuntimeConfig(rawConfigOf((key) => context[key]));
}

/** The Glue names the library's SQL is rendered with, on either engine. */
export function tableNamesOf(config: RuntimeConfig): TableNames {
  return {
    database: config.names.databaseName,
    cloudTrailTable: config.names.cloudTrailTableName,
    vpcFlowTable: config.names.vpcFlowTableName,
  };
}
