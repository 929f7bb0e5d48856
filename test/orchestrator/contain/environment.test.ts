import { ACCESS_OUTPUTS, ACCESS_STACK_NAME } from '../../../lib/stacks/access-stack';
import { contain } from '../../../orchestrator/contain/contain';
import {
  ACCESS_OUTPUT_KEYS,
  ACCESS_STACK_NAME as READ_FROM,
  resolveEnvironment,
  whoAmI,
} from '../../../orchestrator/contain/environment';
import { targetsOfOptions } from '../../../orchestrator/contain/targets';
import { ACCOUNT, EXECUTION_ROLE_ARN, FakeAws, recordingIo } from './fake-aws';

let aws: FakeAws;
beforeEach(() => {
  aws = new FakeAws();
  aws.addRole('AppRole');
});
afterEach(() => aws.restore());

describe('the containment environment', () => {
  it('reads the outputs the access stack writes, under the same names', () => {
    expect(READ_FROM).toBe(ACCESS_STACK_NAME);
    for (const [key, value] of Object.entries(ACCESS_OUTPUT_KEYS)) {
      expect(ACCESS_OUTPUTS[key as keyof typeof ACCESS_OUTPUTS]).toBe(value);
    }
  });

  it('knows the caller as the role of its session, or as its user', async () => {
    expect((await whoAmI(aws.clients)).principal).toEqual({ kind: 'role', name: 'SecurityDeployRole' });
    aws.callerArn = `arn:aws:iam::${ACCOUNT}:user/ops/alice`;
    expect((await whoAmI(aws.clients)).principal).toEqual({ kind: 'user', name: 'alice' });
  });

  it('takes the execution role from the access stack, an option taking precedence', async () => {
    expect((await resolveEnvironment(aws.clients)).executionRoleArn).toBe(EXECUTION_ROLE_ARN);
    const custom = `arn:aws:iam::${ACCOUNT}:role/CustomExecution`;
    expect((await resolveEnvironment(aws.clients, { executionRoleArn: custom })).executionRoleArn).toBe(
      custom,
    );
    await expect(resolveEnvironment(aws.clients, { executionRoleArn: 'not-an-arn' })).rejects.toThrow(
      /invalid --execution-role-arn/,
    );
  });

  it('without the access stack and without --execution-role-arn, refuses and says what to deploy', async () => {
    aws.accessStack = false;
    const targets = targetsOfOptions({ roles: ['AppRole'] });
    await expect(
      contain(aws.clients, { incidentId: 'IR-1', targets, yes: true }, recordingIo()),
    ).rejects.toMatchObject({
      code: 'IRKIT_CONFIG',
      hint: expect.stringContaining('npx cdk deploy IrKitAccess'),
    });
    expect(aws.writes).toEqual([]);
  });
});
