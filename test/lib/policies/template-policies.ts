import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

/**
 * Test support: turn synthesized templates into the concrete policy documents IAM would hold
 * after deployment, and ask the IAM simulator about them. Only the intrinsics our stacks emit
 * are resolved; anything else throws, so a template change cannot silently weaken a test.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, Json> }> };
export type PolicyDocument = { Version: string; Statement: Json[] };
export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface Deployment {
  readonly account: string;
  readonly region: string;
  /** Values of Fn::ImportValue by export name (other stacks' outputs). */
  readonly imports?: Record<string, string>;
  /** ARN the stack gets once created (AWS::StackId). */
  readonly stackId?: string;
}

/** Resolves the intrinsic functions of one template as CloudFormation would on deployment. */
export class DeployedTemplate {
  constructor(
    public readonly template: Template,
    private readonly deployment: Deployment,
  ) {}

  /** The physical ARN of a resource the kit names (roles, managed policies, users). */
  public arnOf(logicalId: string): string {
    const resource = this.template.Resources[logicalId];
    if (!resource) {
      throw new Error(`no resource ${logicalId}`);
    }
    const props = resource.Properties ?? {};
    const iam = `arn:aws:iam::${this.deployment.account}`;
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return `${iam}:role/${String(props.RoleName ?? logicalId)}`;
      case 'AWS::IAM::ManagedPolicy':
        return `${iam}:policy/${String(props.ManagedPolicyName ?? logicalId)}`;
      case 'AWS::IAM::User':
        return `${iam}:user/${String(props.UserName ?? logicalId)}`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${this.deployment.region}:${this.deployment.account}:event-bus/${String(props.Name ?? logicalId)}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${this.bucketName(logicalId)}`;
      default:
        throw new Error(`no ARN rule for ${resource.Type} (${logicalId})`);
    }
  }

  /** A bucket's name: its BucketName, else the name CloudFormation would generate, here the lower-cased logical id. */
  public bucketName(logicalId: string): string {
    return String(this.template.Resources[logicalId]?.Properties?.BucketName ?? logicalId.toLowerCase());
  }

  public resolve(value: Json): Json {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolve(item));
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(keys[0], value[keys[0]]);
    }
    return Object.fromEntries(keys.map((key) => [key, this.resolve(value[key])]));
  }

  private intrinsic(name: string, argument: Json): string {
    if (name === 'Ref') {
      const pseudo: Record<string, string | undefined> = {
        'AWS::Partition': 'aws',
        'AWS::AccountId': this.deployment.account,
        'AWS::Region': this.deployment.region,
        'AWS::URLSuffix': 'amazonaws.com',
        'AWS::StackId': this.deployment.stackId,
      };
      const ref = String(argument);
      if (ref in pseudo && pseudo[ref] !== undefined) {
        return pseudo[ref] as string;
      }
      if (this.template.Resources[ref]?.Type === 'AWS::S3::Bucket') {
        return this.bucketName(ref);
      }
      if (this.template.Resources[ref]?.Type === 'AWS::IAM::ManagedPolicy') {
        return this.arnOf(ref);
      }
      throw new Error(`unresolvable Ref ${ref}`);
    }
    if (name === 'Fn::GetAtt') {
      const [logicalId, attribute] = argument as [string, string];
      if (attribute === 'Arn') {
        return this.arnOf(logicalId);
      }
      throw new Error(`unresolvable GetAtt ${logicalId}.${attribute}`);
    }
    if (name === 'Fn::Join') {
      const [delimiter, items] = argument as [string, Json[]];
      return items.map((item) => String(this.resolve(item))).join(delimiter);
    }
    if (name === 'Fn::ImportValue') {
      const imported = this.deployment.imports?.[String(argument)];
      if (imported === undefined) {
        throw new Error(`no value for import ${String(argument)}`);
      }
      return imported;
    }
    throw new Error(`unsupported intrinsic ${name}`);
  }

  /** The one resource of a type whose logical id starts with a prefix. */
  public logicalId(type: string, prefix: string): string {
    const ids = Object.keys(this.template.Resources).filter(
      (id) => this.template.Resources[id].Type === type && id.startsWith(prefix),
    );
    if (ids.length !== 1) {
      throw new Error(`expected one ${type} starting ${prefix}, found ${ids.join(', ') || 'none'}`);
    }
    return ids[0];
  }

  /** A managed policy's document, by the policy's logical id prefix. */
  public managedPolicy(prefix: string): PolicyDocument {
    const id = this.logicalId('AWS::IAM::ManagedPolicy', prefix);
    return this.resolve(this.template.Resources[id].Properties?.PolicyDocument ?? null) as PolicyDocument;
  }

  /** An inline AWS::IAM::Policy document, by its logical id prefix. */
  public inlinePolicy(prefix: string): PolicyDocument {
    const id = this.logicalId('AWS::IAM::Policy', prefix);
    return this.resolve(this.template.Resources[id].Properties?.PolicyDocument ?? null) as PolicyDocument;
  }

  /** A role's trust policy. */
  public trustPolicy(roleLogicalId: string): PolicyDocument {
    const props = this.template.Resources[roleLogicalId].Properties ?? {};
    return this.resolve(props.AssumeRolePolicyDocument ?? null) as PolicyDocument;
  }

  /**
   * Every identity policy a role or user holds once deployed: its customer managed policies
   * (by Ref), AWS managed policies by stand-in document, and inline AWS::IAM::Policy resources
   * attached to it.
   */
  public identityPolicies(
    principalLogicalId: string,
    awsManaged: Record<string, PolicyDocument> = {},
  ): { name: string; policy: PolicyDocument }[] {
    const principal = this.template.Resources[principalLogicalId];
    const attached = (principal.Properties?.ManagedPolicyArns ?? []) as Json[];
    const policies = attached.map((arnValue) => {
      const arnOrRef = arnValue as Record<string, Json>;
      if (arnOrRef !== null && typeof arnOrRef === 'object' && 'Ref' in arnOrRef) {
        const id = String(arnOrRef.Ref);
        return {
          name: id,
          policy: this.resolve(
            this.template.Resources[id].Properties?.PolicyDocument ?? null,
          ) as PolicyDocument,
        };
      }
      const arn = String(this.resolve(arnValue));
      const name = arn.replace(/^arn:aws:iam::aws:policy\//, '');
      const standIn = awsManaged[name];
      if (!standIn) {
        throw new Error(`no stand-in document given for AWS managed policy ${arn}`);
      }
      return { name, policy: standIn };
    });
    const listKey = principal.Type === 'AWS::IAM::Role' ? 'Roles' : 'Users';
    for (const [id, resource] of Object.entries(this.template.Resources)) {
      const holders = (resource.Properties?.[listKey] ?? []) as Json[];
      if (
        resource.Type === 'AWS::IAM::Policy' &&
        holders.some((h) => JSON.stringify(h).includes(principalLogicalId))
      ) {
        policies.push({
          name: id,
          policy: this.resolve(resource.Properties?.PolicyDocument ?? null) as PolicyDocument,
        });
      }
    }
    return policies;
  }
}

/** AdministratorAccess as AWS publishes it. */
export const ADMINISTRATOR_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** The part of AWS's ReadOnlyAccess the policy tests touch: it reads everything, writes nothing. */
export const READ_ONLY_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'athena:Get*',
        'athena:List*',
        'cloudformation:Describe*',
        'cloudformation:Get*',
        'cloudformation:List*',
        'ec2:Describe*',
        'iam:Get*',
        'iam:List*',
        's3:Get*',
        's3:List*',
        'kms:Describe*',
        'kms:Get*',
        'kms:List*',
      ],
      Resource: '*',
    },
  ],
};

export interface Ask {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly account?: string;
  readonly identityPolicies: { name: string; policy: PolicyDocument }[];
  readonly resourcePolicy?: PolicyDocument;
  readonly context?: Record<string, string | string[]>;
  /** S3 Block Public Access is on for the bucket: a public bucket policy then admits nobody from outside the account. */
  readonly blockPublicAccess?: boolean;
}

/** What IAM decides for one request. Simulator input errors fail the test, loudly. */
export async function decide(ask: Ask): Promise<Decision> {
  const simulation: Simulation = {
    request: {
      principal: ask.principal,
      action: ask.action,
      resource: { resource: ask.resource, accountId: ask.account ?? '777777777777' },
      contextVariables: ask.context ?? {},
    },
    identityPolicies: ask.identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: ask.resourcePolicy,
    ...(ask.blockPublicAccess ? { additionalSettings: { s3: { blockPublicAccess: true } } } : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    throw new Error(`simulator refused ${ask.action}: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}
