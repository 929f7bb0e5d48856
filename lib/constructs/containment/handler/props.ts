/**
 * Property validation, with the kit's own validators (lib/validation), so the handler refuses
 * exactly what the CLI refuses. A property that fails is a refusal naming it; nothing changes.
 */
import { IrKitError } from '../../../errors';
import * as v from '../../../validation';
import { VerifiedRequest } from './trust';
import { ContainmentError } from './types';

/** How far ahead of the handler's clock a containment time may be (clock skew), in milliseconds. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

export function required(v: VerifiedRequest, key: string): string {
  const value = v.props[key];
  if (value === undefined || value === '') throw new ContainmentError(`property ${key} is missing`);
  return value;
}

function checked(key: string, value: string, check: (x: string) => string): string {
  try {
    return check(value);
  } catch (error) {
    if (error instanceof IrKitError)
      throw new ContainmentError(`property ${key}: ${error.message}; ${error.hint ?? ''}`);
    throw error;
  }
}

export const incidentOf = (r: VerifiedRequest) =>
  checked('IncidentId', required(r, 'IncidentId'), v.incidentId);
export const userNameOf = (r: VerifiedRequest) => checked('UserName', required(r, 'UserName'), v.iamUserName);
export const roleNameOf = (r: VerifiedRequest) => checked('RoleName', required(r, 'RoleName'), v.iamRoleName);
export const bucketNameOf = (r: VerifiedRequest) =>
  checked('BucketName', required(r, 'BucketName'), v.bucketName);

export function longTermKeyOf(r: VerifiedRequest): string {
  const key = checked('AccessKeyId', required(r, 'AccessKeyId'), v.accessKeyId);
  if (!key.startsWith('AKIA'))
    throw new ContainmentError(`property AccessKeyId: ${key} is not a long-term access key id`);
  return key;
}

/**
 * The containment time: ISO 8601 UTC, and not in the future beyond clock skew. A time in the
 * future would turn "revoke older sessions" into a deny of every session, responders' included.
 */
export function containmentTimeOf(r: VerifiedRequest, now: Date): string {
  const at = required(r, 'ContainmentTime');
  if (!ISO_UTC.test(at) || isNaN(Date.parse(at))) {
    throw new ContainmentError(`property ContainmentTime: ${JSON.stringify(at)} is not an ISO 8601 UTC time`);
  }
  if (Date.parse(at) > now.getTime() + CLOCK_SKEW_MS) {
    throw new ContainmentError(
      `property ContainmentTime: ${at} is in the future (now ${now.toISOString()}); it would deny every session, not only older ones`,
    );
  }
  return at;
}

/** 'true' or 'false' (absent: the default). */
export function flagOf(r: VerifiedRequest, key: string, fallback: boolean): boolean {
  const value = r.props[key];
  if (value === undefined || value === '') return fallback;
  if (value !== 'true' && value !== 'false')
    throw new ContainmentError(`property ${key} must be true or false`);
  return value === 'true';
}

export function oneOfProp<T extends string>(
  r: VerifiedRequest,
  key: string,
  values: readonly T[],
  fallback: T,
): T {
  const value = r.props[key];
  if (value === undefined || value === '') return fallback;
  if (!values.includes(value as T))
    throw new ContainmentError(`property ${key} must be one of ${values.join(', ')}`);
  return value as T;
}

/** A comma-separated list of long-term key ids ('' for none). */
export function keyListOf(r: VerifiedRequest, key: string): string[] {
  const value = r.props[key] ?? '';
  if (value === '') return [];
  return value.split(',').map((k) => {
    const id = checked(key, k, v.accessKeyId);
    if (!id.startsWith('AKIA'))
      throw new ContainmentError(`property ${key}: ${id} is not a long-term access key id`);
    return id;
  });
}

/** An exact IAM role ARN of this account: no wildcard, no other account. */
export function exactRoleArnOf(r: VerifiedRequest, key: string, accountId: string): string {
  const arn = required(r, key);
  const match = arn.length <= 2048 ? v.PATTERNS.iamRoleArn.exec(arn) : null;
  if (!match || match[1] !== accountId) {
    throw new ContainmentError(
      `property ${key}: ${JSON.stringify(arn)} is not an exact IAM role ARN of account ${accountId}`,
    );
  }
  return arn;
}
