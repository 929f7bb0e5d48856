/** Time formats CloudTrail and IAM use, from epoch milliseconds (always UTC). */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

let lastHour = NaN;
let hourPrefix = '';

/** CloudTrail's eventTime: `2021-07-24T02:22:32Z` (second precision). */
export function eventTime(ms: number): string {
  // Records come in time order: format the date and hour once per hour.
  const hour = Math.floor(ms / HOUR_MS);
  if (hour !== lastHour) {
    lastHour = hour;
    hourPrefix = new Date(hour * HOUR_MS).toISOString().slice(0, 14);
  }
  const second = Math.floor((ms - hour * HOUR_MS) / SECOND_MS);
  return `${hourPrefix}${pad2(Math.floor(second / 60))}:${pad2(second % 60)}Z`;
}

/** Parses `2021-07-24T02:22:32Z`; throws on anything else (a bug in scenario data). */
export function parseEventTime(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text)) throw new Error(`bad event time ${text}`);
  return Date.parse(text);
}

/** The S3 date folder and date_partition value: `2021/07/24`. */
export function datePath(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}`;
}

/** The timestamp in log file names: `20210724T0220Z`. */
export function fileStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}Z`;
}

/** How IAM's responseElements print dates: `Jul 24, 2021 2:22:32 AM`. */
export function iamDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${h12}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}
