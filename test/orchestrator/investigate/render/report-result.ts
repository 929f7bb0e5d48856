import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { EradicationRecord, writeEradicationRecord } from '../../../../orchestrator/eradicate';
import { parseIpRanges, parseTorExitList } from '../../../../orchestrator/intel';
import {
  IncidentEvidence,
  InvestigationResult,
  NetworkFlow,
  ReportExtras,
  enrichResult,
  offlineEradicationPlan,
  readIncidentEvidence,
} from '../../../../orchestrator/investigate';
import {
  EvidenceItem,
  EvidenceKind,
  EvidenceStore,
  LocalEvidenceStore,
  appendManifestRun,
  incidentPrefix,
  sha256Hex,
} from '../../../../orchestrator/preserve';
import type { BucketLiveCheck } from '../../../../orchestrator/preserve/collect/s3';

/**
 * The demo result with what the demo's logs lack and a report can hold: VPC flows of the
 * actor's address (to an instance, from a Tor exit, out to an AWS address), every address
 * classified with the test fixtures' ip-ranges.json and Tor exit list; and the incident
 * preserved and partly eradicated, for the evidence sections.
 */

const FIXTURES = join(__dirname, '../../../fixtures/intel');

export const FLOWS: readonly NetworkFlow[] = [
  {
    sourceAddress: '198.51.100.77',
    destinationAddress: '10.0.1.25',
    destinationPort: 22,
    protocol: 6,
    action: 'ACCEPT',
    records: 3,
    bytes: 5120,
    firstStart: '2021-07-24T02:23:00Z',
    lastEnd: '2021-07-24T02:25:00Z',
  },
  {
    sourceAddress: '10.0.1.25',
    destinationAddress: '52.0.0.10',
    destinationPort: 443,
    protocol: 6,
    action: 'ACCEPT',
    records: 1,
    bytes: 900,
    firstStart: '2021-07-24T02:24:00Z',
    lastEnd: '2021-07-24T02:24:30Z',
  },
  {
    sourceAddress: '203.0.113.66',
    destinationAddress: '10.0.1.25',
    destinationPort: 3389,
    protocol: 6,
    action: 'REJECT',
    records: 1,
    bytes: 60,
    firstStart: '2021-07-24T02:26:00Z',
    lastEnd: '2021-07-24T02:26:10Z',
  },
];

export function withFlows(result: InvestigationResult): InvestigationResult {
  const network = { ...result.network, flows: FLOWS, records: 5, bytes: 6080 };
  delete (network as { note?: string }).note;
  return enrichResult(
    { ...result, network },
    {
      intel: {
        ipRanges: parseIpRanges(
          readFileSync(join(FIXTURES, 'ip-ranges.sample.json'), 'utf8'),
          'ip-ranges.json',
        ),
        torExits: parseTorExitList(
          readFileSync(join(FIXTURES, 'tor-exits.sample.txt'), 'utf8'),
          'tor-exits.txt',
        ),
      },
    },
  );
}

export const INCIDENT = 'IR-2021-0724';
const OPERATOR = 'arn:aws:sts::777777777777:assumed-role/SecurityBreakGlassRole/responder';

/** The Part 2 live checks of the demo's bucket, as irkit preserve stores them. */
export const LIVE_CHECKS: readonly BucketLiveCheck[] = [
  {
    bucket: 'DOC-EXAMPLE-BUCKET',
    exists: true,
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*',
        },
      ],
    },
    aclGrants: [{ grantee: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ' }],
    publicExposure: [
      'the bucket policy is public (GetBucketPolicyStatus IsPublic)',
      'the ACL grants READ to everyone (AllUsers)',
    ],
    objects: [
      {
        key: 'stuff',
        versionId: 'null',
        size: 5,
        lastModified: '2021-07-24T02:23:10.000Z',
        isLatest: true,
        eTag: null,
      },
    ],
    deleteMarkers: [],
  },
];

/** One eradication run: the user deleted, the bucket failed. */
export const RECORD: EradicationRecord = {
  formatVersion: 1,
  incidentId: INCIDENT,
  account: '777777777777',
  operator: OPERATOR,
  startedAt: '2021-07-25T10:00:00.000Z',
  finishedAt: '2021-07-25T10:00:09.000Z',
  targets: [
    { target: 'user:JaneDoe', why: 'the actor created it', outcome: 'done' },
    {
      target: 'bucket:DOC-EXAMPLE-BUCKET',
      why: 'the actor created it',
      outcome: 'failed',
      reason: 'AccessDenied: not allowed',
    },
  ],
  calls: [
    {
      target: 'user:JaneDoe',
      call: 'iam delete-access-key --user-name JaneDoe --access-key-id AKIAI44QH8DHBEXAMPLE',
      at: '2021-07-25T10:00:01.000Z',
      outcome: 'done',
      requestId: 'req-1111',
    },
    {
      target: 'user:JaneDoe',
      call: 'iam delete-user --user-name JaneDoe',
      at: '2021-07-25T10:00:02.000Z',
      outcome: 'done',
      requestId: 'req-2222',
    },
    {
      target: 'bucket:DOC-EXAMPLE-BUCKET',
      call: 's3api delete-bucket --bucket DOC-EXAMPLE-BUCKET',
      at: '2021-07-25T10:00:03.000Z',
      outcome: 'failed',
      requestId: 'req-3333',
      error: 'AccessDenied: not allowed',
    },
  ],
};

/**
 * The incident preserved into a local evidence folder through the kit's own writers (the
 * investigation, the live checks, a manifest run, an eradication record), and read back as the
 * report reads it.
 */
export async function preserveInto(
  into: string | EvidenceStore,
): Promise<{ store: EvidenceStore; evidence: IncidentEvidence }> {
  const store = typeof into === 'string' ? new LocalEvidenceStore(into) : into;
  const prefix = incidentPrefix(INCIDENT);
  const put = async (
    path: string,
    kind: EvidenceKind,
    source: string,
    body: Buffer,
  ): Promise<EvidenceItem> => {
    const sha256 = sha256Hex(body);
    const out = await store.write(`${prefix}${path}`, body, sha256);
    return {
      path,
      kind,
      sha256,
      size: body.length,
      source,
      collectedBy: OPERATOR,
      collectedAt: '2021-07-25T09:00:00.000Z',
      ...(out.versionId ? { storeVersionId: out.versionId } : {}),
    };
  };
  const items = [
    await put('investigation.json', 'investigation', 'plan.json', Buffer.from('{"formatVersion":1}\n')),
    await put(
      'live-checks/20210725T090000Z.json',
      'live-checks',
      'irkit preserve (GetBucketPolicy, ...)',
      Buffer.from(JSON.stringify(LIVE_CHECKS)),
    ),
  ];
  const at = () => new Date('2021-07-25T09:00:05.000Z');
  await appendManifestRun(
    store,
    INCIDENT,
    { operator: OPERATOR, tool: 'irkit test', startedAt: '2021-07-25T09:00:00.000Z', items },
    at,
  );
  await writeEradicationRecord(store, RECORD, { tool: 'irkit test', now: () => new Date(RECORD.finishedAt) });
  return {
    store,
    evidence: await readIncidentEvidence(store, INCIDENT, () => new Date('2021-07-25T11:00:00.000Z')),
  };
}

/** The report's extras for a preserved incident: the offline eradication plan and the evidence. */
export async function preservedExtras(result: InvestigationResult, dir: string): Promise<ReportExtras> {
  return {
    eradicationPlan: await offlineEradicationPlan(result),
    evidence: (await preserveInto(dir)).evidence,
  };
}
