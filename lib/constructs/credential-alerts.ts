import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

import { IrKitError } from '../errors';
import { checkedOrganizationId } from './private/names';

export interface CredentialAlertsProps {
  /** Any assumption of this role is reported. */
  readonly breakGlassRole: iam.IRole;
  /**
   * Addresses subscribed to the alerts topic (each confirms by e-mail).
   * @default - no subscriptions; subscribe to the topic yourself
   */
  readonly emailAddresses?: readonly string[];
  /**
   * The AWS Organizations id whose member accounts forward their alert events here: an event bus
   * (organizationBusName) that admits events:PutEvents only from principals of this organization
   * (aws:PrincipalOrgID), with the same alert rules on it, to the same topic. Each message names
   * the account the event arose in.
   * @default - no organization bus; the account's own events only
   */
  readonly organizationId?: string;
}

/** The event bus member accounts forward their alert events to, in the security account's us-east-1. */
export const ORGANIZATION_BUS_NAME = 'irkit-organization-alerts';

/** One alert: the events it matches and how its message reads. */
export interface AlertDefinition {
  /** Construct id of the rule: stable. */
  readonly id: string;
  readonly description: string;
  readonly pattern: events.EventPattern;
  readonly message: string;
  /**
   * Where its events arise: 'global' only in us-east-1 (IAM); 'regional' in every Region the
   * caller chose (STS regional endpoints, GuardDuty); 'health' in us-east-1 and AWS Health's
   * backup Region.
   */
  readonly scope: 'global' | 'regional' | 'health';
  /**
   * The event is a read-only management event (STS AssumeRole is), which a rule receives only in
   * the state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
   */
  readonly readOnlyManagementEvent?: boolean;
}

/** The state a rule needs to receive read-only management events through CloudTrail. */
export const ALL_MANAGEMENT_EVENTS_STATE = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
const API_CALL = 'AWS API Call via CloudTrail';
const field = (path: string): string => events.EventField.fromPath(path);

/** The parts of a message every CloudTrail-based alert shares: who, what, from where, when. */
function apiCallMessage(what: string, target: string, advice: string): string {
  const key = field('$.detail.userIdentity.accessKeyId');
  return (
    `IR Kit alert: ${what}. Who: ${field('$.detail.userIdentity.arn')} (access key ${key}) ` +
    `called ${field('$.detail.eventName')}${target} from IP ${field('$.detail.sourceIPAddress')} ` +
    `at ${field('$.detail.eventTime')} in account ${field('$.account')}, region ${field('$.detail.awsRegion')}. ` +
    `${advice} Start with: irkit validate --access-key-id ${key} ; then irkit investigate ` +
    `--access-key-id ${key} --from YYYY/MM/DD --to YYYY/MM/DD (a window around that time).`
  );
}

function iamCall(eventNames: string[], requestParameters?: Record<string, unknown>): events.EventPattern {
  return {
    source: ['aws.iam'],
    detailType: [API_CALL],
    detail: {
      eventSource: ['iam.amazonaws.com'],
      eventName: eventNames,
      ...(requestParameters ? { requestParameters } : {}),
    },
  };
}

/**
 * Inline policies that grant every action. EventBridge sees the document only as a string, so
 * the match is textual: the common spellings of `"Action": "*"` in compact and indented JSON.
 */
const ALLOW_ALL_ACTIONS = [
  '"Action":"\\*"',
  '"Action": "\\*"',
  '"Action":["\\*"]',
  '"Action": ["\\*"]',
].flatMap((text) => events.Match.wildcard(`*${text}*`));

/**
 * The credential alerts of DESIGN.md: EventBridge rules on the IAM, STS, Health and GuardDuty
 * events that announce or follow a credential exposure, each sending a readable one-paragraph
 * message to a KMS-encrypted SNS topic. IAM events arrive only in us-east-1, so the stack that
 * holds this construct must deploy there.
 */
export class CredentialAlerts extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;
  public readonly rules: events.Rule[];
  /** The bus member accounts forward to (with organizationId). */
  public readonly organizationBus?: events.EventBus;

  constructor(scope: Construct, id: string, props: CredentialAlertsProps) {
    super(scope, id);
    for (const address of props.emailAddresses ?? []) {
      if (!EMAIL.test(address)) {
        throw new IrKitError('IRKIT_CONFIG', `invalid alert e-mail address: ${JSON.stringify(address)}`, {
          hint: 'give addresses such as security@example.com (alertEmails)',
        });
      }
    }

    this.key = new kms.Key(this, 'Key', {
      description: 'IR Kit: encrypts the credential alerts topic.',
      enableKeyRotation: true,
    });
    // EventBridge publishes to the encrypted topic, so it must be able to use the key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToPublishEncrypted',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'IR Kit credential alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const address of props.emailAddresses ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }

    const stack = Stack.of(this);
    const rulesOn = (bus: events.IEventBus | undefined, breakGlassRoleArn: string, prefix: string) =>
      alertDefinitions(stack.partition, breakGlassRoleArn).map((definition) => {
        const rule = new events.Rule(this, `${prefix}${definition.id}`, {
          description: `${definition.description}${bus ? ' From a member account of the organization.' : ''}`,
          eventBus: bus,
          eventPattern: definition.pattern,
          targets: [
            new targets.SnsTopic(this.topic, {
              message: events.RuleTargetInput.fromText(definition.message),
            }),
          ],
        });
        if (definition.readOnlyManagementEvent) receiveReadOnlyManagementEvents(rule);
        return rule;
      });
    this.rules = rulesOn(undefined, props.breakGlassRole.roleArn, '');
    if (props.organizationId !== undefined) {
      checkedOrganizationId(props.organizationId);
      this.organizationBus = new events.EventBus(this, 'OrganizationBus', {
        eventBusName: ORGANIZATION_BUS_NAME,
        description: 'IR Kit: credential alert events forwarded by the member accounts of the organization.',
      });
      this.organizationBus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyTheOrganizationMayPutEvents',
          principals: [new iam.AnyPrincipal()],
          actions: ['events:PutEvents'],
          resources: [this.organizationBus.eventBusArn],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
        }),
      );
      // A member's break-glass role has the member's account id, which the event carries in `account`.
      const memberBreakGlass = stack.formatArn({
        service: 'iam',
        region: '',
        account: '*',
        resource: 'role',
        resourceName: props.breakGlassRole.roleName,
      });
      this.rules.push(...rulesOn(this.organizationBus, memberBreakGlass, 'Organization'));
    }
  }
}

/** Sets the rule state under which EventBridge also delivers read-only management events. */
export function receiveReadOnlyManagementEvents(rule: events.Rule): void {
  (rule.node.defaultChild as events.CfnRule).state = ALL_MANAGEMENT_EVENTS_STATE;
}

/**
 * Every alert of DESIGN.md; `breakGlassRoleArn` may hold `*` (any member account's break-glass
 * role, on the organization bus), matched as an EventBridge wildcard. The same definitions serve the us-east-1 rules (to the topic) and the
 * regional forwarding rules, so what is forwarded is exactly what the topic's rules match.
 */
export function alertDefinitions(partition: string, breakGlassRoleArn: string): AlertDefinition[] {
  const targetUser = ` (user ${field('$.detail.requestParameters.userName')})`;
  return [
    {
      id: 'AccessKeyCreated',
      scope: 'global',
      description: 'IR Kit: an IAM user access key was created (the playbook recommends this alert).',
      pattern: iamCall(['CreateAccessKey']),
      message: apiCallMessage(
        'a long-term IAM access key was created',
        targetUser,
        'Long-term keys are what gets exposed; confirm the owner expected this key.',
      ),
    },
    {
      id: 'UserCreated',
      scope: 'global',
      description: 'IR Kit: an IAM user was created.',
      pattern: iamCall(['CreateUser']),
      message: apiCallMessage(
        'an IAM user was created',
        targetUser,
        'Attackers with a stolen key create users to persist.',
      ),
    },
    {
      id: 'AdministratorAccessAttached',
      scope: 'global',
      description: 'IR Kit: the AdministratorAccess managed policy was attached to an IAM user.',
      pattern: iamCall(['AttachUserPolicy'], {
        policyArn: events.Match.suffix(':iam::aws:policy/AdministratorAccess'),
      }),
      message: apiCallMessage(
        'AdministratorAccess was attached to an IAM user',
        targetUser,
        "This is the playbook actor's escalation step.",
      ),
    },
    {
      id: 'AdministratorInlinePolicy',
      scope: 'global',
      description: 'IR Kit: an inline policy allowing every action was put on an IAM user.',
      pattern: iamCall(['PutUserPolicy'], { policyDocument: ALLOW_ALL_ACTIONS }),
      message: apiCallMessage(
        'an inline policy allowing every action was put on an IAM user',
        targetUser,
        'This grants administrator rights without the managed policy.',
      ),
    },
    {
      id: 'LoginProfileChanged',
      scope: 'global',
      description: 'IR Kit: a console password was created or changed for an IAM user.',
      pattern: iamCall(['CreateLoginProfile', 'UpdateLoginProfile']),
      message: apiCallMessage(
        'a console password was created or changed',
        targetUser,
        'A password gives a key holder console access.',
      ),
    },
    {
      id: 'CompromisedKeyQuarantine',
      scope: 'global',
      description: 'IR Kit: AWS attached an AWSCompromisedKeyQuarantine policy (AWS found an exposed key).',
      pattern: iamCall(['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy'], {
        policyArn: events.Match.prefix(`arn:${partition}:iam::aws:policy/AWSCompromisedKeyQuarantine`),
      }),
      message: apiCallMessage(
        'an AWSCompromisedKeyQuarantine policy was attached: AWS believes a key of this account is exposed',
        ` (user ${field('$.detail.requestParameters.userName')}, policy ${field('$.detail.requestParameters.policyArn')})`,
        "Treat the named user's keys as exposed.",
      ),
    },
    {
      id: 'BreakGlassAssumed',
      scope: 'regional',
      // STS records AssumeRole as read-only, so a default rule state would never see it.
      readOnlyManagementEvent: true,
      description: 'IR Kit: the break-glass role was assumed.',
      pattern: {
        source: ['aws.sts'],
        detailType: [API_CALL],
        detail: {
          eventSource: ['sts.amazonaws.com'],
          eventName: ['AssumeRole'],
          requestParameters: {
            roleArn: breakGlassRoleArn.includes('*')
              ? events.Match.wildcard(breakGlassRoleArn)
              : [breakGlassRoleArn],
          },
        },
      },
      message: apiCallMessage(
        'the break-glass role was assumed',
        ` (session ${field('$.detail.requestParameters.roleSessionName')})`,
        "If this elevation was not approved, treat the caller's credentials as exposed.",
      ),
    },
    {
      id: 'CredentialsExposedHealthEvent',
      scope: 'health',
      description: 'IR Kit: AWS Health reports exposed credentials (AWS_RISK_CREDENTIALS_EXPOSED).',
      pattern: {
        source: ['aws.health'],
        detailType: ['AWS Health Event'],
        detail: { eventTypeCode: ['AWS_RISK_CREDENTIALS_EXPOSED'] },
      },
      message:
        `IR Kit alert: AWS Health reports an exposed credential (${field('$.detail.eventTypeCode')}). ` +
        `Who: access key ${field('$.detail.affectedEntities[0].entityValue')}, found in a public place by AWS ` +
        `(no source IP: nobody called an API yet, as far as AWS says). When: ${field('$.time')}, ` +
        `account ${field('$.account')}, region ${field('$.region')}. Start with: irkit validate ` +
        `--access-key-id ${field('$.detail.affectedEntities[0].entityValue')} ; then irkit investigate ` +
        `--access-key-id ${field('$.detail.affectedEntities[0].entityValue')} --from YYYY/MM/DD --to YYYY/MM/DD.`,
    },
    {
      id: 'GuardDutyIamUserFinding',
      scope: 'regional',
      description: 'IR Kit: a GuardDuty finding of an IAMUser family.',
      pattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Finding'],
        // Finding types read ThreatPurpose:IAMUser/Family, so the family sits after the purpose.
        detail: { type: events.Match.wildcard('*:IAMUser/*') },
      },
      message:
        `IR Kit alert: GuardDuty finding ${field('$.detail.type')} (severity ${field('$.detail.severity')}). ` +
        `Who: user ${field('$.detail.resource.accessKeyDetails.userName')} (access key ` +
        `${field('$.detail.resource.accessKeyDetails.accessKeyId')}) called ` +
        `${field('$.detail.service.action.awsApiCallAction.api')} from IP ` +
        `${field('$.detail.service.action.awsApiCallAction.remoteIpDetails.ipAddressV4')}, last seen ` +
        `${field('$.detail.service.eventLastSeen')} in account ${field('$.account')}, region ${field('$.region')}. ` +
        `Start with: irkit validate --access-key-id ${field('$.detail.resource.accessKeyDetails.accessKeyId')} ; ` +
        `then irkit investigate --access-key-id ${field('$.detail.resource.accessKeyDetails.accessKeyId')} ` +
        `--from YYYY/MM/DD --to YYYY/MM/DD.`,
    },
  ];
}
