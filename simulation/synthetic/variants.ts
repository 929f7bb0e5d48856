import { IrKitError } from '../../lib/errors';
import { UnnumberedCall, call, s3AdditionalEventData } from './private/calls';
import {
  JsonObject,
  assumedRoleArn,
  assumedRoleIdentity,
  iamUserIdentity,
  iamUserSessionIdentity,
  roleArn,
} from './private/records';
import { Rng } from './private/rng';
import { iamDate, parseEventTime } from './private/time';
import { Scenario } from './scenario';

/**
 * Optional extensions of the playbook incident, for the automated investigation's scenario
 * tests. Each adds calls (and, for `network`, flow records) after the playbook's own, and
 * states its ground truth so tests can assert on what an investigation must find.
 */
export const VARIANT_NAMES = [
  'sessionToken',
  'assumeRole',
  'loginProfile',
  'deleteResource',
  'spread',
  'network',
  'rogueRole',
  'federation',
  'quarantine',
  'deniedEc2',
  'instanceCredentials',
  'lateDelivery',
  'noReadOnly',
] as const;
export type VariantName = (typeof VARIANT_NAMES)[number];
export type Variants = { readonly [K in VariantName]?: boolean };

/** A principal of the incident and how the actor reached it. */
export interface TruthPrincipal {
  readonly kind: 'IAMUser' | 'Role' | 'FederatedUser';
  readonly name: string;
  readonly account: string;
  readonly arn: string;
  /** Keys this principal acted with in the incident (AKIA and ASIA). */
  readonly accessKeyIds: readonly string[];
  /** How the actor got it: the exposed key itself, or the API that created or minted it. */
  readonly reachedBy:
    | 'exposed key'
    | 'CreateUser'
    | 'CreateAccessKey'
    | 'GetSessionToken'
    | 'AssumeRole'
    | 'CreateLoginProfile'
    | 'CreateRole'
    | 'GetFederationToken'
    | 'instance credentials';
  /** Name of the principal whose call reached it. */
  readonly from?: string;
}

export interface TruthResource {
  readonly type: string;
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly action: 'created' | 'modified' | 'deleted';
  readonly eventName: string;
  /** Name of the principal that made the call. */
  readonly by: string;
  readonly time: string;
  /** True when the resource existed before the incident. */
  readonly preExisting?: boolean;
}

/** A target the containment plan should hold. */
export interface TruthTarget {
  readonly account: string;
  readonly name: string;
}

/** A role the plan should hold, and how: deny-all for a role the actor created or re-trusted. */
export interface TruthRoleTarget extends TruthTarget {
  readonly mode: 'revoke' | 'deny-all';
}

export interface VariantTruth {
  readonly name: VariantName;
  readonly description: string;
  /** Calls the variant adds to the incident. */
  readonly calls: number;
  /** Flow records the variant adds. */
  readonly flowRecords: number;
  /** Access key ids (ASIA) the variant introduces, with the principal using each. */
  readonly sessionKeys: readonly { readonly accessKeyId: string; readonly principal: string }[];
  readonly principals: readonly TruthPrincipal[];
  readonly resources: readonly TruthResource[];
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
}

/** One VPC Flow Logs record the incident adds (version-2 fields). */
export interface IncidentFlowRecord {
  readonly account: string;
  readonly region: string;
  readonly interfaceId: string;
  readonly srcaddr: string;
  readonly dstaddr: string;
  readonly srcport: number;
  readonly dstport: number;
  readonly protocol: number;
  readonly packets: number;
  readonly bytes: number;
  /** Epoch seconds. */
  readonly start: number;
  readonly end: number;
  readonly action: 'ACCEPT' | 'REJECT';
}

export interface VariantContext {
  readonly scenario: Scenario;
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly flowLogs: boolean;
}

export interface VariantBuild {
  readonly calls: readonly UnnumberedCall[];
  readonly flowRecords: readonly IncidentFlowRecord[];
  readonly truth: VariantTruth;
}

const DAY = '2021-07-24T';
const at = (hms: string) => `${DAY}${hms}Z`;
const iamAt = (hms: string) => iamDate(parseEventTime(at(hms)));
/** Obviously fake session tokens: CloudTrail logs the token, never the secret key. */
const fakeToken = (label: string) => `AQoDYXdzEXAMPLE${label}SESSIONTOKEN`;
const credentials = (accessKeyId: string, label: string, expiresHms: string): JsonObject => ({
  accessKeyId,
  sessionToken: fakeToken(label),
  expiration: iamAt(expiresHms),
});

export const VARIANT_IDS = {
  sessionAccessKeyId: 'ASIAIOSFODNN7EXAMPLE',
  roleAccessKeyId: 'ASIAIOSFODNN7ROLE001',
  consoleAccessKeyId: 'ASIAI44QH8DHBCONSOLE',
  crossAccountAccessKeyId: 'ASIAI44QH8DHBSPREAD1',
  devOpsRole: { roleName: 'DevOpsRole', roleId: 'AROAEXAMPLEDEVOPSROLE' },
  crossAccountRole: { roleName: 'OrganizationAccountAccessRole', roleId: 'AROAEXAMPLEORGACCESS1' },
  sessionBucket: 'DOC-EXAMPLE-BUCKET1',
  secretId: 'prod/app/database',
  volumeId: 'vol-049df61146c4d7901',
  snapshotId: 'snap-066877671789bd71b',
  shareWithAccount: '111122223333',
  deletedLogGroup: '/aws/lambda/orders-processor',
  imageId: 'ami-0abcdef1234567890',
  instanceIds: ['i-1234567890abcdef0', 'i-0598c7d356eba48d7'],
  flowInterfaceId: 'eni-1235b8ca123456789',
  flowInstanceIp: '10.0.1.25',
  backdoorRole: { roleName: 'BackdoorRole', roleId: 'AROAEXAMPLEBACKDOOR01' },
  retrustedRole: 'AppDeployRole',
  /** The outside account the rogue trust policies let in (the AWS documentation's example). */
  trustedAccount: '111122223333',
  federatedAccessKeyId: 'ASIAIOSFODNN7FEDERA1',
  federatedUser: 'ops',
  quarantinePolicyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3',
  deniedRunInstances: 3,
  /** A pre-existing instance the actor runs a command on, and whose role credentials it steals. */
  instanceId: 'i-0a1b2c3d4e5f60718',
  instanceRole: { roleName: 'WebAppInstanceRole', roleId: 'AROAEXAMPLEWEBAPPINST' },
  instanceAccessKeyId: 'ASIAIOSFODNN7INSTAN1',
  /** A pre-existing snapshot the stolen session shares with the outside account. */
  sharedSnapshotId: 'snap-0fedcba9876543210',
  /** The bucket JaneDoe creates at 23:55 on the last day, delivered after midnight. */
  lateBucket: 'DOC-EXAMPLE-BUCKET2',
  lateEventTime: '2021-07-24T23:55:10Z',
  lateDeliveredAt: '2021-07-25T00:03:00Z',
  /** The security group JaneDoe creates in records that carry no readOnly. */
  noReadOnlyGroup: { groupName: 'ops-ssh-temp', groupId: 'sg-0a1b2c3d4e5f60718' },
} as const;

function sessionToken(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  const key = VARIANT_IDS.sessionAccessKeyId;
  const bucket = VARIANT_IDS.sessionBucket;
  const base = { account: s.accountId, region: s.region, ip: s.attackerIp } as const;
  const asSession = iamUserSessionIdentity(
    s.accountId,
    s.actor.userName,
    s.actor.userId,
    key,
    at('02:24:10'),
    false,
  );
  const host = `${bucket}.s3.${s.region}.amazonaws.com`;
  const calls = [
    call({
      ...base,
      principal: 'actor',
      identity: iamUserIdentity(s.accountId, s.actor.userName, s.actor.userId, s.actor.accessKeyId),
      time: at('02:24:10'),
      cli: 'sts get-session-token',
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetSessionToken',
      readOnly: true,
      request: { durationSeconds: 3600 },
      response: { credentials: credentials(key, 'SESSION', '03:24:10') },
    }),
    call({
      ...base,
      principal: 'actorSession',
      identity: asSession,
      time: at('02:24:20'),
      cli: 's3api list-buckets',
      eventSource: 's3.amazonaws.com',
      eventName: 'ListBuckets',
      readOnly: true,
      request: { Host: `s3.${s.region}.amazonaws.com` },
      additionalEventData: s3AdditionalEventData('session-ListBuckets', 0, 1570),
    }),
    call({
      ...base,
      principal: 'actorSession',
      identity: asSession,
      time: at('02:24:25'),
      cli: 's3api create-bucket',
      eventSource: 's3.amazonaws.com',
      eventName: 'CreateBucket',
      readOnly: false,
      request: { bucketName: bucket, Host: host },
      additionalEventData: s3AdditionalEventData('session-CreateBucket', 0, 0),
      tlsHost: host,
    }),
  ];
  return {
    calls,
    flowRecords: [],
    truth: {
      name: 'sessionToken',
      description:
        'JorgeSouza mints a session with GetSessionToken and uses its ASIA key to list buckets and create DOC-EXAMPLE-BUCKET1.',
      calls: calls.length,
      flowRecords: 0,
      sessionKeys: [{ accessKeyId: key, principal: s.actor.userName }],
      principals: [
        {
          kind: 'IAMUser',
          name: s.actor.userName,
          account: s.accountId,
          arn: s.actor.arn,
          accessKeyIds: [key],
          reachedBy: 'GetSessionToken',
          from: s.actor.userName,
        },
      ],
      resources: [
        {
          type: 'AWS::S3::Bucket',
          name: bucket,
          account: s.accountId,
          region: s.region,
          action: 'created',
          eventName: 'CreateBucket',
          by: s.actor.userName,
          time: at('02:24:25'),
        },
      ],
      accounts: [s.accountId],
      regions: [s.region],
    },
  };
}

function assumeRole(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  const key = VARIANT_IDS.roleAccessKeyId;
  const role = { account: s.accountId, ...VARIANT_IDS.devOpsRole };
  const sessionName = 'maintenance';
  const arn = roleArn(s.accountId, role.roleName);
  const base = { account: s.accountId, region: s.region, ip: s.attackerIp } as const;
  const asRole = assumedRoleIdentity(role, sessionName, key, at('02:25:00'), false);
  const byRole = { ...base, principal: 'actorRole', identity: asRole } as const;
  const secretArn = `arn:aws:secretsmanager:${s.region}:${s.accountId}:secret:${VARIANT_IDS.secretId}-AbCdEf`;
  const calls = [
    call({
      ...base,
      principal: 'actor',
      identity: iamUserIdentity(s.accountId, s.actor.userName, s.actor.userId, s.actor.accessKeyId),
      time: at('02:25:00'),
      cli: 'sts assume-role',
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      readOnly: true,
      request: { roleArn: arn, roleSessionName: sessionName },
      response: {
        credentials: credentials(key, 'ROLE', '03:25:00'),
        assumedRoleUser: {
          assumedRoleId: `${role.roleId}:${sessionName}`,
          arn: assumedRoleArn(s.accountId, role.roleName, sessionName),
        },
      },
      resources: [{ accountId: s.accountId, type: 'AWS::IAM::Role', ARN: arn }],
    }),
    call({
      ...byRole,
      time: at('02:25:30'),
      cli: 'secretsmanager list-secrets',
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'ListSecrets',
      readOnly: true,
    }),
    call({
      ...byRole,
      time: at('02:25:35'),
      cli: 'secretsmanager get-secret-value',
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'GetSecretValue',
      readOnly: true,
      request: { secretId: VARIANT_IDS.secretId },
      resources: [{ accountId: s.accountId, type: 'AWS::SecretsManager::Secret', ARN: secretArn }],
    }),
    call({
      ...byRole,
      time: at('02:26:10'),
      cli: 'ec2 create-snapshot',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'CreateSnapshot',
      readOnly: false,
      request: { volumeId: VARIANT_IDS.volumeId, description: 'backup' },
      response: {
        requestId: new Rng('variant', 'CreateSnapshot').uuid(),
        snapshotId: VARIANT_IDS.snapshotId,
        volumeId: VARIANT_IDS.volumeId,
        status: 'pending',
        startTime: 1627093570000,
        progress: '',
        ownerId: s.accountId,
        volumeSize: 8,
        description: 'backup',
        encrypted: false,
      },
    }),
    call({
      ...byRole,
      time: at('02:26:40'),
      cli: 'ec2 modify-snapshot-attribute',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'ModifySnapshotAttribute',
      readOnly: false,
      request: {
        snapshotId: VARIANT_IDS.snapshotId,
        createVolumePermission: { add: { items: [{ userId: VARIANT_IDS.shareWithAccount }] } },
        attributeType: 'CREATE_VOLUME_PERMISSION',
      },
      response: { requestId: new Rng('variant', 'ModifySnapshotAttribute').uuid(), _return: true },
    }),
  ];
  const roleName = role.roleName;
  return {
    calls,
    flowRecords: [],
    truth: {
      name: 'assumeRole',
      description:
        'JorgeSouza assumes DevOpsRole and, as that role, reads a secret, snapshots a volume and shares the snapshot with account 111122223333.',
      calls: calls.length,
      flowRecords: 0,
      sessionKeys: [{ accessKeyId: key, principal: roleName }],
      principals: [
        {
          kind: 'Role',
          name: roleName,
          account: s.accountId,
          arn,
          accessKeyIds: [key],
          reachedBy: 'AssumeRole',
          from: s.actor.userName,
        },
      ],
      resources: [
        {
          type: 'AWS::EC2::Snapshot',
          name: VARIANT_IDS.snapshotId,
          account: s.accountId,
          region: s.region,
          action: 'created',
          eventName: 'CreateSnapshot',
          by: roleName,
          time: at('02:26:10'),
        },
        {
          type: 'AWS::EC2::Snapshot',
          name: VARIANT_IDS.snapshotId,
          account: s.accountId,
          region: s.region,
          action: 'modified',
          eventName: 'ModifySnapshotAttribute',
          by: roleName,
          time: at('02:26:40'),
        },
      ],
      accounts: [s.accountId],
      regions: [s.region],
    },
  };
}

function loginProfile(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  const key = VARIANT_IDS.consoleAccessKeyId;
  const r = s.rogueUser;
  const browser =
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.1.1 Safari/605.1.15';
  const base = { account: s.accountId, region: s.region, ip: s.attackerIp } as const;
  const console = {
    ...base,
    principal: 'rogueConsole',
    identity: iamUserSessionIdentity(s.accountId, r.userName, r.userId, key, at('02:31:40'), false),
    userAgent: 'AWS Internal',
    fromConsole: true,
    tlsHost: null,
  } as const;
  const calls = [
    call({
      ...base,
      principal: 'actor',
      identity: iamUserIdentity(s.accountId, s.actor.userName, s.actor.userId, s.actor.accessKeyId),
      time: at('02:23:05'),
      cli: 'iam create-login-profile',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateLoginProfile',
      readOnly: false,
      request: { userName: r.userName, passwordResetRequired: false },
      response: {
        loginProfile: { userName: r.userName, createDate: iamAt('02:23:05'), passwordResetRequired: false },
      },
    }),
    call({
      ...base,
      principal: 'rogueConsole',
      identity: iamUserIdentity(s.accountId, r.userName, r.userId, undefined),
      time: at('02:31:40'),
      userAgent: browser,
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      readOnly: false,
      response: { ConsoleLogin: 'Success' },
      additionalEventData: {
        LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
        MobileVersion: 'No',
        MFAUsed: 'No',
      },
      tlsHost: null,
    }),
    call({
      ...console,
      time: at('02:32:10'),
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListUsers',
      readOnly: true,
    }),
    call({
      ...console,
      time: at('02:32:12'),
      eventSource: 'iam.amazonaws.com',
      eventName: 'GetAccountSummary',
      readOnly: true,
    }),
  ];
  return {
    calls,
    flowRecords: [],
    truth: {
      name: 'loginProfile',
      description:
        'JorgeSouza gives JaneDoe a console password (CreateLoginProfile); JaneDoe signs in to the console and browses IAM with a console session key.',
      calls: calls.length,
      flowRecords: 0,
      sessionKeys: [{ accessKeyId: key, principal: r.userName }],
      principals: [
        {
          kind: 'IAMUser',
          name: r.userName,
          account: s.accountId,
          arn: r.arn,
          accessKeyIds: [key],
          reachedBy: 'CreateLoginProfile',
          from: s.actor.userName,
        },
      ],
      resources: [
        {
          type: 'AWS::IAM::LoginProfile',
          name: r.userName,
          account: s.accountId,
          region: s.region,
          action: 'created',
          eventName: 'CreateLoginProfile',
          by: s.actor.userName,
          time: at('02:23:05'),
        },
      ],
      accounts: [s.accountId],
      regions: [s.region],
    },
  };
}

function deleteResource(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  const r = s.rogueUser;
  const host = `${s.bucketName}.s3.${s.region}.amazonaws.com`;
  const byRogue = {
    account: s.accountId,
    region: s.region,
    ip: s.attackerIp,
    principal: 'rogue',
    identity: iamUserIdentity(s.accountId, r.userName, r.userId, r.accessKeyId),
  } as const;
  const calls = [
    call({
      ...byRogue,
      time: at('02:40:12'),
      cli: 's3api delete-object',
      eventSource: 's3.amazonaws.com',
      eventName: 'DeleteObject',
      readOnly: false,
      data: true,
      request: { bucketName: s.bucketName, Host: host, key: s.objectKey },
      additionalEventData: s3AdditionalEventData('DeleteObject', 0, 0),
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${s.bucketName}/${s.objectKey}` },
        { accountId: s.accountId, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${s.bucketName}` },
      ],
      tlsHost: host,
    }),
    call({
      ...byRogue,
      time: at('02:40:13'),
      cli: 's3api delete-bucket',
      eventSource: 's3.amazonaws.com',
      eventName: 'DeleteBucket',
      readOnly: false,
      request: { bucketName: s.bucketName, Host: host },
      additionalEventData: s3AdditionalEventData('DeleteBucket', 0, 0),
      tlsHost: host,
    }),
    call({
      ...byRogue,
      time: at('02:40:30'),
      cli: 'logs delete-log-group',
      eventSource: 'logs.amazonaws.com',
      eventName: 'DeleteLogGroup',
      readOnly: false,
      request: { logGroupName: VARIANT_IDS.deletedLogGroup },
    }),
  ];
  const resource = (
    type: string,
    name: string,
    eventName: string,
    time: string,
    preExisting?: true,
  ): TruthResource => ({
    type,
    name,
    account: s.accountId,
    region: s.region,
    action: 'deleted',
    eventName,
    by: r.userName,
    time: at(time),
    preExisting,
  });
  return {
    calls,
    flowRecords: [],
    truth: {
      name: 'deleteResource',
      description:
        'JaneDoe deletes the object and the bucket it created, and the pre-existing log group /aws/lambda/orders-processor.',
      calls: calls.length,
      flowRecords: 0,
      sessionKeys: [],
      principals: [],
      resources: [
        resource('AWS::S3::Object', `${s.bucketName}/${s.objectKey}`, 'DeleteObject', '02:40:12'),
        resource('AWS::S3::Bucket', s.bucketName, 'DeleteBucket', '02:40:13'),
        resource('AWS::Logs::LogGroup', VARIANT_IDS.deletedLogGroup, 'DeleteLogGroup', '02:40:30', true),
      ],
      accounts: [s.accountId],
      regions: [s.region],
    },
  };
}

function spread(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  const other = ctx.accounts.find((a) => a !== s.accountId);
  const otherRegions = ctx.regions.filter((r) => r !== s.region);
  if (!other || otherRegions.length === 0) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      'variant spread needs a second account and a Region other than us-east-1',
      {
        hint: `give e.g. --accounts ${s.accountId},111122223333 and --regions us-east-1,us-west-2 (now: accounts ${ctx.accounts.join(',')}, regions ${ctx.regions.join(',')})`,
      },
    );
  }
  const r = s.rogueUser;
  const region2 = otherRegions[0];
  const region3 = otherRegions[1];
  const key = VARIANT_IDS.crossAccountAccessKeyId;
  const role = { account: other, ...VARIANT_IDS.crossAccountRole };
  const sessionName = 'ops';
  const arn = roleArn(other, role.roleName);
  const asRogue = iamUserIdentity(s.accountId, r.userName, r.userId, r.accessKeyId);
  const byRogue = { account: s.accountId, ip: s.attackerIp, principal: 'rogue', identity: asRogue } as const;
  const byRole = {
    account: other,
    ip: s.attackerIp,
    principal: 'rogueCrossAccountRole',
    identity: assumedRoleIdentity(role, sessionName, key, at('02:51:00'), false),
  } as const;
  const runInstances = (account: string, instanceId: string) => ({
    cli: 'ec2 run-instances',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    readOnly: false,
    request: {
      instancesSet: { items: [{ imageId: VARIANT_IDS.imageId, minCount: 1, maxCount: 1 }] },
      instanceType: 't2.micro',
      blockDeviceMapping: {},
      monitoring: { enabled: false },
      disableApiTermination: false,
    },
    response: {
      requestId: new Rng('variant', 'RunInstances', instanceId).uuid(),
      reservationId: `r-${new Rng('variant', 'reservation', instanceId).hex(17)}`,
      ownerId: account,
      groupSet: {},
      instancesSet: {
        items: [
          {
            instanceId,
            imageId: VARIANT_IDS.imageId,
            instanceState: { code: 0, name: 'pending' },
            instanceType: 't2.micro',
          },
        ],
      },
    },
  });
  const sharedEventID = new Rng('variant', 'spread', 'sharedEventID').uuid();
  const assume = {
    time: at('02:51:00'),
    region: s.region,
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    readOnly: true,
    request: { roleArn: arn, roleSessionName: sessionName },
    response: {
      credentials: credentials(key, 'SPREAD', '03:51:00'),
      assumedRoleUser: {
        assumedRoleId: `${role.roleId}:${sessionName}`,
        arn: assumedRoleArn(other, role.roleName, sessionName),
      },
    },
    resources: [{ accountId: other, type: 'AWS::IAM::Role', ARN: arn }],
    sharedEventID,
  } as const;
  const calls = [
    call({
      ...byRogue,
      region: region2,
      time: at('02:50:00'),
      cli: 'ec2 describe-instances',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
      readOnly: true,
      request: { instancesSet: {}, filterSet: {} },
    }),
    ...(region3
      ? [
          call({
            ...byRogue,
            region: region3,
            time: at('02:50:10'),
            cli: 'ec2 describe-instances',
            eventSource: 'ec2.amazonaws.com',
            eventName: 'DescribeInstances',
            readOnly: true,
            request: { instancesSet: {}, filterSet: {} },
          }),
        ]
      : []),
    call({
      ...byRogue,
      region: region2,
      time: at('02:50:30'),
      ...runInstances(s.accountId, VARIANT_IDS.instanceIds[0]),
    }),
    call({ ...byRogue, ...assume, cli: 'sts assume-role' }),
    // The role's account logs the same call for its side, linked by sharedEventID.
    call({
      ...assume,
      account: other,
      ip: s.attackerIp,
      principal: 'crossAccountCopy',
      identity: { type: 'AWSAccount', principalId: r.userId, accountId: s.accountId },
      userAgent: `${s.userAgentPrefix} command/sts.assume-role`,
    }),
    call({
      ...byRole,
      region: s.region,
      time: at('02:51:20'),
      cli: 's3api list-buckets',
      eventSource: 's3.amazonaws.com',
      eventName: 'ListBuckets',
      readOnly: true,
      request: { Host: `s3.${s.region}.amazonaws.com` },
      additionalEventData: s3AdditionalEventData('spread-ListBuckets', 0, 920),
    }),
    call({
      ...byRole,
      region: region2,
      time: at('02:51:40'),
      cli: 'ec2 describe-instances',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
      readOnly: true,
      request: { instancesSet: {}, filterSet: {} },
    }),
    call({
      ...byRole,
      region: region2,
      time: at('02:52:05'),
      ...runInstances(other, VARIANT_IDS.instanceIds[1]),
    }),
  ];
  const regions = [s.region, region2, ...(region3 ? [region3] : [])];
  return {
    calls,
    flowRecords: [],
    truth: {
      name: 'spread',
      description: `JaneDoe looks at EC2 in ${[region2, region3].filter(Boolean).join(' and ')}, launches an instance in ${region2}, then assumes ${role.roleName} in account ${other} and launches an instance there.`,
      calls: calls.length,
      flowRecords: 0,
      sessionKeys: [{ accessKeyId: key, principal: role.roleName }],
      principals: [
        {
          kind: 'Role',
          name: role.roleName,
          account: other,
          arn,
          accessKeyIds: [key],
          reachedBy: 'AssumeRole',
          from: r.userName,
        },
      ],
      resources: [
        {
          type: 'AWS::EC2::Instance',
          name: VARIANT_IDS.instanceIds[0],
          account: s.accountId,
          region: region2,
          action: 'created',
          eventName: 'RunInstances',
          by: r.userName,
          time: at('02:50:30'),
        },
        {
          type: 'AWS::EC2::Instance',
          name: VARIANT_IDS.instanceIds[1],
          account: other,
          region: region2,
          action: 'created',
          eventName: 'RunInstances',
          by: role.roleName,
          time: at('02:52:05'),
        },
      ],
      accounts: [s.accountId, other],
      regions,
    },
  };
}

function network(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  if (!ctx.flowLogs) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      'variant network writes VPC Flow Logs, which are turned off',
      {
        hint: 'drop --no-flow-logs (flowLogs: false) or the network variant',
      },
    );
  }
  const start = parseEventTime(at('02:36:00')) / 1000;
  const eni = VARIANT_IDS.flowInterfaceId;
  const host = VARIANT_IDS.flowInstanceIp;
  const rec = (
    offset: number,
    src: string,
    dst: string,
    srcport: number,
    dstport: number,
    packets: number,
    bytes: number,
    action: 'ACCEPT' | 'REJECT',
  ): IncidentFlowRecord => ({
    account: s.accountId,
    region: s.region,
    interfaceId: eni,
    srcaddr: src,
    dstaddr: dst,
    srcport,
    dstport,
    protocol: 6,
    packets,
    bytes,
    start: start + offset,
    end: start + offset + 58,
    action,
  });
  const ip = s.attackerIp;
  const flowRecords = [
    rec(0, ip, host, 50122, 22, 42, 6120, 'ACCEPT'),
    rec(0, host, ip, 22, 50122, 38, 7544, 'ACCEPT'),
    rec(300, ip, host, 50240, 22, 120, 9872, 'ACCEPT'),
    rec(300, host, ip, 22, 50240, 96, 48211, 'ACCEPT'),
    rec(360, ip, host, 50301, 3389, 2, 120, 'REJECT'),
  ];
  return {
    calls: [],
    flowRecords,
    truth: {
      name: 'network',
      description: `198.51.100.77 opens SSH sessions to ${host} (${eni}) and is refused on RDP: the playbook's flow-log join returns rows.`,
      calls: 0,
      flowRecords: flowRecords.length,
      sessionKeys: [],
      principals: [],
      resources: [],
      accounts: [s.accountId],
      regions: [s.region],
    },
  };
}

/** A trust policy letting any principal of `account` assume the role. */
const trustPolicy = (account: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' },
    ],
  });

function rogueRole(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  const r = s.rogueUser;
  const backdoor = VARIANT_IDS.backdoorRole;
  const retrusted = VARIANT_IDS.retrustedRole;
  const trust = trustPolicy(VARIANT_IDS.trustedAccount);
  const byRogue = {
    account: s.accountId,
    region: s.region,
    ip: s.attackerIp,
    principal: 'rogue',
    identity: iamUserIdentity(s.accountId, r.userName, r.userId, r.accessKeyId),
    eventSource: 'iam.amazonaws.com',
    readOnly: false,
  } as const;
  const calls = [
    call({
      ...byRogue,
      time: at('02:44:10'),
      cli: 'iam create-role',
      eventName: 'CreateRole',
      request: { roleName: backdoor.roleName, assumeRolePolicyDocument: trust },
      response: {
        role: {
          path: '/',
          roleName: backdoor.roleName,
          roleId: backdoor.roleId,
          arn: roleArn(s.accountId, backdoor.roleName),
          createDate: iamAt('02:44:10'),
          // IAM returns the document URL-encoded.
          assumeRolePolicyDocument: encodeURIComponent(trust),
        },
      },
    }),
    call({
      ...byRogue,
      time: at('02:44:12'),
      cli: 'iam attach-role-policy',
      eventName: 'AttachRolePolicy',
      request: { roleName: backdoor.roleName, policyArn: s.adminPolicyArn },
    }),
    call({
      ...byRogue,
      time: at('02:45:30'),
      cli: 'iam update-assume-role-policy',
      eventName: 'UpdateAssumeRolePolicy',
      request: { roleName: retrusted, policyDocument: trust },
    }),
  ];
  const resource = (name: string, action: 'created' | 'modified', eventName: string, time: string) => ({
    type: 'AWS::IAM::Role',
    name,
    account: s.accountId,
    region: s.region,
    action,
    eventName,
    by: r.userName,
    time: at(time),
  });
  return {
    calls,
    flowRecords: [],
    truth: {
      name: 'rogueRole',
      description:
        `JaneDoe creates BackdoorRole trusting account ${VARIANT_IDS.trustedAccount} and makes it administrator, ` +
        `then changes the trust policy of the pre-existing ${retrusted} to trust that account too.`,
      calls: calls.length,
      flowRecords: 0,
      sessionKeys: [],
      principals: [
        {
          kind: 'Role',
          name: backdoor.roleName,
          account: s.accountId,
          arn: roleArn(s.accountId, backdoor.roleName),
          accessKeyIds: [],
          reachedBy: 'CreateRole',
          from: r.userName,
        },
      ],
      resources: [
        resource(backdoor.roleName, 'created', 'CreateRole', '02:44:10'),
        resource(backdoor.roleName, 'modified', 'AttachRolePolicy', '02:44:12'),
        { ...resource(retrusted, 'modified', 'UpdateAssumeRolePolicy', '02:45:30'), preExisting: true },
      ],
      accounts: [s.accountId],
      regions: [s.region],
    },
  };
}

const actorIdentity = (s: Scenario) =>
  iamUserIdentity(s.accountId, s.actor.userName, s.actor.userId, s.actor.accessKeyId);

function federation(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  const key = VARIANT_IDS.federatedAccessKeyId;
  const name = VARIANT_IDS.federatedUser;
  const arn = `arn:aws:sts::${s.accountId}:federated-user/${name}`;
  const base = { account: s.accountId, region: s.region, ip: s.attackerIp } as const;
  const calls = [
    call({
      ...base,
      principal: 'actor',
      identity: actorIdentity(s),
      time: at('02:27:00'),
      cli: 'sts get-federation-token',
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetFederationToken',
      readOnly: true,
      request: { name, durationSeconds: 3600 },
      response: {
        credentials: credentials(key, 'FEDERATED', '03:27:00'),
        federatedUser: { federatedUserId: `${s.accountId}:${name}`, arn },
        packedPolicySize: 0,
      },
    }),
    call({
      ...base,
      principal: 'actorFederated',
      identity: {
        type: 'FederatedUser',
        principalId: `${s.accountId}:${name}`,
        arn,
        accountId: s.accountId,
        accessKeyId: key,
        sessionContext: {
          sessionIssuer: {
            type: 'IAMUser',
            principalId: s.actor.userId,
            arn: s.actor.arn,
            accountId: s.accountId,
            userName: s.actor.userName,
          },
          webIdFederationData: {},
          attributes: { creationDate: at('02:27:00'), mfaAuthenticated: 'false' },
        },
      },
      time: at('02:27:30'),
      cli: 'iam list-users',
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListUsers',
      readOnly: true,
    }),
  ];
  return {
    calls,
    flowRecords: [],
    truth: {
      name: 'federation',
      description: `JorgeSouza mints federated user ${name} with GetFederationToken and lists IAM users as it.`,
      calls: calls.length,
      flowRecords: 0,
      sessionKeys: [{ accessKeyId: key, principal: name }],
      principals: [
        {
          kind: 'FederatedUser',
          name,
          account: s.accountId,
          arn,
          accessKeyIds: [key],
          reachedBy: 'GetFederationToken',
          from: s.actor.userName,
        },
      ],
      resources: [],
      accounts: [s.accountId],
      regions: [s.region],
    },
  };
}

function quarantine(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  const calls = [
    call({
      account: s.accountId,
      region: s.region,
      ip: 'AWS Internal',
      principal: 'aws',
      identity: { type: 'AWSService', invokedBy: 'AWS Internal' },
      userAgent: 'AWS Internal',
      time: at('02:35:00'),
      eventSource: 'iam.amazonaws.com',
      eventName: 'AttachUserPolicy',
      readOnly: false,
      request: { userName: s.actor.userName, policyArn: VARIANT_IDS.quarantinePolicyArn },
      tlsHost: null,
    }),
  ];
  return {
    calls,
    flowRecords: [],
    truth: {
      name: 'quarantine',
      description: `AWS finds the exposed key and attaches ${VARIANT_IDS.quarantinePolicyArn.split('/').pop()} to JorgeSouza: AWS's action, not the actor's.`,
      calls: calls.length,
      flowRecords: 0,
      sessionKeys: [],
      principals: [],
      resources: [],
      accounts: [s.accountId],
      regions: [s.region],
    },
  };
}

/** EC2's encoded authorization message: different for every call. */
const encodedMessage = (n: number) =>
  `You are not authorized to perform this operation. Encoded authorization failure message: ${new Rng('variant', 'encoded', String(n)).alnum(120)}`;

function deniedEc2(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  const calls = Array.from({ length: VARIANT_IDS.deniedRunInstances }, (_, i) =>
    call({
      account: s.accountId,
      region: s.region,
      ip: s.attackerIp,
      principal: 'actor',
      identity: actorIdentity(s),
      time: at(`02:28:0${i}`),
      cli: 'ec2 run-instances',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      readOnly: false,
      errorCode: 'Client.UnauthorizedOperation',
      errorMessage: encodedMessage(i),
      request: {
        instancesSet: { items: [{ imageId: VARIANT_IDS.imageId, minCount: 1, maxCount: 1 }] },
        instanceType: 'p3.16xlarge',
      },
    }),
  );
  return {
    calls,
    flowRecords: [],
    truth: {
      name: 'deniedEc2',
      description: `JorgeSouza tries RunInstances ${calls.length} times and is refused each time, EC2 writing a different encoded message per call.`,
      calls: calls.length,
      flowRecords: 0,
      sessionKeys: [],
      principals: [],
      resources: [],
      accounts: [s.accountId],
      regions: [s.region],
    },
  };
}

function instanceCredentials(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  const instance = VARIANT_IDS.instanceId;
  const key = VARIANT_IDS.instanceAccessKeyId;
  const role = { account: s.accountId, ...VARIANT_IDS.instanceRole };
  const arn = roleArn(s.accountId, role.roleName);
  const base = { account: s.accountId, region: s.region, ip: s.attackerIp } as const;
  const byStolen = {
    ...base,
    principal: 'stolenInstanceRole',
    // EC2 names an instance's role session after the instance and marks the delivery.
    identity: assumedRoleIdentity(role, instance, key, at('02:00:00'), false, undefined, '2.0'),
  } as const;
  const calls = [
    call({
      ...base,
      principal: 'actor',
      identity: actorIdentity(s),
      time: at('02:29:00'),
      cli: 'ssm send-command',
      eventSource: 'ssm.amazonaws.com',
      eventName: 'SendCommand',
      readOnly: false,
      request: {
        instanceIds: [instance],
        documentName: 'AWS-RunShellScript',
        parameters: 'HIDDEN_DUE_TO_SECURITY_REASONS',
      },
      response: { command: { commandId: new Rng('variant', 'SendCommand').uuid(), instanceIds: [instance] } },
    }),
    call({
      ...byStolen,
      time: at('02:30:00'),
      cli: 'sts get-caller-identity',
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetCallerIdentity',
      readOnly: true,
    }),
    call({
      ...byStolen,
      time: at('02:30:20'),
      cli: 'ec2 modify-snapshot-attribute',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'ModifySnapshotAttribute',
      readOnly: false,
      request: {
        snapshotId: VARIANT_IDS.sharedSnapshotId,
        createVolumePermission: { add: { items: [{ userId: VARIANT_IDS.shareWithAccount }] } },
        attributeType: 'CREATE_VOLUME_PERMISSION',
      },
      response: {
        requestId: new Rng('variant', 'instance', 'ModifySnapshotAttribute').uuid(),
        _return: true,
      },
    }),
  ];
  return {
    calls,
    flowRecords: [],
    truth: {
      name: 'instanceCredentials',
      description:
        `JorgeSouza runs a shell command on the pre-existing ${instance} with SSM SendCommand, then uses that instance's ` +
        `${role.roleName} credentials from its own address to share the pre-existing ${VARIANT_IDS.sharedSnapshotId} with account ${VARIANT_IDS.shareWithAccount}.`,
      calls: calls.length,
      flowRecords: 0,
      sessionKeys: [{ accessKeyId: key, principal: role.roleName }],
      principals: [
        {
          kind: 'Role',
          name: role.roleName,
          account: s.accountId,
          arn,
          accessKeyIds: [key],
          reachedBy: 'instance credentials',
          from: s.actor.userName,
        },
      ],
      resources: [
        {
          type: 'AWS::EC2::Instance',
          name: instance,
          account: s.accountId,
          region: s.region,
          action: 'modified',
          eventName: 'SendCommand',
          by: s.actor.userName,
          time: at('02:29:00'),
          preExisting: true,
        },
        {
          type: 'AWS::EC2::Snapshot',
          name: VARIANT_IDS.sharedSnapshotId,
          account: s.accountId,
          region: s.region,
          action: 'modified',
          eventName: 'ModifySnapshotAttribute',
          by: role.roleName,
          time: at('02:30:20'),
          preExisting: true,
        },
      ],
      accounts: [s.accountId],
      regions: [s.region],
    },
  };
}

/**
 * JaneDoe's last call of the window, at 23:55:10 on 2021-07-24, is delivered at 00:03 the
 * next day: its file sits in the 2021/07/25 folder, outside the window's delivery days. An
 * investigation of 2021/07/16..2021/07/24 must still find it (and JaneDoe's last use).
 */
function lateDelivery(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  const r = s.rogueUser;
  const bucket = VARIANT_IDS.lateBucket;
  const host = `${bucket}.s3.${s.region}.amazonaws.com`;
  const calls = [
    call({
      account: s.accountId,
      region: s.region,
      ip: s.attackerIp,
      principal: 'rogue',
      identity: iamUserIdentity(s.accountId, r.userName, r.userId, r.accessKeyId),
      time: VARIANT_IDS.lateEventTime,
      deliveredAt: VARIANT_IDS.lateDeliveredAt,
      cli: 's3api create-bucket',
      eventSource: 's3.amazonaws.com',
      eventName: 'CreateBucket',
      readOnly: false,
      request: { bucketName: bucket, Host: host },
      additionalEventData: s3AdditionalEventData('CreateBucket-late', 0, 0),
      tlsHost: host,
    }),
  ];
  return {
    calls,
    flowRecords: [],
    truth: {
      name: 'lateDelivery',
      description: `JaneDoe creates ${bucket} at 23:55:10 on the window's last day; CloudTrail delivers the record at 00:03 the next day, in the 2021/07/25 folder.`,
      calls: calls.length,
      flowRecords: 0,
      sessionKeys: [],
      principals: [],
      resources: [
        {
          type: 'AWS::S3::Bucket',
          name: bucket,
          account: s.accountId,
          region: s.region,
          action: 'created',
          eventName: 'CreateBucket',
          by: r.userName,
          time: VARIANT_IDS.lateEventTime,
        },
      ],
      accounts: [s.accountId],
      regions: [s.region],
    },
  };
}

/**
 * JaneDoe lists the security groups and creates one, in records without `readOnly` (as
 * older event versions and some services write them): the change must still count as one,
 * classified by its event name.
 */
function noReadOnly(ctx: VariantContext): VariantBuild {
  const { scenario: s } = ctx;
  const r = s.rogueUser;
  const group = VARIANT_IDS.noReadOnlyGroup;
  const byRogue = {
    account: s.accountId,
    region: s.region,
    ip: s.attackerIp,
    principal: 'rogue',
    identity: iamUserIdentity(s.accountId, r.userName, r.userId, r.accessKeyId),
    eventSource: 'ec2.amazonaws.com',
    readOnly: undefined,
  } as const;
  const rng = new Rng('noReadOnly');
  const calls = [
    call({
      ...byRogue,
      time: at('02:50:05'),
      cli: 'ec2 describe-security-groups',
      eventName: 'DescribeSecurityGroups',
      request: { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} },
    }),
    call({
      ...byRogue,
      time: at('02:50:07'),
      cli: 'ec2 create-security-group',
      eventName: 'CreateSecurityGroup',
      request: { groupName: group.groupName, groupDescription: 'temporary ssh access' },
      response: { requestId: rng.uuid(), _return: true, groupId: group.groupId },
    }),
  ];
  return {
    calls,
    flowRecords: [],
    truth: {
      name: 'noReadOnly',
      description: `JaneDoe runs DescribeSecurityGroups and creates security group ${group.groupId} (${group.groupName}); neither record carries readOnly.`,
      calls: calls.length,
      flowRecords: 0,
      sessionKeys: [],
      principals: [],
      resources: [
        {
          type: 'AWS::EC2::SecurityGroup',
          name: group.groupId,
          account: s.accountId,
          region: s.region,
          action: 'created',
          eventName: 'CreateSecurityGroup',
          by: r.userName,
          time: at('02:50:07'),
        },
      ],
      accounts: [s.accountId],
      regions: [s.region],
    },
  };
}

const BUILDERS: Record<VariantName, (ctx: VariantContext) => VariantBuild> = {
  sessionToken,
  assumeRole,
  loginProfile,
  deleteResource,
  spread,
  network,
  rogueRole,
  federation,
  quarantine,
  deniedEc2,
  instanceCredentials,
  lateDelivery,
  noReadOnly,
};

export function buildVariant(name: VariantName, ctx: VariantContext): VariantBuild {
  return BUILDERS[name](ctx);
}
