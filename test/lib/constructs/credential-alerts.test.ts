import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';

import { CredentialAlerts } from '../../../lib/constructs/credential-alerts';
import { nagFindings } from '../../helpers/compliance';
import { DeployedTemplate, Template as Json } from '../policies/template-policies';
import { ACCOUNT, env, testApp } from '../stacks/fixtures';
import { matches, render } from './event-patterns';

type Event = Parameters<typeof matches>[1];

/** An IAM or STS API call as CloudTrail delivers it to EventBridge, shaped like the playbook's. */
function apiCall(eventName: string, requestParameters: Record<string, string>, source = 'aws.iam'): Event {
  return {
    version: '0',
    id: '6f87d04b-9f74-4f04-a780-7acf4b0a9b38',
    'detail-type': 'AWS API Call via CloudTrail',
    source,
    account: ACCOUNT,
    time: '2021-07-24T02:22:34Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDACKCEVSQ6C2EXAMPLE',
        arn: `arn:aws:iam::${ACCOUNT}:user/JorgeSouza`,
        accountId: ACCOUNT,
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        userName: 'JorgeSouza',
      },
      eventTime: '2021-07-24T02:22:34Z',
      eventSource: source === 'aws.sts' ? 'sts.amazonaws.com' : 'iam.amazonaws.com',
      eventName,
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.77',
      userAgent:
        'aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/iam.create-access-key',
      requestParameters,
    },
  };
}

const ADMIN_DOCUMENT =
  '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]\n}';

const EVENTS: Record<string, Event> = {
  createAccessKey: apiCall('CreateAccessKey', { userName: 'JaneDoe' }),
  createUser: apiCall('CreateUser', { userName: 'JaneDoe' }),
  attachAdmin: apiCall('AttachUserPolicy', {
    userName: 'JaneDoe',
    policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
  }),
  attachReadOnly: apiCall('AttachUserPolicy', {
    userName: 'JaneDoe',
    policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  }),
  putAdminInline: apiCall('PutUserPolicy', {
    userName: 'JaneDoe',
    policyName: 'x',
    policyDocument: ADMIN_DOCUMENT,
  }),
  putCompactAdminInline: apiCall('PutUserPolicy', {
    userName: 'JaneDoe',
    policyName: 'x',
    policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*"],"Resource":"*"}]}',
  }),
  putNarrowInline: apiCall('PutUserPolicy', {
    userName: 'JaneDoe',
    policyName: 'x',
    policyDocument:
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
  }),
  createLoginProfile: apiCall('CreateLoginProfile', { userName: 'JaneDoe' }),
  updateLoginProfile: apiCall('UpdateLoginProfile', { userName: 'JaneDoe' }),
  quarantine: apiCall('AttachUserPolicy', {
    userName: 'JorgeSouza',
    policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3',
  }),
  assumeBreakGlass: apiCall(
    'AssumeRole',
    { roleArn: `arn:aws:iam::${ACCOUNT}:role/SecurityBreakGlassRole`, roleSessionName: 'responder' },
    'aws.sts',
  ),
  assumeAnalyst: apiCall(
    'AssumeRole',
    { roleArn: `arn:aws:iam::${ACCOUNT}:role/SecurityAnalystRole`, roleSessionName: 'responder' },
    'aws.sts',
  ),
  listUsers: apiCall('ListUsers', {}),
  health: {
    'detail-type': 'AWS Health Event',
    source: 'aws.health',
    account: ACCOUNT,
    time: '2021-07-24T03:00:00Z',
    region: 'us-east-1',
    detail: {
      service: 'RISK',
      eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED',
      eventTypeCategory: 'issue',
      affectedEntities: [{ entityValue: 'AKIAIOSFODNN7EXAMPLE' }],
    },
  },
  guardDutyIamUser: {
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: ACCOUNT,
    time: '2021-07-24T02:40:00Z',
    region: 'us-east-1',
    detail: {
      type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      severity: 8,
      resource: { accessKeyDetails: { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', userName: 'JaneDoe' } },
      service: {
        eventLastSeen: '2021-07-24T02:22:57Z',
        action: {
          awsApiCallAction: { api: 'PutObject', remoteIpDetails: { ipAddressV4: '198.51.100.77' } },
        },
      },
    },
  },
  guardDutyEc2: {
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: ACCOUNT,
    region: 'us-east-1',
    detail: { type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 2 },
  },
};

describe('CredentialAlerts', () => {
  let stack: Stack;
  let alerts: CredentialAlerts;
  let template: Template;
  let rules: {
    id: string;
    pattern: Json;
    transformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
  }[];

  beforeAll(() => {
    stack = new Stack(testApp(), 'S', { env });
    alerts = new CredentialAlerts(stack, 'Alerts', {
      breakGlassRole: iam.Role.fromRoleName(stack, 'BreakGlass', 'SecurityBreakGlassRole'),
      emailAddresses: ['security@example.com', 'soc@example.com'],
    });
    template = Template.fromStack(stack);
    const deployed = new DeployedTemplate(template.toJSON() as Json, {
      account: ACCOUNT,
      region: 'us-east-1',
    });
    rules = alerts.rules.map((rule) => {
      const resource = template.toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as never)];
      return {
        id: rule.node.id,
        pattern: deployed.resolve(resource.Properties.EventPattern) as Json,
        transformer: resource.Properties.Targets[0].InputTransformer,
      };
    });
  });

  const matched = (event: Event) => rules.filter((r) => matches(r.pattern as never, event)).map((r) => r.id);

  it.each([
    ['createAccessKey', ['AccessKeyCreated']],
    ['createUser', ['UserCreated']],
    ['attachAdmin', ['AdministratorAccessAttached']],
    ['putAdminInline', ['AdministratorInlinePolicy']],
    ['putCompactAdminInline', ['AdministratorInlinePolicy']],
    ['createLoginProfile', ['LoginProfileChanged']],
    ['updateLoginProfile', ['LoginProfileChanged']],
    ['quarantine', ['CompromisedKeyQuarantine']],
    ['assumeBreakGlass', ['BreakGlassAssumed']],
    ['health', ['CredentialsExposedHealthEvent']],
    ['guardDutyIamUser', ['GuardDutyIamUserFinding']],
    ['attachReadOnly', []],
    ['putNarrowInline', []],
    ['assumeAnalyst', []],
    ['listUsers', []],
    ['guardDutyEc2', []],
  ])('routes the %s event to %j', (name, expected) => {
    expect(matched(EVENTS[name])).toEqual(expected);
  });

  it('receives the break-glass AssumeRole, which CloudTrail records as read-only (rule state)', () => {
    // STS marks AssumeRole readOnly: a rule in the default state never sees it.
    expect(EVENTS.assumeBreakGlass).toMatchObject({ detail: { eventName: 'AssumeRole' } });
    const states = Object.fromEntries(
      alerts.rules.map((rule) => [rule.node.id, (rule.node.defaultChild as { state?: string }).state]),
    );
    expect(states.BreakGlassAssumed).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    expect(
      Object.entries(states).filter(([, state]) => state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'),
    ).toHaveLength(1);
  });

  it("tells who, what, from which IP, when, where, and the irkit command for the playbook's key", () => {
    const rule = rules.find((r) => r.id === 'AccessKeyCreated');
    const message = render(rule!.transformer, EVENTS.createAccessKey);
    expect(message).toBe(
      'IR Kit alert: a long-term IAM access key was created. Who: arn:aws:iam::777777777777:user/JorgeSouza ' +
        '(access key AKIAIOSFODNN7EXAMPLE) called CreateAccessKey (user JaneDoe) from IP 198.51.100.77 at ' +
        '2021-07-24T02:22:34Z in account 777777777777, region us-east-1. Long-term keys are what gets exposed; ' +
        'confirm the owner expected this key. Start with: irkit validate --access-key-id AKIAIOSFODNN7EXAMPLE ; ' +
        'then irkit investigate --access-key-id AKIAIOSFODNN7EXAMPLE --from YYYY/MM/DD --to YYYY/MM/DD ' +
        '(a window around that time).',
    );
  });

  it.each([
    ['CredentialsExposedHealthEvent', 'health', ['AKIAIOSFODNN7EXAMPLE', '777777777777', 'irkit validate']],
    [
      'GuardDutyIamUserFinding',
      'guardDutyIamUser',
      [
        'UnauthorizedAccess:IAMUser',
        'JaneDoe',
        'AKIAI44QH8DHBEXAMPLE',
        '198.51.100.77',
        'PutObject',
        'irkit investigate',
      ],
    ],
    [
      'BreakGlassAssumed',
      'assumeBreakGlass',
      ['break-glass role was assumed', 'session responder', 'JorgeSouza'],
    ],
  ])('renders a readable %s message', (id, event, parts) => {
    const message = render(rules.find((r) => r.id === id)!.transformer, EVENTS[event]);
    for (const part of parts) {
      expect(message).toContain(part);
    }
    expect(message).not.toMatch(/<[a-zA-Z-]+>/);
  });

  it('publishes to a topic encrypted with a rotating customer key that EventBridge may use', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] },
    });
  });

  it('refuses non-TLS publishing on the topic and lets EventBridge publish', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'events.amazonaws.com' },
          }),
        ]),
      },
    });
  });

  it('subscribes each configured address by e-mail', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'soc@example.com',
    });
  });

  it('has nine rules and no unacknowledged cdk-nag finding', () => {
    template.resourceCountIs('AWS::Events::Rule', 9);
    expect(nagFindings(stack)).toEqual([]);
  });

  it('refuses an invalid e-mail address, naming it', () => {
    const other = new Stack(testApp(), 'Other', { env });
    expect(
      () =>
        new CredentialAlerts(other, 'Alerts', {
          breakGlassRole: iam.Role.fromRoleName(other, 'BreakGlass', 'SecurityBreakGlassRole'),
          emailAddresses: ['security.example.com'],
        }),
    ).toThrow(
      expect.objectContaining({
        code: 'IRKIT_CONFIG',
        message: expect.stringContaining('security.example.com'),
      }),
    );
  });
});
