import * as fs from 'fs';

import { SCENARIO } from '../../../simulation/synthetic';
import {
  ATTACK_SCRIPT,
  ATTENDEE_KEY,
  EXPOSED_KEY,
  EXPOSED_USER_PERMISSIONS,
  FIRST_NEW_KEY,
  OTHER_ACCOUNT,
  RunResult,
  SANDBOX_ACCOUNT,
  Sandbox,
  SECRET_ARN,
  eventNameOf,
  eventSourceOf,
} from './harness';

/**
 * The playbook's actor as the synthetic generator writes it (SCENARIO), in order: who made each
 * call (the exposed key or the key it created) and the AWS CLI command. Attendees who run the
 * attack see in Athena what the offline demo shows.
 */
const PLAYBOOK_ACTOR: ReadonlyArray<readonly [string, string]> = SCENARIO.calls.map((c) => [
  c.principal === 'actor' ? 'exposed' : c.principal === 'rogue' ? 'created' : c.principal,
  c.cli ?? '(no CLI command)',
]);

const RUN_USER = 'JaneDoe-run1';
const RUN_BUCKET = `irkit-sim-run1-${SANDBOX_ACCOUNT}`;
const MUTATING =
  /^(iam (create|attach|put|update|delete|detach|tag)|s3api (create|put|delete)|cloudformation (create|update|delete))/;

function expectExit(result: RunResult, code: number): void {
  if (result.code !== code) {
    throw new Error(`expected exit ${code}, got ${result.code} (${result.signal})\n${result.stderr}`);
  }
}

describe('simulate_credential_exposure_activity.sh', () => {
  describe('a run with the key from the simulation stack, in us-east-1', () => {
    const box = new Sandbox();
    let result: RunResult;

    beforeAll(async () => {
      // The attendee's own session comes through the environment, as in CloudShell; none of it
      // may reach the calls made with the exposed or the created key.
      result = await box.attack([], {
        AWS_ACCESS_KEY_ID: ATTENDEE_KEY,
        AWS_SECRET_ACCESS_KEY: 'attendee-secret',
        AWS_SESSION_TOKEN: 'attendee-session-token',
        AWS_PROFILE: 'default',
        FAKE_AWS_SNAPSHOT: box.manifestPath(),
      });
    });
    afterAll(() => box.remove());

    it('completes and says how to investigate and undo it', () => {
      expectExit(result, 0);
      expect(result.stdout).toContain(`Run run1 completed in account ${SANDBOX_ACCOUNT} (us-east-1)`);
      expect(result.stdout).toContain(`exposed key:   ${EXPOSED_KEY} (user JorgeSouza)`);
      expect(result.stdout).toContain(`undo_credential_exposure_activity.sh ${box.manifestPath()}`);
      expect(result.stderr).toContain(`manifest: ${box.manifestPath()}`);
    });

    it("makes the playbook actor's calls, in the playbook's order, with the right keys", () => {
      const actor = box.calls().filter((c) => c.key !== ATTENDEE_KEY);
      expect(actor.every((c) => c.exitCode === 0)).toBe(true);
      expect(actor.map((c) => [c.key === EXPOSED_KEY ? 'exposed' : 'created', c.call])).toEqual(
        PLAYBOOK_ACTOR,
      );
      expect(actor.filter((c) => c.key !== EXPOSED_KEY).every((c) => c.key === FIRST_NEW_KEY)).toBe(true);
      // Each CLI command is the API call the incident's CloudTrail record names.
      expect(actor.map((c) => [eventSourceOf(c.call), eventNameOf(c.call)])).toEqual(
        SCENARIO.calls.map((c) => [c.eventSource, c.eventName]),
      );
      // The exposed key only ever needs the simulation user's narrow permissions.
      const exposedCalls = actor.filter((c) => c.key === EXPOSED_KEY).map((c) => c.call);
      expect(exposedCalls.every((c) => EXPOSED_USER_PERMISSIONS.includes(c))).toBe(true);
    });

    it("uses the attendee's credentials only to read the stack and its secret", () => {
      const attendee = box.calls().filter((c) => c.key === ATTENDEE_KEY);
      expect(attendee.map((c) => c.args.join(' '))).toEqual([
        'cloudformation describe-stacks --stack-name IrKitSimulation --region us-east-1 --output json',
        `secretsmanager get-secret-value --secret-id ${SECRET_ARN} --region us-east-1 --output json`,
      ]);
      expect(box.calls().filter((c) => c.key !== ATTENDEE_KEY && c.sessionToken)).toEqual([]);
    });

    it('passes the arguments the playbook shows, with run-unique names and the run tag', () => {
      const args = (call: string) =>
        box
          .calls()
          .find((c) => c.call === call)
          ?.args.join(' ');
      expect(args('iam create-user')).toBe(
        `iam create-user --user-name ${RUN_USER} --tags Key=irkit:simulation-run,Value=run1 --region us-east-1 --output json`,
      );
      expect(args('iam attach-user-policy')).toBe(
        `iam attach-user-policy --user-name ${RUN_USER} --policy-arn arn:aws:iam::aws:policy/AdministratorAccess --region us-east-1 --output json`,
      );
      // us-east-1 takes no LocationConstraint (S3 rejects one).
      expect(args('s3api create-bucket')).toBe(
        `s3api create-bucket --bucket ${RUN_BUCKET} --region us-east-1 --output json`,
      );
      expect(args('s3api put-object')).toMatch(
        new RegExp(
          `^s3api put-object --bucket ${RUN_BUCKET} --key stuff --body \\S+ --tagging irkit%3Asimulation-run=run1 `,
        ),
      );
    });

    it('uploads the recon output as `stuff`, tagged with the run', () => {
      const [body] = box.objectBodies(RUN_BUCKET, 'stuff');
      for (const probe of [
        'iam list-roles',
        'kms list-keys',
        'ec2 describe-instances',
        'secretsmanager list-secrets',
      ]) {
        expect(body).toContain(`### aws ${probe}`);
      }
      expect(body).toContain('"RoleName":"SecurityAnalystRole"');
      expect(box.objectTagging(RUN_BUCKET, 'stuff')).toEqual(['irkit%3Asimulation-run=run1']);
    });

    it('leaves the created user, key, policy and bucket in the account', () => {
      expect(box.users()).toEqual([RUN_USER, 'JorgeSouza']);
      expect(box.accessKeys(RUN_USER)).toEqual({ [FIRST_NEW_KEY]: 'Active' });
      expect(box.attachedPolicies(RUN_USER)).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
      expect(box.buckets()).toEqual([RUN_BUCKET]);
    });

    it('writes nothing to ~/.aws and leaves no temporary files', () => {
      expect(box.homeEntries()).toEqual([]);
      expect(fs.readdirSync(box.root).filter((f) => f.startsWith('irkit-simulate'))).toEqual([]);
    });

    it('records every resource and every step in the final manifest', () => {
      const m = box.manifest();
      expect(m).toMatchObject({
        formatVersion: 1,
        kind: 'irkit-simulation-run',
        runId: 'run1',
        status: 'completed',
        account: SANDBOX_ACCOUNT,
        region: 'us-east-1',
        tag: { key: 'irkit:simulation-run', value: 'run1' },
        exposedUser: { name: 'JorgeSouza', accessKeyId: EXPOSED_KEY },
        failedStep: null,
      });
      expect(m.resources).toEqual([
        expect.objectContaining({ type: 'iam-user', name: RUN_USER, state: 'created' }),
        expect.objectContaining({
          type: 'iam-user-policy-attachment',
          user: RUN_USER,
          policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
          state: 'created',
        }),
        { type: 'iam-access-key', user: RUN_USER, accessKeyId: FIRST_NEW_KEY, state: 'created' },
        { type: 's3-bucket', name: RUN_BUCKET, region: 'us-east-1', state: 'created' },
        expect.objectContaining({ type: 's3-object', bucket: RUN_BUCKET, key: 'stuff', state: 'created' }),
      ]);
      expect(m.steps.map((s: { call: string; identity: string }) => [s.identity, s.call])).toEqual(
        PLAYBOOK_ACTOR.map(([who, call]) => [who === 'exposed' ? 'sim' : 'actor', call]),
      );
      expect(JSON.stringify(m)).not.toContain('wJalrXUtnFEMI');
    });

    it('has the manifest on disk, up to date, before every call that creates something', () => {
      const at = (call: string) => box.snapshotAt(box.calls().find((c) => c.call === call)!.seq);
      const state = (m: { resources: Array<{ type: string; state: string }> }, type: string) =>
        m.resources.find((r) => r.type === type)?.state;
      // Each resource is written as `intended` before its call, so a crash during the call
      // still leaves it in the manifest.
      expect(state(at('iam create-user'), 'iam-user')).toBe('intended');
      expect(state(at('iam attach-user-policy'), 'iam-user')).toBe('created');
      expect(state(at('iam attach-user-policy'), 'iam-user-policy-attachment')).toBe('intended');
      expect(state(at('iam create-access-key'), 'iam-user-policy-attachment')).toBe('created');
      expect(state(at('s3api create-bucket'), 's3-bucket')).toBe('intended');
      expect(state(at('s3api put-object'), 's3-bucket')).toBe('created');
      expect(state(at('s3api put-object'), 's3-object')).toBe('intended');
      expect(at('iam list-roles').steps).toHaveLength(6);
      expect(
        at('iam list-roles').resources.find((r: { type: string }) => r.type === 'iam-access-key'),
      ).toEqual(expect.objectContaining({ accessKeyId: FIRST_NEW_KEY, state: 'created' }));
    });

    it('refuses to overwrite an existing manifest', async () => {
      const before = box.callCount();
      const again = await box.attack();
      expectExit(again, 2);
      expect(again.stderr).toContain('already exists');
      expect(box.calls(before).filter((c) => c.key !== ATTENDEE_KEY)).toEqual([]);
      expect(box.manifest().status).toBe('completed');
    });
  });

  describe('a run with a named profile outside us-east-1', () => {
    const box = new Sandbox({ stackOutputs: null });
    let result: RunResult;

    beforeAll(async () => {
      // IAM takes two refusals before it accepts the new key; one probe is refused by an SCP.
      result = await box.run(
        ATTACK_SCRIPT,
        [
          '--region',
          'eu-west-1',
          '--profile',
          'exposed',
          '--sandbox-account',
          SANDBOX_ACCOUNT,
          '--run-id',
          'run1',
        ],
        {
          FAKE_AWS_NEW_KEY_PENDING: '2',
          FAKE_AWS_FAIL: 'kms list-keys',
          FAKE_AWS_FAIL_CODE: 'AccessDeniedException',
        },
      );
    });
    afterAll(() => box.remove());

    it('creates the bucket with a LocationConstraint for the region', () => {
      expectExit(result, 0);
      const create = box.calls().find((c) => c.call === 's3api create-bucket')!;
      expect(create.args).toEqual(
        expect.arrayContaining([
          '--create-bucket-configuration',
          'LocationConstraint=eu-west-1',
          '--region',
          'eu-west-1',
        ]),
      );
      expect(box.buckets()).toEqual([RUN_BUCKET]);
    });

    it("makes no call with anyone else's credentials when the profile and the account are given", () => {
      expect(new Set(box.calls().map((c) => c.key))).toEqual(new Set([EXPOSED_KEY, FIRST_NEW_KEY]));
      expect(
        box
          .calls()
          .filter((c) => c.key === EXPOSED_KEY)
          .every((c) => c.args.includes('--profile')),
      ).toBe(true);
    });

    it('retries until IAM accepts the new key, then goes on with the playbook order', () => {
      const created = box.calls().filter((c) => c.key === FIRST_NEW_KEY);
      expect(created.slice(0, 3).map((c) => [c.call, c.exitCode])).toEqual([
        ['sts get-caller-identity', 254],
        ['sts get-caller-identity', 254],
        ['sts get-caller-identity', 0],
      ]);
      const made = box.calls().filter((c) => c.exitCode === 0 || c.call === 'kms list-keys');
      expect(made.map((c) => c.call)).toEqual(PLAYBOOK_ACTOR.map(([, call]) => call));
      expect(result.stderr).toContain('the new key is not accepted yet (InvalidClientTokenId)');
    });

    it('keeps going when a probe is refused, and keeps the refusal in the recon output', () => {
      const [body] = box.objectBodies(RUN_BUCKET, 'stuff');
      expect(body).toContain('### aws kms list-keys\nERROR: An error occurred (AccessDeniedException)');
      expect(result.stderr).toContain('probe failed, kept going');
      const step = box.manifest().steps.find((s: { call: string }) => s.call === 'kms list-keys');
      expect(step.outcome).toBe('failed');
      expect(box.manifest().status).toBe('completed');
      expect(box.manifest().exposedUser.accessKeyId).toBeNull();
    });
  });

  it('gives up with a bounded number of tries when IAM never accepts the new key', async () => {
    const box = new Sandbox();
    try {
      const result = await box.attack([], {
        FAKE_AWS_NEW_KEY_PENDING: '50',
        IRKIT_SIM_KEY_WAIT_ATTEMPTS: '3',
      });
      expectExit(result, 1);
      expect(result.stderr).toContain('IAM did not accept the new key after 3 tries');
      expect(result.stderr).toContain('undo_credential_exposure_activity.sh');
      expect(box.calls().filter((c) => c.key === FIRST_NEW_KEY)).toHaveLength(3);
      expect(box.manifest()).toMatchObject({ status: 'failed', failedStep: 'wait-for-key' });
    } finally {
      box.remove();
    }
  });

  describe('the sandbox guard', () => {
    it("refuses when the exposed key is another account's, before changing anything", async () => {
      const box = new Sandbox({ exposedAccount: OTHER_ACCOUNT });
      try {
        const result = await box.attack();
        expectExit(result, 2);
        expect(result.stderr).toContain(
          `refusing: the exposed key belongs to account ${OTHER_ACCOUNT}, not the sandbox account ${SANDBOX_ACCOUNT}`,
        );
        expect(box.calls().filter((c) => MUTATING.test(c.call))).toEqual([]);
        expect(
          box
            .calls()
            .filter((c) => c.key === EXPOSED_KEY)
            .map((c) => c.call),
        ).toEqual(['sts get-caller-identity']);
        expect(box.manifest()).toMatchObject({ status: 'refused', failedStep: 'guard', resources: [] });
      } finally {
        box.remove();
      }
    });

    it('refuses a --sandbox-account that differs from the stack, before using the key', async () => {
      const box = new Sandbox();
      try {
        const result = await box.attack(['--sandbox-account', OTHER_ACCOUNT]);
        expectExit(result, 2);
        expect(result.stderr).toContain(
          `--sandbox-account ${OTHER_ACCOUNT} differs from the stack's SandboxAccount ${SANDBOX_ACCOUNT}`,
        );
        expect(box.calls().map((c) => c.call)).toEqual(['cloudformation describe-stacks']);
        expect(fs.existsSync(box.manifestPath())).toBe(false);
      } finally {
        box.remove();
      }
    });

    it('refuses a key that is not the simulation user named by the stack', async () => {
      const box = new Sandbox({
        stackOutputs: {
          SimulationSecretArn: SECRET_ARN,
          SandboxAccount: SANDBOX_ACCOUNT,
          SimulationUserName: 'Someone',
        },
      });
      try {
        const result = await box.attack();
        expectExit(result, 2);
        expect(result.stderr).toContain('the key belongs to JorgeSouza, not to the simulation user Someone');
        expect(box.calls().filter((c) => MUTATING.test(c.call))).toEqual([]);
      } finally {
        box.remove();
      }
    });

    it('says what to deploy when the simulation stack is missing', async () => {
      const box = new Sandbox({ stackOutputs: null });
      try {
        const result = await box.attack();
        expectExit(result, 2);
        expect(result.stderr).toContain('cannot read stack IrKitSimulation in us-east-1');
        expect(result.stderr).toContain('Stack with id IrKitSimulation does not exist');
        expect(result.stderr).toContain('Nothing was changed');
      } finally {
        box.remove();
      }
    });

    it('refuses a secret that does not hold an access key', async () => {
      const box = new Sandbox({ secretString: '{"password":"hunter2"}' });
      try {
        const result = await box.attack();
        expectExit(result, 2);
        expect(result.stderr).toContain('the simulation secret does not hold an IAM user access key');
        expect(box.calls().filter((c) => c.key === EXPOSED_KEY)).toEqual([]);
      } finally {
        box.remove();
      }
    });
  });

  describe('--dry-run', () => {
    it('prints every call of the run and makes none of them', async () => {
      const box = new Sandbox();
      try {
        const result = await box.attack(['--dry-run', '--region', 'eu-west-1']);
        expectExit(result, 0);
        // Only the read-only lookup of the stack's outputs, with the attendee's credentials.
        expect(box.calls().map((c) => [c.key, c.call])).toEqual([
          [ATTENDEE_KEY, 'cloudformation describe-stacks'],
        ]);
        const lines = result.stdout.trim().split('\n');
        const planned = lines.filter((l) => /^\s*\d+\. /.test(l) && !l.includes('your credentials'));
        expect(
          planned.map((l) =>
            l
              .replace(/^.*\] aws /, '')
              .split(' ')
              .slice(0, 2)
              .join(' '),
          ),
        ).toEqual(PLAYBOOK_ACTOR.map(([, call]) => call));
        expect(result.stdout).toContain(
          `0. [your credentials] aws secretsmanager get-secret-value --secret-id ${SECRET_ARN}`,
        );
        expect(result.stdout).toContain(
          `aws s3api create-bucket --bucket ${RUN_BUCKET} --create-bucket-configuration LocationConstraint=eu-west-1 --region eu-west-1 --output json`,
        );
        expect(result.stdout).toContain('repeated with backoff');
        expect(fs.existsSync(box.manifestPath())).toBe(false);
      } finally {
        box.remove();
      }
    });

    it('makes no AWS call at all with a profile and a sandbox account', async () => {
      const box = new Sandbox();
      try {
        const result = await box.attack([
          '--dry-run',
          '--profile',
          'exposed',
          '--sandbox-account',
          SANDBOX_ACCOUNT,
        ]);
        expectExit(result, 0);
        expect(box.calls()).toEqual([]);
        expect(result.stdout).toContain(
          `16. [new key of ${RUN_USER}] aws s3api put-object --bucket ${RUN_BUCKET}`,
        );
      } finally {
        box.remove();
      }
    });
  });

  describe('bad usage is refused with a clear message and changes nothing', () => {
    const box = new Sandbox();
    afterAll(() => box.remove());

    it.each([
      [['--region', 'us_east_1'], "invalid --region: 'us_east_1'"],
      [['--sandbox-account', '12345'], "invalid --sandbox-account: '12345' (expected 12 digits)"],
      [['--run-id', 'Bad_Id'], "invalid --run-id: 'Bad_Id'"],
      [['--profile', 'a b'], "invalid --profile: 'a b'"],
      [['--bogus'], 'unknown argument: --bogus'],
      [['--stack-name'], '--stack-name needs a value'],
    ])('%j', async (args, message) => {
      const result = await box.attack(args);
      expectExit(result, 2);
      expect(result.stderr).toContain(message);
      expect(box.calls()).toEqual([]);
    });

    it('needs a region', async () => {
      const result = await box.run(ATTACK_SCRIPT, []);
      expectExit(result, 2);
      expect(result.stderr).toContain('no region: pass --region');
    });

    it('prints its help', async () => {
      const result = await box.attack(['--help']);
      expectExit(result, 0);
      expect(result.stdout).toContain('Usage: simulate_credential_exposure_activity.sh --region REGION');
      expect(result.stdout).toContain('--dry-run');
    });
  });
});
