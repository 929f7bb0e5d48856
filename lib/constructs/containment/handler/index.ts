/**
 * The containment handler: the Lambda function behind every containment stack's custom
 * resources. It is deployed once (in the access stack); containment stacks only reference it,
 * so their templates hold no code and their execution role needs nothing but to invoke it.
 *
 * This file is the Lambda's entry point. containment-handler.ts bundles it with esbuild at synth
 * (one inline file; the AWS SDK comes from the Lambda runtime), so it shares the kit's
 * validators, names, policy documents and protection rule instead of keeping copies.
 *
 * What it may do is deliberately narrow, whatever a request says (see trust.ts): attach the one
 * containment policy, add the kit's deny-all or revoke-older-sessions documents, deactivate keys
 * and reactivate only keys it deactivated, add a deny statement to a bucket policy, isolate an
 * instance behind a rule-less security group of its own, and undo exactly what it recorded.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { request } from 'node:https';

import { awsErrorCode } from '../../../aws-errors';
import { protectedReason } from '../../../protection';
import { parseProtectionRule } from './environment';
import { RESOURCE_TYPES } from '../names';
import { bucketPolicy } from './bucket';
import { instanceIsolation } from './instance';
import { PartialChange } from './outcome';
import { roleSessions } from './role';
import { isCloudFormationResponseUrl, verifyRequest, VerifiedRequest } from './trust';
import { CfnRequest, ContainmentError, HandlerDeps, Outcome } from './types';
import { accessKey, userDeny } from './user';

export { RESOURCE_TYPES } from '../names';
export { decodeState, encodeState } from './state';
export { isCloudFormationResponseUrl } from './trust';
export type { CfnRequest, HandlerDeps, Outcome, ProtectionSubject } from './types';
export { ContainmentError } from './types';

const RESOURCES: Record<string, (v: VerifiedRequest, deps: HandlerDeps) => Promise<Outcome>> = {
  [RESOURCE_TYPES.userDeny]: userDeny,
  [RESOURCE_TYPES.accessKey]: accessKey,
  [RESOURCE_TYPES.roleSessions]: roleSessions,
  [RESOURCE_TYPES.bucketPolicy]: bucketPolicy,
  [RESOURCE_TYPES.instanceIsolation]: instanceIsolation,
};

/** Verifies the request against CloudFormation, then acts. Throws ContainmentError on a refusal. */
export async function handleRequest(req: CfnRequest, deps: HandlerDeps): Promise<Outcome> {
  const act = RESOURCES[req.ResourceType];
  if (!act) throw new ContainmentError(`refused: unknown resource type ${JSON.stringify(req.ResourceType)}`);
  const verified = await verifyRequest(req, deps);
  return act(verified, deps);
}

// ---------------------------------------------------------------------------------------------
// Lambda entry point: answer CloudFormation on every path, before the Lambda would time out,
// so a stack never hangs waiting for a response that will not come.

export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export type ResponseSender = (url: string, body: string) => Promise<void>;

export function makeHandler(deps: () => HandlerDeps, send: ResponseSender = putResponse) {
  return async (req: CfnRequest, context: LambdaContext): Promise<void> => {
    const summary = {
      type: String(req?.ResourceType).slice(0, 64),
      request: String(req?.RequestType).slice(0, 16),
      stack: String(req?.StackId).slice(0, 256),
      resource: String(req?.LogicalResourceId).slice(0, 255),
    };
    if (!isCloudFormationResponseUrl(req?.ResponseURL)) {
      // Not CloudFormation: no answer is sent anywhere, nothing is done.
      console.log(
        JSON.stringify({ ...summary, refused: 'ResponseURL is not a CloudFormation response URL' }),
      );
      return;
    }
    console.log(JSON.stringify(summary));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Outcome>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new ContainmentError('the containment handler ran out of time; see its log group')),
        Math.max(context.getRemainingTimeInMillis() - 5000, context.getRemainingTimeInMillis() / 2),
      );
    });
    const fallbackId = req.PhysicalResourceId ?? `irkit:none:${String(req.RequestId).slice(0, 64)}`;
    let body: Record<string, unknown>;
    try {
      const outcome = await Promise.race([handleRequest(req, deps()), deadline]);
      const id = req.RequestType === 'Create' ? outcome.physicalResourceId : fallbackId;
      body = { Status: 'SUCCESS', PhysicalResourceId: id || fallbackId, Data: outcome.data };
      console.log(
        JSON.stringify({ ...summary, outcome: 'SUCCESS', physicalResourceId: id, data: outcome.data }),
      );
    } catch (error) {
      const reason =
        error instanceof ContainmentError ? error.message : `${awsErrorCode(error)}: ${String(error)}`;
      const id = error instanceof PartialChange ? error.physicalResourceId : fallbackId;
      console.log(JSON.stringify({ ...summary, outcome: 'FAILED', reason, physicalResourceId: id }));
      body = { Status: 'FAILED', Reason: reason.slice(0, 1500), PhysicalResourceId: id };
    } finally {
      clearTimeout(timer);
    }
    await send(
      req.ResponseURL,
      JSON.stringify({
        ...body,
        StackId: req.StackId,
        RequestId: req.RequestId,
        LogicalResourceId: req.LogicalResourceId,
      }),
    );
  };
}

function putResponse(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The deps of the deployed function, from its environment (set by containment-handler.ts). */
export function depsFromEnvironment(env: NodeJS.ProcessEnv = process.env): HandlerDeps {
  const required = (key: string): string => {
    const value = env[key];
    if (!value) throw new ContainmentError(`the handler is misconfigured: ${key} is not set`);
    return value;
  };
  const rule = parseProtectionRule(required('PROTECTION_RULE'));
  const roleArn = required('HANDLER_ROLE_ARN');
  const [, partition, , , accountId] = roleArn.split(':');
  return {
    iam: new IAMClient({}),
    s3: new S3Client({ followRegionRedirects: true }),
    ec2: new EC2Client({}),
    cloudFormation: new CloudFormationClient({}),
    containmentPolicyArn: required('CONTAINMENT_POLICY_ARN'),
    handlerRoleArn: roleArn,
    breakGlassRoleArn: env.BREAK_GLASS_ROLE_ARN || undefined,
    accountId,
    partition,
    region: required('AWS_REGION'),
    protectedReason: (subject) => protectedReason(rule, subject),
    now: () => new Date(),
  };
}

let cached: HandlerDeps | undefined;

export const handler = makeHandler(() => (cached ??= depsFromEnvironment()));
