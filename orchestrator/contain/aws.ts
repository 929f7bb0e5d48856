import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';

import { awsErrorCode as awsErrorName, isAwsError, notReached } from '../../lib/aws-errors';
import { IrKitError } from '../../lib/errors';
import { awsClientConfig } from '../aws-profile';

/** The AWS clients containment uses; injected, so tests use aws-sdk-client-mock. */
export interface ContainClients {
  readonly cloudFormation: CloudFormationClient;
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly sts: STSClient;
}

export interface ClientOptions {
  readonly region?: string;
  readonly profile?: string;
}

/** Clients on the standard credential chain, in the Region of the one rule (orchestrator/aws-profile.ts). */
export function createClients(options: ClientOptions = {}): ContainClients {
  const config = awsClientConfig(options);
  return {
    cloudFormation: new CloudFormationClient(config),
    iam: new IAMClient(config),
    // A bucket may live in another Region than the stacks; follow S3's redirect to it.
    s3: new S3Client({ ...config, followRegionRedirects: true }),
    sts: new STSClient(config),
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
