import { PLAYBOOK_PROTECTION, protectedReason, protectionRule } from '../../lib/protection';

const RULE = protectionRule({
  analystRoleName: 'SecurityAnalystRole',
  adminRoleName: 'SecurityAdminRole',
  deployRoleName: 'SecurityDeployRole',
  breakGlassRoleName: 'SecurityBreakGlassRole',
  containmentExecutionRoleName: 'IrKitContainmentExecutionRole',
  protectedPrincipals: [
    'ci-deployer',
    'team/alice',
    'arn:aws:iam::777777777777:role/ops/OrgAdmin',
    'kept-bucket',
  ],
  logBucket: 'DOC-EXAMPLE-LOGS',
  trustedPrincipals: ['777777777777', 'arn:aws:iam::777777777777:role/Responder'],
  breakGlassPrincipals: ['arn:aws:iam::777777777777:user/oncall'],
});

describe('protectedReason', () => {
  it.each([
    [
      'the break-glass role, in any case',
      { kind: 'role', name: 'securitybreakglassrole' },
      'the break-glass role',
    ],
    ['an IR role', { kind: 'role', name: 'SecurityDeployRole' }, 'an IR role'],
    ['the handler role', { kind: 'role', name: 'IrKitContainmentHandlerRole' }, 'a role of the kit itself'],
    ['a configured name', { kind: 'user', name: 'CI-Deployer' }, 'listed in protectedPrincipals'],
    [
      'a configured path/name, by the ARN’s path',
      { kind: 'user', name: 'alice', arn: 'arn:aws:iam::1:user/team/alice' },
      'listed in protectedPrincipals',
    ],
    [
      'a configured ARN with a path',
      { kind: 'role', name: 'orgadmin', arn: 'arn:aws:iam::777777777777:role/ops/OrgAdmin' },
      'listed in protectedPrincipals',
    ],
    [
      'a trusted principal ARN',
      { kind: 'role', name: 'Responder' },
      'a responder (config trustedPrincipals)',
    ],
    ['a break-glass principal ARN', { kind: 'user', name: 'oncall' }, 'may assume the break-glass role'],
    ['the log bucket', { kind: 'bucket', name: 'DOC-EXAMPLE-LOGS' }, 'a bucket of the kit'],
    [
      'a bucket named in protectedPrincipals',
      { kind: 'bucket', name: 'kept-bucket' },
      'listed in protectedPrincipals',
    ],
    [
      'a user tagged irkit:protected=TRUE',
      { kind: 'user', name: 'x', tags: [{ Key: 'irkit:protected', Value: 'TRUE' }] },
      'tagged irkit:protected=true',
    ],
    [
      'a role tagged irkit:protected=true',
      { kind: 'role', name: 'x', tags: [{ Key: 'irkit:protected', Value: 'true' }] },
      'tagged irkit:protected=true',
    ],
    [
      'a bucket tagged irkit:protected=true',
      { kind: 'bucket', name: 'x', tags: [{ Key: 'irkit:protected', Value: 'true' }] },
      'tagged irkit:protected=true',
    ],
    [
      'the caller’s own role session',
      { kind: 'role', name: 'AppRole', callerArn: 'arn:aws:sts::1:assumed-role/AppRole/s' },
      'the caller itself',
    ],
    [
      'the caller’s own user, with a path',
      { kind: 'user', name: 'bob', arn: 'arn:aws:iam::1:user/x/bob', callerArn: 'arn:aws:iam::1:user/x/bob' },
      'the caller itself',
    ],
  ] as const)('protects %s', (_what, subject, reason) => {
    expect(protectedReason(RULE, subject)).toContain(reason);
  });

  it.each([
    [
      'a user of the same name on another path',
      { kind: 'user', name: 'alice', arn: 'arn:aws:iam::1:user/other/alice' },
    ],
    [
      'a role named in another account’s ARN',
      { kind: 'role', name: 'OrgAdmin', arn: 'arn:aws:iam::111122223333:role/ops/OrgAdmin' },
    ],
    ['a user named like an IR role', { kind: 'user', name: 'SecurityAnalystRole' }],
    ['a bucket differing in case from the log bucket', { kind: 'bucket', name: 'doc-example-logs' }],
    [
      'a user tagged irkit:protected=false',
      { kind: 'user', name: 'x', tags: [{ Key: 'irkit:protected', Value: 'false' }] },
    ],
    [
      'a role the caller is not',
      { kind: 'role', name: 'AppRole', callerArn: 'arn:aws:sts::1:assumed-role/Other/s' },
    ],
  ] as const)('does not protect %s', (_what, subject) => {
    expect(protectedReason(RULE, subject)).toBeUndefined();
  });

  it('protects, when the path is not known, every principal of a configured path/name', () => {
    expect(protectedReason(RULE, { kind: 'user', name: 'alice' })).toContain('listed in protectedPrincipals');
  });

  it('names every reason once', () => {
    expect(
      protectedReason(RULE, {
        kind: 'role',
        name: 'SecurityDeployRole',
        tags: [{ Key: 'irkit:protected', Value: 'true' }],
        callerArn: 'arn:aws:sts::1:assumed-role/SecurityDeployRole/responder',
      }),
    ).toBe(
      'an IR role; the caller itself (arn:aws:sts::1:assumed-role/SecurityDeployRole/responder); tagged irkit:protected=true',
    );
  });
});

describe('protectionRule', () => {
  it('protects the log bucket the kit creates when the config names none', () => {
    const rule = protectionRule(
      { ...PLAYBOOK_PROTECTION_CONFIG, logSources: { enabled: true } },
      { account: '777777777777', region: 'eu-west-1' },
    );
    expect(rule.protectedBuckets).toEqual(['irkit-logs-777777777777-eu-west-1']);
  });

  it('keeps only the ARNs of trustedPrincipals (an account id is no principal to refuse)', () => {
    expect(RULE.trustedPrincipalArns).toEqual(['arn:aws:iam::777777777777:role/Responder']);
    expect(RULE.breakGlassPrincipalArns).toEqual(['arn:aws:iam::777777777777:user/oncall']);
  });

  it('the playbook rule protects the four IR roles and the kit’s roles', () => {
    expect(PLAYBOOK_PROTECTION).toMatchObject({
      irRoleNames: ['SecurityAnalystRole', 'SecurityAdminRole', 'SecurityDeployRole'],
      breakGlassRoleName: 'SecurityBreakGlassRole',
      kitRoleNames: ['IrKitContainmentExecutionRole', 'IrKitContainmentHandlerRole'],
    });
  });
});

const PLAYBOOK_PROTECTION_CONFIG = {
  analystRoleName: 'SecurityAnalystRole',
  adminRoleName: 'SecurityAdminRole',
  deployRoleName: 'SecurityDeployRole',
  breakGlassRoleName: 'SecurityBreakGlassRole',
  containmentExecutionRoleName: 'IrKitContainmentExecutionRole',
  protectedPrincipals: [],
};
