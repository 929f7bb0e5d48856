import { Template } from 'aws-cdk-lib/assertions';

import { ACCOUNT, accessFixture } from '../stacks/fixtures';
import { decide, DeployedTemplate, PolicyDocument, Template as Json } from './template-policies';

/**
 * SecurityAnalystRole's custom policy, asked of the IAM simulator, for the reads of
 * `irkit investigate --related-findings`: GuardDuty's detectors and findings and AWS Health's
 * events and affected entities are allowed; nothing that changes GuardDuty or Health, and no
 * other Health read. ReadOnlyAccess is left out, so the custom policy alone is proven.
 */

const DETECTOR = `arn:aws:guardduty:us-east-1:${ACCOUNT}:detector/12abc34d567e8fa901bc2d34e56789f0`;

let analystArn: string;
let analystPolicy: PolicyDocument;

beforeAll(() => {
  const fixture = accessFixture();
  const deployed = new DeployedTemplate(
    Template.fromStack(fixture.stack).toJSON() as Json,
    fixture.deployment,
  );
  analystArn = deployed.arnOf(deployed.logicalId('AWS::IAM::Role', 'RolesAnalyst'));
  analystPolicy = deployed.managedPolicy('RolesAnalystPolicy');
});

const ask = (action: string, resource: string) =>
  decide({
    principal: analystArn,
    action,
    resource,
    identityPolicies: [{ name: 'AnalystPolicy', policy: analystPolicy }],
  });

describe('SecurityAnalystRole reads related findings', () => {
  it.each([
    'guardduty:ListDetectors',
    'guardduty:ListFindings',
    'guardduty:GetFindings',
    'health:DescribeEvents',
    'health:DescribeAffectedEntities',
  ])('allows %s', async (action) => {
    expect(await ask(action, '*')).toBe('Allowed');
  });

  it.each([
    ['guardduty:ArchiveFindings', '*'],
    ['guardduty:UpdateFindingsFeedback', '*'],
    ['guardduty:UpdateDetector', DETECTOR],
    ['guardduty:DeleteDetector', DETECTOR],
    ['guardduty:CreateFilter', '*'],
    ['guardduty:DisassociateFromAdministratorAccount', '*'],
    ['health:DisableHealthServiceAccessForOrganization', '*'],
    ['health:DescribeAffectedAccountsForOrganization', '*'],
  ])('does not allow %s', async (action, resource) => {
    expect(await ask(action, resource)).toBe('ImplicitlyDenied');
  });
});
