import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { irkitWithEnv } from '../../helpers/cli';

/** `irkit contain --dry-run` with no credentials and no network: the real SDK clients, no mock. */

const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];
let dir: string;
let saved: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'irkit-cli-offline-'));
  saved = { ...process.env };
  for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
});
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

const NO_CREDENTIALS = {
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  AWS_EC2_METADATA_DISABLED: 'true',
};

describe('irkit contain --dry-run without credentials', () => {
  it('prints the plan, stack names, parameters and templates, marking what it could not read live', async () => {
    const plan = join(dir, 'plan.json');
    writeFileSync(
      plan,
      JSON.stringify({
        formatVersion: 1,
        accountId: '777777777777',
        steps: [
          { kind: 'user', name: 'JaneDoe', accessKeyIds: ['AKIAI44QH8DHBEXAMPLE'] },
          { kind: 'role', name: 'RogueRole', mode: 'deny-all' },
          { kind: 'bucket', name: 'DOC-EXAMPLE-BUCKET' },
        ],
      }),
    );
    const run = await irkitWithEnv(
      NO_CREDENTIALS,
      'contain',
      '--plan',
      plan,
      '--incident',
      'IR-1',
      '--dry-run',
      '--region',
      'us-east-1',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run: nothing will be changed. Containment plan for incident IR-1');
    expect(run.stdout).toMatch(
      /not read live \(.*credentials.*\): the caller, the IrKitAccess outputs, existing stacks/,
    );
    expect(run.stdout).toContain("in the plan's account 777777777777");
    expect(run.stdout).toContain(
      'stacks run with arn:aws:iam::777777777777:role/IrKitContainmentExecutionRole',
    );
    expect(run.stdout).toContain('1. user:JaneDoe  ->  stack irkit-contain-IR-1-user-JaneDoe (create)');
    expect(run.stdout).toContain('set access key AKIAI44QH8DHBEXAMPLE Inactive (now not read live)');
    expect(run.stdout).toMatch(
      /parameters: IncidentId=IR-1 UserName=JaneDoe AccessKeyId1=AKIAI44QH8DHBEXAMPLE/,
    );
    expect(run.stdout).toContain('attach iam-containment-policy (Deny * on *) to role RogueRole');
    expect(run.stdout).toContain('BreakGlassRoleArn=arn:aws:iam::777777777777:role/SecurityBreakGlassRole');
    expect(run.stdout).toContain('not read live: the bucket (tags, current policy');
    expect(run.stdout).toContain('# template: user containment');
    expect(run.stdout).toContain('# template: role containment');
    expect(run.stdout).toContain('"Custom::IrKitBucketPolicy"');
  });

  it("an investigation's plans of several accounts: per account, the deploy role it would assume and the stacks", async () => {
    const doc = join(dir, 'investigation.json');
    const plan = (accountId: string, user: string) => ({
      formatVersion: 1,
      accountId,
      steps: [{ kind: 'user', name: user }],
    });
    writeFileSync(
      doc,
      JSON.stringify({
        containmentPlan: plan('111122223333', 'JaneDoe'),
        otherAccountPlans: [plan('444455556666', 'MaryMajor')],
      }),
    );
    const run = await irkitWithEnv(
      NO_CREDENTIALS,
      'contain',
      '--plan',
      doc,
      '--incident',
      'IR-1',
      '--dry-run',
      '--region',
      'us-east-1',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Containment of incident IR-1 in 2 account(s):');
    expect(run.stdout).toContain('111122223333  as arn:aws:iam::111122223333:role/SecurityDeployRole');
    expect(run.stdout).toContain('444455556666  as arn:aws:iam::444455556666:role/SecurityDeployRole');
    expect(run.stdout).toContain(
      '[111122223333] 1. user:JaneDoe  ->  stack irkit-contain-IR-1-user-JaneDoe (create)',
    );
    expect(run.stdout).toContain(
      '[444455556666] 1. user:MaryMajor  ->  stack irkit-contain-IR-1-user-MaryMajor (create)',
    );
    expect(run.stdout).toContain(
      '[444455556666]   stacks run with arn:aws:iam::444455556666:role/IrKitContainmentExecutionRole',
    );
    expect(run.stdout).toContain('[444455556666] # template: user containment');
    expect(run.stdout).toMatch(
      /444455556666 +arn:aws:iam::444455556666:role\/SecurityDeployRole +OK +1 planned/,
    );
  });

  it('without a plan account, builds the ARNs in a placeholder account', async () => {
    const run = await irkitWithEnv(
      NO_CREDENTIALS,
      'contain',
      '--role',
      'AppRole',
      '--incident',
      'IR-1',
      '--dry-run',
      '--region',
      'us-east-1',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('account <account>');
    expect(run.stdout).toContain('stacks run with arn:aws:iam::<account>:role/IrKitContainmentExecutionRole');
  });

  it('still refuses a protected target by name', async () => {
    const run = await irkitWithEnv(
      NO_CREDENTIALS,
      'contain',
      '--role',
      'SecurityDeployRole',
      '--incident',
      'IR-1',
      '--dry-run',
      '--region',
      'us-east-1',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('role:SecurityDeployRole: an IR role');
  });

  it('without --dry-run, fails on the missing credentials', async () => {
    const run = await irkitWithEnv(
      NO_CREDENTIALS,
      'contain',
      '--role',
      'AppRole',
      '--incident',
      'IR-1',
      '--yes',
      '--region',
      'us-east-1',
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('IRKIT_AWS');
  });
});
