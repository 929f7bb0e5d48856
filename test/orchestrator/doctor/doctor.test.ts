import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { STSClient } from '@aws-sdk/client-sts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { doctor } from '../../../orchestrator/doctor/doctor';
import { awsQueryError, AwsWire, cfnXml, startAwsWire, stsXml } from '../../support/aws-wire';
import { irkit } from '../../helpers/cli';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'irkit-doctor-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('irkit doctor, offline', () => {
  test('names an old Node, a missing config and an empty logs folder, each with what to do', async () => {
    const checks = await doctor({ cwd: dir, env: {}, nodeVersion: '18.20.0', logs: dir });
    const by = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(by['Node.js']).toMatchObject({ status: 'fail', fix: expect.stringContaining('Node 22') });
    expect(by.config).toMatchObject({ status: 'warn', fix: expect.stringContaining('--config') });
    expect(by['CloudTrail logs']).toMatchObject({ status: 'fail', fix: expect.stringContaining('AWSLogs') });
    expect(by.AWS.status).toBe('skip');
  });

  test('finds the day folders of a logs folder in the S3 layout, and reads a broken config as a failure', async () => {
    mkdirSync(join(dir, 'logs/AWSLogs/777777777777/CloudTrail/us-east-1/2021/07/24'), { recursive: true });
    writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ context: { irkit: { databasename: 'x' } } }));
    const checks = await doctor({ cwd: dir, env: {}, nodeVersion: '22.11.0', logs: join(dir, 'logs') });
    const by = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(by['CloudTrail logs']).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('2021/07/24'),
    });
    expect(by.config).toMatchObject({ status: 'fail', detail: expect.stringContaining('databasename') });
    expect(by['Node.js'].status).toBe('ok');
  });
});

describe('irkit doctor, with credentials (real SDK clients on the wire)', () => {
  let wire: AwsWire;
  beforeEach(async () => {
    wire = await startAwsWire();
  });
  afterEach(() => wire.close());
  const clients = () => ({
    sts: new STSClient(wire.clientConfig('sts', { maxAttempts: 1 })),
    cloudFormation: new CloudFormationClient(wire.clientConfig('cloudformation', { maxAttempts: 1 })),
  });

  test('shows the caller and each kit stack: deployed, failed, or not in this Region', async () => {
    wire.on('sts', 'GetCallerIdentity', () =>
      stsXml(
        'GetCallerIdentity',
        '<Arn>arn:aws:sts::777777777777:assumed-role/SecurityAnalystRole/responder</Arn><UserId>AROAEXAMPLE:responder</UserId><Account>777777777777</Account>',
      ),
    );
    wire.on('cloudformation', 'DescribeStacks', (p) => {
      if (p.StackName === 'IrKitAnalytics') {
        return cfnXml(
          'DescribeStacks',
          '<Stacks><member><StackName>IrKitAnalytics</StackName><StackId>arn:aws:cloudformation:us-east-1:777777777777:stack/IrKitAnalytics/1</StackId><CreationTime>2021-07-01T00:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus></member></Stacks>',
        );
      }
      if (p.StackName === 'IrKitAccess') {
        return cfnXml(
          'DescribeStacks',
          '<Stacks><member><StackName>IrKitAccess</StackName><StackId>arn:aws:cloudformation:us-east-1:777777777777:stack/IrKitAccess/1</StackId><CreationTime>2021-07-01T00:00:00Z</CreationTime><StackStatus>UPDATE_ROLLBACK_COMPLETE</StackStatus></member></Stacks>',
        );
      }
      return awsQueryError({
        service: 'cloudformation',
        code: 'ValidationError',
        message: `Stack with id ${p.StackName} does not exist`,
      });
    });
    const checks = await doctor({ cwd: dir, env: {}, nodeVersion: '22.11.0', aws: clients() });
    const by = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(by.caller).toMatchObject({ status: 'ok', detail: expect.stringContaining('SecurityAnalystRole') });
    expect(by['stack IrKitAnalytics']).toMatchObject({ status: 'ok', detail: 'UPDATE_COMPLETE' });
    expect(by['stack IrKitAccess']).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('describe-stack-events'),
    });
    expect(by['stack IrKitAlerts']).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('--region us-east-1'),
    });
  });

  test('says the credentials are the problem when STS refuses them', async () => {
    wire.on('sts', 'GetCallerIdentity', () =>
      awsQueryError({
        service: 'sts',
        code: 'InvalidClientTokenId',
        status: 403,
        message: 'The security token included in the request is invalid.',
      }),
    );
    const checks = await doctor({ cwd: dir, env: {}, nodeVersion: '22.11.0', aws: clients() });
    expect(checks.find((c) => c.name === 'caller')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('InvalidClientTokenId'),
      fix: expect.stringContaining('--profile'),
    });
  });
});

describe('the irkit doctor command', () => {
  test('runs offline from the kit’s folder and exits 0 when nothing fails', async () => {
    const run = await irkit('doctor');
    expect(run.stdout).toMatch(/config: .*database irworkshopgluedatabase/);
    expect(run.stdout).toContain('skip  AWS: offline');
    expect(run.code).toBe(0);
  });
});
