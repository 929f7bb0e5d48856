import { PLAYBOOK_PROTECTION } from '../../../lib/protection';
import { parsePlan } from '../../../orchestrator/contain/plan';
import {
  InvestigationResult,
  investigate,
  renderJson,
  renderMarkdown,
  renderTable,
} from '../../../orchestrator/investigate';
import { ACCOUNT, FakeEngine, FakeRow, T, by, eventId, userIdentity } from './fake-engine';

/**
 * What the plan does with each kind of role (issue 10): deny-all for the rogue roles the
 * actor created or re-trusted, a revoke for shared roles it assumed or changed, a revoke-only
 * IR-role step for the IR roles it assumed, and nothing for the kit's own and protected roles.
 */

const WINDOW = { from: '2021/07/16', to: '2021/07/24' };
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const IP = '198.51.100.77';
const SESSIONS: Record<string, string> = {
  DevOpsRole: 'ASIAIOSFODNN7DEVOPS1',
  SecurityAnalystRole: 'ASIAIOSFODNN7ANALYST',
  IrKitContainmentExecutionRole: 'ASIAIOSFODNN7KITROLE',
  'payments-role': 'ASIAIOSFODNN7PAYMENT',
};
const ids = {
  createRole: eventId(),
  putRolePolicy: eventId(),
  updateTrust: eventId(),
  updateAnalystTrust: eventId(),
};

const iamCall = (
  eventname: string,
  principal_name: string,
  eventid: string,
  seconds: number,
  extra: FakeRow = {},
): FakeRow => ({
  eventtime: T(seconds),
  awsregion: 'us-east-1',
  eventname,
  principal_type: 'role',
  principal_name,
  eventid,
  ...extra,
});

function engine(): FakeEngine {
  return new FakeEngine({
    'key-first-last-seen': by('accessKeyId', { [KEY]: [userIdentity('JorgeSouza', KEY)] }),
    'key-principals-created': by('accessKeyId', {
      [KEY]: [
        iamCall('CreateRole', 'BackdoorRole', ids.createRole, 1, {
          principal_arn: `arn:aws:iam::${ACCOUNT}:role/BackdoorRole`,
        }),
        iamCall('PutRolePolicy', 'BackdoorRole', ids.putRolePolicy, 2, { policy_or_group: 'admin|`**' }),
        iamCall('UpdateAssumeRolePolicy', 'AppDeployRole', ids.updateTrust, 3),
        iamCall('AttachRolePolicy', 'orders-role', eventId(), 4, {
          policy_or_group: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
        }),
        iamCall('UpdateAssumeRolePolicy', 'SecurityAnalystRole', ids.updateAnalystTrust, 5),
      ],
    }),
    'key-sessions-minted': by('accessKeyId', {
      [KEY]: Object.entries(SESSIONS).map(([role, key], i) => ({
        eventtime: T(10 + i),
        awsregion: 'us-east-1',
        eventname: 'AssumeRole',
        session_key_id: key,
        role_arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        sourceipaddress: IP,
        eventid: eventId(),
      })),
    }),
  });
}

describe('GIVEN an actor that creates, re-trusts, changes and assumes roles of every kind', () => {
  let result: InvestigationResult;
  const step = (name: string) => result.containmentPlan.steps.find((s) => s.name === name);

  beforeAll(async () => {
    result = await investigate(engine(), { kind: 'accessKey', accessKeyId: KEY }, WINDOW, {
      protection: { ...PLAYBOOK_PROTECTION, protectedPrincipals: ['payments-role'] },
    });
  });

  test('the role it created is rogue: deny-all, with the CreateRole and the inline policy it put as evidence', () => {
    expect(step('BackdoorRole')).toEqual({
      kind: 'role',
      name: 'BackdoorRole',
      mode: 'deny-all',
      evidence: [
        {
          reason:
            'created by JorgeSouza with AKIAIOSFODNN7EXAMPLE: a rogue role, deny-all (revoking its sessions would not stop the actor assuming it again)',
          eventName: 'CreateRole',
          eventTime: T(1),
          eventId: ids.createRole,
          actor: 'JorgeSouza',
        },
        {
          reason: 'admin|`** attached by JorgeSouza (PutRolePolicy)',
          eventName: 'PutRolePolicy',
          eventTime: T(2),
          eventId: ids.putRolePolicy,
          actor: 'JorgeSouza',
        },
      ],
    });
  });

  test('a pre-existing role whose trust policy it changed is rogue too: deny-all', () => {
    expect(step('AppDeployRole')).toMatchObject({
      mode: 'deny-all',
      evidence: [
        {
          reason:
            'trust policy changed by JorgeSouza with AKIAIOSFODNN7EXAMPLE: others may now assume it; deny-all until its trust policy is restored',
          eventName: 'UpdateAssumeRolePolicy',
          eventTime: T(3),
          eventId: ids.updateTrust,
          actor: 'JorgeSouza',
        },
      ],
    });
  });

  test('a shared role it assumed, or whose permissions it changed, gets a revoke of older sessions', () => {
    expect(step('DevOpsRole')).toMatchObject({ mode: 'revoke' });
    expect(step('orders-role')).toMatchObject({ mode: 'revoke' });
    for (const name of ['DevOpsRole', 'orders-role']) expect(step(name)).not.toHaveProperty('irRole');
  });

  test('the policy it attached to a pre-existing role is flagged with its detach command, the role listed for owner approval', () => {
    expect(result.containmentPlan.manualActions).toEqual([
      expect.objectContaining({
        target: 'policy',
        name: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
        command:
          'aws iam detach-role-policy --role-name orders-role --policy-arn arn:aws:iam::aws:policy/AmazonS3FullAccess',
      }),
    ]);
    expect(result.containmentPlan.approvals).toEqual([
      expect.objectContaining({
        kind: 'role',
        name: 'orders-role',
        command: 'irkit contain --incident INCIDENT-ID --role orders-role',
      }),
    ]);
  });

  test('an IR role it assumed is in the plan as a revoke-only IR role step, never deny-all, even re-trusted', () => {
    const analyst = step('SecurityAnalystRole');
    expect(analyst).toMatchObject({ kind: 'role', mode: 'revoke', irRole: true });
    expect(analyst?.evidence.map((e) => e.reason)).toEqual([
      'an IR role used by the actor: the worst news, the responders’ own access is compromised; revoke its older sessions only (never deny-all), ' +
        'as a responder on SecurityBreakGlassRole: irkit contain refuses this step from any other role',
      'the actor changed its trust policy: restore it (redeploy the kit) before anything else',
      'trust policy changed by JorgeSouza with AKIAIOSFODNN7EXAMPLE: others may now assume it',
      'assumed by JorgeSouza with AKIAIOSFODNN7EXAMPLE',
    ]);
    expect(result.excluded.map((e) => e.name)).not.toContain('SecurityAnalystRole');
    expect(result.warnings).toEqual([
      'the actor acted as the IR role SecurityAnalystRole: the worst news; its plan step only revokes older sessions ' +
        'and must be run by a responder on SecurityBreakGlassRole',
    ]);
  });

  test('the kit’s own role and a protected role stay out of the plan, in excluded', () => {
    expect(step('IrKitContainmentExecutionRole')).toBeUndefined();
    expect(step('payments-role')).toBeUndefined();
    expect(result.excluded).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'IrKitContainmentExecutionRole',
          reason: expect.stringMatching(/^protected: a role of the kit/),
        }),
        expect.objectContaining({
          name: 'payments-role',
          reason: expect.stringMatching(/^protected: listed in protectedPrincipals/),
        }),
      ]),
    );
  });

  test('irkit contain reads the plan back as written', () => {
    expect(parsePlan(renderJson(result)).steps).toEqual(result.containmentPlan.steps);
  });

  test('every renderer says what each role step does and that an IR role step is run from the break-glass role', () => {
    const table = renderTable(result);
    expect(table).toMatch(/BackdoorRole\s+\|\s+deny-all \+ revoke older sessions/);
    expect(table).toMatch(/DevOpsRole\s+\|\s+revoke older sessions\s+\|/);
    expect(table).toMatch(
      /SecurityAnalystRole\s+\|\s+revoke older sessions, as the break-glass role\s+\|\s+an IR role used by the actor: the worst news/,
    );
    const markdown = renderMarkdown(result);
    expect(markdown).toContain('- IAM Role: `BackdoorRole` (deny-all: created or re-trusted by the actor)');
    expect(markdown).toContain(
      '- IAM Role: `SecurityAnalystRole` (IR role: revoke only, run as the break-glass role)',
    );
    expect(markdown).toContain('> - the actor acted as the IR role SecurityAnalystRole: the worst news;');
    // Log values go through the escaping helpers: the policy name cannot break the table.
    expect(markdown).toContain('admin\\|\\`\\*\\* attached by JorgeSouza');
    const json = JSON.parse(renderJson(result)) as InvestigationResult;
    expect(
      json.containmentPlan.steps.find((s) => s.name === 'SecurityAnalystRole')?.evidence[0].reason,
    ).toMatch(/as a responder on SecurityBreakGlassRole/);
  });
});
