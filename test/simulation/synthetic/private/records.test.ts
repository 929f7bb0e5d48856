import {
  RECORD_KEY_ORDER,
  RecordSpec,
  recordJson,
  tls,
} from '../../../../simulation/synthetic/private/records';

const identity = { type: 'IAMUser', principalId: 'AIDAJ45Q7YFFAREXAMPLE', userName: 'JorgeSouza' } as const;

/** What JSON.stringify gives for the record object built in CloudTrail's key order. */
function reference(
  spec: Omit<RecordSpec, 'userIdentity'>,
  requestID: string | undefined,
  eventID: string,
): string {
  const values: Record<string, unknown> = {
    ...spec,
    eventVersion: '1.08',
    userIdentity: identity,
    requestID,
    eventID,
  };
  return JSON.stringify(Object.fromEntries(RECORD_KEY_ORDER.map((k) => [k, values[k]])));
}

const minimal: Omit<RecordSpec, 'userIdentity'> = {
  eventTime: '2021-07-24T02:22:31Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'GetCallerIdentity',
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.77',
  userAgent: 'aws-cli/2.2.1 "quoted" \\ agent',
  requestParameters: null,
  responseElements: null,
  readOnly: true,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '777777777777',
  eventCategory: 'Management',
};

describe('recordJson', () => {
  it('writes what JSON.stringify of the ordered record writes, leaving absent fields out', () => {
    const json = recordJson(minimal, JSON.stringify(identity), 'req-1', 'evt-1');
    expect(json).toBe(reference(minimal, 'req-1', 'evt-1'));
    expect(Object.keys(JSON.parse(json))).not.toContain('errorCode');
  });

  it('writes every optional field in CloudTrail order', () => {
    const full: Omit<RecordSpec, 'userIdentity'> = {
      ...minimal,
      errorCode: 'AccessDenied',
      errorMessage: 'User: x is not authorized',
      requestParameters: { userName: 'JaneDoe', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      responseElements: { a: { b: [1, 2] } },
      additionalEventData: { SignatureVersion: 'SigV4' },
      resources: [
        { accountId: '777777777777', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET' },
      ],
      apiVersion: '2015-03-31',
      serviceEventDetails: { keyId: 'k' },
      sharedEventID: 'shared',
      vpcEndpointId: 'vpce-0123',
      eventCategory: 'Data',
      managementEvent: false,
      readOnly: false,
      tlsDetails: tls('iam.amazonaws.com'),
      sessionCredentialFromConsole: 'true',
    };
    const json = recordJson(full, JSON.stringify(identity), undefined, 'evt-2');
    expect(json).toBe(reference(full, undefined, 'evt-2'));
    expect(Object.keys(JSON.parse(json))).toEqual(RECORD_KEY_ORDER.filter((k) => k !== 'requestID'));
  });
});
