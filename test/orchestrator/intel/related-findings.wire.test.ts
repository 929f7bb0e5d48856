/**
 * GuardDuty and AWS Health through the REAL SDK v3 clients against a local server answering
 * with the bodies their API references document (test/support/aws-wire.ts): GuardDuty's
 * REST-JSON routes and errors, Health's JSON 1.1 and its SubscriptionRequiredException.
 */
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { HealthClient } from '@aws-sdk/client-health';

import {
  RelatedFindingsClients,
  RelatedFindingsQuery,
  fetchRelatedFindings,
} from '../../../orchestrator/intel';
import { AwsWire, jsonError, jsonOk, restJsonError, restJsonOk, startAwsWire } from '../../support/aws-wire';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECOND_KEY = 'AKIAI44QH8DHBEXAMPLE';
const DETECTOR = '12abc34d567e8fa901bc2d34e56789f0';
const EVENT_ARN =
  'arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/AWS_RISK_CREDENTIALS_EXPOSED_EXAMPLE1';

/** A finding as GetFindings returns it (GuardDuty API Reference, "Finding"). */
function finding(id: string, region: string, accessKeyId: string, userName: string, severity: number) {
  return {
    accountId: '777777777777',
    arn: `arn:aws:guardduty:${region}:777777777777:detector/${DETECTOR}/finding/${id}`,
    createdAt: '2021-07-24T02:30:00.000Z',
    id,
    partition: 'aws',
    region,
    resource: {
      accessKeyDetails: { accessKeyId, principalId: 'AIDACKCEVSQ6C2EXAMPLE', userName, userType: 'IAMUser' },
      resourceType: 'AccessKey',
    },
    schemaVersion: '2.0',
    service: {
      archived: false,
      count: 3,
      detectorId: DETECTOR,
      eventFirstSeen: '2021-07-24T02:22:31.000Z',
      eventLastSeen: '2021-07-24T02:22:40.000Z',
      serviceName: 'guardduty',
    },
    severity,
    title: `API GetCallerIdentity was invoked using root credentials <b>${userName}</b>`,
    type: 'Discovery:IAMUser/AnomalousBehavior',
    updatedAt: '2021-07-24T03:00:00.000Z',
  };
}

let wire: AwsWire;
beforeAll(async () => {
  wire = await startAwsWire();
});
afterEach(() => wire.reset());
afterAll(async () => {
  await wire.close();
});

function clients(maxAttempts = 3): RelatedFindingsClients {
  return {
    guardDuty: (region) =>
      new GuardDutyClient({ ...wire.clientConfig('guardduty', { maxAttempts }), region }),
    health: new HealthClient(wire.clientConfig('health', { maxAttempts })),
  };
}

const query = (regions: string[]): RelatedFindingsQuery => ({
  accessKeyIds: [KEY, SECOND_KEY],
  userNames: ['JaneDoe', 'JorgeSouza'],
  since: '2021-07-16T00:00:00.000Z',
  regions,
  now: () => new Date('2021-07-25T00:00:00Z'),
});

function healthRoutes(): void {
  wire.on('health', 'DescribeEvents', () =>
    jsonOk({
      events: [
        {
          arn: EVENT_ARN,
          eventScopeCode: 'ACCOUNT_SPECIFIC',
          eventTypeCategory: 'issue',
          eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED',
          lastUpdatedTime: 1627097000,
          region: 'global',
          service: 'RISK',
          startTime: 1627093000,
          statusCode: 'open',
        },
      ],
    }),
  );
  wire.on('health', 'DescribeAffectedEntities', () =>
    jsonOk({
      entities: [
        { awsAccountId: '777777777777', entityValue: KEY, eventArn: EVENT_ARN, statusCode: 'IMPAIRED' },
      ],
    }),
  );
}

describe('fetchRelatedFindings on the wire', () => {
  test('reads every Region: findings by key and by user, a denied Region, one with no detector, one throttled then answering', async () => {
    const listFindings: Record<string, number> = {};
    wire.on('guardduty', 'ListDetectors', (_p, call) =>
      restJsonOk({ detectorIds: call.region === 'us-west-2' ? [] : [DETECTOR] }),
    );
    wire.on('guardduty', 'ListFindings', (_p, call) => {
      listFindings[call.region] = (listFindings[call.region] ?? 0) + 1;
      if (call.region === 'eu-west-1') {
        return restJsonError({ code: 'AccessDeniedException', message: 'not authorized', status: 403 });
      }
      if (call.region === 'ap-south-1' && listFindings[call.region] === 1) {
        return restJsonError({ code: 'TooManyRequestsException', message: 'Rate exceeded', status: 429 });
      }
      const criterion = (call.json as { findingCriteria: { criterion: Record<string, unknown> } })
        .findingCriteria.criterion;
      return restJsonOk({
        findingIds: 'resource.accessKeyDetails.userName' in criterion ? ['f-user', 'f-key'] : ['f-key'],
      });
    });
    wire.on('guardduty', 'GetFindings', (_p, call) => {
      const ids = (call.json as { findingIds: string[] }).findingIds;
      return restJsonOk({
        findings: ids.map((id) =>
          finding(
            id,
            call.region,
            id === 'f-key' ? KEY : SECOND_KEY,
            id === 'f-key' ? 'JorgeSouza' : 'JaneDoe',
            id === 'f-key' ? 8 : 5,
          ),
        ),
      });
    });
    healthRoutes();

    const related = await fetchRelatedFindings(
      clients(),
      query(['us-east-1', 'eu-west-1', 'us-west-2', 'ap-south-1']),
    );

    expect(related.guardDuty.regions).toEqual([
      { region: 'us-east-1', status: 'checked', detectorIds: [DETECTOR], findings: 2 },
      {
        region: 'eu-west-1',
        status: 'denied',
        detectorIds: [DETECTOR],
        findings: 0,
        error: 'AccessDeniedException: not authorized',
      },
      { region: 'us-west-2', status: 'no detector', detectorIds: [], findings: 0 },
      { region: 'ap-south-1', status: 'checked', detectorIds: [DETECTOR], findings: 2 },
    ]);
    // ap-south-1's first ListFindings was throttled (429) and the SDK retried it.
    expect(wire.callsTo('guardduty', 'ListFindings').filter((c) => c.region === 'ap-south-1')).toHaveLength(
      3,
    );
    expect(related.guardDuty.findings.map((f) => [f.region, f.id, f.severity])).toEqual([
      ['us-east-1', 'f-key', 8],
      ['ap-south-1', 'f-key', 8],
      ['us-east-1', 'f-user', 5],
      ['ap-south-1', 'f-user', 5],
    ]);
    expect(related.guardDuty.findings[0]).toEqual({
      id: 'f-key',
      detectorId: DETECTOR,
      region: 'us-east-1',
      accountId: '777777777777',
      type: 'Discovery:IAMUser/AnomalousBehavior',
      title: 'API GetCallerIdentity was invoked using root credentials <b>JorgeSouza</b>',
      severity: 8,
      createdAt: '2021-07-24T02:30:00.000Z',
      updatedAt: '2021-07-24T03:00:00.000Z',
      eventFirstSeen: '2021-07-24T02:22:31.000Z',
      eventLastSeen: '2021-07-24T02:22:40.000Z',
      count: 3,
      accessKeyId: KEY,
      userName: 'JorgeSouza',
      archived: false,
      consoleUrl:
        'https://console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=f-key',
    });

    // The criteria GuardDuty documents: equals on the key ids, then on the user names, updated since the window began.
    const bodies = wire
      .callsTo('guardduty', 'ListFindings')
      .filter((c) => c.region === 'us-east-1')
      .map((c) => c.json);
    expect(bodies).toEqual(
      [
        {
          detectorId: undefined,
          findingCriteria: {
            criterion: {
              'resource.accessKeyDetails.accessKeyId': { equals: [KEY, SECOND_KEY] },
              updatedAt: { greaterThanOrEqual: Date.parse('2021-07-16T00:00:00Z') },
            },
          },
          maxResults: 50,
        },
        {
          detectorId: undefined,
          findingCriteria: {
            criterion: {
              'resource.accessKeyDetails.userName': { equals: ['JaneDoe', 'JorgeSouza'] },
              updatedAt: { greaterThanOrEqual: Date.parse('2021-07-16T00:00:00Z') },
            },
          },
          maxResults: 50,
        },
      ].map((b) => JSON.parse(JSON.stringify(b))),
    );
    expect(
      wire.callsTo('guardduty', 'ListFindings').filter((c) => c.region === 'us-east-1')[0].params.DetectorId,
    ).toBe(DETECTOR);

    expect(related.health).toEqual({
      status: 'checked',
      events: [
        {
          arn: EVENT_ARN,
          eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED',
          service: 'RISK',
          region: 'global',
          statusCode: 'open',
          startTime: '2021-07-24T02:16:40.000Z',
          lastUpdatedTime: '2021-07-24T03:23:20.000Z',
          affectedEntities: [KEY],
          actorKey: true,
          consoleUrl: `https://health.aws.amazon.com/health/home#/account/event-log?eventID=${encodeURIComponent(EVENT_ARN)}&eventTab=details`,
        },
      ],
    });
    const describe = wire.callsTo('health', 'DescribeEvents')[0];
    expect(describe.region).toBe('us-east-1');
    expect(describe.json).toEqual({
      filter: {
        eventTypeCodes: ['AWS_RISK_CREDENTIALS_EXPOSED'],
        startTimes: [{ from: Date.parse('2021-07-16T00:00:00Z') / 1000 }],
      },
      maxResults: 100,
    });
    expect(related.checkedAt).toBe('2021-07-25T00:00:00.000Z');
  });

  test('an account without Business support: Health says subscription required, GuardDuty is still read', async () => {
    wire.on('guardduty', 'ListDetectors', () => restJsonOk({ detectorIds: [DETECTOR] }));
    wire.on('guardduty', 'ListFindings', () => restJsonOk({ findingIds: [] }));
    wire.on('health', 'DescribeEvents', () =>
      jsonError({
        code: 'SubscriptionRequiredException',
        message: 'AWS Premium Support Subscription is required to use this service.',
      }),
    );
    const related = await fetchRelatedFindings(clients(), query(['us-east-1']));
    expect(related.guardDuty.regions).toEqual([
      { region: 'us-east-1', status: 'checked', detectorIds: [DETECTOR], findings: 0 },
    ]);
    expect(wire.callsTo('guardduty', 'GetFindings')).toHaveLength(0);
    expect(related.health.status).toBe('subscription required');
    expect(related.health.error).toMatch(/Business, Enterprise On-Ramp or Enterprise Support/);
    expect(related.health.events).toEqual([]);
  });

  test('a Region not enabled for the account, and Health denied, are recorded with what AWS said', async () => {
    wire.on('guardduty', 'ListDetectors', (_p, call) =>
      call.region === 'me-south-1'
        ? restJsonError({
            code: 'UnrecognizedClientException',
            message: 'The security token included in the request is invalid.',
            status: 403,
          })
        : restJsonOk({ detectorIds: [] }),
    );
    wire.on('health', 'DescribeEvents', () =>
      jsonError({
        code: 'AccessDeniedException',
        message: 'not authorized to perform: health:DescribeEvents',
        status: 403,
      }),
    );
    const related = await fetchRelatedFindings(clients(1), query(['me-south-1', 'us-east-1']));
    expect(related.guardDuty.regions[0]).toMatchObject({
      region: 'me-south-1',
      status: 'failed',
      error:
        'UnrecognizedClientException: The security token included in the request is invalid. (is the Region enabled for the account?)',
    });
    expect(related.guardDuty.regions[1]).toMatchObject({ region: 'us-east-1', status: 'no detector' });
    expect(related.health).toMatchObject({ status: 'denied', events: [] });
  });

  test('throttling past the SDK’s retries fails that Region only', async () => {
    wire.on('guardduty', 'ListDetectors', (_p, call) =>
      call.region === 'us-east-2'
        ? restJsonError({ code: 'TooManyRequestsException', message: 'Rate exceeded', status: 429 })
        : restJsonOk({ detectorIds: [] }),
    );
    healthRoutes();
    const related = await fetchRelatedFindings(clients(2), query(['us-east-2', 'us-east-1']));
    expect(related.guardDuty.regions.map((r) => r.status)).toEqual(['failed', 'no detector']);
    expect(related.guardDuty.regions[0].error).toBe('TooManyRequestsException: Rate exceeded');
    expect(wire.callsTo('guardduty', 'ListDetectors').filter((c) => c.region === 'us-east-2')).toHaveLength(
      2,
    );
    expect(related.health.events).toHaveLength(1);
  });
});
