import { IrKitError } from '../../../lib/errors';
import { createPlan, parsePlan } from '../../../orchestrator/contain/plan';

/** The role step's optional `mode` and `irRole` (issue 10): read as written, anything else refused. */

const planWith = (...steps: unknown[]) => JSON.stringify({ formatVersion: 1, steps });

function errorOf(text: string): IrKitError {
  try {
    parsePlan(text, 'plan.json');
  } catch (error) {
    if (error instanceof IrKitError) return error;
    throw error;
  }
  throw new Error('expected parsePlan to throw');
}

describe('role steps: mode and irRole', () => {
  it('reads deny-all, revoke and an IR role as written, and leaves an absent mode absent', () => {
    const plan = parsePlan(
      planWith(
        { kind: 'role', name: 'BackdoorRole', mode: 'deny-all' },
        { kind: 'role', name: 'DevOpsRole', mode: 'revoke' },
        { kind: 'role', name: 'SecurityAnalystRole', mode: 'revoke', irRole: true },
        { kind: 'role', name: 'AppRole' },
      ),
    );
    expect(plan.steps).toEqual([
      { kind: 'role', name: 'BackdoorRole', mode: 'deny-all', evidence: [] },
      { kind: 'role', name: 'DevOpsRole', mode: 'revoke', evidence: [] },
      { kind: 'role', name: 'SecurityAnalystRole', mode: 'revoke', irRole: true, evidence: [] },
      { kind: 'role', name: 'AppRole', evidence: [] },
    ]);
  });

  it('refuses a mode other than revoke or deny-all, naming the field and the allowed values', () => {
    const error = errorOf(planWith({ kind: 'role', name: 'AppRole', mode: 'delete' }));
    expect(error.code).toBe('IRKIT_PLAN_INVALID');
    expect(error.message).toBe('plan.json.steps[0].mode is "delete"');
    expect(error.hint).toMatch(/revoke, deny-all/);
  });

  it('refuses an irRole that is not a boolean', () => {
    const error = errorOf(planWith({ kind: 'role', name: 'AppRole', irRole: 'yes' }));
    expect(error.message).toBe('plan.json.steps[0].irRole is "yes"');
  });

  it('refuses deny-all on an IR role', () => {
    const error = errorOf(
      planWith({ kind: 'role', name: 'SecurityAdminRole', mode: 'deny-all', irRole: true }),
    );
    expect(error.message).toBe('plan.json.steps[0] makes the IR role SecurityAdminRole deny-all');
    expect(error.hint).toMatch(/only ever revoked/);
  });

  it('refuses mode and irRole on users and buckets', () => {
    expect(errorOf(planWith({ kind: 'user', name: 'JaneDoe', mode: 'revoke' })).message).toMatch(
      /unknown field "mode"/,
    );
    expect(errorOf(planWith({ kind: 'bucket', name: 'DOC-EXAMPLE-BUCKET', irRole: true })).message).toMatch(
      /unknown field "irRole"/,
    );
  });

  it('merges two steps for one role into the stronger one: deny-all over revoke', () => {
    const plan = createPlan({
      steps: [
        { kind: 'role', name: 'AppDeployRole', mode: 'revoke', evidence: [{ reason: 'assumed' }] },
        { kind: 'role', name: 'appdeployrole', mode: 'deny-all', evidence: [{ reason: 'trust changed' }] },
      ],
    });
    expect(plan.steps).toEqual([
      {
        kind: 'role',
        name: 'AppDeployRole',
        mode: 'deny-all',
        evidence: [{ reason: 'assumed' }, { reason: 'trust changed' }],
      },
    ]);
  });

  it('refuses to merge an IR role step with a deny-all step for the same role', () => {
    expect(() =>
      createPlan({
        steps: [
          { kind: 'role', name: 'SecurityDeployRole', mode: 'revoke', irRole: true },
          { kind: 'role', name: 'SecurityDeployRole', mode: 'deny-all' },
        ],
      }),
    ).toThrow('plan.steps makes the IR role SecurityDeployRole deny-all');
  });
});
