import {
  CallOrigin,
  IdentityColumns,
  awsCaller,
  isQuarantinePolicy,
  nameIdentity,
  NO_IDENTITY,
} from '../../../../orchestrator/investigate/private/identity';

const ACCOUNT = '777777777777';
const none: IdentityColumns = NO_IDENTITY;

describe('nameIdentity names every userIdentity type as CloudTrail writes it', () => {
  test.each([
    [
      'an assumed role by its role, the session kept apart',
      {
        identity_type: 'AssumedRole',
        identity_arn: `arn:aws:sts::${ACCOUNT}:assumed-role/WebAppInstanceRole/i-0a1b2c3d4e5f60718`,
        principal_id: 'AROAEXAMPLE:i-0a1b2c3d4e5f60718',
      },
      { kind: 'Role', name: 'WebAppInstanceRole', session: 'i-0a1b2c3d4e5f60718', account: ACCOUNT },
    ],
    [
      'a federated user by its name',
      {
        identity_type: 'FederatedUser',
        identity_arn: `arn:aws:sts::${ACCOUNT}:federated-user/ops`,
        principal_id: `${ACCOUNT}:ops`,
      },
      { kind: 'FederatedUser', name: 'ops', arn: `arn:aws:sts::${ACCOUNT}:federated-user/ops` },
    ],
    [
      'the root user',
      { identity_type: 'Root', identity_arn: `arn:aws:iam::${ACCOUNT}:root` },
      { kind: 'Root', name: 'root', account: ACCOUNT },
    ],
    [
      'an AWS service by its name',
      { identity_type: 'AWSService', invoked_by: 'cloudtrail.amazonaws.com' },
      { kind: 'AWSService', name: 'cloudtrail.amazonaws.com', account: null },
    ],
    [
      'another account by its id',
      { identity_type: 'AWSAccount', identity_account: '111122223333', principal_id: 'AIDAEXAMPLE' },
      { kind: 'AWSAccount', name: '111122223333' },
    ],
    [
      'a SAML user by its subject',
      { identity_type: 'SAMLUser', principal_id: 'SAMLProviderX:jane@example.com', user_name: null },
      { kind: 'SAMLUser', name: 'jane@example.com' },
    ],
    [
      'a web identity user by its user name',
      { identity_type: 'WebIdentityUser', user_name: 'amzn1.account.EXAMPLE', principal_id: 'x:y' },
      { kind: 'WebIdentityUser', name: 'amzn1.account.EXAMPLE' },
    ],
    [
      'an Identity Center user by the user the call was made for',
      { identity_type: 'IdentityCenterUser', on_behalf_of: '544894e8-80c1-707f-60e3-3ba6510dfac1' },
      { kind: 'IdentityCenterUser', name: '544894e8-80c1-707f-60e3-3ba6510dfac1' },
    ],
    [
      'an identity with no type by its ARN',
      { identity_arn: 'arn:aws:something::x', principal_id: 'P1' },
      { kind: 'Other', name: 'arn:aws:something::x' },
    ],
    [
      'an identity with no type and no ARN by its principal id',
      { principal_id: 'AIDAEXAMPLE' },
      { kind: 'Other', name: 'AIDAEXAMPLE' },
    ],
  ])('%s', (_what, row, expected) => {
    expect(nameIdentity({ ...none, ...row })).toMatchObject(expected);
  });
});

describe('awsCaller tells AWS’s calls from the principal’s', () => {
  test.each([
    [
      'invokedBy',
      { invoked_by: 'cloudformation.amazonaws.com', sourceipaddress: '198.51.100.77' },
      'cloudformation.amazonaws.com',
    ],
    [
      'a service source address',
      { sourceipaddress: 'cloudformation.amazonaws.com' },
      'cloudformation.amazonaws.com',
    ],
    ['the AWS Internal address', { sourceipaddress: 'AWS Internal' }, 'AWS Internal'],
    [
      'AWS’s own SDK agent',
      { sourceipaddress: '198.51.100.77', useragent: 'aws-internal/3 aws-sdk-java/1.12.1' },
      'aws-internal/3',
    ],
  ])('%s is AWS’s', (_what, row: Partial<CallOrigin>, expected) => {
    const origin: CallOrigin = { invoked_by: null, sourceipaddress: null, useragent: null };
    expect(awsCaller({ ...origin, ...row })).toBe(expected);
  });

  test('the console’s AWS Internal agent from an IP address is the person at the console', () => {
    expect(awsCaller({ invoked_by: null, sourceipaddress: '198.51.100.77', useragent: 'AWS Internal' })).toBe(
      undefined,
    );
  });

  test('every version of the quarantine policy, and the old inline one, is AWS’s quarantine', () => {
    for (const p of [
      'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine',
      'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2',
      'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3',
      'AWSExposedCredentialPolicy_DO_NOT_REMOVE',
    ])
      expect(isQuarantinePolicy(p)).toBe(true);
    expect(isQuarantinePolicy('arn:aws:iam::aws:policy/AdministratorAccess')).toBe(false);
  });
});
