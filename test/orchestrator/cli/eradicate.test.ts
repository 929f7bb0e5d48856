import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { irkit, irkitWithEnv } from '../../helpers/cli';

/**
 * `irkit eradicate` end to end on the demo incident, offline: `irkit demo --keep`, `irkit
 * investigate --out plan.json`, then the dry run with no credentials and no network (the real
 * SDK clients, no mock).
 */
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
const NO_CREDENTIALS = {
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
  AWS_MAX_ATTEMPTS: '1',
};
let dir: string;
let saved: NodeJS.ProcessEnv;
let plan: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'irkit-cli-eradicate-'));
  saved = { ...process.env };
  for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
  expect((await irkit('demo', '--events', '100', '--keep', dir)).code).toBe(0);
  plan = join(dir, 'plan.json');
  const investigated = await irkit(
    'investigate',
    '--access-key-id',
    'AKIAIOSFODNN7EXAMPLE',
    '--from',
    '2021/07/16',
    '--to',
    '2021/07/24',
    '--logs',
    join(dir, 'logs'),
    '--incident',
    'IR-DEMO',
    '--out',
    plan,
  );
  expect(investigated.code).toBe(0);
}, 120_000);
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('irkit eradicate', () => {
  it('--dry-run without credentials prints every call in order for the demo incident and touches nothing', async () => {
    const before = readFileSync(plan, 'utf8');
    const run = await irkitWithEnv(
      NO_CREDENTIALS,
      'eradicate',
      '--plan',
      plan,
      '--incident',
      'IR-DEMO',
      '--dry-run',
    );
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(
      'Eradication of incident IR-DEMO (dry run: nothing was changed). The calls, in order:',
    );
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(at('user:JaneDoe (created by the actor): PLANNED')).toBeGreaterThan(0);
    // AWS's order: everything the user holds, then the user; every version, then the bucket.
    const order = [
      'iam DeleteLoginProfile UserName=JaneDoe',
      'iam DeleteAccessKey UserName=JaneDoe AccessKeyId=<each access key>',
      'iam DeleteSSHPublicKey UserName=JaneDoe',
      'iam DeleteServiceSpecificCredential UserName=JaneDoe',
      'iam DeleteSigningCertificate UserName=JaneDoe',
      'iam DeactivateMFADevice UserName=JaneDoe',
      'iam DeleteUserPolicy UserName=JaneDoe',
      'iam DetachUserPolicy UserName=JaneDoe',
      'iam RemoveUserFromGroup UserName=JaneDoe',
      'iam DeleteUserPermissionsBoundary UserName=JaneDoe',
      'iam DeleteUser UserName=JaneDoe',
      's3 DeleteObjects Bucket=DOC-EXAMPLE-BUCKET',
      's3 DeleteBucket Bucket=DOC-EXAMPLE-BUCKET',
      'iam DeleteAccessKey UserName=JorgeSouza AccessKeyId=AKIAIOSFODNN7EXAMPLE',
    ].map(at);
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(run.stdout).not.toContain('DeleteUser UserName=JorgeSouza');
    expect(run.stderr).toContain('dry run without AWS');
    expect(readFileSync(plan, 'utf8')).toBe(before);
  });

  it('refuses the plan of another incident (exit 2) and an unreadable plan', async () => {
    const other = await irkitWithEnv(
      NO_CREDENTIALS,
      'eradicate',
      '--plan',
      plan,
      '--incident',
      'IR-OTHER',
      '--dry-run',
    );
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('the investigation is of incident IR-DEMO, not IR-OTHER');
    const missing = await irkitWithEnv(
      NO_CREDENTIALS,
      'eradicate',
      '--plan',
      join(dir, 'nope.json'),
      '--incident',
      'IR-DEMO',
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
  });

  it('refuses to act without credentials (no dry run): exit 3, nothing changed', async () => {
    const run = await irkitWithEnv(
      NO_CREDENTIALS,
      'eradicate',
      '--plan',
      plan,
      '--incident',
      'IR-DEMO',
      '--yes',
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('sts GetCallerIdentity');
  });
});
