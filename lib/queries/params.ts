import { IrKitError, invalidInput } from '../errors';
import * as v from '../validation';
import { ParamKind, QueryDefinition } from './types';

const API_NAME = /^[A-Za-z][A-Za-z0-9]{0,127}$/;

function list(value: string, one: (item: string) => string): string {
  const items = value.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === '')) {
    throw invalidInput('list', value, 'give one or more comma-separated values with no empty entries');
  }
  return items.map(one).join(',');
}

/** One validator per parameter kind; each returns the normalized value or throws. */
const VALIDATORS: Record<ParamKind, (value: string) => string> = {
  accessKeyId: v.accessKeyId,
  userName: v.iamUserName,
  roleName: v.iamRoleName,
  bucketName: v.bucketName,
  date: v.partitionDate,
  ip: v.ipAddress,
  ipList: (value) => list(value, v.ipAddress),
  eventNameList: (value) =>
    list(value, (name) => {
      if (!API_NAME.test(name)) {
        throw invalidInput('API event name', name, 'event names are letters and digits, e.g. CreateUser');
      }
      return name;
    }),
};

export function validateParam(kind: ParamKind, value: string): string {
  return VALIDATORS[kind](value);
}

/**
 * Validates named values against a query's parameters and returns them in placeholder
 * order, ready to bind. Unknown or missing names, bad values and an inverted date window
 * are refused here, before any engine runs.
 */
export function bindParams(query: QueryDefinition, values: Readonly<Record<string, string>>): string[] {
  const known = new Set(query.params.map((p) => p.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name)) {
      throw new IrKitError('IRKIT_INVALID_INPUT', `query ${query.id} has no parameter "${name}"`, {
        hint: `its parameters are: ${[...known].join(', ')}`,
      });
    }
  }
  const normalized: Record<string, string> = {};
  for (const p of query.params) {
    const value = values[p.name];
    if (value === undefined || value === '') {
      throw new IrKitError('IRKIT_INVALID_INPUT', `query ${query.id} needs parameter "${p.name}"`, {
        hint: `${p.description}; for example --param ${p.name}=${p.example}`,
      });
    }
    normalized[p.name] = validateParam(p.kind, value);
  }
  if (normalized.from !== undefined && normalized.to !== undefined) {
    v.dateWindow(normalized.from, normalized.to);
  }
  return query.placeholders.map((name) => normalized[name]);
}
