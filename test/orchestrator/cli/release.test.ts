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
  it('releases the incident: deny lifted, keys restored on request, the bucket policy back exactly', async () => {
    const run = await irkit('release', '--incident', 'IR-1', '--restore-keys', '--yes', ...FAST_FLAGS);
    expect(run.code).toBe(0);
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

  it('exits 4 when a release fails, saying how to finish it', async () => {
    aws.buckets.get('DOC-EXAMPLE-BUCKET')!.policy = '{"Version":"2012-10-17","Statement":[]}';
    const run = await irkit('release', '--incident', 'IR-1', '--yes', ...FAST_FLAGS);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/bucket:DOC-EXAMPLE-BUCKET: .*changed while contained.*--retain-failed/);
    expect(run.stdout).toMatch(/user:JaneDoe\s+RELEASED/);
  });
});
