import { IrKitError } from '../../../lib/errors';
import { PLAYBOOK_PROTECTION } from '../../../lib/protection';
import { investigate } from '../../../orchestrator/investigate';
import { ACCOUNT, FakeEngine, FakeRow, T, by, eventId, roleIdentity, userIdentity } from './fake-engine';

/**
 * The traversal on a fake engine: threads the synthetic incident has no variant for
 * (created roles and their sessions, loops, federation tokens, protected roles, keys made
 * for existing users, identities sharing the actor's address), the depth limit, concurrency
 * and failures.
 */

const WINDOW = { from: '2021/07/16', to: '2021/07/24' };
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECOND_KEY = 'AKIAIOSFODNN7SECOND1';
const CI_KEY = 'AKIAIOSFODNN7CIDEPLY';
const BACKDOOR_SESSION = 'ASIAIOSFODNN7BACKDR1';
const BREAK_GLASS_SESSION = 'ASIAIOSFODNN7BREAKG1';
const FEDERATED = 'ASIAIOSFODNN7FEDERAT';
const IP = '198.51.100.77';

const created = (eventname: string, principal_name: string, extra: FakeRow = {}): FakeRow => ({
  eventtime: T(1),
  awsregion: 'us-east-1',
  eventname,
  principal_type: /Role/.test(eventname) ? 'role' : 'user',
  principal_name,
  eventid: eventId(),
  ...extra,
});

const minted = (eventname: string, session_key_id: string, extra: FakeRow = {}): FakeRow => ({
  eventtime: T(2),
  awsregion: 'us-east-1',
  eventname,
  session_key_id,
  sourceipaddress: IP,
  eventid: eventId(),
  ...extra,
});

/**
 * JorgeSouza's exposed key creates BackdoorRole, a key for the existing ci-deployer, makes
 * the existing Bob an administrator, assumes the break-glass role and mints a federation
 * token. A BackdoorRole session gives JorgeSouza a second key, whose session assumes
 * BackdoorRole again: a loop.
 */
function threads(): Record<string, (values: Readonly<Record<string, string>>) => FakeRow[]> {
  return {
    'key-first-last-seen': by('accessKeyId', {
      [KEY]: [userIdentity('JorgeSouza', KEY)],
      [SECOND_KEY]: [userIdentity('JorgeSouza', SECOND_KEY, T(30), T(31), 1)],
      [CI_KEY]: [userIdentity('ci-deployer', CI_KEY)],
      [BACKDOOR_SESSION]: [roleIdentity('BackdoorRole', 'x', BACKDOOR_SESSION)],
      [BREAK_GLASS_SESSION]: [roleIdentity('SecurityBreakGlassRole', 'x', BREAK_GLASS_SESSION)],
      [FEDERATED]: [
        {
          ...userIdentity('JorgeSouza', FEDERATED),
          identity_type: 'FederatedUser',
          identity_arn: `arn:aws:sts::${ACCOUNT}:federated-user/ops`,
          user_name: null,
        },
      ],
    }),
    'key-source-ips': by('accessKeyId', {
      [KEY]: [{ sourceipaddress: IP, useragent: 'aws-cli/2.2.1', count: 5 }],
    }),
    'key-principals-created': by('accessKeyId', {
      [KEY]: [
        created('CreateRole', 'BackdoorRole', { principal_arn: `arn:aws:iam::${ACCOUNT}:role/BackdoorRole` }),
        created('CreateAccessKey', 'ci-deployer', { access_key_id: CI_KEY }),
        created('AttachUserPolicy', 'Bob', {
          policy_or_group: 'arn:aws:iam::aws:policy/AdministratorAccess',
        }),
      ],
      [BACKDOOR_SESSION]: [created('CreateAccessKey', 'JorgeSouza', { access_key_id: SECOND_KEY })],
    }),
    'key-sessions-minted': by('accessKeyId', {
      [KEY]: [
        minted('AssumeRole', BREAK_GLASS_SESSION, {
          role_arn: `arn:aws:iam::${ACCOUNT}:role/SecurityBreakGlassRole`,
        }),
        minted('GetFederationToken', FEDERATED, {
          session_arn: `arn:aws:sts::${ACCOUNT}:federated-user/ops`,
        }),
      ],
      [SECOND_KEY]: [
        minted('AssumeRole', BACKDOOR_SESSION, { role_arn: `arn:aws:iam::${ACCOUNT}:role/BackdoorRole` }),
      ],
    }),
    'role-sessions': by('roleName', {
      BackdoorRole: [
        {
          identity_arn: `arn:aws:sts::${ACCOUNT}:assumed-role/BackdoorRole/x`,
          access_key_id: BACKDOOR_SESSION,
          first_seen: T(10),
          last_seen: T(20),
          events: 2,
        },
      ],
    }),
    'ip-activity': () => [
      {
        sourceipaddress: IP,
        identity_type: 'IAMUser',
        identity_arn: `arn:aws:iam::${ACCOUNT}:user/JorgeSouza`,
        user_name: 'JorgeSouza',
        access_key_id: KEY,
        eventsource: 'iam.amazonaws.com',
        eventname: 'CreateRole',
        count: 1,
        first_seen: T(1),
        last_seen: T(1),
      },
      {
        sourceipaddress: IP,
        identity_type: 'IAMUser',
        identity_arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
        user_name: 'mallory',
        access_key_id: 'AKIAIOSFODNN7MALLORY',
        eventsource: 's3.amazonaws.com',
        eventname: 'ListBuckets',
        count: 2,
        first_seen: T(40),
        last_seen: T(41),
      },
    ],
  };
}

describe('GIVEN an actor whose threads loop, branch and touch protected roles', () => {
  let engine: FakeEngine;
  let result: Awaited<ReturnType<typeof investigate>>;

  beforeAll(async () => {
    engine = new FakeEngine(threads());
    result = await investigate(engine, { kind: 'accessKey', accessKeyId: KEY }, WINDOW, {
      protection: { ...PLAYBOOK_PROTECTION, protectedPrincipals: ['ci-deployer'] },
    });
  });

  test('queries every node once, however the threads loop', () => {
    for (const key of [KEY, SECOND_KEY, CI_KEY, BACKDOOR_SESSION, BREAK_GLASS_SESSION, FEDERATED]) {
      expect(engine.count('key-first-last-seen', key)).toBe(1);
    }
    expect(engine.count('role-sessions', 'BackdoorRole')).toBe(1);
    const keys = new Set(
      engine.runs.filter((r) => r.queryId === 'key-first-last-seen').map((r) => r.values.accessKeyId),
    );
    expect(keys.size).toBe(6);
    expect(engine.count('ip-activity')).toBe(1);
  });

  test('follows a created role into its sessions, and what they did', () => {
    const role = result.principals.find((p) => p.name === 'BackdoorRole');
    expect(role).toMatchObject({ kind: 'Role', actor: true, investigated: true });
    expect(role?.reached.map((r) => r.how)).toEqual(['CreateRole', 'AssumeRole']);
    const jorge = result.principals.find((p) => p.name === 'JorgeSouza');
    expect(jorge?.accessKeys.map((k) => [k.accessKeyId, k.origin])).toEqual([
      [KEY, 'subject'],
      [SECOND_KEY, 'CreateAccessKey'],
    ]);
  });

  test('names the federated user a GetFederationToken minted, with its key, as a principal of the actor', () => {
    const ops = result.principals.find((p) => p.kind === 'FederatedUser');
    expect(ops).toMatchObject({
      name: 'ops',
      arn: `arn:aws:sts::${ACCOUNT}:federated-user/ops`,
      actor: true,
      investigated: true,
      sessionNames: ['ops'],
      reached: [
        expect.objectContaining({ how: 'GetFederationToken', from: 'JorgeSouza', viaAccessKeyId: KEY }),
      ],
    });
    expect(ops?.accessKeys.map((k) => [k.accessKeyId, k.origin, k.mintedBy])).toEqual([
      [FEDERATED, 'GetFederationToken', KEY],
    ]);
    expect(result.excluded).toContainEqual(expect.objectContaining({ kind: 'other', name: 'ops' }));
  });

  test('plans JorgeSouza with both long-term keys, the created role, and notes the federation token', () => {
    const steps = result.containmentPlan.steps;
    expect(steps.map((s) => [s.kind, s.name])).toEqual([
      ['user', 'JorgeSouza'],
      ['role', 'BackdoorRole'],
      ['role', 'SecurityBreakGlassRole'],
    ]);
    // The exposed key was used last.
    expect(steps[0]).toMatchObject({ accessKeyIds: [KEY, SECOND_KEY] });
    expect(steps[0].evidence.map((e) => e.reason).join('\n')).toContain(
      `session credentials ${FEDERATED} minted with GetFederationToken`,
    );
  });

  test('denies everything to the role the actor created, with the CreateRole event as evidence', () => {
    const backdoor = result.containmentPlan.steps.find((s) => s.name === 'BackdoorRole');
    expect(backdoor).toMatchObject({ kind: 'role', mode: 'deny-all' });
    expect(backdoor).not.toHaveProperty('irRole');
    expect(backdoor?.evidence[0]).toEqual({
      reason: expect.stringMatching(
        /^created by JorgeSouza with AKIAIOSFODNN7EXAMPLE: a rogue role, deny-all/,
      ),
      eventName: 'CreateRole',
      eventTime: T(1),
      eventId: expect.stringMatching(/.+/),
      actor: 'JorgeSouza',
    });
  });

  test('plans the break-glass role the actor used as a revoke-only IR role step, and keeps protected names out', () => {
    const breakGlass = result.principals.find((p) => p.name === 'SecurityBreakGlassRole');
    expect(breakGlass).toMatchObject({ actor: true, investigated: true, protected: 'the break-glass role' });
    const step = result.containmentPlan.steps.find((s) => s.name === 'SecurityBreakGlassRole');
    expect(step).toMatchObject({ kind: 'role', mode: 'revoke', irRole: true });
    expect(step?.evidence[0].reason).toMatch(
      /^the break-glass role itself, used by the actor: the worst news; revoke its older sessions only, as a responder on SecurityBreakGlassRole, and review the trust of the break-glass credentials/,
    );
    expect(step?.evidence.map((e) => e.eventName)).toContain('AssumeRole');
    expect(result.excluded.map((e) => e.name)).not.toContain('SecurityBreakGlassRole');
    expect(result.excluded).toContainEqual(
      expect.objectContaining({
        kind: 'user',
        name: 'ci-deployer',
        reason: expect.stringMatching(/^protected/),
      }),
    );
    expect(result.containmentPlan.excluded?.map((e) => e.name)).toEqual(
      expect.arrayContaining(['ci-deployer']),
    );
    expect(result.impact[0].facts).toContain('break-glass role SecurityBreakGlassRole assumed by the actor');
    expect(result.warnings).toContainEqual(
      'the actor acted as the break-glass role SecurityBreakGlassRole: the worst news; its plan step only revokes older sessions ' +
        'and must be run by a responder on SecurityBreakGlassRole, and the break-glass credentials’ trust must be reviewed at once',
    );
  });

  test('flags the attachment on an existing user the actor made administrator and lists it for owner approval, not containment', () => {
    const bob = result.principals.find((p) => p.name === 'Bob');
    expect(bob).toMatchObject({ actor: false, investigated: false });
    expect(bob?.policies.map((c) => c.policy)).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    expect(result.excluded).toContainEqual(
      expect.objectContaining({
        kind: 'user',
        name: 'Bob',
        reason: expect.stringMatching(/pre-existing principal the actor changed: only the actor’s changes/),
      }),
    );
    expect(result.containmentPlan.steps.map((s) => s.name)).not.toContain('Bob');
    expect(result.containmentPlan.manualActions).toContainEqual(
      expect.objectContaining({
        target: 'policy',
        name: 'arn:aws:iam::aws:policy/AdministratorAccess',
        command:
          'aws iam detach-user-policy --user-name Bob --policy-arn arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    );
    expect(result.containmentPlan.approvals).toContainEqual({
      kind: 'user',
      name: 'Bob',
      changes: [expect.objectContaining({ eventName: 'AttachUserPolicy' })],
      command: expect.stringMatching(/^irkit contain --incident \S+ --user Bob$/),
    });
  });

  test('names an identity acting from the actor’s address, kept out of the plan for review', () => {
    const ip = result.sourceIps.find((s) => s.address === IP);
    expect(ip?.others).toEqual([
      expect.objectContaining({
        userName: 'mallory',
        accessKeyId: 'AKIAIOSFODNN7MALLORY',
        eventName: 'ListBuckets',
        count: 2,
      }),
    ]);
    const mallory = result.principals.find((p) => p.name === 'mallory');
    expect(mallory).toMatchObject({
      actor: false,
      reached: [expect.objectContaining({ how: 'source IP', from: IP })],
    });
    expect(result.excluded).toContainEqual(
      expect.objectContaining({ name: 'mallory', reason: expect.stringMatching(/address the actor used/) }),
    );
  });
});

describe('depth, concurrency, failures', () => {
  const simple = () => ({
    'key-first-last-seen': by('accessKeyId', { [KEY]: [userIdentity('JorgeSouza', KEY)] }),
    'key-principals-created': by('accessKeyId', {
      [KEY]: [
        created('CreateUser', 'JaneDoe'),
        created('CreateAccessKey', 'JaneDoe', { access_key_id: 'AKIAI44QH8DHBEXAMPLE' }),
      ],
    }),
    'user-first-last-seen': by('userName', { JaneDoe: [userIdentity('JaneDoe', 'AKIAI44QH8DHBEXAMPLE')] }),
    'user-sessions-minted': by('userName', {
      JaneDoe: [minted('GetSessionToken', 'ASIAI44QH8DHBSESSION')],
    }),
  });

  test('WHEN --depth 0 THEN only the subject is queried, and what it created is planned but flagged', async () => {
    const engine = new FakeEngine(simple());
    const result = await investigate(engine, { kind: 'accessKey', accessKeyId: KEY }, WINDOW, { depth: 0 });
    // Only the subject's own user is asked who put policies on it (AWS's quarantine).
    expect(engine.runs.filter((r) => r.queryId.startsWith('user-')).map((r) => r.queryId)).toEqual([
      'user-policy-changes',
    ]);
    const jane = result.principals.find((p) => p.name === 'JaneDoe');
    expect(jane).toMatchObject({
      investigated: false,
      note: expect.stringMatching(/beyond the depth limit \(--depth 0\)/),
    });
    expect(result.warnings).toEqual([
      expect.stringMatching(/depth limit 0 reached: user JaneDoe was not investigated/),
    ]);
    expect(result.containmentPlan.steps.map((s) => s.name)).toEqual(['JorgeSouza', 'JaneDoe']);
  });

  test('a user’s own GetSessionToken session is covered by the user and not queried again', async () => {
    const engine = new FakeEngine(simple());
    const result = await investigate(engine, { kind: 'accessKey', accessKeyId: KEY }, WINDOW);
    expect(engine.count('key-first-last-seen', 'ASIAI44QH8DHBSESSION')).toBe(0);
    expect(engine.count('key-first-last-seen', 'AKIAI44QH8DHBEXAMPLE')).toBe(0);
    expect(result.principals.find((p) => p.name === 'JaneDoe')?.accessKeys.map((k) => k.accessKeyId)).toEqual(
      ['AKIAI44QH8DHBEXAMPLE', 'ASIAI44QH8DHBSESSION'],
    );
  });

  test('runs a node’s queries concurrently on an engine that allows it, within the limit', async () => {
    const engine = new FakeEngine(simple(), { kind: 'athena', delayMs: 15 });
    await investigate(engine, { kind: 'accessKey', accessKeyId: KEY }, WINDOW, { concurrency: 3 });
    expect(engine.maxInFlight).toBe(3);
  });

  test('a failing query fails the investigation with its error: no partial answer', async () => {
    const failure = new IrKitError('IRKIT_QUERY_FAILED', 'Athena query user-change-details failed: boom');
    const engine = new FakeEngine(simple(), {
      fail: (id) => (id === 'user-change-details' ? failure : undefined),
    });
    await expect(investigate(engine, { kind: 'accessKey', accessKeyId: KEY }, WINDOW)).rejects.toBe(failure);
  });

  test('an abort signal reaches every query and cancels the investigation', async () => {
    const controller = new AbortController();
    const engine = new FakeEngine(simple(), { delayMs: 5 });
    const run = investigate(engine, { kind: 'accessKey', accessKeyId: KEY }, WINDOW, {
      signal: controller.signal,
    });
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'IRKIT_QUERY_CANCELLED' });
    expect(engine.signals.every((s) => s === controller.signal)).toBe(true);
  });

  test('engine warnings (skipped log files) are carried into the result once', async () => {
    const engine = new FakeEngine(simple(), {
      warnings: ['skipped 1 of 9 log file(s) that could not be read: x.json.gz'],
    });
    const result = await investigate(engine, { kind: 'accessKey', accessKeyId: KEY }, WINDOW);
    expect(result.warnings).toEqual(['skipped 1 of 9 log file(s) that could not be read: x.json.gz']);
  });

  test('progress reports each level and each query with its rows', async () => {
    const engine = new FakeEngine(simple());
    const events: string[] = [];
    await investigate(engine, { kind: 'accessKey', accessKeyId: KEY }, WINDOW, {
      onProgress: (e) =>
        events.push(
          e.kind === 'query'
            ? `${e.queryId} ${e.label} ${e.rows}`
            : e.kind === 'level'
              ? `level ${e.depth} ${e.nodes.join(',')}`
              : '',
        ),
    });
    expect(events[0]).toBe(`level 0 ${KEY}`);
    expect(events).toContain(`key-principals-created ${KEY} 2`);
    expect(events).toContain('level 1 user JaneDoe');
  });
});

describe('keys and subjects the plan must treat with care', () => {
  test('a key the actor deleted is not deactivated; more than two used keys are capped with a warning', async () => {
    const keys = ['AKIAIOSFODNN7KEY0001', 'AKIAIOSFODNN7KEY0002', 'AKIAIOSFODNN7KEY0003'];
    const engine = new FakeEngine({
      'user-first-last-seen': by('userName', {
        Alice: keys.map((k, i) => userIdentity('Alice', k, T(i), T(i + 10))),
      }),
      'user-change-details': by('userName', {
        Alice: [
          {
            eventtime: T(50),
            awsregion: 'us-east-1',
            eventsource: 'iam.amazonaws.com',
            eventname: 'DeleteAccessKey',
            requestparameters: JSON.stringify({ userName: 'Alice', accessKeyId: keys[0] }),
            responseelements: 'null',
            recipientaccountid: ACCOUNT,
            eventid: eventId(),
          },
        ],
      }),
    });
    let result = await investigate(engine, { kind: 'user', userName: 'Alice' }, WINDOW);
    expect(result.containmentPlan.steps[0]).toMatchObject({
      kind: 'user',
      name: 'Alice',
      accessKeyIds: [keys[2], keys[1]],
    });
    expect(result.warnings).toEqual([]);
    expect(result.principals[0].accessKeys[0].deleted).toMatchObject({ eventName: 'DeleteAccessKey' });

    const noDelete = new FakeEngine({
      'user-first-last-seen': by('userName', {
        Alice: keys.map((k, i) => userIdentity('Alice', k, T(i), T(i + 10))),
      }),
    });
    result = await investigate(noDelete, { kind: 'user', userName: 'Alice' }, WINDOW);
    expect(result.containmentPlan.steps[0]).toMatchObject({ accessKeyIds: [keys[2], keys[1]] });
    expect(result.warnings).toEqual([expect.stringMatching(/Alice used 3 long-term access keys/)]);
  });

  test('a root key is reported, never planned', async () => {
    const engine = new FakeEngine({
      'key-first-last-seen': by('accessKeyId', {
        [KEY]: [
          {
            ...userIdentity('root', KEY),
            identity_type: 'Root',
            identity_arn: `arn:aws:iam::${ACCOUNT}:root`,
            user_name: null,
          },
        ],
      }),
    });
    const result = await investigate(engine, { kind: 'accessKey', accessKeyId: KEY }, WINDOW);
    expect(result.containmentPlan.steps).toEqual([]);
    expect(result.excluded).toEqual([
      expect.objectContaining({
        kind: 'root',
        reason: expect.stringMatching(/root user cannot be contained/),
      }),
    ]);
  });
});
