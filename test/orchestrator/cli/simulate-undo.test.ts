import * as fs from 'fs';

import { irkitWithEnv } from '../../helpers/cli';
import { Sandbox } from '../../simulation/scripts/harness';
import { BUCKET, USER, sandboxWithRun } from '../simulation/fixtures';

describe('irkit simulate --undo', () => {
  it('removes the run and prints the summary; exit 0', async () => {
    const box = sandboxWithRun('run1');
    try {
      const run = await irkitWithEnv(box.env(), 'simulate', '--undo', box.manifestPath());
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`  removed        iam-user ${USER}`);
      expect(run.stdout).toContain(`  removed        s3-bucket ${BUCKET}`);
      expect(run.stderr).toContain(`aws iam delete-user --user-name ${USER}`);
      expect(box.users()).toEqual(['JorgeSouza']);

      const again = await irkitWithEnv(
        box.env(),
        'simulate',
        '--undo',
        box.manifestPath(),
        '--format',
        'json',
      );
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ nothingLeft: true, notRemoved: [] });
    } finally {
      box.remove();
    }
  });

  it('exits 4 and names what it could not remove', async () => {
    const box = sandboxWithRun('another-run');
    try {
      const run = await irkitWithEnv(
        box.env(),
        'simulate',
        '--undo',
        box.manifestPath(),
        '--with-containment-stacks',
      );
      expect(run.code).toBe(4);
      expect(run.stdout).toContain(`Could not remove:\n  iam-user ${USER}: it exists but is not tagged`);
      expect(box.calls().some((c) => c.call === 'cloudformation describe-stacks')).toBe(true);
    } finally {
      box.remove();
    }
  });

  it('exits 2 on a manifest that is not one, and still needs --out without --undo', async () => {
    const box = new Sandbox();
    try {
      fs.writeFileSync(box.manifestPath(), '{"kind":"other"}');
      const bad = await irkitWithEnv(box.env(), 'simulate', '--undo', box.manifestPath());
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('IRKIT_INVALID_INPUT: invalid simulation manifest');
      const noOut = await irkitWithEnv(box.env(), 'simulate');
      expect(noOut.code).toBe(2);
      expect(noOut.stderr).toContain("required option '--out <dir>' not specified");
      expect(box.calls()).toEqual([]);
    } finally {
      box.remove();
    }
  });

  it('refuses --with-containment-stacks without --undo instead of ignoring it', async () => {
    const run = await irkitWithEnv({}, 'simulate', '--out', 'logs', '--with-containment-stacks');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--with-containment-stacks goes with --undo MANIFEST');
  });
});
