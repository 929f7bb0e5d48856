import { STSClient } from '@aws-sdk/client-sts';

import { createHash } from 'node:crypto';

import { AccountAccess, failIfAnyAccountFailed } from '../../../orchestrator/contain/accounts';
import {
  incidentPrefix,
  readManifest,
  S3EvidenceStore,
  verifyManifest,
} from '../../../orchestrator/preserve';
import {
  formatPreservationPlan,
  planPreservation,
  preservationOutcomes,
  preserveAccounts,
} from '../../../orchestrator/preserve/accounts';
import { assumeRoleAnswer, sessionKey, stsXml, WireCall } from '../../support/aws-wire';
import {
  ACCOUNT,
  OPERATOR_ARN,
  FakeUser,
  S3Request,
  SourceVersion,
  WireEvidenceAccount,
} from '../../support/wire-evidence';
import { clientsAt } from '../../support/wire-account';
import { acrossAccounts, demoResult, INCIDENT } from '../eradicate/fixture';

/**
 * `irkit preserve` over an investigation naming three accounts, on the wire: the operator's
 * account preserves the document and its targets; a member account, entered as its
 * break-glass role, has its principals' IAM state written to the one evidence bucket under
 * `accounts/ACCOUNT/`, and its bucket's object versions copied there server-side by that role,
 * in the same manifest; a member whose role refuses the operator (AccessDenied) fails alone, and
 * so does a copy S3 refuses.
 */
const MEMBER = '111122223333';
const DENIED = '444455556666';
const EVIDENCE_BUCKET = 'irkit-evidence-777777777777';
/** The actor's bucket in the member account, contained: only the member's break-glass role reads it. */
const MEMBER_BUCKET = 'amzn-s3-demo-bucket2';
const VERSIONS: SourceVersion[] = [
  {
    key: 'stuff',
    versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
    body: Buffer.from('the first upload\n'),
    lastModified: '2021-07-24T02:40:00.000Z',
  },
  {
    key: 'stuff',
    versionId: '3HL4kqCxf3vjVBH40Nrjfkd',
    body: Buffer.from('the second upload\n'),
    lastModified: '2021-07-24T02:41:00.000Z',
  },
];
const OWN_FOLDER = `${incidentPrefix(INCIDENT)}accounts/${MEMBER}/`;

/**
 * The buckets' policies as deployed (the simulator proves them, test/lib/policies/member-evidence.test.ts):
 * the member's contained bucket admits only the member's break-glass role (containment's bucket
 * statement); the evidence bucket admits that role's copies only under its own account's folder.
 */
const bucketPolicies = (r: S3Request): boolean => {
  const asMember = r.accessKeyId === sessionKey(MEMBER);
  if ((r.bucket === MEMBER_BUCKET || r.copySource?.bucket === MEMBER_BUCKET) && !asMember) return false;
  if (r.bucket === EVIDENCE_BUCKET && asMember) {
    return r.operation === 'CopyObject' && (r.key ?? '').startsWith(OWN_FOLDER);
  }
  return true;
};

let plan: { path: string; bytes: Buffer };
let home: WireEvidenceAccount;
let member: WireEvidenceAccount;

const user = (name: string): FakeUser => ({ name, attached: [], inline: [], keys: [], tags: [] });

beforeAll(async () => {
  const base = acrossAccounts(await demoResult(), [MEMBER, DENIED]);
  const created = base.resources.find((r) => r.type === 'AWS::S3::Bucket' && r.action === 'created');
  if (!created) throw new Error('the demo investigation has no created bucket');
  const doc = {
    ...base,
    resources: [
      ...base.resources,
      { ...created, name: MEMBER_BUCKET, arn: `arn:aws:s3:::${MEMBER_BUCKET}`, account: MEMBER },
    ],
  };
  plan = { path: 'investigation.json', bytes: Buffer.from(`${JSON.stringify(doc, null, 2)}\n`) };
}, 60_000);

beforeEach(async () => {
  home = await WireEvidenceAccount.start({
    evidenceBucket: EVIDENCE_BUCKET,
    logBucket: 'unused',
    logsRoot: '/nonexistent',
  });
  home.wire.on('sts', 'AssumeRole', assumeRoleAnswer(OPERATOR_ARN, new Set([DENIED])));
  home.sourceBuckets.set('DOC-EXAMPLE-BUCKET', []);
  home.sourceBuckets.set(MEMBER_BUCKET, VERSIONS);
  home.s3Admits = bucketPolicies;
  for (const name of ['JaneDoe', 'JorgeSouza']) home.users.set(name, user(name));
  member = await WireEvidenceAccount.start({
    evidenceBucket: 'not-here',
    logBucket: 'unused',
    logsRoot: '/nonexistent',
  });
  member.users.set('JaneDoe', { ...user('JaneDoe'), tags: [{ Key: 'account', Value: MEMBER }] });
  member.users.set('JorgeSouza', user('JorgeSouza'));
  member.wire.on('sts', 'GetCallerIdentity', () =>
    stsXml(
      'GetCallerIdentity',
      `<Arn>arn:aws:sts::${MEMBER}:assumed-role/SecurityBreakGlassRole/irkit-SecurityBreakGlassRole-responder</Arn>` +
        `<UserId>AROA:s</UserId><Account>${MEMBER}</Account>`,
    ),
  );
});
afterEach(async () => {
  await home.wire.close({ allowUnrouted: true });
  await member.wire.close({ allowUnrouted: true });
});

const access = (): AccountAccess => {
  const c = home.clients(1);
  return {
    home: { ...c, ec2: c.ec2('us-east-1') },
    clientsFor: (account, credentials) => {
      if (account !== MEMBER || 'unavailable' in credentials) throw new Error(`no endpoint for ${account}`);
      // S3 is one endpoint for every account: the member's session reaches the same buckets.
      return { ...clientsAt(member.wire, credentials), s3: clientsAt(home.wire, credentials).s3 };
    },
  };
};
const signedWith = (call: WireCall) => /Credential=(\w+)\//.exec(String(call.headers.authorization))?.[1];
const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');
const run = () =>
  preserveAccounts(access(), {
    incidentId: INCIDENT,
    plan,
    tool: 'irkit test',
    clients: home.clients(1),
    store: new S3EvidenceStore({ s3: home.clients(1).s3, bucket: EVIDENCE_BUCKET }),
    breakGlassRoleName: 'SecurityBreakGlassRole',
    ec2For: (clients) => clients.ec2,
  });
const copyPath = (v: SourceVersion) =>
  `accounts/${MEMBER}/s3/${MEMBER_BUCKET}/objects/${v.key}/${v.versionId}`;

describe('irkit preserve across accounts, on the wire', () => {
  it("writes each member's evidence under accounts/ACCOUNT/ in the one store and manifest; the refused account fails alone", async () => {
    const store = new S3EvidenceStore({ s3: home.clients(1).s3, bucket: EVIDENCE_BUCKET });
    const out = await run();
    expect(out.home.added.map((i) => i.path)).toEqual(
      expect.arrayContaining(['investigation.json', 'iam/users/JaneDoe.json']),
    );
    // The home run does not call the members' targets skipped: their own runs preserve them.
    expect(out.home.skipped.map((s) => s.target)).not.toContain('user JaneDoe');
    expect(out.accounts.map((o) => [o.account, o.roleArn, o.failures.length])).toEqual([
      [MEMBER, `arn:aws:iam::${MEMBER}:role/SecurityBreakGlassRole`, 0],
      [DENIED, `arn:aws:iam::${DENIED}:role/SecurityBreakGlassRole`, 1],
    ]);
    expect(out.accounts[1].error).toMatch(
      /AccessDenied: User: .* is not authorized to perform: sts:AssumeRole/,
    );
    const mine = out.accounts[0].result;
    expect(mine?.added.map((i) => [i.path, i.source])).toEqual([
      [`accounts/${MEMBER}/iam/users/JorgeSouza.json`, `arn:aws:iam::${MEMBER}:user/JorgeSouza`],
      [`accounts/${MEMBER}/iam/users/JaneDoe.json`, `arn:aws:iam::${MEMBER}:user/JaneDoe`],
      [`accounts/${MEMBER}/s3/${MEMBER_BUCKET}/bucket.json`, `arn:aws:s3:::${MEMBER_BUCKET}`],
      [copyPath(VERSIONS[0]), `arn:aws:s3:::${MEMBER_BUCKET}/stuff`],
      [copyPath(VERSIONS[1]), `arn:aws:s3:::${MEMBER_BUCKET}/stuff`],
      [expect.stringMatching(new RegExp(`^accounts/${MEMBER}/live-checks/`)), expect.any(String)],
    ]);
    expect(mine?.skipped).toEqual([]);
    expect(mine?.failed).toEqual([]);
    expect(mine?.added[0].collectedBy).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/SecurityBreakGlassRole/irkit-SecurityBreakGlassRole-responder`,
    );
    // The member's state was read from the member, with its session; the evidence written at home.
    const stored = home.current(`${incidentPrefix(INCIDENT)}accounts/${MEMBER}/iam/users/JaneDoe.json`);
    expect(JSON.parse(stored?.toString() ?? '{}')).toMatchObject({
      tags: [{ Key: 'account', Value: MEMBER }],
    });
    expect(new Set(member.wire.calls.map(signedWith))).toEqual(new Set([sessionKey(MEMBER)]));
    // Each version copied server-side by the member's break-glass role, by version id, into its
    // own folder; the rest of the evidence written with the operator's credentials.
    const copies = home.wire.callsTo('s3', 'PutObject').filter((c) => c.headers['x-amz-copy-source']);
    expect(copies.map((c) => [signedWith(c), c.params.Key, c.headers['x-amz-copy-source']])).toEqual(
      VERSIONS.map((v) => [
        sessionKey(MEMBER),
        `${incidentPrefix(INCIDENT)}${copyPath(v)}`,
        `${MEMBER_BUCKET}/stuff?versionId=${v.versionId}`,
      ]),
    );
    const written = home.wire.callsTo('s3', 'PutObject').filter((c) => !c.headers['x-amz-copy-source']);
    expect(new Set(written.map(signedWith))).toEqual(new Set(['AKIAIOSFODNN7EXAMPLE']));
    expect(home.current(`${incidentPrefix(INCIDENT)}${copyPath(VERSIONS[1])}`)).toEqual(VERSIONS[1].body);
    // The manifest lists the copies exactly as a home account's: version, SHA-256, size, who.
    const listed = (await readManifest(store, INCIDENT))?.items.filter((i) => i.kind === 's3-object-version');
    expect(listed?.map((i) => [i.path, i.sourceVersion, i.sha256, i.size, i.collectedBy])).toEqual(
      VERSIONS.map((v) => [
        copyPath(v),
        v.versionId,
        sha256(v.body),
        v.body.length,
        `arn:aws:sts::${MEMBER}:assumed-role/SecurityBreakGlassRole/irkit-SecurityBreakGlassRole-responder`,
      ]),
    );
    expect(await verifyManifest(store, INCIDENT)).toMatchObject({ ok: true, runs: 2, unlisted: [] });
  });

  it('reports a copy S3 refuses (AccessDenied) for its account alone: the other versions and accounts go on', async () => {
    // One version under a KMS key the member's role may not use, and one of the operator's own
    // bucket likewise: S3 answers AccessDenied to those two copies only.
    const HOME_VERSION = { ...VERSIONS[0], versionId: 'Cf4NkYsdFRf1PuJXCQJ1ePLs5TT4ShH2' };
    home.sourceBuckets.set('DOC-EXAMPLE-BUCKET', [HOME_VERSION]);
    const refused = new Set([VERSIONS[1].versionId, HOME_VERSION.versionId]);
    home.s3Admits = (r) => bucketPolicies(r) && !refused.has(r.copySource?.versionId ?? '');
    const out = await run();

    const mine = out.accounts[0].result;
    expect(mine?.added.map((i) => i.path)).toContain(copyPath(VERSIONS[0]));
    expect(mine?.added.map((i) => i.path)).not.toContain(copyPath(VERSIONS[1]));
    expect(mine?.failed).toEqual([
      {
        path: copyPath(VERSIONS[1]),
        detail: expect.stringMatching(
          new RegExp(
            `^copying s3://${MEMBER_BUCKET}/stuff version ${VERSIONS[1].versionId} failed: AccessDenied: Access Denied \\(the evidence bucket admits a member's copies only under its own accounts/ACCOUNT/ folder`,
          ),
        ),
      },
    ]);
    expect(out.home.failed.map((f) => f.path)).toEqual([
      `s3/DOC-EXAMPLE-BUCKET/objects/stuff/${HOME_VERSION.versionId}`,
    ]);
    expect(out.home.added.map((i) => i.path)).toContain('iam/users/JaneDoe.json');
    // The command fails (exit code 4) naming each account and why; the others are done.
    const outcomes = preservationOutcomes(out);
    expect(outcomes.map((o) => [o.account, o.failures.length])).toEqual([
      [ACCOUNT, 1],
      [MEMBER, 1],
      [DENIED, 1],
    ]);
    expect(() => failIfAnyAccountFailed(outcomes, 'preservation', 'IRKIT_PRESERVATION_FAILED')).toThrow(
      expect.objectContaining({
        code: 'IRKIT_PRESERVATION_FAILED',
        message: expect.stringMatching(
          new RegExp(`failed in 3 of 3 account\\(s\\)[^]*${MEMBER}: ${copyPath(VERSIONS[1])}: copying`),
        ),
      }),
    );
    // What was copied is listed and verifies; a later run copies only what is missing.
    const store = new S3EvidenceStore({ s3: home.clients(1).s3, bucket: EVIDENCE_BUCKET });
    expect(await verifyManifest(store, INCIDENT)).toMatchObject({ ok: true, runs: 2, unlisted: [] });
    home.s3Admits = bucketPolicies;
    home.sourceBuckets.set('DOC-EXAMPLE-BUCKET', []);
    const again = await run();
    const copied = again.accounts[0].result?.added.filter((i) => i.kind === 's3-object-version');
    expect(copied?.map((i) => i.path)).toEqual([copyPath(VERSIONS[1])]);
    expect(again.accounts[0].result?.failed).toEqual([]);
  });

  it('--dry-run lists per account the role and the calls, with no credentials and no call', async () => {
    const offline: AccountAccess = {
      ...access(),
      home: {
        ...access().home,
        sts: new STSClient({
          region: 'us-east-1',
          credentials: () => Promise.reject(new Error('no credentials')),
        }),
      },
    };
    const planned = await planPreservation(offline, {
      incidentId: INCIDENT,
      plan,
      breakGlassRoleName: 'SecurityBreakGlassRole',
    });
    expect(planned.map((p) => [p.account, p.roleArn])).toEqual([
      [ACCOUNT, undefined],
      [MEMBER, `arn:aws:iam::${MEMBER}:role/SecurityBreakGlassRole`],
      [DENIED, `arn:aws:iam::${DENIED}:role/SecurityBreakGlassRole`],
    ]);
    const text = formatPreservationPlan(INCIDENT, planned);
    expect(text).toContain(`${MEMBER}  as arn:aws:iam::${MEMBER}:role/SecurityBreakGlassRole`);
    expect(text).toContain(
      `iam GetUser UserName=JaneDoe and its policies, groups, keys, credentials, tags; PutObject accounts/${MEMBER}/iam/users/`,
    );
    expect(text).toContain(
      `PutObject accounts/${MEMBER}/s3/${MEMBER_BUCKET}/bucket.json; CopyObject of every version into accounts/${MEMBER}/s3/BUCKET/objects/`,
    );
    expect(home.wire.calls).toEqual([]);
    expect(member.wire.calls).toEqual([]);
  });
});
