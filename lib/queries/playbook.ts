import { QueryDefinition, QueryParam, Seek, TableNames } from './types';
import { cloudTrailWindow, flowWindow } from './window';

/**
 * The queries printed in the playbook's Part 2, with the literal key id, user name and
 * dates turned into `?` placeholders. Rendered with the default names, each is the
 * playbook's text but for the placeholders and two additions: the window reads one
 * delivery day past `to` and bounds the event time to the window (lib/queries/window.ts),
 * and ORDER BY ends with tie-breakers, so that every run returns the rows in one order.
 */

const FROM: QueryParam = {
  name: 'from',
  kind: 'date',
  description: 'first day of the window (event time, UTC, YYYY/MM/DD)',
  example: '2021/07/16',
};
const TO: QueryParam = {
  name: 'to',
  kind: 'date',
  description:
    'last day of the window (event time, UTC, YYYY/MM/DD; its events delivered the next day are read too)',
  example: '2021/07/24',
};
const KEY: QueryParam = {
  name: 'accessKeyId',
  kind: 'accessKeyId',
  description: 'the exposed access key id',
  example: 'AKIAIOSFODNN7EXAMPLE',
};
const USER: QueryParam = {
  name: 'userName',
  kind: 'userName',
  description: 'the IAM user name',
  example: 'JaneDoe',
};

export const WINDOW_PARAMS = { FROM, TO } as const;

/** The event-time window of a CloudTrail query (lib/queries/window.ts). */
const WINDOW = cloudTrailWindow();
export const SUBJECT_PARAMS = { KEY, USER } as const;

/** The quoted `"database"."table"` name of the CloudTrail table. */
export const table = (t: TableNames) => `"${t.database}"."${t.cloudTrailTable}"`;

/**
 * The identity filter of the two query families: by access key id, or by IAM user name.
 * IAM names ignore case (JaneDoe and janedoe are one user), so a name matches in any case.
 */
export interface Subject {
  readonly idPrefix: 'key' | 'user';
  readonly param: QueryParam;
  readonly column: string;
  /** The WHERE condition selecting the subject's records, with one `?`. */
  readonly match: string;
  readonly label: string;
  /** The same condition in the local engine's index terms. */
  readonly seek: Seek;
}
export const BY_KEY: Subject = {
  idPrefix: 'key',
  param: KEY,
  column: 'useridentity.accesskeyid',
  match: 'useridentity.accesskeyid = ?',
  label: 'access key',
  seek: { kind: 'accessKeyId', param: KEY.name },
};
export const BY_USER: Subject = {
  idPrefix: 'user',
  param: USER,
  column: 'useridentity.username',
  match: 'lower(useridentity.username) = lower(?)',
  label: 'IAM user',
  seek: { kind: 'userName', param: USER.name },
};

function apiActivity(s: Subject, step: string): QueryDefinition {
  return {
    id: `${s.idPrefix}-api-activity`,
    title: `API calls of an ${s.label}, by service and outcome`,
    playbook: { part: 2, step },
    description: `Counts the ${s.label}'s API calls in the window by region, service, API, read-only flag and error.`,
    params: [s.param, FROM, TO],
    placeholders: [s.param.name, ...WINDOW.placeholders],
    seek: { cloudtrail: s.seek },
    sql: (
      t,
    ) => `SELECT awsregion, eventsource, eventname, readonly, errorcode, errormessage, count(eventid) as COUNT 
FROM ${table(t)}
WHERE ${s.match}
      AND ${WINDOW.sql}
GROUP BY awsregion, eventsource, eventname, readonly, errorcode, errormessage
ORDER BY COUNT DESC, awsregion, eventsource, eventname, readonly, errorcode, errormessage`,
  };
}

function sourceIps(s: Subject, step: string): QueryDefinition {
  return {
    id: `${s.idPrefix}-source-ips`,
    title: `Source IP addresses and user agents of an ${s.label}`,
    playbook: { part: 2, step },
    description: `Counts the ${s.label}'s API calls in the window by source IP address and user agent.`,
    params: [s.param, FROM, TO],
    placeholders: [s.param.name, ...WINDOW.placeholders],
    seek: { cloudtrail: s.seek },
    sql: (t) => `SELECT sourceipaddress, useragent, count(eventid) as COUNT 
FROM ${table(t)}
WHERE ${s.match}
      AND ${WINDOW.sql}
GROUP BY sourceipaddress, useragent
ORDER BY COUNT DESC, sourceipaddress, useragent`,
  };
}

const EVENT_NAMES = (example: string): QueryParam => ({
  name: 'eventNames',
  kind: 'eventNameList',
  description: 'comma-separated API names to detail',
  example,
});

function changeDetails(s: Subject, step: string, example: string): QueryDefinition {
  return {
    id: `${s.idPrefix}-call-details`,
    title: `Request and response of chosen API calls of an ${s.label}`,
    playbook: { part: 2, step },
    description: `Shows the request parameters and response elements of the ${s.label}'s calls to the listed APIs.`,
    params: [s.param, FROM, TO, EVENT_NAMES(example)],
    placeholders: [s.param.name, ...WINDOW.placeholders, 'eventNames'],
    seek: { cloudtrail: s.seek },
    sql: (
      t,
    ) => `SELECT eventtime, awsregion, eventname, requestparameters, responseelements, errorcode, errormessage
FROM ${table(t)}
WHERE ${s.match}
      AND ${WINDOW.sql}
      AND contains(split(?, ','), eventname)
ORDER BY eventtime, eventid`,
  };
}

const NETWORK_ACTIVITY: QueryDefinition = {
  id: 'key-network-activity',
  title: 'VPC Flow Logs traffic to or from the source IPs of an access key',
  playbook: { part: 2, step: '1' },
  description:
    'Counts the VPC Flow Logs records whose source or destination is one of the source IP addresses the access key used, ' +
    'by source and destination: each flow record once, however many calls came from its address. Both tables are limited to the window.',
  params: [KEY, FROM, TO],
  placeholders: ['accessKeyId', ...cloudTrailWindow().placeholders, ...flowWindow().placeholders],
  // The flow side matches the key's addresses, known only once the CloudTrail side ran: read whole.
  seek: { cloudtrail: BY_KEY.seek },
  sql: (t) => {
    const ct = `"${t.database}"."${t.cloudTrailTable}"`;
    const flow = `"${t.database}"."${t.vpcFlowTable}"`;
    return `WITH key_ips AS (
     SELECT DISTINCT sourceipaddress
     FROM ${ct}
     WHERE useridentity.accesskeyid = ?
           AND ${cloudTrailWindow('', '           ').sql})
SELECT ${flow}.sourceaddress, 
       ${flow}.destinationaddress,
       count(*) as count
FROM ${flow} 
WHERE ${flowWindow(flow, '       ').sql}
       AND (${flow}.sourceaddress IN (SELECT sourceipaddress FROM key_ips)
            OR ${flow}.destinationaddress IN (SELECT sourceipaddress FROM key_ips))
GROUP BY ${flow}.sourceaddress, 
         ${flow}.destinationaddress
ORDER BY count DESC, ${flow}.sourceaddress, ${flow}.destinationaddress`;
  },
};

function probeDetails(s: Subject, step: string): QueryDefinition {
  return {
    id: `${s.idPrefix}-probe-details`,
    title: `Request and response of the probing calls of an ${s.label}`,
    playbook: { part: 2, step },
    description: `Shows when and where the ${s.label} made the listed read-only (probing) calls, with their parameters.`,
    params: [
      s.param,
      FROM,
      TO,
      EVENT_NAMES(
        'ListRoles,DescribeDestinations,ListKeys,ListFunctions20150331,ListBuckets,ListSecrets,ListAliases,DescribeInstances',
      ),
    ],
    placeholders: [s.param.name, ...WINDOW.placeholders, 'eventNames'],
    seek: { cloudtrail: s.seek },
    sql: (t) => `SELECT eventtime, awsregion, requestparameters, responseelements, errorcode, errormessage
FROM ${table(t)}
WHERE ${s.match}
      AND ${WINDOW.sql}
      AND contains(split(?, ','), eventname)
ORDER BY eventtime, eventid`,
  };
}

/** Part 2 as printed: the key's activity, then the rogue user's. */
export const PLAYBOOK_QUERIES: readonly QueryDefinition[] = [
  apiActivity(BY_KEY, '1'),
  sourceIps(BY_KEY, '1'),
  NETWORK_ACTIVITY,
  changeDetails(BY_KEY, '3', 'AttachUserPolicy,CreateUser,CreateAccessKey'),
  apiActivity(BY_USER, '11'),
  sourceIps(BY_USER, '11'),
  changeDetails(BY_USER, '11', 'CreateBucket,PutObject'),
  probeDetails(BY_USER, '11'),
];
