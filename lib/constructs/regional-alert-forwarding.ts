import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { GLOBAL_EVENTS_REGION } from '../regions';
import { alertDefinitions, receiveReadOnlyManagementEvents } from './credential-alerts';

export interface RegionalAlertForwardingProps {
  /** Any assumption of this role is forwarded (STS serves AssumeRole in the caller's Region). */
  readonly breakGlassRole: iam.IRole;
  /**
   * Also forward AWS Health's events: in its backup Region (us-west-2), as AWS advises for
   * global events.
   * @default false
   */
  readonly forwardHealth?: boolean;
}

/**
 * The alerts whose events arise outside us-east-1, forwarded from this Region to the account's
 * default event bus in us-east-1, where the alert rules (CredentialAlerts) match them again and
 * write to the one topic. STS serves AssumeRole in the caller's Region (so a break-glass
 * assumption through eu-west-1's endpoint never reaches us-east-1 by itself), GuardDuty findings
 * are regional, and AWS Health has a backup Region. The forwarding rules use the very patterns
 * of the central rules, so what is forwarded is exactly what alerts.
 */
export class RegionalAlertForwarding extends Construct {
  public readonly rules: events.Rule[];
  /** What EventBridge forwards with: events:PutEvents on the central bus only. */
  public readonly role: iam.Role;
  public readonly centralBusArn: string;

  constructor(scope: Construct, id: string, props: RegionalAlertForwardingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.centralBusArn = stack.formatArn({
      service: 'events',
      region: GLOBAL_EVENTS_REGION,
      resource: 'event-bus',
      resourceName: 'default',
    });
    const bus = events.EventBus.fromEventBusArn(this, 'CentralBus', this.centralBusArn);
    this.role = new iam.Role(this, 'Role', {
      description: `IR Kit: forwards credential alert events from ${stack.region} to ${GLOBAL_EVENTS_REGION}.`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      inlinePolicies: {
        ForwardToTheAlertsBus: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.centralBusArn] }),
          ],
        }),
      },
    });
    const forwarded = alertDefinitions(stack.partition, props.breakGlassRole.roleArn).filter(
      (d) => d.scope === 'regional' || (d.scope === 'health' && props.forwardHealth),
    );
    this.rules = forwarded.map((definition) => {
      const rule = new events.Rule(this, definition.id, {
        description: `${definition.description} Forwarded to ${GLOBAL_EVENTS_REGION}.`,
        eventPattern: definition.pattern,
        targets: [new targets.EventBus(bus, { role: this.role })],
      });
      if (definition.readOnlyManagementEvent) receiveReadOnlyManagementEvents(rule);
      return rule;
    });
  }
}
