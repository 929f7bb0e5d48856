import {
  evaluateTrust,
  orphanedPrincipals,
  parseTrustPolicy,
  TrustCaller,
} from '../../../orchestrator/doctor/trust';
import { ADMINISTRATOR_ACCESS, decide, PolicyDocument } from '../../lib/policies/template-policies';

/**
 * The doctor's reading of a trust policy against the IAM policy simulator: every answer it gives
 * (allowed or denied) is the simulator's, for each caller with MFA, without it (a session) and
 * with long-term keys (the key absent); what it does not evaluate it says is unknown.
 */
const SECURITY = '777777777777';
const MEMBER = '111122223333';
const ROLE = `arn:aws:iam::${MEMBER}:role/SecurityBreakGlassRole`;
const RESPONDER = `arn:aws:iam::${SECURITY}:role/IncidentResponder`;
const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

const policy = (...Statement: object[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: Statement as PolicyDocument['Statement'],
});
const allow = (Principal: unknown, extra: object = {}) => ({
  Effect: 'Allow',
  Principal,
  Action: 'sts:AssumeRole',
  ...extra,
});

const POLICIES: Record<string, PolicyDocument> = {
  // What CDK synthesizes for the member baseline's break-glass role.
  'the baseline: the responder, with MFA': policy(allow({ AWS: RESPONDER }, { Condition: MFA })),
  'the responder, no condition': policy(allow({ AWS: RESPONDER })),
  'BoolIfExists: long-term keys pass': policy(
    allow({ AWS: RESPONDER }, { Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } } }),
  ),
  'the security account root, with MFA': policy(
    allow({ AWS: `arn:aws:iam::${SECURITY}:root` }, { Condition: MFA }),
  ),
  'the security account by id': policy(allow({ AWS: SECURITY })),
  'everyone, with MFA': policy(allow('*', { Condition: MFA })),
  'a Deny without MFA beside an Allow': policy(
    allow({ AWS: [RESPONDER, `arn:aws:iam::${SECURITY}:user/alice`] }),
    {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sts:*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
  ),
  'a Deny when the key is absent': policy(allow({ AWS: RESPONDER }), {
    Effect: 'Deny',
    Principal: '*',
    Action: 'sts:AssumeRole',
    Condition: { Null: { 'aws:MultiFactorAuthPresent': 'true' } },
  }),
  'sts:* by NotAction': policy({
    Effect: 'Allow',
    Principal: { AWS: RESPONDER },
    NotAction: ['sts:TagSession'],
    Condition: MFA,
  }),
  'another action only': policy({
    Effect: 'Allow',
    Principal: { AWS: RESPONDER },
    Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
  }),
  'a service only': policy({
    Effect: 'Allow',
    Principal: { Service: 'lambda.amazonaws.com' },
    Action: 'sts:AssumeRole',
  }),
  'one session': policy(
    allow({ AWS: `arn:aws:sts::${SECURITY}:assumed-role/IncidentResponder/jane` }, { Condition: MFA }),
  ),
  'an action wildcard': policy({
    Effect: 'Allow',
    Principal: { AWS: RESPONDER },
    Action: 'sts:Assume*',
    Condition: { Bool: { 'aws:MultiFactorAuthPresent': ['true'] } },
  }),
};

const CALLERS = {
  'a responder session': `arn:aws:sts::${SECURITY}:assumed-role/IncidentResponder/jane`,
  'another responder session': `arn:aws:sts::${SECURITY}:assumed-role/IncidentResponder/mary`,
  'another role of the security account': `arn:aws:sts::${SECURITY}:assumed-role/SomeoneElse/bob`,
  'a user of the security account': `arn:aws:iam::${SECURITY}:user/alice`,
  "the member's own administrator": `arn:aws:sts::${MEMBER}:assumed-role/Admin/carol`,
};
const CONTEXTS: ReadonlyArray<TrustCaller['mfa']> = ['true', 'false', undefined];

const cases = Object.entries(POLICIES).flatMap(([policyName, document]) =>
  Object.entries(CALLERS).flatMap(([callerName, arn]) =>
    CONTEXTS.map((mfa) => [policyName, callerName, mfa ?? 'absent', document, arn, mfa] as const),
  ),
);

describe('the trust evaluator agrees with the IAM policy simulator', () => {
  it.each(cases)('%s; %s; MFA %s', async (_p, _c, _m, document, arn, mfa) => {
    const mine = evaluateTrust(document, { arn, ...(mfa ? { mfa } : {}) });
    expect(mine.decision).not.toBe('unknown');
    const simulator = await decide({
      principal: arn,
      action: 'sts:AssumeRole',
      resource: ROLE,
      account: MEMBER,
      // The caller's own side allows it: only the trust decides.
      identityPolicies: [{ name: 'MayAssume', policy: ADMINISTRATOR_ACCESS }],
      resourcePolicy: document,
      context: mfa ? { 'aws:MultiFactorAuthPresent': mfa } : {},
    });
    expect([mine.decision, simulator]).toEqual(
      simulator === 'Allowed' ? ['allowed', 'Allowed'] : ['denied', simulator],
    );
  });
});

describe('the trust evaluator', () => {
  const responder = { arn: CALLERS['a responder session'], mfa: 'true' as const };

  it('names the statement that decides', () => {
    expect(evaluateTrust(POLICIES['the baseline: the responder, with MFA'], responder)).toEqual({
      decision: 'allowed',
      statement: 'statement 1',
    });
    const denying = policy(allow({ AWS: RESPONDER }), {
      Sid: 'NoMfaNoEntry',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sts:AssumeRole',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
    });
    expect(evaluateTrust(denying, { ...responder, mfa: 'false' })).toEqual({
      decision: 'denied',
      statement: 'statement NoMfaNoEntry',
    });
  });

  it('matches a role by its name in its account: a session ARN carries no path', () => {
    const pathed = policy(allow({ AWS: `arn:aws:iam::${SECURITY}:role/responders/IncidentResponder` }));
    expect(evaluateTrust(pathed, responder).decision).toBe('allowed');
    expect(
      evaluateTrust(pathed, { arn: `arn:aws:sts::${MEMBER}:assumed-role/IncidentResponder/x` }).decision,
    ).toBe('denied');
  });

  it('reads IAM’s URL-encoded document, and says when there is none to read', () => {
    const encoded = encodeURIComponent(JSON.stringify(POLICIES['the baseline: the responder, with MFA']));
    expect(evaluateTrust(parseTrustPolicy(encoded), responder).decision).toBe('allowed');
    expect(evaluateTrust(parseTrustPolicy('%7Bnot json'), responder)).toEqual({
      decision: 'unknown',
      why: 'the trust policy is not a policy document',
    });
  });

  it.each([
    [
      'another condition key',
      allow({ AWS: RESPONDER }, { Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }),
      'statement 1: condition StringEquals on sts:ExternalId is not evaluated here',
    ],
    [
      'the age of the MFA',
      allow({ AWS: RESPONDER }, { Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } }),
      'statement 1: condition NumericLessThan on aws:MultiFactorAuthAge is not evaluated here',
    ],
    [
      'NotPrincipal',
      { Effect: 'Deny', NotPrincipal: { AWS: RESPONDER }, Action: 'sts:AssumeRole' },
      'statement 1: NotPrincipal is not evaluated here',
    ],
  ])('says unknown, and why, for %s', (_name, statement, why) => {
    expect(evaluateTrust(policy(statement), responder)).toEqual({ decision: 'unknown', why });
  });

  it('a part that does not hold settles a statement whatever it cannot evaluate', () => {
    const both = allow(
      { AWS: RESPONDER },
      { Condition: { ...MFA, StringEquals: { 'sts:ExternalId': 'x' } } },
    );
    expect(evaluateTrust(policy(both), { ...responder, mfa: 'false' }).decision).toBe('denied');
    expect(evaluateTrust(policy(both), responder).decision).toBe('unknown');
  });

  it('finds principals IAM shows by unique id: deleted, they admit no one', () => {
    const orphan = policy(allow({ AWS: 'AROADBQP57FF2AEXAMPLE' }, { Condition: MFA }));
    expect(orphanedPrincipals(orphan)).toEqual(['AROADBQP57FF2AEXAMPLE']);
    expect(evaluateTrust(orphan, responder).decision).toBe('denied');
    expect(orphanedPrincipals(POLICIES['the baseline: the responder, with MFA'])).toEqual([]);
  });
});
