import { Template } from 'aws-cdk-lib/assertions';

import { parseConfig } from '../../../lib/config';
import { EVIDENCE_WRITE_ACTIONS } from '../../../lib/constructs/evidence-store';
import { EvidenceStack, evidenceSettings } from '../../../lib/stacks/evidence-stack';
import { organizationSettings } from '../../../lib/stacks/organization/organization-stack';
import { compliantApp, nagFindings } from '../../helpers/compliance';
import {
  ADMINISTRATOR_ACCESS,
  decide,
  DeployedTemplate,
  PolicyDocument,
  Template as Json,
} from './template-policies';

/**
 * A member account's break-glass role copying that account's object versions into the security
 * account's evidence bucket (irkit preserve across an organization), asked of the IAM simulator
 * with the real policies, from one config as `cdk deploy` reads it: the evidence bucket's and
 * key's policies of IrKitEvidence, and the member break-glass role's identity policies from the
 * member baseline template the IrKitOrganization StackSet deploys. GIVEN a member's role calls X
 * on a key of the evidence bucket, THEN ...
 */

const SECURITY = '777777777777';
const MEMBER = '111122223333';
const OTHER_MEMBER = '444455556666';
const ORGANIZATION = 'o-exampleorgid';
const REGION = 'us-east-1';
const INCIDENT = 'incidents/IR-2021-0724';
const OWN = `${INCIDENT}/accounts/${MEMBER}/s3/DOC-EXAMPLE-BUCKET/objects/stuff/3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY`;

const config = parseConfig({
  logBucket: 'DOC-EXAMPLE-BUCKET',
  organizationId: ORGANIZATION,
  accounts: [SECURITY, MEMBER],
  trustedPrincipals: [`arn:aws:iam::${SECURITY}:role/IncidentResponder`],
  env: { account: SECURITY, region: REGION },
  members: { organizationalUnits: ['ou-exa1-11111111'] },
});

let evidence: EvidenceStack;
let bucketArn: string;
let bucketPolicy: PolicyDocument;
let keyPolicy: PolicyDocument;
let memberBreakGlass: { name: string; policy: PolicyDocument }[];

beforeAll(() => {
  evidence = new EvidenceStack(compliantApp(), 'IrKitEvidence', {
    env: { account: SECURITY, region: REGION },
    ...evidenceSettings(config),
  });
  const deployed = new DeployedTemplate(Template.fromStack(evidence).toJSON() as Json, {
    account: SECURITY,
    region: REGION,
  });
  bucketArn = deployed.arnOf(deployed.logicalId('AWS::S3::Bucket', 'StoreC'));
  const policyId = deployed.logicalId('AWS::S3::BucketPolicy', 'StorePolicy');
  bucketPolicy = deployed.resolve(
    deployed.template.Resources[policyId].Properties!.PolicyDocument,
  ) as PolicyDocument;
  const keyId = deployed.logicalId('AWS::KMS::Key', 'StoreKey');
  keyPolicy = deployed.resolve(deployed.template.Resources[keyId].Properties!.KeyPolicy) as PolicyDocument;

  const baseline = new DeployedTemplate(organizationSettings(config)!.templates.baseline.template as Json, {
    account: MEMBER,
    region: REGION,
  });
  memberBreakGlass = baseline.identityPolicies(baseline.logicalId('AWS::IAM::Role', 'RolesBreakGlass'), {
    AdministratorAccess: ADMINISTRATOR_ACCESS,
  });
});

const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const BREAK_GLASS = role(MEMBER, 'SecurityBreakGlassRole');

/** Who asks: the role's ARN, its organization, its identity policies (default AdministratorAccess alone). */
interface Caller {
  readonly arn: string;
  readonly orgId?: string;
  readonly identity?: { name: string; policy: PolicyDocument }[];
}
/** The member's break-glass role with its policies from the baseline template. */
const memberRole = (): Caller => ({
  arn: BREAK_GLASS,
  orgId: ORGANIZATION,
  identity: memberBreakGlass,
});

function s3(caller: Caller, action: string, key: string) {
  const account = caller.arn.split(':')[4];
  return decide({
    principal: caller.arn,
    action,
    resource: `${bucketArn}/${key}`,
    account: SECURITY,
    identityPolicies: caller.identity ?? [{ name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS }],
    resourcePolicy: bucketPolicy,
    blockPublicAccess: true,
    context: {
      'aws:PrincipalArn': caller.arn,
      'aws:PrincipalAccount': account,
      ...(caller.orgId ? { 'aws:PrincipalOrgID': caller.orgId } : {}),
      'aws:ResourceAccount': SECURITY,
      'aws:SecureTransport': 'true',
    },
  });
}

describe("a member account's break-glass role and the evidence bucket", () => {
  it.each([...EVIDENCE_WRITE_ACTIONS])(
    'may %s under its own account’s folder of an incident (a server-side copy of its object versions)',
    async (action) => {
      expect(await s3(memberRole(), action, OWN)).toBe('Allowed');
    },
  );

  it.each([
    ['another account’s folder', `${INCIDENT}/accounts/${OTHER_MEMBER}/s3/b/objects/stuff/v1`],
    ['the investigation document at the incident root', `${INCIDENT}/investigation.json`],
    ['the manifest', `${INCIDENT}/manifest/run-0002.json`],
    ['the raw records', `${INCIDENT}/cloudtrail/actor-records.ndjson.gz`],
    ['its folder nested in another account’s', `${INCIDENT}/accounts/${OTHER_MEMBER}/accounts/${MEMBER}/x`],
    ['its folder nested in the manifest', `${INCIDENT}/manifest/accounts/${MEMBER}/run-0002.json`],
    ['outside any incident', `accounts/${MEMBER}/x`],
  ])(
    'may not write %s: the bucket policy denies it, and so does its own identity policy',
    async (_what, key) => {
      expect(await s3(memberRole(), 's3:PutObject', key)).toBe('ExplicitlyDenied');
      // The bucket's policy alone, were the role's policies only AdministratorAccess.
      expect(await s3({ ...memberRole(), identity: undefined }, 's3:PutObject', key)).toBe(
        'ExplicitlyDenied',
      );
    },
  );

  it.each([
    's3:DeleteObject',
    's3:DeleteObjectVersion',
    's3:PutObjectRetention',
    's3:BypassGovernanceRetention',
  ])('may not %s, even in its own folder', async (action) => {
    expect(await s3(memberRole(), action, OWN)).toBe('ExplicitlyDenied');
  });

  it('may not read, place a legal hold or change an ACL, even in its own folder', async () => {
    for (const action of [
      's3:GetObject',
      's3:GetObjectVersion',
      's3:PutObjectLegalHold',
      's3:PutObjectAcl',
    ]) {
      expect([action, await s3(memberRole(), action, OWN)]).toEqual([
        action,
        expect.stringMatching(/Denied$/),
      ]);
    }
  });

  it('admits no principal outside the organization, whatever its role is named', async () => {
    const outsider = { arn: role('210987654321', 'SecurityBreakGlassRole'), orgId: 'o-otherorgid1' };
    const nowhere = { arn: role('210987654321', 'SecurityBreakGlassRole') };
    for (const caller of [outsider, nowhere]) {
      expect(await s3(caller, 's3:PutObject', `${INCIDENT}/accounts/210987654321/x`)).toBe(
        'ExplicitlyDenied',
      );
    }
  });

  it("admits none of a member account's other roles, its administrators and IR roles included", async () => {
    for (const name of ['SecurityDeployRole', 'SecurityAdminRole', 'OrganizationAccountAccessRole']) {
      const caller = { arn: role(MEMBER, name), orgId: ORGANIZATION };
      expect([name, await s3(caller, 's3:PutObject', OWN)]).toEqual([name, 'ExplicitlyDenied']);
    }
  });

  it('keeps the security account’s own break-glass role writing everywhere in an incident', async () => {
    const home = { arn: role(SECURITY, 'SecurityBreakGlassRole'), orgId: ORGANIZATION };
    for (const key of [`${INCIDENT}/investigation.json`, OWN]) {
      expect(await s3(home, 's3:PutObject', key)).toBe('Allowed');
    }
  });

  it("is held to its own folder by its own identity policy too, were the bucket's ever loosened", async () => {
    const open: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:PutObject', Resource: `${bucketArn}/*` },
      ],
    };
    const ask = (key: string) =>
      decide({
        principal: BREAK_GLASS,
        action: 's3:PutObject',
        resource: `${bucketArn}/${key}`,
        account: SECURITY,
        identityPolicies: memberBreakGlass,
        resourcePolicy: open,
        context: {
          'aws:PrincipalArn': BREAK_GLASS,
          'aws:PrincipalAccount': MEMBER,
          'aws:ResourceAccount': SECURITY,
        },
      });
    expect(await ask(OWN)).toBe('Allowed');
    expect(await ask(`${INCIDENT}/investigation.json`)).toBe('ExplicitlyDenied');
    expect(await ask(`${INCIDENT}/accounts/${OTHER_MEMBER}/accounts/${MEMBER}/x`)).toBe('ExplicitlyDenied');
  });
});

describe("a member account's break-glass role and the evidence key", () => {
  const keyArn = `arn:aws:kms:${REGION}:${SECURITY}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  function kms(caller: Caller, action: string, viaS3: boolean) {
    return decide({
      principal: caller.arn,
      action,
      resource: keyArn,
      account: SECURITY,
      identityPolicies: caller.identity ?? [{ name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS }],
      resourcePolicy: keyPolicy,
      context: {
        'aws:PrincipalArn': caller.arn,
        'aws:PrincipalAccount': caller.arn.split(':')[4],
        ...(caller.orgId ? { 'aws:PrincipalOrgID': caller.orgId } : {}),
        ...(viaS3 ? { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } : {}),
      },
    });
  }

  it('may make a data key and decrypt a multipart copy’s parts, through S3 only', async () => {
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      expect(await kms(memberRole(), action, true)).toBe('Allowed');
      expect(await kms(memberRole(), action, false)).toBe('ImplicitlyDenied');
    }
  });

  it('may not use the key otherwise, nor may anyone outside the organization or another role', async () => {
    for (const action of ['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:CreateGrant', 'kms:PutKeyPolicy']) {
      expect([action, await kms(memberRole(), action, true)]).toEqual([action, 'ImplicitlyDenied']);
    }
    const outsider = { arn: role('210987654321', 'SecurityBreakGlassRole'), orgId: 'o-otherorgid1' };
    const deploy = { arn: role(MEMBER, 'SecurityDeployRole'), orgId: ORGANIZATION };
    for (const caller of [outsider, deploy]) {
      expect(await kms(caller, 'kms:GenerateDataKey', true)).toBe('ImplicitlyDenied');
    }
  });
});

describe('IrKitEvidence with members', () => {
  it('has no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(evidence)).toEqual([]);
  });
});
