import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { IrKitError } from '../../lib/errors';
import { getQuery } from '../../lib/queries';
import { protectionFromConfig } from '../../orchestrator/contain/config';
import { runtimeConfig, tableNamesOf } from '../../orchestrator/config';
import { openEngine } from '../../orchestrator/engines/open';
import { irkit } from '../helpers/cli';
import { KEY, LogTree, playbookKeyCalls } from './engines/fixtures';

const RENAMED = {
  databaseName: 'ir_logs',
  cloudTrailTableName: 'cloudtrail',
  vpcFlowTableName: 'vpcflow',
  workgroupName: 'IR-Investigations',
  breakGlassRoleName: 'IrBreakGlass',
  protectedPrincipals: ['ci-deployer'],
  logBucket: 'DOC-EXAMPLE-BUCKET',
};

let dir: string;

function project(irkitContext: unknown): string {
  const root = mkdtempSync(join(dir, 'project-'));
  writeFileSync(join(root, 'cdk.json'), JSON.stringify({ app: 'x', context: { irkit: irkitContext } }));
  return root;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'irkit-runtime-config-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runtimeConfig', () => {
  test('with no cdk.json: the playbook names and no extra protections', () => {
    const config = runtimeConfig(dir);
    expect(tableNamesOf(config)).toEqual({
      database: 'irworkshopgluedatabase',
      cloudTrailTable: 'irworkshopgluetablecloudtrail',
      vpcFlowTable: 'irworkshopgluetablevpcflow',
    });
    expect(config.names.workgroupName).toBe('IRWorkshopWorkgroup');
    expect(protectionFromConfig(config)).toEqual({
      irRoleNames: ['SecurityAnalystRole', 'SecurityAdminRole', 'SecurityDeployRole'],
      breakGlassRoleName: 'SecurityBreakGlassRole',
      kitRoleNames: ['IrKitContainmentExecutionRole', 'IrKitContainmentHandlerRole'],
      protectedPrincipals: [],
      protectedBuckets: [],
      trustedPrincipalArns: [],
      breakGlassPrincipalArns: [],
    });
  });

  test('reads the names and protections of the deployed kit, even from a config not complete for synth', () => {
    const config = runtimeConfig(project(RENAMED));
    expect(tableNamesOf(config)).toEqual({
      database: 'ir_logs',
      cloudTrailTable: 'cloudtrail',
      vpcFlowTable: 'vpcflow',
    });
    expect(protectionFromConfig(config)).toMatchObject({
      protectedPrincipals: ['ci-deployer'],
      irRoleNames: ['SecurityAnalystRole', 'SecurityAdminRole', 'SecurityDeployRole'],
      breakGlassRoleName: 'IrBreakGlass',
      protectedBuckets: ['DOC-EXAMPLE-BUCKET'],
    });
  });

  test('protects at run time what synth protects: the responders, the log bucket the kit creates, principals at a path', () => {
    const config = runtimeConfig(
      project({
        trustedPrincipals: ['arn:aws:iam::777777777777:role/IncidentResponder'],
        breakGlassPrincipals: ['arn:aws:iam::777777777777:role/IncidentCommander'],
        logSources: { enabled: true },
        env: { account: '777777777777', region: 'us-east-1' },
        protectedPrincipals: ['contractors/alice'],
      }),
    );
    expect(protectionFromConfig(config)).toMatchObject({
      protectedBuckets: ['irkit-logs-777777777777-us-east-1'],
      trustedPrincipalArns: ['arn:aws:iam::777777777777:role/IncidentResponder'],
      breakGlassPrincipalArns: ['arn:aws:iam::777777777777:role/IncidentCommander'],
      protectedPrincipals: ['contractors/alice'],
    });
  });

  test('is found upward from a subfolder, as cdk finds its cdk.json', () => {
    const root = project(RENAMED);
    const sub = join(root, 'incidents', 'IR-2021-0724');
    mkdirSync(sub, { recursive: true });
    expect(tableNamesOf(runtimeConfig(sub)).database).toBe('ir_logs');
  });

  test('IRKIT_CONFIG (or irkit --config) names a cdk.json or the irkit JSON itself, and a missing one is refused', () => {
    const file = join(dir, 'irkit-config.json');
    writeFileSync(file, JSON.stringify({ databaseName: 'from_file' }));
    expect(tableNamesOf(runtimeConfig(dir, { IRKIT_CONFIG: file })).database).toBe('from_file');
    const cdk = join(project(RENAMED), 'cdk.json');
    expect(tableNamesOf(runtimeConfig(dir, { IRKIT_CONFIG: cdk })).database).toBe('ir_logs');
    expect(() => runtimeConfig(dir, { IRKIT_CONFIG: join(dir, 'nope.json') })).toThrow(/does not exist/);
  });

  test('irkit --config uses that file and says so', async () => {
    const cdk = join(project(RENAMED), 'cdk.json');
    const run = await irkit('--config', cdk, 'queries', 'show', 'key-api-activity');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"ir_logs"."cloudtrail"');
    expect(run.stderr).toContain(`irkit: config from ${cdk}`);
  });

  test.each([
    [{ databaseName: 'IR-Logs' }, 'irkit.databaseName'],
    [{ databasename: 'ir_logs' }, 'did you mean "databaseName"'],
    [{ protectedPrincipals: ['*'] }, 'irkit.protectedPrincipals[0]'],
    [{ vpcFlowLogFormat: ['srcadr'] }, 'did you mean "srcaddr"'],
  ])('%j is refused with a message naming the key', (raw, message) => {
    expect(() => runtimeConfig(project(raw))).toThrow(IrKitError);
    expect(() => runtimeConfig(project(raw))).toThrow(message);
  });

  test('a cdk.json that is not JSON is named', () => {
    const root = mkdtempSync(join(dir, 'broken-'));
    writeFileSync(join(root, 'cdk.json'), '{ "context": ');
    expect(() => runtimeConfig(root)).toThrow(/cdk\.json is not valid JSON/);
  });
});

describe('engines with the configured names', () => {
  test('the local engine answers the library SQL under the configured Glue names', async () => {
    const logs = new LogTree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const engine = await openEngine({ kind: 'local', logs: logs.root }, runtimeConfig(project(RENAMED)));
    try {
      const result = await engine.run(getQuery('key-api-activity'), {
        accessKeyId: KEY,
        from: '2021/07/16',
        to: '2021/07/24',
      });
      expect(result.rows).toHaveLength(4);
    } finally {
      await engine.close();
      logs.remove();
    }
  });

  test('irkit queries show prints the SQL with the names of the cdk.json in the working directory', async () => {
    const before = process.cwd();
    process.chdir(project(RENAMED));
    try {
      const run = await irkit('queries', 'show', 'key-api-activity', '--param', `accessKeyId=${KEY}`);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('"ir_logs"."cloudtrail"');
      expect(run.stdout).not.toContain('irworkshopgluedatabase');
    } finally {
      process.chdir(before);
    }
  });
});
