import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { IrKitError } from '../lib/errors';

/**
 * A `--profile` that names no profile is the responder's mistake, and the SDK reports it as
 * something else ("Region is missing", "Could not load credentials"). So before any client is
 * made, the profile is looked up where the AWS CLI and the SDK look (AWS_CONFIG_FILE,
 * AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials), and a missing one is
 * named as such. Returns the profile, for the client's config.
 */
export function checkedProfile(profile: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!/^[A-Za-z0-9_+=,.@-]{1,128}$/.test(profile)) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `invalid --profile: ${JSON.stringify(profile)}`, {
      hint: 'give the name of a profile of your AWS config, e.g. --profile SecurityDeployRole',
    });
  }
  const config = env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config');
  const credentials = env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials');
  const sections = (file: string) =>
    existsSync(file)
      ? [...readFileSync(file, 'utf8').matchAll(/^\s*\[\s*([^\]]+?)\s*\]\s*$/gm)].map((m) => m[1])
      : [];
  const inConfig = sections(config).some((s) => s === profile || s === `profile ${profile}`);
  const inCredentials = sections(credentials).includes(profile);
  if (!inConfig && !inCredentials) {
    throw new IrKitError(
      'IRKIT_CONFIG',
      `the AWS profile ${profile} is not configured (looked in ${config} and ${credentials})`,
      {
        hint: `create it (aws configure --profile ${profile}, or aws configure sso --profile ${profile}), fix its name, or drop --profile to use the environment's credentials`,
      },
    );
  }
  return profile;
}
