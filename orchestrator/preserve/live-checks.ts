import { IrKitError } from '../../lib/errors';
import type { BucketLiveCheck, ObjectVersion } from './collect/s3';

/**
 * Reads back the Part 2 live checks `irkit preserve` stored (`live-checks/TIME.json`): a list
 * of BucketLiveCheck, checked field by field, so a report built from it shows what preserve
 * wrote or refuses (IRKIT_EVIDENCE_INVALID). Names, keys and policies in it are the actor's.
 */
export function parseLiveChecks(text: string, where: string): BucketLiveCheck[] {
  const invalid = (problem: string) =>
    new IrKitError('IRKIT_EVIDENCE_INVALID', `${where}: ${problem}`, {
      hint: 'live checks are written by irkit preserve and must not be edited: treat the evidence as tampered with (irkit preserve --verify)',
    });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw invalid(`is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(doc)) throw invalid('is not a list of bucket checks');
  const obj = (value: unknown, at: string): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw invalid(`${at} is not an object`);
    return value as Record<string, unknown>;
  };
  const field = <T>(r: Record<string, unknown>, key: string, at: string, ok: (v: unknown) => boolean): T => {
    if (!ok(r[key])) throw invalid(`${at}.${key} is not what irkit preserve writes`);
    return r[key] as T;
  };
  const isString = (v: unknown) => typeof v === 'string';
  const isTime = (v: unknown) => v === null || typeof v === 'string';
  const list = (r: Record<string, unknown>, key: string, at: string) =>
    field<unknown[]>(r, key, at, Array.isArray).map((item, i) => obj(item, `${at}.${key}[${i}]`));
  return doc.map((raw, b): BucketLiveCheck => {
    const at = `[${b}]`;
    const c = obj(raw, at);
    return {
      bucket: field<string>(c, 'bucket', at, isString),
      exists: field<boolean>(c, 'exists', at, (v) => typeof v === 'boolean'),
      policy: c.policy ?? null,
      aclGrants: list(c, 'aclGrants', at).map((g, i) => ({
        grantee: field<string>(g, 'grantee', `${at}.aclGrants[${i}]`, isString),
        permission: field<string>(g, 'permission', `${at}.aclGrants[${i}]`, isString),
      })),
      publicExposure: field<unknown[]>(c, 'publicExposure', at, Array.isArray).map((line, i) => {
        if (typeof line !== 'string') throw invalid(`${at}.publicExposure[${i}] is not a string`);
        return line;
      }),
      objects: list(c, 'objects', at).map((o, i): ObjectVersion => ({
        key: field<string>(o, 'key', `${at}.objects[${i}]`, isString),
        versionId: field<string>(o, 'versionId', `${at}.objects[${i}]`, isString),
        size: field<number>(
          o,
          'size',
          `${at}.objects[${i}]`,
          (v) => Number.isSafeInteger(v) && (v as number) >= 0,
        ),
        lastModified: field<string | null>(o, 'lastModified', `${at}.objects[${i}]`, isTime),
        isLatest: field<boolean>(o, 'isLatest', `${at}.objects[${i}]`, (v) => typeof v === 'boolean'),
        eTag: field<string | null>(o, 'eTag', `${at}.objects[${i}]`, isTime),
      })),
      deleteMarkers: list(c, 'deleteMarkers', at).map((m, i) => ({
        key: field<string>(m, 'key', `${at}.deleteMarkers[${i}]`, isString),
        versionId: field<string>(m, 'versionId', `${at}.deleteMarkers[${i}]`, isString),
        lastModified: field<string | null>(m, 'lastModified', `${at}.deleteMarkers[${i}]`, isTime),
      })),
    };
  });
}
