import { GetAccessKeyInfoCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { irkit } from '../../helpers/cli';

const sts = mockClient(STSClient);
const KEY = 'AKIAIOSFODNN7EXAMPLE';

beforeEach(() => {
  sts.reset();
});
afterAll(() => sts.restore());

describe('irkit validate', () => {
  test('a key of the caller’s account: the verdict and the next steps, exit code 0', async () => {
    sts.on(GetAccessKeyInfoCommand).resolves({ Account: '777777777777' });
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '777777777777',
      Arn: 'arn:aws:sts::777777777777:assumed-role/SecurityAnalystRole/analyst',
    });
    const run = await irkit('validate', '--access-key-id', KEY, '--region', 'us-east-1');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `${KEY} belongs to your account 777777777777 (the caller's): continue with the analysis`,
    );
    expect(run.stdout).toContain(
      'the caller, arn:aws:sts::777777777777:assumed-role/SecurityAnalystRole/analyst',
    );
    expect(run.stdout).toMatch(
      new RegExp(`irkit investigate --access-key-id ${KEY} --from \\d{4}/\\d{2}/\\d{2} --to`),
    );
    expect(sts).toHaveReceivedCommandWith(GetAccessKeyInfoCommand, { AccessKeyId: KEY });
  });

  test('a key of another account: prints what to do, then exits 2 with IRKIT_KEY_NOT_OURS', async () => {
    sts.on(GetAccessKeyInfoCommand).resolves({ Account: '111122223333' });
    const run = await irkit(
      'validate',
      '--access-key-id',
      KEY,
      '--expected-account',
      '777777777777',
      '--region',
      'us-east-1',
      '--format',
      'json',
    );
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({
      keyAccount: '111122223333',
      expectedFrom: 'option',
      ours: false,
    });
    expect(run.stderr).toContain(
      'IRKIT_KEY_NOT_OURS: AKIAIOSFODNN7EXAMPLE belongs to account 111122223333, not 777777777777',
    );
    expect(run.stderr).toContain('https://aws.amazon.com/premiumsupport/knowledge-center/report-aws-abuse/');
    expect(sts).not.toHaveReceivedCommand(GetCallerIdentityCommand);
  });

  test.each([
    [['--access-key-id', 'AKIA-BAD'], /invalid access key id/],
    [['--access-key-id', KEY, '--expected-account', '12'], /invalid AWS account id/],
    [['--access-key-id', KEY, '--format', 'xml'], /invalid --format/],
  ])('refuses %j before calling STS', async (args, message) => {
    const run = await irkit('validate', '--region', 'us-east-1', ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(sts.calls()).toHaveLength(0);
  });

  test('STS failing is exit code 3 with the service’s message', async () => {
    sts
      .on(GetAccessKeyInfoCommand)
      .rejects(Object.assign(new Error('The security token is invalid'), { name: 'InvalidClientTokenId' }));
    const run = await irkit('validate', '--access-key-id', KEY, '--region', 'us-east-1');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'IRKIT_AWS: STS GetAccessKeyInfo failed: InvalidClientTokenId: The security token is invalid',
    );
  });
});
