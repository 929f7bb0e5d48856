import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';

export type Props = Readonly<Record<string, unknown>>;

/** A CloudFormation custom resource request, as CloudFormation sends it (and as anyone could forge it). */
export interface CfnRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Props;
  readonly OldResourceProperties?: Props;
}

export interface Outcome {
  readonly physicalResourceId: string;
  readonly data: Record<string, string>;
}

/** What a protection check is asked about; tags as IAM and S3 return them. */
export interface ProtectionSubject {
  readonly kind: 'user' | 'role' | 'bucket' | 'instance';
  readonly name: string;
  readonly arn?: string;
  readonly path?: string;
  readonly tags?: ReadonlyArray<{ Key?: string; Value?: string }>;
}

export interface HandlerDeps {
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly ec2: EC2Client;
  readonly cloudFormation: CloudFormationClient;
  /** ARN of the managed deny-all policy (iam-containment-policy): the only policy ever attached. */
  readonly containmentPolicyArn: string;
  /** This function's own role, which the bucket deny must spare so release can restore. */
  readonly handlerRoleArn: string;
  /** The kit's break-glass role: the only principal (beside the handler) a bucket deny spares. @default - any exact role ARN of the account */
  readonly breakGlassRoleArn?: string;
  /** The function's own account, Region and partition: requests from anywhere else are refused. */
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** Why a target must never be changed (lib/protection), or undefined. */
  readonly protectedReason: (subject: ProtectionSubject) => string | undefined;
  readonly now: () => Date;
  /** Waits between CloudFormation consistency retries. @default real time */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A refusal or failure whose message goes to the stack events as it is. */
export class ContainmentError extends Error {}
