/**
 * The date window every library query takes (`from` and `to`, `YYYY/MM/DD`, both included)
 * means **event time**: an event belongs to the window when its own time (CloudTrail's
 * `eventtime`, a flow record's `starttime`) falls on one of the window's days, in UTC.
 *
 * CloudTrail folders its files by delivery time (`date_partition`), a few minutes after the
 * events: the window's last events are often in the next day's folder. So a query reads one
 * delivery day past `to` (`date_partition <= to + 1 day`, which Athena's partition projection
 * prunes to, the expression being constant once the parameters are bound) and bounds the
 * event time to the window. Events of the day before `from` delivered in `from`'s folder are
 * left out by the same bound.
 *
 * The SQL is Trino's; the local engine supplies date_parse, date_format and from_unixtime as
 * DuckDB macros under these names, so both engines run one text.
 */

/** A piece of SQL with `?` placeholders and the parameter name bound to each, in order. */
export interface SqlPart {
  readonly sql: string;
  readonly placeholders: readonly string[];
}

/** The day after a `YYYY/MM/DD` parameter, as `YYYY/MM/DD`. */
const DAY_AFTER = `date_format(date_parse(?, '%Y/%m/%d') + INTERVAL '1' DAY, '%Y/%m/%d')`;

/** How many delivery days past `to` a query reads. */
export const LATE_DELIVERY_DAYS = 1;

const dot = (qualifier: string) => (qualifier ? `${qualifier}.` : '');

function windowPart(qualifier: string, eventDay: string, indent: string): SqlPart {
  const q = dot(qualifier);
  return {
    sql: [
      `${q}date_partition >= ?`,
      `AND ${q}date_partition <= ${DAY_AFTER}`,
      `AND ${eventDay} >= ?`,
      `AND ${eventDay} <= ?`,
    ].join(`\n${indent}`),
    placeholders: ['from', 'to', 'from', 'to'],
  };
}

/**
 * The CloudTrail window: delivery folders from `from` to the day after `to`, events of
 * `from`..`to`. `eventtime` is ISO 8601 in UTC (`2021-07-24T02:22:32Z`), so its first ten
 * characters are the event's day.
 */
export function cloudTrailWindow(qualifier = '', indent = '      '): SqlPart {
  return windowPart(qualifier, `replace(substr(${dot(qualifier)}eventtime, 1, 10), '-', '/')`, indent);
}

/** The VPC Flow Logs window: flow records whose capture window starts on one of the days. */
export function flowWindow(qualifier = '', indent = '      '): SqlPart {
  return windowPart(qualifier, `date_format(from_unixtime(${dot(qualifier)}starttime), '%Y/%m/%d')`, indent);
}
