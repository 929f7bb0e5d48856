import Module from 'node:module';

import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';

import { applyCompliance } from '../../../../lib/compliance';
import { CONTAINMENT_HANDLER_NAMES, RESOURCE_TYPES } from '../../../../lib/constructs/containment/common';
import { ContainmentHandler, handlerCode } from '../../../../lib/constructs/containment/containment-handler';
import * as source from '../../../../lib/constructs/containment/handler';

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
    protectedPrincipalArns: ['arn:aws:iam::777777777777:user/ci-deployer'],
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
    expect(bySid.NeverChangeProtectedPrincipals).toMatchObject({
      Effect: 'Deny',
      Resource: 'arn:aws:iam::777777777777:user/ci-deployer',
    });
    expect(bySid.NeverChangeIrRoles).toMatchObject({
      Effect: 'Deny',
      Action: ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
    });
    expect(bySid.NeverChangeIrRoles.Resource).toHaveLength(2);
    // Nothing here could grant a permission: no iam:Create*, no AttachRolePolicy, no PassRole.
    expect(JSON.stringify(doc)).not.toMatch(/iam:Create|iam:AttachRolePolicy|iam:PassRole|"\*"/);
  });

  it('keeps its log for a year and never deletes it', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/aws/lambda/irkit-contain-handler', RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
  });

  it('inlines a transpiled handler that loads alone and answers requests', async () => {
    const code = handlerCode();
    expect(code).not.toMatch(/require\("\.{1,2}\//); // no local imports: it must run as one file
    const mod = new Module('inline-handler.js');
    mod.paths = module.paths;
    (mod as unknown as { _compile(code: string, file: string): void })._compile(code, __filename);
    const inlined = mod.exports as typeof source;
    expect(inlined.RESOURCE_TYPES).toEqual(RESOURCE_TYPES);
    expect(source.RESOURCE_TYPES).toEqual(RESOURCE_TYPES);

    // The inlined module loads its own copy of the SDK (outside jest's registry), so answer by command name.
    const sent: string[] = [];
    const answers: Record<string, object> = {
      ListUserTagsCommand: { Tags: [] },
      ListAttachedUserPoliciesCommand: { AttachedPolicies: [] },
      AttachUserPolicyCommand: {},
    };
    const fakeIam = {
      send: async (command: object) => {
        sent.push(command.constructor.name);
        return answers[command.constructor.name];
      },
    };
    const out = await inlined.handleRequest(
      {
        RequestType: 'Create',
        ResponseURL: 'https://example.invalid/',
        StackId: 'stack',
        RequestId: 'r',
        LogicalResourceId: 'User',
        ResourceType: RESOURCE_TYPES.userDeny,
        ResourceProperties: { IncidentId: 'IR-1', UserName: 'JaneDoe' },
      },
      {
        iam: fakeIam as never,
        s3: {} as never,
        containmentPolicyArn: 'arn:aws:iam::777777777777:policy/iam-containment-policy',
        handlerRoleArn: 'arn:aws:iam::777777777777:role/IrKitContainmentHandlerRole',
      },
    );
    expect(out).toEqual({
      physicalResourceId: 'irkit|user-deny|IR-1|JaneDoe|managed',
      data: { Mode: 'managed' },
    });
    expect(sent).toEqual([
      'ListUserTagsCommand',
      'ListAttachedUserPoliciesCommand',
      'AttachUserPolicyCommand',
    ]);
  });
});
