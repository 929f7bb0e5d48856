import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

import { ResponderRoles, ResponderRolesProps } from '../../../lib/constructs/responder-roles';
import { nagFindings } from '../../helpers/compliance';
import { env, LOG_BUCKET, RESPONDER, RESULTS_BUCKET, testApp } from '../stacks/fixtures';

function build(props: Partial<ResponderRolesProps> = {}) {
  const stack = new Stack(testApp(), 'S', { env });
  const roles = new ResponderRoles(stack, 'Roles', {
    trustedPrincipals: [new iam.ArnPrincipal(RESPONDER)],
    logBucket: s3.Bucket.fromBucketName(stack, 'Logs', LOG_BUCKET),
    resultsBucket: s3.Bucket.fromBucketName(stack, 'Results', RESULTS_BUCKET),
    containmentExecutionRole: iam.Role.fromRoleName(stack, 'Execution', 'IrKitContainmentExecutionRole'),
    ...props,
  });
  return { stack, roles };
}

const trustedBy = (principal: unknown) => ({
  Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: principal } }],
});

describe('ResponderRoles', () => {
  let template: Template;
  let stack: Stack;

  beforeAll(() => {
    ({ stack } = build());
    template = Template.fromStack(stack);
  });

  it('creates the four roles with the playbook names, trusting only the configured principal', () => {
    for (const name of ['SecurityAnalystRole', 'SecurityAdminRole', 'SecurityDeployRole']) {
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: name,
        AssumeRolePolicyDocument: trustedBy(RESPONDER),
      });
    }
    template.resourceCountIs('AWS::IAM::Role', 4);
  });

  it('gives the analyst ReadOnlyAccess and a custom policy scoped to the kit workgroup', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'SecurityAnalystRole',
      ManagedPolicyArns: Match.arrayWith([
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] },
      ]),
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'QueryKitWorkgroup',
            Action: Match.arrayWith(['athena:GetQueryResults', 'athena:StartQueryExecution']),
            Resource: 'arn:aws:athena:us-east-1:777777777777:workgroup/IRWorkshopWorkgroup',
          }),
          Match.objectLike({ Sid: 'NeverWriteIam', Effect: 'Deny', Resource: '*' }),
        ]),
      },
    });
  });

  it('requires MFA for the break-glass role, with one-hour sessions and AdministratorAccess', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'SecurityBreakGlassRole',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: RESPONDER },
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
          },
        ],
      },
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] },
      ],
    });
  });

  it('lets the deploy role pass only the execution role, and only to CloudFormation', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'PassOnlyContainmentExecutionRole',
            Action: 'iam:PassRole',
            Resource: 'arn:aws:iam::777777777777:role/IrKitContainmentExecutionRole',
            Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
          }),
        ]),
      },
    });
  });

  it('grants no KMS key use when the buckets use S3-managed keys', () => {
    expect(JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'))).not.toContain('kms:');
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('grants the customer keys of logs and results when given', () => {
    const { stack: withKeys } = build();
    const logKey = kms.Key.fromKeyArn(
      withKeys,
      'LogKey',
      'arn:aws:kms:us-east-1:777777777777:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    const resultsKey = kms.Key.fromKeyArn(
      withKeys,
      'ResultsKey',
      'arn:aws:kms:us-east-1:777777777777:key/0987dcba-09fe-87dc-65ba-ab0987654321',
    );
    const roles = new ResponderRoles(withKeys, 'Keyed', {
      trustedPrincipals: [new iam.ArnPrincipal(RESPONDER)],
      logBucket: s3.Bucket.fromBucketName(withKeys, 'Logs2', LOG_BUCKET),
      logBucketKey: logKey,
      resultsBucket: s3.Bucket.fromBucketName(withKeys, 'Results2', RESULTS_BUCKET),
      resultsKey,
      containmentExecutionRole: iam.Role.fromRoleName(
        withKeys,
        'Execution2',
        'IrKitContainmentExecutionRole',
      ),
      analystRoleName: 'Analyst2',
      adminRoleName: 'Admin2',
      deployRoleName: 'Deploy2',
      breakGlassRoleName: 'BreakGlass2',
    });
    const statements = withKeys.resolve(roles.analystPolicy.document.toJSON()).Statement as {
      Sid: string;
      Action: string | string[];
      Resource: string;
    }[];
    expect(statements.find((s) => s.Sid === 'DecryptLogObjects')).toMatchObject({
      Action: 'kms:Decrypt',
      Resource: logKey.keyArn,
    });
    expect(statements.find((s) => s.Sid === 'EncryptDecryptResults')).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: resultsKey.keyArn,
    });
  });

  it('takes other role names and separate break-glass principals', () => {
    const breakGlass = 'arn:aws:iam::777777777777:role/IncidentCommander';
    const { stack: renamed } = build({
      analystRoleName: 'IrAnalyst',
      breakGlassRoleName: 'IrBreakGlass',
      breakGlassPrincipals: [new iam.ArnPrincipal(breakGlass)],
    });
    const t = Template.fromStack(renamed);
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'IrAnalyst',
      AssumeRolePolicyDocument: trustedBy(RESPONDER),
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'IrBreakGlass',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: breakGlass } })] },
    });
  });

  it('trusts several principals at once, each still needing MFA for break-glass', () => {
    const second = 'arn:aws:iam::777777777777:user/responder';
    const { stack: several } = build({
      trustedPrincipals: [new iam.ArnPrincipal(RESPONDER), new iam.ArnPrincipal(second)],
    });
    const t = Template.fromStack(several);
    // One statement naming both (cdk.json's @aws-cdk/aws-iam:minimizePolicies merges them).
    const assumeBy = (condition?: object) => ({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: [RESPONDER, second] },
      ...(condition ? { Condition: condition } : {}),
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'SecurityAnalystRole',
      AssumeRolePolicyDocument: { Statement: [assumeBy()] },
    });
    const mfa = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'SecurityBreakGlassRole',
      AssumeRolePolicyDocument: { Statement: [assumeBy(mfa)] },
    });
  });

  it('denies the deploy role every IAM write on the four IR roles, by their configured names', () => {
    const { roles, stack: renamed } = build({
      analystRoleName: 'IrAnalyst',
      adminRoleName: 'IrAdmin',
      deployRoleName: 'IrDeploy',
      breakGlassRoleName: 'IrBreakGlass',
    });
    const statements = renamed.resolve(roles.deployPolicy.document.toJSON()).Statement as {
      Sid: string;
      Effect: string;
      Action: string[];
      Resource: string[];
    }[];
    const deny = statements.find((s) => s.Sid === 'NeverChangeIrRoles');
    expect(deny).toMatchObject({ Effect: 'Deny' });
    expect(deny?.Action).toEqual(
      expect.arrayContaining(['iam:Put*', 'iam:Attach*', 'iam:Delete*', 'iam:PassRole']),
    );
    expect(deny?.Resource).toEqual(
      ['IrAnalyst', 'IrAdmin', 'IrDeploy', 'IrBreakGlass'].map((n) => `arn:aws:iam::777777777777:role/${n}`),
    );
  });

  it('refuses an empty list of trusted principals', () => {
    expect(() => build({ trustedPrincipals: [] })).toThrow(
      expect.objectContaining({
        code: 'IRKIT_CONFIG',
        message: expect.stringContaining('trusted principals'),
      }),
    );
  });

  it('refuses an empty list of break-glass principals', () => {
    expect(() => build({ breakGlassPrincipals: [] })).toThrow(
      expect.objectContaining({ code: 'IRKIT_CONFIG' }),
    );
  });

  it('refuses break-glass sessions shorter than IAM allows or longer than four hours', () => {
    for (const duration of [Duration.minutes(30), Duration.hours(12)]) {
      expect(() => build({ breakGlassMaxSessionDuration: duration })).toThrow(
        expect.objectContaining({
          code: 'IRKIT_CONFIG',
          message: expect.stringContaining('break-glass session'),
        }),
      );
    }
  });

  it('refuses an invalid role name, naming it', () => {
    expect(() => build({ deployRoleName: 'Deploy Role' })).toThrow(
      expect.objectContaining({ code: 'IRKIT_CONFIG', message: expect.stringContaining('"Deploy Role"') }),
    );
  });

  it('in a member account (no buckets) grants no Athena, Glue or log access; one bucket without the other is refused', () => {
    const { stack } = build({ logBucket: undefined, resultsBucket: undefined });
    const body = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(body).not.toMatch(/athena:|glue:|s3:GetObject/);
    expect(body).toMatch(/NeverWriteIam/);
    expect(() => build({ resultsBucket: undefined })).toThrow(
      expect.objectContaining({ code: 'IRKIT_CONFIG', message: expect.stringContaining('or neither') }),
    );
  });
});
