import Module from 'node:module';

import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';

import { applyCompliance } from '../../../../lib/compliance';
import { CONTAINMENT_HANDLER_NAMES, RESOURCE_TYPES } from '../../../../lib/constructs/containment/common';
import { ContainmentHandler, handlerCode } from '../../../../lib/constructs/containment/containment-handler';
import * as source from '../../../../lib/constructs/containment/handler';
import { PLAYBOOK_PROTECTION } from '../../../../lib/protection';
import { WireAccount } from '../../../support/wire-account';

function functionId(): string {
  return Object.keys(template.findResources('AWS::Lambda::Function'))[0];
}

function build(): { stack: Stack; template: Template; handler: ContainmentHandler } {
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:disable-stack-trace': true },
  });
  applyCompliance(app);
  const stack = new Stack(app, 'Access', { env: { account: '777777777777', region: 'us-east-1' } });
  const policy = new iam.ManagedPolicy(stack, 'ContainmentPolicy', {
    managedPolicyName: 'iam-containment-policy',
    statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['*'], resources: ['*'] })],
  });
  const analyst = new iam.Role(stack, 'Analyst', {
    roleName: 'SecurityAnalystRole',
    assumedBy: new iam.AccountPrincipal('777777777777'),
  });
  const handler = new ContainmentHandler(stack, 'ContainmentHandler', {
    containmentPolicy: policy,
    protectedRoles: [analyst],
    protection: {
      ...PLAYBOOK_PROTECTION,
      protectedPrincipals: ['arn:aws:iam::777777777777:user/ci-deployer'],
    },
  });
  // Template.fromStack fails on any unacknowledged cdk-nag finding.
  return { stack, template: Template.fromStack(stack), handler };
}

const { template } = build();

describe('ContainmentHandler', () => {
  it('is one inline Node.js function with the name the containment templates call', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: CONTAINMENT_HANDLER_NAMES.functionName,
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Code: { ZipFile: Match.stringLikeRegexp('Custom::IrKitBucketPolicy') },
      Environment: {
        Variables: { CONTAINMENT_POLICY_ARN: { Ref: Match.anyValue() }, HANDLER_ROLE_ARN: Match.anyValue() },
      },
    });
  });

  it('may attach only the containment policy, and never touches protected principals', () => {
    const doc = Object.values(template.findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument;
    const bySid = Object.fromEntries(doc.Statement.map((s: { Sid: string }) => [s.Sid, s]));
    expect(bySid.AttachOnlyTheContainmentPolicy.Condition).toEqual({
      ArnEquals: { 'iam:PolicyARN': { Ref: expect.any(String) } },
    });
    expect(bySid.NeverChangeTaggedProtected).toMatchObject({
      Effect: 'Deny',
      Condition: { StringEqualsIgnoreCase: { 'aws:ResourceTag/irkit:protected': 'true' } },
    });
    expect(bySid.NeverChangeProtectedPrincipals.Effect).toBe('Deny');
    expect(bySid.NeverChangeProtectedPrincipals.Resource).toEqual(
      expect.arrayContaining(['arn:aws:iam::777777777777:user/ci-deployer']),
    );
    expect(bySid.NeverChangeIrRoles).toMatchObject({
      Effect: 'Deny',
      Action: [
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:PassRole',
      ],
    });
    expect(bySid.NeverChangeIrRoles.Resource).toHaveLength(2);
    // Nothing here could grant a permission: no iam:Create*, no wildcard action, and PassRole only
    // to EC2 for an instance of this account and Region (release associates the instance's own
    // profile again), beside the denies.
    expect(JSON.stringify(doc)).not.toMatch(/iam:Create|iam:Tag|"Action":"\*"/);
    const passing = doc.Statement.filter(
      (s: { Effect: string; Action: string | string[] }) =>
        s.Effect === 'Allow' && [s.Action].flat().includes('iam:PassRole'),
    );
    expect(passing).toEqual([
      expect.objectContaining({
        Sid: 'PassRolesOnlyToEc2',
        Action: 'iam:PassRole',
        Condition: {
          StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
          ArnLike: { 'iam:AssociatedResourceArn': expect.anything() },
        },
      }),
    ]);
  });

  it('runs one containment change at a time by default (reserved concurrency 1)', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 1 });
  });

  it('keeps its log for a year and never deletes it', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/aws/lambda/irkit-contain-handler', RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
  });

  it('inlines one bundled file that runs alone, configured by its environment, against IAM on the wire', async () => {
    const code = handlerCode();
    expect(code).not.toMatch(/require\("\.{1,2}\//); // no local imports: it must run as one file
    expect(Buffer.byteLength(code)).toBeLessThan(1024 * 1024);
    const mod = new Module('inline-handler.js');
    mod.paths = module.paths;
    (mod as unknown as { _compile(code: string, file: string): void })._compile(code, __filename);
    const inlined = mod.exports as typeof source;
    expect(inlined.RESOURCE_TYPES).toEqual(RESOURCE_TYPES);

    // The bundle runs outside jest's sandbox, so it reads the real process's environment.
    const realEnv = (mod.require('node:process') as NodeJS.Process).env;
    const account = await WireAccount.start();
    const saved = { ...realEnv };
    try {
      const jane = account.addUser('JaneDoe');
      const props = { IncidentId: 'IR-1', UserName: 'JaneDoe', ContainmentTime: '2021-07-26T00:37:18Z' };
      const stack = account.addStack('irkit-contain-IR-1-user-JaneDoe', props);
      stack.resources.push({
        logicalId: 'Resource',
        type: RESOURCE_TYPES.userDeny,
        status: 'CREATE_IN_PROGRESS',
      });
      Object.assign(realEnv, {
        AWS_ENDPOINT_URL: account.wire.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wire-test-secret',
        AWS_MAX_ATTEMPTS: '1',
        CONTAINMENT_POLICY_ARN: 'arn:aws:iam::777777777777:policy/iam-containment-policy',
        HANDLER_ROLE_ARN: 'arn:aws:iam::777777777777:role/IrKitContainmentHandlerRole',
        PROTECTION_RULE:
          template.toJSON().Resources[functionId()].Properties.Environment.Variables.PROTECTION_RULE,
      });
      const sent: Array<Record<string, unknown>> = [];
      const lambda = inlined.makeHandler(
        () => inlined.depsFromEnvironment(),
        async (_url, body) => {
          sent.push(JSON.parse(body));
        },
      );
      await lambda(
        {
          RequestType: 'Create',
          ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/r',
          StackId: stack.id,
          RequestId: 'r',
          LogicalResourceId: 'Resource',
          ResourceType: RESOURCE_TYPES.userDeny,
          ResourceProperties: props,
        },
        { getRemainingTimeInMillis: () => 60000 },
      );
      expect(sent[0]).toMatchObject({ Status: 'SUCCESS' });
      expect(jane.attached).toEqual(['arn:aws:iam::777777777777:policy/iam-containment-policy']);
    } finally {
      for (const key of Object.keys(realEnv)) if (!(key in saved)) delete realEnv[key];
      Object.assign(realEnv, saved);
      await account.close();
    }
  });
});
