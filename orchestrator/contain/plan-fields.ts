import { IrKitError } from '../../lib/errors';

/*
 * Readers for the fields of a plan document, with its error (IRKIT_PLAN_INVALID naming the
 * step and the field). Shared by plan.ts and the kind modules that read their own step fields,
 * so that neither imports the other.
 */

export function planError(where: string, problem: string, hint: string): IrKitError {
  return new IrKitError('IRKIT_PLAN_INVALID', `${where} ${problem}`, { hint });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw planError(
      where,
      `has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}`,
      `allowed fields: ${allowed.join(', ')}`,
    );
  }
}

export function readArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw planError(where, 'is not an array', 'give a JSON list');
  return value;
}

export function stringAt(value: unknown, where: string, check?: (s: string) => string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw planError(where, `must be a non-empty string, got ${JSON.stringify(value)}`, 'fix the plan file');
  }
  if (!check) return value;
  try {
    return check(value);
  } catch (error) {
    if (error instanceof IrKitError) throw planError(where, error.message, error.hint ?? 'fix the plan file');
    throw error;
  }
}

export function requiredString(
  obj: Record<string, unknown>,
  key: string,
  where: string,
  check?: (s: string) => string,
): string {
  return stringAt(obj[key], `${where}.${key}`, check);
}

export function optionalString(
  obj: Record<string, unknown>,
  key: string,
  where: string,
  check?: (s: string) => string,
): string | undefined {
  return obj[key] === undefined ? undefined : stringAt(obj[key], `${where}.${key}`, check);
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
