import { BootstraplessSynthesizer, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { IrKitConfig } from '../config';
import { RegionalAlertForwarding } from '../constructs/regional-alert-forwarding';
import { IrKitError } from '../errors';
import { DEFAULT_NAMES } from '../names';
import { GLOBAL_EVENTS_REGION, HEALTH_BACKUP_REGION } from '../regions';

export interface AlertForwardingStackProps extends StackProps {
  /**
   * The break-glass role, by name (IAM is global; the access stack may be in another Region).
   * @default 'SecurityBreakGlassRole'
   */
  readonly breakGlassRoleName?: string;
}

/** `IrKitAlertForwarding-<region>`: one per Region the config forwards alerts from. */
export function alertForwardingStackName(region: string): string {
  return `IrKitAlertForwarding-${region}`;
}

/** The forwarding stacks' settings from the kit config: one per forwarding Region. */
export function alertForwardingSettings(
  config: IrKitConfig,
): Array<{ name: string; props: AlertForwardingStackProps }> {
  return config.alertForwardingRegions.map((region) => ({
    name: alertForwardingStackName(region),
    props: { env: { account: config.env.account, region }, breakGlassRoleName: config.breakGlassRoleName },
  }));
}

/**
 * Regional alert rules forwarding to the alerts stack's Region. It holds no asset, so it needs
 * no CDK bootstrap in its Region: the template deploys as it is.
 */
export class AlertForwardingStack extends Stack {
  public readonly forwarding: RegionalAlertForwarding;

  constructor(scope: Construct, id: string, props: AlertForwardingStackProps) {
    const region = props.env?.region;
    if (region === undefined || region === GLOBAL_EVENTS_REGION) {
      throw new IrKitError(
        'IRKIT_CONFIG',
        `an alert forwarding stack needs a Region other than ${GLOBAL_EVENTS_REGION}`,
        {
          hint: `the alerts stack itself listens in ${GLOBAL_EVENTS_REGION}; list other Regions in alertRegions`,
        },
      );
    }
    super(scope, id, {
      synthesizer: new BootstraplessSynthesizer(),
      description: `IR Kit: forwards credential alert events from ${region} to ${GLOBAL_EVENTS_REGION}`,
      ...props,
    });
    this.forwarding = new RegionalAlertForwarding(this, 'Forwarding', {
      breakGlassRole: iam.Role.fromRoleName(
        this,
        'BreakGlassRole',
        props.breakGlassRoleName ?? DEFAULT_NAMES.breakGlassRoleName,
      ),
      forwardHealth: region === HEALTH_BACKUP_REGION,
    });
  }
}
