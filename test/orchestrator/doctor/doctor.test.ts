import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GlueClient } from '@aws-sdk/client-glue';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { IrKitError } from '../../../lib/errors';
import { DoctorAws, doctor } from '../../../orchestrator/doctor/doctor';
import {
  awsQueryError,
  AwsWire,
  cfnXml,
  jsonError,
  jsonOk,
  s3Xml,
  startAwsWire,
  stsXml,
  WireResponse,
  xmlEscape,
} from '../../support/aws-wire';
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
  const TARGET = { region: 'us-east-1', regionSource: '--region' } as const;
  const WINDOW = { from: '2021/07/22', to: '2021/07/24' };
  const TOPIC = 'arn:aws:sns:us-east-1:777777777777:IrKitAlerts-AlertsTopic';
  const TEMPLATE =
    's3://DOC-EXAMPLE-BUCKET/trail/AWSLogs/${account_partition}/CloudTrail/${region_partition}/${date_partition}';
  const clients = (endpoint?: string): DoctorAws => {
    const config = (service: string) => ({
      ...wire.clientConfig(service, { maxAttempts: 1 }),
      ...(endpoint ? { endpoint } : {}),
    });
    return {
      target: TARGET,
      sts: new STSClient(config('sts')),
      cloudFormation: new CloudFormationClient(config('cloudformation')),
      athena: new AthenaClient(config('athena')),
      glue: new GlueClient(config('glue')),
      s3: new S3Client({ ...config('s3'), forcePathStyle: true }),
      alerts: {
        cloudFormation: new CloudFormationClient(config('cloudformation')),
        sns: new SNSClient(config('sns')),
      },
      iamWith: (credentials) => new IAMClient({ ...config('iam'), credentials }),
    };
  };
  const stack = (name: string, status: string, outputs = '') =>
    cfnXml(
      'DescribeStacks',
      `<Stacks><member><StackName>${name}</StackName><StackId>arn:aws:cloudformation:us-east-1:777777777777:stack/${name}/1</StackId><CreationTime>2021-07-01T00:00:00Z</CreationTime><StackStatus>${status}</StackStatus>${outputs}</member></Stacks>`,
    );
  const snsXml = (subscriptions: string): WireResponse => ({
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body:
      '<ListSubscriptionsByTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListSubscriptionsByTopicResult>' +
      `<Subscriptions>${subscriptions}</Subscriptions></ListSubscriptionsByTopicResult>` +
      '<ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000001</RequestId></ResponseMetadata></ListSubscriptionsByTopicResponse>',
  });
  const subscription = (endpoint: string, arn: string) =>
    `<member><TopicArn>${TOPIC}</TopicArn><Protocol>email</Protocol><SubscriptionArn>${arn}</SubscriptionArn><Owner>777777777777</Owner><Endpoint>${endpoint}</Endpoint></member>`;

  function deployedKit(): void {
    wire.on('sts', 'GetCallerIdentity', () =>
      stsXml(
        'GetCallerIdentity',
        '<Arn>arn:aws:sts::777777777777:assumed-role/SecurityAnalystRole/responder</Arn><UserId>AROAEXAMPLE:responder</UserId><Account>777777777777</Account>',
      ),
    );
    wire.on('cloudformation', 'DescribeStacks', (p) => {
      if (p.StackName === 'IrKitAnalytics') return stack('IrKitAnalytics', 'UPDATE_COMPLETE');
      if (p.StackName === 'IrKitAccess') return stack('IrKitAccess', 'UPDATE_ROLLBACK_COMPLETE');
      return stack(
        'IrKitAlerts',
        'CREATE_COMPLETE',
        `<Outputs><member><OutputKey>AlertsTopicArn</OutputKey><OutputValue>${TOPIC}</OutputValue></member></Outputs>`,
      );
    });
    wire.on('athena', 'GetWorkGroup', (_p, call) =>
      jsonOk({
        WorkGroup: {
          Name: (call.json as { WorkGroup: string }).WorkGroup,
          State: 'ENABLED',
          Configuration: { EngineVersion: { EffectiveEngineVersion: 'Athena engine version 3' } },
        },
      }),
    );
    wire.on('glue', 'GetTable', (_p, call) => {
      const { Name } = call.json as { Name: string };
      const cloudTrail = Name === 'irworkshopgluetablecloudtrail';
      return jsonOk({
        Table: {
          Name,
          DatabaseName: 'irworkshopgluedatabase',
          Parameters: {
            'projection.enabled': 'true',
            'projection.date_partition.range': cloudTrail ? '2021/07/23,NOW' : '2020/01/01,NOW',
            'storage.location.template': cloudTrail ? TEMPLATE : 's3://DOC-EXAMPLE-BUCKET/flows',
          },
        },
      });
    });
    wire.on('s3', 'ListObjectsV2', (p) => {
      const found = !p.prefix.includes('2021/07/23');
      return s3Xml(
        'ListBucketResult',
        `<Name>${p.Bucket}</Name><Prefix>${xmlEscape(p.prefix)}</Prefix><KeyCount>${found ? 1 : 0}</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated>` +
          (found
            ? `<Contents><Key>${xmlEscape(p.prefix)}777777777777_CloudTrail_us-east-1_x.json.gz</Key><Size>1</Size></Contents>`
            : ''),
      );
    });
    wire.on('sns', 'ListSubscriptionsByTopic', () =>
      snsXml(
        subscription('security@example.com', `${TOPIC}:0d2a8c1e-0000-4000-8000-000000000001`) +
          subscription('oncall@example.com', 'PendingConfirmation'),
      ),
    );
  }

  test('checks the profile and Region, caller, stacks, workgroup, tables against the window, log objects and subscriptions', async () => {
    deployedKit();
    const checks = await doctor({
      cwd: dir,
      env: {},
      nodeVersion: '22.11.0',
      aws: clients(),
      window: WINDOW,
    });
    const by = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(by['profile and Region']).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('Region us-east-1 (from --region)'),
    });
    expect(by.caller).toMatchObject({ status: 'ok', detail: expect.stringContaining('SecurityAnalystRole') });
    expect(by['stack IrKitAnalytics']).toMatchObject({ status: 'ok', detail: 'UPDATE_COMPLETE (us-east-1)' });
    expect(by['stack IrKitAccess']).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('describe-stack-events'),
    });
    expect(by['workgroup IRWorkshopWorkgroup']).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('engine version 3'),
    });
    expect(by['table irworkshopgluedatabase.irworkshopgluetablecloudtrail']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining("starts 2021/07/23, after the window's first day 2021/07/22"),
      fix: expect.stringContaining('projectionStartDate to 2021/07/22 or earlier'),
    });
    expect(by['table irworkshopgluedatabase.irworkshopgluetablevpcflow']).toMatchObject({ status: 'ok' });
    expect(by['CloudTrail objects']).toMatchObject({
      status: 'warn',
      detail:
        '1 of 3 days have no objects under s3://DOC-EXAMPLE-BUCKET/trail/AWSLogs/777777777777/CloudTrail/us-east-1/YYYY/MM/DD/: 2021/07/23',
    });
    expect(wire.callsTo('s3', 'ListObjectsV2').map((c) => c.params.prefix)).toEqual([
      'trail/AWSLogs/777777777777/CloudTrail/us-east-1/2021/07/22/',
      'trail/AWSLogs/777777777777/CloudTrail/us-east-1/2021/07/23/',
      'trail/AWSLogs/777777777777/CloudTrail/us-east-1/2021/07/24/',
    ]);
    expect(by['alert subscriptions']).toMatchObject({
      status: 'warn',
      detail: '1 confirmed; not confirmed: email oncall@example.com',
      fix: expect.stringContaining('Subscription Confirmation'),
    });
    expect(wire.callsTo('sns', 'ListSubscriptionsByTopic')[0].params.TopicArn).toBe(TOPIC);
  });

  test('names a missing workgroup and table, and a topic nobody is subscribed to, each with what to do', async () => {
    deployedKit();
    wire.on('athena', 'GetWorkGroup', () =>
      jsonError({ code: 'InvalidRequestException', message: 'WorkGroup IRWorkshopWorkgroup is not found.' }),
    );
    wire.on('glue', 'GetTable', () =>
      jsonError({
        code: 'EntityNotFoundException',
        message: 'Table irworkshopgluetablecloudtrail not found.',
      }),
    );
    wire.on('sns', 'ListSubscriptionsByTopic', () => snsXml(''));
    const checks = await doctor({
      cwd: dir,
      env: {},
      nodeVersion: '22.11.0',
      aws: clients(),
      window: WINDOW,
    });
    const by = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(by['workgroup IRWorkshopWorkgroup']).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('npx cdk deploy IrKitAnalytics'),
    });
    expect(by['table irworkshopgluedatabase.irworkshopgluetablecloudtrail']).toMatchObject({
      status: 'fail',
      detail: 'not found in this account and Region',
    });
    expect(by['CloudTrail objects'].status).toBe('skip');
    expect(by['alert subscriptions']).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('alertEmails'),
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
    const checks = await doctor({
      cwd: dir,
      env: {},
      nodeVersion: '22.11.0',
      aws: clients(),
      window: WINDOW,
    });
    expect(checks.find((c) => c.name === 'caller')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('InvalidClientTokenId'),
      fix: expect.stringContaining('--profile'),
    });
  });

  test('says AWS was never reached when nothing answers, instead of a refusal', async () => {
    // A port nothing listens on: the connection is refused before any service sees the call.
    const closed = await startAwsWire();
    const endpoint = closed.endpoint;
    await closed.close();
    const checks = await doctor({
      cwd: dir,
      env: {},
      nodeVersion: '22.11.0',
      aws: clients(endpoint),
      window: WINDOW,
    });
    expect(checks.find((c) => c.name === 'caller')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^sts:GetCallerIdentity was not sent: AWS could not be reached/),
      fix: expect.stringContaining('network'),
    });
  });

  test('a profile or Region problem is a failed check, and nothing is called', async () => {
    const checks = await doctor({
      cwd: dir,
      env: {},
      nodeVersion: '22.11.0',
      aws: new IrKitError('IRKIT_CONFIG', 'no AWS Region: none given', { hint: 'give --region' }),
      window: WINDOW,
    });
    expect(checks.find((c) => c.name === 'profile and Region')).toMatchObject({
      status: 'fail',
      fix: 'give --region',
    });
    expect(wire.calls).toHaveLength(0);
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
