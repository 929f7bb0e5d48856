import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';

import { CredentialAlerts } from '../../../lib/constructs/credential-alerts';
import { AlertForwardingStack } from '../../../lib/stacks/alert-forwarding-stack';
import { matches } from '../constructs/event-patterns';
import { decide, DeployedTemplate, Template as Json } from '../policies/template-policies';
import { ACCOUNT, testApp } from './fixtures';

type Event = Parameters<typeof matches>[1];

const CENTRAL_BUS = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;

/** The break-glass role assumed through eu-west-1's STS endpoint, as CloudTrail delivers it there. */
const regionalAssume: Event = {
  version: '0',
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.sts',
  account: ACCOUNT,
  time: '2021-07-24T02:50:01Z',
  region: 'eu-west-1',
  resources: [],
  detail: {
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      arn: `arn:aws:iam::${ACCOUNT}:user/JaneDoe`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
      userName: 'JaneDoe',
    },
    eventTime: '2021-07-24T02:50:01Z',
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.77',
    userAgent: 'aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/sts.assume-role',
    requestParameters: {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/SecurityBreakGlassRole`,
      roleSessionName: 'x',
    },
    readOnly: true,
    eventType: 'AwsApiCall',
    tlsDetails: { clientProvidedHostHeader: 'sts.eu-west-1.amazonaws.com' },
  },
};

function build(region: string) {
  const app = testApp();
  const stack = new AlertForwardingStack(app, `IrKitAlertForwarding-${region}`, {
    env: { account: ACCOUNT, region },
  });
  const template = Template.fromStack(stack); // fails on any unacknowledged cdk-nag finding
  const deployed = new DeployedTemplate(template.toJSON() as Json, { account: ACCOUNT, region });
  const rules = stack.forwarding.rules.map((rule) => {
    const resource = template.toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as never)];
    return {
      id: rule.node.id,
      resource,
      pattern: deployed.resolve(resource.Properties.EventPattern) as Json,
    };
  });
  return { stack, template, deployed, rules };
}

describe('AlertForwardingStack', () => {
  const euWest1 = build('eu-west-1');

  it('forwards the regional alerts (break-glass assumed, GuardDuty IAMUser findings) to the us-east-1 bus', () => {
    expect(euWest1.rules.map((r) => r.id).sort()).toEqual(['BreakGlassAssumed', 'GuardDutyIamUserFinding']);
    for (const rule of euWest1.rules) {
      expect(euWest1.deployed.resolve(rule.resource.Properties.Targets[0].Arn)).toBe(CENTRAL_BUS);
    }
  });

  it('receives the read-only AssumeRole of its Region and forwards it; the central rule then alerts on it', () => {
    const assume = euWest1.rules.find((r) => r.id === 'BreakGlassAssumed');
    expect(matches(assume?.pattern as never, regionalAssume)).toBe(true);
    expect(assume?.resource.Properties.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    // Forwarded events keep their source and detail, so the us-east-1 rule of the same pattern matches.
    const central = new Stack(testApp(), 'Central', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const alerts = new CredentialAlerts(central, 'Alerts', {
      breakGlassRole: iam.Role.fromRoleName(central, 'BreakGlass', 'SecurityBreakGlassRole'),
    });
    const centralTemplate = Template.fromStack(central);
    const rule = alerts.rules.find((r) => r.node.id === 'BreakGlassAssumed');
    const resource =
      centralTemplate.toJSON().Resources[central.getLogicalId(rule?.node.defaultChild as never)];
    const pattern = new DeployedTemplate(centralTemplate.toJSON() as Json, {
      account: ACCOUNT,
      region: 'us-east-1',
    }).resolve(resource.Properties.EventPattern);
    expect(matches(pattern as never, regionalAssume)).toBe(true);
  });

  it('forwards AWS Health only from its backup Region, us-west-2', () => {
    expect(euWest1.rules.some((r) => r.id === 'CredentialsExposedHealthEvent')).toBe(false);
    expect(build('us-west-2').rules.map((r) => r.id)).toContain('CredentialsExposedHealthEvent');
  });

  it('needs no CDK bootstrap in its Region (no asset, no bootstrap version)', () => {
    const json = euWest1.template.toJSON();
    expect(json.Parameters ?? {}).not.toHaveProperty('BootstrapVersion');
    expect(json).not.toHaveProperty('Rules');
  });

  it('forwards with a role that may put events on the central bus and nothing else (IAM simulator)', async () => {
    const roleId = euWest1.deployed.logicalId('AWS::IAM::Role', 'ForwardingRole');
    const policies = [
      {
        name: 'inline',
        policy: euWest1.deployed.resolve(
          (
            euWest1.template.toJSON().Resources[roleId].Properties.Policies as Array<{
              PolicyDocument: never;
            }>
          )[0].PolicyDocument,
        ) as never,
      },
    ];
    const ask = (action: string, resource: string) =>
      decide({
        principal: `arn:aws:iam::${ACCOUNT}:role/forwarder`,
        action,
        resource,
        identityPolicies: policies,
      });
    expect(await ask('events:PutEvents', CENTRAL_BUS)).toBe('Allowed');
    expect(await ask('events:PutEvents', `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default`)).toBe(
      'ImplicitlyDenied',
    );
    expect(await ask('events:PutRule', `arn:aws:events:us-east-1:${ACCOUNT}:rule/x`)).toBe(
      'ImplicitlyDenied',
    );
    const trust = euWest1.deployed.trustPolicy(roleId);
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      }),
    ]);
  });

  it('refuses us-east-1, where the alerts stack itself listens', () => {
    expect(
      () => new AlertForwardingStack(testApp(), 'X', { env: { account: ACCOUNT, region: 'us-east-1' } }),
    ).toThrow(/needs a Region other than us-east-1/);
  });
});
