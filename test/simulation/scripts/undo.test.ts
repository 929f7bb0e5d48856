import * as fs from 'fs';

import {
  BREAK_GLASS_KEY,
  CONTAINMENT_POLICY_ARN,
  EXPOSED_KEY,
  EXPOSED_USER,
  FIRST_NEW_KEY,
  OTHER_ACCOUNT,
  RunResult,
  SANDBOX_ACCOUNT,
  Sandbox,
} from './harness';

const RUN_USER = 'JaneDoe-run1';
const RUN_BUCKET = `irkit-sim-run1-${SANDBOX_ACCOUNT}`;
const MUTATING =
  /^(iam (create|attach|put|update|delete|detach|remove|deactivate)|s3api (create|put|delete)|cloudformation (create|update|delete))/;

function expectExit(result: RunResult, code: number): void {
  if (result.code !== code) {
    throw new Error(
      `expected exit ${code}, got ${result.code} (${result.signal})\n${result.stdout}\n${result.stderr}`,
    );
  }
}

function ok(r: { code: number; stderr: string }): void {
  if (r.code !== 0) throw new Error(`responder call failed: ${r.stderr}`);
}

/** What a responder following the playbook's Part 4 (and a little more) does to the run. */
function containLikeAResponder(box: Sandbox): void {
  const aws = (...args: string[]) => ok(box.aws(args));
  aws(
    'iam',
    'update-access-key',
    '--user-name',
    RUN_USER,
    '--access-key-id',
    FIRST_NEW_KEY,
    '--status',
    'Inactive',
  );
  aws('iam', 'attach-user-policy', '--user-name', RUN_USER, '--policy-arn', CONTAINMENT_POLICY_ARN);
  aws(
    'iam',
    'put-user-policy',
    '--user-name',
    RUN_USER,
    '--policy-name',
    'deny-all-inline',
    '--policy-document',
    '{}',
  );
  aws('iam', 'create-login-profile', '--user-name', RUN_USER, '--password', 'EXAMPLE-not-a-password');
  aws('iam', 'create-access-key', '--user-name', RUN_USER);
  aws('iam', 'add-user-to-group', '--user-name', RUN_USER, '--group-name', 'Quarantine');
  aws(
    's3api',
    'put-bucket-versioning',
    '--bucket',
    RUN_BUCKET,
    '--versioning-configuration',
    'Status=Enabled',
  );
  aws('s3api', 'put-object', '--bucket', RUN_BUCKET, '--key', 'stuff', '--body', __filename);
  aws('s3api', 'put-object', '--bucket', RUN_BUCKET, '--key', 'evidence/notes.txt', '--body', __filename);
  aws('s3api', 'delete-object', '--bucket', RUN_BUCKET, '--key', 'stuff');
}

describe('undo_credential_exposure_activity.sh', () => {
  // One completed run, copied into a fresh sandbox for each case.
  const completed = new Sandbox();
  beforeAll(async () => {
    completed.seedUser('SomeoneElse', 'AIDASOMEONEELSEEXAMPLE');
    completed.seedBucket('DOC-EXAMPLE-BUCKET'.toLowerCase());
    expectExit(await completed.attack(), 0);
  });
  afterAll(() => completed.remove());

  describe('after the responder contained the run', () => {
    let box: Sandbox;
    let first: RunResult;
    let second: RunResult;
    let third: RunResult;
    let callsBefore: { second: number; third: number };

    beforeAll(async () => {
      box = new Sandbox({ copyOf: completed });
      containLikeAResponder(box);
      ok(
        box.aws([
          'cloudformation',
          'create-stack',
          '--stack-name',
          `irkit-contain-inc-1-user-${RUN_USER}`,
          '--template-body',
          '{}',
          '--parameters',
          `ParameterKey=UserName,ParameterValue=${RUN_USER}`,
          '--tags',
          `Key=irkit:target,Value=${RUN_USER}`,
          'Key=irkit:incident,Value=inc-1',
        ]),
      );
      // A shortened, hashed name: only the target tag (an ARN here) ties it to the run.
      ok(
        box.aws([
          'cloudformation',
          'create-stack',
          '--stack-name',
          'irkit-contain-inc-1-bucket-irkit-sim-r-0a1b2c3d',
          '--template-body',
          '{}',
          '--parameters',
          `ParameterKey=BucketName,ParameterValue=${RUN_BUCKET}`,
          '--tags',
          `Key=irkit:target,Value=arn:aws:s3:::${RUN_BUCKET}`,
        ]),
      );
      ok(
        box.aws([
          'cloudformation',
          'create-stack',
          '--stack-name',
          `irkit-contain-inc-1-user-${EXPOSED_USER}`,
          '--template-body',
          '{}',
          '--parameters',
          `ParameterKey=UserName,ParameterValue=${EXPOSED_USER}`,
          '--tags',
          `Key=irkit:target,Value=${EXPOSED_USER}`,
        ]),
      );
      first = await box.undo();
      callsBefore = { second: box.callCount(), third: 0 };
      second = await box.undo(['--with-containment-stacks']);
      callsBefore.third = box.callCount();
      third = await box.undo(['--with-containment-stacks', '--json']);
    });
    afterAll(() => box.remove());

    it('removes the contained user: every policy, inline policy, login profile, key and group', () => {
      expect(box.userExists(RUN_USER)).toBe(false);
      expect(first.stdout).toContain(
        `removed        iam-user ${RUN_USER} (managed policies detached: 2; inline policies: 1; login profile deleted; access keys: 2; group memberships: 1)`,
      );
      const detached = box
        .calls()
        .filter((c) => c.call === 'iam detach-user-policy')
        .map((c) => c.args[c.args.indexOf('--policy-arn') + 1]);
      expect(detached.sort()).toEqual([
        CONTAINMENT_POLICY_ARN,
        'arn:aws:iam::aws:policy/AdministratorAccess',
      ]);
    });

    it('cannot remove a bucket whose containment policy denies it, and says what to do', () => {
      expectExit(first, 1);
      expect(first.stdout).toMatch(
        new RegExp(
          `Could not remove:\\n  s3-bucket ${RUN_BUCKET}: access denied: a bucket policy denies you .*--with-containment-stacks`,
        ),
      );
      expect(first.stdout).toContain(
        'left alone     cloudformation-stack irkit-contain-inc-1-bucket-irkit-sim-r-0a1b2c3d: contains this run',
      );
      expect(
        box.calls().filter((c) => c.call === 'cloudformation delete-stack' && c.seq <= callsBefore.second),
      ).toEqual([]);
    });

    it("with --with-containment-stacks, deletes the run's stacks first, then every object version and the bucket", () => {
      expectExit(second, 0);
      const deleted = box
        .calls()
        .filter((c) => c.call === 'cloudformation delete-stack')
        .map((c) => c.args[c.args.indexOf('--stack-name') + 1]);
      expect(deleted.sort()).toEqual(
        [`irkit-contain-inc-1-user-${RUN_USER}`, 'irkit-contain-inc-1-bucket-irkit-sim-r-0a1b2c3d'].sort(),
      );
      const afterFirst = box.calls(callsBefore.second);
      const lastStackDeletion = Math.max(
        ...afterFirst.filter((c) => c.call === 'cloudformation wait').map((c) => c.seq),
      );
      const firstS3 = Math.min(...afterFirst.filter((c) => c.call.startsWith('s3api')).map((c) => c.seq));
      expect(lastStackDeletion).toBeLessThan(firstS3);
      expect(box.buckets()).toEqual(['doc-example-bucket']);
      expect(second.stdout).toContain(
        `removed        s3-bucket ${RUN_BUCKET} (object versions: 3; delete markers: 1)`,
      );
      expect(second.stdout).toContain(`already gone   iam-user ${RUN_USER}`);
    });

    it('never touches what the run did not create', () => {
      expect(box.users()).toEqual([EXPOSED_USER, 'SomeoneElse']);
      expect(box.accessKeys(EXPOSED_USER)).toEqual({ [EXPOSED_KEY]: 'Inactive' });
      expect(box.stacks()).toEqual(['IrKitSimulation', `irkit-contain-inc-1-user-${EXPOSED_USER}`]);
      expect(second.stdout).toContain(
        `left alone     cloudformation-stack irkit-contain-inc-1-user-${EXPOSED_USER}: contains the simulation user ${EXPOSED_USER}, which this run did not create`,
      );
      for (const c of box.calls().filter((x) => MUTATING.test(x.call) && x.key !== BREAK_GLASS_KEY)) {
        expect(c.args.join(' ')).not.toMatch(/JorgeSouza|SomeoneElse|doc-example-bucket|IrKitSimulation/);
      }
    });

    it('finds nothing left the next time, changes nothing, and exits 0', () => {
      expectExit(third, 0);
      expect(box.calls(callsBefore.third).filter((c) => MUTATING.test(c.call))).toEqual([]);
      expect(JSON.parse(third.stdout)).toEqual({
        runId: 'run1',
        account: SANDBOX_ACCOUNT,
        dryRun: false,
        removed: [],
        alreadyGone: [`iam-user ${RUN_USER}`, `s3-bucket ${RUN_BUCKET}`],
        notRemoved: [],
        notes: [
          expect.objectContaining({
            resource: `cloudformation-stack irkit-contain-inc-1-user-${EXPOSED_USER}`,
          }),
        ],
        nothingLeft: true,
      });
    });

    it('says so in plain text too', async () => {
      const again = await box.undo();
      expectExit(again, 0);
      expect(again.stdout).toContain(
        'Nothing left to remove for run run1: everything in the manifest is already gone.',
      );
    });
  });

  it('reports a containment stack that fails to delete, and exits non-zero', async () => {
    const box = new Sandbox({ copyOf: completed });
    try {
      box.seedStack('irkit-contain-inc-2-user-JaneDoe-run1', 'us-east-1', { 'irkit:target': RUN_USER }, {});
      fs.writeFileSync(`${box.state}/cfn/stacks/irkit-contain-inc-2-user-JaneDoe-run1/delete-fails`, '');
      const result = await box.undo(['--with-containment-stacks']);
      expectExit(result, 1);
      expect(result.stdout).toMatch(
        /Could not remove:\n {2}cloudformation-stack irkit-contain-inc-2-user-JaneDoe-run1: deletion did not complete \(Waiter StackDeleteComplete failed/,
      );
      // The rest is still removed.
      expect(box.userExists(RUN_USER)).toBe(false);
      expect(box.buckets()).toEqual(['doc-example-bucket']);
    } finally {
      box.remove();
    }
  });

  describe('after a run that failed midway', () => {
    it.each([
      ['AWS refused attaching the policy', { FAKE_AWS_FAIL: 'iam attach-user-policy' }, 'attach-admin'],
      [
        'the connection dropped while creating the user',
        { FAKE_AWS_FAIL: 'iam create-user', FAKE_AWS_FAIL_MODE: 'network' },
        'create-user',
      ],
    ])('removes what exists when %s', async (_what, env, step) => {
      const box = new Sandbox();
      try {
        const run = await box.attack([], env);
        expectExit(run, 1);
        expect(run.stderr).toContain('undo_credential_exposure_activity.sh');
        expect(box.manifest()).toMatchObject({ status: 'failed', failedStep: step });
        const result = await box.undo();
        expectExit(result, 0);
        expect(box.users()).toEqual([EXPOSED_USER]);
        expect(box.buckets()).toEqual([]);
      } finally {
        box.remove();
      }
    });

    it('removes the bucket of a run killed right after creating it (the manifest still says intended)', async () => {
      const box = new Sandbox();
      try {
        const run = await box.attack([], {
          FAKE_AWS_FAIL: 's3api create-bucket',
          FAKE_AWS_FAIL_MODE: 'kill',
        });
        expect(run.signal).toBe('SIGKILL');
        expect(box.buckets()).toEqual([RUN_BUCKET]);
        const m = box.manifest();
        expect(m.status).toBe('running');
        expect(m.resources.find((r: { type: string }) => r.type === 's3-bucket').state).toBe('intended');
        const result = await box.undo();
        expectExit(result, 0);
        expect(result.stderr).toContain('the manifest says the run is still running');
        expect(box.users()).toEqual([EXPOSED_USER]);
        expect(box.buckets()).toEqual([]);
      } finally {
        box.remove();
      }
    });
  });

  it('leaves alone a user of the run name that does not carry the run tag', async () => {
    const box = new Sandbox({ copyOf: completed });
    try {
      fs.writeFileSync(`${box.state}/iam/users/${RUN_USER}/tags`, 'irkit:simulation-run\tanother-run\n');
      const result = await box.undo();
      expectExit(result, 1);
      expect(result.stdout).toContain(
        `iam-user ${RUN_USER}: it exists but is not tagged irkit:simulation-run=run1, so this run did not create it: left alone`,
      );
      expect(box.userExists(RUN_USER)).toBe(true);
      expect(
        box
          .calls()
          .filter((c) => c.call.startsWith('iam ') && MUTATING.test(c.call) && c.args.includes(RUN_USER))
          .map((c) => c.call),
      ).toEqual(['iam create-user', 'iam attach-user-policy', 'iam create-access-key']);
    } finally {
      box.remove();
    }
  });

  it('refuses credentials of another account, changing nothing', async () => {
    const box = new Sandbox({ copyOf: completed });
    try {
      const manifest = box.manifest();
      fs.writeFileSync(box.manifestPath(), JSON.stringify({ ...manifest, account: OTHER_ACCOUNT }));
      const before = box.callCount();
      const result = await box.undo();
      expectExit(result, 2);
      expect(result.stderr).toContain(
        `refusing: your credentials are for account ${SANDBOX_ACCOUNT}, the run was in ${OTHER_ACCOUNT}`,
      );
      expect(box.calls(before).map((c) => c.call)).toEqual(['sts get-caller-identity']);
    } finally {
      box.remove();
    }
  });

  it('--dry-run lists what it would remove and removes nothing', async () => {
    const box = new Sandbox({ copyOf: completed });
    try {
      const before = box.callCount();
      const result = await box.undo(['--dry-run', '--with-containment-stacks']);
      expectExit(result, 0);
      expect(box.calls(before).filter((c) => MUTATING.test(c.call))).toEqual([]);
      expect(result.stderr).toContain(`would run: aws iam delete-user --user-name ${RUN_USER}`);
      expect(result.stderr).toContain(`would run: aws s3api delete-bucket --bucket ${RUN_BUCKET}`);
      expect(result.stdout).toContain('(dry run: nothing was removed)');
      expect(box.userExists(RUN_USER)).toBe(true);
      expect(box.buckets()).toContain(RUN_BUCKET);
    } finally {
      box.remove();
    }
  });

  describe('refuses a manifest it cannot trust, before any call', () => {
    const box = new Sandbox();
    afterAll(() => box.remove());
    const cases: Array<[string, string, string]> = [
      ['not JSON', '{"kind":', 'is not a JSON manifest'],
      [
        'another kind',
        '{"kind":"something-else","formatVersion":1}',
        'is not an IR Kit simulation run manifest',
      ],
      [
        'a newer format',
        '{"kind":"irkit-simulation-run","formatVersion":2}',
        'has formatVersion 2; this script reads 1',
      ],
      [
        'a bad account',
        '{"kind":"irkit-simulation-run","formatVersion":1,"runId":"run1","account":"7777","region":"us-east-1","resources":[]}',
        "the manifest's account '7777' is invalid",
      ],
      [
        'a user name IAM cannot have',
        '{"kind":"irkit-simulation-run","formatVersion":1,"runId":"run1","account":"777777777777","region":"us-east-1","resources":[{"type":"iam-user","name":"a b","state":"created"}]}',
        "the manifest names an invalid IAM user: 'a b'",
      ],
    ];
    it.each(cases)('%s', async (_what, content, message) => {
      fs.writeFileSync(box.manifestPath(), content);
      const result = await box.undo();
      expectExit(result, 2);
      expect(result.stderr).toContain(message);
      expect(box.calls()).toEqual([]);
    });

    it('a missing file', async () => {
      const result = await box.run(`${__dirname}/../../../simulation/undo_credential_exposure_activity.sh`, [
        `${box.work}/nope.json`,
      ]);
      expectExit(result, 2);
      expect(result.stderr).toContain('cannot read the manifest');
    });
  });
});
