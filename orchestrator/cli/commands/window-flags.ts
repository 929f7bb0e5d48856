import { IrKitError, invalidInput } from '../../../lib/errors';
import * as v from '../../../lib/validation';

/**
 * The investigation window as responders give it: `--since 15d` / `--since 36h` (the playbook
 * looks 15 and 90 days back), or `--from`, and `--to` (default: today, UTC). Dates as
 * `YYYY/MM/DD`, `YYYY-MM-DD` or an ISO time (`2021-07-24T02:00:00Z`): CloudTrail is queried by
 * event day in UTC, so a time counts as its day, and the command says which days it used.
 */
export interface WindowFlags {
  readonly from?: string;
  readonly to?: string;
  readonly since?: string;
}

export interface ResolvedWindow {
  readonly from: string;
  readonly to: string;
  /** How the window was chosen, for the line the command prints. */
  readonly described: string;
}

const DURATION = /^(\d{1,4})([dh])$/;
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;
const MAX_DAYS = 3650;

function day(date: Date): string {
  return date.toISOString().slice(0, 10).replace(/-/g, '/');
}

/** A date or an ISO time as the event day (UTC) it falls on. */
function eventDay(flag: string, value: string): string {
  const iso = ISO_TIME.exec(value);
  if (iso) {
    const at = new Date(value);
    if (isNaN(at.getTime())) throw invalidInput(flag, value, 'give a valid time, e.g. 2021-07-24T02:00:00Z');
    return day(at);
  }
  try {
    return v.partitionDate(value);
  } catch {
    throw invalidInput(
      flag,
      value,
      'give a day (2021/07/24 or 2021-07-24) or an ISO time (2021-07-24T02:00:00Z)',
    );
  }
}

export function resolveWindow(flags: WindowFlags, now: Date = new Date()): ResolvedWindow {
  if ((flags.from === undefined) === (flags.since === undefined)) {
    throw new IrKitError('IRKIT_INVALID_INPUT', 'give exactly one of --from and --since', {
      hint: 'e.g. --since 15d (the playbook first looks 15 days back), or --from 2021/07/16 --to 2021/07/24',
    });
  }
  const to = flags.to === undefined ? day(now) : eventDay('--to', flags.to);
  let from: string;
  let how: string;
  if (flags.since !== undefined) {
    const match = DURATION.exec(flags.since);
    const hours = match ? Number(match[1]) * (match[2] === 'd' ? 24 : 1) : NaN;
    if (!match || hours === 0 || hours > MAX_DAYS * 24) {
      throw invalidInput(
        '--since',
        flags.since,
        `give days or hours, e.g. 15d, 90d or 36h (at most ${MAX_DAYS}d)`,
      );
    }
    from = day(new Date(now.getTime() - hours * 3600_000));
    how = `--since ${flags.since}`;
  } else {
    from = eventDay('--from', flags.from as string);
    how = `--from ${flags.from}`;
  }
  const window = v.dateWindow(from, to);
  return {
    ...window,
    described: `${window.from}..${window.to} (event days in UTC; ${how}${flags.to === undefined ? ', --to today' : ''})`,
  };
}
