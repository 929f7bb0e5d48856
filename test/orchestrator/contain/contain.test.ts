import { CreateStackCommand } from '@aws-sdk/client-cloudformation';

import { IrKitError } from '../../../lib/errors';
import { PLAYBOOK_PROTECTION } from '../../../lib/protection';
import { contain, ContainOptions } from '../../../orchestrator/contain/contain';
import { createPlan } from '../../../orchestrator/contain/plan';
import { release } from '../../../orchestrator/contain/release';
import { containmentStatus } from '../../../orchestrator/contain/status';
import { targetsOfOptions } from '../../../orchestrator/contain/targets';
import { ACCOUNT, BREAK_GLASS_ARN, EXECUTION_ROLE_ARN, FakeAws, POLICY_ARN, recordingIo } from './fake-aws';

const INCIDENT = 'IR-2021-0724';
const ORIGINAL =
  '{"Version":"2012-10-17","Statement":[{"Sid":"AllowApp","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777777777777:role/App"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}]}';
const FAST = { pollIntervalMs: 1, verify: { attempts: 3, firstDelayMs: 1 } };

const PLAYBOOK_PLAN = createPlan({
  incidentId: INCIDENT,
  accountId: ACCOUNT,
  steps: [
    {
      kind: 'user',
      name: 'JorgeSouza',
      accessKeyIds: ['AKIAIOSFODNN7EXAMPLE'],
      evidence: [{ reason: 'the exposed key' }],
    },
    {
      kind: 'user',
      name: 'JaneDoe',
      accessKeyIds: ['AKIAI44QH8DHBEXAMPLE'],
      evidence: [{ reason: 'created by JorgeSouza' }],
    },
    { kind: 'bucket', name: 'DOC-EXAMPLE-BUCKET', evidence: [{ reason: 'created by JaneDoe' }] },
  ],
});

let aws: FakeAws;

beforeEach(() => {
  aws = new FakeAws();
  aws.addUser('JorgeSouza', { AKIAIOSFODNN7EXAMPLE: 'Active' }, {}, [
    'arn:aws:iam::777777777777:policy/SimulationPolicy',
  ]);
  aws.addUser('JaneDoe', { AKIAI44QH8DHBEXAMPLE: 'Active' }, {}, [
    'arn:aws:iam::aws:policy/AdministratorAccess',
  ]);
  aws.addBucket('DOC-EXAMPLE-BUCKET', ORIGINAL);
  aws.addBucket('empty-bucket');
  aws.addRole('AppRole');
  for (const r of [
    'SecurityAnalystRole',
    'SecurityAdminRole',
    'SecurityDeployRole',
    'SecurityBreakGlassRole',
  ])
    aws.addRole(r);
  aws.addUser('ci-deployer');
  aws.addUser('Protected', {}, { 'irkit:protected': 'true' });
});

afterEach(() => aws.restore());

function options(extra: Partial<ContainOptions>): ContainOptions {
  return { incidentId: INCIDENT, yes: true, ...FAST, ...extra };
}

async function errorOf(promise: Promise<unknown>): Promise<IrKitError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IrKitError) return error;
    throw error;
  }
  throw new Error('expected an IrKitError');
}

describe('contain', () => {
  it('contains the playbook’s targets, one stack each, run by the execution role, and verifies the effect', async () => {
    const io = recordingIo();
    const result = await contain(aws.clients, options({ plan: PLAYBOOK_PLAN }), io);

    expect(result.results.map((r) => [r.label, r.outcome, r.action, r.verified])).toEqual([
      ['user:JorgeSouza', 'contained', 'created', true],
      ['user:JaneDoe', 'contained', 'created', true],
      ['bucket:DOC-EXAMPLE-BUCKET', 'contained', 'created', true],
    ]);
    const creates = aws.cfn.commandCalls(CreateStackCommand);
    expect(creates.map((c) => c.args[0].input)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          StackName: 'irkit-contain-IR-2021-0724-user-JaneDoe',
          RoleARN: EXECUTION_ROLE_ARN,
          Tags: expect.arrayContaining([
            { Key: 'irkit:incident', Value: INCIDENT },
            { Key: 'irkit:operator', Value: aws.callerArn },
            { Key: 'irkit:contained-at', Value: '2021-07-26T00:37:17.500Z' },
            { Key: 'irkit:target', Value: 'user:JaneDoe' },
          ]),
        }),
      ]),
    );
    // The playbook's Part 4, done: deny attached, keys Inactive, bucket locked to break-glass.
    expect(aws.user('JaneDoe').attached).toContain(POLICY_ARN);
    expect(aws.user('JaneDoe').attached).toContain('arn:aws:iam::aws:policy/AdministratorAccess');
    expect(aws.user('JorgeSouza').keys.get('AKIAIOSFODNN7EXAMPLE')).toBe('Inactive');
    const contained = JSON.parse(aws.buckets.get('DOC-EXAMPLE-BUCKET')?.policy as string);
    expect(contained.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'AllowApp',
      'BucketPolicyForContainment',
    ]);
    expect(JSON.stringify(contained)).toContain(BREAK_GLASS_ARN);
    // Progress: the plan on stdout, stack events on stderr.
    expect(io.output.join('')).toContain(
      '1. user:JorgeSouza  ->  stack irkit-contain-IR-2021-0724-user-JorgeSouza (create)',
    );
    expect(
      io.lines.some((l) =>
        /\[irkit-contain-IR-2021-0724-user-JaneDoe\] .* CREATE_COMPLETE Custom::IrKitUserDeny/.test(l),
      ),
    ).toBe(true);
  });

  it('re-running the same contain updates in place: no second stack, no error', async () => {
    await contain(aws.clients, options({ plan: PLAYBOOK_PLAN }), recordingIo());
    const stacksAfterFirst = aws.stacks.length;
    const again = await contain(aws.clients, options({ plan: PLAYBOOK_PLAN }), recordingIo());
    expect(again.results.map((r) => [r.outcome, r.action])).toEqual([
      ['contained', 'unchanged'],
      ['contained', 'unchanged'],
      ['contained', 'unchanged'],
    ]);
    expect(aws.stacks).toHaveLength(stacksAfterFirst);
    expect(aws.writes.filter((w) => w.startsWith('CreateStack'))).toHaveLength(3);
  });

  it('a re-run naming a further key updates the same stack, keeping the first key contained', async () => {
    aws.user('JaneDoe').keys.set('AKIAJ44QH8DHBEXAMPLE', 'Active');
    const first = targetsOfOptions({ users: ['JaneDoe'], accessKeyIds: ['AKIAI44QH8DHBEXAMPLE'] });
    await contain(aws.clients, options({ targets: first }), recordingIo());
    const second = targetsOfOptions({ users: ['janedoe'], accessKeyIds: ['AKIAJ44QH8DHBEXAMPLE'] });
    const result = await contain(aws.clients, options({ targets: second }), recordingIo());
    expect(result.results[0]).toMatchObject({
      outcome: 'contained',
      action: 'updated',
      stackName: 'irkit-contain-IR-2021-0724-user-JaneDoe',
    });
    expect([...aws.user('JaneDoe').keys.values()]).toEqual(['Inactive', 'Inactive']);
    expect(aws.stacks).toHaveLength(1);
  });

  it('refuses IR roles, break-glass, the caller, configured names and tagged principals, before any change', async () => {
    aws.callerArn = `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityDeployRole/responder`;
    const targets = targetsOfOptions({
      users: ['Protected', 'ci-deployer'],
      roles: [
        'SecurityAnalystRole',
        'SecurityBreakGlassRole',
        'SecurityDeployRole',
        'IrKitContainmentExecutionRole',
      ],
    }).map((t) => t);
    const error = await errorOf(
      contain(
        aws.clients,
        options({ targets, protection: { ...PLAYBOOK_PROTECTION, protectedPrincipals: ['ci-deployer'] } }),
        recordingIo(),
      ),
    );
    expect(error.code).toBe('IRKIT_PROTECTED_PRINCIPAL');
    expect(error.message).toContain('user:Protected: tagged irkit:protected=true');
    expect(error.message).toContain('user:ci-deployer: listed in protectedPrincipals (config or --protect)');
    expect(error.message).toContain('role:SecurityAnalystRole: an IR role');
    expect(error.message).toContain('role:SecurityBreakGlassRole: the break-glass role');
    expect(error.message).toMatch(/role:SecurityDeployRole: an IR role; the caller itself/);
    expect(error.message).toContain('role:IrKitContainmentExecutionRole: a role of the kit itself');
    expect(aws.writes).toEqual([]);
  });

  it('refuses to contain the caller’s own user', async () => {
    aws.callerArn = `arn:aws:iam::${ACCOUNT}:user/JaneDoe`;
    const error = await errorOf(contain(aws.clients, options({ plan: PLAYBOOK_PLAN }), recordingIo()));
    expect(error.code).toBe('IRKIT_PROTECTED_PRINCIPAL');
    expect(error.message).toContain('user:JaneDoe: the caller itself');
    expect(aws.writes).toEqual([]);
  });

  it('refuses unknown users, keys of another user and missing buckets, all named, changing nothing', async () => {
    const plan = createPlan({
      steps: [
        { kind: 'user', name: 'Nobody' },
        { kind: 'user', name: 'JaneDoe', accessKeyIds: ['AKIAIOSFODNN7EXAMPLE'] },
        { kind: 'bucket', name: 'no-such-bucket' },
        { kind: 'role', name: 'NoRole' },
      ],
    });
    const error = await errorOf(contain(aws.clients, options({ plan }), recordingIo()));
    expect(error.code).toBe('IRKIT_INVALID_INPUT');
    expect(error.message).toContain('user:Nobody: IAM user Nobody does not exist');
    expect(error.message).toContain(
      'access key AKIAIOSFODNN7EXAMPLE is not a key of user JaneDoe (its keys: AKIAI44QH8DHBEXAMPLE)',
    );
    expect(error.message).toContain('S3 bucket no-such-bucket does not exist');
    expect(error.message).toContain('IAM role NoRole does not exist');
    expect(aws.writes).toEqual([]);
  });

  it('refuses a plan for another account or another incident', async () => {
    const other = createPlan({ accountId: '111122223333', steps: [{ kind: 'role', name: 'AppRole' }] });
    expect((await errorOf(contain(aws.clients, options({ plan: other }), recordingIo()))).code).toBe(
      'IRKIT_PLAN_INVALID',
    );
    const otherIncident = createPlan({ incidentId: 'IR-9', steps: [{ kind: 'role', name: 'AppRole' }] });
    const error = await errorOf(contain(aws.clients, options({ plan: otherIncident }), recordingIo()));
    expect(error.message).toContain('the plan is for incident IR-9, not IR-2021-0724');
    expect(aws.writes).toEqual([]);
  });

  it('refuses a target already contained under another incident', async () => {
    await contain(
      aws.clients,
      options({ incidentId: 'IR-1', targets: targetsOfOptions({ roles: ['AppRole'] }) }),
      recordingIo(),
    );
    const error = await errorOf(
      contain(aws.clients, options({ targets: targetsOfOptions({ roles: ['approle'] }) }), recordingIo()),
    );
    expect(error.message).toContain('role:AppRole is already contained under incident IR-1');
  });

  it('without a terminal and without --yes, refuses before any AWS call', async () => {
    const error = await errorOf(
      contain(aws.clients, { incidentId: INCIDENT, plan: PLAYBOOK_PLAN }, recordingIo()),
    );
    expect(error.code).toBe('IRKIT_INVALID_INPUT');
    expect(error.hint).toContain('--yes');
    expect(aws.sts.calls()).toHaveLength(0);
  });

  it('asks first, and a no changes nothing', async () => {
    const result = await contain(
      aws.clients,
      { incidentId: INCIDENT, plan: PLAYBOOK_PLAN, ...FAST },
      recordingIo(false),
    );
    expect(result.cancelled).toBe(true);
    expect(aws.writes).toEqual([]);
  });

  it('--dry-run prints the plan and the templates and changes nothing', async () => {
    const io = recordingIo();
    const result = await contain(
      aws.clients,
      { incidentId: INCIDENT, plan: PLAYBOOK_PLAN, dryRun: true },
      io,
    );
    expect(result.results.every((r) => r.outcome === 'planned')).toBe(true);
    const printed = io.output.join('');
    expect(printed).toContain('Dry run: nothing will be changed.');
    expect(printed).toContain('OriginalPolicy1=<');
    expect(printed).toContain('# template: user containment');
    expect(printed).toContain('"Custom::IrKitBucketPolicy"');
    expect(aws.writes).toEqual([]);
  });

  it('prints the plan’s manual actions and owner approvals, and runs none of them', async () => {
    const plan = createPlan({
      incidentId: INCIDENT,
      accountId: ACCOUNT,
      steps: [],
      manualActions: [
        {
          target: 'instance',
          name: 'i-0123456789abcdef0',
          region: 'us-east-1',
          action: 'stop the instance the actor launched',
          command: 'aws ec2 stop-instances --instance-ids i-0123456789abcdef0 --region us-east-1',
          evidence: [{ reason: 'RunInstances by JaneDoe' }],
        },
      ],
      approvals: [
        {
          kind: 'user',
          name: 'ci-deployer',
          changes: [{ reason: 'access key AKIAIOSFODNN7CIDEPLY created by JorgeSouza' }],
          command: `irkit contain --incident ${INCIDENT} --user ci-deployer`,
        },
      ],
    });
    const io = recordingIo();
    await contain(aws.clients, options({ plan }), io);
    const printed = io.output.join('');
    expect(printed).toContain('By hand (irkit contain does not run these):');
    expect(printed).toContain(
      '     aws ec2 stop-instances --instance-ids i-0123456789abcdef0 --region us-east-1',
    );
    expect(printed).toContain(
      `deny-all once approved: irkit contain --incident ${INCIDENT} --user ci-deployer`,
    );
    expect(io.lines).toContain('the plan has no steps: nothing to contain');
    expect(aws.writes).toEqual([]);
  });

  it('recreates a stack an earlier attempt left in ROLLBACK_COMPLETE, explaining why', async () => {
    aws.seedStack(
      'irkit-contain-IR-2021-0724-role-AppRole',
      'ROLLBACK_COMPLETE',
      { IncidentId: INCIDENT, RoleName: 'AppRole' },
      {
        'irkit:incident': INCIDENT,
        'irkit:target': 'role:AppRole',
      },
    );
    const io = recordingIo();
    const result = await contain(
      aws.clients,
      options({ targets: targetsOfOptions({ roles: ['AppRole'] }) }),
      io,
    );
    expect(result.results[0]).toMatchObject({ outcome: 'contained', action: 'recreated' });
    expect(io.lines.join('\n')).toMatch(
      /earlier attempt failed and was rolled back .*earlier failure.*deleted and created again/,
    );
    expect(aws.writes.slice(0, 2)).toEqual([
      'DeleteStack irkit-contain-IR-2021-0724-role-AppRole',
      'CreateStack irkit-contain-IR-2021-0724-role-AppRole',
    ]);
    expect(aws.roles.get('approle')?.inline.get('IrKitRevokeOlderSessions-IR-2021-0724')).toContain(
      '"aws:TokenIssueTime":"2021-07-26T00:37:18Z"',
    );
  });

  it('explains a DELETE_FAILED stack, and still contains the other targets', async () => {
    aws.seedStack(
      'irkit-contain-IR-2021-0724-bucket-DOC-EXAMPLE-BUCKET',
      'DELETE_FAILED',
      { IncidentId: INCIDENT, BucketName: 'DOC-EXAMPLE-BUCKET' },
      { 'irkit:incident': INCIDENT, 'irkit:target': 'bucket:DOC-EXAMPLE-BUCKET' },
      'the policy of bucket DOC-EXAMPLE-BUCKET was changed while contained',
    );
    const result = await contain(aws.clients, options({ plan: PLAYBOOK_PLAN }), recordingIo());
    const bucket = result.results.find((r) => r.label === 'bucket:DOC-EXAMPLE-BUCKET');
    expect(bucket?.outcome).toBe('failed');
    expect(bucket?.reason).toMatch(
      /DELETE_FAILED from an earlier release .*changed while contained.*irkit release --incident IR-2021-0724 --target bucket:DOC-EXAMPLE-BUCKET/,
    );
    expect(result.results.filter((r) => r.outcome === 'contained')).toHaveLength(2);
  });

  it('one target failing does not stop the others; its reason comes from the stack events', async () => {
    aws.failWhen = (stack, op) =>
      op === 'create' && stack.name.endsWith('user-JaneDoe') ? 'Rate exceeded' : undefined;
    const result = await contain(aws.clients, options({ plan: PLAYBOOK_PLAN }), recordingIo());
    const jane = result.results.find((r) => r.label === 'user:JaneDoe');
    expect(jane).toMatchObject({ outcome: 'failed' });
    expect(jane?.reason).toMatch(/ROLLBACK_COMPLETE: .*Rate exceeded/);
    expect(result.results.filter((r) => r.outcome === 'contained').map((r) => r.label)).toEqual([
      'user:JorgeSouza',
      'bucket:DOC-EXAMPLE-BUCKET',
    ]);
    // The failed attempt rolled back: nothing of JaneDoe's containment is left half-done.
    expect(aws.user('JaneDoe').attached).not.toContain(POLICY_ARN);
  });

  it('falls back to an inline deny when the user already holds ten managed policies', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => `arn:aws:iam::777777777777:policy/P${i}`);
    aws.addUser('Crowded', {}, {}, ten);
    const result = await contain(
      aws.clients,
      options({ targets: targetsOfOptions({ users: ['Crowded'] }) }),
      recordingIo(),
    );
    expect(result.results[0]).toMatchObject({ outcome: 'contained', verified: true });
    expect(aws.user('Crowded').inline.has('IrKitContainment-IR-2021-0724')).toBe(true);
  });

  it('keeps a large policy with multi-byte text across parameters and gives it back byte for byte', async () => {
    const statements = Array.from({ length: 60 }, (_, i) => ({
      Sid: `S${i}`,
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::777777777777:role/Team-${i}` },
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::big-bucket', 'arn:aws:s3:::big-bucket/données-é-ü-€/*'],
      Condition: { StringEquals: { 'aws:PrincipalTag/team': `équipe-${i}` } },
    }));
    const big = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    expect(Buffer.byteLength(big)).toBeGreaterThan(3 * 4096);
    aws.addBucket('big-bucket', big);
    await contain(
      aws.clients,
      options({ targets: targetsOfOptions({ buckets: ['big-bucket'] }) }),
      recordingIo(),
    );
    const stack = aws.stack('irkit-contain-IR-2021-0724-bucket-big-bucket');
    for (const p of stack?.parameters ?? [])
      expect(Buffer.byteLength(p.ParameterValue ?? '')).toBeLessThanOrEqual(4096);
    const summary = await release(aws.clients, { incidentId: INCIDENT, yes: true, ...FAST }, recordingIo());
    expect(summary.results[0].outcome).toBe('released');
    expect(aws.buckets.get('big-bucket')?.policy).toBe(big);
  });
});

describe('contain: what no data loss and the new steps need', () => {
  it('refuses a bucket whose policy with the containment statement would pass S3’s 20 KB limit, naming the options', async () => {
    const statements = Array.from({ length: 67 }, (_, i) => ({
      Sid: `S${i}`,
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::777777777777:role/Team-${i}` },
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::full-bucket', 'arn:aws:s3:::full-bucket/team-data-of-a-long-prefix/*'],
      Condition: { StringEquals: { 'aws:PrincipalTag/team': `team-name-${i}` } },
    }));
    const full = JSON.stringify({
      Version: '2012-10-17',
      Id: 'team-access-'.repeat(12),
      Statement: statements,
    });
    expect(Buffer.byteLength(full)).toBeLessThan(20_480);
    aws.addBucket('full-bucket', full);
    const error = await errorOf(
      contain(
        aws.clients,
        options({ targets: targetsOfOptions({ buckets: ['full-bucket'] }) }),
        recordingIo(),
      ),
    );
    expect(error.code).toBe('IRKIT_INVALID_INPUT');
    expect(error.message).toMatch(
      /bucket:full-bucket: its policy with the containment statement would be \d+ bytes, over S3's bucket-policy limit of 20480 bytes \(the policy is \d+ bytes now\)/,
    );
    expect(error.hint).toMatch(/shorten the policy.*Block Public Access.*SCP.*contain the principals/);
    expect(aws.writes).toEqual([]);
  });

  it('refuses an IR role the actor assumed unless run as the break-glass role, then only revokes it', async () => {
    const plan = createPlan({ steps: [{ kind: 'role', name: 'SecurityAdminRole', irRole: true }] });
    const refused = await errorOf(contain(aws.clients, options({ plan }), recordingIo()));
    expect(refused.code).toBe('IRKIT_PROTECTED_PRINCIPAL');
    expect(refused.message).toContain(
      'role:SecurityAdminRole: an IR role the actor assumed: only SecurityBreakGlassRole may revoke its sessions',
    );
    expect(refused.hint).toContain('run irkit contain as SecurityBreakGlassRole');
    expect(aws.writes).toEqual([]);

    aws.callerArn = `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityBreakGlassRole/responder`;
    const result = await contain(aws.clients, options({ plan }), recordingIo());
    expect(result.results[0]).toMatchObject({ outcome: 'contained' });
    expect(aws.roles.get('securityadminrole')?.inline.has('IrKitRevokeOlderSessions-IR-2021-0724')).toBe(
      true,
    );
  });

  it('still refuses the break-glass role as an irRole step, even to itself', async () => {
    aws.callerArn = `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityBreakGlassRole/responder`;
    const plan = createPlan({ steps: [{ kind: 'role', name: 'SecurityBreakGlassRole', irRole: true }] });
    const error = await errorOf(contain(aws.clients, options({ plan }), recordingIo()));
    expect(error.message).toContain('role:SecurityBreakGlassRole: the break-glass role; the caller itself');
  });

  it('plans a rogue role deny-all and says release keeps the revoke', async () => {
    const plan = createPlan({ steps: [{ kind: 'role', name: 'AppRole', mode: 'deny-all' }] });
    const io = recordingIo();
    await contain(aws.clients, { incidentId: INCIDENT, plan, dryRun: true }, io);
    const printed = io.output.join('');
    expect(printed).toContain('attach iam-containment-policy (Deny * on *) to role AppRole');
    expect(printed).toContain(
      'release detaches the deny-all; it keeps the revoke of older sessions unless release --lift-session-revoke',
    );
  });
});

describe('release', () => {
  it('lifts the deny, keeps older sessions revoked and keys Inactive, restores the original bucket policy exactly and removes an added one', async () => {
    const plan = createPlan({
      steps: [
        ...PLAYBOOK_PLAN.steps,
        { kind: 'bucket', name: 'empty-bucket' },
        { kind: 'role', name: 'AppRole' },
      ],
    });
    await contain(aws.clients, options({ plan }), recordingIo());
    expect(aws.buckets.get('empty-bucket')?.policy).toContain('BucketPolicyForContainment');

    const summary = await release(aws.clients, { incidentId: INCIDENT, yes: true, ...FAST }, recordingIo());
    expect(summary.results.map((r) => r.outcome)).toEqual([
      'released',
      'released',
      'released',
      'released',
      'released',
    ]);
    expect(aws.user('JaneDoe').attached).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    expect(aws.user('JaneDoe').keys.get('AKIAI44QH8DHBEXAMPLE')).toBe('Inactive');
    expect(aws.buckets.get('DOC-EXAMPLE-BUCKET')?.policy).toBe(ORIGINAL);
    expect(aws.buckets.get('empty-bucket')?.policy).toBeUndefined();
    // Stolen sessions do not come back: the revoke of older sessions outlives release.
    expect([...(aws.roles.get('approle')?.inline.keys() ?? [])]).toEqual([
      `IrKitRevokeOlderSessions-${INCIDENT}`,
    ]);
    expect([...aws.user('JaneDoe').inline.keys()]).toEqual([`IrKitRevokeOlderSessions-${INCIDENT}`]);
    expect(aws.stacks.every((s) => s.status === 'DELETE_COMPLETE')).toBe(true);
  });

  it('--lift-session-revoke lifts the revoke of older sessions too', async () => {
    const plan = createPlan({
      steps: [{ kind: 'role', name: 'AppRole' }, ...PLAYBOOK_PLAN.steps.slice(0, 1)],
    });
    await contain(aws.clients, options({ plan }), recordingIo());
    const summary = await release(
      aws.clients,
      { incidentId: INCIDENT, yes: true, liftSessionRevoke: true, ...FAST },
      recordingIo(),
    );
    expect(summary.results.map((r) => r.outcome)).toEqual(['released', 'released']);
    expect(aws.roles.get('approle')?.inline.size).toBe(0);
    expect(aws.user('JorgeSouza').inline.size).toBe(0);
  });

  it('--restore-key sets the named key Active again, and only the chosen target is released', async () => {
    await contain(aws.clients, options({ plan: PLAYBOOK_PLAN }), recordingIo());
    const summary = await release(
      aws.clients,
      {
        incidentId: INCIDENT,
        targets: ['user:janedoe'],
        restoreKeyIds: ['AKIAI44QH8DHBEXAMPLE'],
        yes: true,
        ...FAST,
      },
      recordingIo(),
    );
    expect(summary.results.map((r) => r.label)).toEqual(['user:JaneDoe']);
    expect(aws.user('JaneDoe').keys.get('AKIAI44QH8DHBEXAMPLE')).toBe('Active');
    expect(aws.user('JorgeSouza').keys.get('AKIAIOSFODNN7EXAMPLE')).toBe('Inactive');
    expect(aws.user('JorgeSouza').attached).toContain(POLICY_ARN);
  });

  it('never drops a deny that was attached before containment', async () => {
    aws.user('JaneDoe').attached.push(POLICY_ARN);
    await contain(aws.clients, options({ targets: targetsOfOptions({ users: ['JaneDoe'] }) }), recordingIo());
    await release(aws.clients, { incidentId: INCIDENT, yes: true, ...FAST }, recordingIo());
    expect(aws.user('JaneDoe').attached).toContain(POLICY_ARN);
  });

  it('refuses to release a bucket whose policy was changed while contained, showing both policies, before deleting anything', async () => {
    await contain(aws.clients, options({ plan: PLAYBOOK_PLAN }), recordingIo());
    const changed = '{"Version":"2012-10-17","Statement":[]}';
    aws.buckets.get('DOC-EXAMPLE-BUCKET')!.policy = changed;
    const writes = aws.writes.length;
    const error = await errorOf(
      release(aws.clients, { incidentId: INCIDENT, yes: true, ...FAST }, recordingIo()),
    );
    expect(error.code).toBe('IRKIT_INVALID_INPUT');
    expect(error.message).toContain('bucket:DOC-EXAMPLE-BUCKET: its policy was changed while contained');
    expect(error.message).toContain(
      `kept original (stack irkit-contain-IR-2021-0724-bucket-DOC-EXAMPLE-BUCKET, parameters OriginalPolicy1..6): ${ORIGINAL}`,
    );
    expect(error.message).toContain(`current: ${changed}`);
    expect(error.hint).toMatch(/nothing was changed.*put the kept original back.*--retain-failed/);
    expect(aws.writes).toHaveLength(writes);
    expect(aws.user('JaneDoe').attached).toContain(POLICY_ARN);
  });

  it('--retain-failed, after the responder set the bucket policy by hand, deletes the stack leaving the policy as it is', async () => {
    await contain(
      aws.clients,
      options({ targets: targetsOfOptions({ buckets: ['DOC-EXAMPLE-BUCKET'] }) }),
      recordingIo(),
    );
    const chosen = '{"Version":"2012-10-17","Statement":[]}';
    aws.buckets.get('DOC-EXAMPLE-BUCKET')!.policy = chosen;
    const summary = await release(
      aws.clients,
      { incidentId: INCIDENT, retainFailed: true, yes: true, ...FAST },
      recordingIo(),
    );
    expect(summary.results[0]).toMatchObject({ outcome: 'released' });
    expect(
      aws.cfn.calls().some((c) => JSON.stringify(c.args[0].input).includes('"RetainResources":["Bucket')),
    ).toBe(true);
    expect(aws.buckets.get('DOC-EXAMPLE-BUCKET')?.policy).toBe(chosen);
    expect(aws.stack('irkit-contain-IR-2021-0724-bucket-DOC-EXAMPLE-BUCKET')).toBeUndefined();
  });

  it('refuses an unknown incident and an unknown target, changing nothing', async () => {
    await contain(aws.clients, options({ plan: PLAYBOOK_PLAN }), recordingIo());
    const writes = aws.writes.length;
    const unknown = await errorOf(release(aws.clients, { incidentId: 'IR-404', yes: true }, recordingIo()));
    expect(unknown.code).toBe('IRKIT_UNKNOWN_INCIDENT');
    expect(unknown.hint).toContain(INCIDENT);
    const target = await errorOf(
      release(aws.clients, { incidentId: INCIDENT, targets: ['role:Nope'], yes: true }, recordingIo()),
    );
    expect(target.code).toBe('IRKIT_INVALID_INPUT');
    expect(target.hint).toContain('user:JorgeSouza');
    expect(aws.writes).toHaveLength(writes);
  });
});

describe('status', () => {
  it('says what is contained, since when, by whom and in which state', async () => {
    await contain(aws.clients, options({ plan: PLAYBOOK_PLAN }), recordingIo());
    const rows = await containmentStatus(aws.clients, INCIDENT);
    expect(rows.map((r) => [r.kind, r.target, r.stackStatus, r.containedAt, r.operator])).toEqual([
      ['bucket', 'DOC-EXAMPLE-BUCKET', 'CREATE_COMPLETE', '2021-07-26T00:37:17.500Z', aws.callerArn],
      ['user', 'JaneDoe', 'CREATE_COMPLETE', '2021-07-26T00:37:17.500Z', aws.callerArn],
      ['user', 'JorgeSouza', 'CREATE_COMPLETE', '2021-07-26T00:37:17.500Z', aws.callerArn],
    ]);
    expect(rows[1].details).toBe('deny-all (managed); keys Inactive: AKIAI44QH8DHBEXAMPLE');
    expect((await errorOf(containmentStatus(aws.clients, 'IR-404'))).code).toBe('IRKIT_UNKNOWN_INCIDENT');
    expect(await containmentStatus(aws.clients)).toHaveLength(3);
  });
});
