import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

import { buildApp } from '../../../bin/app';
import { SimulationStack } from '../../../lib/stacks/simulation-stack';
import { nagFindings } from '../../helpers/compliance';
import { ACCOUNT, env, RESPONDER, testApp } from './fixtures';

describe('SimulationStack (IrKitSimulation)', () => {
  it('outputs the user, the secret ARN and the sandbox account, never the key', () => {
    const stack = new SimulationStack(testApp(), 'IrKitSimulation', {
      env,
      enabled: true,
      sandboxAccount: ACCOUNT,
    });
    const template = Template.fromStack(stack);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual([
      'SandboxAccount',
      'SimulationSecretArn',
      'SimulationUserName',
    ]);
    expect(outputs.SandboxAccount.Value).toBe(ACCOUNT);
    expect(outputs.SimulationSecretArn.Value).toEqual({ Ref: expect.stringMatching(/^ExposureSecret/) });
    expect(JSON.stringify(outputs)).not.toMatch(/SecretAccessKey|AccessKey/);
    expect(nagFindings(stack)).toEqual([]);
  });

  it('names the user from props', () => {
    const stack = new SimulationStack(testApp(), 'IrKitSimulation', {
      env,
      enabled: true,
      sandboxAccount: ACCOUNT,
      userName: 'ExposedUser',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::User', { UserName: 'ExposedUser' });
  });

  it('refuses to synthesize when the simulation is not enabled', () => {
    expect(
      () =>
        new SimulationStack(testApp(), 'IrKitSimulation', { env, enabled: false, sandboxAccount: ACCOUNT }),
    ).toThrow(
      expect.objectContaining({
        code: 'IRKIT_CONFIG',
        message: expect.stringContaining('simulation.enabled is false'),
      }),
    );
  });

  it('refuses to synthesize without a sandbox account', () => {
    expect(() => new SimulationStack(testApp(), 'IrKitSimulation', { env, enabled: true })).toThrow(
      expect.objectContaining({ code: 'IRKIT_CONFIG', message: expect.stringContaining('sandboxAccount') }),
    );
  });

  it('refuses to synthesize for an account other than the sandbox', () => {
    expect(
      () =>
        new SimulationStack(testApp(), 'IrKitSimulation', {
          env: { account: '111122223333', region: 'us-east-1' },
          enabled: true,
          sandboxAccount: ACCOUNT,
        }),
    ).toThrow(
      expect.objectContaining({
        code: 'IRKIT_CONFIG',
        message: expect.stringContaining('sandbox account 777777777777'),
      }),
    );
  });
});

describe('the app and the simulation stack', () => {
  const context = (simulation: object, account = ACCOUNT) => ({
    irkit: {
      accounts: [ACCOUNT],
      trustedPrincipals: [RESPONDER],
      logBucket: 'amzn-s3-demo-logging-bucket',
      env: { account, region: 'us-east-1' },
      simulation,
    },
  });

  it('leaves the simulation out by default', () => {
    expect(buildApp(new App({ context: context({}) })).simulation).toBeUndefined();
  });

  it('adds IrKitSimulation for the sandbox account when enabled', () => {
    const built = buildApp(new App({ context: context({ enabled: true, sandboxAccount: ACCOUNT }) }));
    expect(built.simulation?.stackName).toBe('IrKitSimulation');
    expect(built.simulation?.account).toBe(ACCOUNT);
  });

  it('refuses when the deployment account is not the sandbox account', () => {
    const app = new App({ context: context({ enabled: true, sandboxAccount: ACCOUNT }, '111122223333') });
    expect(() => buildApp(app)).toThrow(
      expect.objectContaining({
        code: 'IRKIT_CONFIG',
        message: expect.stringContaining('account 111122223333'),
      }),
    );
  });
});
