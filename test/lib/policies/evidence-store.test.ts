import { Template } from 'aws-cdk-lib/assertions';

import { EvidenceStack } from '../../../lib/stacks/evidence-stack';
import { compliantApp } from '../../helpers/compliance';
import { ACCOUNT, REGION } from '../stacks/fixtures';
import {
  ADMINISTRATOR_ACCESS,
  decide,
  DeployedTemplate,
  PolicyDocument,
  READ_ONLY_ACCESS,
  Template as Json,
} from './template-policies';

/**
 * Who may do what with the evidence (GIVEN the deployed IrKitEvidence stack, WHEN a role
 * calls X, THEN ...), asked of the IAM simulator: the bucket policy and the key policy are the
 * resource policies, the roles' identity policies the AWS managed ones they hold.
 */

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const BREAK_GLASS = role('SecurityBreakGlassRole');
const ANALYST = role('SecurityAnalystRole');
const DEPLOY = role('SecurityDeployRole');
const EXPOSED_ADMIN = `arn:aws:iam::${ACCOUNT}:user/JorgeSouza`;

let bucketArn: string;
let bucketPolicy: PolicyDocument;
let keyArn: string;
let keyPolicy: PolicyDocument;

beforeAll(() => {
  const stack = new EvidenceStack(compliantApp(), 'IrKitEvidence', {
    env: { account: ACCOUNT, region: REGION },
  });
  const deployed = new DeployedTemplate(Template.fromStack(stack).toJSON() as Json, {
    account: ACCOUNT,
    region: REGION,
  });
  const bucketId = deployed.logicalId('AWS::S3::Bucket', 'StoreC');
  bucketArn = deployed.arnOf(bucketId);
  const policyId = deployed.logicalId('AWS::S3::BucketPolicy', 'StorePolicy');
  bucketPolicy = deployed.resolve(
    deployed.template.Resources[policyId].Properties!.PolicyDocument,
  ) as PolicyDocument;
  const keyId = deployed.logicalId('AWS::KMS::Key', 'StoreKey');
  keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  keyPolicy = deployed.resolve(deployed.template.Resources[keyId].Properties!.KeyPolicy) as PolicyDocument;
});

function s3(principal: string, action: string, key: string | null, identity: PolicyDocument, secure = true) {
  return decide({
    principal,
    action,
    resource: key === null ? bucketArn : `${bucketArn}/${key}`,
    identityPolicies: [{ name: 'identity', policy: identity }],
    resourcePolicy: bucketPolicy,
    context: { 'aws:PrincipalArn': principal, 'aws:SecureTransport': secure ? 'true' : 'false' },
  });
}

const ITEM = 'incidents/IR-2021-0724/investigation.json';

describe('the evidence bucket', () => {
  it('lets the break-glass role write and read an incident’s evidence', async () => {
    for (const action of ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion']) {
      expect([action, await s3(BREAK_GLASS, action, ITEM, ADMINISTRATOR_ACCESS)]).toEqual([
        action,
        'Allowed',
      ]);
    }
    expect(await s3(BREAK_GLASS, 's3:ListBucket', null, ADMINISTRATOR_ACCESS)).toBe('Allowed');
  });

  it.each([
    's3:DeleteObject',
    's3:DeleteObjectVersion',
    's3:PutObjectRetention',
    's3:BypassGovernanceRetention',
  ])('denies %s even to the administrator break-glass role', async (action) => {
    expect(await s3(BREAK_GLASS, action, ITEM, ADMINISTRATOR_ACCESS)).toBe('ExplicitlyDenied');
  });

  it.each([
    's3:PutBucketObjectLockConfiguration',
    's3:PutBucketVersioning',
    's3:PutLifecycleConfiguration',
    's3:DeleteBucket',
  ])('denies %s on the bucket to every administrator', async (action) => {
    expect(await s3(BREAK_GLASS, action, null, ADMINISTRATOR_ACCESS)).toBe('ExplicitlyDenied');
    expect(await s3(EXPOSED_ADMIN, action, null, ADMINISTRATOR_ACCESS)).toBe('ExplicitlyDenied');
  });

  it('lets the analyst read and list, never write', async () => {
    expect(await s3(ANALYST, 's3:GetObject', ITEM, READ_ONLY_ACCESS)).toBe('Allowed');
    expect(await s3(ANALYST, 's3:ListBucketVersions', null, READ_ONLY_ACCESS)).toBe('Allowed');
    expect(await s3(ANALYST, 's3:PutObject', ITEM, ADMINISTRATOR_ACCESS)).toBe('ExplicitlyDenied');
  });

  it('keeps out every other principal, an administrator with the exposed key and the deploy role included', async () => {
    for (const principal of [EXPOSED_ADMIN, DEPLOY]) {
      for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObjectVersion']) {
        expect([principal, action, await s3(principal, action, ITEM, ADMINISTRATOR_ACCESS)]).toEqual([
          principal,
          action,
          'ExplicitlyDenied',
        ]);
      }
      expect(await s3(principal, 's3:ListBucket', null, ADMINISTRATOR_ACCESS)).toBe('ExplicitlyDenied');
    }
  });

  it('lets the break-glass role abort its multipart copy (a version over 5 GB); nobody else', async () => {
    expect(await s3(BREAK_GLASS, 's3:AbortMultipartUpload', ITEM, ADMINISTRATOR_ACCESS)).toBe('Allowed');
    for (const principal of [EXPOSED_ADMIN, DEPLOY, ANALYST]) {
      expect(await s3(principal, 's3:AbortMultipartUpload', ITEM, ADMINISTRATOR_ACCESS)).toBe(
        'ExplicitlyDenied',
      );
    }
  });

  it('refuses requests without TLS, even the break-glass role’s', async () => {
    expect(await s3(BREAK_GLASS, 's3:GetObject', ITEM, ADMINISTRATOR_ACCESS, false)).toBe('ExplicitlyDenied');
  });
});

describe('the evidence key', () => {
  function kms(principal: string, action: string, identity: PolicyDocument, viaS3: boolean) {
    return decide({
      principal,
      action,
      resource: keyArn,
      identityPolicies: [{ name: 'identity', policy: identity }],
      resourcePolicy: keyPolicy,
      context: {
        'aws:PrincipalArn': principal,
        ...(viaS3 ? { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } : {}),
      },
    });
  }

  it('lets the analyst decrypt through S3 only, and never encrypt', async () => {
    expect(await kms(ANALYST, 'kms:Decrypt', READ_ONLY_ACCESS, true)).toBe('Allowed');
    expect(await kms(ANALYST, 'kms:Decrypt', READ_ONLY_ACCESS, false)).toBe('ImplicitlyDenied');
    expect(await kms(ANALYST, 'kms:GenerateDataKey', READ_ONLY_ACCESS, true)).toBe('ImplicitlyDenied');
  });

  it('lets the break-glass role make data keys through S3', async () => {
    expect(await kms(BREAK_GLASS, 'kms:GenerateDataKey', READ_ONLY_ACCESS, true)).toBe('Allowed');
  });
});
