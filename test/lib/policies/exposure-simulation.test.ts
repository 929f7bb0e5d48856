import { Template } from 'aws-cdk-lib/assertions';

import { SimulationStack } from '../../../lib/stacks/simulation-stack';
import { ACCOUNT, env, REGION, testApp } from '../stacks/fixtures';
import { decide, DeployedTemplate, PolicyDocument, Template as Json } from './template-policies';

/** What the exposed key (JorgeSouza) can do: the attack script's calls and nothing more. */

const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const JORGE = user('JorgeSouza');
const ADMINISTRATOR_ACCESS_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';

let policies: { name: string; policy: PolicyDocument }[];

beforeAll(() => {
  const stack = new SimulationStack(testApp(), 'IrKitSimulation', {
    env,
    enabled: true,
    sandboxAccount: ACCOUNT,
  });
  const deployed = new DeployedTemplate(Template.fromStack(stack).toJSON() as Json, {
    account: ACCOUNT,
    region: REGION,
  });
  policies = deployed.identityPolicies(deployed.logicalId('AWS::IAM::User', 'ExposureUser'));
});

const ask = (action: string, resource: string, context: Record<string, string> = {}) =>
  decide({ principal: JORGE, action, resource, identityPolicies: policies, context });

describe('the exposed simulation user', () => {
  it("makes the attack's rogue user, tags it, gives it AdministratorAccess and a key", async () => {
    const rogue = user('JaneDoe-20210724T022232');
    expect(await ask('iam:CreateUser', rogue)).toBe('Allowed');
    expect(await ask('iam:TagUser', rogue)).toBe('Allowed');
    expect(await ask('iam:AttachUserPolicy', rogue, { 'iam:PolicyARN': ADMINISTRATOR_ACCESS_ARN })).toBe(
      'Allowed',
    );
    expect(await ask('iam:CreateAccessKey', rogue)).toBe('Allowed');
  });

  it('cannot attach any other policy', async () => {
    const other = 'arn:aws:iam::aws:policy/IAMFullAccess';
    expect(await ask('iam:AttachUserPolicy', user('JaneDoe'), { 'iam:PolicyARN': other })).toBe(
      'ImplicitlyDenied',
    );
  });

  it('cannot touch users the attack did not create, itself included', async () => {
    for (const name of ['Administrator', 'JorgeSouza']) {
      expect(await ask('iam:CreateAccessKey', user(name))).toBe('ImplicitlyDenied');
      expect(
        await ask('iam:AttachUserPolicy', user(name), { 'iam:PolicyARN': ADMINISTRATOR_ACCESS_ARN }),
      ).toBe('ImplicitlyDenied');
    }
  });

  it('cannot undo its own work or do anything else', async () => {
    expect(await ask('iam:DeleteUser', user('JaneDoe'))).toBe('ImplicitlyDenied');
    expect(await ask('iam:DetachUserPolicy', user('JaneDoe'))).toBe('ImplicitlyDenied');
    expect(await ask('s3:CreateBucket', 'arn:aws:s3:::DOC-EXAMPLE-BUCKET')).toBe('ImplicitlyDenied');
  });
});
