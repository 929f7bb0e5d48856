import { BootstraplessSynthesizer, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { RegionalAlertForwarding } from '../../constructs/regional-alert-forwarding';
import { DEFAULT_NAMES } from '../../names';

export interface MemberAlertsStackProps extends StackProps {
  /** The security account's organization alerts bus (CredentialAlerts with organizationId). */
  readonly centralBusArn: string;
  /**
   * The member's break-glass role, by name (the baseline creates it in the same account).
   * @default 'SecurityBreakGlassRole'
   */
  readonly breakGlassRoleName?: string;
}

/**
 * The alert rules of a member account, one template for every Region it is deployed to by the
 * IrKitMemberAlerts StackSet: every alert, each only where its events arise (IAM's in us-east-1,
 * AWS Health's in us-east-1 and its backup Region, the regional ones everywhere), forwarded to
 * the security account's organization alerts bus. The event keeps its `account`, which every
 * alert message names.
 */
export class MemberAlertsStack extends Stack {
  public readonly forwarding: RegionalAlertForwarding;

  constructor(scope: Construct, id: string, props: MemberAlertsStackProps) {
    super(scope, id, {
      synthesizer: new BootstraplessSynthesizer(),
      description:
        "IR Kit member account: forwards credential alert events to the security account's alerts bus",
      ...props,
    });
    this.forwarding = new RegionalAlertForwarding(this, 'Forwarding', {
      breakGlassRole: iam.Role.fromRoleName(
        this,
        'BreakGlassRole',
        props.breakGlassRoleName ?? DEFAULT_NAMES.breakGlassRoleName,
      ),
      centralBusArn: props.centralBusArn,
      everyAlert: true,
    });
  }
}
