import { STSClient } from '@aws-sdk/client-sts';

import { AccountAccess } from '../../../orchestrator/contain/accounts';
import { incidentPrefix, S3EvidenceStore, verifyManifest } from '../../../orchestrator/preserve';
import {
  formatPreservationPlan,
  planPreservation,
  preserveAccounts,
} from '../../../orchestrator/preserve/accounts';
import { assumeRoleAnswer, sessionKey, stsXml, WireCall } from '../../support/aws-wire';
import { ACCOUNT, OPERATOR_ARN, FakeUser, WireEvidenceAccount } from '../../support/wire-evidence';
import { clientsAt } from '../../support/wire-account';
import { acrossAccounts, demoResult, INCIDENT } from '../eradicate/fixture';

/**
 * `irkit preserve` over an investigation naming three accounts, on the wire: the operator's
 * account preserves the document and its targets; a member account, entered as its
 * break-glass role, has its principals' IAM state written to the one evidence bucket under
 * `accounts/ACCOUNT/`, in the same manifest; a member whose role refuses the operator
 * (AccessDenied) fails alone.
 */
const MEMBER = '111122223333';
const DENIED = '444455556666';
const EVIDENCE_BUCKET = 'irkit-evidence-777777777777';

let plan: { path: string; bytes: Buffer };
let home: WireEvidenceAccount;
let member: WireEvidenceAccount;

const user = (name: string): FakeUser => ({ name, attached: [], inline: [], keys: [], tags: [] });

beforeAll(async () => {
  const doc = acrossAccounts(await demoResult(), [MEMBER, DENIED]);
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
      return clientsAt(member.wire, credentials);
    },
  };
};
const signedWith = (call: WireCall) => /Credential=(\w+)\//.exec(String(call.headers.authorization))?.[1];

describe('irkit preserve across accounts, on the wire', () => {
  it("writes each member's evidence under accounts/ACCOUNT/ in the one store and manifest; the refused account fails alone", async () => {
    const store = new S3EvidenceStore({ s3: home.clients(1).s3, bucket: EVIDENCE_BUCKET });
    const out = await preserveAccounts(access(), {
      incidentId: INCIDENT,
      plan,
      tool: 'irkit test',
      clients: home.clients(1),
      store,
      breakGlassRoleName: 'SecurityBreakGlassRole',
      ec2For: (clients) => clients.ec2,
    });
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
    ]);
    expect(mine?.added[0].collectedBy).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/SecurityBreakGlassRole/irkit-SecurityBreakGlassRole-responder`,
    );
    // The member's state was read from the member, with its session; the evidence written at home.
    const stored = home.current(`${incidentPrefix(INCIDENT)}accounts/${MEMBER}/iam/users/JaneDoe.json`);
    expect(JSON.parse(stored?.toString() ?? '{}')).toMatchObject({
      tags: [{ Key: 'account', Value: MEMBER }],
    });
    expect(new Set(member.wire.calls.map(signedWith))).toEqual(new Set([sessionKey(MEMBER)]));
    expect(member.wire.callsTo('s3', 'PutObject')).toEqual([]);
    expect(await verifyManifest(store, INCIDENT)).toMatchObject({ ok: true, runs: 2, unlisted: [] });
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
    expect(home.wire.calls).toEqual([]);
    expect(member.wire.calls).toEqual([]);
  });
});
