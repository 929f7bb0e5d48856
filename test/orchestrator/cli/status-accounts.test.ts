/**
 * `irkit status --incident ID --plan FILE` over an investigation naming three accounts, the CLI
 * end to end through the real SDK clients against one local endpoint (AWS_ENDPOINT_URL_*): the
 * account of each call is the key it was signed with (the operator's, or a member's analyst
 * session). One member's role refuses the operator (STS AccessDenied): exit code 4 names it, and
 * the others are still shown.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { renderJson } from '../../../orchestrator/investigate';
import { irkitWithEnv } from '../../helpers/cli';
import {
  assumeRoleAnswer,
  AwsWire,
  cfnXml,
  iamNoSuchEntity,
  noContent,
  sessionKey,
  startAwsWire,
  stsXml,
  WireCall,
} from '../../support/aws-wire';
import { acrossAccounts, demoResult, INCIDENT } from '../eradicate/fixture';

const HOME = '777777777777';
const MEMBER = '111122223333';
const DENIED = '444455556666';
const OPERATOR = `arn:aws:sts::${HOME}:assumed-role/IncidentResponder/jane.doe@example.com`;
const KEY = 'AKIAIOSFODNN7EXAMPLE';

let dir: string;
let plan: string;
let wire: AwsWire;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'irkit-cli-status-'));
  plan = join(dir, 'investigation.json');
  writeFileSync(plan, renderJson(acrossAccounts(await demoResult(), [MEMBER, DENIED])));
  const config = join(dir, 'irkit.json');
  writeFileSync(config, '{}');
  wire = await startAwsWire();
  env = {
    IRKIT_CONFIG: config,
    ...Object.fromEntries(
      ['STS', 'IAM', 'CLOUDFORMATION', 'S3', 'EC2'].map((s) => [`AWS_ENDPOINT_URL_${s}`, wire.endpoint]),
    ),
    AWS_ACCESS_KEY_ID: KEY,
    AWS_SECRET_ACCESS_KEY: 'wire-test-secret',
    AWS_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
  };
}, 60_000);
afterAll(async () => {
  await wire.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  wire.reset();
  wire.on('sts', 'GetCallerIdentity', () =>
    stsXml('GetCallerIdentity', `<Arn>${OPERATOR}</Arn><UserId>AROA:jane</UserId><Account>${HOME}</Account>`),
  );
  wire.on('sts', 'AssumeRole', assumeRoleAnswer(OPERATOR, new Set([DENIED])));
  wire.on('cloudformation', 'ListStacks', () => cfnXml('ListStacks', '<StackSummaries></StackSummaries>'));
  // Everything the actor created is gone, in every account: IAM NoSuchEntity, S3 404.
  wire.on('iam', 'GetUser', (p) => iamNoSuchEntity('user', p.UserName));
  wire.on('s3', 'HeadBucket', () => noContent(404));
});

/** `irkit status --incident` of the fixture's incident, with further flags. */
const statusOf = (...flags: string[]) => irkitWithEnv(env, 'status', '--incident', INCIDENT, ...flags);

const signedWith = (call: WireCall) => /Credential=(\w+)\//.exec(String(call.headers.authorization))?.[1];

describe('irkit status --incident across accounts', () => {
  it('checks Part 6 in every account the investigation names; exit code 4 names the account it could not enter', async () => {
    const run = await statusOf('--plan', plan);
    expect(run.code).toBe(4);
    expect(run.stdout).toContain(`Part 6, checked against the investigation ${plan}:`);
    expect(run.stdout).toMatch(
      new RegExp(
        `Account ${HOME}: Nothing of what the actor created remains \\(incident ${INCIDENT}, 3 target\\(s\\) checked\\)`,
      ),
    );
    expect(run.stdout).toMatch(new RegExp(`Account ${MEMBER}: Nothing of what the actor created remains`));
    expect(run.stdout).toMatch(new RegExp(`Account ${DENIED}: not checked: cannot assume .*AccessDenied`));
    expect(run.stdout).toMatch(new RegExp(`${MEMBER} +arn:aws:iam::${MEMBER}:role/SecurityAnalystRole +OK`));
    expect(run.stderr).toMatch(
      new RegExp(`IRKIT_STATUS_INCOMPLETE: reading the status failed in 1 of 3 account\\(s\\): ${DENIED}`),
    );
    // The member was read with its analyst session only.
    const memberCalls = wire.calls.filter((c) => signedWith(c) === sessionKey(MEMBER));
    expect(new Set(memberCalls.map((c) => c.operation))).toEqual(
      new Set(['ListStacks', 'GetUser', 'HeadBucket']),
    );
    expect(
      wire
        .callsTo('sts', 'AssumeRole')
        .map((c) => c.params.RoleArn)
        .sort(),
    ).toEqual([
      `arn:aws:iam::${MEMBER}:role/SecurityAnalystRole`,
      `arn:aws:iam::${DENIED}:role/SecurityAnalystRole`,
    ]);
  });

  it('--format json: the rows and what remains, each with its account, the summary on stderr; --account restricts', async () => {
    const run = await statusOf('--plan', plan, '--account', MEMBER, '--format', 'json');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ contained: [], remainsFrom: plan });
    expect(json.remains).toEqual([
      expect.objectContaining({ account: MEMBER, target: 'user:JaneDoe', remains: false }),
      expect.objectContaining({ account: MEMBER, remains: false }),
      expect.objectContaining({ account: MEMBER, remains: false }),
    ]);
    expect(json.accounts).toEqual([
      { account: MEMBER, roleArn: `arn:aws:iam::${MEMBER}:role/SecurityAnalystRole`, part6: 'checked' },
    ]);
    expect(run.stderr).toContain('Per account:');
    expect(wire.callsTo('sts', 'AssumeRole')).toHaveLength(1);
  });

  it('one account: Part 6 runs after every containment stack is released (none left), and --account twice enters once', async () => {
    const single = join(dir, 'single.json');
    writeFileSync(single, renderJson(await demoResult()));

    const run = await statusOf('--plan', single);
    const twice = await statusOf('--plan', plan, '--account', MEMBER, '--account', MEMBER);

    expect(run.stderr).not.toContain('IRKIT_UNKNOWN_INCIDENT');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('nothing is contained');
    expect(run.stdout).toMatch(
      /Nothing of what the actor created remains \(incident [\w-]+, \d+ target\(s\) checked\)/,
    );
    expect(twice.code).toBe(0);
    expect(wire.callsTo('sts', 'AssumeRole')).toHaveLength(1);
  });
});
