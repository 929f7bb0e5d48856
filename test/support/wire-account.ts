/**
 * An AWS account in memory, served over the wire (test/support/aws-wire.ts): IAM users, roles,
 * keys and policies, S3 bucket policies and tags, and CloudFormation stacks with their
 * resources. The real SDK clients talk to it and get AWS's documented bodies, errors included
 * (NoSuchEntity, LimitExceeded, NoSuchBucketPolicy, NoSuchTagSet, ValidationError), so the code
 * under test meets the errors it will meet in a real account.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';

import {
  AwsWire,
  awsQueryError,
  cfnXml,
  iamNoSuchEntity,
  iamXml,
  noContent,
  s3Error,
  s3Xml,
  startAwsWire,
  WireParams,
  WireResponse,
  xmlEscape,
} from './aws-wire';
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
}

export interface Bucket {
  policy?: string;
  tags?: Array<{ Key: string; Value: string }>;
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
  private readonly pageSize: number;
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
  }

  static async start(options: WireAccountOptions = {}): Promise<WireAccount> {
    return new WireAccount(await startAwsWire(), options);
  }

  /** Real SDK clients pointed at this account. */
  clients(maxAttempts = 1): { iam: IAMClient; s3: S3Client; cloudFormation: CloudFormationClient } {
    return {
      iam: new IAMClient(this.wire.clientConfig('iam', { maxAttempts })),
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
      .map((c) => `${c.operation} ${c.params.UserName ?? c.params.RoleName ?? c.params.Bucket ?? ''}`.trim());
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
