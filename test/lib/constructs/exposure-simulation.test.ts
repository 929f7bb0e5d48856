import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';

import { ExposureSimulation, SIMULATION_TAG } from '../../../lib/constructs/exposure-simulation';
import { nagFindings } from '../../helpers/compliance';
import { ACCOUNT, env, testApp } from '../stacks/fixtures';

describe('ExposureSimulation', () => {
  let stack: Stack;
  let template: Template;

  beforeAll(() => {
    stack = new Stack(testApp(), 'S', { env });
    new ExposureSimulation(stack, 'Exposure', { sandboxAccount: ACCOUNT });
    template = Template.fromStack(stack);
  });

  it('creates the tagged exposed user JorgeSouza and its access key', () => {
    template.hasResourceProperties('AWS::IAM::User', {
      UserName: 'JorgeSouza',
      Tags: [{ Key: SIMULATION_TAG.key, Value: SIMULATION_TAG.value }],
    });
    template.hasResourceProperties('AWS::IAM::AccessKey', {
      UserName: { Ref: Match.stringLikeRegexp('^ExposureUser') },
    });
  });

  it("grants exactly the attack script's calls, on the users it creates", () => {
    const users = `arn:aws:iam::${ACCOUNT}:user/JaneDoe*`;
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Sid: 'CreateRogueUser',
            Effect: 'Allow',
            Action: ['iam:CreateAccessKey', 'iam:CreateUser', 'iam:TagUser'],
            Resource: users,
          },
          {
            Sid: 'AttachAdministratorAccessOnly',
            Effect: 'Allow',
            Action: 'iam:AttachUserPolicy',
            Resource: users,
            Condition: {
              ArnEquals: {
                'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess',
              },
            },
          },
        ],
      },
    });
  });

  it('keeps the key in a KMS-encrypted secret as {accessKeyId, secretAccessKey}', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExposureKey'), 'Arn'] },
      SecretString: {
        'Fn::Join': [
          '',
          [
            '{"accessKeyId":"',
            { Ref: Match.stringLikeRegexp('^ExposureAccessKey') },
            '","secretAccessKey":"',
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExposureAccessKey'), 'SecretAccessKey'] },
            '"}',
          ],
        ],
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('has no unacknowledged cdk-nag finding (the rotation finding is acknowledged)', () => {
    expect(nagFindings(stack)).toEqual([]);
    template.hasResource('AWS::SecretsManager::Secret', {
      Metadata: { cdk_nag: { rules_to_suppress: [Match.objectLike({ id: 'AwsSolutions-SMG4' })] } },
    });
  });

  it('refuses any account but the sandbox account', () => {
    const other = new Stack(testApp(), 'Other', { env: { account: '111122223333', region: 'us-east-1' } });
    expect(() => new ExposureSimulation(other, 'Exposure', { sandboxAccount: ACCOUNT })).toThrow(
      expect.objectContaining({
        code: 'IRKIT_CONFIG',
        message: expect.stringContaining('account 111122223333'),
      }),
    );
  });

  it('refuses a stack whose account is not known at synth time', () => {
    const agnostic = new Stack(testApp(), 'Agnostic');
    expect(() => new ExposureSimulation(agnostic, 'Exposure', { sandboxAccount: ACCOUNT })).toThrow(
      expect.objectContaining({
        code: 'IRKIT_CONFIG',
        message: expect.stringContaining('unspecified account'),
      }),
    );
  });

  it('refuses an invalid user name', () => {
    const other = new Stack(testApp(), 'Other', { env });
    expect(
      () => new ExposureSimulation(other, 'Exposure', { sandboxAccount: ACCOUNT, userName: 'Jorge Souza' }),
    ).toThrow(
      expect.objectContaining({ code: 'IRKIT_CONFIG', message: expect.stringContaining('"Jorge Souza"') }),
    );
  });
});
