import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { App } from 'aws-cdk-lib';

import {
  CONFIG_KEYS,
  ConfigError,
  DEFAULT_BYTES_SCANNED_CUTOFF,
  DEFAULT_PROJECTION_START_DATE,
  DEFAULT_RESULTS_RETENTION_IN_DAYS,
  closest,
  loadConfig,
  parseConfig,
  rawConfigOf,
} from '../../lib/config';
import { withKeyReference } from '../../lib/config/reference';
import { IrKitError } from '../../lib/errors';
import { DEFAULT_NAMES } from '../../lib/names';
import { COMMERCIAL_REGIONS } from '../../lib/regions';
import { DEFAULT_FLOW_LOG_FORMAT } from '../../lib/schema/vpc-flow';

const RESPONDER = 'arn:aws:iam::777777777777:role/IncidentResponder';
const MINIMAL = {
  accounts: ['777777777777'],
  trustedPrincipals: [RESPONDER],
  logBucket: 'DOC-EXAMPLE-BUCKET',
};

function configErrorOf(run: () => unknown): IrKitError {
  try {
    run();
  } catch (error) {
    if (error instanceof IrKitError) return error;
    throw error;
  }
  throw new Error('expected an IRKIT_CONFIG error, but the config was accepted');
}

describe('parseConfig defaults', () => {
  const config = parseConfig(MINIMAL);

  it('uses the playbook names when none are given', () => {
    expect(config).toMatchObject({
      databaseName: DEFAULT_NAMES.databaseName,
      cloudTrailTableName: DEFAULT_NAMES.cloudTrailTableName,
      vpcFlowTableName: DEFAULT_NAMES.vpcFlowTableName,
      workgroupName: DEFAULT_NAMES.workgroupName,
      analystRoleName: DEFAULT_NAMES.analystRoleName,
      adminRoleName: DEFAULT_NAMES.adminRoleName,
      deployRoleName: DEFAULT_NAMES.deployRoleName,
      breakGlassRoleName: DEFAULT_NAMES.breakGlassRoleName,
      containmentExecutionRoleName: DEFAULT_NAMES.containmentExecutionRoleName,
      containmentPolicyName: DEFAULT_NAMES.containmentPolicyName,
    });
  });

  it('projects every commercial region, version-2 flow fields and safe limits by default', () => {
    expect(config.regions).toEqual(COMMERCIAL_REGIONS);
    expect(config.vpcFlowLogFormat).toEqual(DEFAULT_FLOW_LOG_FORMAT);
    expect(config.projectionStartDate).toBe(DEFAULT_PROJECTION_START_DATE);
    expect(config.bytesScannedCutoffPerQuery).toBe(DEFAULT_BYTES_SCANNED_CUTOFF);
    expect(config.resultsRetentionInDays).toBe(DEFAULT_RESULTS_RETENTION_IN_DAYS);
    expect(config.containmentHandlerConcurrency).toBe(1);
    expect(config.workgroupOnDelete).toBe('retain');
    expect(config.alertsRegion).toBe('us-east-1');
  });

  it('forwards alerts from AWS Health’s backup Region by default, and from the Regions named', () => {
    expect(config.alertForwardingRegions).toEqual(['us-west-2']);
    expect(parseConfig({ ...MINIMAL, regions: ['us-east-1', 'eu-west-1'] }).alertForwardingRegions).toEqual([
      'eu-west-1',
      'us-west-2',
    ]);
    expect(
      parseConfig({ ...MINIMAL, regions: ['eu-west-1'], alertRegions: ['eu-central-1', 'us-east-1'] })
        .alertForwardingRegions,
    ).toEqual(['eu-central-1', 'us-west-2']);
    expect(() => parseConfig({ ...MINIMAL, alertRegions: ['eu-wets-1'] })).toThrow(
      /irkit\.alertRegions\[0\]/,
    );
  });

  it('leaves optional features off and lets break-glass default to the trusted principals', () => {
    expect(config.logSources).toEqual({ enabled: false, vpcId: undefined });
    expect(config.simulation).toEqual({
      enabled: false,
      sandboxAccount: undefined,
      userName: DEFAULT_NAMES.simulationUserName,
    });
    expect(config.breakGlassPrincipals).toEqual([RESPONDER]);
    expect(config.allowAccountRootTrust).toBe(false);
    expect(config.alertEmails).toEqual([]);
    expect(config.protectedPrincipals).toEqual([]);
    expect(config.cloudTrailPrefix).toBeUndefined();
    expect(config.organizationId).toBeUndefined();
  });

  it('takes the deployment env from the CDK defaults unless the config sets it', () => {
    expect(parseConfig(MINIMAL, { account: '777777777777', region: 'eu-west-1' }).env).toEqual({
      account: '777777777777',
      region: 'eu-west-1',
    });
    expect(
      parseConfig(
        { ...MINIMAL, env: { region: 'us-west-2' } },
        { account: '777777777777', region: 'eu-west-1' },
      ).env,
    ).toEqual({ account: '777777777777', region: 'us-west-2' });
    expect(parseConfig(MINIMAL).env).toEqual({ account: undefined, region: undefined });
  });
});

describe('parseConfig overrides', () => {
  it('accepts every key with a valid value', () => {
    const config = parseConfig({
      logBucket: 'DOC-EXAMPLE-BUCKET',
      cloudTrailPrefix: 'org/trail',
      vpcFlowLogPrefix: 'flows',
      accounts: ['777777777777', '111122223333'],
      regions: ['us-east-1', 'eu-west-1'],
      projectionStartDate: '2021-07-01',
      databaseName: 'ir_db',
      cloudTrailTableName: 'ct',
      vpcFlowTableName: 'flows',
      workgroupName: 'IR.Team-1',
      analystRoleName: 'Analyst',
      adminRoleName: 'Admin',
      deployRoleName: 'Deploy',
      breakGlassRoleName: 'BreakGlass',
      containmentExecutionRoleName: 'ContainExec',
      containmentPolicyName: 'deny-all',
      trustedPrincipals: ['arn:aws:iam::777777777777:role/Responder', '111122223333'],
      breakGlassPrincipals: ['arn:aws:iam::777777777777:user/path/alice'],
      allowAccountRootTrust: true,
      alertEmails: ['security@example.com'],
      bytesScannedCutoffPerQuery: 10_000_000,
      resultsRetentionInDays: 30,
      protectedPrincipals: ['ci-deployer', 'arn:aws:iam::777777777777:role/OrgAdmin'],
      logSources: { enabled: true, vpcId: 'vpc-0123456789abcdef0' },
      vpcFlowLogFormat: ['version', 'srcaddr', 'dstaddr', 'start', 'flow-direction'],
      simulation: { enabled: true, sandboxAccount: '777777777777', userName: 'Exposed' },
      env: { account: '777777777777', region: 'eu-west-1' },
    });
    expect(config).toMatchObject({
      projectionStartDate: '2021/07/01',
      regions: ['us-east-1', 'eu-west-1'],
      breakGlassPrincipals: ['arn:aws:iam::777777777777:user/path/alice'],
      logSources: { enabled: true, vpcId: 'vpc-0123456789abcdef0' },
      simulation: { enabled: true, sandboxAccount: '777777777777', userName: 'Exposed' },
      vpcFlowLogFormat: ['version', 'srcaddr', 'dstaddr', 'start', 'flow-direction'],
    });
  });

  it('trusts role and user ARNs of any partition and account, with a path', () => {
    const principals = [
      'arn:aws:iam::777777777777:role/IncidentResponder',
      'arn:aws:iam::111122223333:role/team/ir/Responder',
      'arn:aws-cn:iam::777777777777:user/alice',
      'arn:aws-us-gov:iam::777777777777:role/R+=,.@_-1',
    ];
    expect(parseConfig({ ...MINIMAL, trustedPrincipals: principals }).trustedPrincipals).toEqual(principals);
  });

  it('trusts a whole account only with allowAccountRootTrust', () => {
    for (const account of ['777777777777', 'arn:aws:iam::777777777777:root']) {
      const config = parseConfig({ ...MINIMAL, trustedPrincipals: [account], allowAccountRootTrust: true });
      expect(config).toMatchObject({
        trustedPrincipals: [account],
        breakGlassPrincipals: [account],
        allowAccountRootTrust: true,
      });
    }
    const breakGlassOnly = parseConfig({
      ...MINIMAL,
      breakGlassPrincipals: ['777777777777'],
      allowAccountRootTrust: true,
    });
    expect(breakGlassOnly.trustedPrincipals).toEqual([RESPONDER]);
  });

  it('reads an organization trail layout from an existing bucket', () => {
    expect(parseConfig({ ...MINIMAL, organizationId: 'o-exampleorgid' }).organizationId).toBe(
      'o-exampleorgid',
    );
  });

  it('needs no log bucket when the log-sources stack creates one', () => {
    const config = parseConfig({ ...MINIMAL, logBucket: undefined, logSources: { enabled: true } });
    expect(config.logBucket).toBeUndefined();
  });
});

describe('parseConfig refuses bad config, naming the key, the value and the fix', () => {
  const cases: Array<[string, unknown, RegExp, RegExp?]> = [
    ['a non-object', ['777777777777'], /config irkit = \["777777777777"\]: expected an object/],
    [
      'a misspelt key',
      { ...MINIMAL, acounts: [] },
      /irkit\.acounts = \[\]: unknown key/,
      /did you mean "accounts"/,
    ],
    [
      'an unknown key',
      { ...MINIMAL, colour: 'red' },
      /irkit\.colour = "red": unknown key/,
      /known keys of irkit are/,
    ],
    [
      'a misspelt nested key',
      { ...MINIMAL, logSources: { enable: true } },
      /irkit\.logSources\.enable = true: unknown key/,
      /did you mean "enabled"/,
    ],
    [
      'a misspelt simulation key',
      { ...MINIMAL, simulation: { sandboxAcount: '777777777777' } },
      /irkit\.simulation\.sandboxAcount/,
      /did you mean "sandboxAccount"/,
    ],
    ['an unknown env key', { ...MINIMAL, env: { partition: 'aws' } }, /irkit\.env\.partition/, /known keys/],
    [
      'logSources not an object',
      { ...MINIMAL, logSources: true },
      /irkit\.logSources = true: expected an object/,
    ],
    ['missing accounts', { ...MINIMAL, accounts: undefined }, /irkit\.accounts = \(missing\): required/],
    [
      'accounts not a list',
      { ...MINIMAL, accounts: '777777777777' },
      /irkit\.accounts = "777777777777": expected a list/,
    ],
    ['no accounts', { ...MINIMAL, accounts: [] }, /irkit\.accounts = \[\]: the list is empty/],
    [
      'a short account id',
      { ...MINIMAL, accounts: ['777777777777', '77777'] },
      /irkit\.accounts\[1\] = "77777": not a valid AWS account id/,
      /exactly 12 digits/,
    ],
    [
      'an account id given as a number',
      { ...MINIMAL, accounts: [777777777777] },
      /irkit\.accounts\[0\] = 777777777777: expected a string/,
    ],
    [
      'a duplicate account',
      { ...MINIMAL, accounts: ['777777777777', '777777777777'] },
      /irkit\.accounts\[1\] = "777777777777": listed twice/,
      /remove the duplicate/,
    ],
    [
      'missing trusted principals',
      { ...MINIMAL, trustedPrincipals: undefined },
      /irkit\.trustedPrincipals = \(missing\)/,
    ],
    [
      'a trusted principal that is a service',
      { ...MINIMAL, trustedPrincipals: ['ec2.amazonaws.com'] },
      /irkit\.trustedPrincipals\[0\] = "ec2.amazonaws.com": not an IAM role or user ARN\. Fix:/,
      /"arn:aws:iam::777777777777:role\/IncidentResponder" \(a path is allowed/,
    ],
    [
      'an IAM group as trusted principal',
      { ...MINIMAL, trustedPrincipals: ['arn:aws:iam::777777777777:group/Responders'] },
      /irkit\.trustedPrincipals\[0\] = "arn:aws:iam::777777777777:group\/Responders": not an IAM role or user ARN/,
    ],
    [
      'an account id as trusted principal',
      { ...MINIMAL, trustedPrincipals: ['777777777777'] },
      /irkit\.trustedPrincipals\[0\] = "777777777777": this trusts the whole account 777777777777: any IAM user or role in it that may call sts:AssumeRole, an exposed administrator key included, could assume the analyst, admin and deploy roles\. Fix:/,
      /^name your responders' IAM role or user, e\.g\. "arn:aws:iam::777777777777:role\/IncidentResponder"; only if you accept that risk, add "allowAccountRootTrust": true$/,
    ],
    [
      "an account's root ARN as trusted principal",
      { ...MINIMAL, trustedPrincipals: [RESPONDER, 'arn:aws:iam::111122223333:root'] },
      /irkit\.trustedPrincipals\[1\] = "arn:aws:iam::111122223333:root": this trusts the whole account 111122223333/,
      /"allowAccountRootTrust": true/,
    ],
    [
      'an account id as break-glass principal',
      { ...MINIMAL, breakGlassPrincipals: ['777777777777'] },
      /irkit\.breakGlassPrincipals\[0\] = "777777777777": this trusts the whole account 777777777777: .*could assume the administrator break-glass role after enrolling an MFA device of its own/,
      /"allowAccountRootTrust": true/,
    ],
    [
      'an account id with allowAccountRootTrust false',
      { ...MINIMAL, trustedPrincipals: ['777777777777'], allowAccountRootTrust: false },
      /irkit\.trustedPrincipals\[0\] = "777777777777": this trusts the whole account/,
    ],
    [
      'a wildcard trusted principal',
      { ...MINIMAL, trustedPrincipals: ['*'] },
      /irkit\.trustedPrincipals\[0\] = "\*": a wildcard lets in principals nobody listed/,
      /name each IAM role or user exactly/,
    ],
    [
      'a wildcard in a role ARN',
      { ...MINIMAL, trustedPrincipals: ['arn:aws:iam::777777777777:role/Responder*'] },
      /irkit\.trustedPrincipals\[0\] = "arn:aws:iam::777777777777:role\/Responder\*": a wildcard/,
    ],
    [
      'a wildcard even with allowAccountRootTrust',
      { ...MINIMAL, trustedPrincipals: ['arn:aws:iam::*:root'], allowAccountRootTrust: true },
      /irkit\.trustedPrincipals\[0\] = "arn:aws:iam::\*:root": a wildcard/,
    ],
    [
      'a session ARN as break-glass principal',
      { ...MINIMAL, breakGlassPrincipals: ['arn:aws:sts::777777777777:assumed-role/Responder/alice'] },
      /irkit\.breakGlassPrincipals\[0\] = "arn:aws:sts::777777777777:assumed-role\/Responder\/alice": a role session, not a role: its session name is whatever the caller passes to AssumeRole/,
      /^trust the role itself, "arn:aws:iam::777777777777:role\/Responder"$/,
    ],
    [
      'allowAccountRootTrust that is not a boolean',
      { ...MINIMAL, allowAccountRootTrust: 'yes' },
      /irkit\.allowAccountRootTrust = "yes": expected true or false/,
    ],
    [
      'allowAccountRootTrust with no account to trust',
      { ...MINIMAL, allowAccountRootTrust: true },
      /irkit\.allowAccountRootTrust = true: no entry of trustedPrincipals or breakGlassPrincipals is an account, so the opt-in is unused/,
      /remove allowAccountRootTrust, so that an account id added later is refused again/,
    ],
    [
      'an empty break-glass list',
      { ...MINIMAL, breakGlassPrincipals: [] },
      /irkit\.breakGlassPrincipals = \[\]: the list is empty/,
    ],
    [
      'no log bucket and no log sources',
      { ...MINIMAL, logBucket: undefined },
      /irkit\.logBucket = \(missing\): the tables need a bucket/,
      /"logSources": \{"enabled": true\}/,
    ],
    [
      'a bad bucket name',
      { ...MINIMAL, logBucket: 's3://DOC-EXAMPLE-BUCKET' },
      /irkit\.logBucket = "s3:\/\/DOC-EXAMPLE-BUCKET": not a valid S3 bucket name/,
    ],
    [
      'a prefix with a leading slash',
      { ...MINIMAL, cloudTrailPrefix: '/trail/' },
      /irkit\.cloudTrailPrefix = "\/trail\/": not a valid S3 key prefix/,
      /no leading or trailing slash/,
    ],
    ['a bad flow-log prefix', { ...MINIMAL, vpcFlowLogPrefix: 'a//b' }, /irkit\.vpcFlowLogPrefix = "a\/\/b"/],
    [
      'an account id as organization id',
      { ...MINIMAL, organizationId: '777777777777' },
      /irkit\.organizationId = "777777777777": not a valid organization id/,
      /o-exampleorgid/,
    ],
    [
      'a typo in a region',
      { ...MINIMAL, regions: ['us-east1'] },
      /irkit\.regions\[0\] = "us-east1": not a commercial AWS Region/,
      /did you mean "us-east-1"/,
    ],
    [
      'a region that does not exist',
      { ...MINIMAL, regions: ['us-east-9'] },
      /irkit\.regions\[0\] = "us-east-9": not a commercial AWS Region/,
      /did you mean "us-east-1"/,
    ],
    ['no regions', { ...MINIMAL, regions: [] }, /irkit\.regions = \[\]: the list is empty/],
    [
      'an impossible start date',
      { ...MINIMAL, projectionStartDate: '2021/02/30' },
      /irkit\.projectionStartDate = "2021\/02\/30": not a valid date/,
      /YYYY\/MM\/DD/,
    ],
    [
      'an upper-case database name',
      { ...MINIMAL, databaseName: 'IrDatabase' },
      /irkit\.databaseName = "IrDatabase": not a valid Glue name/,
      /lower-case/,
    ],
    [
      'a table name with a hyphen',
      { ...MINIMAL, cloudTrailTableName: 'cloud-trail' },
      /irkit\.cloudTrailTableName = "cloud-trail"/,
    ],
    [
      'a flow table name with a space',
      { ...MINIMAL, vpcFlowTableName: 'vpc flow' },
      /irkit\.vpcFlowTableName = "vpc flow"/,
    ],
    [
      'a workgroup name with a slash',
      { ...MINIMAL, workgroupName: 'IR/Workgroup' },
      /irkit\.workgroupName = "IR\/Workgroup"/,
    ],
    [
      'a role name with a space',
      { ...MINIMAL, analystRoleName: 'Security Analyst' },
      /irkit\.analystRoleName = "Security Analyst": not a valid IAM role name/,
    ],
    ['a too long role name', { ...MINIMAL, breakGlassRoleName: 'R'.repeat(65) }, /irkit\.breakGlassRoleName/],
    [
      'a policy name with a colon',
      { ...MINIMAL, containmentPolicyName: 'deny:all' },
      /irkit\.containmentPolicyName = "deny:all"/,
    ],
    [
      'an e-mail address without a domain',
      { ...MINIMAL, alertEmails: ['security@'] },
      /irkit\.alertEmails\[0\] = "security@": not a valid e-mail address/,
    ],
    [
      'a cutoff under Athena’s 10 MB minimum',
      { ...MINIMAL, bytesScannedCutoffPerQuery: 1_000_000 },
      /irkit\.bytesScannedCutoffPerQuery = 1000000: expected a whole number of bytes from 10000000/,
    ],
    [
      'a cutoff given as text',
      { ...MINIMAL, bytesScannedCutoffPerQuery: '10GB' },
      /irkit\.bytesScannedCutoffPerQuery = "10GB"/,
    ],
    [
      'an unknown workgroup deletion choice',
      { ...MINIMAL, workgroupOnDelete: 'purge' },
      /irkit\.workgroupOnDelete = "purge": expected one of retain, delete/,
    ],
    [
      'a handler concurrency that would not serialize containment',
      { ...MINIMAL, containmentHandlerConcurrency: 2 },
      /irkit\.containmentHandlerConcurrency = 2: expected a whole number of concurrent executions from 0 to 1/,
    ],
    [
      'a zero retention',
      { ...MINIMAL, resultsRetentionInDays: 0 },
      /irkit\.resultsRetentionInDays = 0: expected a whole number of days from 1 to 3650/,
    ],
    [
      'a fractional retention',
      { ...MINIMAL, resultsRetentionInDays: 1.5 },
      /irkit\.resultsRetentionInDays = 1\.5/,
    ],
    [
      'a protected principal with a space',
      { ...MINIMAL, protectedPrincipals: ['ci deployer'] },
      /irkit\.protectedPrincipals\[0\] = "ci deployer"/,
    ],
    [
      'a misspelt flow-log field',
      { ...MINIMAL, vpcFlowLogFormat: ['version', 'src-addr'] },
      /irkit\.vpcFlowLogFormat\[1\] = "src-addr": not a VPC Flow Logs field/,
      /did you mean "srcaddr"/,
    ],
    [
      'a flow-log format without start (the window bounds flows by it)',
      { ...MINIMAL, vpcFlowLogFormat: ['version', 'srcaddr', 'dstaddr'] },
      /irkit\.vpcFlowLogFormat = .*: has no "start" field/,
      /keep "start" in the format/,
    ],
    [
      'an empty flow-log format',
      { ...MINIMAL, vpcFlowLogFormat: [] },
      /irkit\.vpcFlowLogFormat = \[\]: the list is empty/,
    ],
    [
      'logSources.enabled as text',
      { ...MINIMAL, logSources: { enabled: 'yes' } },
      /irkit\.logSources\.enabled = "yes": expected true or false/,
    ],
    [
      'a bad VPC id',
      { ...MINIMAL, logSources: { enabled: true, vpcId: 'vpc-123' } },
      /irkit\.logSources\.vpcId = "vpc-123": not a valid VPC id/,
    ],
    [
      'a VPC id with log sources off',
      { ...MINIMAL, logSources: { vpcId: 'vpc-0123456789abcdef0' } },
      /irkit\.logSources\.vpcId = "vpc-0123456789abcdef0": flow logs are created by the log-sources stack/,
    ],
    [
      'an organization id with the kit-created account trail',
      { ...MINIMAL, organizationId: 'o-exampleorgid', logSources: { enabled: true } },
      /irkit\.organizationId = "o-exampleorgid": the log-sources stack's trail is an account trail/,
      /remove organizationId/,
    ],
    [
      'a simulation without a sandbox account',
      { ...MINIMAL, simulation: { enabled: true } },
      /irkit\.simulation\.sandboxAccount = \(missing\): required when the simulation is enabled/,
    ],
    [
      'a bad sandbox account',
      { ...MINIMAL, simulation: { sandboxAccount: 'sandbox' } },
      /irkit\.simulation\.sandboxAccount = "sandbox"/,
    ],
    [
      'a bad simulation user',
      { ...MINIMAL, simulation: { userName: 'Jorge Souza' } },
      /irkit\.simulation\.userName = "Jorge Souza"/,
    ],
    ['a bad env account', { ...MINIMAL, env: { account: '123' } }, /irkit\.env\.account = "123"/],
    ['a bad env region', { ...MINIMAL, env: { region: 'mars-1' } }, /irkit\.env\.region = "mars-1"/],
  ];

  const table = cases.map(([name, raw, message, hint]) => ({ name, raw, message, hint }));
  it.each(table)('refuses $name', ({ raw, message, hint }) => {
    const error = configErrorOf(() => parseConfig(raw));
    expect(error.code).toBe('IRKIT_CONFIG');
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    // Each case has one mistake: one line, its fix in the message and printed nowhere else.
    expect(problems).toHaveLength(1);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`Fix: ${problems[0].fix}`);
    expect(error.hint).toBeUndefined();
    if (hint) expect(problems[0].fix).toMatch(hint);
  });

  it('refuses a bad region coming from CDK_DEFAULT_REGION', () => {
    expect(() => parseConfig(MINIMAL, { region: 'moon-east-1' })).toThrow(
      /irkit\.env\.region = "moon-east-1"/,
    );
  });
});

describe('parseConfig reports every mistake at once', () => {
  it('names each bad key once, with its own fix, in the order of the key table', () => {
    const error = configErrorOf(() =>
      parseConfig({
        regoins: ['us-east-1'],
        accounts: ['777777777777', '77777', '777777777777'],
        trustedPrincipals: ['*'],
        databaseName: 'IrDatabase',
        logSources: { enable: true, vpcId: 'vpc-123' },
        simulation: { enabled: true },
      }),
    ) as ConfigError;
    expect(error.problems.map((p) => p.key)).toEqual([
      'irkit.regoins',
      'irkit.accounts[1]',
      'irkit.accounts[2]',
      'irkit.databaseName',
      'irkit.trustedPrincipals[0]',
      'irkit.logSources.enable',
      'irkit.logSources.vpcId',
      // logBucket: absent, and log sources off.
      'irkit.logBucket',
      'irkit.simulation.sandboxAccount',
    ]);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('9 config errors:');
    expect(lines.slice(1)).toEqual(error.problems.map((p) => expect.stringContaining(`Fix: ${p.fix}`)));
    // The fix is printed once: in the message, never again as a hint.
    expect(error.hint).toBeUndefined();
    expect(error.describe().match(/did you mean "regions"/g)).toHaveLength(1);
  });

  it('skips a rule across keys when one of its keys is already wrong', () => {
    const error = configErrorOf(() =>
      parseConfig({ ...MINIMAL, logBucket: undefined, logSources: { enabled: 'yes' } }),
    ) as ConfigError;
    expect(error.problems.map((p) => p.key)).toEqual(['irkit.logSources.enabled']);
  });

  it('reports a required key missing beside other mistakes', () => {
    const error = configErrorOf(() =>
      parseConfig({ logBucket: 'DOC-EXAMPLE-BUCKET', regions: ['us-east1'] }),
    ) as ConfigError;
    expect(error.problems.map((p) => `${p.key}: ${p.problem}`)).toEqual([
      'irkit.accounts: required: the accounts whose logs the tables read',
      'irkit.regions[0]: not a commercial AWS Region the kit knows',
      'irkit.trustedPrincipals: required: who may assume the IR roles',
    ]);
  });
});

describe('closest', () => {
  it('suggests a near name and nothing for a far one', () => {
    expect(closest('regoins', ['regions', 'accounts'])).toBe('regions');
    expect(closest('xyz', ['regions', 'accounts'])).toBeUndefined();
  });
});

describe('rawConfigOf and loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irkit-config-'));
  const context = (values: Record<string, unknown>) => (key: string) => values[key];

  it('parses a JSON string passed with cdk -c', () => {
    expect(rawConfigOf(context({ irkit: JSON.stringify(MINIMAL) }))).toEqual(MINIMAL);
  });

  it('refuses a context string that is not JSON', () => {
    const error = configErrorOf(() => rawConfigOf(context({ irkit: '{accounts:' })));
    expect(error.message).toMatch(/context key irkit is not valid JSON/);
  });

  it('lays the config file keys over the context object', () => {
    const file = join(dir, 'override.json');
    writeFileSync(file, JSON.stringify({ regions: ['eu-west-1'], logBucket: 'DOC-EXAMPLE-BUCKET2' }));
    const raw = rawConfigOf(context({ irkit: MINIMAL, 'irkit:configFile': file }));
    expect(raw).toEqual({ ...MINIMAL, regions: ['eu-west-1'], logBucket: 'DOC-EXAMPLE-BUCKET2' });
  });

  it('refuses a config file that does not exist', () => {
    const error = configErrorOf(() =>
      rawConfigOf(context({ irkit: MINIMAL, 'irkit:configFile': join(dir, 'missing.json') })),
    );
    expect(error.message).toMatch(/config file .*missing\.json cannot be read/);
    expect(error.hint).toMatch(/irkit:configFile/);
  });

  it('refuses a config file that is not a JSON object', () => {
    const file = join(dir, 'list.json');
    writeFileSync(file, '["777777777777"]');
    expect(() => rawConfigOf(context({ 'irkit:configFile': file }))).toThrow(/must hold a JSON object/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"accounts": [');
    expect(() => rawConfigOf(context({ 'irkit:configFile': broken }))).toThrow(/is not valid JSON/);
  });

  it('refuses a config file path that is not a string', () => {
    expect(() => rawConfigOf(context({ 'irkit:configFile': 42 }))).toThrow(
      /config irkit:configFile = 42: expected a file path/,
    );
  });

  it('refuses an unknown key in a config file', () => {
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ workgroup: 'X' }));
    const app = new App({ context: { irkit: MINIMAL, 'irkit:configFile': file } });
    expect(() => loadConfig(app)).toThrow(
      /irkit\.workgroup = "X": unknown key.*did you mean "workgroupName"/,
    );
  });

  it('reads the app context and the CDK default environment', () => {
    const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    process.env.CDK_DEFAULT_ACCOUNT = '777777777777';
    process.env.CDK_DEFAULT_REGION = 'eu-west-1';
    try {
      const config = loadConfig(new App({ context: { irkit: MINIMAL } }));
      expect(config.env).toEqual({ account: '777777777777', region: 'eu-west-1' });
      expect(config.logBucket).toBe('DOC-EXAMPLE-BUCKET');
    } finally {
      for (const [k, value] of [
        ['CDK_DEFAULT_ACCOUNT', saved.account],
        ['CDK_DEFAULT_REGION', saved.region],
      ] as const) {
        if (value === undefined) delete process.env[k];
        else process.env[k] = value;
      }
    }
  });
});

describe('docs/configuration.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');

  it('holds the key tables generated from the key table (npm run docs:config rewrites them)', () => {
    expect(doc).toBe(withKeyReference(doc));
  });

  it.each(CONFIG_KEYS.filter((k) => !['logSources', 'simulation', 'evidence', 'env'].includes(k)))(
    'documents %s',
    (key) => {
      expect(doc).toContain(`| \`${key}\` |`);
    },
  );

  it('shows examples that the config accepts', () => {
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const full = JSON.parse(blocks[blocks.length - 1]);
    expect(parseConfig(full).organizationId).toBe('o-exampleorgid');
    const short = JSON.parse(`{${blocks[0].trim()}}`).irkit;
    expect(parseConfig(short).logSources.enabled).toBe(true);
  });
});
