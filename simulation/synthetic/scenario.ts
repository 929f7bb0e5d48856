import { CLI_USER_AGENT_PREFIX, call, deepFreeze, numberCalls, s3AdditionalEventData } from './private/calls';
import { iamUserArn, iamUserIdentity } from './private/records';
import { iamDate, parseEventTime } from './private/time';
import { ScenarioCall, ScenarioUser } from './types';

/**
 * The playbook's worked incident as data: the oracle the generator writes, the queries are
 * tested against, and the attack script is compared with.
 *
 * Call order follows the playbook's simulation script and the times its tables print:
 * JorgeSouza's exposed key checks itself, creates JaneDoe, makes it administrator and gives it
 * a key; JaneDoe's key is tried until IAM accepts it (the first GetCallerIdentity), then a
 * light recon whose printed times (02:22:45..02:22:53) fix the order list-roles,
 * list-functions, list-keys, list-aliases, describe-destinations, list-buckets (the one call
 * from 72.21.198.71), describe-instances, list-secrets; then the recon goes to a new bucket.
 * The playbook's tables list these calls by count, not in time order.
 */
export interface Scenario {
  readonly accountId: string;
  readonly region: 'us-east-1';
  /** The playbook's query window (date_partition values). */
  readonly window: { readonly from: string; readonly to: string };
  /** The exposed key and its owner. */
  readonly actor: ScenarioUser;
  /** The user the actor created for persistence. */
  readonly rogueUser: ScenarioUser;
  readonly attackerIp: string;
  /** The address S3 saw for the rogue ListBuckets call. */
  readonly s3PathIp: string;
  readonly sourceIps: readonly string[];
  readonly userAgentPrefix: string;
  readonly adminPolicyArn: string;
  readonly bucketName: string;
  readonly objectKey: string;
  /** Size of the uploaded recon output (the playbook's get-object ContentLength). */
  readonly objectSize: number;
  /** The eight probing calls, in the order the playbook's query lists them. */
  readonly probeEventNames: readonly string[];
  /** Every call, in time order. */
  readonly calls: readonly ScenarioCall[];
}

export const DEFAULT_INCIDENT_ACCOUNT = '777777777777';

const ATTACKER_IP = '198.51.100.77';
const S3_PATH_IP = '72.21.198.71';
const ADMIN_POLICY_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const BUCKET = 'DOC-EXAMPLE-BUCKET';
const OBJECT_KEY = 'stuff';
const OBJECT_SIZE = 43860;
const DAY = '2021-07-24T';

const user = (account: string, userName: string, userId: string, accessKeyId: string): ScenarioUser => ({
  userName,
  userId,
  arn: iamUserArn(account, userName),
  accessKeyId,
});

/** The playbook incident in `accountId` (the playbook's is 777777777777). */
export function createScenario(accountId: string = DEFAULT_INCIDENT_ACCOUNT): Scenario {
  const actor = user(accountId, 'JorgeSouza', 'AIDAJ45Q7YFFAREXAMPLE', 'AKIAIOSFODNN7EXAMPLE');
  const rogue = user(accountId, 'JaneDoe', 'AIDACKCEVSQ6C2EXAMPLE', 'AKIAI44QH8DHBEXAMPLE');
  const asActor = iamUserIdentity(accountId, actor.userName, actor.userId, actor.accessKeyId);
  const asRogue = iamUserIdentity(accountId, rogue.userName, rogue.userId, rogue.accessKeyId);
  const region = 'us-east-1';
  const base = { account: accountId, region, ip: ATTACKER_IP } as const;
  const byActor = { ...base, principal: 'actor', identity: asActor } as const;
  const byRogue = { ...base, principal: 'rogue', identity: asRogue } as const;
  const at = (hms: string) => `${DAY}${hms}Z`;
  const iamTime = (hms: string) => iamDate(parseEventTime(at(hms)));
  const bucketHost = `${BUCKET}.s3.${region}.amazonaws.com`;
  const bucketResources = [
    { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${BUCKET}/${OBJECT_KEY}` },
    { accountId, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKET}` },
  ];

  const calls = numberCalls([
    call({
      ...byActor,
      time: at('02:22:31'),
      cli: 'sts get-caller-identity',
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetCallerIdentity',
      readOnly: true,
    }),
    call({
      ...byActor,
      time: at('02:22:32'),
      cli: 'iam create-user',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      readOnly: false,
      request: { userName: rogue.userName },
      response: {
        user: {
          path: '/',
          userName: rogue.userName,
          userId: rogue.userId,
          arn: rogue.arn,
          createDate: iamTime('02:22:32'),
        },
      },
    }),
    call({
      ...byActor,
      time: at('02:22:33'),
      cli: 'iam attach-user-policy',
      eventSource: 'iam.amazonaws.com',
      eventName: 'AttachUserPolicy',
      readOnly: false,
      request: { userName: rogue.userName, policyArn: ADMIN_POLICY_ARN },
    }),
    call({
      ...byActor,
      time: at('02:22:34'),
      cli: 'iam create-access-key',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateAccessKey',
      readOnly: false,
      request: { userName: rogue.userName },
      response: {
        accessKey: {
          userName: rogue.userName,
          accessKeyId: rogue.accessKeyId,
          status: 'Active',
          createDate: iamTime('02:22:34'),
        },
      },
    }),
    // The script retries get-caller-identity until IAM accepts the new key; only the
    // accepted call is logged, then the recon starts with another one.
    ...['02:22:42', '02:22:44'].map((hms) =>
      call({
        ...byRogue,
        time: at(hms),
        cli: 'sts get-caller-identity',
        eventSource: 'sts.amazonaws.com',
        eventName: 'GetCallerIdentity',
        readOnly: true,
      }),
    ),
    call({
      ...byRogue,
      time: at('02:22:45'),
      cli: 'iam list-roles',
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListRoles',
      readOnly: true,
    }),
    call({
      ...byRogue,
      time: at('02:22:46'),
      cli: 'lambda list-functions',
      eventSource: 'lambda.amazonaws.com',
      eventName: 'ListFunctions20150331',
      readOnly: true,
    }),
    call({
      ...byRogue,
      time: at('02:22:48'),
      cli: 'kms list-keys',
      eventSource: 'kms.amazonaws.com',
      eventName: 'ListKeys',
      readOnly: true,
    }),
    call({
      ...byRogue,
      time: at('02:22:49'),
      cli: 'kms list-aliases',
      eventSource: 'kms.amazonaws.com',
      eventName: 'ListAliases',
      readOnly: true,
    }),
    call({
      ...byRogue,
      time: at('02:22:50'),
      cli: 'logs describe-destinations',
      eventSource: 'logs.amazonaws.com',
      eventName: 'DescribeDestinations',
      readOnly: true,
    }),
    call({
      ...byRogue,
      time: at('02:22:51'),
      ip: S3_PATH_IP,
      cli: 's3api list-buckets',
      eventSource: 's3.amazonaws.com',
      eventName: 'ListBuckets',
      readOnly: true,
      request: { Host: `s3.${region}.amazonaws.com` },
      additionalEventData: s3AdditionalEventData('ListBuckets', 0, 1570),
    }),
    call({
      ...byRogue,
      time: at('02:22:52'),
      cli: 'ec2 describe-instances',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
      readOnly: true,
      request: { instancesSet: {}, filterSet: {} },
    }),
    call({
      ...byRogue,
      time: at('02:22:53'),
      cli: 'secretsmanager list-secrets',
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'ListSecrets',
      readOnly: true,
    }),
    call({
      ...byRogue,
      time: at('02:22:56'),
      cli: 's3api create-bucket',
      eventSource: 's3.amazonaws.com',
      eventName: 'CreateBucket',
      readOnly: false,
      request: { bucketName: BUCKET, Host: bucketHost },
      additionalEventData: s3AdditionalEventData('CreateBucket', 0, 0),
      tlsHost: bucketHost,
    }),
    call({
      ...byRogue,
      time: at('02:22:57'),
      cli: 's3api put-object',
      eventSource: 's3.amazonaws.com',
      eventName: 'PutObject',
      readOnly: false,
      data: true,
      request: { bucketName: BUCKET, Host: bucketHost, key: OBJECT_KEY },
      additionalEventData: s3AdditionalEventData('PutObject', OBJECT_SIZE, 0),
      resources: bucketResources,
      tlsHost: bucketHost,
    }),
  ]);

  return deepFreeze({
    accountId,
    region,
    window: { from: '2021/07/16', to: '2021/07/24' },
    actor,
    rogueUser: rogue,
    attackerIp: ATTACKER_IP,
    s3PathIp: S3_PATH_IP,
    sourceIps: [ATTACKER_IP, S3_PATH_IP],
    userAgentPrefix: CLI_USER_AGENT_PREFIX,
    adminPolicyArn: ADMIN_POLICY_ARN,
    bucketName: BUCKET,
    objectKey: OBJECT_KEY,
    objectSize: OBJECT_SIZE,
    probeEventNames: [
      'ListRoles',
      'DescribeDestinations',
      'ListKeys',
      'ListFunctions20150331',
      'ListBuckets',
      'ListSecrets',
      'ListAliases',
      'DescribeInstances',
    ],
    calls,
  });
}

/** The playbook's incident, exactly as its tables print it. */
export const SCENARIO: Scenario = createScenario();
