/**
 * Drives the containment handler as CloudFormation would, against a WireAccount: the resource is
 * put in the state CloudFormation shows while it waits for the handler (CREATE_IN_PROGRESS, ...),
 * the request carries what CloudFormation would send, and the answer is recorded back.
 */
import { handleRequest, HandlerDeps } from '../../../../../lib/constructs/containment/handler';
import { PartialChange } from '../../../../../lib/constructs/containment/handler/outcome';
import { CfnRequest, Outcome } from '../../../../../lib/constructs/containment/handler/types';
import { PLAYBOOK_PROTECTION, protectedReason } from '../../../../../lib/protection';
import { ACCOUNT, FakeStack, REGION, WireAccount } from '../../../../support/wire-account';

export const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/iam-containment-policy`;
export const HANDLER_ROLE = `arn:aws:iam::${ACCOUNT}:role/IrKitContainmentHandlerRole`;
export const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/SecurityBreakGlassRole`;
export const NOW = new Date('2021-07-26T00:37:18Z');
export const CONTAINED_AT = '2021-07-26T00:37:18Z';

export function depsFor(account: WireAccount, overrides: Partial<HandlerDeps> = {}): HandlerDeps {
  return {
    ...account.clients(),
    containmentPolicyArn: POLICY_ARN,
    handlerRoleArn: HANDLER_ROLE,
    breakGlassRoleArn: BREAK_GLASS,
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    protectedReason: (subject) => protectedReason(PLAYBOOK_PROTECTION, subject),
    now: () => NOW,
    sleep: async () => undefined,
    ...overrides,
  };
}

export interface Sent {
  readonly outcome?: Outcome;
  readonly error?: Error;
}

/** One custom resource of a stack, moved through CloudFormation's states by each request. */
export class Resource {
  constructor(
    private readonly deps: HandlerDeps,
    public readonly stack: FakeStack,
    public readonly logicalId: string,
    public readonly type: string,
    public props: Record<string, string>,
  ) {}

  get physicalId(): string | undefined {
    return this.record().physicalId;
  }

  private record() {
    let r = this.stack.resources.find((x) => x.logicalId === this.logicalId);
    if (!r) {
      r = { logicalId: this.logicalId, type: this.type, status: 'NOT_STARTED' };
      this.stack.resources.push(r);
    }
    return r;
  }

  /** Sends a request as CloudFormation would; answers what the handler answered, or its error. */
  async send(requestType: CfnRequest['RequestType'], extra: Partial<CfnRequest> = {}): Promise<Sent> {
    const r = this.record();
    const verb = requestType.toUpperCase();
    r.status = `${verb}_IN_PROGRESS`;
    if (!this.stack.status.includes('ROLLBACK')) this.stack.status = `${verb}_IN_PROGRESS`;
    const request: CfnRequest = {
      RequestType: requestType,
      ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
      StackId: this.stack.id,
      RequestId: `req-${Math.random()}`,
      LogicalResourceId: this.logicalId,
      ResourceType: this.type,
      ...(requestType === 'Create' ? {} : { PhysicalResourceId: r.physicalId }),
      ResourceProperties: {
        ServiceToken: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:irkit-contain-handler`,
        ...this.props,
      },
      ...extra,
    };
    try {
      const outcome = await handleRequest(request, this.deps);
      if (requestType === 'Create') r.physicalId = outcome.physicalResourceId;
      r.status = `${verb}_COMPLETE`;
      return { outcome };
    } catch (error) {
      if (requestType === 'Create') {
        r.physicalId =
          error instanceof PartialChange ? error.physicalResourceId : `irkit:none:${request.RequestId}`;
      }
      r.status = `${verb}_FAILED`;
      return { error: error as Error };
    }
  }

  async ok(requestType: CfnRequest['RequestType']): Promise<Outcome> {
    const sent = await this.send(requestType);
    if (sent.error) throw sent.error;
    return sent.outcome as Outcome;
  }
}

/** A stack whose parameters are the resource's properties, with one resource. */
export function resourceIn(
  account: WireAccount,
  deps: HandlerDeps,
  stackName: string,
  type: string,
  props: Record<string, string>,
  parameters: Record<string, string> = props,
  logicalId = 'Resource',
): Resource {
  const stack =
    account.stacks.find((s) => s.name === stackName) ?? account.addStack(stackName, { ...parameters });
  return new Resource(deps, stack, logicalId, type, props);
}
