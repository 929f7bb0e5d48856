/**
 * The CloudTrail record as CloudTrail writes it: camelCase keys in CloudTrail's own order
 * (JSON.stringify keeps insertion order and drops undefined keys, so optional fields simply
 * vanish), nested documents as objects or null.
 */

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

export interface SessionContext {
  readonly sessionIssuer: {
    readonly type?: 'Role' | 'Root' | 'IAMUser';
    readonly principalId?: string;
    readonly arn?: string;
    readonly accountId?: string;
    readonly userName?: string;
  };
  readonly webIdFederationData: JsonObject;
  readonly attributes: { readonly creationDate: string; readonly mfaAuthenticated: 'true' | 'false' };
  readonly ec2RoleDelivery?: string;
}

export interface UserIdentity {
  readonly type: 'IAMUser' | 'AssumedRole' | 'AWSService' | 'Root' | 'FederatedUser' | 'AWSAccount';
  readonly principalId?: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly accessKeyId?: string;
  readonly userName?: string;
  readonly sessionContext?: SessionContext;
  readonly invokedBy?: string;
}

export interface Resource {
  readonly accountId?: string;
  readonly type: string;
  readonly ARN: string;
}

export interface TlsDetails {
  readonly tlsVersion: string;
  readonly cipherSuite: string;
  readonly clientProvidedHostHeader: string;
}

export type EventType = 'AwsApiCall' | 'AwsConsoleSignIn' | 'AwsServiceEvent';

/** Everything of a record but its two random ids. */
export interface RecordSpec {
  readonly userIdentity: UserIdentity;
  /** `2021-07-24T02:22:32Z` */
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: JsonObject | null;
  readonly responseElements: JsonObject | null;
  readonly additionalEventData?: JsonObject;
  /** Absent on older event versions and some services' events (variant noReadOnly). */
  readonly readOnly: boolean | undefined;
  readonly resources?: readonly Resource[];
  readonly eventType: EventType;
  readonly apiVersion?: string;
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly serviceEventDetails?: JsonObject;
  readonly sharedEventID?: string;
  readonly vpcEndpointId?: string;
  readonly eventCategory: 'Management' | 'Data';
  readonly tlsDetails?: TlsDetails;
  readonly sessionCredentialFromConsole?: 'true';
}

/** CloudTrail's record version for events of 2021. */
export const EVENT_VERSION = '1.08';

const str = JSON.stringify;

/**
 * The record's JSON text, keys in CloudTrail's order, absent fields left out: exactly what
 * JSON.stringify of the record object would give, built by concatenation because the
 * generator writes millions and the identity text is reused per session.
 */
export function recordJson(
  spec: Omit<RecordSpec, 'userIdentity'>,
  identityJson: string,
  requestID: string | undefined,
  eventID: string,
): string {
  let out = `{"eventVersion":"${EVENT_VERSION}","userIdentity":${identityJson},"eventTime":${str(spec.eventTime)},"eventSource":${str(spec.eventSource)},"eventName":${str(spec.eventName)},"awsRegion":${str(spec.awsRegion)},"sourceIPAddress":${str(spec.sourceIPAddress)},"userAgent":${str(spec.userAgent)}`;
  if (spec.errorCode !== undefined) out += `,"errorCode":${str(spec.errorCode)}`;
  if (spec.errorMessage !== undefined) out += `,"errorMessage":${str(spec.errorMessage)}`;
  out += `,"requestParameters":${str(spec.requestParameters)},"responseElements":${str(spec.responseElements)}`;
  if (spec.additionalEventData !== undefined)
    out += `,"additionalEventData":${str(spec.additionalEventData)}`;
  if (requestID !== undefined) out += `,"requestID":${str(requestID)}`;
  out += `,"eventID":${str(eventID)}`;
  if (spec.readOnly !== undefined) out += `,"readOnly":${spec.readOnly}`;
  if (spec.resources !== undefined) out += `,"resources":${str(spec.resources)}`;
  out += `,"eventType":${str(spec.eventType)}`;
  if (spec.apiVersion !== undefined) out += `,"apiVersion":${str(spec.apiVersion)}`;
  out += `,"managementEvent":${spec.managementEvent},"recipientAccountId":${str(spec.recipientAccountId)}`;
  if (spec.serviceEventDetails !== undefined)
    out += `,"serviceEventDetails":${str(spec.serviceEventDetails)}`;
  if (spec.sharedEventID !== undefined) out += `,"sharedEventID":${str(spec.sharedEventID)}`;
  if (spec.vpcEndpointId !== undefined) out += `,"vpcEndpointId":${str(spec.vpcEndpointId)}`;
  out += `,"eventCategory":${str(spec.eventCategory)}`;
  if (spec.tlsDetails !== undefined) out += `,"tlsDetails":${str(spec.tlsDetails)}`;
  if (spec.sessionCredentialFromConsole !== undefined) {
    out += `,"sessionCredentialFromConsole":${str(spec.sessionCredentialFromConsole)}`;
  }
  return `${out}}`;
}

/** The key order CloudTrail writes; recordJson follows it. */
export const RECORD_KEY_ORDER = [
  'eventVersion',
  'userIdentity',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'requestID',
  'eventID',
  'readOnly',
  'resources',
  'eventType',
  'apiVersion',
  'managementEvent',
  'recipientAccountId',
  'serviceEventDetails',
  'sharedEventID',
  'vpcEndpointId',
  'eventCategory',
  'tlsDetails',
  'sessionCredentialFromConsole',
] as const;

/** TLS details as CloudTrail recorded them in 2021 for SDK and CLI clients. */
export function tls(host: string, modern = true): TlsDetails {
  return {
    tlsVersion: 'TLSv1.2',
    cipherSuite: modern ? 'ECDHE-RSA-AES128-GCM-SHA256' : 'ECDHE-RSA-AES256-GCM-SHA384',
    clientProvidedHostHeader: host,
  };
}

/** The endpoint host a client names for a service in a Region. */
export function endpointHost(service: string, region: string): string {
  if (service === 'iam') return 'iam.amazonaws.com';
  if (service === 'signin') return 'signin.aws.amazon.com';
  return `${service}.${region}.amazonaws.com`;
}

export function iamUserArn(account: string, userName: string): string {
  return `arn:aws:iam::${account}:user/${userName}`;
}

export function roleArn(account: string, roleName: string): string {
  return `arn:aws:iam::${account}:role/${roleName}`;
}

export function assumedRoleArn(account: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
}

/** An IAM user calling with a long-term (AKIA) key. */
export function iamUserIdentity(
  account: string,
  userName: string,
  userId: string,
  accessKeyId: string | undefined,
): UserIdentity {
  return {
    type: 'IAMUser',
    principalId: userId,
    arn: iamUserArn(account, userName),
    accountId: account,
    accessKeyId,
    userName,
  };
}

/** An IAM user calling with temporary credentials of its own (console or GetSessionToken). */
export function iamUserSessionIdentity(
  account: string,
  userName: string,
  userId: string,
  accessKeyId: string,
  creationDate: string,
  mfaAuthenticated: boolean,
): UserIdentity {
  return {
    type: 'IAMUser',
    principalId: userId,
    arn: iamUserArn(account, userName),
    accountId: account,
    accessKeyId,
    userName,
    sessionContext: {
      sessionIssuer: {},
      webIdFederationData: {},
      attributes: { creationDate, mfaAuthenticated: mfaAuthenticated ? 'true' : 'false' },
    },
  };
}

export interface RoleRef {
  readonly account: string;
  readonly roleName: string;
  readonly roleId: string;
}

/** A role session (AssumeRole, a service role, an SSO permission set). */
export function assumedRoleIdentity(
  role: RoleRef,
  sessionName: string,
  accessKeyId: string,
  creationDate: string,
  mfaAuthenticated: boolean,
  invokedBy?: string,
  ec2RoleDelivery?: string,
): UserIdentity {
  return {
    type: 'AssumedRole',
    principalId: `${role.roleId}:${sessionName}`,
    arn: assumedRoleArn(role.account, role.roleName, sessionName),
    accountId: role.account,
    accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: role.roleId,
        arn: roleArn(role.account, role.roleName),
        accountId: role.account,
        userName: role.roleName,
      },
      webIdFederationData: {},
      attributes: { creationDate, mfaAuthenticated: mfaAuthenticated ? 'true' : 'false' },
      ec2RoleDelivery,
    },
    invokedBy,
  };
}

/** An AWS service acting on its own (type AWSService). */
export function awsServiceIdentity(service: string): UserIdentity {
  return { type: 'AWSService', invokedBy: service };
}
