import { containmentStackName, isContainmentStackName } from '../../../orchestrator/contain/stack-names';

const VALID = /^[A-Za-z][-A-Za-z0-9]*$/;

function expectValid(name: string): void {
  expect(name).toMatch(VALID);
  expect(name.length).toBeLessThanOrEqual(128);
  expect(name.startsWith('irkit-contain-')).toBe(true);
  expect(isContainmentStackName(name)).toBe(true);
}

describe('containment stack names', () => {
  it('spells the playbook targets readably, with no hash when nothing was lost', () => {
    expect(containmentStackName('IR-2021-0724', 'user', 'JaneDoe')).toBe(
      'irkit-contain-IR-2021-0724-user-JaneDoe',
    );
    expect(containmentStackName('IR-2021-0724', 'bucket', 'DOC-EXAMPLE-BUCKET')).toBe(
      'irkit-contain-IR-2021-0724-bucket-DOC-EXAMPLE-BUCKET',
    );
  });

  it('is deterministic', () => {
    expect(containmentStackName('IR-1', 'role', 'a.b@c')).toBe(containmentStackName('IR-1', 'role', 'a.b@c'));
  });

  it('never collides for names differing only in + = , . @ _ - or case', () => {
    const targets = [
      'a+b',
      'a=b',
      'a,b',
      'a.b',
      'a@b',
      'a_b',
      'a-b',
      'A-b',
      'A+b',
      'ab',
      'a--b',
      'a.-b',
      'a-.b',
    ];
    for (const kind of ['user', 'role'] as const) {
      const names = targets.map((t) => containmentStackName('IR-1', kind, t));
      names.forEach(expectValid);
      expect(new Set(names).size).toBe(targets.length);
    }
    const buckets = ['my.bucket', 'my-bucket', 'my_bucket', 'My.bucket', 'my.Bucket'];
    const bucketNames = buckets.map((b) => containmentStackName('IR-1', 'bucket', b));
    expect(new Set(bucketNames).size).toBe(buckets.length);
  });

  it('keeps kinds and incidents apart', () => {
    expect(containmentStackName('IR-1', 'user', 'x')).not.toBe(containmentStackName('IR-1', 'role', 'x'));
    // "x-user-y" + "z" and "x" + "y-user-z" would otherwise spell the same name.
    const a = containmentStackName('x-user-y', 'user', 'z');
    const b = containmentStackName('x', 'user', 'y-user-z');
    expectValid(a);
    expect(a).not.toBe(b);
    expect(containmentStackName('IR-1', 'user', 'x')).not.toBe(containmentStackName('ir-1', 'user', 'x'));
  });

  it('never lets a target that looks like a hash collide with a hashed name', () => {
    const hashed = containmentStackName('IR-1', 'user', '.');
    const tail = hashed.slice(hashed.lastIndexOf('-') + 1);
    expect(containmentStackName('IR-1', 'user', tail)).not.toBe(hashed);
  });

  it('stays valid and distinct for the longest legal names', () => {
    const incident = 'I'.repeat(40);
    const user64 = 'u'.repeat(63);
    const names = [
      containmentStackName(incident, 'user', `${user64}a`),
      containmentStackName(incident, 'user', `${user64}b`),
      containmentStackName(incident, 'user', `${user64}_`),
      containmentStackName(incident, 'bucket', `${'b'.repeat(254)}c`),
      containmentStackName(incident, 'bucket', `${'b'.repeat(254)}d`),
      containmentStackName(incident, 'role', '@'.repeat(64)),
      containmentStackName(incident, 'role', '_'.repeat(64)),
    ];
    names.forEach(expectValid);
    expect(new Set(names).size).toBe(names.length);
  });

  it('refuses a malformed incident id', () => {
    expect(() => containmentStackName('IR 1', 'user', 'x')).toThrow(/incident id/);
  });

  it('recognizes only names of the containment pattern', () => {
    expect(isContainmentStackName('IrKitAccess')).toBe(false);
    expect(isContainmentStackName('irkit-contain-IR-1-user-JaneDoe')).toBe(true);
  });
});
