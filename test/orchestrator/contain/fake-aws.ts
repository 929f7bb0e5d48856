/**
 * An in-memory AWS account for containment tests and the bench: IAM users/roles/keys, S3
 * bucket policies, STS, and a CloudFormation that runs containment templates for real: it
 * evaluates the template's conditions and intrinsic functions and sends each custom resource
 * to the actual containment handler (lib/constructs/containment/handler), whose IAM and S3
 * calls land in this same fake. So a test exercises orchestrator -> stack -> handler -> IAM/S3
 * -> verification end to end, through aws-sdk-client-mock.
 */
import {
  AlreadyExistsException,
  CloudFormationClient,
  CloudFormationServiceException,
  CreateStackCommand,
  CreateStackCommandInput,
  DeleteStackCommand,
  DeleteStackCommandInput,
  DescribeStackEventsCommand,
  DescribeStackResourceCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListStacksCommand,
  Output,
  Parameter,
  Stack,
  StackEvent,
  Tag,
  UpdateStackCommand,
  UpdateStackCommandInput,
} from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  LimitExceededException,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  PutBucketPolicyCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';

import { CfnRequest, handleRequest, HandlerDeps } from '../../../lib/constructs/containment/handler';
import { PartialChange } from '../../../lib/constructs/containment/handler/outcome';
import { PLAYBOOK_PROTECTION, protectedReason } from '../../../lib/protection';
import { ContainClients } from '../../../orchestrator/contain/aws';
import { s3Normalize } from '../../support/s3-normalize';

export { s3Normalize };

export const ACCOUNT = '777777777777';
export const REGION = 'us-east-1';
export const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/iam-containment-policy`;
export const EXECUTION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/IrKitContainmentExecutionRole`;
export const BREAK_GLASS_ARN = `arn:aws:iam::${ACCOUNT}:role/SecurityBreakGlassRole`;
export const HANDLER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/IrKitContainmentHandlerRole`;
export const CALLER_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityDeployRole/responder`;

interface FakeUser {
  name: string;
  tags: Record<string, string>;
  keys: Map<string, string>;
  attached: string[];
  inline: Map<string, string>;
}
interface FakeRole {
  name: string;
  tags: Record<string, string>;
  attached: string[];
  inline: Map<string, string>;
}
interface FakeBucket {
  policy?: string;
  tags?: Record<string, string>;
}
interface FakeResource {
  logicalId: string;
  type: string;
  physicalId?: string;
  props: Record<string, string>;
  data: Record<string, string>;
  status: string;
}
interface FakeStack {
  id: string;
  name: string;
  status: string;
  statusReason?: string;
  template: Record<string, unknown>;
  parameters: Parameter[];
  tags: Tag[];
  roleArn?: string;
  outputs: Output[];
  events: StackEvent[];
  resources: FakeResource[];
}

export interface FakeOptions {
  /** How long each stack operation takes. @default 5 */
  readonly operationMs?: number;
  /** How long each CloudFormation API call takes to answer. @default 0 */
  readonly latencyMs?: number;
  /**
   * The account. Another than ACCOUNT mocks this fake's own client instances rather than the
   * client classes, so several fakes (the accounts of an organization) run side by side.
   * @default ACCOUNT
   */
  readonly account?: string;
}

type Hook = (stack: FakeStack, operation: 'create' | 'update' | 'delete') => string | undefined;

export class FakeAws {
  public readonly users = new Map<string, FakeUser>();
  public readonly roles = new Map<string, FakeRole>();
  public readonly buckets = new Map<string, FakeBucket>();
  public readonly stacks: FakeStack[] = [];
  public readonly clients: ContainClients;
  public readonly cfn: AwsClientStub<CloudFormationClient>;
  public readonly iam: AwsClientStub<IAMClient>;
  public readonly s3: AwsClientStub<S3Client>;
  public readonly sts: AwsClientStub<STSClient>;
  /** No instances here: the instance kind is proven on the wire (test/support/wire-account.ts). */
  public readonly ec2: AwsClientStub<EC2Client>;
  /** Mutating calls, in order (`CreateStack irkit-contain-...`, `AttachUserPolicy JaneDoe`, ...). */
  public readonly writes: string[] = [];
  /** Lets a test fail an operation: return a reason to fail it. */
  public failWhen?: Hook;
  public callerArn: string;
  public readonly account: string;
  public accessStack = true;
  /** How many stack operations were in progress at once, at most. */
  public maxConcurrent = 0;
  private running = 0;
  private counter = 0;
  private readonly operationMs: number;
  private readonly latencyMs: number;

  constructor(options: FakeOptions = {}) {
    this.operationMs = options.operationMs ?? 5;
    this.latencyMs = options.latencyMs ?? 0;
    this.account = options.account ?? ACCOUNT;
    this.callerArn = this.inAccount(CALLER_ARN);
    this.clients = {
      ec2: new EC2Client({ region: REGION }),
      cloudFormation: new CloudFormationClient({ region: REGION }),
      iam: new IAMClient({ region: REGION }),
      s3: new S3Client({ region: REGION }),
      sts: new STSClient({ region: REGION }),
    };
    const own = this.account !== ACCOUNT;
    this.cfn = mockClient(own ? this.clients.cloudFormation : CloudFormationClient);
    this.iam = mockClient(own ? this.clients.iam : IAMClient);
    this.s3 = mockClient(own ? this.clients.s3 : S3Client);
    this.sts = mockClient(own ? this.clients.sts : STSClient);
    this.ec2 = mockClient(own ? this.clients.ec2 : EC2Client);
    this.wire();
  }

  /** An ARN of ACCOUNT, in this fake's account. */
  public inAccount(arn: string): string {
    return arn.replace(`:${ACCOUNT}:`, `:${this.account}:`);
  }

  /** Puts the mocks back; call in afterEach. */
  public restore(): void {
    this.cfn.restore();
    this.iam.restore();
    this.s3.restore();
    this.sts.restore();
    this.ec2.restore();
  }

  public addUser(
    name: string,
    keys: Record<string, string> = {},
    tags: Record<string, string> = {},
    attached: string[] = [],
  ): void {
    this.users.set(name.toLowerCase(), {
      name,
      tags,
      keys: new Map(Object.entries(keys)),
      attached: [...attached],
      inline: new Map(),
    });
  }

  public addRole(name: string, tags: Record<string, string> = {}): void {
    this.roles.set(name.toLowerCase(), { name, tags, attached: [], inline: new Map() });
  }

  public addBucket(name: string, policy?: string, tags?: Record<string, string>): void {
    this.buckets.set(name, { policy, tags });
  }

  public user(name: string): FakeUser {
    return this.users.get(name.toLowerCase()) as FakeUser;
  }

  public stack(name: string): FakeStack | undefined {
    return this.stacks.find((s) => s.name === name && s.status !== 'DELETE_COMPLETE');
  }

  /** A stack as an earlier run left it, e.g. in ROLLBACK_COMPLETE or DELETE_FAILED. */
  public seedStack(
    name: string,
    status: string,
    parameters: Record<string, string>,
    tags: Record<string, string>,
    reason = 'Resource handler returned message: "earlier failure"',
  ): void {
    const id = `arn:aws:cloudformation:${REGION}:${this.account}:stack/${name}/seed-${++this.counter}`;
    this.stacks.push({
      id,
      name,
      status,
      template: { Resources: {} },
      parameters: Object.entries(parameters).map(([k, v]) => ({ ParameterKey: k, ParameterValue: v })),
      tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      outputs: [],
      events: [
        {
          StackId: id,
          StackName: name,
          EventId: `seed-${this.counter}`,
          LogicalResourceId: 'Resource',
          ResourceType: 'Custom::IrKitBucketPolicy',
          ResourceStatus: status.startsWith('DELETE') ? 'DELETE_FAILED' : 'CREATE_FAILED',
          ResourceStatusReason: reason,
          Timestamp: new Date(Date.now() - 60_000),
        },
      ],
      resources:
        status === 'DELETE_FAILED'
          ? [
              {
                logicalId: 'Resource',
                type: 'Custom::IrKitBucketPolicy',
                props: {},
                data: {},
                status: 'DELETE_FAILED',
              },
            ]
          : [],
    });
  }

  // -------------------------------------------------------------------------------------------

  private wire(): void {
    const { iam, s3, cfn, sts } = this;
    const noUser = () => new NoSuchEntityException({ message: 'The user cannot be found.', $metadata: {} });
    const noRole = () => new NoSuchEntityException({ message: 'The role cannot be found.', $metadata: {} });
    const getUser = (name?: string) => {
      const u = this.users.get((name ?? '').toLowerCase());
      if (!u) throw noUser();
      return u;
    };
    const getRole = (name?: string) => {
      const r = this.roles.get((name ?? '').toLowerCase());
      if (!r) throw noRole();
      return r;
    };
    const tagList = (tags: Record<string, string>) =>
      Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

    sts
      .on(GetCallerIdentityCommand)
      .callsFake(() => ({ Arn: this.callerArn, Account: this.account, UserId: 'AROAEXAMPLE:responder' }));

    iam.on(GetUserCommand).callsFake((i) => {
      const u = getUser(i.UserName);
      return {
        User: {
          UserName: u.name,
          Arn: `arn:aws:iam::${this.account}:user/${u.name}`,
          UserId: 'AIDA',
          Path: '/',
          CreateDate: new Date(),
        },
      };
    });
    iam.on(ListUserTagsCommand).callsFake((i) => ({ Tags: tagList(getUser(i.UserName).tags) }));
    iam.on(ListAccessKeysCommand).callsFake((i) => {
      const u = getUser(i.UserName);
      return {
        AccessKeyMetadata: [...u.keys].map(([AccessKeyId, Status]) => ({
          UserName: u.name,
          AccessKeyId,
          Status,
        })),
      };
    });
    iam.on(UpdateAccessKeyCommand).callsFake((i) => {
      const u = getUser(i.UserName);
      if (!u.keys.has(i.AccessKeyId ?? '')) throw noUser();
      this.writes.push(`UpdateAccessKey ${u.name} ${i.AccessKeyId} ${i.Status}`);
      u.keys.set(i.AccessKeyId as string, i.Status as string);
      return {};
    });
    iam.on(ListAttachedUserPoliciesCommand).callsFake((i) => ({
      AttachedPolicies: getUser(i.UserName).attached.map((PolicyArn) => ({
        PolicyArn,
        PolicyName: PolicyArn.split('/').pop(),
      })),
    }));
    iam.on(AttachUserPolicyCommand).callsFake((i) => {
      const u = getUser(i.UserName);
      if (u.attached.length >= 10)
        throw new LimitExceededException({
          message: 'Cannot exceed quota for PoliciesPerUser: 10',
          $metadata: {},
        });
      this.writes.push(`AttachUserPolicy ${u.name}`);
      if (!u.attached.includes(i.PolicyArn as string)) u.attached.push(i.PolicyArn as string);
      return {};
    });
    iam.on(DetachUserPolicyCommand).callsFake((i) => {
      const u = getUser(i.UserName);
      if (!u.attached.includes(i.PolicyArn as string)) throw noUser();
      this.writes.push(`DetachUserPolicy ${u.name}`);
      u.attached = u.attached.filter((a) => a !== i.PolicyArn);
      return {};
    });
    iam.on(GetUserPolicyCommand).callsFake((i) => {
      const doc = getUser(i.UserName).inline.get(i.PolicyName as string);
      if (doc === undefined) throw noUser();
      return { UserName: i.UserName, PolicyName: i.PolicyName, PolicyDocument: encodeURIComponent(doc) };
    });
    iam.on(PutUserPolicyCommand).callsFake((i) => {
      this.writes.push(`PutUserPolicy ${i.UserName} ${i.PolicyName}`);
      getUser(i.UserName).inline.set(i.PolicyName as string, i.PolicyDocument as string);
      return {};
    });
    iam.on(DeleteUserPolicyCommand).callsFake((i) => {
      const u = getUser(i.UserName);
      if (!u.inline.delete(i.PolicyName as string)) throw noUser();
      this.writes.push(`DeleteUserPolicy ${i.UserName} ${i.PolicyName}`);
      return {};
    });
    iam.on(GetRoleCommand).callsFake((i) => {
      const r = getRole(i.RoleName);
      return {
        Role: {
          RoleName: r.name,
          Arn: `arn:aws:iam::${this.account}:role/${r.name}`,
          RoleId: 'AROA',
          Path: '/',
          CreateDate: new Date(),
        },
      };
    });
    iam.on(ListRoleTagsCommand).callsFake((i) => ({ Tags: tagList(getRole(i.RoleName).tags) }));
    iam.on(ListAttachedRolePoliciesCommand).callsFake((i) => ({
      AttachedPolicies: getRole(i.RoleName).attached.map((PolicyArn) => ({
        PolicyArn,
        PolicyName: PolicyArn.split('/').pop(),
      })),
    }));
    iam.on(AttachRolePolicyCommand).callsFake((i) => {
      const r = getRole(i.RoleName);
      this.writes.push(`AttachRolePolicy ${r.name}`);
      if (!r.attached.includes(i.PolicyArn as string)) r.attached.push(i.PolicyArn as string);
      return {};
    });
    iam.on(DetachRolePolicyCommand).callsFake((i) => {
      const r = getRole(i.RoleName);
      if (!r.attached.includes(i.PolicyArn as string)) throw noRole();
      this.writes.push(`DetachRolePolicy ${r.name}`);
      r.attached = r.attached.filter((a) => a !== i.PolicyArn);
      return {};
    });
    iam.on(GetRolePolicyCommand).callsFake((i) => {
      const doc = getRole(i.RoleName).inline.get(i.PolicyName as string);
      if (doc === undefined) throw noRole();
      return { RoleName: i.RoleName, PolicyName: i.PolicyName, PolicyDocument: encodeURIComponent(doc) };
    });
    iam.on(PutRolePolicyCommand).callsFake((i) => {
      this.writes.push(`PutRolePolicy ${i.RoleName} ${i.PolicyName}`);
      getRole(i.RoleName).inline.set(i.PolicyName as string, i.PolicyDocument as string);
      return {};
    });
    iam.on(DeleteRolePolicyCommand).callsFake((i) => {
      const r = getRole(i.RoleName);
      if (!r.inline.delete(i.PolicyName as string)) throw noRole();
      this.writes.push(`DeleteRolePolicy ${i.RoleName} ${i.PolicyName}`);
      return {};
    });

    const s3Error = (name: string) =>
      new S3ServiceException({ name, $fault: 'client', $metadata: {}, message: name });
    const bucket = (name?: string) => {
      const b = this.buckets.get(name ?? '');
      if (!b) throw s3Error('NoSuchBucket');
      return b;
    };
    s3.on(GetBucketPolicyCommand).callsFake((i) => {
      const b = bucket(i.Bucket);
      if (b.policy === undefined) throw s3Error('NoSuchBucketPolicy');
      return { Policy: b.policy };
    });
    s3.on(PutBucketPolicyCommand).callsFake((i) => {
      this.writes.push(`PutBucketPolicy ${i.Bucket}`);
      bucket(i.Bucket).policy = s3Normalize(i.Policy as string);
      return {};
    });
    s3.on(DeleteBucketPolicyCommand).callsFake((i) => {
      this.writes.push(`DeleteBucketPolicy ${i.Bucket}`);
      bucket(i.Bucket).policy = undefined;
      return {};
    });
    s3.on(GetBucketTaggingCommand).callsFake((i) => {
      const b = bucket(i.Bucket);
      if (!b.tags) throw s3Error('NoSuchTagSet');
      return { TagSet: tagList(b.tags) };
    });

    cfn.on(DescribeStacksCommand).callsFake(this.lag((i) => this.describeStacks(i.StackName)));
    cfn.on(ListStacksCommand).callsFake(
      this.lag((i) => ({
        StackSummaries: this.stacks
          .filter((s) => !i.StackStatusFilter || i.StackStatusFilter.includes(s.status as never))
          .map((s) => ({
            StackId: s.id,
            StackName: s.name,
            StackStatus: s.status as never,
            CreationTime: new Date(),
          })),
      })),
    );
    cfn
      .on(DescribeStackEventsCommand)
      .callsFake(this.lag((i) => ({ StackEvents: [...this.find(i.StackName).events].reverse() })));
    cfn.on(DescribeStackResourceCommand).callsFake(
      this.lag((i) => {
        const r = this.find(i.StackName).resources.find((x) => x.logicalId === i.LogicalResourceId);
        if (!r)
          throw this.validation(`Resource ${i.LogicalResourceId} does not exist for stack ${i.StackName}`);
        return {
          StackResourceDetail: {
            LogicalResourceId: r.logicalId,
            ResourceType: r.type,
            ResourceStatus: r.status as never,
            PhysicalResourceId: r.physicalId,
            LastUpdatedTimestamp: new Date(),
          },
        };
      }),
    );
    cfn.on(DescribeStackResourcesCommand).callsFake(
      this.lag((i) => ({
        StackResources: this.find(i.StackName).resources.map((r) => ({
          LogicalResourceId: r.logicalId,
          ResourceType: r.type,
          ResourceStatus: r.status,
          PhysicalResourceId: r.physicalId,
          Timestamp: new Date(),
        })),
      })),
    );
    cfn.on(CreateStackCommand).callsFake(this.lag((i) => this.createStack(i)));
    cfn.on(UpdateStackCommand).callsFake(this.lag((i) => this.updateStack(i)));
    cfn.on(DeleteStackCommand).callsFake(this.lag((i) => this.deleteStack(i)));
  }

  /** Answers after the configured API latency (none by default). */
  private lag<I, O>(answer: (input: I) => O): (input: I) => O | Promise<O> {
    if (this.latencyMs === 0) return answer;
    return (input: I) =>
      new Promise<O>((resolve, reject) => {
        setTimeout(() => {
          try {
            resolve(answer(input));
          } catch (error) {
            reject(error);
          }
        }, this.latencyMs);
      });
  }

  private validation(message: string): CloudFormationServiceException {
    return new CloudFormationServiceException({
      name: 'ValidationError',
      $fault: 'client',
      $metadata: {},
      message,
    });
  }

  private find(nameOrId?: string): FakeStack {
    const byId = this.stacks.find((s) => s.id === nameOrId);
    if (byId) return byId;
    const byName = this.stack(nameOrId ?? '');
    if (!byName) throw this.validation(`Stack with id ${nameOrId} does not exist`);
    return byName;
  }

  private view(s: FakeStack): Stack {
    return {
      StackId: s.id,
      StackName: s.name,
      StackStatus: s.status as Stack['StackStatus'],
      StackStatusReason: s.statusReason,
      Parameters: s.parameters,
      Tags: s.tags,
      Outputs: s.outputs,
      RoleARN: s.roleArn,
      CreationTime: new Date(),
    };
  }

  private describeStacks(name?: string) {
    if (name === 'IrKitAccess') {
      if (!this.accessStack) throw this.validation('Stack with id IrKitAccess does not exist');
      return {
        Stacks: [
          {
            StackName: 'IrKitAccess',
            StackStatus: 'CREATE_COMPLETE' as const,
            CreationTime: new Date(),
            Outputs: [
              { OutputKey: 'ContainmentExecutionRoleArn', OutputValue: this.inAccount(EXECUTION_ROLE_ARN) },
              { OutputKey: 'BreakGlassRoleArn', OutputValue: this.inAccount(BREAK_GLASS_ARN) },
              { OutputKey: 'ContainmentPolicyArn', OutputValue: this.inAccount(POLICY_ARN) },
              {
                OutputKey: 'AnalystRoleArn',
                OutputValue: `arn:aws:iam::${this.account}:role/SecurityAnalystRole`,
              },
            ],
          },
        ],
      };
    }
    if (name) return { Stacks: [this.view(this.find(name))] };
    return { Stacks: this.stacks.filter((s) => s.status !== 'DELETE_COMPLETE').map((s) => this.view(s)) };
  }

  private event(
    s: FakeStack,
    token: string | undefined,
    logicalId: string,
    type: string,
    status: string,
    reason?: string,
  ): void {
    s.events.push({
      StackId: s.id,
      StackName: s.name,
      EventId: `e-${++this.counter}`,
      LogicalResourceId: logicalId,
      ResourceType: type,
      ResourceStatus: status as StackEvent['ResourceStatus'],
      ResourceStatusReason: reason,
      ClientRequestToken: token,
      Timestamp: new Date(),
    });
  }

  private resolveParameters(
    input: Parameter[] | undefined,
    previous: Parameter[] | undefined,
    template: Record<string, unknown>,
  ): Parameter[] {
    const declared = (template.Parameters ?? {}) as Record<string, { Default?: string }>;
    return Object.entries(declared).map(([key, decl]) => {
      const given = input?.find((p) => p.ParameterKey === key);
      if (given?.UsePreviousValue) {
        const prev = previous?.find((p) => p.ParameterKey === key);
        if (!prev)
          throw this.validation(
            `Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`,
          );
        return { ParameterKey: key, ParameterValue: prev.ParameterValue };
      }
      if (given) return { ParameterKey: key, ParameterValue: given.ParameterValue };
      if (decl.Default !== undefined) return { ParameterKey: key, ParameterValue: decl.Default };
      throw this.validation(`Parameters: [${key}] must have values`);
    });
  }

  private createStack(i: CreateStackCommandInput) {
    if (this.stack(i.StackName as string)) {
      throw new AlreadyExistsException({ message: `Stack [${i.StackName}] already exists`, $metadata: {} });
    }
    if (Buffer.byteLength(i.TemplateBody ?? '') > 51_200) throw this.validation('Template body too large');
    const template = JSON.parse(i.TemplateBody as string) as Record<string, unknown>;
    this.writes.push(`CreateStack ${i.StackName}`);
    const s: FakeStack = {
      id: `arn:aws:cloudformation:${REGION}:${this.account}:stack/${i.StackName}/${++this.counter}`,
      name: i.StackName as string,
      status: 'CREATE_IN_PROGRESS',
      template,
      parameters: this.resolveParameters(i.Parameters, undefined, template),
      tags: i.Tags ?? [],
      roleArn: i.RoleARN,
      outputs: [],
      events: [],
      resources: [],
    };
    this.stacks.push(s);
    this.event(
      s,
      i.ClientRequestToken,
      s.name,
      'AWS::CloudFormation::Stack',
      'CREATE_IN_PROGRESS',
      'User Initiated',
    );
    this.operate(s, 'create', i.ClientRequestToken);
    return { StackId: s.id };
  }

  private updateStack(i: UpdateStackCommandInput) {
    const s = this.find(i.StackName);
    if (
      s.status.endsWith('_IN_PROGRESS') ||
      s.status === 'ROLLBACK_COMPLETE' ||
      s.status.endsWith('FAILED')
    ) {
      throw this.validation(`Stack:${s.id} is in ${s.status} state and can not be updated.`);
    }
    const template = i.UsePreviousTemplate
      ? s.template
      : (JSON.parse(i.TemplateBody as string) as Record<string, unknown>);
    const parameters = this.resolveParameters(i.Parameters, s.parameters, template);
    const tags = i.Tags ?? s.tags;
    if (
      JSON.stringify(parameters) === JSON.stringify(s.parameters) &&
      JSON.stringify(tags) === JSON.stringify(s.tags) &&
      JSON.stringify(template) === JSON.stringify(s.template)
    ) {
      throw this.validation('No updates are to be performed.');
    }
    this.writes.push(`UpdateStack ${s.name}`);
    s.template = template;
    s.parameters = parameters;
    s.tags = tags;
    s.status = 'UPDATE_IN_PROGRESS';
    this.event(
      s,
      i.ClientRequestToken,
      s.name,
      'AWS::CloudFormation::Stack',
      'UPDATE_IN_PROGRESS',
      'User Initiated',
    );
    this.operate(s, 'update', i.ClientRequestToken);
    return { StackId: s.id };
  }

  private deleteStack(i: DeleteStackCommandInput) {
    const s = this.stacks.find((x) => x.id === i.StackName) ?? this.stack(i.StackName as string);
    if (!s || s.status === 'DELETE_COMPLETE') return {};
    if (i.RetainResources?.length && s.status !== 'DELETE_FAILED') {
      throw this.validation(
        'Invalid operation on stack: RetainResources can only be specified when the stack is in the DELETE_FAILED state',
      );
    }
    this.writes.push(`DeleteStack ${s.name}`);
    s.status = 'DELETE_IN_PROGRESS';
    this.event(
      s,
      i.ClientRequestToken,
      s.name,
      'AWS::CloudFormation::Stack',
      'DELETE_IN_PROGRESS',
      'User Initiated',
    );
    this.operate(s, 'delete', i.ClientRequestToken, i.RetainResources ?? []);
    return {};
  }

  /** Runs the operation after operationMs, as CloudFormation would, handler calls included. */
  private operate(
    s: FakeStack,
    op: 'create' | 'update' | 'delete',
    token: string | undefined,
    retain: string[] = [],
  ): void {
    this.running++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.running);
    setTimeout(() => {
      void this.apply(s, op, token, retain).finally(() => this.running--);
    }, this.operationMs);
  }

  private deps(): HandlerDeps {
    return {
      iam: this.clients.iam,
      s3: this.clients.s3,
      ec2: this.clients.ec2,
      cloudFormation: this.clients.cloudFormation,
      containmentPolicyArn: this.inAccount(POLICY_ARN),
      handlerRoleArn: this.inAccount(HANDLER_ROLE_ARN),
      breakGlassRoleArn: this.inAccount(BREAK_GLASS_ARN),
      accountId: this.account,
      region: REGION,
      partition: 'aws',
      protectedReason: (subject) => protectedReason(PLAYBOOK_PROTECTION, subject),
      now: () => new Date(),
      sleep: async () => undefined,
    };
  }

  private async call(
    s: FakeStack,
    r: FakeResource,
    type: CfnRequest['RequestType'],
    props: Record<string, string>,
    old?: Record<string, string>,
  ) {
    return handleRequest(
      {
        RequestType: type,
        ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/fake',
        StackId: s.id,
        RequestId: `req-${++this.counter}`,
        LogicalResourceId: r.logicalId,
        ResourceType: r.type,
        PhysicalResourceId: r.physicalId,
        ResourceProperties: props,
        OldResourceProperties: old,
      },
      this.deps(),
    );
  }

  private async apply(
    s: FakeStack,
    op: 'create' | 'update' | 'delete',
    token: string | undefined,
    retain: string[],
  ): Promise<void> {
    const Op = op.toUpperCase();
    const forced = this.failWhen?.(s, op);
    try {
      if (op === 'delete') {
        for (const r of [...s.resources].reverse()) {
          if (retain.includes(r.logicalId)) {
            this.event(s, token, r.logicalId, r.type, 'DELETE_SKIPPED');
            continue;
          }
          this.event(s, token, r.logicalId, r.type, 'DELETE_IN_PROGRESS');
          r.status = 'DELETE_IN_PROGRESS';
          try {
            if (forced) throw new Error(forced);
            if (r.physicalId) await this.call(s, r, 'Delete', r.props);
            r.status = 'DELETE_COMPLETE';
            this.event(s, token, r.logicalId, r.type, 'DELETE_COMPLETE');
          } catch (error) {
            r.status = 'DELETE_FAILED';
            this.event(
              s,
              token,
              r.logicalId,
              r.type,
              'DELETE_FAILED',
              `Received response status [FAILED] from custom resource. Message returned: ${(error as Error).message}`,
            );
            s.status = 'DELETE_FAILED';
            s.statusReason = 'The following resource(s) failed to delete: [' + r.logicalId + '].';
            this.event(s, token, s.name, 'AWS::CloudFormation::Stack', 'DELETE_FAILED', s.statusReason);
            return;
          }
        }
        s.resources = [];
        s.status = 'DELETE_COMPLETE';
        this.event(s, token, s.name, 'AWS::CloudFormation::Stack', 'DELETE_COMPLETE');
        return;
      }
      const params = Object.fromEntries(
        s.parameters.map((p) => [p.ParameterKey as string, p.ParameterValue ?? '']),
      );
      const wanted = this.evaluate(s.template, params);
      const done: FakeResource[] = [];
      const replaced: FakeResource[] = [];
      for (const w of wanted) {
        const current = s.resources.find((r) => r.logicalId === w.logicalId);
        this.event(s, token, w.logicalId, w.type, `${Op}_IN_PROGRESS`);
        try {
          if (forced) throw new Error(forced);
          if (current) {
            current.status = 'UPDATE_IN_PROGRESS';
            const out = await this.call(s, current, 'Update', w.props, current.props);
            // A new physical id is a replacement: CloudFormation deletes the old one in cleanup.
            if (out.physicalResourceId !== current.physicalId) replaced.push({ ...current });
            Object.assign(current, {
              physicalId: out.physicalResourceId,
              props: w.props,
              data: out.data,
              status: 'UPDATE_COMPLETE',
            });
          } else {
            const r: FakeResource = { ...w, data: {}, status: 'CREATE_IN_PROGRESS' };
            s.resources.push(r);
            try {
              const out = await this.call(s, r, 'Create', w.props);
              Object.assign(r, {
                physicalId: out.physicalResourceId,
                data: out.data,
                status: 'CREATE_COMPLETE',
              });
            } catch (error) {
              // CloudFormation keeps the physical id a failed create answered, for the rollback delete.
              if (error instanceof PartialChange) r.physicalId = error.physicalResourceId;
              else s.resources = s.resources.filter((x) => x !== r);
              throw error;
            }
            done.push(r);
          }
          this.event(s, token, w.logicalId, w.type, `${current ? 'UPDATE' : 'CREATE'}_COMPLETE`);
        } catch (error) {
          this.event(
            s,
            token,
            w.logicalId,
            w.type,
            `${current ? 'UPDATE' : 'CREATE'}_FAILED`,
            `Received response status [FAILED] from custom resource. Message returned: ${(error as Error).message}`,
          );
          // Roll back what this operation created (a failed create included, when it changed something).
          s.status = op === 'create' ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS';
          const failed = s.resources.find(
            (r) => r.logicalId === w.logicalId && r.status === 'CREATE_IN_PROGRESS',
          );
          for (const r of [...done, ...(failed ? [failed] : [])].reverse()) {
            r.status = 'DELETE_IN_PROGRESS';
            await this.call(s, r, 'Delete', r.props).catch(() => undefined);
            s.resources = s.resources.filter((x) => x !== r);
            this.event(s, token, r.logicalId, r.type, 'DELETE_COMPLETE');
          }
          s.status = op === 'create' ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE';
          s.statusReason = `The following resource(s) failed: [${w.logicalId}].`;
          this.event(s, token, s.name, 'AWS::CloudFormation::Stack', s.status, s.statusReason);
          return;
        }
      }
      for (const r of s.resources.filter((x) => !wanted.some((w) => w.logicalId === x.logicalId))) {
        r.status = 'DELETE_IN_PROGRESS';
        await this.call(s, r, 'Delete', r.props);
        s.resources = s.resources.filter((x) => x !== r);
      }
      if (replaced.length > 0) {
        s.status = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
        for (const old of replaced) await this.call(s, old, 'Delete', old.props).catch(() => undefined);
      }
      const outputs = (s.template.Outputs ?? {}) as Record<string, { Value: unknown }>;
      s.outputs = Object.entries(outputs).map(([key, o]) => ({
        OutputKey: key,
        OutputValue: this.resolve(o.Value, params, s),
      }));
      s.status = `${Op}_COMPLETE`;
      this.event(s, token, s.name, 'AWS::CloudFormation::Stack', s.status);
    } catch (error) {
      s.status = `${Op}_FAILED`;
      this.event(s, token, s.name, 'AWS::CloudFormation::Stack', s.status, (error as Error).message);
    }
  }

  private evaluate(template: Record<string, unknown>, params: Record<string, string>) {
    const conditions = (template.Conditions ?? {}) as Record<string, unknown>;
    const holds = (c: unknown): boolean => {
      const node = c as Record<string, unknown[]>;
      if (node['Fn::Not']) return !holds(node['Fn::Not'][0]);
      if (node['Fn::Equals'])
        return this.resolve(node['Fn::Equals'][0], params) === this.resolve(node['Fn::Equals'][1], params);
      throw new Error(`condition not understood: ${JSON.stringify(c)}`);
    };
    const resources = (template.Resources ?? {}) as Record<
      string,
      { Type: string; Condition?: string; Properties?: Record<string, unknown> }
    >;
    return Object.entries(resources)
      .filter(([, r]) => !r.Condition || holds(conditions[r.Condition]))
      .map(([logicalId, r]) => ({
        logicalId,
        type: r.Type,
        props: Object.fromEntries(
          Object.entries(r.Properties ?? {}).map(([k, v]) => [k, this.resolve(v, params)]),
        ) as Record<string, string>,
      }));
  }

  private resolve(value: unknown, params: Record<string, string>, stack?: FakeStack): string {
    if (typeof value === 'string') return value;
    const node = value as Record<string, unknown>;
    if ('Ref' in node) {
      const ref = node.Ref as string;
      const pseudo: Record<string, string> = {
        'AWS::Partition': 'aws',
        'AWS::Region': REGION,
        'AWS::AccountId': this.account,
      };
      return pseudo[ref] ?? params[ref];
    }
    if ('Fn::Join' in node) {
      const [sep, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map((item) => this.resolve(item, params, stack)).join(sep);
    }
    if ('Fn::GetAtt' in node) {
      const [logicalId, attr] = node['Fn::GetAtt'] as [string, string];
      return stack?.resources.find((r) => r.logicalId === logicalId)?.data[attr] ?? '';
    }
    throw new Error(`intrinsic not understood: ${JSON.stringify(value)}`);
  }
}

/** Progress that records lines and waits for real (short) times. */
export function recordingIo(answers: boolean | undefined = undefined) {
  const log: string[] = [];
  const out: string[] = [];
  return {
    log: (line: string) => {
      log.push(line);
    },
    out: (text: string) => {
      out.push(text);
    },
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 2))),
    ...(answers === undefined ? {} : { confirm: async () => answers }),
    now: () => new Date('2021-07-26T00:37:17.500Z'),
    lines: log,
    output: out,
  };
}
