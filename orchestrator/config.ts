import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { CONFIG_FILE_CONTEXT_KEY, RuntimeConfig, parseRuntimeConfig, rawConfigOf } from '../lib/config';
import { IrKitError } from '../lib/errors';
import type { TableNames } from '../lib/queries';

/** Names a config file explicitly (irkit --config FILE sets it too). */
export const CONFIG_ENV = 'IRKIT_CONFIG';

/** Where the config comes from: the file, and how it was chosen. */
export interface ConfigSource {
  readonly path?: string;
  readonly how: 'option' | 'found' | 'none';
}

/**
 * The kit's config as `irkit` sees it, from wherever irkit runs: the file IRKIT_CONFIG (or
 * `irkit --config FILE`) names, else the nearest cdk.json with an `irkit` context, upward from
 * the working directory (as cdk itself finds its cdk.json), else the playbook's names and no
 * extra protections. A config file given explicitly may be a cdk.json or the irkit object itself.
 */
export function findConfig(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): ConfigSource {
  const named = env[CONFIG_ENV];
  if (named) {
    const path = resolve(cwd, named);
    if (!existsSync(path)) {
      throw new IrKitError(
        'IRKIT_CONFIG',
        `the config file ${path} does not exist (--config or ${CONFIG_ENV})`,
        {
          hint: 'give the cdk.json of the deployed kit, or its irkit config JSON',
        },
      );
    }
    return { path, how: 'option' };
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const path = join(dir, 'cdk.json');
    if (existsSync(path) && 'irkit' in contextOf(path)) return { path, how: 'found' };
    if (dirname(dir) === dir) return { how: 'none' };
  }
}

export function runtimeConfig(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const source = findConfig(cwd, env);
  if (!source.path) return parseRuntimeConfig({});
  const doc = readJson(source.path);
  const context = (
    'context' in doc || source.how === 'found' ? (doc.context ?? {}) : { irkit: doc }
  ) as Record<string, unknown>;
  // A config file the cdk.json names is relative to the cdk.json, wherever irkit runs.
  const base = dirname(source.path);
  return parseRuntimeConfig(
    rawConfigOf((key) =>
      key === CONFIG_FILE_CONTEXT_KEY && typeof context[key] === 'string'
        ? resolve(base, context[key] as string)
        : context[key],
    ),
  );
}

/** Says which config irkit uses, when it is not the working directory's cdk.json. */
export function describeConfigSource(source: ConfigSource, cwd = process.cwd()): string | undefined {
  if (source.how === 'found' && source.path === join(resolve(cwd), 'cdk.json')) return undefined;
  if (source.how === 'none')
    return 'no cdk.json with an irkit config found: the playbook names, nothing else protected';
  return `config from ${source.path}${source.how === 'option' ? ` (${CONFIG_ENV} / --config)` : ''}`;
}

function contextOf(path: string): Record<string, unknown> {
  const doc = readJson(path);
  return (doc.context ?? {}) as Record<string, unknown>;
}

function readJson(path: string): Record<string, unknown> & { context?: Record<string, unknown> } {
  try {
    const doc: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
    return doc as Record<string, unknown>;
  } catch (error) {
    throw new IrKitError('IRKIT_CONFIG', `${path} is not valid JSON: ${(error as Error).message}`, {
      hint: 'fix the file, or run irkit from another directory (or name another with --config)',
      cause: error,
    });
  }
}

/** The Glue names the library's SQL is rendered with, on either engine. */
export function tableNamesOf(config: RuntimeConfig): TableNames {
  return {
    database: config.names.databaseName,
    cloudTrailTable: config.names.cloudTrailTableName,
    vpcFlowTable: config.names.vpcFlowTableName,
  };
}
