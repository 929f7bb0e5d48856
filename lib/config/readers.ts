import { IrKitError } from '../errors';
import { COMMERCIAL_REGIONS } from '../regions';

/**
 * The readers the config's key table is written with. A reader returns the value, or throws
 * `Problems`: every problem it found (a list reports each bad entry), so the config is checked
 * whole and every mistake is reported at once.
 */
export type Raw = Record<string, unknown>;

/** One mistake in the config: the key, the value found there, what is wrong and the fix. */
export interface ConfigProblem {
  readonly key: string;
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
}

/** What a reader throws: the problems it found. */
export class Problems extends Error {
  constructor(public readonly problems: readonly ConfigProblem[]) {
    super(problems.map(describeProblem).join('\n'));
    this.name = 'Problems';
  }
}

export function problem(key: string, value: unknown, what: string, fix: string): Problems {
  return new Problems([{ key, value, problem: what, fix }]);
}

/** `config KEY = VALUE: problem. Fix: fix`, the one line a person reads per mistake. */
export function describeProblem(p: ConfigProblem): string {
  const shown = p.value === undefined ? '(missing)' : JSON.stringify(p.value);
  return `config ${p.key} = ${shown}: ${p.problem}. Fix: ${p.fix}`;
}

/**
 * Every mistake of a config, each with its fix, printed once: in the message (no separate hint,
 * which would repeat the fix). Code IRKIT_CONFIG.
 */
export class ConfigError extends IrKitError {
  constructor(public readonly problems: readonly ConfigProblem[]) {
    super(
      'IRKIT_CONFIG',
      problems.length === 1
        ? describeProblem(problems[0])
        : `${problems.length} config errors:\n${problems.map((p) => `  ${describeProblem(p)}`).join('\n')}`,
    );
  }
}

/** Runs a reader, collecting what it throws into `into`; undefined when it failed. */
export function collect<T>(into: ConfigProblem[], read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof Problems) {
      into.push(...error.problems);
      return undefined;
    }
    throw error;
  }
}

/** Levenshtein distance, for "did you mean" on misspelt keys and values. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The closest known name when it is plausibly a typo of `name`. */
export function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  // A key missing its tail (`workgroup` for `workgroupName`) is as likely a slip as a typo.
  const extended = known.find((candidate) => lower.length >= 4 && candidate.toLowerCase().startsWith(lower));
  if (extended) return extended;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * A JSON object (else it throws). Each unknown key is a problem added to `problems`, with a
 * suggestion; the known keys are still read, so their mistakes are reported too.
 */
export function object(
  key: string,
  value: unknown,
  known: readonly string[],
  problems: ConfigProblem[],
): Raw {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw problem(key, value, 'expected an object', `give ${key} as a JSON object, e.g. {}`);
  }
  for (const name of Object.keys(value).filter((n) => !known.includes(n))) {
    const suggestion = closest(name, known);
    problems.push({
      key: `${key}.${name}`,
      value: (value as Raw)[name],
      problem: 'unknown key',
      fix: suggestion
        ? `did you mean "${suggestion}"? Rename the key`
        : `remove it; known keys of ${key} are ${known.join(', ')}`,
    });
  }
  return value as Raw;
}

/** A reader of one value; `key` is the dotted path shown in errors. */
export type Reader<T> = (value: unknown, key: string, root: Raw) => T;

/** A string through a validator of lib/validation, its refusal turned into a config problem. */
export function validated(validate: (s: string) => string, what: string): Reader<string> {
  return (value, key) => {
    if (typeof value !== 'string') {
      throw problem(key, value, `expected a string (${what})`, `give ${key} as a JSON string`);
    }
    try {
      return validate(value);
    } catch (error) {
      if (!(error instanceof IrKitError)) throw error;
      throw problem(key, value, `not a valid ${what}`, error.hint ?? `give a valid ${what}`);
    }
  };
}

/** A string matching a pattern of lib/validation. */
export function matching(pattern: RegExp, what: string, fix: string): Reader<string> {
  return (value, key) => {
    if (typeof value !== 'string' || !pattern.test(value))
      throw problem(key, value, `not a valid ${what}`, fix);
    return value;
  };
}

export const boolean: Reader<boolean> = (value, key) => {
  if (typeof value !== 'boolean') {
    throw problem(key, value, 'expected true or false', `give ${key} as a JSON boolean`);
  }
  return value;
};

export function oneOf<T extends string>(values: readonly T[]): Reader<T> {
  return (value, key) => {
    if (typeof value !== 'string' || !values.includes(value as T)) {
      throw problem(
        key,
        value,
        `expected one of ${values.join(', ')}`,
        `give ${key} as "${values[0]}" or "${values.slice(1).join('", "')}"`,
      );
    }
    return value as T;
  };
}

export function integer(min: number, max: number, unit: string): Reader<number> {
  return (value, key) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      throw problem(
        key,
        value,
        `expected a whole number of ${unit} from ${min} to ${max}`,
        `give ${key} as a JSON number in that range`,
      );
    }
    return value;
  };
}

/** One of a known set of names, with the closest one suggested. */
export function known(names: readonly string[], what: string, otherwise: string): Reader<string> {
  return (value, key) => {
    if (typeof value === 'string' && names.includes(value)) return value;
    const suggestion = typeof value === 'string' ? closest(value, names) : undefined;
    throw problem(key, value, what, suggestion ? `did you mean "${suggestion}"?` : otherwise);
  };
}

export const region: Reader<string> = known(
  COMMERCIAL_REGIONS,
  'not a commercial AWS Region the kit knows',
  'use a Region of lib/regions.ts COMMERCIAL_REGIONS, e.g. us-east-1',
);

/** A JSON array read entry by entry: every bad or duplicate entry is reported. */
export function list<T>(
  item: Reader<T>,
  options: { readonly nonEmpty: boolean; readonly example: string },
): Reader<readonly T[]> {
  return (value, key, root) => {
    if (!Array.isArray(value)) {
      throw problem(key, value, 'expected a list', `give ${key} as a JSON array, e.g. ${options.example}`);
    }
    if (options.nonEmpty && value.length === 0) {
      throw problem(key, value, 'the list is empty', `give at least one entry, e.g. ${options.example}`);
    }
    const problems: ConfigProblem[] = [];
    const seen = new Set<string>();
    const items = value.map((entry: unknown, i) => {
      const at = `${key}[${i}]`;
      const read = collect(problems, () => item(entry, at, root));
      const id = JSON.stringify(entry);
      if (read !== undefined && seen.has(id)) {
        problems.push({ key: at, value: entry, problem: 'listed twice', fix: 'remove the duplicate' });
      }
      seen.add(id);
      return read as T;
    });
    if (problems.length > 0) throw new Problems(problems);
    return items;
  };
}
