import { PLAYBOOK_PROTECTION } from '../../../lib/protection';
import { AccountAccess, failIfAnyAccountFailed } from '../../../orchestrator/contain/accounts';
import { readEradication } from '../../../orchestrator/eradicate';
import { eradicateAccounts, AccountsEradicateOptions } from '../../../orchestrator/eradicate/accounts';
import { EradicateIo } from '../../../orchestrator/eradicate/eradicate';
import { InvestigationResult } from '../../../orchestrator/investigate';
import { LocalEvidenceStore, verifyManifest } from '../../../orchestrator/preserve';
import { assumeRoleAnswer, sessionKey, stsXml, WireCall } from '../../support/aws-wire';
import { ACCOUNT, clientsAt, WireAccount } from '../../support/wire-account';
import {
  acrossAccounts,
  attackedAccount,
  BUCKET,
  clientsOf,
  demoResult,
  INCIDENT,
  preservedEvidence,
} from './fixture';

/**
 * `irkit eradicate` over an investigation naming three accounts, through the real SDK clients
 * against local endpoints answering as AWS does: the operator's own account with their
 * credentials, a member account through its break-glass role (STS AssumeRole), and a member
 * whose role refuses the operator (STS AccessDenied), which fails alone.
 */
const MEMBER = '111122223333';
const DENIED = '444455556666';
const OPERATOR = `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityBreakGlassRole/responder`;

let result: InvestigationResult;
let security: WireAccount;
let member: WireAccount;
let store: LocalEvidenceStore;
let io: EradicateIo & { text: string; lines: string[] };

beforeAll(async () => {
  result = acrossAccounts(await demoResult(), [MEMBER, DENIED]);
}, 60_000);

beforeEach(async () => {
  security = await WireAccount.start();
  attackedAccount(security);
  security.wire.on('sts', 'AssumeRole', assumeRoleAnswer(OPERATOR, new Set([DENIED])));
  member = await WireAccount.start();
  attackedAccount(member);
  member.wire.on('sts', 'GetCallerIdentity', () =>
    stsXml(
      'GetCallerIdentity',
      `<Arn>arn:aws:sts::${MEMBER}:assumed-role/SecurityBreakGlassRole/irkit-SecurityBreakGlassRole-responder</Arn>` +
        `<UserId>AROA:s</UserId><Account>${MEMBER}</Account>`,
    ),
  );
  store = await preservedEvidence();
  io = {
    text: '',
    lines: [],
    log(line) {
      io.lines.push(line);
    },
    out(text) {
      io.text += text;
    },
    sleep: async () => undefined,
  };
});
afterEach(async () => {
  await security.close();
  await member.close();
});

const access = (): AccountAccess => ({
  home: clientsOf(security),
  clientsFor: (account, credentials) => {
    if (account !== MEMBER || 'unavailable' in credentials) throw new Error(`no endpoint for ${account}`);
    return clientsAt(member.wire, credentials);
  },
});
const options = (extra: Partial<AccountsEradicateOptions> = {}): AccountsEradicateOptions => ({
  incidentId: INCIDENT,
  result,
  yes: true,
  evidence: async () => store,
  protection: PLAYBOOK_PROTECTION,
  breakGlassRoleName: 'SecurityBreakGlassRole',
  ...extra,
});
const signedWith = (call: WireCall) => /Credential=(\w+)\//.exec(String(call.headers.authorization))?.[1];
/** What changed something: AssumeRole only hands out credentials. */
const changes = () => [...security.writes(), ...member.writes()].filter((w) => !w.startsWith('AssumeRole'));

describe('irkit eradicate across accounts, on the wire', () => {
  it('eradicates in every account it may enter, records each in the one manifest, and names the account refused', async () => {
    const out = await eradicateAccounts(access(), options(), io);
    expect(out.accounts.map((o) => [o.account, o.roleArn, o.failures.length])).toEqual([
      [ACCOUNT, undefined, 0],
      [MEMBER, `arn:aws:iam::${MEMBER}:role/SecurityBreakGlassRole`, 0],
      [DENIED, `arn:aws:iam::${DENIED}:role/SecurityBreakGlassRole`, 1],
    ]);
    expect(out.accounts[2].error).toMatch(
      new RegExp(
        `cannot assume arn:aws:iam::${DENIED}:role/SecurityBreakGlassRole in account ${DENIED}: AccessDenied`,
      ),
    );
    // The role was assumed with the operator in the session name; the member's calls were signed with its session.
    expect(
      security.wire.callsTo('sts', 'AssumeRole').map((c) => [c.params.RoleArn, c.params.RoleSessionName]),
    ).toEqual(
      expect.arrayContaining([
        [`arn:aws:iam::${MEMBER}:role/SecurityBreakGlassRole`, 'irkit-SecurityBreakGlassRole-responder'],
        [`arn:aws:iam::${DENIED}:role/SecurityBreakGlassRole`, 'irkit-SecurityBreakGlassRole-responder'],
      ]),
    );
    expect(new Set(member.wire.calls.map(signedWith))).toEqual(new Set([sessionKey(MEMBER)]));
    for (const account of [security, member]) {
      expect(account.users.has('janedoe')).toBe(false);
      expect(account.buckets.has(BUCKET)).toBe(false);
    }
    // Each account's record, in the security account's evidence, listed in its manifest.
    const records = await readEradication(store, INCIDENT);
    expect(records.map((r) => [r.path.replace(/run-.*/, ''), r.record.account])).toEqual(
      expect.arrayContaining([
        ['eradication/', ACCOUNT],
        [`accounts/${MEMBER}/eradication/`, MEMBER],
      ]),
    );
    expect(records).toHaveLength(2);
    expect(await verifyManifest(store, INCIDENT)).toMatchObject({ ok: true, runs: 3, unlisted: [] });
    expect(() => failIfAnyAccountFailed(out.accounts, 'eradication', 'IRKIT_ERADICATION_FAILED')).toThrow(
      expect.objectContaining({
        code: 'IRKIT_ERADICATION_FAILED',
        message: expect.stringMatching(
          new RegExp(`^eradication failed in 1 of 3 account\\(s\\): ${DENIED}\\n`),
        ),
      }),
    );
    expect(io.text).toMatch(
      new RegExp(`${MEMBER} +arn:aws:iam::${MEMBER}:role/SecurityBreakGlassRole +OK +3 deleted`),
    );
  });

  it('--account restricts it to one account; an account the investigation does not name is refused', async () => {
    const out = await eradicateAccounts(access(), options({ accounts: [MEMBER] }), io);
    expect(out.accounts.map((o) => o.account)).toEqual([MEMBER]);
    expect(security.users.has('janedoe')).toBe(true);
    expect(member.users.has('janedoe')).toBe(false);
    await expect(
      eradicateAccounts(access(), options({ accounts: ['123456789012'] }), io),
    ).rejects.toMatchObject({
      code: 'IRKIT_INVALID_INPUT',
      message: 'the plan has nothing for account 123456789012',
    });
  });

  it('--dry-run lists, per account, the role it would assume and the calls, and changes nothing', async () => {
    const out = await eradicateAccounts(access(), options({ dryRun: true, yes: false }), io);
    expect(io.text).toContain(
      `Dry run: nothing will be changed. Eradication of incident ${INCIDENT} in 3 account(s):`,
    );
    expect(io.text).toContain(`${MEMBER}  as arn:aws:iam::${MEMBER}:role/SecurityBreakGlassRole`);
    expect(io.text).toContain(`[${MEMBER}]     iam DeleteUser UserName=JaneDoe`);
    expect(io.text).toContain(`[${ACCOUNT}]     s3 DeleteBucket Bucket=${BUCKET}`);
    expect(out.accounts.map((o) => o.failures.length)).toEqual([0, 0, 1]);
    expect(changes()).toEqual([]);
    expect(await readEradication(store, INCIDENT)).toEqual([]);
  });

  it('asks once, for all accounts, for the incident id to be typed', async () => {
    const asked: string[] = [];
    io.ask = async (question) => {
      asked.push(question);
      return 'IR-NOT-IT';
    };
    await expect(eradicateAccounts(access(), options({ yes: false }), io)).rejects.toMatchObject({
      message: expect.stringMatching(/was not typed as it is/),
    });
    expect(asked).toHaveLength(1);
    expect(changes()).toEqual([]);
  });
});
