import { Match, Template } from 'aws-cdk-lib/assertions';

import { evaluateTrust } from '../../../../orchestrator/doctor/trust';
import { ERADICATION_ACTIONS } from '../../../../orchestrator/eradicate/steps';
import { STATUS_READS } from '../../../../orchestrator/eradicate/status-accounts';

import { ORGANIZATION_BUS_NAME } from '../../../../lib/constructs/credential-alerts';
import { TEMPLATE_BODY_MAX_BYTES } from '../../../../lib/stacks/containment/templates';
import { AlertsStack } from '../../../../lib/stacks/alerts-stack';
import {
  MEMBER_STACK_SETS,
  MemberTemplate,
  MemberTemplateKind,
  memberTemplates,
} from '../../../../lib/stacks/organization/member-templates';
import {
  OrganizationStack,
  OrganizationStackProps,
} from '../../../../lib/stacks/organization/organization-stack';
import {
  ADMINISTRATOR_ACCESS,
  decide,
  READ_ONLY_ACCESS,
  DeployedTemplate,
  Json,
  PolicyDocument,
  Template as CfnTemplate,
} from '../../policies/template-policies';
import { testApp } from '../fixtures';

const SECURITY = '777777777777';
const MEMBER = '111122223333';
const ORGANIZATION = 'o-exampleorgid';
const RESPONDER = `arn:aws:iam::${SECURITY}:role/IncidentResponder`;
const BUS = `arn:aws:events:us-east-1:${SECURITY}:event-bus/${ORGANIZATION_BUS_NAME}`;

let templates: Record<MemberTemplateKind, MemberTemplate>;
beforeAll(() => {
  // Synthesized with cdk-nag on: an unacknowledged finding in a member template throws here.
  templates = memberTemplates({
    baseline: { trustedPrincipals: [RESPONDER], evidenceAccount: SECURITY },
    alerts: { centralBusArn: BUS },
  });
});

function organization(overrides: Partial<OrganizationStackProps> = {}): Template {
  const stack = new OrganizationStack(testApp(), 'IrKitOrganization', {
    env: { account: SECURITY, region: 'us-east-1' },
    templates,
    organizationalUnits: ['ou-exa1-11111111'],
    baselineRegion: 'us-east-1',
    alertRegions: ['eu-west-1'],
    excludedAccounts: [SECURITY],
    ...overrides,
  });
  return Template.fromStack(stack);
}

describe('IrKitOrganization', () => {
  it('deploys the baseline and the alert rules by service-managed StackSets to the units, now and to accounts that join', () => {
    const template = organization();
    const common = {
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      OperationPreferences: Match.objectLike({
        FailureTolerancePercentage: 100,
        RegionConcurrencyType: 'PARALLEL',
      }),
    };
    const targets = {
      OrganizationalUnitIds: ['ou-exa1-11111111'],
      // The security account holds the same role names from IrKitAccess: never a member here.
      Accounts: [SECURITY],
      AccountFilterType: 'DIFFERENCE',
    };
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      ...common,
      StackSetName: MEMBER_STACK_SETS.baseline,
      StackInstancesGroup: [{ Regions: ['us-east-1'], DeploymentTargets: targets }],
      TemplateURL: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      ...common,
      StackSetName: MEMBER_STACK_SETS.alerts,
      StackInstancesGroup: [{ Regions: ['us-east-1', 'eu-west-1'], DeploymentTargets: targets }],
    });
  });

  it('in the management account calls as SELF; without exclusions targets the whole units', () => {
    const template = organization({ callAs: 'SELF', excludedAccounts: [] });
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      CallAs: 'SELF',
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-exa1-11111111'] } }],
    });
  });

  it('refuses no units, or an id that is not a unit or root, naming the fix', () => {
    expect(() => organization({ organizationalUnits: [] })).toThrow(/no organizational units/);
    expect(() => organization({ organizationalUnits: ['o-exampleorgid'] })).toThrow(
      /invalid organizational unit: "o-exampleorgid"/,
    );
  });
});

describe('the member baseline template', () => {
  let deployed: DeployedTemplate;
  beforeAll(() => {
    deployed = new DeployedTemplate(templates.baseline.template as unknown as CfnTemplate, {
      account: MEMBER,
      region: 'us-east-1',
      stackId: `arn:aws:cloudformation:us-east-1:${MEMBER}:stack/StackSet-IrKitMemberBaseline-1/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`,
    });
  });

  it('is self-contained: no parameters to fill, no asset; the handler inline; too large to pass inline, so a file asset', () => {
    const t = Template.fromJSON(templates.baseline.template);
    expect(Object.keys(templates.baseline.template.Parameters ?? {})).toEqual([]);
    t.resourceCountIs('AWS::IAM::Role', 6); // four IR roles, the execution role, the handler's role
    t.hasResourceProperties('AWS::Lambda::Function', {
      Code: { ZipFile: Match.stringLikeRegexp('exports') },
    });
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'iam-containment-policy' });
    expect(templates.baseline.body).not.toMatch(/cdk-hnb659fds|AssetParameters|BootstrapVersion/);
    expect(Buffer.byteLength(templates.baseline.body)).toBeGreaterThan(TEMPLATE_BODY_MAX_BYTES);
    // The member has no analytics: no Athena or log bucket grants.
    expect(templates.baseline.body).not.toMatch(/athena:StartQueryExecution|s3:GetObject/);
  });

  it("holds the break-glass role's writes into the security account's S3 to its own folder of an incident", () => {
    const t = Template.fromJSON(templates.baseline.template);
    const ownFolder = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':s3:::*/incidents/*/accounts/${aws:PrincipalAccount}/*'],
      ],
    };
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^RolesBreakGlass') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Sid: 'EvidenceWritesOnlyInThisAccountsFolder',
            Effect: 'Deny',
            NotResource: ownFolder,
            Condition: { StringEquals: { 'aws:ResourceAccount': SECURITY } },
          }),
          Match.objectLike({ Sid: 'EvidenceWritesNoFolderNestedElsewhere', Effect: 'Deny' }),
        ],
      },
    });
    expect(() =>
      memberTemplates({
        baseline: { trustedPrincipals: [RESPONDER], evidenceAccount: '7777' },
        alerts: { centralBusArn: BUS },
      }),
    ).toThrow(/invalid evidence account: "7777"/);
  });

  const memberRole = (name: string) => `arn:aws:iam::${MEMBER}:role/${name}`;
  const assume = (principal: string, roleName: string, context: Record<string, string> = {}) =>
    decide({
      principal,
      action: 'sts:AssumeRole',
      resource: memberRole(roleName),
      account: MEMBER,
      identityPolicies: [{ name: 'MayAssume', policy: ADMINISTRATOR_ACCESS }],
      resourcePolicy: deployed.trustPolicy(deployed.logicalId('AWS::IAM::Role', `Roles${roleName}`)),
      context,
    });

  it("lets the security account's responder assume each member IR role (break-glass with MFA)", async () => {
    for (const name of ['Analyst', 'Admin', 'Deploy']) {
      expect(await assume(RESPONDER, name)).toBe('Allowed');
    }
    expect(await assume(RESPONDER, 'BreakGlass', { 'aws:MultiFactorAuthPresent': 'true' })).toBe('Allowed');
    expect(await assume(RESPONDER, 'BreakGlass', { 'aws:MultiFactorAuthPresent': 'false' })).toBe(
      'ImplicitlyDenied',
    );
  });

  it('irkit doctor --members reads this break-glass trust as the simulator does: the responder, with MFA only', () => {
    const trust = deployed.trustPolicy(deployed.logicalId('AWS::IAM::Role', 'RolesBreakGlass'));
    const session = `arn:aws:sts::${SECURITY}:assumed-role/IncidentResponder/jane.doe@example.com`;
    expect(evaluateTrust(trust, { arn: session, mfa: 'true' }).decision).toBe('allowed');
    expect(evaluateTrust(trust, { arn: session, mfa: 'false' }).decision).toBe('denied');
    expect(evaluateTrust(trust, { arn: session }).decision).toBe('denied');
    expect(
      evaluateTrust(trust, { arn: `arn:aws:sts::${MEMBER}:assumed-role/Admin/carol`, mfa: 'true' }).decision,
    ).toBe('denied');
  });

  // irkit preserve and irkit eradicate enter a member account as its break-glass role (MFA, above).
  const memberResource = (type: string, action: string) =>
    ({
      user: `arn:aws:iam::${MEMBER}:user/JaneDoe`,
      role: `arn:aws:iam::${MEMBER}:role/RogueRole`,
      mfa: `arn:aws:iam::${MEMBER}:mfa/JaneDoe`,
      group: `arn:aws:iam::${MEMBER}:group/Developers`,
      'instance-profile': `arn:aws:iam::${MEMBER}:instance-profile/RogueProfile`,
      bucket:
        action === 's3:DeleteObjectVersion'
          ? 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/stuff'
          : 'arn:aws:s3:::DOC-EXAMPLE-BUCKET',
      instance: `arn:aws:ec2:us-east-1:${MEMBER}:instance/i-1234567890abcdef0`,
      volume: `arn:aws:ec2:us-east-1:${MEMBER}:volume/vol-049df61146c4d7901`,
      stack: `arn:aws:cloudformation:us-east-1:${MEMBER}:stack/irkit-contain-IR-2021-0724-user-JaneDoe/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`,
      any: '*',
    })[type] as string;
  const PRESERVATION_READS: ReadonlyArray<readonly [string, string]> = [
    ['iam:GetUser', 'user'],
    ['iam:ListAttachedUserPolicies', 'user'],
    ['iam:GetRole', 'role'],
    ['s3:GetBucketPolicy', 'bucket'],
    ['s3:GetBucketAcl', 'bucket'],
    ['s3:ListBucketVersions', 'bucket'],
    ['ec2:DescribeInstances', 'any'],
    ['ec2:CreateSnapshot', 'volume'],
  ];
  it.each([...ERADICATION_ACTIONS, ...PRESERVATION_READS])(
    "the member's break-glass role may %s on the member's resources; its deploy role may not change them",
    async (action, type) => {
      const as = (name: string, extra: Record<string, PolicyDocument>) =>
        decide({
          principal: memberRole(name),
          action,
          resource: memberResource(type, action),
          account: MEMBER,
          identityPolicies: deployed.identityPolicies(
            deployed.logicalId('AWS::IAM::Role', `Roles${name.replace(/^Security|Role$/g, '')}`),
            extra,
          ),
          context: { 'aws:MultiFactorAuthPresent': 'true' },
        });
      expect(await as('SecurityBreakGlassRole', { AdministratorAccess: ADMINISTRATOR_ACCESS })).toBe(
        'Allowed',
      );
      if (!/^(iam:Get|iam:List|s3:Get|s3:List|ec2:Describe)/.test(action)) {
        expect(await as('SecurityDeployRole', {})).not.toBe('Allowed');
      }
    },
  );

  it("the member's deploy role may read the break-glass role (irkit doctor --members reads its trust that way), not change it", async () => {
    const asDeploy = (action: string) =>
      decide({
        principal: memberRole('SecurityDeployRole'),
        action,
        resource: memberRole('SecurityBreakGlassRole'),
        account: MEMBER,
        identityPolicies: deployed.identityPolicies(deployed.logicalId('AWS::IAM::Role', 'RolesDeploy')),
      });
    expect(await asDeploy('iam:GetRole')).toBe('Allowed');
    expect(await asDeploy('iam:UpdateAssumeRolePolicy')).not.toBe('Allowed');
  });

  // irkit status enters a member account as its analyst role: Part 6 reads what the deploy role may not.
  it.each(STATUS_READS)("the member's analyst role may %s (irkit status, Part 6)", async (action, type) => {
    const decision = await decide({
      principal: memberRole('SecurityAnalystRole'),
      action,
      resource: memberResource(type, action),
      account: MEMBER,
      identityPolicies: deployed.identityPolicies(deployed.logicalId('AWS::IAM::Role', 'RolesAnalyst'), {
        ReadOnlyAccess: READ_ONLY_ACCESS,
      }),
    });
    expect(decision).toBe('Allowed');
  });

  it("the member's deploy role could not read what Part 6 reads: status uses the analyst role", async () => {
    const denied: string[] = [];
    for (const [action, type] of STATUS_READS) {
      const decision = await decide({
        principal: memberRole('SecurityDeployRole'),
        action,
        resource: memberResource(type, action),
        account: MEMBER,
        identityPolicies: deployed.identityPolicies(deployed.logicalId('AWS::IAM::Role', 'RolesDeploy')),
      });
      if (decision !== 'Allowed') denied.push(action);
    }
    expect(denied).toEqual(
      expect.arrayContaining(['iam:GetLoginProfile', 'iam:ListMFADevices', 's3:ListBucketVersions']),
    );
  });

  it("denies the member's own administrator and any other principal of the security account", async () => {
    for (const name of ['Analyst', 'Admin', 'Deploy']) {
      expect(await assume(`arn:aws:iam::${MEMBER}:role/Admin`, name)).toBe('ImplicitlyDenied');
      expect(await assume(`arn:aws:iam::${SECURITY}:role/SomeoneElse`, name)).toBe('ImplicitlyDenied');
    }
  });
});

describe('the member alerts template', () => {
  it('forwards every alert to the security account’s bus, IAM’s only in us-east-1, Health’s in us-east-1 and us-west-2', () => {
    const t = Template.fromJSON(templates.alerts.template);
    expect(Buffer.byteLength(templates.alerts.body)).toBeLessThan(TEMPLATE_BODY_MAX_BYTES);
    t.allResourcesProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: BUS, RoleArn: Match.anyValue() })],
    });
    const rules = t.findResources('AWS::Events::Rule');
    const byCondition = (condition: string | undefined) =>
      Object.values(rules)
        .filter((r) => r.Condition === condition)
        .map((r) => (r.Properties.EventPattern as { source: string[] }).source[0]);
    const conditions = templates.alerts.template.Conditions as Record<string, unknown>;
    const [globalId, healthId] = ['InGlobalEventsRegion', 'InHealthRegions'].map(
      (name) => Object.keys(conditions).find((id) => id.includes(name)) as string,
    );
    expect(conditions[globalId]).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
    expect(conditions[healthId]).toEqual({
      'Fn::Or': [
        { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
        { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-west-2'] },
      ],
    });
    expect(new Set(byCondition(globalId))).toEqual(new Set(['aws.iam']));
    expect(byCondition(healthId)).toEqual(['aws.health']);
    expect(new Set(byCondition(undefined))).toEqual(new Set(['aws.sts', 'aws.guardduty']));
  });
});

describe('the organization alerts bus in the security account', () => {
  let alerts: Template;
  let policy: PolicyDocument;
  beforeAll(() => {
    const stack = new AlertsStack(testApp(), 'IrKitAlerts', {
      env: { account: SECURITY, region: 'us-east-1' },
      organizationId: ORGANIZATION,
    });
    alerts = Template.fromStack(stack);
    const [busPolicy] = Object.values(alerts.findResources('AWS::Events::EventBusPolicy'));
    const statement = new DeployedTemplate(alerts.toJSON() as CfnTemplate, {
      account: SECURITY,
      region: 'us-east-1',
    }).resolve(busPolicy.Properties.Statement as Json);
    policy = { Version: '2012-10-17', Statement: [statement] };
  });

  it('carries every alert rule again, to the same topic, naming the member account in the message', () => {
    const rules = Object.values(alerts.findResources('AWS::Events::Rule'));
    const onBus = rules.filter((r) => r.Properties.EventBusName !== undefined);
    expect(onBus.length * 2).toBe(rules.length);
    for (const rule of onBus) {
      expect(JSON.stringify(rule.Properties.Targets)).toMatch(/account <account>|\$\.account/);
    }
    alerts.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: Match.objectLike({
        detail: Match.objectLike({
          requestParameters: { roleArn: [{ wildcard: 'arn:aws:iam::*:role/SecurityBreakGlassRole' }] },
        }),
      }),
    });
    alerts.hasOutput('OrganizationBusArn', Match.anyValue());
  });

  const put = (principal: string, orgId: string) =>
    decide({
      principal,
      action: 'events:PutEvents',
      resource: BUS,
      account: SECURITY,
      identityPolicies: [{ name: 'MayPut', policy: ADMINISTRATOR_ACCESS }],
      resourcePolicy: policy,
      context: { 'aws:PrincipalOrgID': orgId },
    });

  it("admits a member account's forwarding role, and denies a principal outside the organization", async () => {
    expect(await put(`arn:aws:iam::${MEMBER}:role/IrKitMemberAlerts-ForwardingRole`, ORGANIZATION)).toBe(
      'Allowed',
    );
    expect(await put('arn:aws:iam::444455556666:role/Outsider', 'o-otherorgid1')).toBe('ImplicitlyDenied');
  });
});
