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
