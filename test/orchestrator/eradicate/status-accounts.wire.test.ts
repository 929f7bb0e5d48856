import { AccountAccess, failIfAnyAccountFailed } from '../../../orchestrator/contain/accounts';
import { InvestigationResult } from '../../../orchestrator/investigate';
import {
  accountsStatusJson,
  formatAccountsStatus,
  STATUS_READS,
  statusAccounts,
} from '../../../orchestrator/eradicate/status-accounts';
import { assumeRoleAnswer, awsQueryError, sessionKey, stsXml, WireCall } from '../../support/aws-wire';
import { ACCOUNT, clientsAt, WireAccount } from '../../support/wire-account';
import { acrossAccounts, attackedAccount, BUCKET, clientsOf, demoResult, INCIDENT } from './fixture';

/**
 * `irkit status --incident ID` over an investigation naming four accounts, through the real SDK
 * clients against local endpoints answering as AWS does: the operator's own account with their
 * credentials; a member through its analyst role (STS AssumeRole) where the actor's user is gone
 * (IAM NoSuchEntity); a member whose role refuses the operator (STS AccessDenied); and a member
 * whose IAM refuses a read (AccessDenied). Each account is reported on its own; the two that
 * failed are named, and the others are still shown.
 */
const MEMBER = '111122223333';
const DENIED = '444455556666';
const UNREADABLE = '123456789012';
const OPERATOR = `arn:aws:sts::${ACCOUNT}:assumed-role/IncidentResponder/jane.doe@example.com`;
const FROM = 's3://DOC-EXAMPLE-BUCKET/incidents/IR-DEMO/investigation.json';

let single: InvestigationResult;
let result: InvestigationResult;
let security: WireAccount;
let member: WireAccount;
let unreadable: WireAccount;

beforeAll(async () => {
  single = await demoResult();
  result = acrossAccounts(single, [MEMBER, DENIED, UNREADABLE]);
}, 60_000);

beforeEach(async () => {
  security = await WireAccount.start();
  attackedAccount(security);
  security.wire.on('sts', 'GetCallerIdentity', () =>
    stsXml(
      'GetCallerIdentity',
      `<Arn>${OPERATOR}</Arn><UserId>AROA:jane</UserId><Account>${ACCOUNT}</Account>`,
    ),
  );
  security.wire.on('sts', 'AssumeRole', assumeRoleAnswer(OPERATOR, new Set([DENIED])));
  member = await WireAccount.start();
  attackedAccount(member);
  // The actor's user is already deleted there: IAM answers NoSuchEntity.
  member.users.delete('janedoe');
  unreadable = await WireAccount.start();
  attackedAccount(unreadable);
  unreadable.wire.on('iam', 'GetUser', (p) =>
    awsQueryError({
      service: 'iam',
      code: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:sts::${UNREADABLE}:assumed-role/SecurityAnalystRole/irkit-IncidentResponder-jane.doe@example.com is not authorized to perform: iam:GetUser on resource: user ${p.UserName} with an explicit deny in a service control policy`,
    }),
  );
});
afterEach(async () => {
  await security.close();
  await member.close();
  await unreadable.close();
});

const access = (): AccountAccess => ({
  home: clientsOf(security),
  clientsFor: (account, credentials) => {
    const wire = account === MEMBER ? member : account === UNREADABLE ? unreadable : undefined;
    if (!wire || 'unavailable' in credentials) throw new Error(`no endpoint for ${account}`);
    return clientsAt(wire.wire, credentials);
  },
});
const signedWith = (call: WireCall) => /Credential=(\w+)\//.exec(String(call.headers.authorization))?.[1];
function io() {
  const out: string[] = [];
  return { out: (text: string) => out.push(text), log: () => undefined, text: () => out.join('') };
}

/** The IAM action a call needs (the Service Authorization Reference: HeadBucket is s3:ListBucket). */
const actionOf = (call: WireCall) =>
  call.service === 's3'
    ? ((
        { HeadBucket: 's3:ListBucket', ListObjectVersions: 's3:ListBucketVersions' } as Record<string, string>
      )[call.operation] ?? `s3:${call.operation}`)
    : `${call.service === 'cloudformation' ? 'cloudformation' : call.service}:${call.operation}`;

describe('irkit status --incident across the accounts the investigation names, on the wire', () => {
  it('checks Part 6 in each account through its analyst role, reporting each; the accounts that failed are named', async () => {
    const terminal = io();
    const outcomes = await statusAccounts(
      access(),
      { incidentId: INCIDENT, investigation: { result, from: FROM }, analystRoleName: 'SecurityAnalystRole' },
      terminal,
    );
    expect(outcomes.map((o) => [o.account, o.roleArn, o.failures.length])).toEqual([
      [ACCOUNT, undefined, 0],
      [MEMBER, `arn:aws:iam::${MEMBER}:role/SecurityAnalystRole`, 0],
      [DENIED, `arn:aws:iam::${DENIED}:role/SecurityAnalystRole`, 1],
      [UNREADABLE, `arn:aws:iam::${UNREADABLE}:role/SecurityAnalystRole`, 1],
    ]);
    const remains = (account: string) =>
      outcomes.find((o) => o.account === account)?.result?.remains?.map((r) => [r.target, r.remains]);
    expect(remains(ACCOUNT)).toEqual([
      ['user:JaneDoe', true],
      [`bucket:${BUCKET}`, true],
      ['access-key:AKIAIOSFODNN7EXAMPLE (user JorgeSouza)', true],
    ]);
    expect(remains(MEMBER)).toEqual([
      ['user:JaneDoe', false],
      [`bucket:${BUCKET}`, true],
      ['access-key:AKIAIOSFODNN7EXAMPLE (user JorgeSouza)', true],
    ]);
    expect(outcomes[1].result?.contained.map((r) => `${r.kind}:${r.target}`)).toEqual([
      `bucket:${BUCKET}`,
      'user:JaneDoe',
      'user:JorgeSouza',
    ]);
    expect(outcomes[2].error).toMatch(
      new RegExp(
        `cannot assume arn:aws:iam::${DENIED}:role/SecurityAnalystRole in account ${DENIED}: AccessDenied`,
      ),
    );
    expect(outcomes[3].error).toMatch(
      /^checking user:JaneDoe \(Part 6\) failed: AccessDenied: .*iam:GetUser .*service control policy$/,
    );

    // The member was read with the analyst session assumed for it, named after the operator, and only read.
    expect(
      security.wire.callsTo('sts', 'AssumeRole').map((c) => [c.params.RoleArn, c.params.RoleSessionName]),
    ).toEqual(
      expect.arrayContaining([
        [`arn:aws:iam::${MEMBER}:role/SecurityAnalystRole`, 'irkit-IncidentResponder-jane.doe@example.com'],
      ]),
    );
    expect(new Set(member.wire.calls.map(signedWith))).toEqual(new Set([sessionKey(MEMBER)]));
    expect(
      [...security.writes(), ...member.writes(), ...unreadable.writes()].filter(
        (w) => !/^AssumeRole/.test(w),
      ),
    ).toEqual([]);
    // Every call status made is one the analyst role is proven to be allowed (STATUS_READS).
    // (Every account runs the same reads: the operator's own shows those of a user that is still there.)
    const made = new Set(
      [...security.wire.calls, ...member.wire.calls].filter((c) => c.service !== 'sts').map(actionOf),
    );
    expect([...made].filter((a) => !STATUS_READS.some(([action]) => action === a))).toEqual([]);
    expect(made.size).toBeGreaterThan(10);

    const table = formatAccountsStatus(outcomes, INCIDENT, FROM);
    expect(table).toMatch(/^account +incident +target/);
    expect(table).toContain(`Part 6, checked against the investigation ${FROM}:`);
    expect(table).toMatch(
      new RegExp(
        `Account ${MEMBER}: 2 of 3 thing\\(s\\) the actor created remain \\(incident IR-DEMO\\):\\n  {3}user:JaneDoe: gone`,
      ),
    );
    expect(table).toMatch(new RegExp(`Account ${DENIED}: not checked: cannot assume`));
    expect(terminal.text()).toMatch(
      new RegExp(
        `${MEMBER} +arn:aws:iam::${MEMBER}:role/SecurityAnalystRole +OK +3 containment stack\\(s\\); 2 of 3 thing\\(s\\) the actor created remain`,
      ),
    );
    const json = JSON.parse(accountsStatusJson(outcomes, FROM));
    expect(json.remains).toContainEqual(
      expect.objectContaining({ account: MEMBER, target: 'user:JaneDoe', remains: false }),
    );
    expect(json.accounts).toContainEqual({
      account: DENIED,
      roleArn: `arn:aws:iam::${DENIED}:role/SecurityAnalystRole`,
      part6: 'failed',
      error: expect.stringMatching(/AccessDenied/),
    });

    let thrown: unknown;
    try {
      failIfAnyAccountFailed(outcomes, 'reading the status', 'IRKIT_STATUS_INCOMPLETE');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'IRKIT_STATUS_INCOMPLETE',
      message: expect.stringMatching(new RegExp(`failed in 2 of 4 account\\(s\\): ${DENIED}, ${UNREADABLE}`)),
    });
  });

  it('--account: only those accounts; an account the investigation does not name shows its stacks, Part 6 not checked there', async () => {
    const outcomes = await statusAccounts(
      access(),
      {
        incidentId: INCIDENT,
        investigation: { result: single, from: FROM },
        accounts: [MEMBER],
        analystRoleName: 'SecurityAnalystRole',
      },
      io(),
    );
    expect(outcomes.map((o) => [o.account, o.failures])).toEqual([[MEMBER, []]]);
    expect(outcomes[0].result?.contained).toHaveLength(3);
    expect(outcomes[0].result?.remains).toBeUndefined();
    expect(formatAccountsStatus(outcomes, INCIDENT, FROM)).toContain(
      `Account ${MEMBER}: the investigation names nothing in this account`,
    );
    expect(unreadable.wire.calls).toEqual([]);
  });
});
