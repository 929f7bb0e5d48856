import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { parseIpRanges, parseTorExitList } from '../../../orchestrator/intel';
import { INVESTIGATION_FORMAT_VERSION, enrichResult, investigate } from '../../../orchestrator/investigate';
import { ACCOUNT, FakeEngine, T, by, eventId, userIdentity } from './fake-engine';

/** docs/investigation-format.md documents every field a result can hold, in the document's order. */

const DOC = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'investigation-format.md'), 'utf8');
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const IP = '198.51.100.77';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'intel');

/**
 * A result with the optional fields filled: keys minted and deleted, a protected role, flows,
 * notes, the addresses classified and related findings read.
 */
async function richResult() {
  const intel = {
    ipRanges: parseIpRanges(
      readFileSync(path.join(FIXTURES, 'ip-ranges.sample.json'), 'utf8'),
      'ip-ranges.json',
    ),
    torExits: parseTorExitList('203.0.113.66\n', 'tor.txt'),
  };
  return enrichResult(await investigated(), {
    intel,
    related: {
      checkedAt: '2021-07-25T00:00:00.000Z',
      accessKeyIds: [KEY],
      userNames: ['JorgeSouza'],
      since: '2021-07-16T00:00:00.000Z',
      guardDuty: {
        regions: [
          { region: 'us-east-1', status: 'checked', detectorIds: ['d1'], findings: 1 },
          {
            region: 'eu-west-1',
            status: 'denied',
            detectorIds: [],
            findings: 0,
            error: 'AccessDeniedException: x',
          },
        ],
        findings: [
          {
            id: 'f1',
            detectorId: 'd1',
            region: 'us-east-1',
            accountId: ACCOUNT,
            type: 'Recon:IAMUser/MaliciousIPCaller',
            title: 'x',
            severity: 5,
            createdAt: T(1),
            updatedAt: T(2),
            eventFirstSeen: T(1),
            eventLastSeen: T(2),
            count: 1,
            accessKeyId: KEY,
            userName: 'JorgeSouza',
            archived: false,
            consoleUrl:
              'https://console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=f1',
          },
        ],
      },
      health: {
        status: 'failed',
        error: 'x',
        events: [
          {
            arn: 'arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/E1',
            eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED',
            service: 'RISK',
            region: 'global',
            statusCode: 'open',
            startTime: T(1),
            lastUpdatedTime: T(2),
            affectedEntities: [KEY],
            actorKey: true,
            consoleUrl: 'https://health.aws.amazon.com/health/home#/account/event-log?eventID=E1',
          },
        ],
      },
    },
  });
}

async function investigated() {
  const engine = new FakeEngine({
    'key-first-last-seen': by('accessKeyId', {
      [KEY]: [userIdentity('JorgeSouza', KEY)],
      ASIAIOSFODNN7BREAKG1: [
        {
          ...userIdentity('x', 'ASIAIOSFODNN7BREAKG1'),
          identity_type: 'AssumedRole',
          identity_arn: `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityBreakGlassRole/x`,
          user_name: null,
        },
      ],
    }),
    'key-api-activity': by('accessKeyId', {
      [KEY]: [
        {
          awsregion: 'us-east-1',
          eventsource: 'iam.amazonaws.com',
          eventname: 'CreateUser',
          readonly: 'false',
          count: 1,
        },
      ],
    }),
    'key-source-ips': by('accessKeyId', {
      [KEY]: [{ sourceipaddress: IP, useragent: 'aws-cli/2.2.1', count: 1 }],
    }),
    'key-principals-created': by('accessKeyId', {
      [KEY]: [
        {
          eventtime: T(1),
          eventname: 'CreateUser',
          principal_type: 'user',
          principal_name: 'JaneDoe',
          eventid: eventId(),
        },
        {
          eventtime: T(2),
          eventname: 'AttachUserPolicy',
          principal_type: 'user',
          principal_name: 'JaneDoe',
          policy_or_group: 'arn:aws:iam::aws:policy/AdministratorAccess',
          eventid: eventId(),
        },
      ],
    }),
    'key-sessions-minted': by('accessKeyId', {
      [KEY]: [
        {
          eventtime: T(3),
          eventname: 'AssumeRole',
          role_arn: `arn:aws:iam::${ACCOUNT}:role/SecurityBreakGlassRole`,
          session_key_id: 'ASIAIOSFODNN7BREAKG1',
          sourceipaddress: IP,
          eventid: eventId(),
        },
      ],
    }),
    'key-resource-activity': by('accessKeyId', {
      [KEY]: [
        {
          eventtime: T(1),
          awsregion: 'us-east-1',
          eventsource: 'iam.amazonaws.com',
          eventname: 'CreateUser',
          action: 'created',
          resource_name: 'JaneDoe',
          eventid: 'e1',
        },
      ],
    }),
    'key-change-details': by('accessKeyId', {
      [KEY]: [
        {
          eventtime: T(1),
          awsregion: 'us-east-1',
          eventsource: 'iam.amazonaws.com',
          eventname: 'CreateUser',
          requestparameters: '{"userName":"JaneDoe"}',
          responseelements: 'null',
          recipientaccountid: ACCOUNT,
          sourceipaddress: IP,
          eventid: 'e1',
        },
      ],
    }),
    'key-denied-calls': by('accessKeyId', {
      [KEY]: [
        {
          awsregion: 'us-east-1',
          eventsource: 's3.amazonaws.com',
          eventname: 'GetObject',
          errorcode: 'AccessDenied',
          count: 1,
          first_seen: T(4),
          last_seen: T(4),
        },
      ],
    }),
    'user-first-last-seen': by('userName', { JaneDoe: [userIdentity('JaneDoe', 'AKIAI44QH8DHBEXAMPLE')] }),
    'user-console-logins': by('userName', {
      JaneDoe: [
        {
          eventtime: T(9),
          awsregion: 'us-east-1',
          sourceipaddress: IP,
          login_result: 'Success',
          mfa_used: 'No',
          eventid: eventId(),
        },
      ],
    }),
    'ip-activity': () => [
      {
        sourceipaddress: IP,
        identity_type: 'IAMUser',
        identity_arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
        user_name: 'mallory',
        access_key_id: 'AKIAIOSFODNN7MALLORY',
        eventsource: 's3.amazonaws.com',
        eventname: 'ListBuckets',
        count: 1,
        first_seen: T(5),
        last_seen: T(5),
      },
    ],
    'ip-network-activity': () => [
      {
        sourceaddress: IP,
        destinationaddress: '10.0.1.25',
        destinationport: 22,
        protocol: 6,
        action: 'ACCEPT',
        count: 1,
        bytes: 60,
        first_start: 1627093800,
        last_end: 1627093860,
      },
    ],
  });
  return investigate(
    engine,
    { kind: 'accessKey', accessKeyId: KEY },
    { from: '2021/07/16', to: '2021/07/24' },
    { incidentId: 'IR-1' },
  );
}

function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, into));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysOf(v, into);
    }
  }
  return into;
}

test('every field of a result is documented', async () => {
  const result = JSON.parse(JSON.stringify(await richResult())) as Record<string, unknown>;
  const undocumented = [...keysOf(result)].filter(
    (k) => !DOC.includes(`\`${k}\``) && !DOC.includes(`"${k}"`),
  );
  expect(undocumented).toEqual([]);
});

test('the top-level table lists the fields in the document’s order, and the version', async () => {
  const result = await richResult();
  const table = DOC.slice(DOC.indexOf('## Top level'), DOC.indexOf('### `summary`'));
  const documented = [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
  expect(documented).toEqual(Object.keys(result));
  expect(DOC).toContain(`\`formatVersion\` is \`${INVESTIGATION_FORMAT_VERSION}\``);
});
