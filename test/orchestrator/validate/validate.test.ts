import { GetAccessKeyInfoCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';

import { REPORT_ABUSE_URL, createStsClient, validateAccessKey } from '../../../orchestrator/validate';

const sts = mockClient(STSClient);
const client = () => new STSClient({ region: 'us-east-1' });
const now = () => new Date('2021-07-26T10:00:00Z');
const KEY = 'AKIAIOSFODNN7EXAMPLE';

beforeEach(() => {
  sts.reset();
});

describe('validateAccessKey (playbook Part 1)', () => {
  test('a key of the caller’s own account: continue, with the investigation to run next', async () => {
    sts.on(GetAccessKeyInfoCommand, { AccessKeyId: KEY }).resolves({ Account: '777777777777' });
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '777777777777',
      Arn: 'arn:aws:sts::777777777777:assumed-role/SecurityAnalystRole/analyst',
    });
    const result = await validateAccessKey(client(), { accessKeyId: KEY, now });
    expect(result).toMatchObject({
      keyAccount: '777777777777',
      expectedAccount: '777777777777',
      expectedFrom: 'caller',
      callerArn: 'arn:aws:sts::777777777777:assumed-role/SecurityAnalystRole/analyst',
      ours: true,
      verdict: `${KEY} belongs to your account 777777777777 (the caller's): continue with the analysis`,
    });
    expect(result.nextSteps).toContain(
      `irkit investigate --access-key-id ${KEY} --from 2021/07/11 --to 2021/07/26`,
    );
  });

  test('an expected account given: GetCallerIdentity is not needed', async () => {
    sts.on(GetAccessKeyInfoCommand).resolves({ Account: '777777777777' });
    const result = await validateAccessKey(client(), {
      accessKeyId: KEY,
      expectedAccount: '777777777777',
      now,
    });
    expect(result).toMatchObject({ ours: true, expectedFrom: 'option' });
    expect(sts).not.toHaveReceivedCommand(GetCallerIdentityCommand);
  });

  test('a key of someone else’s account: say so, and report it to AWS', async () => {
    sts.on(GetAccessKeyInfoCommand).resolves({ Account: '111122223333' });
    const result = await validateAccessKey(client(), { accessKeyId: KEY, expectedAccount: '777777777777' });
    expect(result.ours).toBe(false);
    expect(result.verdict).toBe(
      `${KEY} belongs to account 111122223333, not account 777777777777: report it to AWS, do not investigate it here`,
    );
    expect(result.nextSteps.join('\n')).toContain(REPORT_ABUSE_URL);
  });

  test.each([
    [{ accessKeyId: 'AKIA-NOT-A-KEY' }, /invalid access key id/],
    [{ accessKeyId: KEY, expectedAccount: '7777' }, /invalid AWS account id/],
  ])('bad input is refused before any call: %o', async (input, message) => {
    await expect(validateAccessKey(client(), input)).rejects.toMatchObject({
      code: 'IRKIT_INVALID_INPUT',
      message: expect.stringMatching(message),
    });
    expect(sts.calls()).toHaveLength(0);
  });

  test('an STS refusal is IRKIT_AWS with what to do', async () => {
    sts
      .on(GetAccessKeyInfoCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(validateAccessKey(client(), { accessKeyId: KEY })).rejects.toMatchObject({
      code: 'IRKIT_AWS',
      message: 'STS GetAccessKeyInfo failed: AccessDenied: not authorized',
      hint: expect.stringMatching(/sts:GetAccessKeyInfo .*--profile SecurityAnalystRole/),
    });
  });
});

describe('createStsClient', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('takes the Region given', async () => {
    expect(await createStsClient({ region: 'eu-west-1' }).config.region()).toBe('eu-west-1');
  });

  test('takes the environment’s Region, and us-east-1 when there is none', async () => {
    process.env.AWS_REGION = 'us-west-2';
    expect(await createStsClient().config.region()).toBe('us-west-2');
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = '/nonexistent/irkit-config';
    expect(await createStsClient().config.region()).toBe('us-east-1');
  });
});
