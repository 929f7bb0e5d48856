import { GetRoleCommand, GetUserCommand } from '@aws-sdk/client-iam';

import { parseRuntimeConfig } from '../../../lib/config';
import { IrKitError } from '../../../lib/errors';
import { contain } from '../../../orchestrator/contain/contain';
import { protectionFromConfig } from '../../../orchestrator/contain/config';
import { ContainmentTarget } from '../../../orchestrator/contain/kinds';
import { protectedReason } from '../../../orchestrator/investigate/protection';
import { ACCOUNT, FakeAws, recordingIo } from './fake-aws';

/**
 * `irkit investigate` keeps protected targets out of its plan and `irkit contain` refuses
 * them: both from the same config, on the same targets, they must agree, so a plan the
 * investigation writes is never refused for protection (nor a refused target planned).
 */
const PARSED = parseRuntimeConfig({
  breakGlassRoleName: 'IrBreakGlass',
  protectedPrincipals: ['ci-deployer', `arn:aws:iam::${ACCOUNT}:role/ops/OrgAdmin`],
  logBucket: 'doc-example-logs',
});
// lib/config.ts does not accept `path/name` yet; the rule does.
const CONFIG = { ...PARSED, protectedPrincipals: [...PARSED.protectedPrincipals, 'team/alice'] };

const iamArn = (kind: 'user' | 'role', path: string, name: string) =>
  `arn:aws:iam::${ACCOUNT}:${kind}${path}${name}`;

const CASES: ReadonlyArray<readonly [string, 'user' | 'role' | 'bucket', string, string, boolean]> = [
  ['an IR role', 'role', 'SecurityAnalystRole', '/', true],
  ['the configured break-glass role', 'role', 'IrBreakGlass', '/', true],
  ['the execution role', 'role', 'IrKitContainmentExecutionRole', '/', true],
  ['the handler role', 'role', 'IrKitContainmentHandlerRole', '/', true],
  ['a configured name', 'user', 'ci-deployer', '/', true],
  ['a configured path/name', 'user', 'alice', '/team/', true],
  ['a configured ARN with a path', 'role', 'OrgAdmin', '/ops/', true],
  ['the log bucket', 'bucket', 'doc-example-logs', '', true],
  ['a user of a configured name on another path', 'user', 'alice', '/other/', false],
  ['an ordinary role', 'role', 'AppRole', '/', false],
  ['an ordinary bucket', 'bucket', 'DOC-EXAMPLE-BUCKET', '', false],
];

let aws: FakeAws;
beforeEach(() => {
  aws = new FakeAws();
});
afterEach(() => aws.restore());

describe.each(CASES)('%s', (_what, kind, name, path, expected) => {
  it(`investigate and contain agree: ${expected ? 'protected' : 'not protected'}`, async () => {
    const rule = protectionFromConfig(CONFIG);
    const arn = kind === 'bucket' ? undefined : iamArn(kind, path, name);
    // Investigate: what CloudTrail shows of the target, its name and ARN.
    const planned = protectedReason(rule, kind, name, arn) === undefined;

    // Contain: what IAM and S3 show of it.
    if (kind === 'user') {
      aws.addUser(name);
      aws.iam
        .on(GetUserCommand, { UserName: name })
        .resolves({ User: { UserName: name, Arn: arn, Path: path, UserId: 'AIDA', CreateDate: new Date() } });
    } else if (kind === 'role') aws.addRole(name);
    else aws.addBucket(name);
    if (kind === 'role' && path !== '/') {
      aws.iam
        .on(GetRoleCommand, { RoleName: name })
        .resolves({ Role: { RoleName: name, Arn: arn, Path: path, RoleId: 'AROA', CreateDate: new Date() } });
    }
    const target: ContainmentTarget =
      kind === 'user'
        ? { kind, name, accessKeyIds: [] }
        : kind === 'role'
          ? { kind, name, mode: 'revoke', irRole: false }
          : { kind, name };
    const refused = await contain(
      aws.clients,
      {
        incidentId: 'IR-1',
        targets: [{ target, evidence: [] }],
        dryRun: true,
        protection: rule,
      },
      recordingIo(),
    ).then(
      () => false,
      (error: unknown) => {
        if (error instanceof IrKitError && error.code === 'IRKIT_PROTECTED_PRINCIPAL') return true;
        throw error;
      },
    );

    expect({ planned, refused }).toEqual({ planned: !expected, refused: expected });
  });
});
