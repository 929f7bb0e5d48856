/**
 * irkit doctor --members through the real SDK clients on the wire: CloudFormation's
 * ListStackInstances (paged) in the administration account, STS AssumeRole of each member's
 * deploy and analyst roles (AccessDenied included), and IAM GetRole of each member's break-glass role with
 * that member's deploy-role session (its trust as IAM returns it, URL-encoded; NoSuchEntity and
 * AccessDenied included). The break-glass role itself is never assumed.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';

import { breakGlassCheck, MemberChecksAws, memberChecks } from '../../../orchestrator/doctor/members';
import {
  assumeRoleAnswer,
  AwsWire,
  awsQueryError,
  cfnXml,
  iamNoSuchEntity,
  iamXml,
  sessionKey,
  startAwsWire,
  WireResponse,
} from '../../support/aws-wire';

const SECURITY = '777777777777';
const OPERATOR = `arn:aws:sts::${SECURITY}:assumed-role/SecurityAdmin/jane`;
const RESPONDER = `arn:aws:iam::${SECURITY}:role/SecurityAdmin`;
const HEALTHY = '111122223333';
const DENIED = '444455556666';
const NO_ROLE = '123456789012';
const UNREADABLE = '210987654321';
const NO_MFA = '333344445555';
const MEMBERS = [HEALTHY, DENIED, NO_ROLE, UNREADABLE, NO_MFA];

/** The member baseline's break-glass trust, as CDK synthesizes it. */
const trust = (condition = true, principal = RESPONDER) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Action: 'sts:AssumeRole',
        ...(condition ? { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } } : {}),
        Effect: 'Allow',
        Principal: { AWS: principal },
      },
    ],
  });

/** IAM's GetRole answer: the trust policy URL-encoded, as IAM returns it. */
const getRole = (account: string, document: string): WireResponse =>
  iamXml(
    'GetRole',
    `<Role><Path>/</Path><RoleName>SecurityBreakGlassRole</RoleName><RoleId>AROAJQABLZS4A3QDU576Q</RoleId>` +
      `<Arn>arn:aws:iam::${account}:role/SecurityBreakGlassRole</Arn><CreateDate>2021-07-01T00:00:00Z</CreateDate>` +
      `<AssumeRolePolicyDocument>${encodeURIComponent(document)}</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration></Role>`,
  );

let security: AwsWire;
const members = new Map<string, AwsWire>();
beforeEach(async () => {
  security = await startAwsWire();
  for (const account of MEMBERS) members.set(account, await startAwsWire());
});
afterEach(async () => {
  await security.close();
  for (const wire of members.values()) await wire.close();
  members.clear();
});

const instance = (account: string, status: string, detailed: string, reason = '') =>
  `<member><StackSetId>IrKitMemberBaseline:0a1b2c3d-0000-4000-8000-000000000000</StackSetId><Region>us-east-1</Region>` +
  `<Account>${account}</Account><Status>${status}</Status>` +
  (reason ? `<StatusReason>${reason}</StatusReason>` : '') +
  `<StackInstanceStatus><DetailedStatus>${detailed}</DetailedStatus></StackInstanceStatus>` +
  '<OrganizationalUnitId>ou-exa1-11111111</OrganizationalUnitId><DriftStatus>NOT_CHECKED</DriftStatus></member>';

/** The administration account's clients; IAM goes to the member whose session signs it. */
const clients = (): MemberChecksAws => ({
  sts: new STSClient(security.clientConfig('sts', { maxAttempts: 1 })),
  cloudFormation: new CloudFormationClient(security.clientConfig('cloudformation', { maxAttempts: 1 })),
  iamWith: (credentials) => {
    const account = MEMBERS.find((a) => sessionKey(a) === credentials.accessKeyId) as string;
    return new IAMClient({
      ...(members.get(account) as AwsWire).clientConfig('iam', { maxAttempts: 1 }),
      credentials,
    });
  },
});
const options = {
  callAs: 'DELEGATED_ADMIN' as const,
  deployRoleArnTemplate: 'arn:aws:iam::{account}:role/SecurityDeployRole',
  analystRoleName: 'SecurityAnalystRole',
  breakGlassRoleName: 'SecurityBreakGlassRole',
  breakGlassPrincipals: [RESPONDER],
  operator: { arn: OPERATOR, account: SECURITY, partition: 'aws' },
};
const signedWith = (wire: AwsWire) =>
  new Set(wire.calls.map((c) => /Credential=(\w+)\//.exec(String(c.headers.authorization))?.[1]));

describe('irkit doctor --members', () => {
  it('reports each instance, each deploy and analyst role assumable, and each break-glass role’s trust, over every page', async () => {
    security.once('cloudformation', 'ListStackInstances', () =>
      cfnXml(
        'ListStackInstances',
        `<Summaries>${instance(HEALTHY, 'CURRENT', 'SUCCEEDED')}${instance(DENIED, 'OUTDATED', 'FAILED', 'ResourceLogicalId:RolesDeployD6A1B8B8, ResourceType:AWS::IAM::Role, ResourceStatusReason:SecurityDeployRole already exists.')}</Summaries><NextToken>page2</NextToken>`,
      ),
    );
    security.once('cloudformation', 'ListStackInstances', () =>
      cfnXml(
        'ListStackInstances',
        `<Summaries>${[NO_ROLE, UNREADABLE, NO_MFA].map((a) => instance(a, 'CURRENT', 'SUCCEEDED')).join('')}</Summaries>`,
      ),
    );
    security.on('sts', 'AssumeRole', assumeRoleAnswer(OPERATOR, new Set([DENIED])));
    members.get(HEALTHY)?.on('iam', 'GetRole', () => getRole(HEALTHY, trust()));
    members.get(NO_ROLE)?.on('iam', 'GetRole', (p) => iamNoSuchEntity('role', p.RoleName));
    members.get(UNREADABLE)?.on('iam', 'GetRole', () =>
      awsQueryError({
        service: 'iam',
        code: 'AccessDenied',
        status: 403,
        message: `User: arn:aws:sts::${UNREADABLE}:assumed-role/SecurityDeployRole/irkit-SecurityAdmin-jane is not authorized to perform: iam:GetRole on resource: role SecurityBreakGlassRole with an explicit deny in a service control policy`,
      }),
    );
    members.get(NO_MFA)?.on('iam', 'GetRole', () => getRole(NO_MFA, trust(false)));

    const checks = await memberChecks(clients(), options);
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      [`member ${HEALTHY} baseline (us-east-1)`, 'ok'],
      [`member ${HEALTHY} deploy role`, 'ok'],
      [`member ${HEALTHY} analyst role`, 'ok'],
      [`member ${HEALTHY} break-glass role`, 'ok'],
      [`member ${DENIED} baseline (us-east-1)`, 'fail'],
      [`member ${DENIED} deploy role`, 'fail'],
      [`member ${DENIED} analyst role`, 'fail'],
      [`member ${DENIED} break-glass role`, 'skip'],
      [`member ${NO_ROLE} baseline (us-east-1)`, 'ok'],
      [`member ${NO_ROLE} deploy role`, 'ok'],
      [`member ${NO_ROLE} analyst role`, 'ok'],
      [`member ${NO_ROLE} break-glass role`, 'fail'],
      [`member ${UNREADABLE} baseline (us-east-1)`, 'ok'],
      [`member ${UNREADABLE} deploy role`, 'ok'],
      [`member ${UNREADABLE} analyst role`, 'ok'],
      [`member ${UNREADABLE} break-glass role`, 'warn'],
      [`member ${NO_MFA} baseline (us-east-1)`, 'ok'],
      [`member ${NO_MFA} deploy role`, 'ok'],
      [`member ${NO_MFA} analyst role`, 'ok'],
      [`member ${NO_MFA} break-glass role`, 'fail'],
    ]);
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName[`member ${HEALTHY} break-glass role`].detail).toMatch(
      /admits you \(arn:aws:sts::777777777777:assumed-role\/SecurityAdmin\/jane\) with MFA only .*not checked: your own policy's sts:AssumeRole on arn:aws:iam::111122223333:role\/SecurityBreakGlassRole, and MFA in the session/,
    );
    expect(byName[`member ${DENIED} deploy role`].detail).toMatch(/AccessDenied/);
    expect(byName[`member ${HEALTHY} analyst role`].detail).toBe(
      `arn:aws:iam::${HEALTHY}:role/SecurityAnalystRole can be assumed (irkit status)`,
    );
    expect(byName[`member ${DENIED} baseline (us-east-1)`].detail).toMatch(
      /OUTDATED, FAILED: .*already exists/,
    );
    expect(byName[`member ${NO_ROLE} break-glass role`]).toMatchObject({
      detail: `arn:aws:iam::${NO_ROLE}:role/SecurityBreakGlassRole does not exist`,
      fix: expect.stringMatching(/breakGlassRoleName/),
    });
    expect(byName[`member ${UNREADABLE} break-glass role`].detail).toMatch(
      /^not verified: reading .* failed: AccessDenied: .*service control policy/,
    );
    expect(byName[`member ${NO_MFA} break-glass role`]).toMatchObject({
      detail: expect.stringMatching(/admits .* WITHOUT MFA \(statement 1\)/),
      fix: expect.stringMatching(/UpdateAssumeRolePolicy/),
    });

    // Every member's IAM read went with that member's deploy-role session; the break-glass role was never assumed.
    for (const account of [HEALTHY, NO_ROLE, UNREADABLE, NO_MFA]) {
      expect(signedWith(members.get(account) as AwsWire)).toEqual(new Set([sessionKey(account)]));
      expect(members.get(account)?.callsTo('iam', 'GetRole')[0].params.RoleName).toBe(
        'SecurityBreakGlassRole',
      );
    }
    expect(members.get(DENIED)?.calls).toEqual([]);
    const assumed = security.callsTo('sts', 'AssumeRole').map((c) => c.params.RoleArn);
    expect(assumed.filter((arn) => !/:role\/Security(Deploy|Analyst)Role$/.test(arn))).toEqual([]);
    expect(assumed).toHaveLength(2 * MEMBERS.length);
    const listed = security.callsTo('cloudformation', 'ListStackInstances').map((c) => c.params);
    expect(listed[0]).toMatchObject({ StackSetName: 'IrKitMemberBaseline', CallAs: 'DELEGATED_ADMIN' });
    expect(listed[1].NextToken).toBe('page2');
    expect(security.callsTo('sts', 'AssumeRole')[0].params.RoleSessionName).toBe('irkit-SecurityAdmin-jane');
  });

  it('says so when the StackSet is not there, and how to deploy it', async () => {
    security.on('cloudformation', 'ListStackInstances', () =>
      awsQueryError({
        service: 'cloudformation',
        code: 'StackSetNotFoundException',
        status: 404,
        message: 'StackSet IrKitMemberBaseline not found',
      }),
    );
    const [check] = await memberChecks(clients(), options);
    expect(check).toMatchObject({
      name: 'StackSet IrKitMemberBaseline',
      status: 'fail',
      detail: 'not found',
    });
    expect(check.fix).toMatch(/npx cdk deploy IrKitOrganization/);
  });
});

describe('the break-glass role’s trust, read on the wire', () => {
  const check = (document: string, extra: Partial<Parameters<typeof breakGlassCheck>[2]> = {}) => {
    const wire = members.get(HEALTHY) as AwsWire;
    wire.on('iam', 'GetRole', () => getRole(HEALTHY, document));
    return breakGlassCheck(new IAMClient(wire.clientConfig('iam', { maxAttempts: 1 })), HEALTHY, {
      ...options,
      ...extra,
    });
  };

  it('you not among breakGlassPrincipals: a warning naming them, not a failure', async () => {
    const out = await check(trust(true, `arn:aws:iam::${SECURITY}:role/IncidentCommander`), {
      breakGlassPrincipals: [`arn:aws:iam::${SECURITY}:role/IncidentCommander`],
    });
    expect(out).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(
        /not among breakGlassPrincipals \(arn:aws:iam::777777777777:role\/IncidentCommander\)/,
      ),
    });
  });

  it('you among them but not admitted: the member’s role is not the baseline as configured', async () => {
    const out = await check(trust(true, `arn:aws:iam::${SECURITY}:role/IncidentCommander`));
    expect(out).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/though the config names you/),
    });
  });

  it('a trusted principal deleted since: IAM shows its unique id, and the fix is to redeploy', async () => {
    const out = await check(trust(true, 'AROADBQP57FF2AEXAMPLE'));
    expect(out).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/names AROADBQP57FF2AEXAMPLE: principals deleted/),
      fix: expect.stringMatching(/npx cdk deploy IrKitOrganization/),
    });
  });

  it('a trust it cannot evaluate: not verified, never ok', async () => {
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: RESPONDER },
          Action: 'sts:AssumeRole',
          Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
        },
      ],
    });
    expect(await check(document)).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/^not verified: .*NumericLessThan on aws:MultiFactorAuthAge/),
    });
  });
});
