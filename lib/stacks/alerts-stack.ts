import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { IrKitConfig } from '../config';
import { CredentialAlerts } from '../constructs/credential-alerts';
import { IrKitError } from '../errors';
import { DEFAULT_NAMES } from '../names';
import { GLOBAL_EVENTS_REGION } from '../regions';

export interface AlertsStackProps extends StackProps {
  /**
   * The break-glass role, by name: the alerts stack lives in us-east-1 while the access stack
   * may not, so it is referenced by name rather than across Regions.
   * @default 'SecurityBreakGlassRole'
   */
  readonly breakGlassRoleName?: string;
  /**
   * Addresses subscribed to the alerts.
   * @default - none
   */
  readonly alertEmails?: readonly string[];
  /**
   * The organization whose member accounts forward their alerts here (the IrKitOrganization
   * stack's member alert rules): an event bus admitting only that organization.
   * @default - no organization bus
   */
  readonly organizationId?: string;
}

export const ALERTS_STACK_NAME = 'IrKitAlerts';
export const ALERTS_OUTPUTS = {
  topicArn: 'AlertsTopicArn',
  organizationBusArn: 'OrganizationBusArn',
} as const;

/** The alerts stack's settings from the kit config. */
export function alertsSettings(config: IrKitConfig): AlertsStackProps {
  return {
    env: { account: config.env.account, region: config.alertsRegion },
    breakGlassRoleName: config.breakGlassRoleName,
    alertEmails: config.alertEmails,
    // The organization bus exists only for member accounts to forward to.
    organizationId: config.members.organizationalUnits.length > 0 ? config.organizationId : undefined,
  };
}

/**
 * `IrKitAlerts`: the credential alerts. IAM (and the global STS endpoint) deliver their events
 * to EventBridge in us-east-1 only, so this stack always deploys there.
 */
export class AlertsStack extends Stack {
  public readonly alerts: CredentialAlerts;

  constructor(scope: Construct, id: string, props: AlertsStackProps = {}) {
    const region = props.env?.region;
    if (region !== undefined && region !== GLOBAL_EVENTS_REGION) {
      throw new IrKitError('IRKIT_CONFIG', `the alerts stack cannot deploy to ${region}`, {
        hint: `IAM events reach EventBridge only in ${GLOBAL_EVENTS_REGION}; leave the alerts stack's region to the kit`,
      });
    }
    super(scope, id, { ...props, env: { ...props.env, region: GLOBAL_EVENTS_REGION } });
    const breakGlassRole = iam.Role.fromRoleName(
      this,
      'BreakGlassRole',
      props.breakGlassRoleName ?? DEFAULT_NAMES.breakGlassRoleName,
    );
    this.alerts = new CredentialAlerts(this, 'CredentialAlerts', {
      breakGlassRole,
      emailAddresses: props.alertEmails,
      organizationId: props.organizationId,
    });
    new CfnOutput(this, ALERTS_OUTPUTS.topicArn, {
      value: this.alerts.topic.topicArn,
      description: 'SNS topic of the credential alerts',
    });
    if (this.alerts.organizationBus) {
      new CfnOutput(this, ALERTS_OUTPUTS.organizationBusArn, {
        value: this.alerts.organizationBus.eventBusArn,
        description: 'Event bus the member accounts forward their alert events to',
      });
    }
  }
}
