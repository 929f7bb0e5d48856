import { AthenaClient, InvalidRequestException, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetUserCommand, IAMClient, NoSuchEntityException, TagUserCommand } from '@aws-sdk/client-iam';
import {
  GetBucketPolicyCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

import {
  AwsWire,
  awsQueryError,
  cfnXml,
  formList,
  iamNoSuchEntity,
  iamXml,
  jsonError,
  jsonOk,
  noContent,
  queryThrottling,
  s3Error,
  s3SlowDown,
  startAwsWire,
  stsXml,
} from './aws-wire';

const USER_XML =
  '<User><Path>/</Path><UserName>JaneDoe</UserName><UserId>AIDAEXAMPLE1234567890</UserId>' +
  '<Arn>arn:aws:iam::111122223333:user/JaneDoe</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate></User>';

let wire: AwsWire;
beforeEach(async () => {
  wire = await startAwsWire();
});
afterEach(async () => {
  await wire.close();
});

/** The rejection of a promise, failing the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

describe('AWS Query protocol (IAM, STS, CloudFormation)', () => {
  test('a success body is parsed by the real IAMClient, and the form params are recorded', async () => {
    wire.on('iam', 'GetUser', () => iamXml('GetUser', USER_XML));
    const iam = new IAMClient(wire.clientConfig('iam'));
    const out = await iam.send(new GetUserCommand({ UserName: 'JaneDoe' }));
    expect(out.User?.Arn).toBe('arn:aws:iam::111122223333:user/JaneDoe');
    expect(wire.calls).toHaveLength(1);
    expect(wire.calls[0]).toMatchObject({
      service: 'iam',
      operation: 'GetUser',
      params: { Action: 'GetUser', Version: '2010-05-08', UserName: 'JaneDoe' },
    });
  });

  test('nested list members are decoded (Tags.member.N.Key)', async () => {
    wire.on('iam', 'TagUser', () => iamXml('TagUser'));
    const iam = new IAMClient(wire.clientConfig('iam'));
    await iam.send(
      new TagUserCommand({
        UserName: 'JaneDoe',
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      }),
    );
    expect(formList(wire.calls[0].params, 'Tags')).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
    ]);
  });

  test('IAM NoSuchEntity: name is the modelled NoSuchEntityException, Code the raw NoSuchEntity', async () => {
    wire.on('iam', 'GetUser', () => iamNoSuchEntity('user', 'x'));
    const iam = new IAMClient(wire.clientConfig('iam'));
    const error = await rejection(iam.send(new GetUserCommand({ UserName: 'x' })));
    expect(error).toBeInstanceOf(NoSuchEntityException);
    expect(error.name).toBe('NoSuchEntityException');
    expect(error.Code).toBe('NoSuchEntity');
    expect(error.message).toBe('The user with name x cannot be found.');
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(404);
  });

  test('CloudFormation ValidationError for a missing stack', async () => {
    wire.on('cloudformation', 'DescribeStacks', (params) =>
      awsQueryError({
        service: 'cloudformation',
        code: 'ValidationError',
        message: `Stack with id ${params.StackName} does not exist`,
      }),
    );
    const cfn = new CloudFormationClient(wire.clientConfig('cloudformation'));
    const error = await rejection(cfn.send(new DescribeStacksCommand({ StackName: 'irkit-contain-x' })));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe('Stack with id irkit-contain-x does not exist');
  });

  test('CloudFormation success body with a stack', async () => {
    wire.on('cloudformation', 'DescribeStacks', () =>
      cfnXml(
        'DescribeStacks',
        '<Stacks><member><StackName>s</StackName><StackStatus>CREATE_COMPLETE</StackStatus>' +
          '<CreationTime>2024-01-01T00:00:00Z</CreationTime></member></Stacks>',
      ),
    );
    const cfn = new CloudFormationClient(wire.clientConfig('cloudformation'));
    const out = await cfn.send(new DescribeStacksCommand({ StackName: 's' }));
    expect(out.Stacks?.[0].StackStatus).toBe('CREATE_COMPLETE');
  });

  test('STS GetCallerIdentity', async () => {
    wire.on('sts', 'GetCallerIdentity', () =>
      stsXml(
        'GetCallerIdentity',
        '<Arn>arn:aws:iam::111122223333:user/ir</Arn><UserId>AIDA</UserId><Account>111122223333</Account>',
      ),
    );
    const sts = new STSClient(wire.clientConfig('sts'));
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('111122223333');
  });

  test('throttling on the first answer is retried by the SDK (maxAttempts 3)', async () => {
    wire.once('iam', 'GetUser', () => queryThrottling('iam'));
    wire.on('iam', 'GetUser', () => iamXml('GetUser', USER_XML));
    const iam = new IAMClient(wire.clientConfig('iam', { maxAttempts: 3 }));
    const out = await iam.send(new GetUserCommand({ UserName: 'JaneDoe' }));
    expect(out.User?.UserName).toBe('JaneDoe');
    expect(wire.callsTo('iam', 'GetUser')).toHaveLength(2);
    expect(out.$metadata.attempts).toBe(2);
  });

  test('throttling surfaces with maxAttempts 1', async () => {
    wire.once('iam', 'GetUser', () => queryThrottling('iam'));
    wire.on('iam', 'GetUser', () => iamXml('GetUser', USER_XML));
    const iam = new IAMClient(wire.clientConfig('iam', { maxAttempts: 1 }));
    const error = await rejection(iam.send(new GetUserCommand({ UserName: 'JaneDoe' })));
    expect(error.name).toBe('Throttling');
    expect(wire.callsTo('iam', 'GetUser')).toHaveLength(1);
  });
});

describe('S3 (REST-XML, path-style)', () => {
  test('GetBucketPolicy answers the raw policy JSON; the route is method + path + ?policy', async () => {
    const policy = '{"Version":"2012-10-17","Statement":[]}';
    wire.on('s3', 'GetBucketPolicy', () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: policy,
    }));
    const s3 = new S3Client(wire.clientConfig('s3'));
    const out = await s3.send(new GetBucketPolicyCommand({ Bucket: 'bkt' }));
    expect(out.Policy).toBe(policy);
    expect(wire.calls[0]).toMatchObject({
      method: 'GET',
      path: '/bkt/',
      params: { Bucket: 'bkt', policy: '' },
    });
  });

  test('PutBucketPolicy sends the policy as the body', async () => {
    wire.on('s3', 'PutBucketPolicy', () => noContent());
    const s3 = new S3Client(wire.clientConfig('s3'));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'bkt', Policy: '{"a":1}' }));
    expect(wire.calls[0]).toMatchObject({ method: 'PUT', operation: 'PutBucketPolicy', body: '{"a":1}' });
  });

  test('NoSuchBucketPolicy: name and Code are both NoSuchBucketPolicy', async () => {
    wire.on('s3', 'GetBucketPolicy', (params) =>
      s3Error({
        code: 'NoSuchBucketPolicy',
        message: 'The bucket policy does not exist',
        status: 404,
        bucket: params.Bucket,
      }),
    );
    const s3 = new S3Client(wire.clientConfig('s3'));
    const error = await rejection(s3.send(new GetBucketPolicyCommand({ Bucket: 'bkt' })));
    expect(error.name).toBe('NoSuchBucketPolicy');
    expect(error.Code).toBe('NoSuchBucketPolicy');
    expect(error.message).toBe('The bucket policy does not exist');
  });

  test('HEAD errors have no body, so the SDK names them by status (NotFound)', async () => {
    wire.on('s3', 'HeadBucket', () =>
      s3Error({ code: 'NoSuchBucket', message: 'The specified bucket does not exist', status: 404 }),
    );
    const s3 = new S3Client(wire.clientConfig('s3'));
    const error = await rejection(s3.send(new HeadBucketCommand({ Bucket: 'gone' })));
    expect(error.name).toBe('NotFound');
  });

  test('SlowDown (503) is retried, and surfaces with maxAttempts 1', async () => {
    const policy = '{"Statement":[]}';
    wire.once('s3', 'GetBucketPolicy', () => s3SlowDown());
    wire.on('s3', 'GetBucketPolicy', () => ({ status: 200, body: policy }));
    const retried = new S3Client(wire.clientConfig('s3'));
    expect((await retried.send(new GetBucketPolicyCommand({ Bucket: 'bkt' }))).Policy).toBe(policy);
    expect(wire.calls).toHaveLength(2);

    wire.once('s3', 'GetBucketPolicy', () => s3SlowDown());
    const single = new S3Client(wire.clientConfig('s3', { maxAttempts: 1 }));
    const error = await rejection(single.send(new GetBucketPolicyCommand({ Bucket: 'bkt' })));
    expect(error.name).toBe('SlowDown');
  });
});

describe('AWS JSON protocol (Athena)', () => {
  test('routes by X-Amz-Target; a __type error is the modelled exception', async () => {
    wire.once('athena', 'StartQueryExecution', () =>
      jsonError({ code: 'InvalidRequestException', message: 'WorkGroup irkit is not found.' }),
    );
    wire.on('athena', 'StartQueryExecution', () => jsonOk({ QueryExecutionId: 'q-1' }));
    const athena = new AthenaClient(wire.clientConfig('athena'));
    const input = { QueryString: 'SELECT 1', WorkGroup: 'irkit' };
    const error = await rejection(athena.send(new StartQueryExecutionCommand(input)));
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toBe('WorkGroup irkit is not found.');
    expect((await athena.send(new StartQueryExecutionCommand(input))).QueryExecutionId).toBe('q-1');
    expect(wire.calls[0]).toMatchObject({ service: 'athena', params: { QueryString: 'SELECT 1' } });
  });
});

describe('unrouted requests', () => {
  test('answer a 500 naming the service and operation, and close() rejects', async () => {
    const iam = new IAMClient(wire.clientConfig('iam', { maxAttempts: 1 }));
    const error = await rejection(iam.send(new GetUserCommand({ UserName: 'x' })));
    expect(error.message).toContain('aws-wire: no route for iam GetUser');
    await expect(wire.close()).rejects.toThrow(
      'requests without a route (add wire.on(...) for them): iam GetUser',
    );
    // Already closed; the afterEach close must not fail again on the same server.
    wire = await startAwsWire();
  });

  test('an S3 request without a route names the S3 operation', async () => {
    const s3 = new S3Client(wire.clientConfig('s3', { maxAttempts: 1 }));
    const error = await rejection(s3.send(new GetBucketPolicyCommand({ Bucket: 'bkt' })));
    expect(error.message).toContain('aws-wire: no route for s3 GetBucketPolicy');
    await wire.close({ allowUnrouted: true });
    wire = await startAwsWire();
  });
});
