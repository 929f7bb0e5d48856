import { isIP } from 'node:net';

import { invalidInput } from './errors';

/**
 * Validators for every identifier a person hands the kit. Each returns the normalized value
 * or throws IRKIT_INVALID_INPUT naming the value and the accepted form, so bad input is
 * refused before any engine runs or any AWS call is made.
 */

/** The characters IAM allows in user, role and policy names and in path segments. */
const IAM_CHARS = 'A-Za-z0-9+=,.@_-';
/** `aws`, `aws-cn`, `aws-us-gov`, ... */
const PARTITION = 'aws(?:-[a-z]+)*';
/** One or more path segments then the name: `/Name`, `/team/ir/Name`. */
const IAM_PATH_AND_NAME = `(?:/[${IAM_CHARS}]+)+`;

/**
 * The identifier patterns of the kit, each written once. Validators below, the config, the
 * CloudFormation parameters, the containment handler and the investigation use these.
 */
export const PATTERNS = {
  /** IAM user and role names: 1-64 of letters, digits and + = , . @ _ - */
  iamName: new RegExp(`^[${IAM_CHARS}]{1,64}$`),
  /** IAM managed policy names: 1-128 of the same characters. */
  iamPolicyName: new RegExp(`^[${IAM_CHARS}]{1,128}$`),
  /** A name with its IAM path (`contractors/alice`, `/contractors/alice`). */
  iamPathName: new RegExp(`^/?([${IAM_CHARS}]+/)+[${IAM_CHARS}]{1,64}$`),
  /** An IAM role or user ARN of any partition, with an optional path. */
  iamRoleOrUserArn: new RegExp(`^arn:${PARTITION}:iam::\\d{12}:(user|role)${IAM_PATH_AND_NAME}$`),
  /** What a trust policy can name: an account's root, a user or a role. */
  iamPrincipalArn: new RegExp(`^arn:${PARTITION}:iam::\\d{12}:(root|(user|role)${IAM_PATH_AND_NAME})$`),
  /** An IAM role ARN; groups: the account. */
  iamRoleArn: new RegExp(`^arn:${PARTITION}:iam::(\\d{12}):role${IAM_PATH_AND_NAME}$`),
  /** A customer or AWS managed policy ARN. */
  iamPolicyArn: new RegExp(
    `^arn:${PARTITION}:iam::(\\d{12}|aws):policy/([${IAM_CHARS}]+/)*[${IAM_CHARS}]{1,128}$`,
  ),
  /** A whole account: its id, or its root ARN (which IAM stores an account id as). */
  accountRoot: new RegExp(`^(\\d{12}|arn:${PARTITION}:iam::\\d{12}:root)$`),
  /** An STS role session; groups: partition, account, role name. */
  assumedRoleArn: new RegExp(`^arn:(${PARTITION}):sts::(\\d{12}):assumed-role/([${IAM_CHARS}]+)/[^/]+$`),
  accountId: /^\d{12}$/,
  /** Long-term (AKIA) and temporary (ASIA) access key ids. */
  accessKeyId: /^(AKIA|ASIA)[A-Z0-9]{16}$/,
  /** Glue database and table names: lower case letters, digits and underscores. */
  glueName: /^[a-z0-9_]{1,255}$/,
  /** Athena workgroup names. */
  workgroupName: /^[A-Za-z0-9._-]{1,128}$/,
  /** An S3 key prefix without a slash at either end. */
  s3Prefix: /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/,
  vpcId: /^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@.]+$/,
} as const;

const ACCESS_KEY_ID = PATTERNS.accessKeyId;
const IAM_NAME = PATTERNS.iamName;
const ACCOUNT_ID = PATTERNS.accountId;
/** Bucket names, including legacy us-east-1 names with capitals and underscores (DOC-EXAMPLE-BUCKET). */
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;
const DATE = /^(\d{4})[/-](\d{2})[/-](\d{2})$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const INCIDENT_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

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
