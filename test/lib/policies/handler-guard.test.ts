import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { runSimulation } from '@cloud-copilot/iam-simulate';

import { handlerGuardPolicy } from '../../../lib/policies/handler-guard';
import { ADMINISTRATOR_ACCESS } from './template-policies';

/**
 * The example SCP that closes the containment handler's residual risk, asked of the simulator:
 * an administrator of the account (an exposed admin key) may no longer change the handler, its
 * role or its log; the kit's deployer still may; nothing else is touched.
 */
const ACCOUNT = '777777777777';
const ADMIN = `arn:aws:iam::${ACCOUNT}:user/JorgeSouza`;
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`;
const HANDLER = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:irkit-contain-handler`;
const HANDLER_ROLE = `arn:aws:iam::${ACCOUNT}:role/IrKitContainmentHandlerRole`;
const HANDLER_LOG = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/irkit-contain-handler`;
const FULL_AWS_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

async function decide(principal: string, action: string, resource: string): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: { 'aws:PrincipalArn': principal },
      },
      identityPolicies: [{ name: 'admin', policy: ADMINISTRATOR_ACCESS }],
      serviceControlPolicies: [
        {
          orgIdentifier: 'ou-exam-pleou123',
          policies: [
            { name: 'FullAWSAccess', policy: FULL_AWS_ACCESS },
            { name: 'IrKitContainmentHandlerGuard', policy: handlerGuardPolicy() },
          ],
        },
      ],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`${action}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

const guarded = handlerGuardPolicy().Statement.flatMap((s) =>
  (s.Action as string[]).map((action) => {
    const resource = action.startsWith('lambda:')
      ? HANDLER
      : action.startsWith('iam:')
        ? HANDLER_ROLE
        : action === 'logs:DeleteLogStream'
          ? `${HANDLER_LOG}:log-stream:2021-07-26-abc`
          : HANDLER_LOG;
    return [action, resource] as const;
  }),
);

describe('the containment handler guard SCP', () => {
  it.each(guarded)('denies an account administrator %s on the handler', async (action, resource) => {
    expect(await decide(ADMIN, action, resource)).toBe('ExplicitlyDenied');
  });

  it.each(guarded)('lets the kit’s deployer %s', async (action, resource) => {
    expect(await decide(DEPLOYER, action, resource)).toBe('Allowed');
  });

  it('leaves every other function and role alone', async () => {
    expect(
      await decide(ADMIN, 'lambda:UpdateFunctionCode', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:app`),
    ).toBe('Allowed');
    expect(await decide(ADMIN, 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/AppRole`)).toBe('Allowed');
  });

  it('is the document shipped in docs/, and fits an SCP (5,120 characters)', () => {
    const shipped = readFileSync(join(__dirname, '../../../docs/containment-handler-guard.scp.json'), 'utf8');
    expect(JSON.parse(shipped)).toEqual(handlerGuardPolicy());
    expect(JSON.stringify(handlerGuardPolicy()).length).toBeLessThan(5120);
  });
});
