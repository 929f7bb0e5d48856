import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';

import { buildApp } from '../../../bin/app';
import { ALERTS_OUTPUTS, AlertsStack } from '../../../lib/stacks/alerts-stack';
import { nagFindings } from '../../helpers/compliance';
import { ACCOUNT, RESPONDER, testApp } from './fixtures';

describe('AlertsStack (IrKitAlerts)', () => {
  it('deploys to us-east-1 whatever the app default, and outputs the topic ARN', () => {
    const stack = new AlertsStack(testApp(), 'IrKitAlerts', {
      env: { account: ACCOUNT },
      alertEmails: ['security@example.com'],
    });
    expect(stack.region).toBe('us-east-1');
    const template = Template.fromStack(stack);
    template.hasOutput(ALERTS_OUTPUTS.topicArn, {
      Value: { Ref: Match.stringLikeRegexp('^CredentialAlertsTopic') },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'security@example.com' });
    expect(nagFindings(stack)).toEqual([]);
  });

  it('watches the break-glass role by its configured name', () => {
    const stack = new AlertsStack(testApp(), 'IrKitAlerts', {
      env: { account: ACCOUNT, region: 'us-east-1' },
      breakGlassRoleName: 'IrBreakGlass',
    });
    const patterns = JSON.stringify(Template.fromStack(stack).findResources('AWS::Events::Rule'));
    expect(patterns).toContain(`:iam::${ACCOUNT}:role/IrBreakGlass"`);
  });

  it('refuses another Region, saying why', () => {
    expect(
      () => new AlertsStack(testApp(), 'IrKitAlerts', { env: { account: ACCOUNT, region: 'eu-west-1' } }),
    ).toThrow(
      expect.objectContaining({ code: 'IRKIT_CONFIG', message: expect.stringContaining('eu-west-1') }),
    );
  });
});

describe('the app and the alerts stack', () => {
  it('puts IrKitAlerts in us-east-1 while the other stacks go elsewhere', () => {
    const built = buildApp(
      new App({
        context: {
          irkit: {
            accounts: [ACCOUNT],
            trustedPrincipals: [RESPONDER],
            logBucket: 'amzn-s3-demo-logging-bucket',
            alertEmails: ['security@example.com'],
            env: { account: ACCOUNT, region: 'eu-west-1' },
          },
        },
      }),
    );
    expect(built.alerts.stackName).toBe('IrKitAlerts');
    expect(built.alerts.region).toBe('us-east-1');
    expect(built.access.region).toBe('eu-west-1');
    expect(built.access.stackName).toBe('IrKitAccess');
  });
});
