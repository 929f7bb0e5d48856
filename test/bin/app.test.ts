import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { App } from 'aws-cdk-lib';

import { buildApp } from '../../bin/app';
import { IrKitError } from '../../lib/errors';
import { ACCESS_STACK_NAME } from '../../lib/stacks/access-stack';
import { alertForwardingStackName } from '../../lib/stacks/alert-forwarding-stack';
import { ALERTS_STACK_NAME } from '../../lib/stacks/alerts-stack';
import { ANALYTICS_STACK_NAME } from '../../lib/stacks/analytics-stack';
import { EVIDENCE_STACK_NAME } from '../../lib/stacks/evidence-stack';
import { LOG_SOURCES_STACK_NAME } from '../../lib/stacks/log-sources-stack';

const ROOT = join(__dirname, '..', '..');
const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

describe('the app with the cdk.json context', () => {
  // CDK's built-in CloudFormation schema check only ever warns (cdk synth still runs it); off, this file is 3x faster.
  const built = buildApp(new App({ context: cdkJson.context, builtinCloudFormationValidation: false }));
  // Synth runs cdk-nag over every stack: an unacknowledged finding anywhere throws here.
  const assembly = built.app.synth();

  it('synthesizes every stack with cdk-nag on', () => {
    const names = assembly.stacks.map((s) => s.stackName);
    expect(names.sort()).toEqual(
      [
        ACCESS_STACK_NAME,
        ALERTS_STACK_NAME,
        ANALYTICS_STACK_NAME,
        EVIDENCE_STACK_NAME,
        LOG_SOURCES_STACK_NAME,
        // AWS Health's backup Region always forwards.
        alertForwardingStackName('us-west-2'),
      ].sort(),
    );
  });

  it('deploys the evidence stack after the access stack, whose roles its policies name', () => {
    expect(built.evidence.dependencies.map((s) => s.stackName)).toContain(ACCESS_STACK_NAME);
  });

  it('puts the alerts stack in us-east-1, where IAM events arrive', () => {
    expect(assembly.getStackByName(ALERTS_STACK_NAME).environment.region).toBe('us-east-1');
  });

  it('needs no AWS credentials or network: no context lookups are pending', () => {
    expect(assembly.manifest.missing ?? []).toEqual([]);
  });

  it('trusts example role ARNs, a separate break-glass principal, and never the whole account', () => {
    expect(built.config.trustedPrincipals).toEqual(['arn:aws:iam::777777777777:role/IncidentResponder']);
    expect(built.config.breakGlassPrincipals).toEqual(['arn:aws:iam::777777777777:role/IncidentCommander']);
    expect(built.config.allowAccountRootTrust).toBe(false);
    const trust = JSON.stringify(
      Object.values(assembly.getStackByName(ACCESS_STACK_NAME).template.Resources as Record<string, object>),
    );
    expect(trust).not.toMatch(/:root"|"AWS":"\d{12}"/);
  });

  it('uses the example account and the playbook names', () => {
    expect(built.config.accounts).toEqual(['777777777777']);
    expect(built.config.workgroupName).toBe('IRWorkshopWorkgroup');
    const analytics = assembly.getStackByName(ANALYTICS_STACK_NAME).template;
    expect(analytics.Outputs.DatabaseName.Value).toBe('irworkshopgluedatabase');
  });
});

describe('the app over an existing log bucket', () => {
  it('builds no log-sources stack and reads the named bucket', () => {
    const context = {
      irkit: {
        ...(cdkJson.context.irkit as object),
        logSources: { enabled: false },
        logBucket: 'DOC-EXAMPLE-BUCKET',
      },
    };
    const built = buildApp(new App({ context, builtinCloudFormationValidation: false }));
    expect(built.logSources).toBeUndefined();
    expect(built.app.node.tryFindChild(LOG_SOURCES_STACK_NAME)).toBeUndefined();
    expect(built.analytics.logBucket.bucketName).toBe('DOC-EXAMPLE-BUCKET');
  });
});

describe('the app with a bad config', () => {
  it('refuses before building any stack', () => {
    const app = new App({
      context: {
        irkit: {
          accounts: ['7777'],
          trustedPrincipals: ['arn:aws:iam::777777777777:role/IncidentResponder'],
        },
      },
    });
    expect(() => buildApp(app)).toThrow(IrKitError);
    expect(app.node.children).toHaveLength(0);
  });

  it('prints every mistake (key, value, fix: each fix once), without a stack trace, and exits 1 when run by cdk', () => {
    const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({
          irkit: {
            accounts: ['777777777777'],
            trustedPrincipals: ['arn:aws:iam::777777777777:role/IncidentResponder'],
            regoins: [],
          },
        }),
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('IRKIT_CONFIG: 2 config errors:\n');
    expect(result.stderr).toContain('  config irkit.regoins = []: unknown key');
    expect(result.stderr).toContain('  config irkit.logBucket = (missing): the tables need a bucket');
    expect(result.stderr.match(/did you mean "regions"/g)).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
