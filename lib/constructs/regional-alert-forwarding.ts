import { CfnCondition, Fn, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { GLOBAL_EVENTS_REGION, HEALTH_BACKUP_REGION } from '../regions';
import { AlertDefinition, alertDefinitions, receiveReadOnlyManagementEvents } from './credential-alerts';

export interface RegionalAlertForwardingProps {
  /** Any assumption of this role is forwarded (STS serves AssumeRole in the caller's Region). */
  readonly breakGlassRole: iam.IRole;
  /**
   * Also forward AWS Health's events: in its backup Region (us-west-2), as AWS advises for
   * global events.
   * @default false
   */
  readonly forwardHealth?: boolean;
  /**
   * Where the events go: an event bus ARN, e.g. the security account's organization alerts bus
   * (CredentialAlerts with organizationId), in us-east-1.
   * @default - this account's default event bus in us-east-1, where CredentialAlerts listens
   */
  readonly centralBusArn?: string;
  /**
   * Forward every alert, each only in the Regions its events arise, decided at deploy time by a
   * condition on AWS::Region: one template for every Region (a member account's StackSet), IAM's
   * alerts in us-east-1, AWS Health's in us-east-1 and its backup Region, the regional ones everywhere.
   * @default false - the regional alerts only (and AWS Health's with forwardHealth)
   */
  readonly everyAlert?: boolean;
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
    this.centralBusArn =
      props.centralBusArn ??
      stack.formatArn({
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
      (d) => props.everyAlert || d.scope === 'regional' || (d.scope === 'health' && props.forwardHealth),
    );
    const where = props.centralBusArn ? 'the central alerts bus' : GLOBAL_EVENTS_REGION;
    this.rules = forwarded.map((definition) => {
      const rule = new events.Rule(this, definition.id, {
        description: `${definition.description} Forwarded to ${where}.`,
        eventPattern: definition.pattern,
        targets: [new targets.EventBus(bus, { role: this.role })],
      });
      if (definition.readOnlyManagementEvent) receiveReadOnlyManagementEvents(rule);
      if (props.everyAlert) this.onlyWhereItsEventsArise(rule, definition);
      return rule;
    });
  }

  private readonly conditions = new Map<AlertDefinition['scope'], CfnCondition>();

  /** A rule of global or Health events exists only in the Regions those events reach. */
  private onlyWhereItsEventsArise(rule: events.Rule, definition: AlertDefinition): void {
    if (definition.scope === 'regional') return;
    let condition = this.conditions.get(definition.scope);
    if (!condition) {
      const inRegion = (region: string) => Fn.conditionEquals(Stack.of(this).region, region);
      condition = new CfnCondition(
        this,
        definition.scope === 'global' ? 'InGlobalEventsRegion' : 'InHealthRegions',
        {
          expression:
            definition.scope === 'global'
              ? inRegion(GLOBAL_EVENTS_REGION)
              : Fn.conditionOr(inRegion(GLOBAL_EVENTS_REGION), inRegion(HEALTH_BACKUP_REGION)),
        },
      );
      this.conditions.set(definition.scope, condition);
    }
    (rule.node.defaultChild as events.CfnRule).cfnOptions.condition = condition;
  }
}
