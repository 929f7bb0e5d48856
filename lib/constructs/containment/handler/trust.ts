/**
 * The handler trusts nothing in a request. Anyone who may invoke the function can send any JSON,
 * and a holder of the deploy role can submit any template under an `irkit-contain-*` name. So
 * before acting, every request is checked against what CloudFormation itself records:
 *
 * - the stack is an `irkit-contain-*` stack of this function's own account, Region and partition;
 * - CloudFormation holds this very resource (type and logical id) in the state the request claims
 *   (a Create while it is CREATE_IN_PROGRESS, ...), so a replayed or invented request is refused;
 * - for update and delete, the physical id (the state of what was changed) is the one
 *   CloudFormation recorded for this resource, not the one in the request;
 * - every property equals the stack's own parameters (read from CloudFormation), and is validated
 *   with the kit's validators.
 */
import {
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  StackResourceDetail,
} from '@aws-sdk/client-cloudformation';

import { CONTAINMENT_STACK_PREFIX } from '../../../names';
import { isAwsError } from '../../../aws-errors';
import { decodeState, stackUuid, State } from './state';
import { CfnRequest, ContainmentError, HandlerDeps, Props } from './types';

const STACK_ID = new RegExp(
  `^arn:(aws[a-z-]*):cloudformation:([a-z0-9-]+):(\\d{12}):stack/(${CONTAINMENT_STACK_PREFIX}[A-Za-z0-9-]{1,114})/([A-Za-z0-9-]{1,64})$`,
);
const REQUEST_TYPES = ['Create', 'Update', 'Delete'] as const;
const IN_PROGRESS: Record<CfnRequest['RequestType'], string> = {
  Create: 'CREATE_IN_PROGRESS',
  Update: 'UPDATE_IN_PROGRESS',
  Delete: 'DELETE_IN_PROGRESS',
};
/** How a resource's properties map to the stack's parameters, beyond "same name". */
const KEY_SLOTS = ['AccessKeyId1', 'AccessKeyId2'];
const ORIGINAL_POLICY_CHUNKS = 6;

export interface VerifiedRequest {
  readonly type: CfnRequest['RequestType'];
  readonly stackId: string;
  readonly stackName: string;
  readonly stack: string;
  readonly logicalId: string;
  /** The request's properties, shown equal to the stack's parameters (ServiceToken and ServiceTimeout removed). */
  readonly props: Readonly<Record<string, string>>;
  /** The stack's parameters as CloudFormation holds them. */
  readonly parameters: Readonly<Record<string, string>>;
  /** True while CloudFormation rolls the stack back (it then sends earlier properties). */
  readonly rollingBack: boolean;
  /** What this resource changed before (update, delete), from CloudFormation's record. */
  readonly state?: State;
}

/**
 * The ResponseURL must be CloudFormation's own pre-signed S3 URL; a forged request naming
 * another URL gets no answer at all (the handler never sends data to an address it was handed).
 */
export function isCloudFormationResponseUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.port === '' &&
    parsed.username === '' &&
    /^cloudformation-custom-resource-response-[a-z0-9]+\.s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.test(
      parsed.hostname,
    )
  );
}

export async function verifyRequest(req: CfnRequest, deps: HandlerDeps): Promise<VerifiedRequest> {
  if (!REQUEST_TYPES.includes(req.RequestType)) {
    throw new ContainmentError(`refused: unknown RequestType ${JSON.stringify(req.RequestType)}`);
  }
  const match = typeof req.StackId === 'string' ? STACK_ID.exec(req.StackId) : null;
  if (!match) {
    throw new ContainmentError(
      `refused: the request does not come from an ${CONTAINMENT_STACK_PREFIX}* stack (StackId ${JSON.stringify(req.StackId)})`,
    );
  }
  const [, partition, region, account, stackName] = match;
  if (partition !== deps.partition || region !== deps.region || account !== deps.accountId) {
    throw new ContainmentError(
      `refused: stack ${stackName} is in ${partition}/${account}/${region}; this handler serves only ${deps.partition}/${deps.accountId}/${deps.region}`,
    );
  }
  if (typeof req.LogicalResourceId !== 'string' || !/^[A-Za-z0-9]{1,255}$/.test(req.LogicalResourceId)) {
    throw new ContainmentError('refused: malformed LogicalResourceId');
  }
  const props = stringProps(req.ResourceProperties);
  const { resource, parameters, status, replaced } = await readStack(req, deps);
  const rollingBack = status.includes('ROLLBACK');
  const base = {
    type: req.RequestType,
    stackId: req.StackId,
    stackName,
    stack: stackUuid(req.StackId),
    logicalId: req.LogicalResourceId,
    props,
    parameters,
    rollingBack,
  };
  // The cleanup delete of a resource an update replaced: the new resource holds the same target
  // with the state carried forward, so there is nothing to undo, and nothing is trusted.
  if (replaced) return { ...base, rollingBack: true };
  if (resource.ResourceType !== req.ResourceType) {
    throw new ContainmentError(
      `refused: resource ${req.LogicalResourceId} of stack ${stackName} is a ${String(resource.ResourceType)}, not a ${req.ResourceType}`,
    );
  }
  let state: State | undefined;
  if (req.RequestType !== 'Create') {
    if (resource.PhysicalResourceId !== req.PhysicalResourceId) {
      throw new ContainmentError(
        `refused: the physical id in the request is not the one CloudFormation records for ${req.LogicalResourceId}`,
      );
    }
    state = decodeState(resource.PhysicalResourceId);
    if (state && state.stack !== stackUuid(req.StackId)) {
      throw new ContainmentError(`refused: the state of ${req.LogicalResourceId} belongs to another stack`);
    }
  }
  // While rolling back CloudFormation sends the earlier properties, which may differ from the
  // parameters it now shows; the target itself is then bound by the recorded state instead.
  if (!rollingBack) matchParameters(props, parameters, stackName);
  return { ...base, state };
}

async function readStack(
  req: CfnRequest,
  deps: HandlerDeps,
): Promise<{
  resource: StackResourceDetail;
  parameters: Record<string, string>;
  status: string;
  replaced: boolean;
}> {
  const wanted = IN_PROGRESS[req.RequestType];
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // CloudFormation marks the resource in progress before it invokes; a short retry covers a
  // read that races that write.
  for (let attempt = 0; ; attempt++) {
    let resource: StackResourceDetail | undefined;
    try {
      const out = await deps.cloudFormation.send(
        new DescribeStackResourceCommand({
          StackName: req.StackId,
          LogicalResourceId: req.LogicalResourceId,
        }),
      );
      resource = out.StackResourceDetail;
    } catch (error) {
      if (!isAwsError(error, 'ValidationError')) throw error;
    }
    if (resource) {
      const out = await deps.cloudFormation.send(new DescribeStacksCommand({ StackName: req.StackId }));
      const stack = out.Stacks?.[0];
      const status = stack?.StackStatus ?? '';
      const parameters = Object.fromEntries(
        (stack?.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']),
      );
      if (resource.ResourceStatus === wanted) return { resource, parameters, status, replaced: false };
      const cleanup =
        req.RequestType === 'Delete' &&
        status.endsWith('CLEANUP_IN_PROGRESS') &&
        resource.PhysicalResourceId !== req.PhysicalResourceId;
      if (cleanup) return { resource, parameters, status, replaced: true };
    }
    if (attempt >= 2) {
      throw new ContainmentError(
        `refused: CloudFormation does not show ${req.LogicalResourceId} of this stack as ${wanted} ` +
          `(${resource ? `it is ${String(resource.ResourceStatus)}` : 'no such stack or resource'}); a forged or replayed request changes nothing`,
      );
    }
    await sleep(1000 * (attempt + 1));
  }
}

function stringProps(raw: Props | undefined): Record<string, string> {
  if (typeof raw !== 'object' || raw === null) throw new ContainmentError('refused: no ResourceProperties');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    // CloudFormation's own properties of every custom resource, not the kit's.
    if (key === 'ServiceToken' || key === 'ServiceTimeout') continue;
    if (typeof value !== 'string') throw new ContainmentError(`refused: property ${key} is not a string`);
    out[key] = value;
  }
  return out;
}

/**
 * Every property must be the stack's parameter of the same name, except the two shapes the
 * templates derive: an access key resource names one of the key slots, and the bucket's
 * original policy is the join of its chunks.
 */
function matchParameters(
  props: Record<string, string>,
  parameters: Record<string, string>,
  stackName: string,
): void {
  for (const [key, value] of Object.entries(props)) {
    let expected: readonly string[];
    if (key in parameters) expected = [parameters[key]];
    else if (key === 'AccessKeyId') expected = KEY_SLOTS.map((slot) => parameters[slot] ?? '');
    else if (key === 'OriginalPolicy' && 'OriginalPolicy1' in parameters) {
      expected = [
        Array.from(
          { length: ORIGINAL_POLICY_CHUNKS },
          (_, i) => parameters[`OriginalPolicy${i + 1}`] ?? '',
        ).join(''),
      ];
    } else {
      throw new ContainmentError(`refused: property ${key} is not a parameter of stack ${stackName}`);
    }
    if (!expected.includes(value)) {
      throw new ContainmentError(
        `refused: property ${key} differs from the parameters of stack ${stackName}`,
      );
    }
  }
}
