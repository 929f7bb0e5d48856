import { IrKitError, invalidInput } from '../../lib/errors';
import { COMMERCIAL_REGIONS, GLOBAL_EVENTS_REGION } from '../../lib/regions';
import * as v from '../../lib/validation';
import { VARIANT_NAMES, VariantName, Variants } from './variants';

/** What `generateIncident` writes; every field but outDir is optional. */
export interface GenerateOptions {
  /** Folder to write into: created if missing; must be empty or a previous run with the same options. */
  readonly outDir: string;
  /** @default 1 */
  readonly seed?: number;
  /** Benign events around the incident. @default 20000 */
  readonly backgroundEvents?: number;
  /** Length of the window in days, ending on the incident day 2021-07-24. @default 9 (2021/07/16..2021/07/24) */
  readonly days?: number;
  /** Accounts with trails; the incident happens in the first. @default ['777777777777'] */
  readonly accounts?: readonly string[];
  /** Regions with events; must include us-east-1. @default DEFAULT_REGIONS */
  readonly regions?: readonly string[];
  /** Writes the organization-trail layout `AWSLogs/o-.../ACCOUNT/...`. @default - account trails */
  readonly organizationId?: string;
  /** S3 key prefix before `AWSLogs/`. @default - none */
  readonly prefix?: string;
  /** Writes VPC Flow Logs beside CloudTrail. @default true */
  readonly flowLogs?: boolean;
  /** Benign flow records. @default backgroundEvents / 4 */
  readonly flowRecords?: number;
  /** gzip files (`.json.gz`, `.log.gz`); false writes plain `.json` / `.log`. @default true */
  readonly compress?: boolean;
  /** Incident variants to add; names or a flag object. @default - none (the playbook's incident) */
  readonly variants?: Variants | readonly VariantName[];
  /**
   * Delivery window of one log file, in minutes; must divide a day.
   * @default - CloudTrail's 5 minutes when that gives files of about AUTO_WINDOW_TARGET records
   * on average; small volumes get longer windows (up to 60) so they are not thousands of
   * one-record files.
   */
  readonly fileWindowMinutes?: number;
  /** A window with more records is split into several files. @default 5000 */
  readonly maxRecordsPerFile?: number;
  /** Called after each file is written. */
  readonly onProgress?: (progress: GenerateProgress) => void;
}

export interface GenerateProgress {
  readonly filesWritten: number;
  readonly eventsWritten: number;
  readonly totalEvents: number;
  readonly flowRecordsWritten: number;
  readonly totalFlowRecords: number;
}

/** The options after defaults and validation; recorded in the output's manifest. */
export interface ResolvedOptions {
  readonly seed: number;
  readonly backgroundEvents: number;
  readonly days: number;
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly organizationId?: string;
  readonly prefix?: string;
  readonly flowLogs: boolean;
  readonly flowRecords: number;
  readonly compress: boolean;
  readonly variants: readonly VariantName[];
  readonly fileWindowMinutes: number;
  readonly maxRecordsPerFile: number;
}

/** A realistic handful: the global-events Region and the others a US/EU/APAC company uses. */
export const DEFAULT_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-west-1',
  'ap-southeast-2',
];

export const DEFAULTS = {
  seed: 1,
  backgroundEvents: 20_000,
  days: 9,
  accounts: ['777777777777'],
  regions: DEFAULT_REGIONS,
  flowLogs: true,
  compress: true,
  maxRecordsPerFile: 5000,
} as const;

/** Mean records per file the automatic file window aims for. */
export const AUTO_WINDOW_TARGET = 200;
const AUTO_WINDOWS = [5, 10, 15, 20, 30, 60];

function autoFileWindow(events: number, accountRegionDays: number): number {
  const perDay = events / accountRegionDays;
  return AUTO_WINDOWS.find((minutes) => (perDay * minutes) / 1440 >= AUTO_WINDOW_TARGET) ?? 60;
}

export const LIMITS = {
  seed: 0xffffffff,
  events: 1_000_000_000,
  days: 366,
  accounts: 50,
} as const;

const PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

function integer(what: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidInput(what, value, `give a whole number from ${min} to ${max}`);
  }
  return value;
}

function flag(what: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidInput(what, value, 'give true or false');
  return value;
}

function distinct(what: string, values: readonly string[]): readonly string[] {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw invalidInput(what, value, `each ${what} may be listed once`);
    seen.add(value);
  }
  return values;
}

function variantList(variants: GenerateOptions['variants']): VariantName[] {
  if (variants === undefined) return [];
  const names: readonly string[] = Array.isArray(variants)
    ? variants
    : Object.entries(variants as Variants)
        .filter(([, on]) => on)
        .map(([name]) => name);
  for (const name of names) {
    if (!(VARIANT_NAMES as readonly string[]).includes(name)) {
      throw invalidInput('variant', name, `the variants are: ${VARIANT_NAMES.join(', ')}`);
    }
  }
  // Canonical order, so equal choices give equal manifests.
  return VARIANT_NAMES.filter((name) => names.includes(name));
}

/** Applies defaults and validates everything; throws IRKIT_INVALID_INPUT before anything is written. */
export function resolveOptions(options: GenerateOptions): ResolvedOptions {
  if (typeof options.outDir !== 'string' || options.outDir.trim() === '') {
    throw invalidInput(
      'output directory',
      options.outDir,
      'give the folder to write the logs into, e.g. --out ./logs',
    );
  }
  const seed = integer('seed', options.seed ?? DEFAULTS.seed, 0, LIMITS.seed);
  const backgroundEvents = integer(
    'number of background events',
    options.backgroundEvents ?? DEFAULTS.backgroundEvents,
    0,
    LIMITS.events,
  );
  const days = integer('number of days', options.days ?? DEFAULTS.days, 1, LIMITS.days);
  const accounts = distinct('account', (options.accounts ?? DEFAULTS.accounts).map(v.accountId));
  if (accounts.length === 0 || accounts.length > LIMITS.accounts) {
    throw invalidInput(
      'account list',
      accounts,
      `give 1 to ${LIMITS.accounts} account ids; the first one is attacked`,
    );
  }
  const regions = distinct(
    'Region',
    (options.regions ?? DEFAULTS.regions).map((r) => {
      v.region(r);
      if (!COMMERCIAL_REGIONS.includes(r)) {
        throw invalidInput('AWS Region', r, `use a commercial Region: ${COMMERCIAL_REGIONS.join(', ')}`);
      }
      return r;
    }),
  );
  if (!regions.includes(GLOBAL_EVENTS_REGION)) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      `the Regions ${regions.join(',')} leave out ${GLOBAL_EVENTS_REGION}`,
      {
        hint: `IAM and STS global events and the playbook's incident are logged in ${GLOBAL_EVENTS_REGION}: add it to the list`,
      },
    );
  }
  const organizationId =
    options.organizationId === undefined ? undefined : v.organizationId(options.organizationId);
  const prefix = options.prefix === '' ? undefined : options.prefix;
  if (prefix !== undefined) {
    if (
      prefix.length > 200 ||
      !PREFIX.test(prefix) ||
      prefix.split('/').some((s) => s === '.' || s === '..')
    ) {
      throw invalidInput(
        'S3 prefix',
        prefix,
        "a prefix is 1-200 letters, digits and ! _ . * ' ( ) - in /-separated parts, with no leading or trailing slash, e.g. cloudtrail/prod",
      );
    }
  }
  const flowLogs = flag('flowLogs', options.flowLogs ?? DEFAULTS.flowLogs);
  const compress = flag('compress', options.compress ?? DEFAULTS.compress);
  const flowRecords = flowLogs
    ? integer(
        'number of flow records',
        options.flowRecords ?? Math.round(backgroundEvents / 4),
        0,
        LIMITS.events,
      )
    : 0;
  const fileWindowMinutes =
    options.fileWindowMinutes === undefined
      ? autoFileWindow(backgroundEvents, days * accounts.length * regions.length)
      : integer('file window (minutes)', options.fileWindowMinutes, 1, 60);
  if (1440 % fileWindowMinutes !== 0) {
    throw invalidInput(
      'file window (minutes)',
      fileWindowMinutes,
      'use a number of minutes that divides a day: 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60',
    );
  }
  const maxRecordsPerFile = integer(
    'records per file',
    options.maxRecordsPerFile ?? DEFAULTS.maxRecordsPerFile,
    100,
    100_000,
  );
  const variants = variantList(options.variants);
  if (variants.includes('network') && !flowLogs) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      'variant network writes VPC Flow Logs, which are turned off',
      {
        hint: 'drop --no-flow-logs or the network variant',
      },
    );
  }
  return {
    seed,
    backgroundEvents,
    days,
    accounts,
    regions,
    organizationId,
    prefix,
    flowLogs,
    flowRecords,
    compress,
    variants,
    fileWindowMinutes,
    maxRecordsPerFile,
  };
}
