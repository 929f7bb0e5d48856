import { spawnSync } from 'child_process';
import * as path from 'path';

import { systemTool } from '../../support/system-tools';
import { ATTACK_SCRIPT, FAKE_AWS_DIR, REPO_ROOT, UNDO_SCRIPT } from './harness';

const shellcheck = systemTool('shellcheck', ['--version'], 'Debian: apt-get install shellcheck');

const SCRIPTS = [
  ATTACK_SCRIPT,
  UNDO_SCRIPT,
  path.join(REPO_ROOT, 'simulation/lib/common.sh'),
  path.join(FAKE_AWS_DIR, 'aws'),
];

describe('shell scripts', () => {
  shellcheck.it('are shellcheck clean, every severity included', () => {
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
