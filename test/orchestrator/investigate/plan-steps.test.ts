import { readFileSync } from 'fs';
import * as path from 'path';

import { parsePlan, serializePlan } from '../../../orchestrator/contain/plan';
import {
  InvestigationResult,
  investigate,
  renderJson,
  renderMarkdown,
  renderTable,
} from '../../../orchestrator/investigate';
import { ACCOUNT, FakeEngine, FakeRow, T, by, eventId, userIdentity } from './fake-engine';

/**
 * The plan follows the playbook's steps 9 and 10 (issue 11, item 8): principals the actor
 * created get deny-all and their keys; pre-existing principals it changed get only the
 * actor's changes undone (by hand) and are listed for their owner's approval; rogue
 * resources the kit cannot contain yet appear with the exact AWS CLI command, validated.
 */

const WINDOW = { from: '2021/07/16', to: '2021/07/24' };
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const JANE_KEY = 'AKIAI44QH8DHBEXAMPLE';
const CI_KEY = 'AKIAIOSFODNN7CIDEPLY';
const IP = '198.51.100.77';
const OTHER = '111122223333';
const DETECTOR = '12abc34d567e8fa901bc2d34e56789f0';
const ids = {
  createUser: eventId(),
  janeKey: eventId(),
  ciKey: eventId(),
  bobPassword: eventId(),
  carolPolicy: eventId(),
  run: eventId(),
  send: eventId(),
  badRun: eventId(),
  share: eventId(),
  stop: eventId(),
  detector: eventId(),
  fn: eventId(),
};

const iam = (eventname: string, principal_name: string, eventid: string, extra: FakeRow = {}): FakeRow => ({
  eventtime: T(1),
  awsregion: 'us-east-1',
  eventname,
  principal_type: 'user',
  principal_name,
  eventid,
  ...extra,
});

const change = (
  eventsource: string,
  eventname: string,
  eventid: string,
  request: unknown,
  response: unknown = null,
  seconds = 5,
): FakeRow => ({
  eventtime: T(seconds),
  awsregion: 'us-east-1',
  eventsource,
  eventname,
  requestparameters: JSON.stringify(request),
  responseelements: JSON.stringify(response),
  recipientaccountid: ACCOUNT,
  access_key_id: KEY,
  sourceipaddress: IP,
  eventid,
});

function engine(): FakeEngine {
  return new FakeEngine({
    'key-first-last-seen': by('accessKeyId', {
      [KEY]: [userIdentity('JorgeSouza', KEY)],
      [JANE_KEY]: [userIdentity('JaneDoe', JANE_KEY)],
      [CI_KEY]: [userIdentity('ci-deployer', CI_KEY)],
    }),
    'key-source-ips': by('accessKeyId', {
      [KEY]: [{ sourceipaddress: IP, useragent: 'aws-cli/2.2.1', count: 9 }],
    }),
    'key-principals-created': by('accessKeyId', {
      [KEY]: [
        iam('CreateUser', 'JaneDoe', ids.createUser, {
          principal_arn: `arn:aws:iam::${ACCOUNT}:user/JaneDoe`,
        }),
        iam('CreateAccessKey', 'JaneDoe', ids.janeKey, { access_key_id: JANE_KEY }),
        iam('CreateAccessKey', 'ci-deployer', ids.ciKey, { access_key_id: CI_KEY }),
        iam('CreateLoginProfile', 'Bob', ids.bobPassword),
        iam('AttachUserPolicy', 'Carol', ids.carolPolicy, {
          policy_or_group: 'arn:aws:iam::aws:policy/AdministratorAccess',
        }),
      ],
    }),
    'key-change-details': by('accessKeyId', {
      [KEY]: [
        change(
          'ec2.amazonaws.com',
          'RunInstances',
          ids.run,
          { instancesSet: { items: [{ imageId: 'ami-0abcdef1234567890' }] } },
          { instancesSet: { items: [{ instanceId: 'i-0123456789abcdef0' }] } },
        ),
        change('ssm.amazonaws.com', 'SendCommand', ids.send, {
          documentName: 'AWS-RunShellScript',
          instanceIds: ['i-0aaaaaaaaaaaaaaa1'],
        }),
        change(
          'ec2.amazonaws.com',
          'RunInstances',
          ids.badRun,
          { instancesSet: { items: [{ imageId: 'ami-0abcdef1234567890' }] } },
          { instancesSet: { items: [{ instanceId: 'i-0bad;rm -rf /' }] } },
        ),
        change('ec2.amazonaws.com', 'ModifySnapshotAttribute', ids.share, {
          snapshotId: 'snap-0fedcba9876543210',
          attributeType: 'CREATE_VOLUME_PERMISSION',
          createVolumePermission: { add: { items: [{ userId: OTHER }] } },
        }),
        change('cloudtrail.amazonaws.com', 'StopLogging', ids.stop, { name: 'management-events' }),
        change('guardduty.amazonaws.com', 'UpdateDetector', ids.detector, {
          detectorId: DETECTOR,
          enable: false,
        }),
        change(
          'lambda.amazonaws.com',
          'CreateFunction20150331',
          ids.fn,
          { functionName: 'exfil-fn', role: `arn:aws:iam::${ACCOUNT}:role/BackdoorRole` },
          { functionName: 'exfil-fn' },
        ),
      ],
    }),
  });
}

describe('GIVEN an actor that creates a user, changes existing users and leaves rogue resources', () => {
  let result: InvestigationResult;
  beforeAll(async () => {
    result = await investigate(engine(), { kind: 'accessKey', accessKeyId: KEY }, WINDOW, {
      incidentId: 'IR-2021-0724',
    });
  });
  const manual = (target: string, name: string) =>
    result.containmentPlan.manualActions?.find((a) => a.target === target && a.name === name);

  test('denies everything to the user the actor created, with its key, and says it was created', () => {
    const jane = result.containmentPlan.steps.find((s) => s.name === 'JaneDoe');
    expect(jane).toMatchObject({ kind: 'user', accessKeyIds: [JANE_KEY] });
    expect(jane?.evidence[0]).toMatchObject({
      reason:
        'created by JorgeSouza with AKIAIOSFODNN7EXAMPLE: the actor’s own user, deny-all and its keys set Inactive (playbook step 9)',
      eventName: 'CreateUser',
      eventId: ids.createUser,
    });
  });

  test('never gives a deny-all step to a pre-existing user the actor gave a key, a password or a policy', () => {
    const names = result.containmentPlan.steps.map((s) => s.name);
    expect(names).not.toEqual(expect.arrayContaining(['ci-deployer']));
    expect(names).not.toContain('Bob');
    expect(names).not.toContain('Carol');
  });

  test('deactivates only the key the actor created for a pre-existing user, by hand, with the exact command', () => {
    expect(manual('access-key', CI_KEY)).toMatchObject({
      command: `aws iam update-access-key --user-name ci-deployer --access-key-id ${CI_KEY} --status Inactive`,
      evidence: [expect.objectContaining({ eventName: 'CreateAccessKey', eventId: ids.ciKey })],
    });
  });

  test('flags the password and the attachment the actor made on pre-existing users, with their commands', () => {
    expect(manual('login-profile', 'Bob')).toMatchObject({
      action: expect.stringMatching(/^flagged: delete the console password the actor gave Bob/),
      command: 'aws iam delete-login-profile --user-name Bob',
    });
    expect(manual('policy', 'arn:aws:iam::aws:policy/AdministratorAccess')).toMatchObject({
      command:
        'aws iam detach-user-policy --user-name Carol --policy-arn arn:aws:iam::aws:policy/AdministratorAccess',
      evidence: [expect.objectContaining({ eventId: ids.carolPolicy })],
    });
  });

  test('lists each pre-existing user the actor changed for its owner’s approval, with the events and the deny-all command', () => {
    const approvals = result.containmentPlan.approvals ?? [];
    expect(approvals.map((a) => a.name).sort()).toEqual(['Bob', 'Carol', 'ci-deployer']);
    expect(approvals.find((a) => a.name === 'ci-deployer')).toEqual({
      kind: 'user',
      name: 'ci-deployer',
      changes: [
        expect.objectContaining({
          reason: `access key ${CI_KEY} created by JorgeSouza with ${KEY}`,
          eventName: 'CreateAccessKey',
          eventId: ids.ciKey,
        }),
      ],
      command: 'irkit contain --incident IR-2021-0724 --user ci-deployer',
    });
    expect(approvals.find((a) => a.name === 'Bob')?.changes[0]).toMatchObject({
      eventName: 'CreateLoginProfile',
      eventId: ids.bobPassword,
    });
  });

  test('gives the instance the actor launched and the one it commanded a stop-instances command', () => {
    expect(manual('instance', 'i-0123456789abcdef0')).toMatchObject({
      region: 'us-east-1',
      action: expect.stringMatching(/^stop the instance the actor launched/),
      command: 'aws ec2 stop-instances --instance-ids i-0123456789abcdef0 --region us-east-1',
      evidence: [expect.objectContaining({ eventName: 'RunInstances', eventId: ids.run })],
    });
    expect(manual('instance', 'i-0aaaaaaaaaaaaaaa1')).toMatchObject({
      action: expect.stringMatching(/pre-existing instance the actor commanded \(SendCommand\)/),
      command: 'aws ec2 stop-instances --instance-ids i-0aaaaaaaaaaaaaaa1 --region us-east-1',
    });
  });

  test('emits no command for an id from the logs that fails its pattern, and says to check it by hand', () => {
    const bad = manual('instance', 'i-0bad;rm -rf /');
    expect(bad?.command).toBeUndefined();
    expect(bad?.action).toMatch(/"i-0bad;rm -rf \/" is not a valid id: check by hand$/);
  });

  test('stops sharing the snapshot with the account the actor named', () => {
    expect(manual('snapshot', 'snap-0fedcba9876543210')).toMatchObject({
      action: `stop sharing the snapshot with account ${OTHER} (the actor shared it)`,
      command:
        'aws ec2 modify-snapshot-attribute --snapshot-id snap-0fedcba9876543210 --attribute createVolumePermission ' +
        `--operation-type remove --user-ids ${OTHER} --region us-east-1`,
    });
  });

  test('turns the stopped trail and the updated detector back on, and throttles the created function', () => {
    expect(manual('trail', 'management-events')?.command).toBe(
      'aws cloudtrail start-logging --name management-events --region us-east-1',
    );
    expect(manual('detector', DETECTOR)?.command).toBe(
      `aws guardduty update-detector --detector-id ${DETECTOR} --enable --region us-east-1`,
    );
    expect(manual('function', 'exfil-fn')?.command).toBe(
      'aws lambda put-function-concurrency --function-name exfil-fn --reserved-concurrent-executions 0 --region us-east-1',
    );
  });

  test('keeps the plan readable by irkit contain, new fields and all', () => {
    const plan = parsePlan(renderJson(result));
    expect(plan.manualActions).toEqual(result.containmentPlan.manualActions);
    expect(plan.approvals).toEqual(result.containmentPlan.approvals);
    expect(parsePlan(serializePlan(plan))).toEqual(plan);
  });

  test('shows every manual action and approval in Part 4 of the Markdown and the table, commands in code spans', () => {
    const markdown = renderMarkdown(result);
    expect(markdown).toContain(
      '- EC2 Instance: `i-0123456789abcdef0` (us-east-1): stop the instance the actor launched',
    );
    expect(markdown).toContain(
      '`aws ec2 stop-instances --instance-ids i-0123456789abcdef0 --region us-east-1`',
    );
    expect(markdown).toContain('`irkit contain --incident IR-2021-0724 --user ci-deployer`');
    const table = renderTable(result);
    expect(table).toContain(`Containment plan for account ${ACCOUNT}`);
    expect(table).toContain('By hand (the kit cannot contain these yet; playbook steps 9 and 10):');
    expect(table).toContain('aws cloudtrail start-logging --name management-events --region us-east-1');
    expect(table).toContain('For the owner’s approval');
  });

  test('documents every field of the plan’s manual actions and approvals', () => {
    const doc = readFileSync(
      path.join(__dirname, '..', '..', '..', 'docs', 'investigation-format.md'),
      'utf8',
    );
    const keys = new Set(
      [...(result.containmentPlan.manualActions ?? []), ...(result.containmentPlan.approvals ?? [])].flatMap(
        (a) => Object.keys(a),
      ),
    );
    const targets = new Set((result.containmentPlan.manualActions ?? []).map((a) => a.target));
    expect([...keys, ...targets].filter((k) => !doc.includes(`\`${k}\``) && !doc.includes(`"${k}"`))).toEqual(
      [],
    );
  });
});

describe('GIVEN a plan document with the new fields', () => {
  const base = { formatVersion: 1, steps: [] };

  test('refuses an unknown field in a manual action', () => {
    const doc = { ...base, manualActions: [{ target: 'instance', name: 'i-1', action: 'x', bogus: 1 }] };
    expect(() => parsePlan(JSON.stringify(doc))).toThrow(/unknown field "bogus"/);
  });

  test('refuses a manual action on a target it does not know', () => {
    const doc = { ...base, manualActions: [{ target: 'rds', name: 'db', action: 'x' }] };
    expect(() => parsePlan(JSON.stringify(doc))).toThrow(/target is "rds"/);
  });

  test('refuses an approval of anything but a user or a role', () => {
    const doc = { ...base, approvals: [{ kind: 'bucket', name: 'b', changes: [], command: 'x' }] };
    expect(() => parsePlan(JSON.stringify(doc))).toThrow(/kind is "bucket"/);
  });

  test('reads a plan without them as before', () => {
    expect(parsePlan(JSON.stringify(base))).toEqual(base);
  });
});
