/**
 * Matching AWS errors as the SDK v3 really throws them. For the Query-protocol services (IAM,
 * STS, CloudFormation) an error body `<Code>NoSuchEntity</Code>` becomes an exception whose `name`
 * is the modelled one (`NoSuchEntityException`) and whose `Code` is IAM's raw code
 * (`NoSuchEntity`); S3's codes are the same in both. Matching one spelling only misses the other.
 */

/** True when the error is AWS's `code`, written either way (`NoSuchEntity` or `NoSuchEntityException`). */
export function isAwsError(error: unknown, ...codes: readonly string[]): boolean {
  const spellings = errorSpellings(error);
  return codes.some((code) => spellings.has(bare(code)));
}

/** The error's modelled name for messages (`NoSuchEntityException`, `NoSuchBucketPolicy`, `Throttling`), else ''. */
export function awsErrorCode(error: unknown): string {
  const e = error as { name?: unknown; Code?: unknown } | undefined;
  if (typeof e?.name === 'string' && e.name !== '' && e.name !== 'Error') return e.name;
  return typeof e?.Code === 'string' ? e.Code : typeof e?.name === 'string' ? e.name : '';
}

function errorSpellings(error: unknown): Set<string> {
  const e = error as { name?: unknown; Code?: unknown; Error?: { Code?: unknown } } | undefined;
  const found = [e?.name, e?.Code, e?.Error?.Code].filter((x): x is string => typeof x === 'string');
  return new Set(found.map(bare));
}

function bare(code: string): string {
  return code.endsWith('Exception') ? code.slice(0, -'Exception'.length) : code;
}

/**
 * Why an AWS call failed, as a responder must hear it: the service answered (`service`), or it
 * was never reached: no credentials (`credentials`), no Region (`region`), or the network or
 * endpoint (`network`). Only a `service` failure may be reported as the service refusing.
 */
export type AwsFailureKind = 'service' | 'credentials' | 'region' | 'network';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

export function awsFailureKind(error: unknown): AwsFailureKind {
  const e = error as
    | { name?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } }
    | undefined;
  // The SDK records the HTTP status of every answer a service gave.
  if (typeof e?.$metadata?.httpStatusCode === 'number') return 'service';
  const name = typeof e?.name === 'string' ? e.name : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (
    /^(CredentialsProviderError|TokenProviderError)$/.test(name) ||
    /Could not load credentials/i.test(message)
  ) {
    return 'credentials';
  }
  if (/Region is missing|Invalid region/i.test(message)) return 'region';
  if (
    (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) ||
    /^(TimeoutError|RequestTimeout)$/.test(name)
  ) {
    return 'network';
  }
  if (/getaddrinfo|connect ECONN|socket hang up|network/i.test(message)) return 'network';
  return 'service';
}

const NOT_REACHED: Record<
  Exclude<AwsFailureKind, 'service'>,
  { readonly what: string; readonly fix: string }
> = {
  credentials: {
    what: 'no AWS credentials were found',
    fix: 'give --profile (run aws sso login --profile NAME first for SSO), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
  },
  region: { what: 'no AWS Region', fix: 'give --region, or set AWS_REGION' },
  network: {
    what: 'AWS could not be reached (network, proxy or endpoint)',
    fix: 'check the network and any HTTPS_PROXY; unset AWS_ENDPOINT_URL* unless you meant it',
  },
};

/**
 * When the call never reached the service: the sentence that says so (`doing` was not sent:
 * why) and what to do. Undefined when the service answered, so only then may a message say
 * the service refused.
 */
export function notReached(doing: string, error: unknown): { message: string; fix: string } | undefined {
  const kind = awsFailureKind(error);
  if (kind === 'service') return undefined;
  const detail = (error as Error)?.message ?? String(error);
  return {
    message: `${doing} was not sent: ${NOT_REACHED[kind].what} (${detail})`,
    fix: NOT_REACHED[kind].fix,
  };
}
