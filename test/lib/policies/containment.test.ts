import { Template } from 'aws-cdk-lib/assertions';

import {
  containedBucketPolicy,
  PolicyDocument as KitPolicy,
  revokeOlderSessionsPolicy,
} from '../../../lib/policies/containment';
import { ACCOUNT, accessFixture } from '../stacks/fixtures';
import {
  ADMINISTRATOR_ACCESS,
  decide,
  DeployedTemplate,
  PolicyDocument,
  Template as Json,
} from './template-policies';

/**
 * The playbook's containment, asked of the IAM simulator: the deny-all managed policy as the
 * access stack synthesizes it, and the bucket and session documents the containment stacks use.
 */

const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const BUCKET = 'DOC-EXAMPLE-BUCKET';
const OBJECT = `arn:aws:s3:::${BUCKET}/stuff`;
const asJson = (document: KitPolicy): PolicyDocument =>
  JSON.parse(JSON.stringify(document)) as PolicyDocument;

/** The part of ReadOnlyAccess the bucket test needs: S3 reads everywhere. */
const READ_ONLY_S3: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' }],
};

let deployed: DeployedTemplate;
let containmentPolicy: PolicyDocument;
let breakGlassArn: string;
let analystArn: string;

beforeAll(() => {
  const fixture = accessFixture();
  deployed = new DeployedTemplate(Template.fromStack(fixture.stack).toJSON() as Json, fixture.deployment);
  containmentPolicy = deployed.managedPolicy('ContainmentPolicy');
  breakGlassArn = deployed.arnOf(deployed.logicalId('AWS::IAM::Role', 'RolesBreakGlass'));
  analystArn = deployed.arnOf(deployed.logicalId('AWS::IAM::Role', 'RolesAnalyst'));
});

describe('iam-containment-policy on a user holding AdministratorAccess', () => {
  const asks: [string, string][] = [
    ['s3:PutObject', OBJECT],
    ['iam:CreateAccessKey', user('JaneDoe')],
    ['sts:GetSessionToken', '*'],
  ];

  it.each(asks)('denies %s', async (action, resource) => {
    const decision = await decide({
      principal: user('JaneDoe'),
      action,
      resource,
      identityPolicies: [
        { name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS },
        { name: 'iam-containment-policy', policy: containmentPolicy },
      ],
    });
    expect(decision).toBe('ExplicitlyDenied');
  });

  it.each(asks)('(control) without it, AdministratorAccess allows %s', async (action, resource) => {
    const decision = await decide({
      principal: user('JaneDoe'),
      action,
      resource,
      identityPolicies: [{ name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS }],
    });
    expect(decision).toBe('Allowed');
  });

  it('is the playbook document: one Deny * on * with Sid IamPolicyForContainment', () => {
    expect(containmentPolicy.Statement).toEqual([
      { Sid: 'IamPolicyForContainment', Effect: 'Deny', Action: '*', Resource: '*' },
    ]);
  });
});

describe('bucket containment policy', () => {
  /** A responder's call through an assumed-role session; aws:PrincipalArn is the role's ARN. */
  const session = (roleArn: string) =>
    roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/responder';
  const getObject = (principalArn: string, identity: PolicyDocument, bucketPolicy?: PolicyDocument) =>
    decide({
      principal: principalArn.includes(':role/') ? session(principalArn) : principalArn,
      action: 's3:GetObject',
      resource: OBJECT,
      identityPolicies: [{ name: 'identity', policy: identity }],
      resourcePolicy: bucketPolicy,
      context: { 'aws:PrincipalArn': principalArn },
    });

  it('denies SecurityAnalystRole s3:GetObject', async () => {
    const policy = asJson(containedBucketPolicy(BUCKET, breakGlassArn));
    expect(await getObject(analystArn, READ_ONLY_S3)).toBe('Allowed');
    expect(await getObject(analystArn, READ_ONLY_S3, policy)).toBe('ExplicitlyDenied');
  });

  it('allows SecurityBreakGlassRole s3:GetObject', async () => {
    const policy = asJson(containedBucketPolicy(BUCKET, breakGlassArn));
    expect(await getObject(breakGlassArn, ADMINISTRATOR_ACCESS, policy)).toBe('Allowed');
  });

  it('exempts exactly the roles it names (the handler role beside break-glass)', async () => {
    const handler = role('IrKitContainmentHandlerRole');
    const policy = asJson(containedBucketPolicy(BUCKET, [breakGlassArn, handler]));
    expect(await getObject(handler, ADMINISTRATOR_ACCESS, policy)).toBe('Allowed');
    expect(await getObject(breakGlassArn, ADMINISTRATOR_ACCESS, policy)).toBe('Allowed');
    expect(await getObject(analystArn, READ_ONLY_S3, policy)).toBe('ExplicitlyDenied');
    expect(await getObject(role('SecurityBreakGlassRole2'), ADMINISTRATOR_ACCESS, policy)).toBe(
      'ExplicitlyDenied',
    );
  });

  it('denies the actor even with AdministratorAccess', async () => {
    const policy = asJson(containedBucketPolicy(BUCKET, breakGlassArn));
    expect(await getObject(user('JaneDoe'), ADMINISTRATOR_ACCESS, policy)).toBe('ExplicitlyDenied');
  });

  it("keeps the existing policy's statements, which still apply while contained", async () => {
    const existing: KitPolicy = {
      Version: '2012-10-17',
      Id: 'ExistingPolicy',
      Statement: [
        {
          Sid: 'NoDeletes',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:DeleteObject',
          Resource: `arn:aws:s3:::${BUCKET}/*`,
        },
      ],
    };
    const policy = asJson(containedBucketPolicy(BUCKET, breakGlassArn, existing));
    expect(policy.Statement[0]).toEqual(existing.Statement[0]);
    expect(policy.Statement).toHaveLength(2);
    const deleteAsBreakGlass = await decide({
      principal: session(breakGlassArn),
      action: 's3:DeleteObject',
      resource: OBJECT,
      identityPolicies: [{ name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS }],
      resourcePolicy: policy,
      context: { 'aws:PrincipalArn': breakGlassArn },
    });
    expect(deleteAsBreakGlass).toBe('ExplicitlyDenied');
    expect(await getObject(breakGlassArn, ADMINISTRATOR_ACCESS, policy)).toBe('Allowed');
  });
});

describe('revoke-older-sessions policy on a role', () => {
  const containedAt = '2021-07-26T00:40:00Z';
  const call = (tokenIssueTime: string) =>
    decide({
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/AppRole/session`,
      action: 's3:PutObject',
      resource: OBJECT,
      identityPolicies: [
        { name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS },
        { name: 'revoke', policy: asJson(revokeOlderSessionsPolicy(containedAt)) },
      ],
      context: { 'aws:TokenIssueTime': tokenIssueTime, 'aws:PrincipalArn': role('AppRole') },
    });

  it('denies a session issued before the containment time', async () => {
    expect(await call('2021-07-24T02:22:40Z')).toBe('ExplicitlyDenied');
  });

  it('allows a session issued after it', async () => {
    expect(await call('2021-07-26T00:45:00Z')).toBe('Allowed');
  });
});
