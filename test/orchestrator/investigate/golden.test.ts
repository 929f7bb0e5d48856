import { parsePlan } from '../../../orchestrator/contain/plan';
import {
  InvestigationResult,
  investigate,
  renderJson,
  renderMarkdown,
  renderTable,
} from '../../../orchestrator/investigate';
import { SCENARIO } from '../../../simulation/synthetic';
import { Incident, writeIncident } from './helpers';

/**
 * The playbook's incident, investigated from the exposed key alone on the local engine:
 * everything the playbook's Part 2 to 4 find by hand must come out of one call.
 */

const WINDOW = SCENARIO.window;
const PROBES = [
  'ListRoles',
  'DescribeDestinations',
  'ListKeys',
  'ListFunctions20150331',
  'ListBuckets',
  'ListSecrets',
  'ListAliases',
  'DescribeInstances',
];

describe('GIVEN the playbook incident in 3,000 background events', () => {
  let incident: Incident;
  let result: InvestigationResult;

  beforeAll(async () => {
    incident = await writeIncident();
    result = await investigate(
      incident.engine,
      { kind: 'accessKey', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
      WINDOW,
      { incidentId: 'IR-2021-0724', now: () => new Date('2021-07-26T00:00:00Z') },
    );
  });

  afterAll(async () => {
    await incident.close();
  });

  test('names JorgeSouza as the exposed key’s user and JaneDoe as created by it, with their keys', () => {
    const actors = result.principals.filter((p) => p.actor);
    expect(actors.map((p) => [p.kind, p.name, p.account])).toEqual([
      ['IAMUser', 'JorgeSouza', '777777777777'],
      ['IAMUser', 'JaneDoe', '777777777777'],
    ]);
    const [jorge, jane] = actors;
    expect(jorge.reached.map((r) => r.how)).toEqual(['exposed key']);
    expect(jorge.accessKeys.map((k) => k.accessKeyId)).toEqual(['AKIAIOSFODNN7EXAMPLE']);
    expect(jorge.events).toBe(4);
    expect(jane.reached[0]).toMatchObject({
      how: 'CreateUser',
      from: 'JorgeSouza',
      viaAccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      event: { eventName: 'CreateUser', eventTime: '2021-07-24T02:22:32Z' },
    });
    expect(jane.accessKeys).toEqual([
      expect.objectContaining({
        accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
        type: 'long-term',
        origin: 'CreateAccessKey',
      }),
    ]);
    expect(jane.policies.map((c) => c.policy)).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    expect(jane.events).toBe(12);
  });

  test('gives each principal the playbook’s API-call and source IP tables', () => {
    const jorge = result.principals[0];
    expect(jorge.apiCalls.map((c) => [c.eventName, c.readOnly, c.count]).sort()).toEqual(
      [
        ['AttachUserPolicy', false, 1],
        ['CreateAccessKey', false, 1],
        ['CreateUser', false, 1],
        ['GetCallerIdentity', true, 1],
      ].sort(),
    );
    expect(jorge.sourceIps).toEqual([{ value: '198.51.100.77', count: 4 }]);
    const jane = result.principals[1];
    expect(jane.apiCalls.find((c) => c.eventName === 'GetCallerIdentity')?.count).toBe(2);
    expect(jane.sourceIps).toEqual([
      { value: '198.51.100.77', count: 11 },
      { value: '72.21.198.71', count: 1 },
    ]);
    expect(jane.userAgents.map((u) => u.value)).toContain(
      '[aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/s3api.put-object]',
    );
  });

  test('finds DOC-EXAMPLE-BUCKET created and object stuff written by JaneDoe, and what JorgeSouza changed', () => {
    const changes = result.resources
      .filter((r) => r.action !== 'probed')
      .map((r) => [r.action, r.type, r.name, r.by, r.eventName, r.eventTime]);
    expect(changes).toEqual([
      ['created', 'AWS::IAM::User', 'JaneDoe', 'JorgeSouza', 'CreateUser', '2021-07-24T02:22:32Z'],
      ['modified', 'AWS::IAM::User', 'JaneDoe', 'JorgeSouza', 'AttachUserPolicy', '2021-07-24T02:22:33Z'],
      [
        'created',
        'AWS::IAM::AccessKey',
        'AKIAI44QH8DHBEXAMPLE',
        'JorgeSouza',
        'CreateAccessKey',
        '2021-07-24T02:22:34Z',
      ],
      ['created', 'AWS::S3::Bucket', 'DOC-EXAMPLE-BUCKET', 'JaneDoe', 'CreateBucket', '2021-07-24T02:22:56Z'],
      [
        'created',
        'AWS::S3::Object',
        'DOC-EXAMPLE-BUCKET/stuff',
        'JaneDoe',
        'PutObject',
        '2021-07-24T02:22:57Z',
      ],
    ]);
    expect(result.resources.every((r) => r.eventId && r.account === '777777777777')).toBe(true);
  });

  test('lists the eight probing calls of JaneDoe', () => {
    const probes = result.resources.filter((r) => r.action === 'probed' && r.by === 'JaneDoe');
    expect(
      probes
        .map((r) => r.eventName)
        .filter((n) => n !== 'GetCallerIdentity')
        .sort(),
    ).toEqual([...PROBES].sort());
  });

  test('reports 198.51.100.77 and 72.21.198.71, nobody else acting from them, and no flow log traffic', () => {
    expect(result.sourceIps.map((s) => [s.address, s.events, s.principals])).toEqual([
      ['198.51.100.77', 15, ['JorgeSouza', 'JaneDoe']],
      ['72.21.198.71', 1, ['JaneDoe']],
    ]);
    expect(result.sourceIps.every((s) => s.others.length === 0)).toBe(true);
    expect(result.network).toMatchObject({
      addresses: ['198.51.100.77', '72.21.198.71'],
      flows: [],
      records: 0,
    });
  });

  test('plans what the playbook’s Part 4 does by hand: both users with their keys, and the bucket', () => {
    const plan = result.containmentPlan;
    expect(plan).toMatchObject({ formatVersion: 1, incidentId: 'IR-2021-0724', accountId: '777777777777' });
    expect(plan.steps.map((s) => [s.kind, s.name, s.kind === 'user' ? s.accessKeyIds : []])).toEqual([
      ['user', 'JorgeSouza', ['AKIAIOSFODNN7EXAMPLE']],
      ['user', 'JaneDoe', ['AKIAI44QH8DHBEXAMPLE']],
      ['bucket', 'DOC-EXAMPLE-BUCKET', []],
    ]);
    const [, jane, bucket] = plan.steps;
    expect(jane.evidence.map((e) => e.eventName)).toEqual([
      'CreateUser',
      'CreateAccessKey',
      'AttachUserPolicy',
    ]);
    expect(bucket.evidence.map((e) => [e.eventName, e.actor])).toEqual([
      ['CreateBucket', 'JaneDoe'],
      ['PutObject', 'JaneDoe'],
    ]);
    expect(result.otherAccountPlans).toEqual([]);
    expect(result.excluded).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  test('the JSON document is what `irkit contain --plan` reads', () => {
    const json = renderJson(result);
    expect(JSON.parse(json)).toMatchObject({ formatVersion: 1, found: true });
    expect(parsePlan(json, 'result.json')).toEqual(result.containmentPlan);
  });

  test('answers the playbook’s Part 3 questions from the data', () => {
    const byNumber = Object.fromEntries(result.impact.map((q) => [q.number, q]));
    expect(result.impact).toHaveLength(9);
    expect(byNumber[4].facts).toEqual([
      'The IAM user JaneDoe was created by JorgeSouza with AdministratorAccess attached and access key AKIAI44QH8DHBEXAMPLE.',
      'The S3 bucket DOC-EXAMPLE-BUCKET was created by JaneDoe and object(s) stuff placed in it.',
    ]);
    expect(byNumber[5].answer).toMatch(/^None/);
    expect(byNumber[9].answer).toMatch(/^Yes, possible/);
    expect(byNumber[9].facts.join('\n')).toContain('DOC-EXAMPLE-BUCKET/stuff');
    const markdown = renderMarkdown(result);
    expect(markdown).toContain('## Part 3: Analysis - Impact');
    expect(markdown).toContain('4. What AWS service configurations have been changed?');
    expect(markdown).toContain(
      'The IAM user `JorgeSouza` (access key `AKIAIOSFODNN7EXAMPLE`) was the initial compromise vector.',
    );
    expect(markdown).toContain('- IAM User: `JaneDoe` and IAM Access Key ID: `AKIAI44QH8DHBEXAMPLE`');
    expect(markdown).toContain('- S3 Bucket: `DOC-EXAMPLE-BUCKET`');
    const table = renderTable(result);
    expect(table).toContain('Containment plan for account 777777777777');
    expect(table).toMatch(/JaneDoe \(keys AKIAI44QH8DHBEXAMPLE\)\s+\|\s+deny-all \+ deactivate keys/);
  });

  test('WHEN started from the user JaneDoe THEN its own activity is the whole investigation', async () => {
    const fromUser = await investigate(incident.engine, { kind: 'user', userName: 'JaneDoe' }, WINDOW);
    expect(fromUser.principals.filter((p) => p.actor).map((p) => p.name)).toEqual(['JaneDoe']);
    expect(fromUser.containmentPlan.steps.map((s) => [s.kind, s.name])).toEqual([
      ['user', 'JaneDoe'],
      ['bucket', 'DOC-EXAMPLE-BUCKET'],
    ]);
    expect(fromUser.containmentPlan.steps[0]).toMatchObject({ accessKeyIds: ['AKIAI44QH8DHBEXAMPLE'] });
  });
});
