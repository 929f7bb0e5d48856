import { ACTION_PREFIXES } from '../../../lib/queries/investigation';
import { ResourceAction } from '../types';

/**
 * Which resource a CloudTrail call acted on, read from its request parameters and response
 * elements: the query library pulls one name per call, but a snapshot's id is only in the
 * response, RunInstances may start several instances, and an access key is named by its id,
 * not its user. Covers the services an actor with a stolen key commonly touches; any other
 * call is described by the first name-like field of its request.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface ResourceRef {
  readonly type: string;
  readonly name: string | null;
  readonly arn?: string;
  readonly detail?: string;
}

export interface CallDetails {
  readonly eventSource: string;
  readonly eventName: string;
  readonly request: Json;
  readonly response: Json;
  readonly region: string;
  readonly account: string | null;
}

/** Parses a requestparameters/responseelements cell; the text `null` and bad JSON are null. */
export function parseJsonCell(cell: string | null): Json {
  if (cell === null || cell === '' || cell === 'null') return null;
  try {
    return JSON.parse(cell) as Json;
  } catch {
    return null;
  }
}

function at(doc: Json, path: string): Json | undefined {
  let value: Json | undefined = doc;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as JsonObject)[part];
  }
  return value;
}

function text(doc: Json, path: string): string | undefined {
  const value = at(doc, path);
  return typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined;
}

function first(doc: Json, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    const value = text(doc, path);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Values of `field` in the items of a CloudTrail `xxxSet.items` list. */
function items(doc: Json, listPath: string, field: string): string[] {
  const list = at(doc, listPath);
  if (!Array.isArray(list)) return [];
  return list.map((item) => text(item, field)).filter((value): value is string => value !== undefined);
}

/** `iam.amazonaws.com` -> `IAM`: the service part of a CloudFormation type. */
const SERVICE_NAMES: Readonly<Record<string, string>> = {
  iam: 'IAM',
  sts: 'STS',
  s3: 'S3',
  ec2: 'EC2',
  kms: 'KMS',
  rds: 'RDS',
  sns: 'SNS',
  sqs: 'SQS',
  ssm: 'SSM',
  ecr: 'ECR',
  ecs: 'ECS',
  eks: 'EKS',
  logs: 'Logs',
  lambda: 'Lambda',
  secretsmanager: 'SecretsManager',
  dynamodb: 'DynamoDB',
  cloudtrail: 'CloudTrail',
  cloudformation: 'CloudFormation',
  guardduty: 'GuardDuty',
  securityhub: 'SecurityHub',
  config: 'Config',
  organizations: 'Organizations',
  signin: 'SignIn',
  monitoring: 'CloudWatch',
  events: 'Events',
  elasticloadbalancing: 'ElasticLoadBalancing',
  route53: 'Route53',
  apigateway: 'ApiGateway',
  cognito: 'Cognito',
};

export function serviceType(eventSource: string): string {
  const prefix = eventSource.split('.')[0] ?? eventSource;
  const name = SERVICE_NAMES[prefix] ?? prefix.charAt(0).toUpperCase() + prefix.slice(1);
  return `AWS::${name}`;
}

const one = (type: string, name: string | undefined, detail?: string): ResourceRef[] =>
  name === undefined ? [] : [{ type, name, ...(detail ? { detail } : {}) }];

function s3(c: CallDetails): ResourceRef[] {
  const bucket = text(c.request, 'bucketName');
  if (bucket === undefined) return [];
  const key = text(c.request, 'key');
  const detail = bucketExposure(c);
  if (key !== undefined) {
    return [
      {
        type: 'AWS::S3::Object',
        name: `${bucket}/${key}`,
        arn: `arn:aws:s3:::${bucket}/${key}`,
        ...(detail ? { detail } : {}),
      },
    ];
  }
  return [
    { type: 'AWS::S3::Bucket', name: bucket, arn: `arn:aws:s3:::${bucket}`, ...(detail ? { detail } : {}) },
  ];
}

function iam(c: CallDetails): ResourceRef[] {
  const e = c.eventName;
  const user = first(c.request, ['userName']) ?? first(c.response, ['accessKey.userName', 'user.userName']);
  const policy = first(c.request, ['policyArn', 'policyName']);
  if (/AccessKey/.test(e)) {
    const key = first(c.response, ['accessKey.accessKeyId']) ?? first(c.request, ['accessKeyId']);
    const status = text(c.request, 'status');
    return one('AWS::IAM::AccessKey', key, [user && `of ${user}`, status].filter(Boolean).join(', '));
  }
  if (/LoginProfile/.test(e)) return one('AWS::IAM::LoginProfile', user);
  if (/^(Attach|Detach|Put|Delete)UserPolicy$/.test(e)) return one('AWS::IAM::User', user, policy);
  if (/^(Add|Remove)User(To|From)Group$/.test(e)) {
    return one(
      'AWS::IAM::User',
      user,
      text(c.request, 'groupName') && `group ${text(c.request, 'groupName')}`,
    );
  }
  if (/^(Attach|Detach|Put|Delete)RolePolicy$/.test(e)) {
    return one('AWS::IAM::Role', text(c.request, 'roleName'), policy);
  }
  if (/^(Attach|Detach|Put|Delete)GroupPolicy$/.test(e)) {
    return one('AWS::IAM::Group', text(c.request, 'groupName'), policy);
  }
  if (/Role|AssumeRolePolicy/.test(e) && !/InstanceProfile/.test(e)) {
    return one('AWS::IAM::Role', first(c.request, ['roleName']) ?? first(c.response, ['role.roleName']));
  }
  if (/Group/.test(e)) return one('AWS::IAM::Group', first(c.request, ['groupName']));
  if (/InstanceProfile/.test(e))
    return one('AWS::IAM::InstanceProfile', text(c.request, 'instanceProfileName'));
  if (/Policy/.test(e)) {
    return one(
      'AWS::IAM::Policy',
      first(c.response, ['policy.arn']) ?? first(c.request, ['policyArn', 'policyName']),
    );
  }
  if (/MFADevice/.test(e)) {
    return one('AWS::IAM::MFADevice', first(c.request, ['serialNumber', 'virtualMFADeviceName']), user);
  }
  if (/User/.test(e)) return one('AWS::IAM::User', user);
  return [];
}

/** `shared with account 111122223333` / `made public` for a permission list's `add` items. */
function sharing(doc: Json, listPath: string): string | undefined {
  const users = items(doc, listPath, 'userId');
  const groups = items(doc, listPath, 'group');
  const parts = [
    ...(users.length > 0 ? [`shared with account ${users.join(', ')}`] : []),
    ...(groups.includes('all') ? ['made public (group all)'] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** `tcp 22 from 0.0.0.0/0` for each rule of an ingress or egress authorization. */
function permissions(c: CallDetails): string | undefined {
  const list = at(c.request, 'ipPermissions.items');
  if (!Array.isArray(list)) return undefined;
  const rules = list.map((p) => {
    const protocol = text(p, 'ipProtocol') ?? '?';
    const from = text(p, 'fromPort');
    const to = text(p, 'toPort');
    const ports = from === undefined ? '' : from === to || to === undefined ? ` ${from}` : ` ${from}-${to}`;
    const sources = [
      ...items(p, 'ipRanges.items', 'cidrIp'),
      ...items(p, 'ipv6Ranges.items', 'cidrIpv6'),
      ...items(p, 'groups.items', 'groupId'),
    ];
    return `${protocol === '-1' ? 'all traffic' : protocol}${ports} from ${sources.join(', ') || '?'}`;
  });
  return rules.length > 0
    ? `${/Egress/.test(c.eventName) ? 'egress' : 'ingress'} ${rules.join('; ')}`
    : undefined;
}

function ec2(c: CallDetails): ResourceRef[] {
  const e = c.eventName;
  if (e === 'RunInstances') {
    const profile = first(c.request, ['iamInstanceProfile.arn', 'iamInstanceProfile.name']);
    return items(c.response, 'instancesSet.items', 'instanceId').map((name) => ({
      type: 'AWS::EC2::Instance',
      name,
      ...(profile ? { detail: `instance profile ${profile}` } : {}),
    }));
  }
  if (/Instances?$|InstanceAttribute$|IamInstanceProfile$/.test(e)) {
    const ids = items(c.request, 'instancesSet.items', 'instanceId');
    const single = text(c.request, 'instanceId');
    const profile = first(c.request, ['iamInstanceProfile.arn', 'iamInstanceProfile.name']);
    return (ids.length > 0 ? ids : single ? [single] : []).map((name) => ({
      type: 'AWS::EC2::Instance',
      name,
      ...(profile ? { detail: `instance profile ${profile}` } : {}),
    }));
  }
  if (/Snapshot/.test(e)) {
    return one(
      'AWS::EC2::Snapshot',
      first(c.response, ['snapshotId']) ?? first(c.request, ['snapshotId']),
      sharing(c.request, 'createVolumePermission.add.items'),
    );
  }
  if (/Volume/.test(e))
    return one('AWS::EC2::Volume', first(c.response, ['volumeId']) ?? first(c.request, ['volumeId']));
  if (/Image/.test(e)) {
    return one(
      'AWS::EC2::Image',
      first(c.response, ['imageId']) ?? first(c.request, ['imageId']),
      sharing(c.request, 'launchPermission.add.items'),
    );
  }
  if (/SecurityGroup/.test(e)) {
    return one(
      'AWS::EC2::SecurityGroup',
      first(c.response, ['groupId']) ?? first(c.request, ['groupId', 'groupName']),
      permissions(c),
    );
  }
  if (/KeyPair/.test(e)) return one('AWS::EC2::KeyPair', first(c.request, ['keyName']));
  if (/Vpc$/.test(e))
    return one('AWS::EC2::VPC', first(c.response, ['vpc.vpcId']) ?? first(c.request, ['vpcId']));
  return [];
}

/** SSM: the instances a command or session targets, else the parameter or document named. */
function ssm(c: CallDetails): ResourceRef[] {
  const document = text(c.request, 'documentName');
  const targets = at(c.request, 'targets');
  const fromTargets = Array.isArray(targets)
    ? targets
        .filter((t) => text(t, 'key') === 'InstanceIds')
        .flatMap((t) => {
          const values = at(t, 'values');
          return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
        })
    : [];
  const listed = at(c.request, 'instanceIds');
  const ids = [
    ...(Array.isArray(listed) ? listed.filter((v): v is string => typeof v === 'string') : []),
    ...fromTargets,
    ...(c.eventName === 'StartSession' && text(c.request, 'target')
      ? [text(c.request, 'target') as string]
      : []),
  ];
  if (ids.length > 0) {
    return [...new Set(ids)].map((name) => ({
      type: 'AWS::EC2::Instance',
      name,
      ...(document ? { detail: `${c.eventName} ${document}` } : { detail: c.eventName }),
    }));
  }
  return one('AWS::SSM::Parameter', first(c.request, ['name']));
}

/** Whether a bucket policy document lets anyone in (`"Principal": "*"` or `{"AWS": "*"}`, Allow). */
function publicPolicy(policy: Json | undefined): boolean {
  const doc = typeof policy === 'string' ? parseJsonCell(policy) : (policy ?? null);
  const statements = at(doc, 'Statement');
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return list.some((st) => {
    if (text(st, 'Effect') !== 'Allow') return false;
    const principal = at(st, 'Principal');
    const aws = at(principal ?? null, 'AWS');
    return principal === '*' || aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  });
}

const PUBLIC_GRANTEES = /\/global\/(AllUsers|AuthenticatedUsers)$/;

/** `makes the bucket public` for a policy or ACL write that opens the bucket to anyone. */
function bucketExposure(c: CallDetails): string | undefined {
  if (c.eventName === 'PutBucketPolicy' && publicPolicy(at(c.request, 'bucketPolicy'))) {
    return 'makes the bucket public (policy allows Principal *)';
  }
  if (c.eventName === 'PutBucketAcl' || c.eventName === 'PutObjectAcl') {
    const canned = text(c.request, 'x-amz-acl');
    if (canned && /public-read|authenticated-read/.test(canned)) return `makes it public (ACL ${canned})`;
    const grants = at(c.request, 'AccessControlPolicy.AccessControlList.Grant');
    const list = Array.isArray(grants) ? grants : grants ? [grants] : [];
    const open = list
      .map((g) => text(g, 'Grantee.URI'))
      .filter((u): u is string => !!u && PUBLIC_GRANTEES.test(u));
    if (open.length > 0)
      return `makes it public (ACL grant to ${open.map((u) => u.split('/').pop()).join(', ')})`;
  }
  return undefined;
}

/** Lambda: the function, with the role it runs as when the call sets one. */
function lambda(c: CallDetails): ResourceRef[] {
  const role = first(c.request, ['role']);
  return one(
    'AWS::Lambda::Function',
    first(c.request, ['functionName']) ?? first(c.response, ['functionName']),
    role ? `runs as ${role}` : undefined,
  );
}

/** Per service: the type and the request/response fields naming the resource. */
const BY_FIELD: Readonly<
  Record<string, readonly (readonly [string, readonly string[], readonly string[]])[]>
> = {
  secretsmanager: [['AWS::SecretsManager::Secret', ['secretId', 'name'], ['name', 'aRN']]],
  kms: [
    ['AWS::KMS::Alias', ['aliasName'], []],
    ['AWS::KMS::Key', ['keyId'], ['keyMetadata.keyId']],
  ],
  logs: [['AWS::Logs::LogGroup', ['logGroupName'], []]],
  cloudtrail: [['AWS::CloudTrail::Trail', ['name', 'trailName'], ['name']]],
  guardduty: [['AWS::GuardDuty::Detector', ['detectorId'], ['detectorId']]],
  rds: [
    ['AWS::RDS::DBSnapshot', ['dBSnapshotIdentifier'], []],
    ['AWS::RDS::DBCluster', ['dBClusterIdentifier'], []],
    ['AWS::RDS::DBInstance', ['dBInstanceIdentifier'], []],
  ],
  dynamodb: [['AWS::DynamoDB::Table', ['tableName'], []]],
  sns: [['AWS::SNS::Topic', ['topicArn', 'name'], ['topicArn']]],
  sqs: [['AWS::SQS::Queue', ['queueUrl', 'queueName'], ['queueUrl']]],
  cloudformation: [['AWS::CloudFormation::Stack', ['stackName'], []]],
  ecr: [['AWS::ECR::Repository', ['repositoryName'], []]],
  config: [['AWS::Config::ConfigurationRecorder', ['configurationRecorderName'], []]],
};

/** Request fields that name a resource in most APIs, for services without a rule above. */
const GENERIC_NAME_FIELDS = ['name', 'resourceArn', 'arn', 'id', 'clusterName', 'functionName', 'stackName'];

/** The resources a call acted on; a call on no one resource (ListBuckets) gives the service alone. */
export function describeResources(c: CallDetails): ResourceRef[] {
  const service = c.eventSource.split('.')[0] ?? '';
  let refs: ResourceRef[];
  if (service === 's3') refs = s3(c);
  else if (service === 'iam') refs = iam(c);
  else if (service === 'ec2') refs = ec2(c);
  else if (service === 'ssm') refs = ssm(c);
  else if (service === 'lambda') refs = lambda(c);
  else if (BY_FIELD[service]) {
    refs = [];
    for (const [type, request, response] of BY_FIELD[service]) {
      const name = first(c.request, request) ?? first(c.response, response);
      if (name !== undefined) {
        refs = [{ type, name }];
        break;
      }
    }
  } else {
    const name = first(c.request, GENERIC_NAME_FIELDS);
    refs = name === undefined ? [] : [{ type: serviceType(c.eventSource), name }];
  }
  return refs.length > 0 ? refs : [{ type: serviceType(c.eventSource), name: null }];
}

/** Calls whose verb misleads: attaching a policy changes the user, putting bucket settings changes the bucket. */
const ACTION_OVERRIDES: Readonly<Record<string, ResourceAction>> = {
  AttachUserPolicy: 'modified',
  AttachRolePolicy: 'modified',
  AttachGroupPolicy: 'modified',
  PutUserPolicy: 'modified',
  PutRolePolicy: 'modified',
  PutGroupPolicy: 'modified',
  AddUserToGroup: 'modified',
  DetachUserPolicy: 'modified',
  DetachRolePolicy: 'modified',
  DetachGroupPolicy: 'modified',
  RemoveUserFromGroup: 'modified',
  DeleteUserPolicy: 'modified',
  DeleteRolePolicy: 'modified',
  UpdateAssumeRolePolicy: 'modified',
  UpdateAccessKey: 'modified',
  // Running a command on an instance, or opening a shell on it, acts on the instance.
  SendCommand: 'modified',
  StartSession: 'modified',
};

/** Calls that mint or set credentials: the timeline's `credentials` class. */
const CREDENTIAL_EVENTS = new Set([
  'GetSessionToken',
  'GetFederationToken',
  'CreateAccessKey',
  'CreateLoginProfile',
  'UpdateLoginProfile',
]);

/** AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity, AssumeRoot, GetSessionToken, ... */
export function isCredentialEvent(eventName: string): boolean {
  return eventName.startsWith('AssumeRo') || CREDENTIAL_EVENTS.has(eventName);
}

/**
 * created / modified / deleted / probed, or undefined for calls that act on no resource
 * (AssumeRole, ConsoleLogin, Decrypt): the library's verb classes, with the overrides above
 * and `Put...` on anything but an object or parameter counted as a change of settings.
 */
export function classifyAction(eventName: string, type?: string): ResourceAction | undefined {
  const override = ACTION_OVERRIDES[eventName];
  if (override) return override;
  for (const [action, prefixes] of ACTION_PREFIXES) {
    if (!prefixes.some((p) => eventName.startsWith(p))) continue;
    if (
      action === 'created' &&
      eventName.startsWith('Put') &&
      type !== undefined &&
      !['AWS::S3::Object', 'AWS::SSM::Parameter', 'AWS::SecretsManager::Secret'].includes(type)
    ) {
      return 'modified';
    }
    return action as ResourceAction;
  }
  return undefined;
}
