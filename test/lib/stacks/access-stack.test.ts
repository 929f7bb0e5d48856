import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';

import {
  ACCESS_OUTPUTS,
  ACCOUNT_ROOT_TRUST_WARNING,
  AccessStack,
  principalFrom,
} from '../../../lib/stacks/access-stack';
import { nagFindings } from '../../helpers/compliance';
import { accessFixture, env, LOG_BUCKET, RESPONDER, testApp } from './fixtures';

describe('AccessStack (IrKitAccess)', () => {
  let fixture: ReturnType<typeof accessFixture>;
  let template: Template;

  beforeAll(() => {
    fixture = accessFixture();
    template = Template.fromStack(fixture.stack);
  });

  it('outputs every ARN the orchestrator reads back, under stable keys', () => {
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs).sort()).toEqual(Object.values(ACCESS_OUTPUTS).sort());
    template.hasOutput(ACCESS_OUTPUTS.containmentPolicyArn, {
      Value: { Ref: Match.stringLikeRegexp('^ContainmentPolicy') },
    });
    template.hasOutput(ACCESS_OUTPUTS.breakGlassRoleArn, {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RolesBreakGlass'), 'Arn'] },
    });
  });

  it('holds the four IR roles, the execution role and the containment policy', () => {
    for (const name of [
      'SecurityAnalystRole',
      'SecurityAdminRole',
      'SecurityDeployRole',
      'SecurityBreakGlassRole',
      'IrKitContainmentExecutionRole',
    ]) {
      template.hasResourceProperties('AWS::IAM::Role', { RoleName: name });
    }
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'iam-containment-policy',
    });
    // The account's own evidence store: its break-glass role writes every folder of an incident.
    expect(JSON.stringify(template.toJSON())).not.toMatch(/EvidenceWrites|aws:ResourceAccount/);
  });

  it('protects the four IR roles and the kit’s own roles from the containment handler', () => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      p.Properties.PolicyDocument.Statement.some((s: { Sid: string }) => s.Sid === 'NeverChangeIrRoles'),
    );
    const protect = policy?.Properties.PolicyDocument.Statement.find(
      (s: { Sid: string }) => s.Sid === 'NeverChangeIrRoles',
    );
    const ids = JSON.stringify(protect.Resource);
    for (const prefix of [
      'RolesAnalyst',
      'RolesAdmin',
      'RolesDeploy',
      'RolesBreakGlass',
      'ContainmentExecutionRole',
      'ContainmentHandlerRole',
    ]) {
      expect(ids).toMatch(new RegExp(`"Fn::GetAtt":\\["${prefix}[0-9A-F]{8}","Arn"\\]`));
    }
  });

  it('deploys the containment handler the containment stacks call, and the execution role may only invoke it', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'irkit-contain-handler' });
    template.hasOutput(ACCESS_OUTPUTS.containmentHandlerArn, {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ContainmentHandler'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Sid: 'InvokeTheContainmentHandler', Action: 'lambda:InvokeFunction' }),
        ],
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^ContainmentExecutionRole') }],
    });
  });

  it('serializes containment changes (reserved concurrency 1) unless the config reserves none', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'irkit-contain-handler',
      ReservedConcurrentExecutions: 1,
    });
    const unreserved = Template.fromStack(accessFixture({ containmentHandlerConcurrency: 0 }).stack);
    unreserved.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'irkit-contain-handler',
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it('protects a principal named with its IAM path from the containment handler', () => {
    const t = Template.fromStack(accessFixture({ protectedPrincipals: ['contractors/alice'] }).stack);
    const doc = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(doc).toContain('arn:aws:iam::777777777777:user/*/alice');
    expect(doc).toContain('arn:aws:iam::777777777777:role/*/alice');
  });

  it('denies the containment handler every write on the kit’s log and results buckets', () => {
    const handlerPolicy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p).includes('NeverChangeProtectedBuckets'),
    );
    expect(handlerPolicy).toBeDefined();
    const statement = (
      handlerPolicy?.Properties.PolicyDocument.Statement as Array<{ Sid: string; Resource: unknown[] }>
    ).find((x) => x.Sid === 'NeverChangeProtectedBuckets');
    expect(statement?.Resource).toHaveLength(2);
  });

  it("reads another stack's own bucket and key through explicitly named exports", () => {
    const imports = JSON.stringify(template.toJSON()).match(/"Fn::ImportValue":"[^"]+"/g) ?? [];
    expect([...new Set(imports)].sort()).toEqual([
      '"Fn::ImportValue":"AnalyticsStandIn-ResultsBucketArn"',
      '"Fn::ImportValue":"AnalyticsStandIn-ResultsKeyArn"',
    ]);
    Template.fromStack(fixture.analytics).hasOutput('*', {
      Export: { Name: 'AnalyticsStandIn-ResultsBucketArn' },
    });
  });

  it('names a bucket the other stack only imports by its name, with no export', () => {
    const logObjects = `arn:aws:s3:::${LOG_BUCKET}/*`;
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Sid: 'ReadLogObjects', Resource: logObjects })]),
      },
    });
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(fixture.stack)).toEqual([]);
  });

  it('takes its names from props', () => {
    const renamed = accessFixture({
      analystRoleName: 'IrAnalyst',
      containmentPolicyName: 'ir-deny-all',
      containmentExecutionRoleName: 'IrContainmentCfn',
      workgroupName: 'ir',
      databaseName: 'irdb',
    });
    const t = Template.fromStack(renamed.stack);
    t.hasResourceProperties('AWS::IAM::Role', { RoleName: 'IrAnalyst' });
    t.hasResourceProperties('AWS::IAM::Role', { RoleName: 'IrContainmentCfn' });
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'ir-deny-all' });
    expect(JSON.stringify(t.toJSON())).toContain(':athena:us-east-1:777777777777:workgroup/ir"');
    expect(JSON.stringify(t.toJSON())).toContain(':glue:us-east-1:777777777777:table/irdb/*"');
  });

  it('works with buckets of its own stack too', () => {
    const app = testApp();
    const stack = new Stack(app, 'Holder', { env });
    const own = new AccessStack(app, 'Own', {
      env,
      trustedPrincipals: [RESPONDER],
      logBucket: s3.Bucket.fromBucketName(stack, 'Logs', LOG_BUCKET),
      resultsBucket: s3.Bucket.fromBucketName(stack, 'Results', 'amzn-s3-demo-bucket1'),
    });
    expect(nagFindings(own)).toEqual([]);
  });
});

describe('principalFrom', () => {
  it('reads an account id as the account and an ARN as that principal', () => {
    const stack = new Stack();
    expect(stack.resolve(principalFrom('777777777777').policyFragment.principalJson)).toEqual({
      AWS: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::777777777777:root']] }],
    });
    expect(stack.resolve(principalFrom(RESPONDER).policyFragment.principalJson)).toEqual({
      AWS: [RESPONDER],
    });
  });

  it.each(['77777777777', 'arn:aws:iam::777777777777:group/Responders', 'Responder', ''])(
    'refuses %j with a config error naming it',
    (value) => {
      expect(() => principalFrom(value)).toThrow(
        expect.objectContaining({
          code: 'IRKIT_CONFIG',
          message: expect.stringContaining(JSON.stringify(value)),
        }),
      );
    },
  );
});

describe('trust in a whole account', () => {
  // Synth prints warnings in its validation report (cdk.json's annotationsInValidationReport).
  let printed: jest.SpyInstance;
  beforeEach(() => {
    printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => printed.mockRestore());

  it.each(['777777777777', 'arn:aws:iam::777777777777:root'])(
    'refuses %j as a trusted principal without allowAccountRootTrust',
    (value) => {
      expect(() => accessFixture({ trustedPrincipals: [value] })).toThrow(
        expect.objectContaining({
          code: 'IRKIT_CONFIG',
          message: expect.stringContaining(`trusted principal ${JSON.stringify(value)} is a whole account`),
          hint: expect.stringContaining('allowAccountRootTrust'),
        }),
      );
    },
  );

  it('refuses a whole account as break-glass principal without allowAccountRootTrust', () => {
    expect(() => accessFixture({ breakGlassPrincipals: ['777777777777'] })).toThrow(
      expect.objectContaining({ code: 'IRKIT_CONFIG', message: expect.stringContaining('"777777777777"') }),
    );
  });

  it('warns at synth, naming the roles the account can assume, when allowAccountRootTrust is set', () => {
    const { stack } = accessFixture({ trustedPrincipals: ['777777777777'], allowAccountRootTrust: true });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    const ours = warnings.filter((w) =>
      String(w.entry.data).includes(`[ack: ${ACCOUNT_ROOT_TRUST_WARNING}]`),
    );
    expect(ours).toHaveLength(1);
    expect(String(ours[0].entry.data)).toMatch(
      /^allowAccountRootTrust: the IR roles trust the whole account \(777777777777\)\. .*SecurityDeployRole, SecurityBreakGlassRole \(after enrolling an MFA device of its own\)/,
    );
    expect(nagFindings(stack)).toEqual([]);
    expect(printed.mock.calls.flat().join('\n')).toContain(
      `Acknowledge with 'Annotation::${ACCOUNT_ROOT_TRUST_WARNING}'`,
    );
  });

  it('names only the break-glass role when only breakGlassPrincipals is an account', () => {
    const { stack } = accessFixture({ breakGlassPrincipals: ['777777777777'], allowAccountRootTrust: true });
    const [warning] = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('allowAccountRootTrust'),
    );
    expect(String(warning.entry.data)).toMatch(/can assume SecurityBreakGlassRole \(after/);
    expect(String(warning.entry.data)).not.toContain('SecurityDeployRole');
  });

  it('gives no warning when only role ARNs are trusted', () => {
    const { stack } = accessFixture();
    expect(
      Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('allowAccountRootTrust')),
    ).toEqual([]);
    expect(printed).not.toHaveBeenCalled();
  });
});

describe('protected principals', () => {
  it('refuses a value that is neither an IAM name nor a user/role ARN', () => {
    expect(() => accessFixture({ protectedPrincipals: ['not a name'] })).toThrow(
      expect.objectContaining({ code: 'IRKIT_CONFIG', message: expect.stringContaining('"not a name"') }),
    );
  });
});
