import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { irkit } from '../../helpers/cli';
import { FAST_FLAGS } from '../contain/cli-harness';
import { FakeAws } from '../contain/fake-aws';

let aws: FakeAws;

beforeEach(() => {
  aws = new FakeAws();
  aws.addUser('JaneDoe', { AKIAI44QH8DHBEXAMPLE: 'Active' });
});
afterEach(() => aws.restore());

describe('irkit status', () => {
  it('says nothing is contained, then what is, by whom and since when', async () => {
    const empty = await irkit('status', '--region', 'us-east-1');
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('nothing is contained');

    await irkit('contain', '--user', 'JaneDoe', '--incident', 'IR-1', '--yes', ...FAST_FLAGS);
    const table = await irkit('status', '--incident', 'IR-1', '--region', 'us-east-1');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /IR-1\s+user:JaneDoe\s+CREATE_COMPLETE\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+arn:aws:sts::777777777777:assumed-role\/SecurityDeployRole\/responder\s+deny-all \(managed\)/,
    );

    const json = await irkit('status', '--format', 'json', '--region', 'us-east-1');
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        incidentId: 'IR-1',
        kind: 'user',
        target: 'JaneDoe',
        stackName: 'irkit-contain-IR-1-user-JaneDoe',
      }),
    ]);
  });

  it('Part 6 needs an investigation: a notice without one, exit code 2 with --remains; --plan needs --incident', async () => {
    await irkit('contain', '--user', 'JaneDoe', '--incident', 'IR-1', '--yes', ...FAST_FLAGS);
    const evidence = mkdtempSync(join(tmpdir(), 'irkit-status-evidence-'));
    const plain = await irkit('status', '--incident', 'IR-1', '--region', 'us-east-1');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/IR-1\s+user:JaneDoe\s+CREATE_COMPLETE/);
    expect(plain.stderr).toContain(
      'Part 6 (what the actor created that remains) not checked: IRKIT_EVIDENCE_MISSING: no --plan and no evidence',
    );
    const asked = await irkit(
      'status',
      '--incident',
      'IR-1',
      '--evidence',
      evidence,
      '--remains',
      '--region',
      'us-east-1',
    );
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain(
      'IRKIT_EVIDENCE_MISSING: no --plan, and no investigation of incident IR-1 preserved in',
    );
    expect(asked.stderr).toContain('pass the investigation with --plan FILE');
    const lonely = await irkit('status', '--remains', '--region', 'us-east-1');
    expect(lonely.code).toBe(2);
    expect(lonely.stderr).toContain('give --incident with --remains');
  });

  it('refuses an unknown incident and a bad format', async () => {
    expect((await irkit('status', '--incident', 'IR-9', '--region', 'us-east-1')).stderr).toContain(
      'IRKIT_UNKNOWN_INCIDENT',
    );
    expect((await irkit('status', '--format', 'xml', '--region', 'us-east-1')).code).toBe(2);
  });
});
