import { isIP } from 'node:net';

import { invalidInput } from './errors';

/**
 * Validators for every identifier a person hands the kit. Each returns the normalized value
 * or throws IRKIT_INVALID_INPUT naming the value and the accepted form, so bad input is
 * refused before any engine runs or any AWS call is made.
 */

/** Long-term (AKIA) and temporary (ASIA) access key ids. */
const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{16}$/;
/** IAM user and role names: 1-64 of letters, digits and + = , . @ _ - */
const IAM_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
const ACCOUNT_ID = /^\d{12}$/;
/** Bucket names, including legacy us-east-1 names with capitals and underscores (DOC-EXAMPLE-BUCKET). */
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;
const DATE = /^(\d{4})[/-](\d{2})[/-](\d{2})$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const INCIDENT_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** EC2 instance ids: `i-` and 8 (older) or 17 lower-case hex digits. */
const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

export function accessKeyId(value: string): string {
  if (!ACCESS_KEY_ID.test(value)) {
    throw invalidInput(
      'access key id',
      value,
      'an access key id is AKIA or ASIA followed by 16 capital letters or digits, e.g. AKIAIOSFODNN7EXAMPLE',
    );
  }
  return value;
}

export function iamUserName(value: string): string {
  if (!IAM_NAME.test(value)) {
    throw invalidInput(
      'IAM user name',
      value,
      'IAM user names are 1-64 characters of letters, digits and + = , . @ _ -, e.g. JaneDoe',
    );
  }
  return value;
}

export function iamRoleName(value: string): string {
  if (!IAM_NAME.test(value)) {
    throw invalidInput(
      'IAM role name',
      value,
      'IAM role names are 1-64 characters of letters, digits and + = , . @ _ -, e.g. SecurityAnalystRole',
    );
  }
  return value;
}

export function instanceId(value: string): string {
  if (!INSTANCE_ID.test(value)) {
    throw invalidInput(
      'EC2 instance id',
      value,
      'an instance id is i- followed by 8 or 17 lower-case hex digits, e.g. i-1234567890abcdef0',
    );
  }
  return value;
}

export function accountId(value: string): string {
  if (!ACCOUNT_ID.test(value)) {
    throw invalidInput('AWS account id', value, 'an account id is exactly 12 digits, e.g. 777777777777');
  }
  return value;
}

export function bucketName(value: string): string {
  if (!BUCKET_NAME.test(value) || value.includes('..')) {
    throw invalidInput(
      'S3 bucket name',
      value,
      'bucket names are 3-255 letters, digits, dots, hyphens or underscores, starting and ending with a letter or digit',
    );
  }
  return value;
}

export function organizationId(value: string): string {
  if (!ORG_ID.test(value)) {
    throw invalidInput(
      'organization id',
      value,
      'an organization id looks like o-exampleorgid (o- then 10-32 lowercase letters or digits)',
    );
  }
  return value;
}

export function region(value: string): string {
  if (!REGION.test(value)) {
    throw invalidInput('AWS Region', value, 'a Region looks like us-east-1');
  }
  return value;
}

export function ipAddress(value: string): string {
  if (isIP(value) === 0) {
    throw invalidInput('IP address', value, 'give an IPv4 address such as 198.51.100.77 or an IPv6 address');
  }
  return value;
}

export function incidentId(value: string): string {
  if (!INCIDENT_ID.test(value)) {
    throw invalidInput(
      'incident id',
      value,
      'an incident id is 1-40 letters, digits or hyphens, starting with a letter or digit, e.g. IR-2021-0724',
    );
  }
  return value;
}

/**
 * A calendar date as CloudTrail's date_partition spells it (`yyyy/MM/dd`).
 * Accepts `2021/07/24` or `2021-07-24`; refuses impossible dates such as 2021/02/30.
 */
export function partitionDate(value: string): string {
  const match = DATE.exec(value);
  const fail = () =>
    invalidInput('date', value, 'give a calendar date as YYYY/MM/DD or YYYY-MM-DD, e.g. 2021/07/24');
  if (!match) throw fail();
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (
    date.getUTCFullYear() !== Number(y) ||
    date.getUTCMonth() !== Number(m) - 1 ||
    date.getUTCDate() !== Number(d)
  ) {
    throw fail();
  }
  return `${y}/${m}/${d}`;
}

/** A window of partition dates, refused when inverted. */
export function dateWindow(from: string, to: string): { from: string; to: string } {
  const window = { from: partitionDate(from), to: partitionDate(to) };
  if (window.from > window.to) {
    throw invalidInput(
      'date window',
      `${window.from}..${window.to}`,
      'the start date must be on or before the end date (--from is the earlier day)',
    );
  }
  return window;
}
