import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

import { TAG_KEYS } from '../../../lib/names';
import {
  incidentPrefix,
  requireVerifiedEvidence,
  S3EvidenceStore,
  verifyManifest,
} from '../../../orchestrator/preserve';
import { preserveOnline } from '../../../orchestrator/preserve/preserve';
import { ec2Throttling, queryThrottling, s3SlowDown } from '../../support/aws-wire';
import { ACCOUNT, OPERATOR_ARN, WireEvidenceAccount } from '../../support/wire-evidence';
import { ctRecord, LogTree, playbookKeyCalls } from '../engines/fixtures';
import { irkit } from '../../helpers/cli';

/**
 * GIVEN the playbook's incident (JorgeSouza's key creates JaneDoe, who creates and writes
 * DOC-EXAMPLE-BUCKET) and an instance the actor launched, WHEN irkit preserve runs against
 * the real SDK clients and a local endpoint answering as AWS does, THEN every item lands in
 * the evidence bucket with a manifest that verifies, a re-run adds nothing, and tampering
 * is caught.
 */

const INCIDENT = 'IR-2021-0724';
const EVIDENCE_BUCKET = 'irkit-evidence-777777777777';
const LOG_BUCKET = 'amzn-s3-demo-logging-bucket';
const INSTANCE = 'i-1234567890abcdef0';
const JANE_KEY = 'AKIAI44QH8DHBEXAMPLE';

let logs: LogTree;
let dir: string;
let plan: { path: string; bytes: Buffer };
let account: WireEvidenceAccount;

beforeAll(async () => {
  logs = new LogTree();
  logs.cloudTrail('2021/07/24', [
    ...playbookKeyCalls(),
    ctRecord({
      eventTime: '2021-07-24T02:22:56Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'CreateBucket',
      userName: 'JaneDoe',
      accessKeyId: JANE_KEY,
      requestParameters: { bucketName: 'DOC-EXAMPLE-BUCKET' },
    }),
    ctRecord({
      eventTime: '2021-07-24T02:23:10Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'PutObject',
      userName: 'JaneDoe',
      accessKeyId: JANE_KEY,
      requestParameters: { bucketName: 'DOC-EXAMPLE-BUCKET', key: 'stuff' },
    }),
    ctRecord({
      eventTime: '2021-07-24T02:24:00Z',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      userName: 'JaneDoe',
      accessKeyId: JANE_KEY,
      requestParameters: { instanceType: 't3.micro' },
      responseElements: { instancesSet: { items: [{ instanceId: INSTANCE }] } },
    }),
  ]);
  // Somebody else's call in the same file: never preserved.
  logs.cloudTrail('2021/07/24', [
    ctRecord({
      eventTime: '2021-07-24T02:24:30Z',
      eventName: 'ListUsers',
      userName: 'Alice',
      accessKeyId: 'AKIAIOSFODNN7ALICE00',
    }),
  ]);
  dir = mkdtempSync(path.join(os.tmpdir(), 'irkit-preserve-wire-'));
  const planPath = path.join(dir, 'plan.json');
  const inv = await irkit(
    'investigate',
    '--access-key-id',
    'AKIAIOSFODNN7EXAMPLE',
    '--from',
    '2021/07/16',
    '--to',
    '2021/07/24',
    '--logs',
    logs.root,
    '--incident',
    INCIDENT,
    '--out',
    planPath,
  );
  expect(inv.code).toBe(0);
  plan = { path: planPath, bytes: readFileSync(planPath) };

  account = await WireEvidenceAccount.start({
    evidenceBucket: EVIDENCE_BUCKET,
    logBucket: LOG_BUCKET,
    logsRoot: logs.root,
  });
  account.sourceBuckets.set('DOC-EXAMPLE-BUCKET', [
    {
      key: 'stuff',
      versionId: '3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
      body: Buffer.from('first'),
      lastModified: '2021-07-24T02:23:10.000Z',
    },
    {
      key: 'stuff',
      versionId: 'QUpfdndhfd8438MNFDN93jdnJFkdmqnh',
      body: Buffer.from('the exfiltrated stuff'),
      lastModified: '2021-07-24T02:23:40.000Z',
    },
  ]);
  const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  account.users.set('JaneDoe', {
    name: 'JaneDoe',
    attached: [
      { arn: 'arn:aws:iam::aws:policy/AdministratorAccess', name: 'AdministratorAccess', document: admin },
    ],
    inline: [],
    keys: [{ id: JANE_KEY, status: 'Active', lastUsed: '2021-07-24T02:24:00Z' }],
    tags: [],
  });
  account.users.set('JorgeSouza', {
    name: 'JorgeSouza',
    attached: [],
    inline: [
      {
        name: 'workshop',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
      },
    ],
    keys: [{ id: 'AKIAIOSFODNN7EXAMPLE', status: 'Active' }],
    loginProfile: '2021-07-01T00:00:00Z',
    tags: [{ Key: 'team', Value: 'data' }],
  });
  account.instances.set(INSTANCE, {
    id: INSTANCE,
    volumes: ['vol-049df61146c4d7901', 'vol-0a1b2c3d4e5f60718'],
  });
}, 60_000);

afterAll(async () => {
  await account.wire.close();
  logs.remove();
  rmSync(dir, { recursive: true, force: true });
});

function run(now = '2021-07-24T03:00:00.000Z') {
  const clients = account.clients();
  return preserveOnline({
    incidentId: INCIDENT,
    plan,
    tool: 'irkit test',
    clients,
    trail: { bucket: LOG_BUCKET },
    store: new S3EvidenceStore({
      s3: clients.s3,
      bucket: EVIDENCE_BUCKET,
      kmsKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    }),
    now: () => new Date(now),
  });
}

const key = (rel: string) => `${incidentPrefix(INCIDENT)}${rel}`;

describe('irkit preserve in the account (on the wire)', () => {
  test('preserves the document, the raw records, IAM state, every object version and the instance, through throttling', async () => {
    account.wire.once('iam', 'GetUser', () => queryThrottling('iam'));
    account.wire.once('s3', 'ListObjectVersions', () => s3SlowDown());
    account.wire.once('ec2', 'DescribeInstances', () => ec2Throttling());

    const report = await run();

    expect(report.operator).toBe(OPERATOR_ARN);
    expect(report.conflicts).toEqual([]);
    expect(report.run).toBe(1);
    expect(account.current(key('investigation.json'))).toEqual(plan.bytes);

    // The actor's records, not Alice's, each exactly as in the delivered file.
    const lines = gunzipSync(account.current(key('cloudtrail/actor-records.ndjson.gz'))!)
      .toString('utf8')
      .trimEnd()
      .split('\n');
    const doc = JSON.parse(plan.bytes.toString('utf8'));
    expect(lines).toHaveLength(doc.timeline.length);
    expect(lines.join('\n')).not.toContain('Alice');
    const logged = gunzipSync(
      readFileSync(
        JSON.parse(account.current(key('cloudtrail/record-sources.json'))!.toString())[0].file.replace(
          `arn:aws:s3:::${LOG_BUCKET}/`,
          `${logs.root}/`,
        ),
      ),
    ).toString('utf8');
    for (const line of lines) expect(logged).toContain(line);
    expect([...account.evidence.keys()].filter((k) => k.includes('/cloudtrail/files/'))).toHaveLength(1);

    const jane = JSON.parse(account.current(key('iam/users/JaneDoe.json'))!.toString());
    expect(jane).toMatchObject({
      exists: true,
      attachedPolicies: [
        {
          policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
          document: { Statement: [{ Action: '*' }] },
        },
      ],
      accessKeys: [{ AccessKeyId: JANE_KEY, Status: 'Active', lastUsed: { ServiceName: 's3' } }],
      loginProfile: null,
    });
    const jorge = JSON.parse(account.current(key('iam/users/JorgeSouza.json'))!.toString());
    expect(jorge).toMatchObject({
      inlinePolicies: [{ policyName: 'workshop', document: { Statement: [{ Action: 'iam:*' }] } }],
      tags: [{ Key: 'team', Value: 'data' }],
    });
    expect(jorge.loginProfile).toMatchObject({ UserName: 'JorgeSouza' });

    expect(
      account
        .current(key('s3/DOC-EXAMPLE-BUCKET/objects/stuff/3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY'))
        ?.toString(),
    ).toBe('first');
    expect(
      account
        .current(key('s3/DOC-EXAMPLE-BUCKET/objects/stuff/QUpfdndhfd8438MNFDN93jdnJFkdmqnh'))
        ?.toString(),
    ).toBe('the exfiltrated stuff');
    const bucket = JSON.parse(account.current(key('s3/DOC-EXAMPLE-BUCKET/bucket.json'))!.toString());
    expect(bucket).toMatchObject({
      policy: null,
      ownershipControls: null,
      publicAccessBlock: null,
      tags: [],
      versioning: { status: 'Enabled' },
    });

    // Part 2's live checks.
    expect(report.liveChecks).toEqual([
      expect.objectContaining({
        bucket: 'DOC-EXAMPLE-BUCKET',
        policy: null,
        publicExposure: ['the ACL grants READ to everyone (AllUsers)'],
        objects: [expect.objectContaining({ key: 'stuff' }), expect.objectContaining({ key: 'stuff' })],
      }),
    ]);

    // One snapshot per volume, tagged with the incident.
    expect(account.snapshots.map((s) => s.volumeId)).toEqual([
      'vol-049df61146c4d7901',
      'vol-0a1b2c3d4e5f60718',
    ]);
    for (const s of account.snapshots)
      expect(s.tags).toContainEqual({ Key: TAG_KEYS.incident, Value: INCIDENT });
    expect(
      JSON.parse(account.current(key(`ec2/us-east-1/${INSTANCE}/instance.json`))!.toString()),
    ).toMatchObject({ InstanceId: INSTANCE });

    // Every write was conditional and carried its SHA-256; every item verifies.
    const puts = account.wire.callsTo('s3', 'PutObject').filter((c) => !c.headers['x-amz-copy-source']);
    for (const c of puts) {
      expect(c.headers['if-none-match']).toBe('*');
      expect(c.headers['x-amz-checksum-sha256']).toBeDefined();
      expect(c.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    }
    const verified = await requireVerifiedEvidence(
      new S3EvidenceStore({ s3: account.clients().s3, bucket: EVIDENCE_BUCKET }),
      INCIDENT,
    );
    expect(verified.items).toBe(report.added.length);
  });

  test('a second run reads the account again but adds nothing, copies nothing, snapshots nothing', async () => {
    const before = account.wire.calls.length;
    const snapshots = account.snapshots.length;
    const report = await run('2021-07-24T04:00:00.000Z');
    const since = account.wire.calls.slice(before);
    expect(since.filter((c) => c.headers['x-amz-copy-source'])).toEqual([]);
    expect(account.snapshots).toHaveLength(snapshots);
    expect(report.snapshots.every((s) => !s.created)).toBe(true);
    // Only the new run's live checks and its manifest file are new.
    expect(report.added.map((i) => i.path)).toEqual(['live-checks/20210724T040000Z.json']);
    expect(report.run).toBe(2);
  });

  test('catches an item overwritten in the bucket (a newer version), naming it', async () => {
    account.overwrite(key('iam/users/JaneDoe.json'), Buffer.from('{"exists": false}'));
    const store = new S3EvidenceStore({ s3: account.clients().s3, bucket: EVIDENCE_BUCKET });
    const result = await verifyManifest(store, INCIDENT);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({ path: 'iam/users/JaneDoe.json', problem: 'overwritten' }),
    ]);
    await expect(requireVerifiedEvidence(store, INCIDENT)).rejects.toMatchObject({
      code: 'IRKIT_EVIDENCE_INVALID',
    });
  });

  test('refuses the investigation of another incident before any call', async () => {
    const before = account.wire.calls.length;
    const other = {
      path: 'other.json',
      bytes: Buffer.from(plan.bytes.toString('utf8').replace(/"IR-2021-0724"/g, '"IR-2021-0001"')),
    };
    writeFileSync(path.join(dir, 'other.json'), other.bytes);
    await expect(
      preserveOnline({
        incidentId: INCIDENT,
        plan: other,
        tool: 't',
        clients: account.clients(),
        store: new S3EvidenceStore({ s3: account.clients().s3, bucket: EVIDENCE_BUCKET }),
      }),
    ).rejects.toMatchObject({
      code: 'IRKIT_INVALID_INPUT',
      message: expect.stringContaining('incident IR-2021-0001, not IR-2021-0724'),
    });
    expect(account.wire.calls.length).toBe(before);
  });
});
