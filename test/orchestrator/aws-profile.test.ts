import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { IrKitError } from '../../lib/errors';
import { awsTarget, checkedProfile } from '../../orchestrator/aws-profile';
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

describe('the one Region rule', () => {
  const base = () => ({ ...env });
  test('--region first, then AWS_REGION, AWS_DEFAULT_REGION, the profile, the kit config', () => {
    const withAll = {
      ...base(),
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-2',
    };
    expect(
      awsTarget({ region: 'ap-south-1', profile: 'SecurityDeployRole', configRegion: 'eu-north-1' }, withAll),
    ).toEqual({
      profile: 'SecurityDeployRole',
      region: 'ap-south-1',
      regionSource: '--region',
    });
    expect(awsTarget({ configRegion: 'eu-north-1' }, withAll)).toMatchObject({
      region: 'eu-west-1',
      regionSource: 'AWS_REGION',
    });
    expect(
      awsTarget({ configRegion: 'eu-north-1' }, { ...base(), AWS_DEFAULT_REGION: 'eu-west-2' }),
    ).toMatchObject({
      region: 'eu-west-2',
      regionSource: 'AWS_DEFAULT_REGION',
    });
    // [profile SecurityDeployRole] and [default] both say us-east-1 in this config file.
    expect(awsTarget({ profile: 'SecurityDeployRole', configRegion: 'eu-north-1' }, base())).toMatchObject({
      region: 'us-east-1',
      regionSource: 'profile',
    });
    expect(awsTarget({ profile: 'sandbox', configRegion: 'eu-north-1' }, base())).toMatchObject({
      region: 'eu-north-1',
      regionSource: 'config',
    });
  });

  test('AWS_PROFILE names the profile whose region applies when --profile is not given', () => {
    const file = join(dir, 'config-regions');
    writeFileSync(
      file,
      '[default]\nregion = us-east-1\n[profile ir]\nregion = eu-central-1\n[sso-session ir]\nregion = us-west-2\n',
    );
    const e = { ...base(), AWS_CONFIG_FILE: file };
    expect(awsTarget({}, { ...e, AWS_PROFILE: 'ir' })).toMatchObject({
      region: 'eu-central-1',
      regionSource: 'profile',
    });
    expect(awsTarget({}, e)).toMatchObject({ region: 'us-east-1', regionSource: 'profile' });
  });

  test('with no Region anywhere, says how to give one before any call; validate falls back to us-east-1', () => {
    const none = { AWS_CONFIG_FILE: join(dir, 'missing'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'missing') };
    try {
      awsTarget({ configRegion: undefined }, none);
      throw new Error('not refused');
    } catch (error) {
      expect((error as IrKitError).message).toContain('no AWS Region');
      expect((error as IrKitError).hint).toContain('--region');
    }
    expect(awsTarget({ fallback: 'us-east-1' }, none)).toMatchObject({
      region: 'us-east-1',
      regionSource: 'fallback',
    });
    expect(() => awsTarget({ region: 'us-east1' }, none)).toThrow(
      /invalid AWS Region "us-east1" \(from --region\)/,
    );
  });
});
