import { rmSync } from 'node:fs';

import {
  GenerateSummary,
  ScenarioCall,
  VARIANT_IDS,
  VARIANT_NAMES,
  buildIncident,
  generateIncident,
} from '../../../simulation/synthetic';
import { AnyRecord, FlowFile, readCloudTrail, readFlowLogs, tempDir } from './helpers';

const ACCOUNTS = ['777777777777', '111122223333'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const ACTOR_KEY = 'AKIAIOSFODNN7EXAMPLE';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('variants: every extension of the incident, written and documented', () => {
  let summary: GenerateSummary;
  let records: AnyRecord[];
  let flows: FlowFile[];
  const byEventId = new Map<string, AnyRecord>();

  beforeAll(async () => {
    const out = tempDir('variants');
    dirs.push(out);
    summary = await generateIncident({
      outDir: out,
      backgroundEvents: 3000,
      // Two days keep the file count (and the test) small; the incident is on the last.
      days: 2,
      flowRecords: 300,
      accounts: ACCOUNTS,
      regions: REGIONS,
      variants: [...VARIANT_NAMES],
    });
    records = readCloudTrail(out).flatMap((f) => f.records);
    flows = readFlowLogs(out);
    for (const r of records) byEventId.set(r.eventID, r);
  });

  const truth = () => summary.groundTruth;
  /** The written record of a ground-truth call: same time, name, account, region and identity. */
  const written = (c: ScenarioCall) =>
    records.filter(
      (r) =>
        r.eventTime === c.eventTime &&
        r.eventName === c.eventName &&
        r.recipientAccountId === c.recipientAccountId &&
        r.awsRegion === c.awsRegion &&
        JSON.stringify(r.userIdentity) === JSON.stringify(c.userIdentity),
    );
  const byKey = (key: string) => records.filter((r) => r.userIdentity.accessKeyId === key);

  it('documents each variant and writes every one of its calls exactly once', () => {
    const t = truth();
    expect(t.variants).toEqual([...VARIANT_NAMES]);
    expect(Object.keys(t.variantTruth).sort()).toEqual([...VARIANT_NAMES].sort());
    const added = VARIANT_NAMES.reduce((n, v) => n + (t.variantTruth[v]?.calls ?? 0), 0);
    expect(t.calls).toHaveLength(16 + added);
    expect(summary.events.incident).toBe(t.calls.length);
    for (const c of t.calls) {
      const found = written(c);
      expect(found).toHaveLength(1);
      expect(JSON.stringify(found[0].requestParameters)).toBe(JSON.stringify(c.requestParameters));
      expect(JSON.stringify(found[0].responseElements)).toBe(JSON.stringify(c.responseElements));
    }
  });

  it('sessionToken: the actor mints an ASIA key with GetSessionToken and works as JorgeSouza with it', () => {
    const key = VARIANT_IDS.sessionAccessKeyId;
    const mint = byKey(ACTOR_KEY).find((r) => r.eventName === 'GetSessionToken') as AnyRecord;
    expect(mint.responseElements.credentials.accessKeyId).toBe(key);
    expect(key).toMatch(/^ASIA[A-Z0-9]{16}$/);
    const used = byKey(key);
    expect(used.map((r) => r.eventName)).toEqual(['ListBuckets', 'CreateBucket']);
    for (const r of used) {
      expect(r.userIdentity).toMatchObject({
        type: 'IAMUser',
        userName: 'JorgeSouza',
        sessionContext: { attributes: { creationDate: mint.eventTime, mfaAuthenticated: 'false' } },
      });
    }
    expect(truth().variantTruth.sessionToken?.sessionKeys).toEqual([
      { accessKeyId: key, principal: 'JorgeSouza' },
    ]);
    expect(truth().containment.buckets).toContainEqual({
      account: '777777777777',
      name: 'DOC-EXAMPLE-BUCKET1',
    });
  });

  it('assumeRole: the actor assumes DevOpsRole, a role the organization itself uses, and works as it', () => {
    const key = VARIANT_IDS.roleAccessKeyId;
    const assume = byKey(ACTOR_KEY).find((r) => r.eventName === 'AssumeRole') as AnyRecord;
    expect(assume.requestParameters.roleArn).toBe('arn:aws:iam::777777777777:role/DevOpsRole');
    expect(assume.responseElements.credentials.accessKeyId).toBe(key);
    expect(assume.responseElements.assumedRoleUser.arn).toBe(
      'arn:aws:sts::777777777777:assumed-role/DevOpsRole/maintenance',
    );
    const used = byKey(key);
    expect(used.map((r) => r.eventName)).toEqual([
      'ListSecrets',
      'GetSecretValue',
      'CreateSnapshot',
      'ModifySnapshotAttribute',
    ]);
    for (const r of used) {
      expect(r.userIdentity.type).toBe('AssumedRole');
      expect(r.userIdentity.sessionContext.sessionIssuer.userName).toBe('DevOpsRole');
      expect(r.userIdentity.userName).toBeUndefined();
    }
    // Other people's DevOpsRole sessions: the same role, so containment must revoke sessions, not deny the role.
    const others = records.filter(
      (r) =>
        r.userIdentity.sessionContext?.sessionIssuer?.userName === 'DevOpsRole' &&
        r.recipientAccountId === '777777777777' &&
        r.userIdentity.accessKeyId !== key,
    );
    expect(others.length).toBeGreaterThan(0);
    expect(new Set(others.map((r) => r.userIdentity.sessionContext.sessionIssuer.principalId))).toEqual(
      new Set([VARIANT_IDS.devOpsRole.roleId]),
    );
    expect(truth().containment.roles).toContainEqual({
      account: '777777777777',
      name: 'DevOpsRole',
      mode: 'revoke',
    });
  });

  it('loginProfile: the actor gives JaneDoe a password, JaneDoe signs in and clicks around', () => {
    const create = byKey(ACTOR_KEY).find((r) => r.eventName === 'CreateLoginProfile') as AnyRecord;
    expect(create.requestParameters.userName).toBe('JaneDoe');
    const login = records.find(
      (r) => r.eventName === 'ConsoleLogin' && r.userIdentity.userName === 'JaneDoe',
    ) as AnyRecord;
    expect(login).toMatchObject({
      eventType: 'AwsConsoleSignIn',
      eventSource: 'signin.amazonaws.com',
      sourceIPAddress: '198.51.100.77',
      responseElements: { ConsoleLogin: 'Success' },
    });
    expect(login.userIdentity.accessKeyId).toBeUndefined();
    const clicks = byKey(VARIANT_IDS.consoleAccessKeyId);
    expect(clicks.map((r) => r.eventName)).toEqual(['ListUsers', 'GetAccountSummary']);
    expect(
      clicks.every((r) => r.sessionCredentialFromConsole === 'true' && r.userAgent === 'AWS Internal'),
    ).toBe(true);
  });

  it('deleteResource: JaneDoe deletes its own object and bucket and a log group that existed before', () => {
    const deletes = records.filter(
      (r) => r.userIdentity.userName === 'JaneDoe' && /^Delete/.test(r.eventName),
    );
    expect(deletes.map((r) => r.eventName)).toEqual(['DeleteObject', 'DeleteBucket', 'DeleteLogGroup']);
    const group = VARIANT_IDS.deletedLogGroup;
    const earlier = records.filter(
      (r) => r.requestParameters?.logGroupName === group && r.eventTime < '2021-07-24T02:22:31Z',
    );
    expect(earlier.length).toBeGreaterThan(0);
    expect(
      truth().variantTruth.deleteResource?.resources.map((r) => [r.action, r.name, r.preExisting]),
    ).toEqual([
      ['deleted', 'DOC-EXAMPLE-BUCKET/stuff', undefined],
      ['deleted', 'DOC-EXAMPLE-BUCKET', undefined],
      ['deleted', group, true],
    ]);
    // A deleted bucket is no longer a containment target.
    expect(truth().containment.buckets).not.toContainEqual({
      account: '777777777777',
      name: 'DOC-EXAMPLE-BUCKET',
    });
  });

  it('spread: JaneDoe works in other Regions and, through a cross-account role, in the second account', () => {
    const jane = records.filter((r) => r.userIdentity.userName === 'JaneDoe');
    expect(new Set(jane.map((r) => r.awsRegion))).toEqual(new Set(REGIONS));
    const assume = jane.find((r) => r.eventName === 'AssumeRole') as AnyRecord;
    expect(assume.requestParameters.roleArn).toBe(
      'arn:aws:iam::111122223333:role/OrganizationAccountAccessRole',
    );
    const copy = records.find(
      (r) =>
        r.eventName === 'AssumeRole' &&
        r.recipientAccountId === '111122223333' &&
        r.userIdentity.type === 'AWSAccount',
    ) as AnyRecord;
    expect(copy.sharedEventID).toBe(assume.sharedEventID);
    expect(copy.userIdentity).toEqual({
      type: 'AWSAccount',
      principalId: 'AIDACKCEVSQ6C2EXAMPLE',
      accountId: '777777777777',
    });
    const asRole = byKey(VARIANT_IDS.crossAccountAccessKeyId);
    expect(asRole.map((r) => [r.recipientAccountId, r.awsRegion, r.eventName])).toEqual([
      ['111122223333', 'us-east-1', 'ListBuckets'],
      ['111122223333', 'us-west-2', 'DescribeInstances'],
      ['111122223333', 'us-west-2', 'RunInstances'],
    ]);
    expect(truth().variantTruth.spread?.accounts).toEqual(ACCOUNTS);
    expect(truth().containment.roles).toContainEqual({
      account: '111122223333',
      name: 'OrganizationAccountAccessRole',
      mode: 'revoke',
    });
  });

  it('rogueRole: JaneDoe creates an administrator role an outside account may assume and re-trusts an existing one', () => {
    const iam = records.filter(
      (r) =>
        r.userIdentity.userName === 'JaneDoe' &&
        ['CreateRole', 'AttachRolePolicy', 'UpdateAssumeRolePolicy'].includes(r.eventName),
    );
    expect(iam.map((r) => [r.eventName, r.requestParameters.roleName])).toEqual([
      ['CreateRole', 'BackdoorRole'],
      ['AttachRolePolicy', 'BackdoorRole'],
      ['UpdateAssumeRolePolicy', 'AppDeployRole'],
    ]);
    const trust = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' },
      ],
    };
    const [create, attach, update] = iam;
    expect(JSON.parse(create.requestParameters.assumeRolePolicyDocument)).toEqual(trust);
    expect(create.responseElements.role).toMatchObject({
      roleName: 'BackdoorRole',
      roleId: VARIANT_IDS.backdoorRole.roleId,
      arn: 'arn:aws:iam::777777777777:role/BackdoorRole',
    });
    expect(JSON.parse(decodeURIComponent(create.responseElements.role.assumeRolePolicyDocument))).toEqual(
      trust,
    );
    expect(attach.requestParameters.policyArn).toBe('arn:aws:iam::aws:policy/AdministratorAccess');
    expect(JSON.parse(update.requestParameters.policyDocument)).toEqual(trust);
    expect(update.responseElements).toBeNull();
    // Both are the actor's way back in: deny-all, not a revoke of sessions.
    expect(truth().containment.roles).toEqual(
      expect.arrayContaining([
        { account: '777777777777', name: 'BackdoorRole', mode: 'deny-all' },
        { account: '777777777777', name: 'AppDeployRole', mode: 'deny-all' },
      ]),
    );
    expect(
      truth().variantTruth.rogueRole?.resources.find((r) => r.name === 'AppDeployRole')?.preExisting,
    ).toBe(true);
  });

  it("network: SSH from the attacker's address shows in the flow logs, and the join truth matches the files", () => {
    const attacker = flows.flatMap((f) => f.lines).filter((l) => l.includes('198.51.100.77'));
    expect(attacker).toHaveLength(5);
    expect(summary.flowRecords.incident).toBe(5);
    // The key's flow records, computed from the files: each counts once, whatever the key's calls.
    const keyIps = new Set(byKey(ACTOR_KEY).map((r) => r.sourceIPAddress));
    const expected = new Map<string, number>();
    for (const line of attacker) {
      const [, , , src, dst] = line.split(' ');
      if (!keyIps.has(src) && !keyIps.has(dst)) continue;
      expected.set(`${src} ${dst}`, (expected.get(`${src} ${dst}`) ?? 0) + 1);
    }
    expect(
      truth().network.joinRows.map((r) => [`${r.sourceaddress} ${r.destinationaddress}`, r.count]),
    ).toEqual([...expected.entries()].sort((a, b) => b[1] - a[1]));
    expect(truth().network.joinRows[0]).toEqual({
      sourceaddress: '198.51.100.77',
      destinationaddress: '10.0.1.25',
      count: 3,
    });
  });

  it('lists every principal, key and address of the actor', () => {
    const t = truth();
    expect(t.principals.map((p) => `${p.account}/${p.name} <- ${p.reachedBy}`)).toEqual([
      '777777777777/JorgeSouza <- exposed key',
      '777777777777/JaneDoe <- CreateUser',
      '777777777777/DevOpsRole <- AssumeRole',
      '111122223333/OrganizationAccountAccessRole <- AssumeRole',
      '777777777777/BackdoorRole <- CreateRole',
      '777777777777/ops <- GetFederationToken',
      '777777777777/WebAppInstanceRole <- instance credentials',
    ]);
    expect(t.principals[0].accessKeyIds).toEqual([ACTOR_KEY, VARIANT_IDS.sessionAccessKeyId]);
    expect(t.principals[1].accessKeyIds).toEqual(['AKIAI44QH8DHBEXAMPLE', VARIANT_IDS.consoleAccessKeyId]);
    expect(new Set(t.accessKeyIds)).toEqual(
      new Set([
        ACTOR_KEY,
        'AKIAI44QH8DHBEXAMPLE',
        VARIANT_IDS.sessionAccessKeyId,
        VARIANT_IDS.roleAccessKeyId,
        VARIANT_IDS.consoleAccessKeyId,
        VARIANT_IDS.crossAccountAccessKeyId,
        VARIANT_IDS.federatedAccessKeyId,
        VARIANT_IDS.instanceAccessKeyId,
      ]),
    );
    // AWS's quarantine comes from `AWS Internal`: not an address of the actor's.
    expect(t.sourceIps).toEqual(['198.51.100.77', '72.21.198.71']);
  });

  it('federation, quarantine, deniedEc2, instanceCredentials: the shapes real CloudTrail writes', () => {
    const fed = byKey(VARIANT_IDS.federatedAccessKeyId);
    expect(fed.map((r) => [r.userIdentity.type, r.userIdentity.arn])).toEqual([
      ['FederatedUser', 'arn:aws:sts::777777777777:federated-user/ops'],
    ]);
    const quarantine = records.find(
      (r) => r.eventName === 'AttachUserPolicy' && r.requestParameters.userName === 'JorgeSouza',
    ) as AnyRecord;
    expect(quarantine).toMatchObject({
      userIdentity: { type: 'AWSService', invokedBy: 'AWS Internal' },
      sourceIPAddress: 'AWS Internal',
      requestParameters: { policyArn: VARIANT_IDS.quarantinePolicyArn },
    });
    const denied = byKey(ACTOR_KEY).filter((r) => r.errorCode === 'Client.UnauthorizedOperation');
    expect(denied).toHaveLength(VARIANT_IDS.deniedRunInstances);
    expect(new Set(denied.map((r) => r.errorMessage)).size).toBe(denied.length);
    const stolen = byKey(VARIANT_IDS.instanceAccessKeyId);
    expect(stolen.map((r) => r.eventName)).toEqual(['GetCallerIdentity', 'ModifySnapshotAttribute']);
    expect(stolen[0].userIdentity.arn).toBe(
      `arn:aws:sts::777777777777:assumed-role/WebAppInstanceRole/${VARIANT_IDS.instanceId}`,
    );
    expect(stolen[0].userIdentity.sessionContext.ec2RoleDelivery).toBe('2.0');
    expect(truth().containment.roles).toContainEqual({
      account: '777777777777',
      name: 'WebAppInstanceRole',
      mode: 'revoke',
    });
  });
});

describe('variants: options', () => {
  const base = { accounts: ACCOUNTS, regions: REGIONS, flowLogs: true };

  it('takes names or flags alike, and the playbook incident is the default', () => {
    const flags = buildIncident({ ...base, variants: { sessionToken: true, network: false } });
    expect(flags.groundTruth.variants).toEqual(['sessionToken']);
    expect(buildIncident(base).groundTruth.calls).toHaveLength(16);
  });

  it('leaves the background untouched: the same seed gives the same background with or without variants', async () => {
    const [a, b] = [tempDir('bg-a'), tempDir('bg-b')];
    dirs.push(a, b);
    const opts = { backgroundEvents: 300, days: 1, accounts: ACCOUNTS, regions: REGIONS };
    await generateIncident({ ...opts, outDir: a });
    await generateIncident({ ...opts, outDir: b, variants: ['assumeRole', 'spread'] });
    const ids = (dir: string) =>
      readCloudTrail(dir)
        .flatMap((f) => f.records)
        // Every incident call comes from the attacker's addresses, and no background call does.
        .filter((r) => !['198.51.100.77', '72.21.198.71'].includes(r.sourceIPAddress))
        .map((r) => JSON.stringify(r))
        .sort();
    expect(ids(b)).toEqual(ids(a));
  });
});
