import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { IrKitError } from '../lib/errors';
import * as v from '../lib/validation';
import { runtimeConfig } from './config';

/**
 * A `--profile` that names no profile is the responder's mistake, and the SDK reports it as
 * something else ("Region is missing", "Could not load credentials"). So before any client is
 * made, the profile is looked up where the AWS CLI and the SDK look (AWS_CONFIG_FILE,
 * AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials), and a missing one is
 * named as such. Returns the profile, for the client's config.
 */
export function checkedProfile(profile: string, env: NodeJS.ProcessEnv = process.env): string {
  checkedProfileName(profile);
  if (!profileSections(env).has(profile)) throw missingProfile(profile, env);
  return profile;
}

function configFile(env: NodeJS.ProcessEnv): string {
  return env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config');
}

function credentialsFile(env: NodeJS.ProcessEnv): string {
  return env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials');
}

/** Each profile of the config and credentials files, with its settings (`region`, ...). */
function profileSections(env: NodeJS.ProcessEnv): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>();
  for (const [file, isConfig] of [
    [credentialsFile(env), false],
    [configFile(env), true],
  ] as const) {
    if (!existsSync(file)) continue;
    let current: Record<string, string> | undefined;
    for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
      const section = /^\s*\[\s*([^\]]+?)\s*\]\s*$/.exec(line);
      if (section) {
        // The config file writes `[profile NAME]` (and `[default]`); the credentials file `[NAME]`.
        const name = isConfig ? section[1].replace(/^profile\s+/, '') : section[1];
        const isProfile = !isConfig || !/^(sso-session|services)\s/.test(section[1]);
        current = isProfile ? (found.get(name) ?? {}) : undefined;
        if (current) found.set(name, current);
        continue;
      }
      const setting = /^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
      if (current && setting) current[setting[1]] = setting[2];
    }
  }
  return found;
}

function missingProfile(profile: string, env: NodeJS.ProcessEnv): IrKitError {
  return new IrKitError(
    'IRKIT_CONFIG',
    `the AWS profile ${profile} is not configured (looked in ${configFile(env)} and ${credentialsFile(env)})`,
    {
      hint: `create it (aws configure --profile ${profile}, or aws configure sso --profile ${profile}), fix its name, or drop --profile to use the environment's credentials`,
    },
  );
}

/** Where a command's AWS Region came from, for messages. */
export type RegionSource =
  '--region' | 'AWS_REGION' | 'AWS_DEFAULT_REGION' | 'profile' | 'config' | 'fallback';

export interface AwsTarget {
  /** The profile the clients use (--profile, else the SDK's own AWS_PROFILE / default). */
  readonly profile?: string;
  readonly region: string;
  readonly regionSource: RegionSource;
}

export interface AwsTargetOptions {
  readonly region?: string;
  readonly profile?: string;
  /** The kit config's `env.region`: where the kit is deployed. */
  readonly configRegion?: string;
  /** The Region when nothing names one (validate's STS call: us-east-1, as the playbook). */
  readonly fallback?: string;
}

/**
 * The one Region rule of every command that calls AWS: `--region`, else `AWS_REGION` /
 * `AWS_DEFAULT_REGION` (the AWS CLI reads both; the SDK only the first), else the `region` of the
 * profile (`--profile`, else `AWS_PROFILE`, else `default`), else the kit config's `env.region`.
 * None: a clear error before any client is made (the SDK would say "Region is missing").
 */
export function awsTarget(options: AwsTargetOptions, env: NodeJS.ProcessEnv = process.env): AwsTarget {
  const profile = options.profile === undefined ? undefined : checkedProfile(options.profile, env);
  const profileName = profile ?? (env.AWS_PROFILE || 'default');
  const candidates: Array<[RegionSource, () => string | undefined]> = [
    ['--region', () => options.region],
    ['AWS_REGION', () => env.AWS_REGION],
    ['AWS_DEFAULT_REGION', () => env.AWS_DEFAULT_REGION],
    ['profile', () => profileSections(env).get(profileName)?.region],
    ['config', () => options.configRegion ?? kitRegion()],
    ['fallback', () => options.fallback],
  ];
  let found: [RegionSource, string] | undefined;
  for (const [source, value] of candidates) {
    const region = value();
    if (region !== undefined && region !== '') {
      found = [source, region];
      break;
    }
  }
  if (!found) {
    throw new IrKitError(
      'IRKIT_CONFIG',
      'no AWS Region: none given, none in the environment or the profile',
      {
        hint: `give --region (e.g. --region us-east-1), set AWS_REGION, or add one to the profile (aws configure set region us-east-1 --profile ${profileName})`,
      },
    );
  }
  const [regionSource, region] = found;
  try {
    v.region(region);
  } catch {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      `invalid AWS Region ${JSON.stringify(region)} (from ${regionSource})`,
      {
        hint: 'a Region looks like us-east-1',
      },
    );
  }
  return { ...(profile !== undefined ? { profile } : {}), region, regionSource };
}

/** The kit config's `env.region` (where it is deployed), when it says. */
function kitRegion(): string | undefined {
  return runtimeConfig().env.region;
}

/** The config every SDK client of a command is made with: the profile and the Region of the rule above. */
export function awsClientConfig(options: AwsTargetOptions, env: NodeJS.ProcessEnv = process.env) {
  const target = awsTarget(options, env);
  return { region: target.region, ...(target.profile !== undefined ? { profile: target.profile } : {}) };
}

/** A profile name as the AWS CLI allows it; checked before any file is read. */
function checkedProfileName(profile: string): void {
  if (!/^[A-Za-z0-9_+=,.@-]{1,128}$/.test(profile)) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `invalid --profile: ${JSON.stringify(profile)}`, {
      hint: 'give the name of a profile of your AWS config, e.g. --profile SecurityDeployRole',
    });
  }
}
