import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { IrKitError } from '../../lib/errors';
import { checkedProfile } from '../../orchestrator/aws-profile';
import { irkitWithEnv } from '../helpers/cli';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'irkit-profile-'));
  writeFileSync(
    join(dir, 'config'),
    '[default]\nregion = us-east-1\n\n[profile SecurityDeployRole]\nregion = us-east-1\n',
  );
  writeFileSync(join(dir, 'credentials'), '[sandbox]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n');
  env = { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--profile', () => {
  test('is found in the config file (profile NAME) or the credentials file (NAME)', () => {
    expect(checkedProfile('SecurityDeployRole', env)).toBe('SecurityDeployRole');
    expect(checkedProfile('sandbox', env)).toBe('sandbox');
    expect(checkedProfile('default', env)).toBe('default');
  });

  test('that names no profile is said so, with where it looked and how to create it', () => {
    try {
      checkedProfile('SecurityDeployRol', env);
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(IrKitError);
      expect((error as IrKitError).code).toBe('IRKIT_CONFIG');
      expect((error as IrKitError).message).toContain('the AWS profile SecurityDeployRol is not configured');
      expect((error as IrKitError).hint).toContain('aws configure --profile SecurityDeployRol');
    }
  });

  test('is refused before any AWS call, by every command that takes it', async () => {
    const run = await irkitWithEnv(env, 'status', '--profile', 'nope');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the AWS profile nope is not configured');
    const validate = await irkitWithEnv(
      env,
      'validate',
      '--access-key-id',
      'AKIAIOSFODNN7EXAMPLE',
      '--profile',
      'nope',
    );
    expect(validate.stderr).toContain('the AWS profile nope is not configured');
  });
});
