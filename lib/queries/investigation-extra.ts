import { BY_KEY, BY_USER, Subject, WINDOW_PARAMS, table } from './playbook';
import { readOnlySql } from './read-only';
import { QueryDefinition, QueryParam } from './types';
import { cloudTrailWindow } from './window';

/**
 * Queries the automated investigation needs beyond the prose steps: the full request and
 * response of every call that changed something (the resource ids a created snapshot or
 * instance only shows in the response), and the sessions of a role the actor created.
 */

const { FROM, TO } = WINDOW_PARAMS;
const WINDOW = cloudTrailWindow();

const ROLE: QueryParam = {
  name: 'roleName',
  kind: 'roleName',
  description: 'the IAM role name',
  example: 'DevOpsRole',
};

function changeDetails(s: Subject): QueryDefinition {
  return {
    id: `${s.idPrefix}-change-details`,
    title: `Request and response of every call of an ${s.label} that changed something`,
    playbook: { part: 2, step: '8' },
    description:
      `Lists the ${s.label}'s calls that are not read-only, with the request parameters, response ` +
      'elements and recording account: what was created, modified or deleted, by its exact id. ' +
      'A record without readOnly is classed by its event name (readonly is then null in the row).',
    params: [s.param, FROM, TO],
    placeholders: [s.param.name, ...WINDOW.placeholders],
    seek: { cloudtrail: s.seek },
    sql: (t) => `SELECT eventtime, awsregion, eventsource, eventname, requestparameters, responseelements,
       recipientaccountid, useridentity.accesskeyid AS access_key_id, useridentity.invokedby AS invoked_by,
       sourceipaddress, useragent, errorcode, eventid, readonly
FROM ${table(t)}
WHERE ${s.match}
      AND ${WINDOW.sql}
      AND ${readOnlySql()} = 'false'
ORDER BY eventtime, eventid`,
  };
}

const ROLE_SESSIONS: QueryDefinition = {
  id: 'role-sessions',
  title: 'Sessions of an IAM role, by temporary access key',
  playbook: { part: 2, step: '11' },
  description:
    'Lists every session of the role (by the issuer of its temporary credentials) with its access key id, ' +
    'session ARN, first and last use and source IPs: for a role the actor created, all of them are its own.',
  params: [ROLE, FROM, TO],
  placeholders: ['roleName', ...WINDOW.placeholders],
  seek: { cloudtrail: { kind: 'sessionIssuer', param: ROLE.name } },
  sql: (t) => `SELECT useridentity.arn AS identity_arn, useridentity.accesskeyid AS access_key_id,
       min(eventtime) AS first_seen, max(eventtime) AS last_seen, count(eventid) AS events,
       count(DISTINCT sourceipaddress) AS source_ips
FROM ${table(t)}
WHERE useridentity.type = 'AssumedRole'
      AND lower(useridentity.sessioncontext.sessionissuer.username) = lower(?)
      AND ${WINDOW.sql}
GROUP BY useridentity.arn, useridentity.accesskeyid
ORDER BY first_seen, access_key_id, identity_arn`,
};

const USER_POLICY_CHANGES: QueryDefinition = {
  id: 'user-policy-changes',
  title: 'Policies attached to or put on an IAM user, by anyone',
  playbook: { part: 2, step: '3' },
  description:
    'Lists every AttachUserPolicy and PutUserPolicy naming the user, whoever made it, with the caller, the service ' +
    'that called on its behalf, the source address and user agent: AWS’s own quarantine of an exposed key ' +
    '(AWSCompromisedKeyQuarantine*, AWSExposedCredentialPolicy_DO_NOT_REMOVE) shows here.',
  params: [BY_USER.param, FROM, TO],
  placeholders: [BY_USER.param.name, ...WINDOW.placeholders],
  seek: { cloudtrail: { kind: 'policyUser', param: BY_USER.param.name } },
  sql: (t) => `SELECT eventtime, awsregion, eventname,
       coalesce(json_extract_scalar(requestparameters, '$.policyArn'),
                json_extract_scalar(requestparameters, '$.policyName')) AS policy,
       useridentity.type AS identity_type, useridentity.arn AS identity_arn,
       useridentity.invokedby AS invoked_by, sourceipaddress, useragent, errorcode, eventid
FROM ${table(t)}
WHERE eventname IN ('AttachUserPolicy', 'PutUserPolicy')
      AND lower(json_extract_scalar(requestparameters, '$.userName')) = lower(?)
      AND ${WINDOW.sql}
ORDER BY eventtime, eventid`,
};

export const INVESTIGATION_EXTRA_QUERIES: readonly QueryDefinition[] = [
  changeDetails(BY_KEY),
  changeDetails(BY_USER),
  ROLE_SESSIONS,
  USER_POLICY_CHANGES,
];
