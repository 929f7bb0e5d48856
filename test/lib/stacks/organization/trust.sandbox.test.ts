/**
 * Opt-in integration test of the organization's trust on real AWS, what only AWS proves (the
 * simulator proves the policies, organization-stack.test.ts; not STS itself): the security
 * account's responder, its session started with MFA, assumes a member's break-glass role through
 * role chaining, so AWS carries the MFA into the chained session; the same responder without
 * MFA is refused; `irkit doctor --members` reads that member's trust as AWS decided; and a
 * member account's own administrator cannot assume the security account's IR roles.
 *
 *   IRKIT_SANDBOX_ACCOUNT=777777777777 IRKIT_SANDBOX_MEMBER_ACCOUNT=111122223333 \
 *   IRKIT_SANDBOX_RESPONDER_ROLE=arn:aws:iam::777777777777:role/IncidentResponder \
 *   IRKIT_SANDBOX_MFA_SERIAL=arn:aws:iam::777777777777:mfa/jane IRKIT_SANDBOX_MFA_CODE=123456 \
 *   IRKIT_SANDBOX_MEMBER_PROFILE=member-admin AWS_PROFILE=security-jane AWS_REGION=us-east-1 \
 *     npx jest test/lib/stacks/organization/trust.sandbox.test.ts
 *
 * Needs, in the security account (IRKIT_SANDBOX_ACCOUNT): IrKitAccess deployed, and credentials
 * (AWS_PROFILE) of an IAM user with the MFA device IRKIT_SANDBOX_MFA_SERIAL, allowed to assume
 * IRKIT_SANDBOX_RESPONDER_ROLE with and without MFA (its trust must not itself require MFA, or the
 * refusal below would be that role's, not the member's); that role among trustedPrincipals and
 * breakGlassPrincipals, its own policy allowing sts:AssumeRole on the members' IR roles. In the
 * member account (IRKIT_SANDBOX_MEMBER_ACCOUNT): the IrKitMemberBaseline StackSet instance, and
 * for the last test an administrator's profile (IRKIT_SANDBOX_MEMBER_PROFILE). The MFA code is
 * used once (AWS refuses a code twice): give a fresh one. The role names are the config's
 * (the cdk.json irkit finds). Skipped unless those variables are set; refuses credentials of
 * any other account. It changes nothing: every session it opens expires within 15 minutes.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { IAMClient } from '@aws-sdk/client-iam';

import { runtimeConfig } from '../../../../orchestrator/config';
import { breakGlassCheck } from '../../../../orchestrator/doctor/members';
import { describeInSandbox, SANDBOX } from '../../../helpers/sandbox';

const MEMBER = process.env.IRKIT_SANDBOX_MEMBER_ACCOUNT;
const RESPONDER = process.env.IRKIT_SANDBOX_RESPONDER_ROLE;
const MFA_SERIAL = process.env.IRKIT_SANDBOX_MFA_SERIAL;
const MFA_CODE = process.env.IRKIT_SANDBOX_MFA_CODE;
const MEMBER_PROFILE = process.env.IRKIT_SANDBOX_MEMBER_PROFILE;

const describeChain = MEMBER && RESPONDER && MFA_SERIAL && MFA_CODE ? describeInSandbox : describe.skip;
const describeMemberAdmin = MEMBER && MEMBER_PROFILE ? describeInSandbox : describe.skip;

interface Session {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

const region = () => process.env.AWS_REGION ?? 'us-east-1';
const sts = (credentials?: Session) =>
  new STSClient({ region: region(), ...(credentials ? { credentials } : {}) });

async function assume(
  client: STSClient,
  roleArn: string,
  mfa?: { serial: string; code: string },
): Promise<{ session: Session; arn: string }> {
  const out = await client.send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: 'irkit-sandbox-trust',
      DurationSeconds: 900,
      ...(mfa ? { SerialNumber: mfa.serial, TokenCode: mfa.code } : {}),
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error(`no credentials for ${roleArn}`);
  return {
    session: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
    arn: out.AssumedRoleUser?.Arn ?? '',
  };
}

const memberRole = (name: string) => `arn:aws:iam::${MEMBER}:role/${name}`;

describeChain('the member break-glass chain on real AWS (IRKIT_SANDBOX_MEMBER_ACCOUNT)', () => {
  jest.setTimeout(120_000);
  // Made in beforeAll, never while jest collects: describe.skip still runs this body.
  let names: ReturnType<typeof runtimeConfig>['names'];
  let withMfa: { session: Session; arn: string };
  let without: { session: Session; arn: string };

  beforeAll(async () => {
    names = runtimeConfig().names;
    const me = await sts().send(new GetCallerIdentityCommand({}));
    if (me.Account !== SANDBOX)
      throw new Error(`credentials are for account ${me.Account}, not the sandbox ${SANDBOX}: refusing`);
    // The one use of the MFA code: the responder's session, started with MFA.
    withMfa = await assume(sts(), RESPONDER as string, {
      serial: MFA_SERIAL as string,
      code: MFA_CODE as string,
    });
    without = await assume(sts(), RESPONDER as string);
  });

  it("the responder's session started with MFA assumes the member's break-glass role: AWS carries MFA through role chaining", async () => {
    const breakGlass = await assume(sts(withMfa.session), memberRole(names.breakGlassRoleName));
    const inMember = await sts(breakGlass.session).send(new GetCallerIdentityCommand({}));
    expect(inMember.Account).toBe(MEMBER);
    expect(inMember.Arn).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/${names.breakGlassRoleName}/irkit-sandbox-trust`,
    );
  });

  it('the same responder without MFA is refused by the member (AccessDenied), though it may assume the member deploy role', async () => {
    await expect(assume(sts(without.session), memberRole(names.breakGlassRoleName))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    const deploy = await assume(sts(without.session), memberRole(names.deployRoleName));
    expect(deploy.arn).toMatch(new RegExp(`^arn:aws:sts::${MEMBER}:assumed-role/${names.deployRoleName}/`));
  });

  it('irkit doctor --members reads the member’s break-glass trust as AWS decided: you, with MFA only', async () => {
    const deploy = await assume(sts(without.session), memberRole(names.deployRoleName));
    const check = await breakGlassCheck(
      new IAMClient({ region: region(), credentials: deploy.session }),
      MEMBER as string,
      {
        breakGlassRoleName: names.breakGlassRoleName,
        breakGlassPrincipals: [RESPONDER as string],
        operator: { arn: without.arn, account: SANDBOX as string, partition: 'aws' },
      },
    );
    expect(check).toMatchObject({ status: 'ok', detail: expect.stringMatching(/with MFA only/) });
  });
});

describeMemberAdmin(
  "a member account's own administrator and the security account's roles (real AWS)",
  () => {
    jest.setTimeout(120_000);
    let names: ReturnType<typeof runtimeConfig>['names'];
    let admin: STSClient;

    beforeAll(async () => {
      names = runtimeConfig().names;
      admin = new STSClient({ region: region(), profile: MEMBER_PROFILE });
      const me = await admin.send(new GetCallerIdentityCommand({}));
      if (me.Account !== MEMBER)
        throw new Error(`IRKIT_SANDBOX_MEMBER_PROFILE is of account ${me.Account}, not ${MEMBER}: refusing`);
    });

    it.each(['analystRoleName', 'adminRoleName', 'deployRoleName', 'breakGlassRoleName'] as const)(
      'cannot assume the security account’s %s (AccessDenied)',
      async (key) => {
        await expect(assume(admin, `arn:aws:iam::${SANDBOX}:role/${names[key]}`)).rejects.toMatchObject({
          name: 'AccessDenied',
        });
      },
    );
  },
);
