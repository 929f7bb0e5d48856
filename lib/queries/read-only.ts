/**
 * Whether a CloudTrail record is read-only. CloudTrail writes `readOnly` (the text `true` or
 * `false`) on most records, but not on all: older event versions and some services' events
 * omit it. A query that kept only `readonly = 'false'` would silently drop those records from
 * what changed. Where the field is absent, the event name decides:
 *
 * - a name that begins with one of READ_ONLY_VERBS (Get, List, Describe, Head, Lookup, ...)
 *   is read-only;
 * - every other name counts as a change: when in doubt, a record is shown among the changes
 *   rather than hidden.
 *
 * A recorded `readOnly` always wins over the name. This is the one place the rule is written;
 * every query that tests readOnly uses READ_ONLY_SQL, so both engines classify alike.
 */

/** API verbs that only read, the probing verbs of response step 8. */
export const READ_ONLY_VERBS = [
  'List',
  'Describe',
  'Get',
  'Head',
  'Search',
  'Lookup',
  'Scan',
  'Query',
  'Select',
  'BatchGet',
  'Simulate',
] as const;

/** The regular expression an event name is matched with when `readOnly` is absent. */
export const READ_ONLY_NAME_PATTERN = `^(${READ_ONLY_VERBS.join('|')})([A-Z0-9]|$)`;

/** The effective readOnly of a record as SQL text, `'true'` or `'false'` (never NULL). */
export function readOnlySql(qualifier = ''): string {
  const q = qualifier ? `${qualifier}.` : '';
  return `coalesce(${q}readonly, CASE WHEN regexp_like(${q}eventname, '${READ_ONLY_NAME_PATTERN}') THEN 'true' ELSE 'false' END)`;
}

/** The same rule in TypeScript, for code that classifies records it already holds. */
export function isReadOnly(readOnly: boolean | string | null | undefined, eventName: string): boolean {
  if (readOnly === true || readOnly === 'true') return true;
  if (readOnly === false || readOnly === 'false') return false;
  return new RegExp(READ_ONLY_NAME_PATTERN).test(eventName);
}
