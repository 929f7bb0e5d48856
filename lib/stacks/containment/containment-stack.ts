import { BootstraplessSynthesizer, CfnParameter, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { COMMON_PARAMS } from './parameters';

/** Whether the revoke of older sessions outlives release (it does unless the operator lifts it). */
export function keepSessionRevokeParameter(scope: Construct, id: string): CfnParameter {
  return new CfnParameter(scope, id, {
    type: 'String',
    default: 'true',
    allowedValues: ['true', 'false'],
    description:
      'true: on delete, sessions issued before containment stay revoked (stolen sessions do not come back); false: lift that too',
  });
}

/**
 * Base of the three containment stacks: parameterized, environment-agnostic templates that
 * CreateStack takes inline. No bootstrap (no asset, no BootstrapVersion rule) and no
 * CDKMetadata, so the body is small and deploys into any account as it is.
 */
export abstract class ContainmentStack extends Stack {
  public readonly incidentId: CfnParameter;

  protected constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, { synthesizer: new BootstraplessSynthesizer(), analyticsReporting: false, ...props });
    this.incidentId = new CfnParameter(this, COMMON_PARAMS.incidentId, {
      type: 'String',
      description: 'The incident this containment belongs to',
      allowedPattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,39}$',
      constraintDescription: '1-40 letters, digits or hyphens, starting with a letter or digit',
    });
  }
}
