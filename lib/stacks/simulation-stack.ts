import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { IrKitConfig } from '../config';
import { ExposureSimulation } from '../constructs/exposure-simulation';
import { IrKitError } from '../errors';

export interface SimulationStackProps extends StackProps {
  /** config simulation.enabled: nothing is synthesized unless it is true. */
  readonly enabled: boolean;
  /** config simulation.sandboxAccount: the only account the stack may target. */
  readonly sandboxAccount?: string;
  /**
   * The exposed IAM user.
   * @default 'JorgeSouza'
   */
  readonly userName?: string;
}

export const SIMULATION_STACK_NAME = 'IrKitSimulation';

/**
 * The simulation stack's settings from the kit config. The stack targets the deployment
 * account (env), never the sandbox account itself, so that deploying with the wrong
 * credentials is refused rather than redirected.
 */
export function simulationSettings(config: IrKitConfig): SimulationStackProps {
  return {
    env: { account: config.env.account, region: config.env.region },
    enabled: config.simulation.enabled,
    sandboxAccount: config.simulation.sandboxAccount,
    userName: config.simulation.userName,
  };
}

/**
 * `IrKitSimulation`: the workshop's exposed user and its key, for the attack script. Refuses
 * to synthesize unless the simulation is enabled and the stack targets the sandbox account.
 */
export class SimulationStack extends Stack {
  public readonly simulation: ExposureSimulation;

  constructor(scope: Construct, id: string, props: SimulationStackProps) {
    super(scope, id, props);
    if (!props.enabled) {
      throw new IrKitError(
        'IRKIT_CONFIG',
        'the simulation stack was requested but simulation.enabled is false',
        {
          hint: 'set simulation.enabled to true (and simulation.sandboxAccount) only in a sandbox account',
        },
      );
    }
    if (!props.sandboxAccount) {
      throw new IrKitError(
        'IRKIT_CONFIG',
        'simulation.enabled is true but simulation.sandboxAccount is not set',
        {
          hint: 'name the sandbox account the simulation may be deployed to (simulation.sandboxAccount)',
        },
      );
    }
    this.simulation = new ExposureSimulation(this, 'Exposure', {
      sandboxAccount: props.sandboxAccount,
      userName: props.userName,
    });

    new CfnOutput(this, 'SimulationUserName', { value: this.simulation.user.userName });
    new CfnOutput(this, 'SimulationSecretArn', { value: this.simulation.secret.secretArn });
    new CfnOutput(this, 'SandboxAccount', { value: props.sandboxAccount });
  }
}
