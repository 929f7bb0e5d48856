import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { App } from 'aws-cdk-lib';

import { IrKitError } from '../errors';
import { DEFAULT_NAMES } from '../names';
import { COMMERCIAL_REGIONS, GLOBAL_EVENTS_REGION } from '../regions';
import {
  ConfigDefaults,
  GroupSpec,
  KEYS,
  KeySpec,
  ParsedKeys,
  RULES,
  alertForwardingRegionsOf,
  defaultDeployRoleArnTemplate,
} from './keys';
import { ConfigError, ConfigProblem, Raw, collect, object } from './readers';

export {
  DEFAULT_BYTES_SCANNED_CUTOFF,
  DEFAULT_PROJECTION_START_DATE,
  DEFAULT_RESULTS_RETENTION_IN_DAYS,
  MAX_EVIDENCE_RETENTION_DAYS,
  MIN_BYTES_SCANNED_CUTOFF,
  defaultDeployRoleArnTemplate,
  isAccountRootPrincipal,
} from './keys';
export type { ConfigDefaults } from './keys';
export { ConfigError, closest } from './readers';
export type { ConfigProblem } from './readers';

/**
 * The kit's one configuration: read from cdk.json context key `irkit` (and optionally a JSON
 * file named by context key `irkit:configFile`), validated whole before any construct is built.
 * Its keys, defaults, readers and documentation are the table of ./keys.ts.
 */
export type IrKitConfig = ParsedKeys & {
  /** IAM events arrive only here, so the alerts stack deploys here whatever env.region is. */
  readonly alertsRegion: string;
  /**
   * Regions whose regional events (STS AssumeRole through a regional endpoint, GuardDuty
   * findings, AWS Health's backup) are forwarded to the alerts topic: never alertsRegion itself.
   */
  readonly alertForwardingRegions: readonly string[];
};

export type LogSourcesConfig = IrKitConfig['logSources'];
export type SimulationConfig = IrKitConfig['simulation'];
export type DeploymentEnv = IrKitConfig['env'];

/** Context keys the config is read from. */
export const CONFIG_CONTEXT_KEY = 'irkit';
export const CONFIG_FILE_CONTEXT_KEY = 'irkit:configFile';

type AnySpec = KeySpec<unknown> | GroupSpec<Record<string, KeySpec<unknown>>>;
const TABLE = KEYS as unknown as Record<string, AnySpec>;
const TOP_LEVEL_KEYS = Object.keys(TABLE);

/** Every key the config accepts, as dotted paths (docs/configuration.md documents each). */
export const CONFIG_KEYS: readonly string[] = Object.entries(TABLE).flatMap(([name, spec]) =>
  spec.kind === 'group' ? [name, ...Object.keys(spec.keys).map((k) => `${name}.${k}`)] : [name],
);

type Mode = 'deploy' | 'runtime';

/**
 * Reads every key of the table (in runtime mode only those irkit uses), collecting every
 * problem; then derived defaults and the rules across keys. Throws one ConfigError naming
 * every mistake, each with its fix.
 */
function readTable(raw: unknown, mode: Mode, defaults: ConfigDefaults): Record<string, unknown> {
  const problems: ConfigProblem[] = [];
  const failed = new Set<string>();
  const root = collect(problems, () => object(CONFIG_CONTEXT_KEY, raw, TOP_LEVEL_KEYS, problems));
  if (root === undefined) throw new ConfigError(problems);
  const out: Record<string, unknown> = {};
  const derived: Array<() => void> = [];

  const readKey = (
    path: string,
    spec: KeySpec<unknown>,
    from: Raw,
    into: Record<string, unknown>,
    name: string,
  ) => {
    const read = mode === 'runtime' && typeof spec.runtime === 'function' ? spec.runtime : spec.read;
    const key = `${CONFIG_CONTEXT_KEY}.${path}`;
    let value = from[name];
    if (value === undefined && mode === 'deploy' && spec.fromDefaults) value = spec.fromDefaults(defaults);
    if (value === undefined) {
      if (mode === 'deploy' && spec.required) {
        problems.push({ key, value, ...spec.required });
        failed.add(path);
      } else if (mode === 'deploy' && spec.derive) {
        const derive = spec.derive;
        derived.push(() => (into[name] = derive(out, root)));
      } else {
        into[name] = spec.default;
      }
      return;
    }
    const before = problems.length;
    into[name] = collect(problems, () => read(value, key, root));
    if (problems.length > before) failed.add(path);
  };

  for (const [name, spec] of Object.entries(TABLE)) {
    if (spec.kind === 'key') {
      if (mode === 'deploy' || spec.runtime) readKey(name, spec, root, out, name);
      continue;
    }
    const inner = Object.entries(spec.keys).filter(([, s]) => mode === 'deploy' || s.runtime);
    const groupRaw = collect(problems, () =>
      object(`${CONFIG_CONTEXT_KEY}.${name}`, root[name] ?? {}, Object.keys(spec.keys), problems),
    );
    if (groupRaw === undefined) {
      inner.forEach(([k]) => failed.add(`${name}.${k}`));
      continue;
    }
    const values: Record<string, unknown> = {};
    for (const [k, s] of inner) readKey(`${name}.${k}`, s, groupRaw, values, k);
    out[name] = values;
  }
  derived.forEach((derive) => derive());

  if (mode === 'deploy') {
    for (const rule of RULES) {
      if (rule.keys.some((k) => failed.has(k))) continue;
      const found = rule.check(out as ParsedKeys);
      if (found) problems.push({ ...found, key: `${CONFIG_CONTEXT_KEY}.${found.key}` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

/**
 * Validates a raw config object (the merged context value) and fills in the defaults.
 * Pure: no file or environment access, so every error is easy to test.
 */
export function parseConfig(raw: unknown, defaults: ConfigDefaults = {}): IrKitConfig {
  const keys = readTable(raw, 'deploy', defaults) as ParsedKeys;
  return {
    ...keys,
    alertsRegion: GLOBAL_EVENTS_REGION,
    alertForwardingRegions: alertForwardingRegionsOf(keys.alertRegions),
  };
}

type NameKey = Exclude<keyof typeof DEFAULT_NAMES, 'simulationUserName'>;
const NAME_KEYS = Object.keys(DEFAULT_NAMES).filter((k) => k !== 'simulationUserName') as NameKey[];

/**
 * What `irkit` reads from the deployed kit's config at run time: the names its queries and
 * containment use, and what it must never contain. Only these keys (those the table marks
 * `runtime`) are validated, so a config still incomplete for deployment does not stop a
 * responder; an unknown key is still an error.
 */
export interface RuntimeConfig {
  readonly names: Record<NameKey, string>;
  readonly vpcFlowLogFormat: readonly string[];
  readonly protectedPrincipals: readonly string[];
  /** The log bucket, when the config names one: evidence, never contained. */
  readonly logBucket?: string;
  /** The trail's prefix before `AWSLogs/` (where `irkit preserve` reads the actor's raw records). */
  readonly cloudTrailPrefix?: string;
  /** An organization trail's id (`AWSLogs/o-xxx/ACCOUNT/...`). */
  readonly organizationId?: string;
  /** The log-sources stack is on (without logBucket it creates the log bucket, never contained). */
  readonly logSources: { readonly enabled: boolean };
  /** Where the kit is deployed, when the config says (names the bucket the kit creates). */
  readonly env: DeploymentEnv;
  /** The responders (never contained), as the config lists them; validated at synth. */
  readonly trustedPrincipals: readonly string[];
  readonly breakGlassPrincipals?: readonly string[];
  /** The role irkit assumes in a member account, `{account}` for its id. */
  readonly deployRoleArnTemplate: string;
  /** Where the member StackSets were created (irkit doctor --members reads their instances). */
  readonly membersAdministrator: 'delegated' | 'management';
  /** The Regions the account uses (every commercial Region by default): where GuardDuty is read. */
  readonly regions: readonly string[];
}

export function parseRuntimeConfig(raw: unknown): RuntimeConfig {
  const keys = readTable(raw, 'runtime', {}) as Partial<ParsedKeys> & Pick<ParsedKeys, NameKey>;
  const names = Object.fromEntries(NAME_KEYS.map((k) => [k, keys[k]])) as Record<NameKey, string>;
  return {
    names,
    vpcFlowLogFormat: keys.vpcFlowLogFormat ?? [],
    protectedPrincipals: keys.protectedPrincipals ?? [],
    ...(keys.logBucket !== undefined ? { logBucket: keys.logBucket } : {}),
    ...(keys.cloudTrailPrefix !== undefined ? { cloudTrailPrefix: keys.cloudTrailPrefix } : {}),
    ...(keys.organizationId !== undefined ? { organizationId: keys.organizationId } : {}),
    logSources: { enabled: keys.logSources?.enabled ?? false },
    env: { account: keys.env?.account, region: keys.env?.region },
    trustedPrincipals: keys.trustedPrincipals ?? [],
    ...(keys.breakGlassPrincipals !== undefined ? { breakGlassPrincipals: keys.breakGlassPrincipals } : {}),
    deployRoleArnTemplate: keys.members?.deployRoleArn ?? defaultDeployRoleArnTemplate(names.deployRoleName),
    membersAdministrator: keys.members?.administrator ?? 'delegated',
    regions: keys.regions ?? COMMERCIAL_REGIONS,
  };
}

/** The context value, which `cdk -c irkit='{...}'` passes as a JSON string. */
function contextObject(value: unknown, source: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new IrKitError('IRKIT_CONFIG', `${source} is not valid JSON: ${(error as Error).message}`, {
      hint: `pass it as a JSON object, e.g. -c ${CONFIG_CONTEXT_KEY}='{"accounts":["777777777777"]}'`,
      cause: error,
    });
  }
}

/** Reads the JSON file named by `irkit:configFile`, relative to the working directory. */
export function readConfigFile(path: string): Raw {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (error) {
    throw new IrKitError('IRKIT_CONFIG', `config file ${path} cannot be read: ${(error as Error).message}`, {
      hint: `fix the path in context key ${CONFIG_FILE_CONTEXT_KEY} (relative to the directory you run cdk in)`,
      cause: error,
    });
  }
  const parsed = contextObject(text, `config file ${path}`);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new IrKitError('IRKIT_CONFIG', `config file ${path} must hold a JSON object`, {
      hint: 'write the same keys as the irkit context object, e.g. {"accounts": ["777777777777"]}',
    });
  }
  return parsed as Raw;
}

/**
 * The raw config of an app: the `irkit` context object with the keys of the
 * `irkit:configFile` file (if any) laid over it, top-level key by key.
 */
export function rawConfigOf(context: (key: string) => unknown): Raw {
  const fromContext = contextObject(context(CONFIG_CONTEXT_KEY) ?? {}, `context key ${CONFIG_CONTEXT_KEY}`);
  // Only its shape here: its keys are checked, all at once, when the merged config is read.
  const problems: ConfigProblem[] = [];
  const base = collect(problems, () => object(CONFIG_CONTEXT_KEY, fromContext, TOP_LEVEL_KEYS, []));
  if (base === undefined) throw new ConfigError(problems);
  const file = context(CONFIG_FILE_CONTEXT_KEY);
  if (file === undefined) return base;
  if (typeof file !== 'string' || file === '') {
    throw new ConfigError([
      {
        key: CONFIG_FILE_CONTEXT_KEY,
        value: file,
        problem: 'expected a file path',
        fix: 'give the path of a JSON file',
      },
    ]);
  }
  return { ...base, ...readConfigFile(file) };
}

/** The validated config of a CDK app; deployment defaults come from the cdk CLI's environment. */
export function loadConfig(app: App): IrKitConfig {
  return parseConfig(
    rawConfigOf((k) => app.node.tryGetContext(k)),
    {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION,
    },
  );
}
