import { Match, Template } from 'aws-cdk-lib/assertions';

import { parseConfig } from '../../../lib/config';
import { EVIDENCE_DENIED_ACTIONS, EVIDENCE_WRITE_ACTIONS } from '../../../lib/constructs/evidence-store';
import { EVIDENCE_STACK } from '../../../lib/names';
import { EvidenceStack, EvidenceStackProps, evidenceSettings } from '../../../lib/stacks/evidence-stack';
import { compliantApp, nagFindings } from '../../helpers/compliance';
import { env } from './fixtures';

function evidenceStack(props: EvidenceStackProps = {}): EvidenceStack {
  return new EvidenceStack(compliantApp(), 'IrKitEvidence', { env, ...props });
}

describe('EvidenceStack (IrKitEvidence)', () => {
  let stack: EvidenceStack;
  let template: Template;

  beforeAll(() => {
    stack = evidenceStack();
    template = Template.fromStack(stack);
  });

  it('outputs the bucket and key under the keys the orchestrator reads back', () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(
      Object.values(EVIDENCE_STACK.outputs).sort(),
    );
    template.hasOutput(EVIDENCE_STACK.outputs.bucketName, {
      Value: { Ref: Match.stringLikeRegexp('^Store') },
    });
  });

  it('locks every object version for 365 days in GOVERNANCE mode by default, versioned, under its own rotating key', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
          }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('keeps the bucket, its access logs and the key when the stack is deleted', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      }
    }
  });

  it('takes COMPLIANCE mode and the retention from config', () => {
    const config = parseConfig({
      trustedPrincipals: ['arn:aws:iam::777777777777:role/Responder'],
      logBucket: 'amzn-s3-demo-logging-bucket',
      accounts: ['777777777777'],
      evidence: { lockMode: 'COMPLIANCE', retentionInDays: 2555 },
    });
    expect(config.evidence).toEqual({ lockMode: 'COMPLIANCE', retentionInDays: 2555 });
    const t = Template.fromStack(evidenceStack(config.evidence));
    t.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } },
      },
    });
  });

  it.each([
    [{ lockMode: 'LEGAL' }, /invalid evidence lockMode: "LEGAL"/],
    [{ retentionInDays: 0 }, /invalid evidence retentionInDays: 0/],
    [{ retentionInDays: 36_501 }, /1 to 36500/],
  ])('refuses %j with the fix', (props, message) => {
    expect(() => evidenceStack(props as EvidenceStackProps)).toThrow(message);
  });

  it('refuses a bad evidence config key, naming it', () => {
    const base = {
      trustedPrincipals: ['arn:aws:iam::777777777777:role/Responder'],
      logBucket: 'amzn-s3-demo-logging-bucket',
      accounts: ['777777777777'],
    };
    expect(() => parseConfig({ ...base, evidence: { lockMode: 'governance' } })).toThrow(
      /irkit\.evidence\.lockMode/,
    );
    expect(() => parseConfig({ ...base, evidence: { retentionInDays: 1.5 } })).toThrow(
      /irkit\.evidence\.retentionInDays/,
    );
    expect(() => parseConfig({ ...base, evidence: { retention: 30 } })).toThrow(/retention/);
  });

  it('denies deleting, unlocking and re-configuring the evidence to every principal', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'EvidenceIsNeverDeletedOrUnlocked',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: [...EVIDENCE_DENIED_ACTIONS].sort(),
          }),
        ]),
      },
    });
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('admits no member account without an organization', () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/PrincipalOrgID|accounts\//);
  });
});

describe('IrKitEvidence of an organization with members', () => {
  const base = {
    trustedPrincipals: ['arn:aws:iam::777777777777:role/Responder'],
    logBucket: 'amzn-s3-demo-logging-bucket',
    accounts: ['777777777777'],
    organizationId: 'o-exampleorgid',
    env: { account: '777777777777', region: 'us-east-1' },
  };
  const ownFolder = {
    'Fn::Join': [
      '',
      [
        { 'Fn::GetAtt': [Match.stringLikeRegexp('^Store'), 'Arn'] },
        '/incidents/*/accounts/${aws:PrincipalAccount}/*',
      ],
    ],
  };

  it('takes the organization from the config only with a member baseline, and the break-glass role name', () => {
    expect(evidenceSettings(parseConfig(base)).organizationId).toBeUndefined();
    const config = parseConfig({
      ...base,
      breakGlassRoleName: 'IncidentBreakGlass',
      members: { organizationalUnits: ['ou-exa1-11111111'] },
    });
    const t = Template.fromStack(evidenceStack(evidenceSettings(config)));
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'MemberWritesOnlyFromTheOrganization',
            Effect: 'Deny',
            Condition: Match.objectLike({ StringNotEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid' } }),
          }),
          Match.objectLike({
            Sid: 'MemberWritesOnlyItsAccountsFolder',
            Effect: 'Deny',
            NotResource: ownFolder,
          }),
          Match.objectLike({ Sid: 'MemberWritesNoFolderNestedElsewhere', Effect: 'Deny' }),
          Match.objectLike({
            Sid: 'MemberBreakGlassCopiesItsAccountsEvidence',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: [...EVIDENCE_WRITE_ACTIONS].sort(),
            Resource: ownFolder,
            Condition: {
              StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid' },
              ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/IncidentBreakGlass' },
            },
          }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'MemberBreakGlassEncryptsItsCopies',
            Principal: { AWS: '*' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: Match.objectLike({
              StringEquals: {
                'kms:ViaService': 's3.us-east-1.amazonaws.com',
                'aws:PrincipalOrgID': 'o-exampleorgid',
              },
            }),
          }),
        ]),
      },
    });
  });

  it.each([
    [{ organizationId: 'o-EXAMPLE' }, /invalid organization id: "o-EXAMPLE"/],
    [
      { organizationId: 'o-exampleorgid', breakGlassRoleName: 'role/with/slash' },
      /invalid member writer role name: "role\/with\/slash"/,
    ],
  ])('refuses %j with the fix', (props, message) => {
    expect(() => evidenceStack(props)).toThrow(message);
  });
});
