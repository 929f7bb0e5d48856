import { spawnSync } from 'child_process';
import * as path from 'path';

import { ATTACK_SCRIPT, FAKE_AWS_DIR, REPO_ROOT, UNDO_SCRIPT } from './harness';

const SCRIPTS = [
  ATTACK_SCRIPT,
  UNDO_SCRIPT,
  path.join(REPO_ROOT, 'simulation/lib/common.sh'),
  path.join(FAKE_AWS_DIR, 'aws'),
];

describe('shell scripts', () => {
  it('are shellcheck clean, every severity included', () => {
    const version = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
    if (version.error || version.status !== 0) {
      throw new Error(
        'shellcheck is not installed, so the simulation scripts cannot be checked. Install it ' +
          '(Debian: apt-get install shellcheck; .ci/run installs it when missing).',
      );
    }
    // -x follows `source`, so the scripts are checked together with their library.
    const result = spawnSync('shellcheck', ['-x', '--severity=style', ...SCRIPTS], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(SCRIPTS.filter((s) => !s.endsWith('.sh') || !s.includes('/lib/')))('%s is executable', (script) => {
    const mode = spawnSync('stat', ['-c', '%a', script], { encoding: 'utf8' }).stdout.trim();
    expect(Number.parseInt(mode, 8) & 0o111).toBe(0o111);
  });
});
