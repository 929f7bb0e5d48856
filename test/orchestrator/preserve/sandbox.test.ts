/**
 * Opt-in: preserves the workshop attack in a real sandbox account, what only AWS proves (Object
 * Lock's default retention on each item, S3's SHA-256 of server-side copies, conditional writes
 * refused with 412, EBS snapshots tagged at creation, the break-glass role's reach):
 *
 *   simulation/simulate_credential_exposure_activity.sh            # the workshop attack
 *   irkit investigate --access-key-id AKIA... --incident IR-SANDBOX-1 --out plan.json
 *   IRKIT_SANDBOX_ACCOUNT=111122223333 IRKIT_SANDBOX_PLAN=plan.json AWS_REGION=us-east-1 \
 *     AWS_PROFILE=sandbox-break-glass npx jest test/orchestrator/preserve/sandbox.test.ts
 *
 * Needs IrKitAccess and IrKitEvidence deployed there and the break-glass role's credentials.
 * Skipped unless IRKIT_SANDBOX_ACCOUNT and IRKIT_SANDBOX_PLAN are set; refuses any other account.
 * Evidence it writes stays locked for the configured retention (use a short one in the sandbox).
 */
import { readFileSync } from 'node:fs';

import { EC2Client } from '@aws-sdk/client-ec2';
import { GetObjectRetentionCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';

import { createClients } from '../../../orchestrator/contain/aws';
import { incidentPrefix, requireVerifiedEvidence } from '../../../orchestrator/preserve';
import { preserveOnline } from '../../../orchestrator/preserve/preserve';
import { evidenceStoreFromStack } from '../../../orchestrator/preserve/store';
import { SANDBOX, describeInSandbox } from '../../helpers/sandbox';

const PLAN = process.env.IRKIT_SANDBOX_PLAN;
const describeWithPlan = PLAN ? describeInSandbox : describe.skip;

describeWithPlan('irkit preserve in a sandbox account', () => {
  // Read in beforeAll, never while jest collects: describe.skip still runs this body.
  let base: ReturnType<typeof createClients>;
  let clients: Omit<ReturnType<typeof createClients>, 'ec2'> & { ec2: (region: string) => EC2Client };
  let bytes: Buffer;
  let incidentId: string;

  beforeAll(async () => {
    base = createClients({ region: process.env.AWS_REGION });
    clients = { ...base, ec2: (region: string) => new EC2Client({ region }) };
    bytes = readFileSync(PLAN as string);
    incidentId = (JSON.parse(bytes.toString('utf8')) as { incidentId?: string }).incidentId ?? 'IR-SANDBOX-1';
    const me = await base.sts.send(new GetCallerIdentityCommand({}));
    if (me.Account !== SANDBOX)
      throw new Error(`credentials are for ${me.Account}, not the sandbox ${SANDBOX}: refusing`);
  });

  test('preserves the workshop attack, locks every item, and verifies; a re-run adds only its live checks', async () => {
    const first = await preserveOnline({
      incidentId,
      plan: { path: PLAN as string, bytes },
      tool: 'irkit sandbox test',
      clients,
    });
    expect(first.conflicts).toEqual([]);
    const store = await evidenceStoreFromStack(clients);
    const verified = await requireVerifiedEvidence(store, incidentId);
    expect(verified.ok).toBe(true);
    const retention = await base.s3.send(
      new GetObjectRetentionCommand({
        Bucket: store.bucket,
        Key: `${incidentPrefix(incidentId)}investigation.json`,
      }),
    );
    expect(retention.Retention?.Mode).toMatch(/GOVERNANCE|COMPLIANCE/);

    const second = await preserveOnline({
      incidentId,
      plan: { path: PLAN as string, bytes },
      tool: 'irkit sandbox test',
      clients,
    });
    expect(second.added.every((i) => i.kind === 'live-checks')).toBe(true);
    expect(second.snapshots.every((s) => !s.created)).toBe(true);
  }, 600_000);
});
