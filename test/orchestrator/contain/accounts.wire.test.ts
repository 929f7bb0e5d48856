/**
 * Containment across the accounts of an organization through the REAL SDK v3 clients: STS
 * AssumeRole in the security account and CloudFormation, IAM and STS in each member account,
 * each a local server answering with AWS's documented bodies (test/support/aws-wire.ts),
 * AccessDenied from one account included.
 */

import { IrKitError } from '../../../lib/errors';
import { DEFAULT_NAMES, TAG_KEYS } from '../../../lib/names';
import {
  AccountAccess,
  DEFAULT_DEPLOY_ROLE_ARN_TEMPLATE,
  deployRoleArn,
  failIfAnyAccountFailed,
  roleSessionName,
} from '../../../orchestrator/contain/accounts';
import { containAccounts, releaseAccounts } from '../../../orchestrator/contain/contain-accounts';
import {
  accountsStatusJson,
  formatAccountsStatus,
  statusAccounts,
} from '../../../orchestrator/eradicate/status-accounts';
import { createPlan } from '../../../orchestrator/contain/plan';
import { containmentStackName } from '../../../orchestrator/contain/stack-names';
import {
  assumeRoleAnswer,
  AwsWire,
  awsQueryError,
  sessionKey,
  cfnXml,
  iamXml,
  startAwsWire,
  stsXml,
  WireCall,
} from '../../support/aws-wire';
import { clientsAt } from '../../support/wire-account';

const SECURITY = '777777777777';
const MEMBERS = ['111122223333', '444455556666', '123456789012'];
const DENIED = '444455556666';
const OPERATOR = `arn:aws:sts::${SECURITY}:assumed-role/IncidentResponder/jane.doe@example.com`;
const INCIDENT = 'IR-2021-0724';
const NOW = new Date('2021-07-24T03:00:00.200Z');

let security: AwsWire;
const members = new Map<string, AwsWire>();

beforeEach(async () => {
  security = await startAwsWire();
  security.on('sts', 'GetCallerIdentity', () =>
    stsXml(
      'GetCallerIdentity',
      `<Arn>${OPERATOR}</Arn><UserId>AROA:jane</UserId><Account>${SECURITY}</Account>`,
    ),
  );
  // AWS's AssumeRole response (STS API Reference), and its AccessDenied for a role that does not trust the caller.
  security.on('sts', 'AssumeRole', assumeRoleAnswer(OPERATOR, new Set([DENIED])));
  for (const account of MEMBERS) members.set(account, await memberWire(account));
});
afterEach(async () => {
  await security.close();
  for (const wire of members.values()) await wire.close({ allowUnrouted: true });
  members.clear();
});

/** A member account holding the role the actor assumed, answering contain's calls as AWS does. */
async function memberWire(account: string): Promise<AwsWire> {
  const wire = await startAwsWire();
  const stackId = (name: string) =>
    `arn:aws:cloudformation:us-east-1:${account}:stack/${name}/0a1b2c3d-0000-4000-8000-000000000000`;
  const created: Array<{ name: string; params: Record<string, string> }> = [];
  wire.on('sts', 'GetCallerIdentity', () =>
    stsXml(
      'GetCallerIdentity',
      `<Arn>arn:aws:sts::${account}:assumed-role/SecurityDeployRole/irkit-IncidentResponder-jane.doe@example.com</Arn>` +
        `<UserId>AROA:s</UserId><Account>${account}</Account>`,
    ),
  );
  wire.on('cloudformation', 'ListStacks', () =>
    cfnXml(
      'ListStacks',
      `<StackSummaries>${created
        .map(
          (s) =>
            `<member><StackId>${stackId(s.name)}</StackId><StackName>${s.name}</StackName>` +
            '<StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2021-07-24T03:00:00Z</CreationTime></member>',
        )
        .join('')}</StackSummaries>`,
    ),
  );
  wire.on('cloudformation', 'CreateStack', (p) => {
    created.push({ name: p.StackName, params: p });
    return cfnXml('CreateStack', `<StackId>${stackId(p.StackName)}</StackId>`);
  });
  wire.on('cloudformation', 'DescribeStacks', (p) => {
    const stack = created.find((s) => s.name === p.StackName || stackId(s.name) === p.StackName);
    if (!stack) {
      return awsQueryError({
        service: 'cloudformation',
        code: 'ValidationError',
        message: `Stack with id ${p.StackName} does not exist`,
      });
    }
    return cfnXml(
      'DescribeStacks',
      `<Stacks><member><StackId>${stackId(stack.name)}</StackId><StackName>${stack.name}</StackName>` +
        '<CreationTime>2021-07-24T03:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>' +
        `<Parameters><member><ParameterKey>RoleName</ParameterKey><ParameterValue>AppRole</ParameterValue></member></Parameters>` +
        `<Tags><member><Key>${TAG_KEYS.incident}</Key><Value>${INCIDENT}</Value></member></Tags>` +
        '<Outputs></Outputs></member></Stacks>',
    );
  });
  wire.on('cloudformation', 'DescribeStackEvents', () =>
    cfnXml('DescribeStackEvents', '<StackEvents></StackEvents>'),
  );
  wire.on('iam', 'GetRole', () =>
    iamXml(
      'GetRole',
      `<Role><Path>/</Path><RoleName>AppRole</RoleName><RoleId>AROAAPPROLE</RoleId>` +
        `<Arn>arn:aws:iam::${account}:role/AppRole</Arn><CreateDate>2021-07-16T00:00:00Z</CreateDate>` +
        '<AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role>',
    ),
  );
  wire.on('iam', 'ListRoleTags', () =>
    iamXml('ListRoleTags', '<Tags></Tags><IsTruncated>false</IsTruncated>'),
  );
  const revoke = encodeURIComponent(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2021-07-24T03:00:01Z' } },
        },
      ],
    }),
  );
  wire.on('iam', 'GetRolePolicy', (p) =>
    iamXml(
      'GetRolePolicy',
      `<RoleName>${p.RoleName}</RoleName><PolicyName>${p.PolicyName}</PolicyName><PolicyDocument>${revoke}</PolicyDocument>`,
    ),
  );
  return wire;
}

/** The access key a request was signed with (SigV4's Credential=KEY/date/region/service). */
const signedWith = (call: WireCall) =>
  /Credential=([A-Z0-9]+)\//.exec(String(call.headers.authorization))?.[1];

const access: () => AccountAccess = () => ({
  home: clientsAt(security),
  clientsFor: (account, credentials) => {
    if ('unavailable' in credentials) throw new Error(`unexpected: no credentials for ${account}`);
    return clientsAt(members.get(account) as AwsWire, credentials);
  },
});

const plans = () =>
  MEMBERS.map((accountId) =>
    createPlan({ incidentId: INCIDENT, accountId, steps: [{ kind: 'role', name: 'AppRole' }] }),
  );

function io() {
  const out: string[] = [];
  const log: string[] = [];
  return {
    out: (text: string) => out.push(text),
    log: (line: string) => log.push(line),
    sleep: () => Promise.resolve(),
    now: () => NOW,
    output: out,
    lines: log,
  };
}

describe('containment in every member account through its deploy role, on the wire', () => {
  it('assumes each deploy role with the operator in the session, contains each account, and reports the one AccessDenied', async () => {
    const terminal = io();
    const result = await containAccounts(
      access(),
      {
        incidentId: INCIDENT,
        plans: plans(),
        yes: true,
        pollIntervalMs: 1,
        verify: { attempts: 2, firstDelayMs: 1 },
        names: DEFAULT_NAMES,
      },
      terminal,
    );

    const assumed = security.callsTo('sts', 'AssumeRole').map((c) => c.params);
    expect(assumed.map((p) => p.RoleArn).sort()).toEqual(
      MEMBERS.map((a) => `arn:aws:iam::${a}:role/SecurityDeployRole`).sort(),
    );
    for (const p of assumed) {
      expect(p.RoleSessionName).toBe('irkit-IncidentResponder-jane.doe@example.com');
      expect(p.DurationSeconds).toBe('3600');
    }

    const byAccount = Object.fromEntries(result.accounts.map((o) => [o.account, o]));
    for (const account of ['111122223333', '123456789012']) {
      expect(byAccount[account].failures).toEqual([]);
      expect(byAccount[account].result?.results).toEqual([
        expect.objectContaining({ label: 'role:AppRole', outcome: 'contained', verified: true }),
      ]);
      const wire = members.get(account) as AwsWire;
      // Every call in the member was signed with that member's assumed-role key.
      expect(new Set(wire.calls.map(signedWith))).toEqual(new Set([sessionKey(account)]));
      expect(wire.callsTo('cloudformation', 'CreateStack')[0].params).toMatchObject({
        StackName: containmentStackName(INCIDENT, 'role', 'AppRole'),
        RoleARN: `arn:aws:iam::${account}:role/IrKitContainmentExecutionRole`,
      });
    }
    expect(byAccount[DENIED].error).toMatch(
      /cannot assume arn:aws:iam::444455556666:role\/SecurityDeployRole in account 444455556666: AccessDenied/,
    );
    expect(members.get(DENIED)?.calls).toEqual([]);

    const printed = terminal.output.join('');
    expect(printed).toMatch(/\[111122223333\] .*Containment plan for incident IR-2021-0724/);
    expect(printed).toMatch(
      /444455556666 +arn:aws:iam::444455556666:role\/SecurityDeployRole +FAILED +cannot assume/,
    );

    let thrown: unknown;
    try {
      failIfAnyAccountFailed(result.accounts, 'containment');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IrKitError);
    expect((thrown as IrKitError).code).toBe('IRKIT_CONTAINMENT_FAILED');
    expect((thrown as IrKitError).message).toMatch(/failed in 1 of 3 account\(s\): 444455556666/);
  });

  it('--account restricts to that account’s plan; an account the plan does not name is refused before any call', async () => {
    const result = await containAccounts(
      access(),
      {
        incidentId: INCIDENT,
        plans: plans(),
        accounts: ['123456789012'],
        yes: true,
        pollIntervalMs: 1,
        verify: { attempts: 2, firstDelayMs: 1 },
        names: DEFAULT_NAMES,
      },
      io(),
    );
    expect(result.accounts.map((o) => o.account)).toEqual(['123456789012']);
    expect(security.callsTo('sts', 'AssumeRole')).toHaveLength(1);

    security.reset();
    await expect(
      containAccounts(
        access(),
        { incidentId: INCIDENT, plans: plans(), accounts: ['210987654321'], yes: true },
        io(),
      ),
    ).rejects.toThrow(/the plan has nothing for account 210987654321/);
    expect(security.calls).toEqual([]);
  });
});

describe('status and release across the member accounts, on the wire', () => {
  const contained = async () =>
    containAccounts(
      access(),
      {
        incidentId: INCIDENT,
        plans: plans(),
        yes: true,
        pollIntervalMs: 1,
        verify: { attempts: 2, firstDelayMs: 1 },
        names: DEFAULT_NAMES,
      },
      io(),
    );

  it('status lists each account’s containment stacks with its account, through its analyst role, and names the account it could not read', async () => {
    await contained();
    security.reset();
    security.on('sts', 'GetCallerIdentity', () =>
      stsXml(
        'GetCallerIdentity',
        `<Arn>${OPERATOR}</Arn><UserId>AROA:jane</UserId><Account>${SECURITY}</Account>`,
      ),
    );
    security.on('sts', 'AssumeRole', assumeRoleAnswer(OPERATOR, new Set([DENIED])));
    const terminal = io();
    const outcomes = await statusAccounts(
      access(),
      { accounts: MEMBERS, incidentId: INCIDENT, analystRoleName: 'SecurityAnalystRole' },
      terminal,
    );
    expect(security.callsTo('sts', 'AssumeRole').map((c) => c.params.RoleArn)).toEqual(
      expect.arrayContaining(MEMBERS.map((a) => `arn:aws:iam::${a}:role/SecurityAnalystRole`)),
    );
    const rows = outcomes.flatMap((o) =>
      (o.result?.contained ?? []).map((r) => [o.account, `${r.kind}:${r.target}`, r.stackStatus]),
    );
    expect(rows).toEqual([
      ['111122223333', 'role:AppRole', 'CREATE_COMPLETE'],
      ['123456789012', 'role:AppRole', 'CREATE_COMPLETE'],
    ]);
    const table = formatAccountsStatus(outcomes, INCIDENT);
    expect(table).toMatch(/^account +incident/);
    expect(terminal.output.join('')).toMatch(
      /444455556666 +arn:aws:iam::444455556666:role\/SecurityAnalystRole +FAILED +cannot assume .*AccessDenied/,
    );
    expect(JSON.parse(accountsStatusJson(outcomes))[0]).toMatchObject({
      account: '111122223333',
      kind: 'role',
    });
    expect(() => failIfAnyAccountFailed(outcomes, 'reading the status', 'IRKIT_STATUS_INCOMPLETE')).toThrow(
      /reading the status failed in 1 of 3 account\(s\): 444455556666/,
    );
  });

  it('release --dry-run lists per account what it would release, through the same roles, changing nothing', async () => {
    await contained();
    const terminal = io();
    const outcomes = await releaseAccounts(
      access(),
      {
        incidentId: INCIDENT,
        accounts: ['111122223333', '123456789012'],
        dryRun: true,
        names: DEFAULT_NAMES,
      },
      terminal,
    );
    expect(outcomes.map((o) => [o.account, o.result?.results.map((r) => `${r.label} ${r.outcome}`)])).toEqual(
      [
        ['111122223333', ['role:AppRole planned']],
        ['123456789012', ['role:AppRole planned']],
      ],
    );
    for (const account of ['111122223333', '123456789012']) {
      expect((members.get(account) as AwsWire).callsTo('cloudformation', 'DeleteStack')).toEqual([]);
    }
    expect(terminal.output.join('')).toMatch(
      /123456789012 +arn:aws:iam::123456789012:role\/SecurityDeployRole +OK +1 to release/,
    );
  });
});

describe('the deploy role and the session name', () => {
  it('fills the template with the account, refusing a template that is not a role ARN with {account}', () => {
    expect(deployRoleArn(DEFAULT_DEPLOY_ROLE_ARN_TEMPLATE, '111122223333')).toBe(
      'arn:aws:iam::111122223333:role/SecurityDeployRole',
    );
    expect(deployRoleArn('arn:aws:iam::{account}:role/ir/OrgResponder', '111122223333')).toBe(
      'arn:aws:iam::111122223333:role/ir/OrgResponder',
    );
    for (const bad of [
      'arn:aws:iam::111122223333:role/SecurityDeployRole',
      'SecurityDeployRole',
      'arn:aws:iam::{account}:user/x',
    ]) {
      expect(() => deployRoleArn(bad, '111122223333')).toThrow(/invalid deploy role ARN template/);
    }
  });

  it('records the operator within STS’s RoleSessionName pattern and length', () => {
    const caller = (arn: string) => ({ arn, account: SECURITY, partition: 'aws' });
    expect(roleSessionName(caller(OPERATOR))).toBe('irkit-IncidentResponder-jane.doe@example.com');
    expect(roleSessionName(caller(`arn:aws:iam::${SECURITY}:user/ops/Mary Major`))).toBe(
      'irkit-ops-Mary-Major',
    );
    const long = roleSessionName(
      caller(`arn:aws:sts::${SECURITY}:assumed-role/${'R'.repeat(60)}/session:with*odd#chars`),
    );
    expect(long).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(long).toHaveLength(64);
    expect(roleSessionName(undefined)).toBe('irkit-unknown');
  });
});
