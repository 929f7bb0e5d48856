import { BootstraplessSynthesizer, CfnParameter, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Parameter names every containment template has; the orchestrator fills them. */
export const COMMON_PARAMS = { incidentId: 'IncidentId' } as const;

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

/** IAM user and role names. */
export const IAM_NAME_PATTERN = '^[A-Za-z0-9+=,.@_-]{1,64}$';
