import { BY_KEY, BY_USER, Subject, WINDOW_PARAMS, table } from './playbook';
import { READ_ONLY_VERBS } from './read-only';
import { QueryDefinition, QueryParam, TableNames } from './types';
import { cloudTrailWindow, flowWindow } from './window';

/**
 * The queries the playbook asks for in prose (response steps 4, 7, 8, 11 and 12): what a
 * credential created, changed, deleted and probed; which principals and sessions it made;
 * who else acted from its IP addresses; when it was first and last seen; what it was
 * denied; console sign-ins. Trino SQL that DuckDB also runs (json_extract_scalar is a
 * macro on DuckDB); every query takes the event-time window of lib/queries/window.ts and
 * orders its rows totally (the last sort keys are unique per row).
 */

const { FROM, TO } = WINDOW_PARAMS;

const IPS: QueryParam = {
  name: 'sourceIps',
  kind: 'ipList',
  description: 'comma-separated source IP addresses',
  example: '198.51.100.77,72.21.198.71',
};

const WINDOW = cloudTrailWindow();

function subjectFilter(s: Subject): string {
  return `${s.match}
      AND ${WINDOW.sql}`;
}

/**
 * What names an identity of any type (CloudTrail's userIdentity element): the principal id
 * (`AIDA...`, `AROA...:session`, a SAML or web identity subject), its account, the service
 * that called on its behalf, the role that issued a session, EC2's instance-credential
 * marker, and the Identity Center user a call was made for.
 */
const IDENTITY_DETAIL_COLUMNS = `useridentity.principalid AS principal_id, useridentity.accountid AS identity_account,
       useridentity.invokedby AS invoked_by,
       useridentity.sessioncontext.sessionissuer.arn AS session_issuer_arn,
       useridentity.sessioncontext.ec2roledelivery AS role_delivery,
       useridentity.onbehalfof.userid AS on_behalf_of`;
const IDENTITY_DETAIL_GROUP = `useridentity.principalid, useridentity.accountid, useridentity.invokedby,
         useridentity.sessioncontext.sessionissuer.arn, useridentity.sessioncontext.ec2roledelivery,
         useridentity.onbehalfof.userid`;

/** The placeholders of subjectFilter. */
const subjectPlaceholders = (s: Subject) => [s.param.name, ...WINDOW.placeholders];

const quoted = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** A scalar from a JSON document column, e.g. json(REQUEST, 'userName'). */
const json = (column: string, path: string) => `json_extract_scalar(${column}, '$.${path}')`;
const REQUEST = 'requestparameters';
const RESPONSE = 'responseelements';

/** The first non-null of the expressions. */
function firstOf(expressions: readonly string[]): string {
  return expressions.length === 1 ? expressions[0] : `coalesce(${expressions.join(',\n                ')})`;
}

/** API calls that create a principal, give it credentials or grant it permissions. */
export const PRINCIPAL_EVENTS = [
  'CreateUser',
  'CreateRole',
  'CreateAccessKey',
  'CreateLoginProfile',
  'UpdateLoginProfile',
  'AttachUserPolicy',
  'AttachRolePolicy',
  'PutUserPolicy',
  'PutRolePolicy',
  'AddUserToGroup',
  'UpdateAssumeRolePolicy',
] as const;

function principalsCreated(s: Subject): QueryDefinition {
  return {
    id: `${s.idPrefix}-principals-created`,
    title: `IAM principals an ${s.label} created, gave credentials to or granted permissions`,
    playbook: { part: 2, step: '11' },
    description:
      `Lists the ${s.label}'s calls that create users, roles, access keys and console passwords, ` +
      'attach or put policies and add users to groups, with the names, ids and policies taken ' +
      'from the request and response.',
    params: [s.param, FROM, TO],
    placeholders: subjectPlaceholders(s),
    seek: { cloudtrail: s.seek },
    sql: (t) => `SELECT eventtime, awsregion, eventname,
       CASE WHEN eventname LIKE '%Role%' THEN 'role' ELSE 'user' END AS principal_type,
       ${firstOf([json(REQUEST, 'userName'), json(REQUEST, 'roleName'), json(RESPONSE, 'accessKey.userName')])} AS principal_name,
       ${firstOf([json(RESPONSE, 'user.arn'), json(RESPONSE, 'role.arn')])} AS principal_arn,
       ${firstOf([json(RESPONSE, 'user.userId'), json(RESPONSE, 'role.roleId')])} AS principal_id,
       ${json(RESPONSE, 'accessKey.accessKeyId')} AS access_key_id,
       ${firstOf(['policyArn', 'policyName', 'groupName'].map((p) => json(REQUEST, p)))} AS policy_or_group,
       errorcode, eventid
FROM ${table(t)}
WHERE ${subjectFilter(s)}
      AND eventname IN (${quoted(PRINCIPAL_EVENTS)})
ORDER BY eventtime, eventid`,
  };
}

/**
 * How an API name classifies a call (response step 8), by the verb it starts with. The
 * first matching class wins; anything else is `other` (e.g. AssumeRole, Decrypt).
 */
export const ACTION_PREFIXES: readonly (readonly [string, readonly string[]])[] = [
  [
    'created',
    ['Create', 'Run', 'Put', 'Attach', 'Add', 'Import', 'Register', 'Copy', 'Upload', 'Allocate', 'Issue'],
  ],
  [
    'modified',
    [
      'Update',
      'Modify',
      'Set',
      'Change',
      'Enable',
      'Disable',
      'Start',
      'Stop',
      'Reboot',
      'Restore',
      'Replace',
      'Reset',
      'Associate',
      'Disassociate',
      'Tag',
      'Untag',
      'Authorize',
      'Rotate',
    ],
  ],
  [
    'deleted',
    ['Delete', 'Terminate', 'Remove', 'Detach', 'Deregister', 'Revoke', 'Cancel', 'Purge', 'Release'],
  ],
  ['probed', READ_ONLY_VERBS],
];

function actionCase(): string {
  const whens = ACTION_PREFIXES.map(
    ([action, prefixes]) =>
      `WHEN ${prefixes.map((p) => `eventname LIKE '${p}%'`).join(' OR ')}\n            THEN '${action}'`,
  );
  return `CASE ${whens.join('\n         ')}\n         ELSE 'other' END`;
}

/** Request (then response) fields naming the resource a call acted on, most specific first. */
export const RESOURCE_NAME_PATHS = [
  'bucketName',
  'instanceId',
  'instancesSet.items[0].instanceId',
  'userName',
  'roleName',
  'groupName',
  'policyArn',
  'functionName',
  'secretId',
  'keyId',
  'tableName',
  'dBInstanceIdentifier',
  'dBClusterIdentifier',
  'clusterName',
  'logGroupName',
  'topicArn',
  'queueUrl',
  'stackName',
  'repositoryName',
  'snapshotId',
  'volumeId',
  'imageId',
  'groupId',
  'vpcId',
  'subnetId',
  'trailName',
  'detectorId',
  'name',
] as const;

const CREATED_RESOURCE_PATHS = [
  'instancesSet.items[0].instanceId',
  'user.userName',
  'role.roleName',
] as const;

function resourceActivity(s: Subject): QueryDefinition {
  return {
    id: `${s.idPrefix}-resource-activity`,
    title: `Resources an ${s.label} created, modified, deleted or probed`,
    playbook: { part: 2, step: '8' },
    description:
      `Every call of the ${s.label}, classified by its API verb (created, modified, deleted, probed, other), ` +
      'with the resource name and S3 object key taken from the request (or the response, for what it created).',
    params: [s.param, FROM, TO],
    placeholders: subjectPlaceholders(s),
    seek: { cloudtrail: s.seek },
    sql: (t) => `SELECT eventtime, awsregion, eventsource, eventname,
       ${actionCase()} AS action,
       ${firstOf([
         ...RESOURCE_NAME_PATHS.map((p) => json(REQUEST, p)),
         ...CREATED_RESOURCE_PATHS.map((p) => json(RESPONSE, p)),
       ])} AS resource_name,
       ${json(REQUEST, 'key')} AS object_key,
       useridentity.accesskeyid AS access_key_id, useridentity.invokedby AS invoked_by,
       sourceipaddress, useragent, errorcode, eventid
FROM ${table(t)}
WHERE ${subjectFilter(s)}
ORDER BY eventtime, eventid`,
  };
}

/** Calls that return new session credentials to a caller holding a key. */
export const SESSION_EVENTS = ['AssumeRole', 'GetSessionToken', 'GetFederationToken'] as const;

function sessionsMinted(s: Subject): QueryDefinition {
  return {
    id: `${s.idPrefix}-sessions-minted`,
    title: `Roles an ${s.label} assumed and session credentials it minted`,
    playbook: { part: 2, step: '11' },
    description:
      `Lists the ${s.label}'s AssumeRole, GetSessionToken and GetFederationToken calls with the role, ` +
      'the session name, and the temporary access key id (ASIA...) and session ARN they returned; ' +
      'that key’s own activity belongs to the same actor.',
    params: [s.param, FROM, TO],
    placeholders: subjectPlaceholders(s),
    seek: { cloudtrail: s.seek },
    sql: (t) => `SELECT eventtime, awsregion, eventname,
       ${json(REQUEST, 'roleArn')} AS role_arn,
       ${firstOf([json(REQUEST, 'roleSessionName'), json(REQUEST, 'name')])} AS session_name,
       ${json(RESPONSE, 'credentials.accessKeyId')} AS session_key_id,
       ${firstOf([json(RESPONSE, 'assumedRoleUser.arn'), json(RESPONSE, 'federatedUser.arn')])} AS session_arn,
       ${json(RESPONSE, 'credentials.expiration')} AS expiration,
       sourceipaddress, errorcode, eventid
FROM ${table(t)}
WHERE ${subjectFilter(s)}
      AND eventname IN (${quoted(SESSION_EVENTS)})
ORDER BY eventtime, eventid`,
  };
}

const IP_ACTIVITY: QueryDefinition = {
  id: 'ip-activity',
  title: 'Everything done from a set of source IP addresses, by any principal',
  playbook: { part: 2, step: '7' },
  description:
    'Counts the calls made from the listed IP addresses by every identity (user, role session, key), ' +
    'per API and error, with first and last time seen: who else the actor was, or who shares its address.',
  params: [IPS, FROM, TO],
  placeholders: ['sourceIps', ...WINDOW.placeholders],
  seek: { cloudtrail: { kind: 'sourceIp', param: IPS.name } },
  sql: (t) => `SELECT sourceipaddress, useridentity.type AS identity_type, useridentity.arn AS identity_arn,
       useridentity.username AS user_name, useridentity.accesskeyid AS access_key_id,
       ${IDENTITY_DETAIL_COLUMNS},
       eventsource, eventname, errorcode,
       count(eventid) AS count, min(eventtime) AS first_seen, max(eventtime) AS last_seen
FROM ${table(t)}
WHERE contains(split(?, ','), sourceipaddress)
      AND ${WINDOW.sql}
GROUP BY sourceipaddress, useridentity.type, useridentity.arn, useridentity.username,
         useridentity.accesskeyid, ${IDENTITY_DETAIL_GROUP}, eventsource, eventname, errorcode
ORDER BY first_seen, sourceipaddress, identity_type, identity_arn, user_name, access_key_id, principal_id,
         identity_account, invoked_by, session_issuer_arn, role_delivery, on_behalf_of, eventsource, eventname, errorcode`,
};

const IP_NETWORK_ACTIVITY: QueryDefinition = {
  id: 'ip-network-activity',
  title: 'VPC Flow Logs traffic to or from a set of IP addresses',
  playbook: { part: 2, step: '7' },
  description:
    'Counts the flow records with one of the listed addresses as source or destination, by direction, ' +
    'port, protocol and accept/reject: which infrastructure the addresses reached.',
  params: [FROM, TO, IPS],
  placeholders: [...flowWindow().placeholders, 'sourceIps', 'sourceIps'],
  seek: { vpcflow: { kind: 'flowAddress', param: IPS.name } },
  sql: (t) => `SELECT sourceaddress, destinationaddress, destinationport, protocol, action,
       count(*) AS count, sum(numbytes) AS bytes, min(starttime) AS first_start, max(endtime) AS last_end
FROM "${t.database}"."${t.vpcFlowTable}"
WHERE ${flowWindow().sql}
      AND (contains(split(?, ','), sourceaddress) OR contains(split(?, ','), destinationaddress))
GROUP BY sourceaddress, destinationaddress, destinationport, protocol, action
ORDER BY count DESC, sourceaddress, destinationaddress, destinationport, protocol, action`,
};

function firstLastSeen(s: Subject): QueryDefinition {
  return {
    id: `${s.idPrefix}-first-last-seen`,
    title: `First and last use of an ${s.label}`,
    playbook: { part: 2, step: '12' },
    description:
      `When the ${s.label} was first and last seen in the window, per identity and access key, with how many ` +
      'calls, source IPs and regions: run it over a wide window to decide how far back to look.',
    params: [s.param, FROM, TO],
    placeholders: subjectPlaceholders(s),
    seek: { cloudtrail: s.seek },
    sql: (t) => `SELECT useridentity.type AS identity_type, useridentity.arn AS identity_arn,
       useridentity.username AS user_name, useridentity.accesskeyid AS access_key_id,
       ${IDENTITY_DETAIL_COLUMNS},
       min(eventtime) AS first_seen, max(eventtime) AS last_seen, count(eventid) AS events,
       count(DISTINCT sourceipaddress) AS source_ips, count(DISTINCT awsregion) AS regions
FROM ${table(t)}
WHERE ${subjectFilter(s)}
GROUP BY useridentity.type, useridentity.arn, useridentity.username, useridentity.accesskeyid,
         ${IDENTITY_DETAIL_GROUP}
ORDER BY first_seen, access_key_id, identity_type, identity_arn, user_name, principal_id, identity_account,
         invoked_by, session_issuer_arn, role_delivery, on_behalf_of`,
  };
}

/** Error codes AWS services return when a call is not authorized. */
export const DENIED_ERROR_CODES = [
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'Client.UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'AuthorizationErrorException',
  'Forbidden',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
] as const;

function deniedCalls(s: Subject): QueryDefinition {
  return {
    id: `${s.idPrefix}-denied-calls`,
    title: `Calls of an ${s.label} that were denied`,
    playbook: { part: 2, step: '4' },
    description:
      `Counts the ${s.label}'s calls refused for lack of permission (AccessDenied, UnauthorizedOperation, ...) ` +
      'by API and error code (EC2 writes a different encoded message for every call), with one example message: ' +
      'what the actor tried and could not do.',
    params: [s.param, FROM, TO],
    placeholders: subjectPlaceholders(s),
    seek: { cloudtrail: s.seek },
    sql: (t) => `SELECT awsregion, eventsource, eventname, errorcode, min(errormessage) AS errormessage,
       count(eventid) AS count, min(eventtime) AS first_seen, max(eventtime) AS last_seen
FROM ${table(t)}
WHERE ${subjectFilter(s)}
      AND errorcode IN (${quoted(DENIED_ERROR_CODES)})
GROUP BY awsregion, eventsource, eventname, errorcode
ORDER BY count DESC, first_seen, eventname, awsregion, eventsource, errorcode`,
  };
}

const CONSOLE_LOGINS: QueryDefinition = {
  id: 'user-console-logins',
  title: 'Console sign-ins of an IAM user',
  playbook: { part: 2, step: '4' },
  description:
    'Lists the IAM user’s ConsoleLogin events with the outcome, MFA use, source IP and browser: ' +
    'for an exposed password, or a login profile an actor created.',
  params: [BY_USER.param, FROM, TO],
  placeholders: subjectPlaceholders(BY_USER),
  seek: { cloudtrail: BY_USER.seek },
  sql: (t: TableNames) => `SELECT eventtime, awsregion, sourceipaddress, useragent,
       ${json(RESPONSE, 'ConsoleLogin')} AS login_result,
       ${json('additionaleventdata', 'MFAUsed')} AS mfa_used,
       errormessage, eventid
FROM ${table(t)}
WHERE ${subjectFilter(BY_USER)}
      AND eventname = 'ConsoleLogin'
ORDER BY eventtime, eventid`,
};

/** The prose steps as queries, each in its key and user form where both make sense. */
export const INVESTIGATION_QUERIES: readonly QueryDefinition[] = [
  ...[BY_KEY, BY_USER].flatMap((s) => [
    principalsCreated(s),
    resourceActivity(s),
    sessionsMinted(s),
    firstLastSeen(s),
    deniedCalls(s),
  ]),
  CONSOLE_LOGINS,
  IP_ACTIVITY,
  IP_NETWORK_ACTIVITY,
];
