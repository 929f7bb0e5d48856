/**
 * irkit doctor --members through the real SDK clients on the wire: CloudFormation's
 * ListStackInstances (paged) in the administration account and STS AssumeRole of each member's
 * deploy role, AccessDenied included.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { STSClient } from '@aws-sdk/client-sts';

import { memberChecks } from '../../../orchestrator/doctor/members';
import { AwsWire, awsQueryError, cfnXml, startAwsWire, stsXml } from '../../support/aws-wire';

let wire: AwsWire;
beforeEach(async () => {
  wire = await startAwsWire();
});
afterEach(async () => {
  await wire.close();
});

const instance = (account: string, status: string, detailed: string, reason = '') =>
  `<member><StackSetId>IrKitMemberBaseline:0a1b2c3d-0000-4000-8000-000000000000</StackSetId><Region>us-east-1</Region>` +
  `<Account>${account}</Account><Status>${status}</Status>` +
  (reason ? `<StatusReason>${reason}</StatusReason>` : '') +
  `<StackInstanceStatus><DetailedStatus>${detailed}</DetailedStatus></StackInstanceStatus>` +
  '<OrganizationalUnitId>ou-exa1-11111111</OrganizationalUnitId><DriftStatus>NOT_CHECKED</DriftStatus></member>';

const clients = () => ({
  sts: new STSClient(wire.clientConfig('sts', { maxAttempts: 1 })),
  cloudFormation: new CloudFormationClient(wire.clientConfig('cloudformation', { maxAttempts: 1 })),
});
const options = {
  callAs: 'DELEGATED_ADMIN' as const,
  deployRoleArnTemplate: 'arn:aws:iam::{account}:role/SecurityDeployRole',
  operator: {
    arn: 'arn:aws:sts::777777777777:assumed-role/SecurityAdmin/jane',
    account: '777777777777',
    partition: 'aws',
  },
};

describe('irkit doctor --members', () => {
  it('reports each instance and whether each deploy role is assumable, over every page', async () => {
    wire.once('cloudformation', 'ListStackInstances', () =>
      cfnXml(
        'ListStackInstances',
        `<Summaries>${instance('111122223333', 'CURRENT', 'SUCCEEDED')}</Summaries><NextToken>page2</NextToken>`,
      ),
    );
    wire.once('cloudformation', 'ListStackInstances', () =>
      cfnXml(
        'ListStackInstances',
        `<Summaries>${instance('444455556666', 'OUTDATED', 'FAILED', 'ResourceLogicalId:RolesDeployD6A1B8B8, ResourceType:AWS::IAM::Role, ResourceStatusReason:SecurityDeployRole already exists.')}</Summaries>`,
      ),
    );
    wire.on('sts', 'AssumeRole', (p) =>
      p.RoleArn.includes('444455556666')
        ? awsQueryError({
            service: 'sts',
            code: 'AccessDenied',
            status: 403,
            message: `User: ${options.operator.arn} is not authorized to perform: sts:AssumeRole on resource: ${p.RoleArn}`,
          })
        : stsXml(
            'AssumeRole',
            '<AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/SecurityDeployRole/irkit-SecurityAdmin-jane</Arn>' +
              '<AssumedRoleId>AROA3XFRBF535PLBIFPI4:irkit-SecurityAdmin-jane</AssumedRoleId></AssumedRoleUser>' +
              '<Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>' +
              '<SessionToken>AQoDYXdzEPT//////////wEXAMPLE</SessionToken><Expiration>2021-07-24T04:00:00Z</Expiration></Credentials>',
          ),
    );
    const checks = await memberChecks(clients(), options);
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['member 111122223333 baseline (us-east-1)', 'ok'],
      ['member 111122223333 deploy role', 'ok'],
      ['member 444455556666 baseline (us-east-1)', 'fail'],
      ['member 444455556666 deploy role', 'fail'],
    ]);
    expect(checks[2].detail).toMatch(/OUTDATED, FAILED: .*already exists/);
    expect(checks[3].detail).toMatch(/AccessDenied/);
    const listed = wire.callsTo('cloudformation', 'ListStackInstances').map((c) => c.params);
    expect(listed[0]).toMatchObject({ StackSetName: 'IrKitMemberBaseline', CallAs: 'DELEGATED_ADMIN' });
    expect(listed[1].NextToken).toBe('page2');
    expect(wire.callsTo('sts', 'AssumeRole')[0].params.RoleSessionName).toBe('irkit-SecurityAdmin-jane');
  });

  it('says so when the StackSet is not there, and how to deploy it', async () => {
    wire.on('cloudformation', 'ListStackInstances', () =>
      awsQueryError({
        service: 'cloudformation',
        code: 'StackSetNotFoundException',
        status: 404,
        message: 'StackSet IrKitMemberBaseline not found',
      }),
    );
    const [check] = await memberChecks(clients(), options);
    expect(check).toMatchObject({
      name: 'StackSet IrKitMemberBaseline',
      status: 'fail',
      detail: 'not found',
    });
    expect(check.fix).toMatch(/npx cdk deploy IrKitOrganization/);
  });
});
