import { irkit } from '../../helpers/cli';
import { FAST_FLAGS } from '../contain/cli-harness';
import { FakeAws } from '../contain/fake-aws';

const ORIGINAL =
  '{"Version":"2012-10-17","Statement":[{"Sid":"Keep","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}]}';
let aws: FakeAws;

beforeEach(async () => {
  aws = new FakeAws();
  aws.addUser('JaneDoe', { AKIAI44QH8DHBEXAMPLE: 'Active' });
  aws.addBucket('DOC-EXAMPLE-BUCKET', ORIGINAL);
  const run = await irkit(
    'contain',
    '--user',
    'JaneDoe',
    '--access-key-id',
    'AKIAI44QH8DHBEXAMPLE',
    '--bucket',
    'DOC-EXAMPLE-BUCKET',
    '--incident',
    'IR-1',
    '--yes',
    ...FAST_FLAGS,
  );
  expect(run.code).toBe(0);
});
afterEach(() => aws.restore());

describe('irkit release', () => {
  it('releases the incident: deny lifted, the named key restored, the bucket policy back exactly', async () => {
    const run = await irkit(
      'release',
      '--incident',
      'IR-1',
      '--restore-key',
      'AKIAI44QH8DHBEXAMPLE',
      '--yes',
      ...FAST_FLAGS,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '- set Active again: AKIAI44QH8DHBEXAMPLE (only if it was Active before containment)',
    );
    expect(run.stdout).toMatch(/user:JaneDoe\s+RELEASED/);
    expect(run.stdout).toContain('original policy restored exactly');
    expect(aws.buckets.get('DOC-EXAMPLE-BUCKET')?.policy).toBe(ORIGINAL);
    expect(aws.user('JaneDoe').keys.get('AKIAI44QH8DHBEXAMPLE')).toBe('Active');
  });

  it('refuses an unknown incident (exit 2) and a malformed --target', async () => {
    const unknown = await irkit('release', '--incident', 'IR-2', '--yes', ...FAST_FLAGS);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('IRKIT_UNKNOWN_INCIDENT: no containment stacks for incident IR-2');
    const bad = await irkit(
      'release',
      '--incident',
      'IR-1',
      '--target',
      'group:Admins',
      '--yes',
      ...FAST_FLAGS,
    );
    expect(bad.code).toBe(2);
    expect(aws.writes.filter((w) => w.startsWith('DeleteStack'))).toEqual([]);
  });

  it('without --restore-key, says the keys stay Inactive and how to restore one', async () => {
    const run = await irkit('release', '--incident', 'IR-1', '--dry-run', ...FAST_FLAGS);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '- stay Inactive: AKIAI44QH8DHBEXAMPLE (name a key with --restore-key ID to set it Active)',
    );
  });

  it('refuses the removed --restore-keys, naming the new flag, changing nothing', async () => {
    const run = await irkit('release', '--incident', 'IR-1', '--restore-keys', '--yes', ...FAST_FLAGS);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--restore-keys is no more');
    expect(run.stderr).toContain('--restore-key ID');
    expect(aws.writes.filter((w) => w.startsWith('DeleteStack') || w.startsWith('UpdateStack'))).toEqual([]);
  });

  it('refuses --restore-key for a key the containment did not deactivate, changing nothing', async () => {
    aws.user('JaneDoe').keys.set('AKIAJ44QH8DHBEXAMPLE', 'Inactive');
    const run = await irkit(
      'release',
      '--incident',
      'IR-1',
      '--restore-key',
      'AKIAJ44QH8DHBEXAMPLE',
      '--yes',
      ...FAST_FLAGS,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'access key AKIAJ44QH8DHBEXAMPLE was not deactivated by the containment being released (its keys: AKIAI44QH8DHBEXAMPLE (user:JaneDoe))',
    );
    expect(aws.writes.filter((w) => w.startsWith('DeleteStack') || w.startsWith('UpdateStack'))).toEqual([]);
    expect(aws.user('JaneDoe').keys.get('AKIAJ44QH8DHBEXAMPLE')).toBe('Inactive');
  });

  it('refuses (exit 2) to release a bucket whose policy was changed while contained, before deleting any stack', async () => {
    aws.buckets.get('DOC-EXAMPLE-BUCKET')!.policy = '{"Version":"2012-10-17","Statement":[]}';
    const run = await irkit('release', '--incident', 'IR-1', '--yes', ...FAST_FLAGS);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bucket:DOC-EXAMPLE-BUCKET: its policy was changed while contained/);
    expect(run.stderr).toContain('--retain-failed');
    expect(aws.writes.filter((w) => w.startsWith('DeleteStack'))).toEqual([]);
  });

  it('exits 4 when a release fails, saying how to finish it', async () => {
    aws.failWhen = (stack, op) =>
      op === 'delete' && stack.name.endsWith('bucket-DOC-EXAMPLE-BUCKET') ? 'Access Denied' : undefined;
    const run = await irkit('release', '--incident', 'IR-1', '--yes', ...FAST_FLAGS);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/bucket:DOC-EXAMPLE-BUCKET: DELETE_FAILED: .*Access Denied.*--retain-failed/);
    expect(run.stdout).toMatch(/user:JaneDoe\s+RELEASED/);
  });
});
