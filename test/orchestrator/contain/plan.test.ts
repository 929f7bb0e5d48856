import { IrKitError } from '../../../lib/errors';
import {
  createPlan,
  parsePlan,
  PLAN_FORMAT_VERSION,
  serializePlan,
} from '../../../orchestrator/contain/plan';

const PLAYBOOK_PLAN = {
  formatVersion: 1,
  incidentId: 'IR-2021-0724',
  accountId: '777777777777',
  steps: [
    {
      kind: 'user',
      name: 'JorgeSouza',
      accessKeyIds: ['AKIAIOSFODNN7EXAMPLE'],
      evidence: [{ reason: 'the exposed key belongs to this user' }],
    },
    {
      kind: 'user',
      name: 'JaneDoe',
      accessKeyIds: ['AKIAI44QH8DHBEXAMPLE'],
      evidence: [
        { reason: 'created by JorgeSouza', eventName: 'CreateUser', eventTime: '2021-07-24T02:22:33Z' },
      ],
    },
    { kind: 'bucket', name: 'DOC-EXAMPLE-BUCKET', evidence: [{ reason: 'created by JaneDoe' }] },
  ],
};

function planErrorOf(text: string): IrKitError {
  try {
    parsePlan(text, 'plan.json');
  } catch (error) {
    if (error instanceof IrKitError) return error;
    throw error;
  }
  throw new Error('expected parsePlan to throw');
}

describe('containment plan format', () => {
  it('reads the playbook plan as written', () => {
    const plan = parsePlan(JSON.stringify(PLAYBOOK_PLAN));
    expect(plan.formatVersion).toBe(PLAN_FORMAT_VERSION);
    expect(plan.steps.map((s) => `${s.kind}:${s.name}`)).toEqual([
      'user:JorgeSouza',
      'user:JaneDoe',
      'bucket:DOC-EXAMPLE-BUCKET',
    ]);
    expect(plan.steps[1]).toEqual(PLAYBOOK_PLAN.steps[1]);
  });

  it('reads the plan out of an investigation result document', () => {
    const doc = {
      subject: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
      principals: [],
      containmentPlan: PLAYBOOK_PLAN,
    };
    expect(parsePlan(JSON.stringify(doc)).steps).toHaveLength(3);
  });

  it('round-trips through serializePlan', () => {
    const plan = parsePlan(JSON.stringify(PLAYBOOK_PLAN));
    expect(parsePlan(serializePlan(plan))).toEqual(plan);
  });

  it('createPlan merges steps for the same user (IAM names ignore case) and keeps keys once', () => {
    const plan = createPlan({
      steps: [
        { kind: 'user', name: 'JaneDoe', accessKeyIds: ['AKIAI44QH8DHBEXAMPLE'] },
        {
          kind: 'user',
          name: 'janedoe',
          accessKeyIds: ['AKIAI44QH8DHBEXAMPLE'],
          evidence: [{ reason: 'r' }],
        },
        { kind: 'bucket', name: 'DOC-EXAMPLE-BUCKET' },
        { kind: 'bucket', name: 'doc-example-bucket' },
      ],
    });
    expect(plan.steps).toEqual([
      { kind: 'user', name: 'JaneDoe', accessKeyIds: ['AKIAI44QH8DHBEXAMPLE'], evidence: [{ reason: 'r' }] },
      { kind: 'bucket', name: 'DOC-EXAMPLE-BUCKET', evidence: [] },
      { kind: 'bucket', name: 'doc-example-bucket', evidence: [] },
    ]);
  });

  it('refuses a plan from a newer format, saying to upgrade', () => {
    const error = planErrorOf(JSON.stringify({ ...PLAYBOOK_PLAN, formatVersion: 2 }));
    expect(error.code).toBe('IRKIT_PLAN_INVALID');
    expect(error.message).toContain('newer than this irkit understands');
    expect(error.hint).toContain('upgrade irkit');
  });

  it.each([
    ['text that is not JSON', '{"formatVersion": 1, steps: [', 'not valid JSON'],
    ['a JSON list', '[]', 'is not a JSON object'],
    ['a missing version', JSON.stringify({ steps: [] }), 'formatVersion must be 1'],
    ['a version as a string', JSON.stringify({ formatVersion: '1', steps: [] }), 'formatVersion must be 1'],
    ['missing steps', JSON.stringify({ formatVersion: 1 }), 'steps is missing'],
    [
      'an unknown kind',
      JSON.stringify({ formatVersion: 1, steps: [{ kind: 'group', name: 'Admins' }] }),
      'steps[0].kind is "group"',
    ],
    [
      'a malformed user name',
      JSON.stringify({ formatVersion: 1, steps: [{ kind: 'user', name: 'Jane Doe' }] }),
      'steps[0].name invalid IAM user name',
    ],
    [
      'a malformed key id',
      JSON.stringify({
        formatVersion: 1,
        steps: [{ kind: 'user', name: 'JaneDoe', accessKeyIds: ['AKIA1'] }],
      }),
      'steps[0].accessKeyIds[0] invalid access key id',
    ],
    [
      'a session key to deactivate',
      JSON.stringify({
        formatVersion: 1,
        steps: [{ kind: 'user', name: 'JaneDoe', accessKeyIds: ['ASIAIOSFODNN7EXAMPLE'] }],
      }),
      'is a temporary (session) key',
    ],
    [
      'a misspelt field',
      JSON.stringify({ formatVersion: 1, steps: [{ kind: 'user', name: 'JaneDoe', accesKeyIds: [] }] }),
      'unknown field "accesKeyIds"',
    ],
    [
      'a malformed bucket name',
      JSON.stringify({ formatVersion: 1, steps: [{ kind: 'bucket', name: 'a/b' }] }),
      'invalid S3 bucket name',
    ],
    [
      'a malformed incident id',
      JSON.stringify({ formatVersion: 1, incidentId: 'IR 1', steps: [] }),
      'incidentId',
    ],
    ['a malformed account', JSON.stringify({ formatVersion: 1, accountId: '7777', steps: [] }), 'accountId'],
    [
      'evidence with a bad time',
      JSON.stringify({
        formatVersion: 1,
        steps: [{ kind: 'role', name: 'R', evidence: [{ reason: 'x', eventTime: 'yesterday' }] }],
      }),
      'evidence[0].eventTime invalid time',
    ],
    [
      'three keys for one user',
      JSON.stringify({
        formatVersion: 1,
        steps: [
          { kind: 'user', name: 'JaneDoe', accessKeyIds: ['AKIAI44QH8DHBEXAMPLE', 'AKIAIOSFODNN7EXAMPLE'] },
          { kind: 'user', name: 'JaneDoe', accessKeyIds: ['AKIAJ44QH8DHBEXAMPLE'] },
        ],
      }),
      'lists 3 access keys for user JaneDoe',
    ],
  ])('refuses %s with IRKIT_PLAN_INVALID naming the place', (_what, text, message) => {
    const error = planErrorOf(text);
    expect(error.code).toBe('IRKIT_PLAN_INVALID');
    expect(error.message).toContain(message);
    expect(error.hint).toBeTruthy();
  });
});

describe('role steps: mode and irRole', () => {
  const role = (extra: Record<string, unknown>) =>
    JSON.stringify({ formatVersion: 1, steps: [{ kind: 'role', name: 'AppRole', ...extra }] });

  it('reads mode deny-all and irRole, and leaves them out when absent', () => {
    expect(parsePlan(role({ mode: 'deny-all' })).steps[0]).toEqual({
      kind: 'role',
      name: 'AppRole',
      mode: 'deny-all',
      evidence: [],
    });
    expect(parsePlan(role({ irRole: true })).steps[0]).toMatchObject({ irRole: true });
    expect(parsePlan(role({})).steps[0]).toEqual({ kind: 'role', name: 'AppRole', evidence: [] });
  });

  it.each([
    [{ mode: 'deny' }, 'steps[0].mode is "deny"', 'mode is one of revoke, deny-all'],
    [{ irRole: false }, 'steps[0].irRole is false', 'irRole is true or absent'],
    [{ irRole: true, mode: 'deny-all' }, 'is an IR role (irRole) with mode deny-all', 'only revoked'],
  ])('refuses %j', (extra, message, hint) => {
    const error = (() => {
      try {
        parsePlan(role(extra));
      } catch (e) {
        return e as IrKitError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.code).toBe('IRKIT_PLAN_INVALID');
    expect(error.message).toContain(message);
    expect(error.hint).toContain(hint);
  });

  it('merging steps for one role keeps the stronger mode', () => {
    const plan = createPlan({
      steps: [
        { kind: 'role', name: 'AppRole' },
        { kind: 'role', name: 'approle', mode: 'deny-all' },
      ],
    });
    expect(plan.steps).toEqual([{ kind: 'role', name: 'AppRole', mode: 'deny-all', evidence: [] }]);
  });
});
