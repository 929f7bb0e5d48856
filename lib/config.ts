import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { App } from 'aws-cdk-lib';

import { IrKitError } from './errors';
import { DEFAULT_NAMES } from './names';
import { COMMERCIAL_REGIONS, GLOBAL_EVENTS_REGION, HEALTH_BACKUP_REGION } from './regions';
import { DEFAULT_FLOW_LOG_FORMAT, FLOW_LOG_FIELDS, flowLogFields } from './schema/vpc-flow';
import * as v from './validation';

/**
 * The kit's one configuration: read from cdk.json context key `irkit` (and optionally a
 * JSON file named by context key `irkit:configFile`), validated before any construct is
 * built. Every key is documented in docs/configuration.md.
 */
export interface IrKitConfig {
  /** Existing bucket holding CloudTrail (and flow) logs; absent: the log-sources stack creates one. */
  readonly logBucket?: string;
  /** S3 prefix the trail writes before `AWSLogs/`, without slashes at either end. */
  readonly cloudTrailPrefix?: string;
  /** S3 prefix the flow logs are written under before `AWSLogs/`. */
  readonly vpcFlowLogPrefix?: string;
  /** Set for an organization trail: objects sit under `AWSLogs/o-xxx/ACCOUNT/...`. */
  readonly organizationId?: string;
  /** Accounts whose logs the tables project (account_partition). */
  readonly accounts: readonly string[];
  /** Regions the tables project (region_partition). */
  readonly regions: readonly string[];
  /** First day of the date_partition projection, `yyyy/MM/dd`. */
  readonly projectionStartDate: string;
  readonly databaseName: string;
  readonly cloudTrailTableName: string;
  readonly vpcFlowTableName: string;
  readonly workgroupName: string;
  readonly analystRoleName: string;
  readonly adminRoleName: string;
  readonly deployRoleName: string;
  readonly breakGlassRoleName: string;
  readonly containmentExecutionRoleName: string;
  readonly containmentPolicyName: string;
  /**
   * IAM role or user ARNs allowed to assume the IR roles; an account id or `:root` ARN only
   * with allowAccountRootTrust.
   */
  readonly trustedPrincipals: readonly string[];
  /** Who may assume the break-glass role (with MFA); defaults to trustedPrincipals. */
  readonly breakGlassPrincipals: readonly string[];
  /**
   * The explicit opt-in to trust a whole account (an account id or its `:root` ARN): every
   * IAM principal of it allowed sts:AssumeRole could then assume the IR roles. False by default.
   */
  readonly allowAccountRootTrust: boolean;
  readonly alertEmails: readonly string[];
  readonly bytesScannedCutoffPerQuery: number;
  readonly resultsRetentionInDays: number;
  /** What deleting IrKitAnalytics does to the workgroup: 'retain' it (its history) or 'delete' it with all it holds. */
  readonly workgroupOnDelete: 'retain' | 'delete';
  /**
   * Reserved concurrency of the containment handler: 1 serializes containment changes in the
   * account; 0 reserves none (accounts whose concurrency quota allows no reservation).
   */
  readonly containmentHandlerConcurrency: number;
  /** IAM user/role names or ARNs the kit never contains, beside its own roles. */
  readonly protectedPrincipals: readonly string[];
  readonly logSources: LogSourcesConfig;
  /** VPC Flow Logs log-format field names, in file order. */
  readonly vpcFlowLogFormat: readonly string[];
  readonly simulation: SimulationConfig;
  /** Where the stacks deploy; alerts always go to alertsRegion. */
  readonly env: DeploymentEnv;
  /** IAM events arrive only here, so the alerts stack deploys here whatever env.region is. */
  readonly alertsRegion: string;
  /**
   * Regions whose regional events (STS AssumeRole through a regional endpoint, GuardDuty
   * findings, AWS Health's backup) are forwarded to the alerts topic: never alertsRegion itself.
   */
  readonly alertForwardingRegions: readonly string[];
}

export interface LogSourcesConfig {
  readonly enabled: boolean;
  /** VPC whose flow logs are delivered to the log bucket; none when absent. */
  readonly vpcId?: string;
}

export interface SimulationConfig {
  readonly enabled: boolean;
  /** The only account the simulation stack may be deployed to. */
  readonly sandboxAccount?: string;
  /** The exposed IAM user the simulation creates. */
  readonly userName: string;
}

export interface DeploymentEnv {
  readonly account?: string;
  readonly region?: string;
}

/** Context keys the config is read from. */
export const CONFIG_CONTEXT_KEY = 'irkit';
export const CONFIG_FILE_CONTEXT_KEY = 'irkit:configFile';

/** Athena refuses a per-query cutoff below 10 MB. */
export const MIN_BYTES_SCANNED_CUTOFF = 10_000_000;
/** 100 GiB: a generous month of an organization's CloudTrail; about USD 0.50 a query at most. */
export const DEFAULT_BYTES_SCANNED_CUTOFF = 100 * 1024 ** 3;
export const DEFAULT_RESULTS_RETENTION_IN_DAYS = 365;
export const DEFAULT_PROJECTION_START_DATE = '2020/01/01';

const TOP_LEVEL_KEYS = [
  'logBucket',
  'cloudTrailPrefix',
  'vpcFlowLogPrefix',
  'organizationId',
  'accounts',
  'regions',
  'alertRegions',
  'projectionStartDate',
  'databaseName',
  'cloudTrailTableName',
  'vpcFlowTableName',
  'workgroupName',
  'analystRoleName',
  'adminRoleName',
  'deployRoleName',
  'breakGlassRoleName',
  'containmentExecutionRoleName',
  'containmentPolicyName',
  'trustedPrincipals',
  'breakGlassPrincipals',
  'allowAccountRootTrust',
  'alertEmails',
  'bytesScannedCutoffPerQuery',
  'resultsRetentionInDays',
  'workgroupOnDelete',
  'containmentHandlerConcurrency',
  'protectedPrincipals',
  'logSources',
  'vpcFlowLogFormat',
  'simulation',
  'env',
] as const;
const LOG_SOURCES_KEYS = ['enabled', 'vpcId'] as const;
const SIMULATION_KEYS = ['enabled', 'sandboxAccount', 'userName'] as const;
const ENV_KEYS = ['account', 'region'] as const;

/** Every key the config accepts, as dotted paths (docs/configuration.md documents each). */
export const CONFIG_KEYS: readonly string[] = [
  ...TOP_LEVEL_KEYS,
  ...LOG_SOURCES_KEYS.map((k) => `logSources.${k}`),
  ...SIMULATION_KEYS.map((k) => `simulation.${k}`),
  ...ENV_KEYS.map((k) => `env.${k}`),
];

const PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;
/** Glue database and table names: lower case letters, digits and underscores. */
const GLUE_NAME = /^[a-z0-9_]{1,255}$/;
/** Athena workgroup names. */
const WORKGROUP_NAME = /^[A-Za-z0-9._-]{1,128}$/;
/** IAM managed policy names. */
const POLICY_NAME = /^[A-Za-z0-9+=,.@_-]{1,128}$/;
const VPC_ID = /^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
/** IAM principals a trust policy can name: an account's root, a user or a role. */
const IAM_PRINCIPAL_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:(root|(user|role)(\/[A-Za-z0-9+=,.@_-]+)+)$/;
/** An IAM role or user ARN, with an optional path: what the IR roles may trust. */
const IAM_ROLE_OR_USER_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:(user|role)(\/[A-Za-z0-9+=,.@_-]+)+$/;
/** A whole account: its id, or its root ARN (which IAM stores an account id as). */
const ACCOUNT_ROOT = /^(\d{12}|arn:aws(-[a-z]+)*:iam::\d{12}:root)$/;
const ASSUMED_ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):sts::(\d{12}):assumed-role\/([A-Za-z0-9+=,.@_-]+)\/[^/]+$/;
const IAM_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
/** A name with its IAM path (`contractors/alice`, `/contractors/alice`). */
const IAM_PATH_NAME = /^\/?([A-Za-z0-9+=,.@_-]+\/)+[A-Za-z0-9+=,.@_-]{1,64}$/;

type Raw = Record<string, unknown>;

function configError(key: string, value: unknown, problem: string, fix: string): IrKitError {
  const shown = value === undefined ? '(missing)' : JSON.stringify(value);
  return new IrKitError('IRKIT_CONFIG', `config ${key} = ${shown}: ${problem}. Fix: ${fix}`, { hint: fix });
}

/** Levenshtein distance, for "did you mean" on misspelt keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The closest known name when it is plausibly a typo of `name`. */
export function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  // A key missing its tail (`workgroup` for `workgroupName`) is as likely a slip as a typo.
  const extended = known.find((candidate) => lower.length >= 4 && candidate.toLowerCase().startsWith(lower));
  if (extended) return extended;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function asObject(key: string, value: unknown, known: readonly string[]): Raw {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError(key, value, 'expected an object', `give ${key} as a JSON object, e.g. {}`);
  }
  for (const name of Object.keys(value)) {
    if (!known.includes(name)) {
      const suggestion = closest(name, known);
      const path = `${key}.${name}`;
      throw configError(
        path,
        (value as Raw)[name],
        'unknown key',
        suggestion
          ? `did you mean "${suggestion}"? Rename the key`
          : `remove it; known keys of ${key} are ${known.join(', ')}`,
      );
    }
  }
  return value as Raw;
}

/** Reads one value through a validator from lib/validation, re-thrown as a config error. */
function checked(key: string, value: unknown, validate: (s: string) => string, what: string): string {
  if (typeof value !== 'string') {
    throw configError(key, value, `expected a string (${what})`, `give ${key} as a JSON string`);
  }
  try {
    return validate(value);
  } catch (error) {
    const hint = error instanceof IrKitError && error.hint ? error.hint : `give a valid ${what}`;
    throw configError(key, value, `not a valid ${what}`, hint);
  }
}

function matching(key: string, value: unknown, pattern: RegExp, what: string, fix: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw configError(key, value, `not a valid ${what}`, fix);
  }
  return value;
}

function optional<T>(raw: Raw, name: string, read: (value: unknown) => T): T | undefined {
  return raw[name] === undefined ? undefined : read(raw[name]);
}

function list<T>(
  key: string,
  value: unknown,
  item: (value: unknown, key: string) => T,
  options: { nonEmpty: boolean; example: string },
): T[] {
  if (!Array.isArray(value)) {
    throw configError(key, value, 'expected a list', `give ${key} as a JSON array, e.g. ${options.example}`);
  }
  if (options.nonEmpty && value.length === 0) {
    throw configError(key, value, 'the list is empty', `give at least one entry, e.g. ${options.example}`);
  }
  const items = value.map((entry, i) => item(entry, `${key}[${i}]`));
  const seen = new Set<string>();
  items.forEach((entry, i) => {
    const id = JSON.stringify(entry);
    if (seen.has(id)) {
      throw configError(`${key}[${i}]`, entry, 'listed twice', 'remove the duplicate');
    }
    seen.add(id);
  });
  return items;
}

function boolean(key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw configError(key, value, 'expected true or false', `give ${key} as a JSON boolean`);
  }
  return value;
}

function oneOf<T extends string>(key: string, value: unknown, values: readonly T[]): T {
  if (typeof value !== 'string' || !values.includes(value as T)) {
    throw configError(
      key,
      value,
      `expected one of ${values.join(', ')}`,
      `give ${key} as "${values[0]}" or "${values.slice(1).join('", "')}"`,
    );
  }
  return value as T;
}

function integer(key: string, value: unknown, min: number, max: number, unit: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw configError(
      key,
      value,
      `expected a whole number of ${unit} from ${min} to ${max}`,
      `give ${key} as a JSON number in that range`,
    );
  }
  return value;
}

function accountId(key: string, value: unknown): string {
  return checked(key, value, v.accountId, 'AWS account id (12 digits)');
}

function region(key: string, value: unknown): string {
  if (typeof value === 'string' && COMMERCIAL_REGIONS.includes(value)) return value;
  const suggestion = typeof value === 'string' ? closest(value, COMMERCIAL_REGIONS) : undefined;
  throw configError(
    key,
    value,
    'not a commercial AWS Region the kit knows',
    suggestion
      ? `did you mean "${suggestion}"?`
      : 'use a Region of lib/regions.ts COMMERCIAL_REGIONS, e.g. us-east-1',
  );
}

function prefix(key: string, value: unknown): string {
  return matching(
    key,
    value,
    PREFIX,
    'S3 key prefix',
    'give the folder path before AWSLogs/ with no leading or trailing slash, e.g. "cloudtrail" or "org/logs"',
  );
}

function glueName(key: string, value: unknown): string {
  return matching(
    key,
    value,
    GLUE_NAME,
    'Glue name',
    'use lower-case letters, digits and underscores (Athena folds names to lower case), e.g. irworkshopgluedatabase',
  );
}

function roleName(key: string, value: unknown): string {
  return checked(key, value, v.iamRoleName, 'IAM role name');
}

/** True for an account id or an account's `:root` ARN: trust in the whole account. */
export function isAccountRootPrincipal(value: string): boolean {
  return ACCOUNT_ROOT.test(value);
}

const EXAMPLE_RESPONDER = 'arn:aws:iam::777777777777:role/IncidentResponder';

/**
 * One entry of trustedPrincipals or breakGlassPrincipals: an exact IAM role or user ARN, or,
 * only when the config opts in, a whole account. `assumes` says what the entry would let in.
 */
function trustedPrincipal(key: string, value: unknown, allowAccountRoot: boolean, assumes: string): string {
  if (typeof value === 'string' && IAM_ROLE_OR_USER_ARN.test(value)) {
    return value;
  }
  if (typeof value === 'string' && ACCOUNT_ROOT.test(value)) {
    if (allowAccountRoot) return value;
    const account = /\d{12}/.exec(value)?.[0] ?? '';
    throw configError(
      key,
      value,
      `this trusts the whole account ${account}: any IAM user or role in it that may call sts:AssumeRole, an exposed administrator key included, could ${assumes}`,
      `name your responders' IAM role or user, e.g. "${EXAMPLE_RESPONDER}"; only if you accept that risk, add "allowAccountRootTrust": true`,
    );
  }
  if (typeof value === 'string' && value.includes('*')) {
    throw configError(
      key,
      value,
      'a wildcard lets in principals nobody listed',
      `name each IAM role or user exactly, e.g. "${EXAMPLE_RESPONDER}"`,
    );
  }
  const session = typeof value === 'string' ? ASSUMED_ROLE_ARN.exec(value) : null;
  if (session) {
    throw configError(
      key,
      value,
      'a role session, not a role: its session name is whatever the caller passes to AssumeRole, so it identifies nobody, and the session ends within hours',
      `trust the role itself, "arn:${session[1]}:iam::${session[2]}:role/${session[3]}"`,
    );
  }
  throw configError(
    key,
    value,
    'not an IAM role or user ARN',
    `give an ARN such as "${EXAMPLE_RESPONDER}" (a path is allowed: arn:aws:iam::777777777777:role/team/IncidentResponder); the kit trusts no service, federated or group principal`,
  );
}

function protectedPrincipal(key: string, value: unknown): string {
  if (
    typeof value === 'string' &&
    (IAM_NAME.test(value) || IAM_PATH_NAME.test(value) || IAM_PRINCIPAL_ARN.test(value))
  ) {
    return value;
  }
  throw configError(
    key,
    value,
    'not an IAM user or role name, path/name or ARN',
    'give a name such as ci-deployer, a name with its path such as contractors/alice, or an ARN such as arn:aws:iam::777777777777:role/OrgAdmin',
  );
}

function email(key: string, value: unknown): string {
  return matching(key, value, EMAIL, 'e-mail address', 'give an address such as security@example.com');
}

function flowLogFormat(key: string, value: unknown): string[] {
  const known = Object.keys(FLOW_LOG_FIELDS);
  const names = list(
    key,
    value,
    (entry, k) => {
      if (typeof entry === 'string' && FLOW_LOG_FIELDS[entry]) return entry;
      const suggestion = typeof entry === 'string' ? closest(entry, known) : undefined;
      throw configError(
        k,
        entry,
        'not a VPC Flow Logs field',
        suggestion
          ? `did you mean "${suggestion}"?`
          : `use the log-format names AWS defines: ${known.join(', ')}`,
      );
    },
    { nonEmpty: true, example: JSON.stringify(DEFAULT_FLOW_LOG_FORMAT.slice(0, 3)) },
  );
  // The table's columns come from the same resolver, so a format it accepts here builds there.
  flowLogFields(names);
  if (!names.includes('start')) {
    throw configError(
      key,
      value,
      'has no "start" field',
      'the queries bound flow records to the window by their start time: keep "start" in the format',
    );
  }
  return names;
}

type NameKey = Exclude<keyof typeof DEFAULT_NAMES, 'simulationUserName'>;

/** The Glue, Athena and IAM names, each the playbook's unless the config names another. */
function readNames(root: Raw): Record<NameKey, string> {
  const name = (field: NameKey, read: (k: string, value: unknown) => string) =>
    root[field] === undefined ? DEFAULT_NAMES[field] : read(`${CONFIG_CONTEXT_KEY}.${field}`, root[field]);
  return {
    databaseName: name('databaseName', glueName),
    cloudTrailTableName: name('cloudTrailTableName', glueName),
    vpcFlowTableName: name('vpcFlowTableName', glueName),
    workgroupName: name('workgroupName', (k, value) =>
      matching(
        k,
        value,
        WORKGROUP_NAME,
        'Athena workgroup name',
        'use 1-128 letters, digits, dots, hyphens or underscores',
      ),
    ),
    analystRoleName: name('analystRoleName', roleName),
    adminRoleName: name('adminRoleName', roleName),
    deployRoleName: name('deployRoleName', roleName),
    breakGlassRoleName: name('breakGlassRoleName', roleName),
    containmentExecutionRoleName: name('containmentExecutionRoleName', roleName),
    containmentPolicyName: name('containmentPolicyName', (k, value) =>
      matching(k, value, POLICY_NAME, 'IAM policy name', 'use 1-128 letters, digits and + = , . @ _ -'),
    ),
  };
}

function readProtectedPrincipals(root: Raw): string[] {
  return (
    optional(root, 'protectedPrincipals', (value) =>
      list(`${CONFIG_CONTEXT_KEY}.protectedPrincipals`, value, (entry, k) => protectedPrincipal(k, entry), {
        nonEmpty: false,
        example: '["ci-deployer"]',
      }),
    ) ?? []
  );
}

function readFlowLogFormat(root: Raw): string[] {
  return (
    optional(root, 'vpcFlowLogFormat', (value) =>
      flowLogFormat(`${CONFIG_CONTEXT_KEY}.vpcFlowLogFormat`, value),
    ) ?? [...DEFAULT_FLOW_LOG_FORMAT]
  );
}

/**
 * What `irkit` reads from the deployed kit's config at run time: the names its queries and
 * containment use, and what it must never contain. Only these keys are validated (as synth
 * validates them), so a config still incomplete for deployment does not stop a responder;
 * an unknown key is still an error.
 */
export interface RuntimeConfig {
  readonly names: Record<NameKey, string>;
  readonly vpcFlowLogFormat: readonly string[];
  readonly protectedPrincipals: readonly string[];
  /** The log bucket, when the config names one: evidence, never contained. */
  readonly logBucket?: string;
  /** The log-sources stack is on (without logBucket it creates the log bucket, never contained). */
  readonly logSources: { readonly enabled: boolean };
  /** Where the kit is deployed, when the config says (names the bucket the kit creates). */
  readonly env: DeploymentEnv;
  /** The responders (never contained), as the config lists them; validated at synth. */
  readonly trustedPrincipals: readonly string[];
  readonly breakGlassPrincipals?: readonly string[];
  /** The Regions the account uses (config `regions`, else every commercial Region): where GuardDuty is read. */
  readonly regions: readonly string[];
}

export function parseRuntimeConfig(raw: unknown): RuntimeConfig {
  const root = asObject(CONFIG_CONTEXT_KEY, raw, TOP_LEVEL_KEYS);
  const key = (name: string) => `${CONFIG_CONTEXT_KEY}.${name}`;
  const logBucket = optional(root, 'logBucket', (value) =>
    checked(key('logBucket'), value, v.bucketName, 'S3 bucket name'),
  );
  const logSourcesRaw = asObject(key('logSources'), root.logSources ?? {}, LOG_SOURCES_KEYS);
  const envRaw = asObject(key('env'), root.env ?? {}, ENV_KEYS);
  const principals = (name: 'trustedPrincipals' | 'breakGlassPrincipals') =>
    optional(root, name, (value) =>
      list(
        key(name),
        value,
        (entry, k) => matching(k, entry, /^\S+$/, 'principal', 'give an IAM role or user ARN'),
        {
          nonEmpty: false,
          example: `["${EXAMPLE_RESPONDER}"]`,
        },
      ),
    );
  const breakGlassPrincipals = principals('breakGlassPrincipals');
  return {
    names: readNames(root),
    vpcFlowLogFormat: readFlowLogFormat(root),
    protectedPrincipals: readProtectedPrincipals(root),
    ...(logBucket !== undefined ? { logBucket } : {}),
    logSources: {
      enabled:
        optional(logSourcesRaw, 'enabled', (value) => boolean(key('logSources.enabled'), value)) ?? false,
    },
    env: {
      account: envRaw.account === undefined ? undefined : accountId(key('env.account'), envRaw.account),
      region: envRaw.region === undefined ? undefined : region(key('env.region'), envRaw.region),
    },
    trustedPrincipals: principals('trustedPrincipals') ?? [],
    ...(breakGlassPrincipals !== undefined ? { breakGlassPrincipals } : {}),
    regions: configuredRegionsOf(root, key),
  };
}

function configuredRegionsOf(
  root: Record<string, unknown>,
  key: (name: string) => string,
): readonly string[] {
  return (
    optional(root, 'regions', (value) =>
      list(key('regions'), value, (entry, k) => region(k, entry), {
        nonEmpty: true,
        example: '["us-east-1"]',
      }),
    ) ?? [...COMMERCIAL_REGIONS]
  );
}

export interface ConfigDefaults {
  /** CDK_DEFAULT_ACCOUNT: the account of the credentials cdk runs with, when there are any. */
  readonly account?: string;
  /** CDK_DEFAULT_REGION. */
  readonly region?: string;
}

/**
 * Validates a raw config object (the merged context value) and fills in the defaults.
 * Pure: no file or environment access, so every error is easy to test.
 */
export function parseConfig(raw: unknown, defaults: ConfigDefaults = {}): IrKitConfig {
  const root = asObject(CONFIG_CONTEXT_KEY, raw, TOP_LEVEL_KEYS);
  const key = (name: string) => `${CONFIG_CONTEXT_KEY}.${name}`;
  if (root.accounts === undefined) {
    throw configError(
      key('accounts'),
      undefined,
      'required: the accounts whose logs the tables read',
      'add "accounts": ["777777777777"] (every account of an organization trail you want to query)',
    );
  }
  const accounts = list(key('accounts'), root.accounts, (value, k) => accountId(k, value), {
    nonEmpty: true,
    example: '["777777777777"]',
  });

  if (root.trustedPrincipals === undefined) {
    throw configError(
      key('trustedPrincipals'),
      undefined,
      'required: who may assume the IR roles',
      `add "trustedPrincipals": ["${EXAMPLE_RESPONDER}"], the ARNs of your responders' IAM roles or users`,
    );
  }
  const allowAccountRootTrust =
    optional(root, 'allowAccountRootTrust', (value) => boolean(key('allowAccountRootTrust'), value)) ?? false;
  const trustedPrincipals = list(
    key('trustedPrincipals'),
    root.trustedPrincipals,
    (value, k) =>
      trustedPrincipal(k, value, allowAccountRootTrust, 'assume the analyst, admin and deploy roles'),
    { nonEmpty: true, example: `["${EXAMPLE_RESPONDER}"]` },
  );
  const breakGlassPrincipals =
    optional(root, 'breakGlassPrincipals', (value) =>
      list(
        key('breakGlassPrincipals'),
        value,
        (entry, k) =>
          trustedPrincipal(
            k,
            entry,
            allowAccountRootTrust,
            'assume the administrator break-glass role after enrolling an MFA device of its own',
          ),
        { nonEmpty: true, example: '["arn:aws:iam::777777777777:role/IncidentCommander"]' },
      ),
    ) ?? trustedPrincipals;
  if (
    allowAccountRootTrust &&
    ![...trustedPrincipals, ...breakGlassPrincipals].some(isAccountRootPrincipal)
  ) {
    throw configError(
      key('allowAccountRootTrust'),
      true,
      'no entry of trustedPrincipals or breakGlassPrincipals is an account, so the opt-in is unused',
      'remove allowAccountRootTrust, so that an account id added later is refused again',
    );
  }

  const logSourcesRaw = asObject(key('logSources'), root.logSources ?? {}, LOG_SOURCES_KEYS);
  const logSources: LogSourcesConfig = {
    enabled:
      optional(logSourcesRaw, 'enabled', (value) => boolean(key('logSources.enabled'), value)) ?? false,
    vpcId: optional(logSourcesRaw, 'vpcId', (value) =>
      matching(key('logSources.vpcId'), value, VPC_ID, 'VPC id', 'give an id such as vpc-0123456789abcdef0'),
    ),
  };
  const logBucket = optional(root, 'logBucket', (value) =>
    checked(key('logBucket'), value, v.bucketName, 'S3 bucket name'),
  );
  if (logBucket === undefined && !logSources.enabled) {
    throw configError(
      key('logBucket'),
      undefined,
      'the tables need a bucket to read, and log sources are off',
      'name the bucket your trail writes to ("logBucket": "DOC-EXAMPLE-BUCKET"), or set "logSources": {"enabled": true} to create one',
    );
  }
  if (logSources.vpcId !== undefined && !logSources.enabled) {
    throw configError(
      key('logSources.vpcId'),
      logSources.vpcId,
      'flow logs are created by the log-sources stack, which is off',
      'set logSources.enabled to true, or remove vpcId',
    );
  }

  if (root.organizationId !== undefined && logSources.enabled) {
    throw configError(
      key('organizationId'),
      root.organizationId,
      "the log-sources stack's trail is an account trail (AWSLogs/ACCOUNT/...), but organizationId makes the tables read an organization trail's layout (AWSLogs/o-xxx/ACCOUNT/...)",
      'remove organizationId to query the trail the kit creates, or turn logSources off and point logBucket at the organization trail bucket',
    );
  }

  const simulationRaw = asObject(key('simulation'), root.simulation ?? {}, SIMULATION_KEYS);
  const simulation: SimulationConfig = {
    enabled:
      optional(simulationRaw, 'enabled', (value) => boolean(key('simulation.enabled'), value)) ?? false,
    sandboxAccount: optional(simulationRaw, 'sandboxAccount', (value) =>
      accountId(key('simulation.sandboxAccount'), value),
    ),
    userName:
      optional(simulationRaw, 'userName', (value) =>
        checked(key('simulation.userName'), value, v.iamUserName, 'IAM user name'),
      ) ?? DEFAULT_NAMES.simulationUserName,
  };
  if (simulation.enabled && simulation.sandboxAccount === undefined) {
    throw configError(
      key('simulation.sandboxAccount'),
      undefined,
      'required when the simulation is enabled: the only account it may run in',
      'add "sandboxAccount": "777777777777" (a sandbox account with nothing of value in it)',
    );
  }

  const configuredRegions = root.regions === undefined ? undefined : configuredRegionsOf(root, key);
  // An attacker may call STS in any Region and GuardDuty finds in each: forward from every Region
  // the config names (alertRegions, else regions when given), and always from Health's backup.
  const alertRegions =
    optional(root, 'alertRegions', (value) =>
      list(key('alertRegions'), value, (entry, k) => region(k, entry), {
        nonEmpty: false,
        example: '["us-east-1", "eu-west-1"]',
      }),
    ) ??
    configuredRegions ??
    [];
  const alertForwardingRegions = [...new Set([...alertRegions, HEALTH_BACKUP_REGION])].filter(
    (r) => r !== GLOBAL_EVENTS_REGION,
  );

  const envRaw = asObject(key('env'), root.env ?? {}, ENV_KEYS);
  const envAccount = envRaw.account ?? defaults.account;
  const envRegion = envRaw.region ?? defaults.region;
  const env: DeploymentEnv = {
    account: envAccount === undefined ? undefined : accountId(key('env.account'), envAccount),
    region: envRegion === undefined ? undefined : region(key('env.region'), envRegion),
  };

  return {
    logBucket,
    cloudTrailPrefix: optional(root, 'cloudTrailPrefix', (value) => prefix(key('cloudTrailPrefix'), value)),
    vpcFlowLogPrefix: optional(root, 'vpcFlowLogPrefix', (value) => prefix(key('vpcFlowLogPrefix'), value)),
    organizationId: optional(root, 'organizationId', (value) =>
      checked(key('organizationId'), value, v.organizationId, 'organization id'),
    ),
    accounts,
    regions: configuredRegions ?? [...COMMERCIAL_REGIONS],
    projectionStartDate:
      optional(root, 'projectionStartDate', (value) =>
        checked(key('projectionStartDate'), value, v.partitionDate, 'date (yyyy/MM/dd)'),
      ) ?? DEFAULT_PROJECTION_START_DATE,
    ...readNames(root),
    trustedPrincipals,
    breakGlassPrincipals,
    allowAccountRootTrust,
    alertEmails:
      optional(root, 'alertEmails', (value) =>
        list(key('alertEmails'), value, (entry, k) => email(k, entry), {
          nonEmpty: false,
          example: '["security@example.com"]',
        }),
      ) ?? [],
    bytesScannedCutoffPerQuery:
      optional(root, 'bytesScannedCutoffPerQuery', (value) =>
        integer(
          key('bytesScannedCutoffPerQuery'),
          value,
          MIN_BYTES_SCANNED_CUTOFF,
          Number.MAX_SAFE_INTEGER,
          'bytes',
        ),
      ) ?? DEFAULT_BYTES_SCANNED_CUTOFF,
    resultsRetentionInDays:
      optional(root, 'resultsRetentionInDays', (value) =>
        integer(key('resultsRetentionInDays'), value, 1, 3650, 'days'),
      ) ?? DEFAULT_RESULTS_RETENTION_IN_DAYS,
    workgroupOnDelete:
      optional(root, 'workgroupOnDelete', (value) =>
        oneOf(key('workgroupOnDelete'), value, ['retain', 'delete'] as const),
      ) ?? 'retain',
    containmentHandlerConcurrency:
      optional(root, 'containmentHandlerConcurrency', (value) =>
        integer(key('containmentHandlerConcurrency'), value, 0, 1, 'concurrent executions'),
      ) ?? 1,
    protectedPrincipals: readProtectedPrincipals(root),
    logSources,
    vpcFlowLogFormat: readFlowLogFormat(root),
    simulation,
    env,
    alertsRegion: GLOBAL_EVENTS_REGION,
    alertForwardingRegions,
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
  const base = asObject(CONFIG_CONTEXT_KEY, fromContext, TOP_LEVEL_KEYS);
  const file = context(CONFIG_FILE_CONTEXT_KEY);
  if (file === undefined) return base;
  if (typeof file !== 'string' || file === '') {
    throw configError(CONFIG_FILE_CONTEXT_KEY, file, 'expected a file path', 'give the path of a JSON file');
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
