import { ScenarioCall, ScenarioPrincipal } from '../types';
import { JsonObject, Resource, UserIdentity, endpointHost, tls } from './records';
import { Rng } from './rng';

/** The playbook's actor ran AWS CLI 2.2.1 on macOS. */
export const CLI_USER_AGENT_PREFIX = 'aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off';

/** How CloudTrail writes the CLI's user agent; S3 wraps it in brackets, as the playbook prints. */
export function cliUserAgent(cli: string): string {
  const [service, command] = cli.split(' ');
  const ua = `${CLI_USER_AGENT_PREFIX} command/${service}.${command}`;
  return service === 's3api' ? `[${ua}]` : ua;
}

/** S3 logs transfer details in additionalEventData; x-amz-id-2 is derived so it is stable. */
export function s3AdditionalEventData(
  label: string,
  bytesIn: number,
  bytesOut: number,
  cipherSuite = 'ECDHE-RSA-AES128-GCM-SHA256',
): JsonObject {
  const rng = new Rng('x-amz-id-2', label);
  return {
    SignatureVersion: 'SigV4',
    CipherSuite: cipherSuite,
    bytesTransferredIn: bytesIn,
    AuthenticationMethod: 'AuthHeader',
    'x-amz-id-2': `${rng.alnum(60)}/${rng.alnum(10)}=`,
    bytesTransferredOut: bytesOut,
  };
}

export interface CallInput {
  readonly principal: ScenarioPrincipal;
  readonly identity: UserIdentity;
  /** Account whose trail records the call. */
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly ip: string;
  /** AWS CLI command (`iam create-user`); sets the user agent. */
  readonly cli?: string;
  readonly userAgent?: string;
  readonly eventSource: string;
  readonly eventName: string;
  /** undefined writes a record without readOnly, as older event versions are. */
  readonly readOnly: boolean | undefined;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly request?: JsonObject | null;
  readonly response?: JsonObject | null;
  readonly data?: boolean;
  readonly resources?: readonly Resource[];
  readonly additionalEventData?: JsonObject;
  readonly eventType?: ScenarioCall['eventType'];
  readonly tlsHost?: string | null;
  readonly sharedEventID?: string;
  readonly fromConsole?: boolean;
  /** When CloudTrail delivered the record, if not within the minute of the event (variant lateDelivery). */
  readonly deliveredAt?: string;
}

export type UnnumberedCall = Omit<ScenarioCall, 'step'>;

export function call(c: CallInput): UnnumberedCall {
  const service = c.eventSource.split('.')[0];
  const host = c.tlsHost === undefined ? endpointHost(service, c.region) : c.tlsHost;
  const userAgent = c.userAgent ?? (c.cli ? cliUserAgent(c.cli) : undefined);
  if (userAgent === undefined) throw new Error(`scenario call ${c.eventName} has no user agent`);
  return {
    principal: c.principal,
    cli: c.cli,
    userIdentity: c.identity,
    eventTime: c.time,
    eventSource: c.eventSource,
    eventName: c.eventName,
    awsRegion: c.region,
    sourceIPAddress: c.ip,
    userAgent,
    errorCode: c.errorCode,
    errorMessage: c.errorMessage,
    requestParameters: c.request ?? null,
    responseElements: c.response ?? null,
    additionalEventData: c.additionalEventData,
    readOnly: c.readOnly,
    resources: c.resources,
    eventType: c.eventType ?? 'AwsApiCall',
    managementEvent: !c.data,
    recipientAccountId: c.account,
    sharedEventID: c.sharedEventID,
    eventCategory: c.data ? 'Data' : 'Management',
    tlsDetails: host === null ? undefined : tls(host),
    sessionCredentialFromConsole: c.fromConsole ? 'true' : undefined,
    ...(c.deliveredAt ? { deliveredAt: c.deliveredAt } : {}),
  };
}

/** Orders calls by time (stable for equal seconds) and numbers them from 1. */
export function numberCalls(calls: readonly UnnumberedCall[]): ScenarioCall[] {
  return [...calls]
    .map((c, i) => ({ c, i }))
    .sort((x, y) => (x.c.eventTime < y.c.eventTime ? -1 : x.c.eventTime > y.c.eventTime ? 1 : x.i - y.i))
    .map(({ c }, i) => ({ ...c, step: i + 1 }));
}

/** Freezes a scenario constant all the way down, so no consumer can edit the oracle. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
