import { ContainmentPlan } from '../../../orchestrator/contain/plan';
import { InvestigationResult, investigate } from '../../../orchestrator/investigate';
import { GroundTruth, VARIANT_IDS, VariantName } from '../../../simulation/synthetic';
import { Incident, writeIncident } from './helpers';

/**
 * Every variant the generator can add to the playbook incident, investigated from the
 * exposed key alone: the result must hold the variant's ground truth, principal for
 * principal, resource for resource, and plan exactly the targets the truth names.
 */

const OTHER_ACCOUNT = '111122223333';

/** What each variant must add beyond its ground truth's lists. */
const SPECIFIC: Record<VariantName, (result: InvestigationResult) => void> = {
  sessionToken: (result) => {
    const jorge = result.containmentPlan.steps.find((s) => s.name === 'JorgeSouza');
    expect(jorge).toMatchObject({ kind: 'user', accessKeyIds: ['AKIAIOSFODNN7EXAMPLE'] });
    expect(jorge?.evidence.map((e) => e.reason).join('\n')).toContain(
      'session credentials ASIAIOSFODNN7EXAMPLE minted with GetSessionToken: deny-all on the user cuts them',
    );
  },
  assumeRole: (result) => {
    const facts = result.impact[8].facts.join('\n');
    expect(facts).toMatch(/snap-066877671789bd71b \(shared with account 111122223333\)/);
    expect(facts).toMatch(/data read: AWS::SecretsManager::Secret prod\/app\/database/);
    expect(result.principals.find((p) => p.name === 'DevOpsRole')?.note).toMatch(
      /only the sessions the actor/,
    );
    expect(result.containmentPlan.manualActions).toContainEqual(
      expect.objectContaining({
        target: 'snapshot',
        name: 'snap-066877671789bd71b',
        command:
          'aws ec2 modify-snapshot-attribute --snapshot-id snap-066877671789bd71b --attribute createVolumePermission ' +
          `--operation-type remove --user-ids ${OTHER_ACCOUNT} --region us-east-1`,
        evidence: [expect.objectContaining({ eventName: 'ModifySnapshotAttribute', actor: 'DevOpsRole' })],
      }),
    );
  },
  loginProfile: (result) => {
    const jane = result.principals.find((p) => p.name === 'JaneDoe');
    expect(jane?.consoleLogins).toEqual([
      expect.objectContaining({ sourceIp: '198.51.100.77', result: 'Success', mfaUsed: 'No' }),
    ]);
    // JaneDoe is the actor's own user: deny-all, not an owner's approval, for her password too.
    expect(result.containmentPlan.steps.find((s) => s.name === 'JaneDoe')?.evidence).toContainEqual(
      expect.objectContaining({ reason: 'console password set by JorgeSouza with AKIAIOSFODNN7EXAMPLE' }),
    );
    expect(result.containmentPlan.approvals).toBeUndefined();
  },
  deleteResource: (result) => {
    expect(result.excluded).toContainEqual(
      expect.objectContaining({
        kind: 'bucket',
        name: 'DOC-EXAMPLE-BUCKET',
        reason: expect.stringMatching(/deleted by JaneDoe/),
      }),
    );
    expect(result.impact[7].facts.join('\n')).toMatch(/\/aws\/lambda\/orders-processor deleted/);
    expect(result.impact[4].facts.join('\n')).toMatch(/DeleteLogGroup/);
  },
  spread: (result) => {
    expect(result.otherAccountPlans).toEqual([
      expect.objectContaining({
        accountId: OTHER_ACCOUNT,
        steps: [
          expect.objectContaining({ kind: 'role', name: 'OrganizationAccountAccessRole' }),
          expect.objectContaining({ kind: 'instance', name: VARIANT_IDS.instanceIds[1] }),
        ],
      }),
    ]);
    expect(result.containmentPlan.excluded).toContainEqual(
      expect.objectContaining({ kind: 'role', name: 'OrganizationAccountAccessRole' }),
    );
    expect(result.summary.accounts).toEqual(['777777777777', OTHER_ACCOUNT]);
    const [mine, theirs] = VARIANT_IDS.instanceIds;
    expect(result.containmentPlan.steps).toContainEqual(
      expect.objectContaining({ kind: 'instance', name: mine, region: expect.any(String) }),
    );
    expect(result.containmentPlan.manualActions).toBeUndefined();
    expect(result.otherAccountPlans[0].steps).toContainEqual(
      expect.objectContaining({
        kind: 'instance',
        name: theirs,
        evidence: [expect.objectContaining({ actor: 'OrganizationAccountAccessRole' })],
      }),
    );
  },
  network: (result) => {
    expect(result.network.flows.map((f) => [f.destinationPort, f.action])).toContainEqual([3389, 'REJECT']);
    expect(result.impact[8].facts.join('\n')).toMatch(/network: 48211 bytes from 10.0.1.25/);
  },
  rogueRole: (result) => {
    const event = (name: string) => result.resources.find((r) => r.eventName === name);
    const backdoor = result.containmentPlan.steps.find((s) => s.name === 'BackdoorRole');
    expect(backdoor?.evidence).toEqual([
      {
        reason:
          'created by JaneDoe: a rogue role, deny-all (revoking its sessions would not stop the actor assuming it again)',
        eventName: 'CreateRole',
        eventTime: '2021-07-24T02:44:10Z',
        eventId: event('CreateRole')?.eventId,
        actor: 'JaneDoe',
      },
      {
        reason: 'arn:aws:iam::aws:policy/AdministratorAccess attached by JaneDoe (AttachRolePolicy)',
        eventName: 'AttachRolePolicy',
        eventTime: '2021-07-24T02:44:12Z',
        eventId: event('AttachRolePolicy')?.eventId,
        actor: 'JaneDoe',
      },
    ]);
    const retrusted = result.containmentPlan.steps.find((s) => s.name === 'AppDeployRole');
    expect(retrusted?.evidence).toEqual([
      {
        reason:
          'trust policy changed by JaneDoe: others may now assume it; deny-all until its trust policy is restored',
        eventName: 'UpdateAssumeRolePolicy',
        eventTime: '2021-07-24T02:45:30Z',
        eventId: event('UpdateAssumeRolePolicy')?.eventId,
        actor: 'JaneDoe',
      },
    ]);
    expect(result.principals.find((p) => p.name === 'AppDeployRole')).toMatchObject({ actor: false });
  },
  federation: (result) => {
    const ops = result.principals.find((p) => p.kind === 'FederatedUser');
    expect(ops).toMatchObject({
      name: 'ops',
      arn: 'arn:aws:sts::777777777777:federated-user/ops',
      sessionNames: ['ops'],
      events: 1,
    });
    expect(result.timeline.find((e) => e.eventName === 'ListUsers')).toMatchObject({
      principal: 'ops',
      accessKeyId: 'ASIAIOSFODNN7FEDERA1',
      action: 'probed',
    });
    expect(result.timeline.find((e) => e.eventName === 'GetFederationToken')?.action).toBe('credentials');
  },
  quarantine: (result) => {
    expect(result.awsActions).toEqual([
      expect.objectContaining({
        kind: 'quarantine',
        by: 'AWS Internal',
        principal: 'JorgeSouza',
        policy: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3',
        eventTime: '2021-07-24T02:35:00Z',
      }),
    ]);
    expect(result.impact[0].answer).toMatch(
      /^AWS quarantined JorgeSouza: AWS's own signal that the key was exposed/,
    );
    expect(result.impact[0].facts[0]).toMatch(/AWSCompromisedKeyQuarantineV3 \(AttachUserPolicy\)/);
    expect(result.sourceIps.map((s) => s.address)).not.toContain('AWS Internal');
  },
  deniedEc2: (result) => {
    const jorge = result.principals.find((p) => p.name === 'JorgeSouza');
    expect(jorge?.deniedCalls).toEqual([
      {
        region: 'us-east-1',
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RunInstances',
        errorCode: 'Client.UnauthorizedOperation',
        errorMessage: expect.stringMatching(
          /^You are not authorized .* Encoded authorization failure message: /,
        ),
        count: 3,
        firstSeen: '2021-07-24T02:28:00Z',
        lastSeen: '2021-07-24T02:28:02Z',
      },
    ]);
    expect(jorge?.apiCalls.filter((c) => c.eventName === 'RunInstances')).toHaveLength(1);
  },
  instanceCredentials: (result) => {
    const role = result.principals.find((p) => p.name === 'WebAppInstanceRole');
    expect(role).toMatchObject({ actor: true, investigated: true, sessionNames: ['i-0a1b2c3d4e5f60718'] });
    expect(role?.reached[0]).toMatchObject({
      how: 'instance credentials',
      from: 'JorgeSouza',
      event: expect.objectContaining({ eventName: 'SendCommand' }),
      detail: expect.stringMatching(
        /named after instance i-0a1b2c3d4e5f60718, on which JorgeSouza called SendCommand/,
      ),
    });
    const step = result.containmentPlan.steps.find((s) => s.name === 'WebAppInstanceRole');
    expect(step).toMatchObject({ kind: 'role', mode: 'revoke' });
    expect(step?.evidence[0]).toMatchObject({
      reason: expect.stringMatching(
        /^stolen instance credentials: session i-0a1b2c3d4e5f60718 .*: revoke its older sessions$/,
      ),
      eventName: 'SendCommand',
      actor: 'JorgeSouza',
    });
    expect(result.resources.find((r) => r.eventName === 'SendCommand')?.detail).toBe(
      'SendCommand AWS-RunShellScript',
    );
    expect(result.impact[8].facts.join('\n')).toMatch(
      /snap-0fedcba9876543210 \(shared with account 111122223333\)/,
    );
    expect(result.containmentPlan.approvals).toContainEqual(
      expect.objectContaining({
        kind: 'instance',
        name: 'i-0a1b2c3d4e5f60718',
        command: 'irkit contain --incident INCIDENT-ID --instance i-0a1b2c3d4e5f60718 --region us-east-1',
      }),
    );
    expect(result.containmentPlan.manualActions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          target: 'snapshot',
          name: 'snap-0fedcba9876543210',
          command: expect.stringMatching(
            /--operation-type remove --user-ids 111122223333 --region us-east-1$/,
          ),
        }),
      ]),
    );
  },
  lateDelivery: (result) => {
    // 23:55:10 on the last day, in the next day's folder: still JaneDoe's last use.
    const jane = result.principals.find((p) => p.name === 'JaneDoe');
    expect(jane?.lastSeen).toBe('2021-07-24T23:55:10Z');
    expect(jane?.accessKeys.find((k) => k.accessKeyId === 'AKIAI44QH8DHBEXAMPLE')?.lastSeen).toBe(
      '2021-07-24T23:55:10Z',
    );
  },
  noReadOnly: (result) => {
    const jane = result.principals.find((p) => p.name === 'JaneDoe');
    // The API table shows readOnly as recorded (absent); the change is classified by its name.
    expect(jane?.apiCalls.find((c) => c.eventName === 'CreateSecurityGroup')).toMatchObject({
      readOnly: null,
    });
    expect(result.resources.find((r) => r.eventName === 'DescribeSecurityGroups')).toMatchObject({
      action: 'probed',
    });
  },
};

const VARIANTS: readonly [VariantName, Record<string, unknown>][] = [
  ['sessionToken', {}],
  ['assumeRole', {}],
  ['loginProfile', {}],
  ['deleteResource', {}],
  ['spread', { accounts: ['777777777777', OTHER_ACCOUNT], regions: ['us-east-1', 'us-west-2', 'eu-west-1'] }],
  ['network', {}],
  ['rogueRole', {}],
  ['federation', {}],
  ['quarantine', {}],
  ['deniedEc2', {}],
  ['instanceCredentials', {}],
  ['lateDelivery', {}],
  ['noReadOnly', {}],
];

/** Each target as `account/kind/name`, a role with its mode. */
function planTargets(plans: readonly ContainmentPlan[]): string[] {
  return plans
    .flatMap((p) =>
      p.steps.map((s) => `${p.accountId}/${s.kind}/${s.name}${s.kind === 'role' ? ` ${s.mode}` : ''}`),
    )
    .sort();
}

function truthTargets(t: GroundTruth): string[] {
  const c = t.containment;
  return [
    ...c.users.map((u) => `${u.account}/user/${u.name}`),
    ...c.roles.map((r) => `${r.account}/role/${r.name} ${r.mode}`),
    ...c.buckets.map((b) => `${b.account}/bucket/${b.name}`),
    ...c.instances.map((i) => `${i.account}/instance/${i.name}`),
  ].sort();
}

describe.each(VARIANTS)('GIVEN the playbook incident with variant %s', (variant, options) => {
  let incident: Incident;
  let truth: GroundTruth;
  let result: InvestigationResult;

  beforeAll(async () => {
    incident = await writeIncident({ regions: ['us-east-1'], ...options, variants: [variant] });
    truth = incident.summary.groundTruth;
    result = await investigate(
      incident.engine,
      { kind: 'accessKey', accessKeyId: truth.exposedAccessKeyId },
      truth.window,
    );
  });

  afterAll(async () => {
    await incident.close();
  });

  test('finds every principal of the actor, how it was reached and the keys it acted with', () => {
    const actors = result.principals.filter((p) => p.actor);
    expect(actors.map((p) => `${p.account}/${p.kind}/${p.name}`).sort()).toEqual(
      truth.principals.map((p) => `${p.account}/${p.kind}/${p.name}`).sort(),
    );
    for (const t of truth.principals) {
      const found = actors.find((p) => p.name === t.name && p.account === t.account);
      expect(found?.reached.map((r) => r.how)).toContain(t.reachedBy);
      expect(found?.accessKeys.map((k) => k.accessKeyId)).toEqual(
        expect.arrayContaining([...t.accessKeyIds]),
      );
      if (t.from) expect(found?.reached.map((r) => r.from)).toContain(t.from);
    }
    const keys = actors.flatMap((p) => p.accessKeys.map((k) => k.accessKeyId));
    expect(keys.sort()).toEqual([...truth.accessKeyIds].sort());
  });

  test('finds every resource created, modified or deleted, by whom, where and when', () => {
    const changes = result.resources.filter((r) => r.action !== 'probed');
    const key = (r: {
      type: string;
      name: string | null;
      action: string;
      eventName: string;
      by: string;
      account: string | null;
      region: string;
    }) => [r.type, r.name, r.action, r.eventName, r.by, r.account, r.region].join(' ');
    expect(changes.map(key).sort()).toEqual(truth.resources.map(key).sort());
    for (const t of truth.resources) {
      const found = changes.find((r) => r.eventName === t.eventName && r.name === t.name);
      expect(found).toMatchObject({ eventTime: t.time, preExisting: t.preExisting === true });
      expect(found?.eventId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  test('puts every call of the incident in the timeline', () => {
    const timeline = result.timeline.map((e) => `${e.eventTime} ${e.eventName}`);
    // The role's account keeps its own copy of a cross-account AssumeRole, made by no identity of the actor's.
    // AWS's own calls (its quarantine) are not the actor's either.
    const calls = truth.calls.filter((c) => c.principal !== 'crossAccountCopy' && c.principal !== 'aws');
    expect(timeline.sort()).toEqual(calls.map((c) => `${c.eventTime} ${c.eventName}`).sort());
  });

  test('reports the actor’s addresses, user agents and flow log traffic', () => {
    expect(
      result.sourceIps
        .filter((s) => s.principals.length > 0)
        .map((s) => s.address)
        .sort(),
    ).toEqual([...truth.sourceIps].sort());
    const agents = result.principals.filter((p) => p.actor).flatMap((p) => p.userAgents.map((u) => u.value));
    expect(new Set(agents)).toEqual(new Set(truth.userAgents));
    expect(result.network.records).toBe(truth.network.flowRecords);
  });

  test('plans exactly the users, roles (with their mode), buckets and instances to contain, each in its account', () => {
    expect(planTargets([result.containmentPlan, ...result.otherAccountPlans])).toEqual(truthTargets(truth));
    expect(result.containmentPlan.accountId).toBe(truth.accountId);
    for (const plan of [result.containmentPlan, ...result.otherAccountPlans]) {
      for (const step of plan.steps) expect(step.evidence.length).toBeGreaterThan(0);
    }
    expect(result.warnings).toEqual([]);
  });

  test('shows what is particular to the variant', () => {
    SPECIFIC[variant](result);
  });
});
