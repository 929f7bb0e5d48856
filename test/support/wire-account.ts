/**
 * An AWS account in memory, served over the wire (test/support/aws-wire.ts): IAM users, roles,
 * keys and policies, S3 bucket policies and tags, and CloudFormation stacks with their
 * resources. The real SDK clients talk to it and get AWS's documented bodies, errors included
 * (NoSuchEntity, LimitExceeded, NoSuchBucketPolicy, NoSuchTagSet, ValidationError), so the code
 * under test meets the errors it will meet in a real account.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';

import {
  AwsWire,
  awsQueryError,
  cfnXml,
  ec2Error,
  ec2Filters,
  ec2List,
  ec2Xml,
  iamNoSuchEntity,
  iamXml,
  noContent,
  queryXml,
  s3Error,
  s3Xml,
  startAwsWire,
  WireParams,
  WireResponse,
  xmlEscape,
} from './aws-wire';
import { ContainClients } from '../../orchestrator/contain/aws';
import { s3Normalize } from './s3-normalize';

export const ACCOUNT = '777777777777';
export const REGION = 'us-east-1';

export interface Principal {
  name: string;
  path: string;
  tags: Array<{ Key: string; Value: string }>;
  attached: string[];
  inline: Map<string, string>;
  keys: Map<string, 'Active' | 'Inactive'>;
  loginProfile?: boolean;
  groups?: string[];
  /** MFA device serial numbers (virtual: `arn:aws:iam::...:mfa/NAME`). */
  mfa?: string[];
}

export interface BucketVersion {
  Key: string;
  VersionId: string;
  deleteMarker?: boolean;
}

export interface Bucket {
  policy?: string;
  tags?: Array<{ Key: string; Value: string }>;
  versions?: BucketVersion[];
}

export interface Ec2Instance {
  id: string;
  state: string;
  vpcId?: string;
  enis: Array<{ id: string; groups: string[] }>;
  /** The associated instance profile's ARN. */
  profile?: string;
  tags: Array<{ Key: string; Value: string }>;
  termination: boolean;
  stop: boolean;
}

export interface Ec2Group {
  id: string;
  name: string;
  vpcId: string;
  tags: Array<{ Key: string; Value: string }>;
  ingress: Array<{ protocol: string; cidr: string }>;
  egress: Array<{ protocol: string; cidr: string }>;
}

export interface StackResource {
  logicalId: string;
  type: string;
  status: string;
  physicalId?: string;
}

export interface FakeStack {
  name: string;
  id: string;
  status: string;
  parameters: Record<string, string>;
  resources: StackResource[];
}

export interface WireAccountOptions {
  /** Items per page of IAM list calls (to prove pagination). @default 100 */
  readonly pageSize?: number;
  /** Managed policies a user or role may hold (IAM's default quota). @default 10 */
  readonly managedPolicyQuota?: number;
}

const x = xmlEscape;
const member = (inner: string) => `<member>${inner}</member>`;

export class WireAccount {
  public readonly users = new Map<string, Principal>();
  public readonly roles = new Map<string, Principal>();
  public readonly buckets = new Map<string, Bucket>();
  public readonly stacks: FakeStack[] = [];
  public readonly instances = new Map<string, Ec2Instance>();
  public readonly groups = new Map<string, Ec2Group>();
  /** Instance profile name -> its role's name. */
  public readonly instanceProfiles = new Map<string, string>();
  /** IAM's eventual consistency: DeleteUser / DeleteRole answer DeleteConflict this many more times after the last dependency is gone. */
  public lagging = 0;
  private readonly pageSize: number;
  private groupCounter = 0;
  private readonly quota: number;

  private constructor(
    public readonly wire: AwsWire,
    options: WireAccountOptions,
  ) {
    this.pageSize = options.pageSize ?? 100;
    this.quota = options.managedPolicyQuota ?? 10;
    this.routeIam();
    this.routeS3();
    this.routeCloudFormation();
    this.routeEc2();
    this.routeDeletion();
  }

  static async start(options: WireAccountOptions = {}): Promise<WireAccount> {
    return new WireAccount(await startAwsWire(), options);
  }

  /** Real SDK clients pointed at this account. */
  clients(maxAttempts = 1): {
    iam: IAMClient;
    s3: S3Client;
    ec2: EC2Client;
    cloudFormation: CloudFormationClient;
  } {
    return {
      iam: new IAMClient(this.wire.clientConfig('iam', { maxAttempts })),
      ec2: new EC2Client(this.wire.clientConfig('ec2', { maxAttempts })),
      s3: new S3Client(this.wire.clientConfig('s3', { maxAttempts })),
      cloudFormation: new CloudFormationClient(this.wire.clientConfig('cloudformation', { maxAttempts })),
    };
  }

  addUser(name: string, init: Partial<Omit<Principal, 'name'>> = {}): Principal {
    const user = this.principal(name, init);
    this.users.set(name.toLowerCase(), user);
    return user;
  }

  addRole(name: string, init: Partial<Omit<Principal, 'name'>> = {}): Principal {
    const role = this.principal(name, init);
    this.roles.set(name.toLowerCase(), role);
    return role;
  }

  addStack(
    name: string,
    parameters: Record<string, string>,
    uuid = '11111111-2222-4333-8444-555555555555',
  ): FakeStack {
    const stack: FakeStack = {
      name,
      id: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/${uuid}`,
      status: 'CREATE_IN_PROGRESS',
      parameters,
      resources: [],
    };
    this.stacks.push(stack);
    return stack;
  }

  /** Writes to IAM and S3 so far, as `Operation target` lines. */
  writes(): string[] {
    const reads = /^(Get|List|Describe|Head)/;
    return this.wire.calls
      .filter((c) => c.service !== 'cloudformation' && !reads.test(c.operation))
      .map((c) =>
        `${c.operation} ${c.params.UserName ?? c.params.RoleName ?? c.params.Bucket ?? c.params.InstanceId ?? c.params.NetworkInterfaceId ?? c.params.GroupId ?? c.params.AssociationId ?? ''}`.trim(),
      );
  }

  /** An instance in a VPC, one interface with `groups`, optionally with an instance profile of `role`. */
  addInstance(
    id: string,
    init: Partial<Omit<Ec2Instance, 'id'>> & { readonly role?: string } = {},
  ): Ec2Instance {
    const { role, ...rest } = init;
    const profileName = role ? `${role}-profile` : undefined;
    if (role && profileName) this.instanceProfiles.set(profileName, role);
    const instance: Ec2Instance = {
      id,
      state: 'running',
      vpcId: 'vpc-1a2b3c4d',
      enis: [{ id: `eni-${id.slice(2, 10)}`, groups: ['sg-903004f8'] }],
      tags: [],
      termination: false,
      stop: false,
      ...(profileName ? { profile: `arn:aws:iam::${ACCOUNT}:instance-profile/${profileName}` } : {}),
      ...rest,
    };
    this.instances.set(id, instance);
    return instance;
  }

  close(): Promise<void> {
    return this.wire.close();
  }

  private principal(name: string, init: Partial<Omit<Principal, 'name'>>): Principal {
    return {
      name,
      path: init.path ?? '/',
      tags: init.tags ?? [],
      attached: init.attached ?? [],
      inline: init.inline ?? new Map(),
      keys: init.keys ?? new Map(),
      ...(init.loginProfile ? { loginProfile: true } : {}),
      ...(init.groups ? { groups: init.groups } : {}),
      ...(init.mfa ? { mfa: init.mfa } : {}),
    };
  }

  private arn(kind: 'user' | 'role', p: Principal): string {
    return `arn:aws:iam::${ACCOUNT}:${kind}${p.path}${p.name}`;
  }

  private page<T>(items: T[], params: WireParams): { items: T[]; tail: string } {
    const start = Number(params.Marker ?? '0');
    const slice = items.slice(start, start + this.pageSize);
    const more = start + this.pageSize < items.length;
    return {
      items: slice,
      tail: more
        ? `<IsTruncated>true</IsTruncated><Marker>${start + this.pageSize}</Marker>`
        : '<IsTruncated>false</IsTruncated>',
    };
  }

  private routeIam(): void {
    const w = this.wire;
    for (const kind of ['user', 'role'] as const) {
      const K = kind === 'user' ? 'User' : 'Role';
      const table = kind === 'user' ? this.users : this.roles;
      const find = (params: WireParams): Principal | WireResponse => {
        const name = params[`${K}Name`] ?? '';
        return table.get(name.toLowerCase()) ?? iamNoSuchEntity(kind, name);
      };
      const withP = (f: (p: Principal, params: WireParams) => WireResponse) => (params: WireParams) => {
        const p = find(params);
        return 'status' in p || 'body' in p ? (p as WireResponse) : f(p as Principal, params);
      };
      w.on(
        'iam',
        `Get${K}`,
        withP((p) => {
          const extra = kind === 'role' ? `<AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument>` : '';
          return iamXml(
            `Get${K}`,
            `<${K}><Path>${x(p.path)}</Path><${K}Name>${x(p.name)}</${K}Name><${K}Id>AIDACKCEVSQ6C2EXAMPLE</${K}Id>` +
              `<Arn>${x(this.arn(kind, p))}</Arn><CreateDate>2021-07-24T02:22:33Z</CreateDate>${extra}</${K}>`,
          );
        }),
      );
      w.on(
        'iam',
        `List${K}Tags`,
        withP((p, params) => {
          const { items, tail } = this.page(p.tags, params);
          const tags = items
            .map((t) => member(`<Key>${x(t.Key)}</Key><Value>${x(t.Value)}</Value>`))
            .join('');
          return iamXml(`List${K}Tags`, `<Tags>${tags}</Tags>${tail}`);
        }),
      );
      w.on(
        'iam',
        `ListAttached${K}Policies`,
        withP((p, params) => {
          const { items, tail } = this.page(p.attached, params);
          const list = items
            .map((arn) =>
              member(
                `<PolicyName>${x(arn.split('/').pop() ?? '')}</PolicyName><PolicyArn>${x(arn)}</PolicyArn>`,
              ),
            )
            .join('');
          return iamXml(`ListAttached${K}Policies`, `<AttachedPolicies>${list}</AttachedPolicies>${tail}`);
        }),
      );
      w.on(
        'iam',
        `Attach${K}Policy`,
        withP((p, params) => {
          if (!p.attached.includes(params.PolicyArn)) {
            if (p.attached.length >= this.quota) {
              return awsQueryError({
                service: 'iam',
                code: 'LimitExceeded',
                status: 409,
                message: `Cannot exceed quota for PoliciesPer${K}: ${this.quota}`,
              });
            }
            p.attached.push(params.PolicyArn);
          }
          return iamXml(`Attach${K}Policy`);
        }),
      );
      w.on(
        'iam',
        `Detach${K}Policy`,
        withP((p, params) => {
          if (!p.attached.includes(params.PolicyArn)) {
            return awsQueryError({
              service: 'iam',
              code: 'NoSuchEntity',
              status: 404,
              message: `Policy ${params.PolicyArn} was not found.`,
            });
          }
          p.attached = p.attached.filter((a) => a !== params.PolicyArn);
          return iamXml(`Detach${K}Policy`);
        }),
      );
      w.on(
        'iam',
        `Get${K}Policy`,
        withP((p, params) => {
          const doc = p.inline.get(params.PolicyName);
          if (doc === undefined) {
            return awsQueryError({
              service: 'iam',
              code: 'NoSuchEntity',
              status: 404,
              message: `The ${kind} policy with name ${params.PolicyName} cannot be found.`,
            });
          }
          return iamXml(
            `Get${K}Policy`,
            `<${K}Name>${x(p.name)}</${K}Name><PolicyName>${x(params.PolicyName)}</PolicyName>` +
              `<PolicyDocument>${x(encodeURIComponent(doc))}</PolicyDocument>`,
          );
        }),
      );
      w.on(
        'iam',
        `Put${K}Policy`,
        withP((p, params) => {
          p.inline.set(params.PolicyName, params.PolicyDocument);
          return iamXml(`Put${K}Policy`);
        }),
      );
      w.on(
        'iam',
        `Delete${K}Policy`,
        withP((p, params) => {
          if (!p.inline.delete(params.PolicyName)) {
            return awsQueryError({
              service: 'iam',
              code: 'NoSuchEntity',
              status: 404,
              message: `The ${kind} policy with name ${params.PolicyName} cannot be found.`,
            });
          }
          return iamXml(`Delete${K}Policy`);
        }),
      );
    }
    const user = (params: WireParams) => this.users.get((params.UserName ?? '').toLowerCase());
    w.on('iam', 'ListAccessKeys', (params) => {
      const u = user(params);
      if (!u) return iamNoSuchEntity('user', params.UserName ?? '');
      const { items, tail } = this.page([...u.keys], params);
      const keys = items
        .map(([id, status]) =>
          member(
            `<UserName>${x(u.name)}</UserName><AccessKeyId>${id}</AccessKeyId><Status>${status}</Status>` +
              '<CreateDate>2021-07-24T02:22:35Z</CreateDate>',
          ),
        )
        .join('');
      return iamXml(
        'ListAccessKeys',
        `<UserName>${x(u.name)}</UserName><AccessKeyMetadata>${keys}</AccessKeyMetadata>${tail}`,
      );
    });
    w.on('iam', 'UpdateAccessKey', (params) => {
      const u = user(params);
      if (!u || !u.keys.has(params.AccessKeyId)) {
        return awsQueryError({
          service: 'iam',
          code: 'NoSuchEntity',
          status: 404,
          message: `The Access Key with id ${params.AccessKeyId} cannot be found.`,
        });
      }
      u.keys.set(params.AccessKeyId, params.Status as 'Active' | 'Inactive');
      return iamXml('UpdateAccessKey');
    });
  }

  private routeS3(): void {
    const w = this.wire;
    const noBucket = (name: string) =>
      s3Error({
        code: 'NoSuchBucket',
        message: 'The specified bucket does not exist',
        status: 404,
        bucket: name,
      });
    w.on('s3', 'GetBucketPolicy', (params) => {
      const b = this.buckets.get(params.Bucket);
      if (!b) return noBucket(params.Bucket);
      if (b.policy === undefined) {
        return s3Error({
          code: 'NoSuchBucketPolicy',
          message: 'The bucket policy does not exist',
          status: 404,
          bucket: params.Bucket,
        });
      }
      return { status: 200, headers: { 'content-type': 'application/json' }, body: b.policy };
    });
    w.on('s3', 'PutBucketPolicy', (params, call) => {
      const b = this.buckets.get(params.Bucket);
      if (!b) return noBucket(params.Bucket);
      b.policy = s3Normalize(call.body);
      return noContent(204);
    });
    w.on('s3', 'DeleteBucketPolicy', (params) => {
      const b = this.buckets.get(params.Bucket);
      if (!b) return noBucket(params.Bucket);
      delete b.policy;
      return noContent(204);
    });
    w.on('s3', 'GetBucketTagging', (params) => {
      const b = this.buckets.get(params.Bucket);
      if (!b) return noBucket(params.Bucket);
      if (!b.tags)
        return s3Error({
          code: 'NoSuchTagSet',
          message: 'The TagSet does not exist',
          status: 404,
          bucket: params.Bucket,
        });
      const tags = b.tags
        .map((t) => `<Tag><Key>${x(t.Key)}</Key><Value>${x(t.Value)}</Value></Tag>`)
        .join('');
      return s3Xml('Tagging', `<TagSet>${tags}</TagSet>`);
    });
  }

  private routeEc2(): void {
    const w = this.wire;
    const tagSet = (tags: Array<{ Key: string; Value: string }>) =>
      `<tagSet>${tags.map((t) => `<item><key>${x(t.Key)}</key><value>${x(t.Value)}</value></item>`).join('')}</tagSet>`;
    const notFound = (id: string) =>
      ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    const groupXml = (g: Ec2Group) => {
      const rules = (list: Ec2Group['egress']) =>
        list
          .map(
            (r) =>
              `<item><ipProtocol>${x(r.protocol)}</ipProtocol><groups/><ipRanges><item><cidrIp>${x(r.cidr)}</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item>`,
          )
          .join('');
      return (
        `<item><ownerId>${ACCOUNT}</ownerId><groupId>${g.id}</groupId><groupName>${x(g.name)}</groupName>` +
        `<groupDescription>isolation</groupDescription><vpcId>${g.vpcId}</vpcId>` +
        `<ipPermissions>${rules(g.ingress)}</ipPermissions><ipPermissionsEgress>${rules(g.egress)}</ipPermissionsEgress>` +
        `${tagSet(g.tags)}</item>`
      );
    };
    const groupName = (id: string) => this.groups.get(id)?.name ?? 'default';
    w.on('ec2', 'DescribeInstances', (params) => {
      const ids = ec2List(params, 'InstanceId');
      const missing = ids.find((id) => !this.instances.has(id));
      if (missing) return notFound(missing);
      const items = ids
        .map((id) => this.instances.get(id) as Ec2Instance)
        .map(
          (i) =>
            `<item><instanceId>${i.id}</instanceId><instanceState><code>16</code><name>${i.state}</name></instanceState>` +
            (i.vpcId ? `<vpcId>${i.vpcId}</vpcId>` : '') +
            `<groupSet>${(i.enis[0]?.groups ?? []).map((g) => `<item><groupId>${g}</groupId><groupName>${x(groupName(g))}</groupName></item>`).join('')}</groupSet>` +
            `<networkInterfaceSet>${i.enis
              .map(
                (e) =>
                  `<item><networkInterfaceId>${e.id}</networkInterfaceId><groupSet>${e.groups
                    .map(
                      (g) => `<item><groupId>${g}</groupId><groupName>${x(groupName(g))}</groupName></item>`,
                    )
                    .join('')}</groupSet></item>`,
              )
              .join('')}</networkInterfaceSet>` +
            (i.profile
              ? `<iamInstanceProfile><arn>${x(i.profile)}</arn><id>AIPAJQABLZS4A3QDU576Q</id></iamInstanceProfile>`
              : '') +
            `${tagSet(i.tags)}</item>`,
        )
        .join('');
      return ec2Xml(
        'DescribeInstances',
        `<reservationSet><item><reservationId>r-1234567890abcdef0</reservationId><ownerId>${ACCOUNT}</ownerId><instancesSet>${items}</instancesSet></item></reservationSet>`,
      );
    });
    w.on('ec2', 'DescribeInstanceAttribute', (params) => {
      const i = this.instances.get(params.InstanceId);
      if (!i) return notFound(params.InstanceId);
      const value = params.Attribute === 'disableApiStop' ? i.stop : i.termination;
      return ec2Xml(
        'DescribeInstanceAttribute',
        `<instanceId>${i.id}</instanceId><${params.Attribute}><value>${value}</value></${params.Attribute}>`,
      );
    });
    w.on('ec2', 'ModifyInstanceAttribute', (params) => {
      const i = this.instances.get(params.InstanceId);
      if (!i) return notFound(params.InstanceId);
      if (params['DisableApiTermination.Value'] !== undefined)
        i.termination = params['DisableApiTermination.Value'] === 'true';
      if (params['DisableApiStop.Value'] !== undefined) i.stop = params['DisableApiStop.Value'] === 'true';
      return ec2Xml('ModifyInstanceAttribute');
    });
    w.on('ec2', 'CreateSecurityGroup', (params) => {
      const vpcId = params.VpcId;
      if ([...this.groups.values()].some((g) => g.name === params.GroupName && g.vpcId === vpcId)) {
        return ec2Error(
          'InvalidGroup.Duplicate',
          `The security group '${params.GroupName}' already exists for VPC '${vpcId}'`,
        );
      }
      this.groupCounter += 1;
      const id = `sg-0${String(this.groupCounter).padStart(16, '0')}`;
      const tags: Ec2Group['tags'] = [];
      for (let n = 1; params[`TagSpecification.1.Tag.${n}.Key`] !== undefined; n++) {
        tags.push({
          Key: params[`TagSpecification.1.Tag.${n}.Key`],
          Value: params[`TagSpecification.1.Tag.${n}.Value`] ?? '',
        });
      }
      this.groups.set(id, {
        id,
        name: params.GroupName,
        vpcId,
        tags,
        ingress: [],
        egress: [{ protocol: '-1', cidr: '0.0.0.0/0' }],
      });
      return ec2Xml('CreateSecurityGroup', `<return>true</return><groupId>${id}</groupId>${tagSet(tags)}`);
    });
    w.on('ec2', 'DescribeSecurityGroups', (params) => {
      const ids = ec2List(params, 'GroupId');
      const missing = ids.find((id) => !this.groups.has(id));
      if (missing) return ec2Error('InvalidGroup.NotFound', `The security group '${missing}' does not exist`);
      const filters = ec2Filters(params);
      const found = [...this.groups.values()].filter(
        (g) =>
          (ids.length === 0 || ids.includes(g.id)) &&
          (!filters.has('group-name') || filters.get('group-name')?.includes(g.name)) &&
          (!filters.has('vpc-id') || filters.get('vpc-id')?.includes(g.vpcId)),
      );
      return ec2Xml(
        'DescribeSecurityGroups',
        `<securityGroupInfo>${found.map(groupXml).join('')}</securityGroupInfo>`,
      );
    });
    w.on('ec2', 'RevokeSecurityGroupEgress', (params) => {
      const g = this.groups.get(params.GroupId);
      if (!g)
        return ec2Error('InvalidGroup.NotFound', `The security group '${params.GroupId}' does not exist`);
      const protocol = params['IpPermissions.1.IpProtocol'];
      const cidr = params['IpPermissions.1.IpRanges.1.CidrIp'];
      g.egress = g.egress.filter((r) => !(r.protocol === protocol && r.cidr === cidr));
      return ec2Xml('RevokeSecurityGroupEgress');
    });
    w.on('ec2', 'DeleteSecurityGroup', (params) => {
      const g = this.groups.get(params.GroupId);
      if (!g)
        return ec2Error('InvalidGroup.NotFound', `The security group '${params.GroupId}' does not exist`);
      const inUse = [...this.instances.values()].some(
        (i) => i.state !== 'terminated' && i.enis.some((e) => e.groups.includes(g.id)),
      );
      if (inUse) return ec2Error('DependencyViolation', `resource ${g.id} has a dependent object`);
      this.groups.delete(g.id);
      return ec2Xml('DeleteSecurityGroup', `<return>true</return><groupId>${g.id}</groupId>`);
    });
    w.on('ec2', 'ModifyNetworkInterfaceAttribute', (params) => {
      const eni = [...this.instances.values()]
        .flatMap((i) => i.enis)
        .find((e) => e.id === params.NetworkInterfaceId);
      if (!eni)
        return ec2Error(
          'InvalidNetworkInterfaceID.NotFound',
          `The networkInterface ID '${params.NetworkInterfaceId}' does not exist`,
        );
      eni.groups = ec2List(params, 'SecurityGroupId');
      return ec2Xml('ModifyNetworkInterfaceAttribute');
    });
    const association = (i: Ec2Instance, state: string) =>
      `<associationId>iip-assoc-${i.id.slice(2)}</associationId><instanceId>${i.id}</instanceId>` +
      `<iamInstanceProfile><arn>${x(i.profile ?? '')}</arn><id>AIPAJQABLZS4A3QDU576Q</id></iamInstanceProfile><state>${state}</state>`;
    w.on('ec2', 'DescribeIamInstanceProfileAssociations', (params) => {
      const ids = ec2Filters(params).get('instance-id') ?? [];
      const items = ids
        .map((id) => this.instances.get(id))
        .filter((i): i is Ec2Instance => i?.profile !== undefined)
        .map((i) => `<item>${association(i, 'associated')}</item>`)
        .join('');
      return ec2Xml(
        'DescribeIamInstanceProfileAssociations',
        `<iamInstanceProfileAssociationSet>${items}</iamInstanceProfileAssociationSet>`,
      );
    });
    w.on('ec2', 'DisassociateIamInstanceProfile', (params) => {
      const i = [...this.instances.values()].find(
        (k) => params.AssociationId === `iip-assoc-${k.id.slice(2)}` && k.profile,
      );
      if (!i)
        return ec2Error(
          'InvalidAssociationID.NotFound',
          `An association ID '${params.AssociationId}' does not exist`,
        );
      const answer = ec2Xml(
        'DisassociateIamInstanceProfile',
        `<iamInstanceProfileAssociation>${association(i, 'disassociating')}</iamInstanceProfileAssociation>`,
      );
      delete i.profile;
      return answer;
    });
    w.on('ec2', 'AssociateIamInstanceProfile', (params) => {
      const i = this.instances.get(params.InstanceId);
      if (!i) return notFound(params.InstanceId);
      if (i.profile)
        return ec2Error('IncorrectState', `There is an existing association for instance ${i.id}`);
      i.profile = params['IamInstanceProfile.Arn'];
      return ec2Xml(
        'AssociateIamInstanceProfile',
        `<iamInstanceProfileAssociation>${association(i, 'associating')}</iamInstanceProfileAssociation>`,
      );
    });
    w.on('iam', 'GetInstanceProfile', (params) => {
      const role = this.instanceProfiles.get(params.InstanceProfileName);
      if (role === undefined) {
        return awsQueryError({
          service: 'iam',
          code: 'NoSuchEntity',
          status: 404,
          message: `Instance Profile ${params.InstanceProfileName} cannot be found.`,
        });
      }
      return iamXml(
        'GetInstanceProfile',
        `<InstanceProfile><InstanceProfileId>AIPAJQABLZS4A3QDU576Q</InstanceProfileId><Path>/</Path>` +
          `<InstanceProfileName>${x(params.InstanceProfileName)}</InstanceProfileName>` +
          `<Arn>arn:aws:iam::${ACCOUNT}:instance-profile/${x(params.InstanceProfileName)}</Arn><CreateDate>2021-07-24T02:22:33Z</CreateDate>` +
          `<Roles>${member(`<Path>/</Path><RoleName>${x(role)}</RoleName><RoleId>AROADBQP57FF2AEXAMPLE</RoleId><Arn>arn:aws:iam::${ACCOUNT}:role/${x(role)}</Arn><CreateDate>2021-07-24T02:22:33Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument>`)}</Roles></InstanceProfile>`,
      );
    });
  }

  /** What eradication calls: the IAM, S3 and EC2 deletes, STS and ListStacks. */
  private routeDeletion(): void {
    const w = this.wire;
    const user = (params: WireParams) => this.users.get((params.UserName ?? '').toLowerCase());
    const noUser = (params: WireParams) => iamNoSuchEntity('user', params.UserName ?? '');
    const entity = (message: string) =>
      awsQueryError({ service: 'iam', code: 'NoSuchEntity', status: 404, message });
    const list = (action: string, element: string, items: string[]) =>
      iamXml(
        action,
        `<${element}>${items.map(member).join('')}</${element}><IsTruncated>false</IsTruncated>`,
      );
    w.on('sts', 'GetCallerIdentity', () =>
      queryXml(
        'sts',
        'GetCallerIdentity',
        `<Arn>arn:aws:sts::${ACCOUNT}:assumed-role/SecurityBreakGlassRole/responder</Arn><UserId>AROAEXAMPLE:responder</UserId><Account>${ACCOUNT}</Account>`,
      ),
    );
    w.on('iam', 'GetLoginProfile', (params) => {
      const u = user(params);
      if (!u) return noUser(params);
      if (!u.loginProfile) return entity(`Login Profile for User ${params.UserName} cannot be found.`);
      return iamXml(
        'GetLoginProfile',
        `<LoginProfile><UserName>${x(u.name)}</UserName><CreateDate>2021-07-24T02:22:33Z</CreateDate></LoginProfile>`,
      );
    });
    w.on('iam', 'DeleteLoginProfile', (params) => {
      const u = user(params);
      if (!u?.loginProfile) return entity(`Login Profile for User ${params.UserName} cannot be found.`);
      u.loginProfile = false;
      return iamXml('DeleteLoginProfile');
    });
    w.on('iam', 'DeleteAccessKey', (params) => {
      const u = user(params);
      if (!u || !u.keys.delete(params.AccessKeyId))
        return entity(`The Access Key with id ${params.AccessKeyId} cannot be found.`);
      return iamXml('DeleteAccessKey');
    });
    for (const [action, element] of [
      ['ListSSHPublicKeys', 'SSHPublicKeys'],
      ['ListServiceSpecificCredentials', 'ServiceSpecificCredentials'],
      ['ListSigningCertificates', 'Certificates'],
    ] as const) {
      w.on('iam', action, (params) => (user(params) ? list(action, element, []) : noUser(params)));
    }
    w.on('iam', 'ListMFADevices', (params) => {
      const u = user(params);
      if (!u) return noUser(params);
      return list(
        'ListMFADevices',
        'MFADevices',
        (u.mfa ?? []).map(
          (serial) =>
            `<UserName>${x(u.name)}</UserName><SerialNumber>${x(serial)}</SerialNumber><EnableDate>2021-07-24T02:22:33Z</EnableDate>`,
        ),
      );
    });
    w.on('iam', 'DeactivateMFADevice', (params) => {
      const u = user(params);
      if (!u?.mfa?.includes(params.SerialNumber))
        return entity(`MFA device ${params.SerialNumber} cannot be found.`);
      u.mfa = u.mfa.filter((m) => m !== params.SerialNumber);
      return iamXml('DeactivateMFADevice');
    });
    w.on('iam', 'DeleteVirtualMFADevice', () => iamXml('DeleteVirtualMFADevice'));
    w.on('iam', 'ListGroupsForUser', (params) => {
      const u = user(params);
      if (!u) return noUser(params);
      return list(
        'ListGroupsForUser',
        'Groups',
        (u.groups ?? []).map(
          (g) => `<GroupName>${x(g)}</GroupName><Arn>arn:aws:iam::${ACCOUNT}:group/${x(g)}</Arn>`,
        ),
      );
    });
    w.on('iam', 'RemoveUserFromGroup', (params) => {
      const u = user(params);
      if (!u) return noUser(params);
      u.groups = (u.groups ?? []).filter((g) => g !== params.GroupName);
      return iamXml('RemoveUserFromGroup');
    });
    for (const kind of ['user', 'role'] as const) {
      const K = kind === 'user' ? 'User' : 'Role';
      const table = kind === 'user' ? this.users : this.roles;
      w.on('iam', `List${K}Policies`, (params) => {
        const p = table.get((params[`${K}Name`] ?? '').toLowerCase());
        if (!p) return iamNoSuchEntity(kind, params[`${K}Name`] ?? '');
        return list(
          `List${K}Policies`,
          'PolicyNames',
          [...p.inline.keys()].map((n) => x(n)),
        );
      });
      w.on('iam', `Delete${K}`, (params) => {
        const name = params[`${K}Name`] ?? '';
        const p = table.get(name.toLowerCase());
        if (!p) return iamNoSuchEntity(kind, name);
        const profiles = [...this.instanceProfiles.values()].filter(
          (r) => r.toLowerCase() === name.toLowerCase(),
        );
        const left =
          p.keys.size +
          p.attached.length +
          p.inline.size +
          (p.loginProfile ? 1 : 0) +
          (p.groups ?? []).length +
          (p.mfa ?? []).length +
          (kind === 'role' ? profiles.length : 0);
        if (left > 0 || this.lagging > 0) {
          if (left === 0) this.lagging -= 1;
          return awsQueryError({
            service: 'iam',
            code: 'DeleteConflict',
            status: 409,
            message: `Cannot delete entity, must ${kind === 'user' ? 'delete access keys, policies and login profile' : 'remove roles from instance profile'} first.`,
          });
        }
        table.delete(name.toLowerCase());
        return iamXml(`Delete${K}`);
      });
    }
    w.on('iam', 'ListInstanceProfilesForRole', (params) => {
      const role = params.RoleName ?? '';
      if (!this.roles.has(role.toLowerCase())) return iamNoSuchEntity('role', role);
      const names = [...this.instanceProfiles]
        .filter(([, r]) => r.toLowerCase() === role.toLowerCase())
        .map(([n]) => n);
      return list(
        'ListInstanceProfilesForRole',
        'InstanceProfiles',
        names.map(
          (n) =>
            `<InstanceProfileName>${x(n)}</InstanceProfileName><Path>/</Path><InstanceProfileId>AIPAJQABLZS4A3QDU576Q</InstanceProfileId><Arn>arn:aws:iam::${ACCOUNT}:instance-profile/${x(n)}</Arn><CreateDate>2021-07-24T02:22:33Z</CreateDate><Roles/>`,
        ),
      );
    });
    w.on('iam', 'RemoveRoleFromInstanceProfile', (params) => {
      this.instanceProfiles.delete(params.InstanceProfileName);
      return iamXml('RemoveRoleFromInstanceProfile');
    });

    const noBucket = (name: string) =>
      s3Error({
        code: 'NoSuchBucket',
        message: 'The specified bucket does not exist',
        status: 404,
        bucket: name,
      });
    w.on('s3', 'HeadBucket', (params) =>
      this.buckets.has(params.Bucket) ? noContent(200) : { status: 404, body: '' },
    );
    w.on('s3', 'ListObjectVersions', (params) => {
      const b = this.buckets.get(params.Bucket);
      if (!b) return noBucket(params.Bucket);
      const items = (b.versions ?? [])
        .map((o) =>
          o.deleteMarker
            ? `<DeleteMarker><Key>${x(o.Key)}</Key><VersionId>${x(o.VersionId)}</VersionId><IsLatest>true</IsLatest><LastModified>2021-07-24T02:23:00.000Z</LastModified></DeleteMarker>`
            : `<Version><Key>${x(o.Key)}</Key><VersionId>${x(o.VersionId)}</VersionId><IsLatest>false</IsLatest><LastModified>2021-07-24T02:23:00.000Z</LastModified><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Version>`,
        )
        .join('');
      return s3Xml(
        'ListVersionsResult',
        `<Name>${x(params.Bucket)}</Name><Prefix></Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${items}`,
      );
    });
    w.on('s3', 'DeleteObjects', (params, call) => {
      const b = this.buckets.get(params.Bucket);
      if (!b) return noBucket(params.Bucket);
      const pairs = [
        ...call.body.matchAll(/<Object><Key>([^<]*)<\/Key>(?:<VersionId>([^<]*)<\/VersionId>)?<\/Object>/g),
      ];
      const unescape = (t: string) =>
        t
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&apos;/g, "'")
          .replace(/&amp;/g, '&');
      for (const [, key, version] of pairs) {
        b.versions = (b.versions ?? []).filter(
          (o) => !(o.Key === unescape(key) && o.VersionId === unescape(version ?? 'null')),
        );
      }
      return s3Xml('DeleteResult', '');
    });
    w.on('s3', 'DeleteBucket', (params) => {
      const b = this.buckets.get(params.Bucket);
      if (!b) return noBucket(params.Bucket);
      if ((b.versions ?? []).length > 0)
        return s3Error({
          code: 'BucketNotEmpty',
          message: 'The bucket you tried to delete is not empty. You must delete all versions in the bucket.',
          status: 409,
          bucket: params.Bucket,
        });
      this.buckets.delete(params.Bucket);
      return noContent(204);
    });
    w.on('ec2', 'TerminateInstances', (params) => {
      const ids = ec2List(params, 'InstanceId');
      const items: string[] = [];
      for (const id of ids) {
        const i = this.instances.get(id);
        if (!i) return ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
        if (i.termination)
          return ec2Error(
            'OperationNotPermitted',
            `The instance '${id}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`,
          );
        items.push(
          `<item><instanceId>${id}</instanceId><currentState><code>32</code><name>shutting-down</name></currentState><previousState><code>16</code><name>${i.state}</name></previousState></item>`,
        );
        i.state = 'shutting-down';
      }
      return ec2Xml('TerminateInstances', `<instancesSet>${items.join('')}</instancesSet>`);
    });
    w.on('cloudformation', 'ListStacks', () =>
      cfnXml(
        'ListStacks',
        `<StackSummaries>${this.stacks
          .map((st) =>
            member(
              `<StackId>${x(st.id)}</StackId><StackName>${x(st.name)}</StackName><CreationTime>2021-07-26T00:37:17Z</CreationTime><StackStatus>${st.status}</StackStatus>`,
            ),
          )
          .join('')}</StackSummaries>`,
      ),
    );
  }

  private routeCloudFormation(): void {
    const find = (name: string) => this.stacks.find((s) => s.id === name || s.name === name);
    const missing = (name: string) =>
      awsQueryError({
        service: 'cloudformation',
        code: 'ValidationError',
        message: `Stack with id ${name} does not exist`,
      });
    this.wire.on('cloudformation', 'DescribeStackResource', (params) => {
      const stack = find(params.StackName);
      if (!stack) return missing(params.StackName);
      const r = stack.resources.find((res) => res.logicalId === params.LogicalResourceId);
      if (!r) {
        return awsQueryError({
          service: 'cloudformation',
          code: 'ValidationError',
          message: `Resource ${params.LogicalResourceId} does not exist for stack ${stack.name}`,
        });
      }
      return cfnXml(
        'DescribeStackResource',
        `<StackResourceDetail><StackName>${x(stack.name)}</StackName><StackId>${x(stack.id)}</StackId>` +
          `<LogicalResourceId>${x(r.logicalId)}</LogicalResourceId>` +
          (r.physicalId === undefined ? '' : `<PhysicalResourceId>${x(r.physicalId)}</PhysicalResourceId>`) +
          `<ResourceType>${x(r.type)}</ResourceType><LastUpdatedTimestamp>2021-07-26T00:37:18Z</LastUpdatedTimestamp>` +
          `<ResourceStatus>${r.status}</ResourceStatus></StackResourceDetail>`,
      );
    });
    this.wire.on('cloudformation', 'DescribeStacks', (params) => {
      const stack = find(params.StackName);
      if (!stack) return missing(params.StackName);
      const parameters = Object.entries(stack.parameters)
        .map(([k, v]) =>
          member(`<ParameterKey>${x(k)}</ParameterKey><ParameterValue>${x(v)}</ParameterValue>`),
        )
        .join('');
      return cfnXml(
        'DescribeStacks',
        `<Stacks>${member(
          `<StackName>${x(stack.name)}</StackName><StackId>${x(stack.id)}</StackId>` +
            `<CreationTime>2021-07-26T00:37:17Z</CreationTime><StackStatus>${stack.status}</StackStatus>` +
            `<Parameters>${parameters}</Parameters>`,
        )}</Stacks>`,
      );
    });
  }
}

/** The clients a command makes, against `wire`, signed with `credentials` (an assumed role's) when given. */
export function clientsAt(
  wire: AwsWire,
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
): ContainClients {
  const config = (service: string) => ({
    ...wire.clientConfig(service, { maxAttempts: 1 }),
    ...(credentials ? { credentials } : {}),
  });
  return {
    cloudFormation: new CloudFormationClient(config('cloudformation')),
    iam: new IAMClient(config('iam')),
    s3: new S3Client(config('s3')),
    sts: new STSClient(config('sts')),
    ec2: new EC2Client(config('ec2')),
  };
}
