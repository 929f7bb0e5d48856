import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The account the opt-in real-AWS tests may touch: IRKIT_SANDBOX_ACCOUNT. */
export const SANDBOX = process.env.IRKIT_SANDBOX_ACCOUNT;

/** Some credential source the SDK's default chain would use. */
const hasCredentials =
  Boolean(
    process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE || process.env.AWS_WEB_IDENTITY_TOKEN_FILE,
  ) ||
  existsSync(join(homedir(), '.aws', 'credentials')) ||
  existsSync(join(homedir(), '.aws', 'config'));

/** `describe` when a sandbox account and credentials are given, else `describe.skip`. */
export const describeInSandbox = SANDBOX && hasCredentials ? describe : describe.skip;
