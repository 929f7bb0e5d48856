import { plansOfAccounts } from '../../../orchestrator/contain/accounts';
import { createPlan } from '../../../orchestrator/contain/plan';

const HOME = '777777777777';
const MEMBER = '111122223333';
const plans = [HOME, MEMBER].map((accountId) => createPlan({ incidentId: 'IR-1', accountId, steps: [] }));

describe('plansOfAccounts (--account)', () => {
  test('an account given twice is entered once, in the order first asked', () => {
    expect(plansOfAccounts(plans, [MEMBER, HOME, MEMBER]).map((p) => p.accountId)).toEqual([MEMBER, HOME]);
  });

  test('an account the plan does not name is refused with the ones it does, before anything runs', () => {
    expect(() => plansOfAccounts(plans, ['444455556666'])).toThrow(
      expect.objectContaining({
        code: 'IRKIT_INVALID_INPUT',
        message: 'the plan has nothing for account 444455556666',
        hint: `the plan's accounts are ${HOME}, ${MEMBER}; nothing was changed`,
      }),
    );
  });

  test('a malformed account id is refused', () => {
    expect(() => plansOfAccounts(plans, ['77777777777x'])).toThrow(
      expect.objectContaining({ code: 'IRKIT_INVALID_INPUT' }),
    );
  });
});
