import { GLOBAL_EVENTS_REGION } from '../../../lib/regions';
import {
  JsonObject,
  Resource,
  RoleRef,
  UserIdentity,
  assumedRoleArn,
  assumedRoleIdentity,
  awsServiceIdentity,
  endpointHost,
  iamUserIdentity,
  iamUserSessionIdentity,
  recordJson,
  roleArn,
  tls,
} from './records';
import { Rng, WeightedTable, hash32 } from './rng';
import { HOUR_MS, MINUTE_MS, eventTime, iamDate } from './time';

/**
 * Benign activity of an ordinary organization: people with IAM users and long-term keys,
 * people in role sessions (SSO permission sets and shared roles), console users, CI users,
 * Lambda functions, ECS tasks and EC2 instances with their roles, AWS services acting on
 * their own or through service-linked roles, a few denied calls and failed lookups.
 *
 * It never uses the incident's identifiers: no IP in 198.51.100.0/24 or 72.21.198.71 (people
 * come from 192.0.2.0/24 and 203.0.113.0/24, workloads from 10.x through VPC endpoints), no
 * incident user, key or bucket name (background names come from fixed word lists and random
 * ids, and every random key is checked against a deny list).
 */

export interface BackgroundConfig {
  readonly seed: number;
  readonly accounts: readonly string[];
  /** The incident's account: its DevOpsRole keeps the id the assumeRole variant uses. */
  readonly incidentAccount: string;
  readonly devOpsRoleId: string;
  /** Identifiers the background must never produce (keys). */
  readonly forbiddenKeys: ReadonlySet<string>;
}

type UaFamily =
  | 'cli2mac'
  | 'cli2linux'
  | 'cli1'
  | 'boto3'
  | 'terraform'
  | 'java'
  | 'lambdaPy'
  | 'lambdaNode'
  | 'ssmAgent'
  | 'console';

interface Person {
  readonly name: string;
  readonly email: string;
  readonly ip: string;
  readonly ua: UaFamily;
}

interface IamUser {
  readonly userName: string;
  readonly userId: string;
  readonly keys: readonly string[];
  readonly ip: string;
  readonly ua: UaFamily;
  readonly mfa: boolean;
  readonly apis: ApiSet;
}

interface Workload {
  readonly role: RoleRef;
  /** Session name: function name, task id or instance id. */
  readonly sessionName: string;
  readonly ip: string;
  readonly ua: UaFamily;
  readonly apis: ApiSet;
  readonly ec2?: boolean;
}

interface ServiceLinked {
  readonly role: RoleRef;
  readonly service: string;
  readonly apis: ApiSet;
}

interface AccountEnv {
  readonly account: string;
  readonly index: number;
  readonly people: readonly Person[];
  readonly users: readonly IamUser[];
  /** People's IAM users (not CI or application users). */
  readonly humanUsers: readonly IamUser[];
  readonly consoleUsers: readonly IamUser[];
  /** Roles people assume with AssumeRole (not SSO permission sets). */
  readonly sharedRoles: readonly RoleRef[];
  readonly humanRoles: readonly RoleRef[];
  readonly workloads: readonly Workload[];
  readonly serviceLinked: readonly ServiceLinked[];
  readonly buckets: readonly string[];
  readonly functions: readonly string[];
  readonly instances: readonly string[];
  readonly volumes: readonly string[];
  readonly securityGroups: readonly string[];
  readonly secrets: readonly string[];
  readonly tables: readonly string[];
  readonly kmsKeys: readonly string[];
  readonly logGroups: readonly string[];
  readonly parameters: readonly string[];
  readonly stacks: readonly string[];
  readonly clusters: readonly string[];
  readonly vpcEndpoint: string;
}

interface Ctx {
  readonly rng: Rng;
  readonly env: AccountEnv;
  readonly region: string;
  readonly arn: string;
  readonly who: string;
}

interface Api {
  readonly service: string;
  readonly name: string;
  readonly readOnly: boolean;
  readonly weight: number;
  readonly global?: boolean;
  readonly data?: boolean;
  readonly request?: (x: Ctx) => JsonObject | null;
  readonly response?: (x: Ctx, request: JsonObject | null) => JsonObject | null;
  readonly resources?: (x: Ctx, request: JsonObject | null) => Resource[];
  /** A non-authorization failure this call sometimes has (e.g. NoSuchBucketPolicy). */
  readonly failure?: { readonly p: number; readonly code: string; readonly message: string };
}

interface ApiSet {
  /** Every API of the set: for us-east-1, where IAM's global events are logged. */
  readonly all: WeightedTable<Api>;
  /** The set without global services, for every other Region. */
  readonly regional: WeightedTable<Api>;
}

function apiSet(...groups: (readonly Api[])[]): ApiSet {
  const all = groups.flat();
  const regional = all.filter((a) => !a.global);
  return {
    all: new WeightedTable(
      all,
      all.map((a) => a.weight),
    ),
    regional: new WeightedTable(
      regional,
      regional.map((a) => a.weight),
    ),
  };
}

// ---------------------------------------------------------------------------------------
// Vocabulary

const PEOPLE = [
  'maria.garcia',
  'wei.chen',
  'arjun.patel',
  'fatima.khan',
  'liam.oconnor',
  'sofia.rossi',
  'kenji.tanaka',
  'amara.okafor',
  'noah.williams',
  'elena.petrova',
  'diego.fernandez',
  'hana.kim',
  'omar.haddad',
  'lucas.martin',
  'priya.sharma',
  'tomas.novak',
  'aisha.bello',
  'erik.larsen',
  'mei.lin',
  'samuel.mensah',
  'chloe.dubois',
  'ravi.iyer',
  'nina.kowalski',
  'ben.cohen',
  'laura.schmidt',
  'yusuf.demir',
  'isabel.santos',
  'daniel.park',
  'grace.mwangi',
  'felix.wagner',
];
const SERVICE_USERS = [
  'svc-ci-deploy',
  'terraform-runner',
  'svc-backup-agent',
  'svc-monitoring',
  'svc-reporting',
  'svc-legacy-app',
];
const BUCKET_SUFFIXES = ['app-assets', 'build-artifacts', 'data-lake-raw', 'reports', 'backups', 'web-logs'];
const FUNCTIONS = [
  'orders-processor',
  'thumbnail-generator',
  'nightly-report',
  'invoice-mailer',
  'audit-exporter',
];
const SECRETS = ['prod/app/database', 'prod/app/api-key', 'staging/app/database', 'prod/reporting/warehouse'];
const TABLES = ['orders', 'customers', 'sessions', 'inventory'];
const STACKS = ['network-baseline', 'orders-service', 'reporting-pipeline', 'web-frontend'];
const PARAMETERS = ['/app/prod/feature-flags', '/app/prod/endpoint', '/app/staging/endpoint', '/ops/ami-id'];
const CLUSTERS = ['api-cluster', 'batch-cluster'];
const HUMAN_ROLES = [
  'AWSReservedSSO_AdministratorAccess_6f2a1b9c4d3e8a70',
  'AWSReservedSSO_PowerUserAccess_1c9e4b7a2d5f8e63',
  'AWSReservedSSO_ReadOnlyAccess_9a8b7c6d5e4f3a21',
  'DevOpsRole',
  'DataEngineerRole',
];
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.164 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/92.0.4515.107 Safari/537.36',
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:90.0) Gecko/20100101 Firefox/90.0',
];

// ---------------------------------------------------------------------------------------
// API catalog

const pick = <T>(x: Ctx, items: readonly T[]) => x.rng.pick(items);
const bucketHost = (bucket: string, region: string) => `${bucket}.s3.${region}.amazonaws.com`;
const bucketReq = (x: Ctx, extra: JsonObject = {}): JsonObject => {
  const bucket = pick(x, x.env.buckets);
  return { bucketName: bucket, Host: bucketHost(bucket, x.region), ...extra };
};
const objectKey = (x: Ctx) =>
  `${x.rng.pick(['incoming', 'exports', 'tmp', 'daily'])}/${x.rng.hex(8)}.${x.rng.pick(['json', 'csv', 'parquet', 'gz'])}`;
const kmsArn = (x: Ctx) => `arn:aws:kms:${x.region}:${x.env.account}:key/${pick(x, x.env.kmsKeys)}`;
const s3ObjectResources = (x: Ctx, req: JsonObject | null): Resource[] => [
  { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${String(req?.bucketName)}/${String(req?.key)}` },
  { accountId: x.env.account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${String(req?.bucketName)}` },
];
const kmsResources = (x: Ctx): Resource[] => [
  { accountId: x.env.account, type: 'AWS::KMS::Key', ARN: kmsArn(x) },
];

const a = (
  service: string,
  name: string,
  readOnly: boolean,
  weight: number,
  extra: Partial<Api> = {},
): Api => ({
  service,
  name,
  readOnly,
  weight,
  ...extra,
});

const HUMAN_READ: readonly Api[] = [
  a('ec2', 'DescribeInstances', true, 10, {
    request: (x): JsonObject =>
      x.rng.chance(0.6)
        ? { instancesSet: {}, filterSet: {} }
        : { instancesSet: { items: [{ instanceId: pick(x, x.env.instances) }] }, filterSet: {} },
  }),
  a('ec2', 'DescribeSecurityGroups', true, 4, {
    request: () => ({ securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }),
  }),
  a('ec2', 'DescribeVpcs', true, 2, { request: () => ({ vpcSet: {}, filterSet: {} }) }),
  a('ec2', 'DescribeSubnets', true, 2, { request: () => ({ subnetSet: {}, filterSet: {} }) }),
  a('ec2', 'DescribeVolumes', true, 2, { request: () => ({ volumeSet: {}, filterSet: {} }) }),
  a('s3', 'ListBuckets', true, 5, { request: (x) => ({ Host: `s3.${x.region}.amazonaws.com` }) }),
  a('s3', 'GetBucketLocation', true, 3, { request: (x) => bucketReq(x, { location: '' }) }),
  a('s3', 'GetBucketPolicy', true, 2, {
    request: (x) => bucketReq(x, { policy: '' }),
    failure: { p: 0.4, code: 'NoSuchBucketPolicy', message: 'The bucket policy does not exist' },
  }),
  a('s3', 'GetBucketAcl', true, 2, { request: (x) => bucketReq(x, { acl: '' }) }),
  a('s3', 'GetBucketEncryption', true, 1, { request: (x) => bucketReq(x, { encryption: '' }) }),
  a('iam', 'ListUsers', true, 2, { global: true }),
  a('iam', 'ListRoles', true, 2, { global: true }),
  a('iam', 'GetRole', true, 2, {
    global: true,
    request: (x) => ({ roleName: pick(x, x.env.humanRoles).roleName }),
  }),
  a('iam', 'ListAttachedRolePolicies', true, 1, {
    global: true,
    request: (x) => ({ roleName: pick(x, x.env.humanRoles).roleName }),
  }),
  a('iam', 'GetUser', true, 1, {
    global: true,
    request: (x) => ({ userName: pick(x, x.env.users).userName }),
  }),
  a('iam', 'ListAccessKeys', true, 1, {
    global: true,
    request: (x) => ({ userName: pick(x, x.env.users).userName }),
  }),
  a('iam', 'GetAccountSummary', true, 1, { global: true }),
  a('lambda', 'ListFunctions20150331', true, 3),
  a('lambda', 'GetFunction20150331v2', true, 2, {
    request: (x) => ({ functionName: pick(x, x.env.functions) }),
  }),
  a('cloudformation', 'DescribeStacks', true, 3, { request: (x) => ({ stackName: pick(x, x.env.stacks) }) }),
  a('cloudformation', 'ListStacks', true, 1),
  a('logs', 'DescribeLogGroups', true, 2),
  a('logs', 'DescribeLogStreams', true, 2, {
    request: (x) => ({ logGroupName: pick(x, x.env.logGroups), orderBy: 'LastEventTime', descending: true }),
  }),
  a('monitoring', 'DescribeAlarms', true, 2),
  a('dynamodb', 'ListTables', true, 1),
  a('dynamodb', 'DescribeTable', true, 2, { request: (x) => ({ tableName: pick(x, x.env.tables) }) }),
  a('secretsmanager', 'ListSecrets', true, 1),
  a('secretsmanager', 'DescribeSecret', true, 1, { request: (x) => ({ secretId: pick(x, x.env.secrets) }) }),
  a('kms', 'ListAliases', true, 1),
  a('kms', 'DescribeKey', true, 1, {
    request: (x) => ({ keyId: pick(x, x.env.kmsKeys) }),
    resources: (x) => kmsResources(x),
  }),
  a('sts', 'GetCallerIdentity', true, 4),
  a('ssm', 'DescribeInstanceInformation', true, 1),
  a('ssm', 'GetParameter', true, 2, {
    request: (x) => ({ name: pick(x, x.env.parameters), withDecryption: false }),
  }),
  a('ecr', 'DescribeRepositories', true, 1),
  a('ecs', 'ListClusters', true, 1),
  a('ecs', 'DescribeServices', true, 1, {
    request: (x) => ({ cluster: pick(x, x.env.clusters), services: ['api'] }),
  }),
];

const HUMAN_WRITE: readonly Api[] = [
  a('ec2', 'CreateTags', false, 3, {
    request: (x) => ({
      resourcesSet: { items: [{ resourceId: pick(x, x.env.instances) }] },
      tagSet: { items: [{ key: 'Owner', value: x.who }] },
    }),
    response: (x) => ({ requestId: x.rng.uuid(), _return: true }),
  }),
  a('ec2', 'StopInstances', false, 1, {
    request: (x) => ({ instancesSet: { items: [{ instanceId: pick(x, x.env.instances) }] }, force: false }),
  }),
  a('ec2', 'StartInstances', false, 1, {
    request: (x) => ({ instancesSet: { items: [{ instanceId: pick(x, x.env.instances) }] } }),
  }),
  a('ec2', 'AuthorizeSecurityGroupIngress', false, 1, {
    request: (x) => ({
      groupId: pick(x, x.env.securityGroups),
      ipPermissions: {
        items: [
          {
            ipProtocol: 'tcp',
            fromPort: 443,
            toPort: 443,
            groups: {},
            ipRanges: { items: [{ cidrIp: '203.0.113.0/24' }] },
            ipv6Ranges: {},
            prefixListIds: {},
          },
        ],
      },
    }),
    response: (x) => ({ requestId: x.rng.uuid(), _return: true }),
  }),
  a('s3', 'PutBucketTagging', false, 1, { request: (x) => bucketReq(x, { tagging: '' }) }),
  a('lambda', 'UpdateFunctionConfiguration20150331v2', false, 1, {
    request: (x) => ({ functionName: pick(x, x.env.functions), timeout: x.rng.pick([30, 60, 120]) }),
  }),
  a('ssm', 'PutParameter', false, 1, {
    request: (x) => ({ name: pick(x, x.env.parameters), type: 'String', overwrite: true }),
    response: (x) => ({ version: x.rng.between(2, 40), tier: 'Standard' }),
  }),
  a('logs', 'PutRetentionPolicy', false, 1, {
    request: (x) => ({ logGroupName: pick(x, x.env.logGroups), retentionInDays: 30 }),
  }),
  a('iam', 'TagRole', false, 1, {
    global: true,
    request: (x) => ({
      roleName: pick(x, x.env.humanRoles).roleName,
      tags: [{ key: 'CostCenter', value: String(x.rng.between(1000, 9999)) }],
    }),
  }),
];

const DEPLOY: readonly Api[] = [
  a('cloudformation', 'DescribeStacks', true, 6, { request: (x) => ({ stackName: pick(x, x.env.stacks) }) }),
  a('cloudformation', 'CreateChangeSet', false, 2, {
    request: (x) => ({
      stackName: pick(x, x.env.stacks),
      changeSetName: `deploy-${x.rng.hex(8)}`,
      changeSetType: 'UPDATE',
    }),
  }),
  a('cloudformation', 'DescribeChangeSet', true, 3, {
    request: (x) => ({ changeSetName: `deploy-${x.rng.hex(8)}`, stackName: pick(x, x.env.stacks) }),
  }),
  a('cloudformation', 'ExecuteChangeSet', false, 1, {
    request: (x) => ({ changeSetName: `deploy-${x.rng.hex(8)}`, stackName: pick(x, x.env.stacks) }),
  }),
  a('s3', 'PutObject', false, 4, {
    data: true,
    request: (x) => {
      const bucket = x.env.buckets[1];
      return { bucketName: bucket, Host: bucketHost(bucket, x.region), key: `builds/${x.rng.hex(12)}.zip` };
    },
    resources: s3ObjectResources,
  }),
  a('lambda', 'UpdateFunctionCode20150331v2', false, 1, {
    request: (x) => ({
      functionName: pick(x, x.env.functions),
      s3Bucket: x.env.buckets[1],
      s3Key: `builds/${x.rng.hex(12)}.zip`,
      publish: true,
    }),
  }),
  a('ecr', 'GetAuthorizationToken', true, 2),
  a('sts', 'GetCallerIdentity', true, 3),
  a('iam', 'GetRole', true, 2, {
    global: true,
    request: (x) => ({ roleName: pick(x, x.env.workloads).role.roleName }),
  }),
  a('ec2', 'DescribeImages', true, 1, {
    request: () => ({
      executableBySet: {},
      imagesSet: {},
      ownersSet: { items: [{ owner: 'self' }] },
      filterSet: {},
    }),
  }),
];

const APP: readonly Api[] = [
  a('s3', 'GetObject', true, 10, {
    data: true,
    request: (x) => bucketReq(x, { key: objectKey(x) }),
    resources: s3ObjectResources,
  }),
  a('s3', 'PutObject', false, 6, {
    data: true,
    request: (x) => bucketReq(x, { key: objectKey(x) }),
    resources: s3ObjectResources,
  }),
  a('s3', 'HeadObject', true, 2, {
    data: true,
    request: (x) => bucketReq(x, { key: objectKey(x) }),
    resources: s3ObjectResources,
  }),
  a('kms', 'Decrypt', true, 8, {
    request: () => ({ encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }),
    resources: (x) => kmsResources(x),
  }),
  a('kms', 'GenerateDataKey', true, 4, {
    request: (x) => ({ keyId: `alias/app-${x.rng.pick(['data', 'secrets'])}`, keySpec: 'AES_256' }),
    resources: (x) => kmsResources(x),
  }),
  a('secretsmanager', 'GetSecretValue', true, 5, { request: (x) => ({ secretId: pick(x, x.env.secrets) }) }),
  a('dynamodb', 'DescribeTable', true, 3, { request: (x) => ({ tableName: pick(x, x.env.tables) }) }),
  a('logs', 'CreateLogStream', false, 3, {
    request: (x) => ({
      logGroupName: pick(x, x.env.logGroups),
      logStreamName: `2021/07/${x.rng.between(10, 28)}/[$LATEST]${x.rng.hex(32)}`,
    }),
  }),
  a('sts', 'GetCallerIdentity', true, 1),
  a('ssm', 'GetParameters', true, 2, {
    request: (x) => ({ names: [pick(x, x.env.parameters)], withDecryption: true }),
  }),
];

const EC2_AGENT: readonly Api[] = [
  a('ssm', 'UpdateInstanceInformation', false, 8, {
    request: (x) => ({
      instanceId: x.who,
      agentVersion: '3.0.1209.0',
      agentStatus: 'Active',
      platformType: 'Linux',
      platformName: 'Amazon Linux',
      platformVersion: '2',
    }),
  }),
  a('ssm', 'ListInstanceAssociations', true, 4, { request: (x) => ({ instanceId: x.who, maxResults: 20 }) }),
  a('ec2messages', 'GetMessages', true, 6, {
    request: (x) => ({
      destination: x.who,
      messagesRequestId: x.rng.uuid(),
      visibilityTimeoutInSeconds: 10,
    }),
  }),
  a('ec2', 'DescribeTags', true, 1, { request: () => ({ filterSet: {} }) }),
];

const SERVICE_LINKED_READ: readonly Api[] = [
  a('ec2', 'DescribeInstanceStatus', true, 4, { request: () => ({ instancesSet: {}, filterSet: {} }) }),
  a('ec2', 'DescribeInstances', true, 3, { request: () => ({ instancesSet: {}, filterSet: {} }) }),
  a('ec2', 'DescribeSecurityGroups', true, 1, {
    request: () => ({ securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }),
  }),
  a('s3', 'GetBucketAcl', true, 1, { request: (x) => bucketReq(x, { acl: '' }) }),
];

const READ_SET = apiSet(HUMAN_READ);
const HUMAN_SET = apiSet(HUMAN_READ, HUMAN_READ, HUMAN_READ, HUMAN_WRITE);
const DEPLOY_SET = apiSet(DEPLOY);
const APP_SET = apiSet(APP);
const EC2_SET = apiSet(EC2_AGENT, APP);
const SERVICE_LINKED_SET = apiSet(SERVICE_LINKED_READ);

// ---------------------------------------------------------------------------------------
// User agents

const CLI_SERVICE: Record<string, string> = {
  s3: 's3api',
  monitoring: 'cloudwatch',
  ec2messages: 'ec2messages',
};

/** `DescribeInstances` -> `describe-instances`; Lambda's dated names lose the date. */
function cliCommand(api: Api): string {
  const name = api.name.replace(/\d{8}(v\d)?$/, '');
  const kebab = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return `${CLI_SERVICE[api.service] ?? api.service}.${kebab}`;
}

function userAgent(family: UaFamily, api: Api, rng: Rng): string {
  let ua: string;
  switch (family) {
    case 'cli2mac':
      ua = `aws-cli/2.2.5 Python/3.8.8 Darwin/20.4.0 exe/x86_64 prompt/off command/${cliCommand(api)}`;
      break;
    case 'cli2linux':
      ua = `aws-cli/2.2.14 Python/3.8.8 Linux/5.8.0-59-generic exe/x86_64.ubuntu.20 prompt/off command/${cliCommand(api)}`;
      break;
    case 'cli1':
      ua = 'aws-cli/1.19.105 Python/3.8.10 Linux/5.4.0-1051-aws botocore/1.20.105';
      break;
    case 'boto3':
      ua = 'Boto3/1.17.105 Python/3.9.6 Darwin/20.5.0 Botocore/1.20.105';
      break;
    case 'terraform':
      ua =
        'APN/1.0 HashiCorp/1.0 Terraform/1.0.2 (+https://www.terraform.io) terraform-provider-aws/3.50.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.39.4 (go1.16; linux; amd64)';
      break;
    case 'java':
      ua =
        'aws-sdk-java/1.12.22 Linux/5.10.47-39.130.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/11.0.11+9-LTS java/11.0.11 vendor/Amazon.com_Inc.';
      break;
    case 'lambdaPy':
      ua =
        'Boto3/1.17.100 Python/3.8.11 Linux/4.14.243-194.434.amzn2.x86_64 exec-env/AWS_Lambda_python3.8 Botocore/1.20.100';
      break;
    case 'lambdaNode':
      ua = 'aws-sdk-nodejs/2.919.0 linux/v14.17.1 exec-env/AWS_Lambda_nodejs14.x promise';
      break;
    case 'ssmAgent':
      ua = 'aws-sdk-go/1.38.53 (go1.15.11; linux; amd64) amazon-ssm-agent/3.0.1209.0';
      break;
    case 'console':
      return rng.chance(0.7) ? 'AWS Internal' : rng.pick(BROWSERS);
  }
  return api.service === 's3' ? `[${ua}]` : ua;
}

// ---------------------------------------------------------------------------------------
// Population

const humanIp = (rng: Rng) => `${rng.pick(['192.0.2', '203.0.113'])}.${rng.between(2, 254)}`;

function buildEnv(cfg: BackgroundConfig, account: string, index: number): AccountEnv {
  const rng = new Rng(cfg.seed, 'population', account);
  const key = () => {
    for (;;) {
      const k = `AKIA${rng.upperAlnum(16)}`;
      if (!cfg.forbiddenKeys.has(k)) return k;
    }
  };
  const people: Person[] = PEOPLE.map((name) => ({
    name,
    email: `${name}@example.com`,
    ip: humanIp(rng),
    ua: rng.weighted<UaFamily>(['cli2mac', 'cli2linux', 'cli1', 'boto3', 'java'], [5, 4, 1, 3, 1]),
  }));
  const users: IamUser[] = [
    ...people.slice(0, 20).map((p) => ({
      userName: p.name,
      userId: `AIDA${rng.upperAlnum(17)}`,
      keys: rng.chance(0.25) ? [key(), key()] : [key()],
      ip: p.ip,
      ua: p.ua,
      mfa: rng.chance(0.8),
      apis: HUMAN_SET,
    })),
    ...SERVICE_USERS.map((userName, i) => ({
      userName,
      userId: `AIDA${rng.upperAlnum(17)}`,
      keys: [key()],
      ip: `10.${index}.${rng.between(0, 15)}.${rng.between(4, 250)}`,
      ua: (i < 2 ? (i === 0 ? 'cli2linux' : 'terraform') : 'boto3') as UaFamily,
      mfa: false,
      apis: i < 2 ? DEPLOY_SET : i === 3 ? READ_SET : APP_SET,
    })),
  ];
  const role = (roleName: string): RoleRef => ({
    account,
    roleName,
    roleId:
      roleName === 'DevOpsRole' && account === cfg.incidentAccount
        ? cfg.devOpsRoleId
        : `AROA${rng.upperAlnum(17)}`,
  });
  const humanRoles = HUMAN_ROLES.map(role);
  const humanUsers = users.filter((u) => u.apis === HUMAN_SET);
  const functionRole = role('orders-service-lambda-role');
  const reportRole = role('reporting-lambda-role');
  const taskRole = role('api-ecs-task-role');
  const webRole = role('web-tier-ec2-role');
  const batchRole = role('batch-worker-ec2-role');
  const vpcIp = () => `10.${index}.${rng.between(0, 31)}.${rng.between(4, 250)}`;
  const instances = Array.from({ length: 8 }, () => `i-0${rng.hex(16)}`);
  const workloads: Workload[] = [
    ...FUNCTIONS.map((fn, i) => ({
      role: i < 2 || i === 3 ? functionRole : reportRole,
      sessionName: fn,
      ip: vpcIp(),
      ua: (i % 2 === 0 ? 'lambdaPy' : 'lambdaNode') as UaFamily,
      apis: APP_SET,
    })),
    ...Array.from({ length: 3 }, () => ({
      role: taskRole,
      sessionName: rng.hex(32),
      ip: vpcIp(),
      ua: 'java' as UaFamily,
      apis: APP_SET,
    })),
    ...instances.map((id, i) => ({
      role: i < 5 ? webRole : batchRole,
      sessionName: id,
      ip: vpcIp(),
      ua: 'ssmAgent' as UaFamily,
      apis: EC2_SET,
      ec2: true,
    })),
  ];
  const serviceLinked: ServiceLinked[] = [
    {
      role: role('AWSServiceRoleForAutoScaling'),
      service: 'autoscaling.amazonaws.com',
      apis: SERVICE_LINKED_SET,
    },
    { role: role('AWSServiceRoleForConfig'), service: 'config.amazonaws.com', apis: SERVICE_LINKED_SET },
    {
      role: role('AWSServiceRoleForElasticLoadBalancing'),
      service: 'elasticloadbalancing.amazonaws.com',
      apis: SERVICE_LINKED_SET,
    },
  ];
  return {
    account,
    index,
    people,
    users,
    humanUsers,
    consoleUsers: humanUsers.slice(0, 10),
    sharedRoles: humanRoles.filter((r) => !r.roleName.startsWith('AWSReserved')),
    humanRoles,
    workloads,
    serviceLinked,
    buckets: BUCKET_SUFFIXES.map((s) => `amzn-s3-demo-bucket-${account}-${s}`),
    functions: FUNCTIONS,
    instances,
    volumes: instances.map(() => `vol-0${rng.hex(16)}`),
    securityGroups: Array.from({ length: 5 }, () => `sg-0${rng.hex(16)}`),
    secrets: SECRETS,
    tables: TABLES,
    kmsKeys: Array.from({ length: 4 }, () => rng.uuid()),
    logGroups: [...FUNCTIONS.map((f) => `/aws/lambda/${f}`), '/ecs/api', '/var/log/messages'],
    parameters: PARAMETERS,
    stacks: STACKS,
    clusters: CLUSTERS,
    vpcEndpoint: `vpce-0${rng.hex(16)}`,
  };
}

// ---------------------------------------------------------------------------------------
// Events

type Kind =
  | 'user'
  | 'console'
  | 'consoleLogin'
  | 'humanRole'
  | 'assumeRole'
  | 'workload'
  | 'service'
  | 'serviceLinked'
  | 'serviceEvent';
const KINDS: readonly Kind[] = [
  'user',
  'console',
  'consoleLogin',
  'humanRole',
  'assumeRole',
  'workload',
  'service',
  'serviceLinked',
  'serviceEvent',
];
const KIND_TABLE = new WeightedTable(KINDS, [30, 6, 0.4, 18, 2, 34, 6, 3, 0.1]);

/** Probability that a person's call is denied; workloads are rarely misconfigured. */
const DENY_HUMAN = 0.02;
const DENY_WORKLOAD = 0.003;

interface Session {
  readonly bucket: number;
  readonly key: string;
  /** sessionContext.attributes.creationDate */
  readonly created: string;
  /** The session's userIdentity, serialized on first use. */
  identity?: Identity;
}

/** A userIdentity serialized once, reused for every call of the same principal and key. */
interface Identity {
  readonly arn: string;
  readonly json: string;
}

const identityOf = (u: UserIdentity): Identity => ({ arn: u.arn ?? '', json: JSON.stringify(u) });

export class Background {
  private readonly envs: AccountEnv[];
  /** Latest session per actor: records come in time order, so one entry per actor suffices. */
  private readonly sessions = new Map<string, Session>();
  private readonly offsets = new Map<string, number>();
  /** Long-term-key identities, one per user and key. */
  private readonly userIdentities = new Map<string, Identity>();

  constructor(private readonly cfg: BackgroundConfig) {
    this.envs = cfg.accounts.map((account, i) => buildEnv(cfg, account, i));
  }

  /**
   * A session's temporary key and start: stable for an actor within an hour-long session,
   * so consecutive calls of one session share a key as in real trails.
   */
  private session(account: string, actor: string, t: number): Session {
    const id = `${account}/${actor}`;
    let offset = this.offsets.get(id);
    if (offset === undefined) {
      offset = hash32(this.cfg.seed, account, actor) % (50 * MINUTE_MS);
      this.offsets.set(id, offset);
    }
    const bucket = Math.floor((t + offset) / HOUR_MS);
    const cached = this.sessions.get(id);
    if (cached && cached.bucket === bucket) return cached;
    const rng = new Rng(this.cfg.seed, 'session', account, actor, bucket);
    let key = `ASIA${rng.upperAlnum(16)}`;
    while (this.cfg.forbiddenKeys.has(key)) key = `ASIA${rng.upperAlnum(16)}`;
    const session: Session = { bucket, key, created: eventTime(bucket * HOUR_MS - offset) };
    this.sessions.set(id, session);
    return session;
  }

  private sessionIdentity(s: Session, build: () => UserIdentity): Identity {
    s.identity ??= identityOf(build());
    return s.identity;
  }

  private userIdentity(env: AccountEnv, u: IamUser, key: string): Identity {
    const id = `${env.account}/${u.userName}/${key}`;
    let identity = this.userIdentities.get(id);
    if (!identity) {
      identity = identityOf(iamUserIdentity(env.account, u.userName, u.userId, key));
      this.userIdentities.set(id, identity);
    }
    return identity;
  }

  /** One benign record, as CloudTrail's JSON text, for account `accountIndex`, Region `region`, at `t`. */
  public record(rng: Rng, accountIndex: number, region: string, t: number): string {
    const env = this.envs[accountIndex];
    const usEast1 = region === GLOBAL_EVENTS_REGION;
    let kind = KIND_TABLE.draw(rng);
    if ((kind === 'consoleLogin' || kind === 'serviceEvent') && !usEast1) kind = 'console';
    switch (kind) {
      case 'user': {
        const u = rng.pick(env.users);
        const identity = this.userIdentity(env, u, rng.pick(u.keys));
        const ip = rng.chance(0.9) ? u.ip : humanIp(rng);
        return this.apiCall(rng, env, region, t, u.apis, identity, u.userName, ip, u.ua, DENY_HUMAN);
      }
      case 'console': {
        const u = rng.pick(env.consoleUsers);
        const s = this.session(env.account, `console/${u.userName}`, t);
        const identity = this.sessionIdentity(s, () =>
          iamUserSessionIdentity(env.account, u.userName, u.userId, s.key, s.created, u.mfa),
        );
        return this.apiCall(
          rng,
          env,
          region,
          t,
          HUMAN_SET,
          identity,
          u.userName,
          u.ip,
          'console',
          DENY_HUMAN,
          {
            fromConsole: true,
          },
        );
      }
      case 'consoleLogin':
        return this.consoleLogin(rng, env, t);
      case 'humanRole': {
        const role = rng.pick(env.humanRoles);
        const person = rng.pick(env.people);
        const sessionName = role.roleName.startsWith('AWSReserved') ? person.email : person.name;
        const s = this.session(env.account, `${role.roleName}/${person.name}`, t);
        const identity = this.sessionIdentity(s, () =>
          assumedRoleIdentity(role, sessionName, s.key, s.created, true),
        );
        const apis = role.roleName.includes('ReadOnly') ? READ_SET : HUMAN_SET;
        return this.apiCall(
          rng,
          env,
          region,
          t,
          apis,
          identity,
          person.name,
          person.ip,
          person.ua,
          DENY_HUMAN,
        );
      }
      case 'assumeRole':
        return this.assumeRole(rng, env, region, t);
      case 'workload': {
        const w = rng.pick(env.workloads);
        const s = this.session(env.account, `${w.role.roleName}/${w.sessionName}`, t);
        const identity = this.sessionIdentity(s, () =>
          assumedRoleIdentity(
            w.role,
            w.sessionName,
            s.key,
            s.created,
            false,
            undefined,
            w.ec2 ? '2.0' : undefined,
          ),
        );
        return this.apiCall(rng, env, region, t, w.apis, identity, w.sessionName, w.ip, w.ua, DENY_WORKLOAD, {
          vpcEndpointId: env.vpcEndpoint,
        });
      }
      case 'service':
        return this.serviceCall(rng, env, region, t);
      case 'serviceLinked': {
        const sl = rng.pick(env.serviceLinked);
        const s = this.session(env.account, sl.role.roleName, t);
        const sessionName = sl.service.split('.')[0].replace(/^./, (c) => c.toUpperCase());
        const identity = this.sessionIdentity(s, () =>
          assumedRoleIdentity(sl.role, sessionName, s.key, s.created, false, sl.service),
        );
        return this.apiCall(rng, env, region, t, sl.apis, identity, sessionName, sl.service, 'console', 0, {
          userAgent: sl.service,
          noTls: true,
        });
      }
      case 'serviceEvent':
        return recordJson(
          {
            eventTime: eventTime(t),
            eventSource: 'kms.amazonaws.com',
            eventName: 'RotateKey',
            awsRegion: region,
            sourceIPAddress: 'kms.amazonaws.com',
            userAgent: 'kms.amazonaws.com',
            requestParameters: null,
            responseElements: null,
            readOnly: false,
            resources: [
              {
                accountId: env.account,
                type: 'AWS::KMS::Key',
                ARN: kmsArn({ rng, env, region, arn: '', who: '' }),
              },
            ],
            eventType: 'AwsServiceEvent',
            managementEvent: true,
            recipientAccountId: env.account,
            serviceEventDetails: { keyId: rng.pick(env.kmsKeys) },
            eventCategory: 'Management',
          },
          KMS_SERVICE_IDENTITY,
          undefined,
          rng.uuid(),
        );
    }
  }

  private apiCall(
    rng: Rng,
    env: AccountEnv,
    region: string,
    t: number,
    apis: ApiSet,
    identity: Identity,
    who: string,
    ip: string,
    ua: UaFamily,
    denyP: number,
    extra: { fromConsole?: boolean; vpcEndpointId?: string; userAgent?: string; noTls?: boolean } = {},
  ): string {
    const usEast1 = region === GLOBAL_EVENTS_REGION;
    const api = (usEast1 ? apis.all : apis.regional).draw(rng);
    const x: Ctx = { rng, env, region, arn: identity.arn, who };
    const request = api.request ? api.request(x) : null;
    let errorCode: string | undefined;
    let errorMessage: string | undefined;
    if (denyP > 0 && rng.chance(denyP)) {
      [errorCode, errorMessage] = denial(api, x);
    } else if (api.failure && rng.chance(api.failure.p)) {
      errorCode = api.failure.code;
      errorMessage = api.failure.message;
    }
    const response = errorCode === undefined && api.response ? api.response(x, request) : null;
    const s3 = api.service === 's3';
    const host =
      s3 && request && typeof request.Host === 'string' ? request.Host : endpointHost(api.service, region);
    return recordJson(
      {
        eventTime: eventTime(t),
        eventSource: `${api.service}.amazonaws.com`,
        eventName: api.name,
        awsRegion: region,
        sourceIPAddress: ip,
        userAgent: extra.userAgent ?? userAgent(ua, api, rng),
        errorCode,
        errorMessage,
        requestParameters: request,
        responseElements: response,
        additionalEventData: s3
          ? {
              SignatureVersion: 'SigV4',
              CipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256',
              bytesTransferredIn: api.name === 'PutObject' ? rng.between(200, 5_000_000) : 0,
              AuthenticationMethod: 'AuthHeader',
              'x-amz-id-2': `${rng.alnum(60)}/${rng.alnum(10)}=`,
              bytesTransferredOut: api.name === 'GetObject' ? rng.between(200, 5_000_000) : 0,
            }
          : undefined,
        readOnly: api.readOnly,
        resources: api.resources ? api.resources(x, request) : undefined,
        eventType: 'AwsApiCall',
        managementEvent: !api.data,
        recipientAccountId: env.account,
        vpcEndpointId: extra.vpcEndpointId,
        eventCategory: api.data ? 'Data' : 'Management',
        tlsDetails: extra.noTls ? undefined : tls(host, rng.chance(0.8)),
        sessionCredentialFromConsole: extra.fromConsole ? 'true' : undefined,
      },
      identity.json,
      s3 ? rng.hex(16).toUpperCase() : rng.uuid(),
      rng.uuid(),
    );
  }

  private consoleLogin(rng: Rng, env: AccountEnv, t: number): string {
    const u = rng.pick(env.consoleUsers);
    const failed = rng.chance(0.05);
    return recordJson(
      {
        eventTime: eventTime(t),
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        awsRegion: GLOBAL_EVENTS_REGION,
        sourceIPAddress: u.ip,
        userAgent: rng.pick(BROWSERS),
        errorMessage: failed ? 'Failed authentication' : undefined,
        requestParameters: null,
        responseElements: { ConsoleLogin: failed ? 'Failure' : 'Success' },
        additionalEventData: {
          LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
          MobileVersion: 'No',
          MFAUsed: u.mfa ? 'Yes' : 'No',
        },
        readOnly: false,
        eventType: 'AwsConsoleSignIn',
        managementEvent: true,
        recipientAccountId: env.account,
        eventCategory: 'Management',
      },
      JSON.stringify(iamUserIdentity(env.account, u.userName, u.userId, undefined)),
      undefined,
      rng.uuid(),
    );
  }

  /** A person's IAM user assuming a shared role; the response names the session's key. */
  private assumeRole(rng: Rng, env: AccountEnv, region: string, t: number): string {
    const u = rng.pick(env.humanUsers);
    const role = rng.pick(env.sharedRoles);
    const s = this.session(env.account, `${role.roleName}/${u.userName}`, t);
    const arn = roleArn(env.account, role.roleName);
    const request = { roleArn: arn, roleSessionName: u.userName, durationSeconds: 3600 };
    return recordJson(
      {
        eventTime: eventTime(t),
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRole',
        awsRegion: region,
        sourceIPAddress: u.ip,
        userAgent: userAgent(u.ua, ASSUME_ROLE_API, rng),
        requestParameters: request,
        responseElements: {
          credentials: {
            accessKeyId: s.key,
            sessionToken: `AQoDYXdzEXAMPLE${rng.alnum(24)}`,
            expiration: iamDate(t + HOUR_MS),
          },
          assumedRoleUser: {
            assumedRoleId: `${role.roleId}:${u.userName}`,
            arn: assumedRoleArn(env.account, role.roleName, u.userName),
          },
        },
        readOnly: true,
        resources: [{ accountId: env.account, type: 'AWS::IAM::Role', ARN: arn }],
        eventType: 'AwsApiCall',
        managementEvent: true,
        recipientAccountId: env.account,
        eventCategory: 'Management',
        tlsDetails: tls(endpointHost('sts', region)),
      },
      this.userIdentity(env, u, rng.pick(u.keys)).json,
      rng.uuid(),
      rng.uuid(),
    );
  }

  /** AWS services on their own: assuming workload roles, using KMS for S3 and Secrets Manager. */
  private serviceCall(rng: Rng, env: AccountEnv, region: string, t: number): string {
    const assume = rng.chance(0.6);
    const base = {
      eventTime: eventTime(t),
      awsRegion: region,
      eventType: 'AwsApiCall' as const,
      managementEvent: true,
      recipientAccountId: env.account,
      eventCategory: 'Management' as const,
      sharedEventID: rng.uuid(),
    };
    if (assume) {
      const w = rng.pick(env.workloads);
      const service = w.ec2
        ? 'ec2.amazonaws.com'
        : w.role.roleName.includes('ecs')
          ? 'ecs-tasks.amazonaws.com'
          : 'lambda.amazonaws.com';
      const arn = roleArn(env.account, w.role.roleName);
      return recordJson(
        {
          ...base,
          eventSource: 'sts.amazonaws.com',
          eventName: 'AssumeRole',
          sourceIPAddress: service,
          userAgent: service,
          requestParameters: { roleArn: arn, roleSessionName: w.sessionName },
          responseElements: null,
          readOnly: true,
          resources: [{ accountId: env.account, type: 'AWS::IAM::Role', ARN: arn }],
        },
        JSON.stringify(awsServiceIdentity(service)),
        rng.uuid(),
        rng.uuid(),
      );
    }
    const service = rng.pick([
      's3.amazonaws.com',
      'secretsmanager.amazonaws.com',
      'cloudtrail.amazonaws.com',
    ]);
    const x: Ctx = { rng, env, region, arn: '', who: service };
    return recordJson(
      {
        ...base,
        eventSource: 'kms.amazonaws.com',
        eventName: rng.chance(0.5) ? 'Decrypt' : 'GenerateDataKey',
        sourceIPAddress: service,
        userAgent: service,
        requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
        responseElements: null,
        readOnly: true,
        resources: kmsResources(x),
      },
      JSON.stringify(awsServiceIdentity(service)),
      rng.uuid(),
      rng.uuid(),
    );
  }
}

const KMS_SERVICE_IDENTITY = JSON.stringify(awsServiceIdentity('kms.amazonaws.com'));
const ASSUME_ROLE_API = a('sts', 'AssumeRole', true, 1);

/** The error a service returns when the caller's policies do not allow the call. */
function denial(api: Api, x: Ctx): [string, string] {
  if (api.service === 'ec2')
    return ['Client.UnauthorizedOperation', 'You are not authorized to perform this operation.'];
  if (api.service === 's3') return ['AccessDenied', 'Access Denied'];
  const action = `${api.service === 'monitoring' ? 'cloudwatch' : api.service}:${api.name.replace(/\d{8}(v\d)?$/, '')}`;
  return ['AccessDenied', `User: ${x.arn} is not authorized to perform: ${action} on resource: *`];
}
