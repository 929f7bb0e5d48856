import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { STSClient } from '@aws-sdk/client-sts';

import { sdk } from '../aws-sdk';
import { awsErrorCode as awsErrorName, isAwsError, notReached } from '../../lib/aws-errors';
import { IrKitError } from '../../lib/errors';
import { awsClientConfig } from '../aws-profile';

/** The AWS clients containment uses; injected, so tests use aws-sdk-client-mock. */
export interface ContainClients {
  readonly cloudFormation: CloudFormationClient;
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly sts: STSClient;
  readonly ec2: EC2Client;
}

export interface ClientOptions {
  readonly region?: string;
  readonly profile?: string;
  /** Temporary credentials (an assumed role's), instead of the profile's. */
  readonly credentials?: TemporaryCredentials | (() => Promise<TemporaryCredentials>);
}

/** What STS AssumeRole returns, as the SDK clients take it. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

/** Clients on the standard credential chain, in the Region of the one rule (orchestrator/aws-profile.ts). */
export function createClients(options: ClientOptions = {}): ContainClients {
  const base = awsClientConfig(options);
  // Assumed-role credentials replace the profile's (the Region stays the one rule's).
  const config = options.credentials ? { ...base, credentials: options.credentials } : base;
  return {
    cloudFormation: new (sdk.cloudFormation().CloudFormationClient)(config),
    iam: new (sdk.iam().IAMClient)(config),
    // A bucket may live in another Region than the stacks; follow S3's redirect to it.
    s3: new (sdk.s3().S3Client)({ ...config, followRegionRedirects: true }),
    sts: new (sdk.sts().STSClient)(config),
    ec2: new (sdk.ec2().EC2Client)(config),
  };
}

export { awsErrorCode as awsErrorName, isAwsError } from '../../lib/aws-errors';

export function awsErrorMessage(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}

/** Runs a call, returning undefined when it fails with one of the AWS error codes (either spelling). */
export async function unlessAwsError<T>(
  codes: readonly string[],
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isAwsError(error, ...codes)) return undefined;
    throw error;
  }
}

/** Wraps an unexpected AWS failure in IRKIT_AWS, saying what was being done. */
export function awsFailure(doing: string, error: unknown): IrKitError {
  const unsent = notReached(doing, error);
  if (unsent) return new IrKitError('IRKIT_AWS', unsent.message, { hint: unsent.fix, cause: error });
  const name = awsErrorName(error);
  const denied =
    isAwsError(error, 'AccessDenied', 'UnauthorizedOperation') ||
    /AccessDenied|UnauthorizedOperation|not authorized/i.test(`${name} ${awsErrorMessage(error)}`);
  return new IrKitError('IRKIT_AWS', `${doing} failed: ${name ? `${name}: ` : ''}${awsErrorMessage(error)}`, {
    hint: denied
      ? 'the credentials lack a permission for this read; use the deploy or break-glass role (see orchestrator/contain/README.md)'
      : 'check the credentials (--profile), the Region (--region) and the network, then run the command again',
    cause: error,
  });
}

/** Every item of an IAM list call that pages with Marker / IsTruncated, in order. */
export async function allIamPages<P extends { IsTruncated?: boolean; Marker?: string }, T>(
  page: (marker: string | undefined) => Promise<P>,
  items: (page: P) => readonly T[] | undefined,
): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const current = await page(marker);
    all.push(...(items(current) ?? []));
    marker = current.IsTruncated ? current.Marker : undefined;
  } while (marker);
  return all;
}
