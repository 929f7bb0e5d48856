/**
 * Opt-in integration test in a real sandbox account: the workshop's own attack
 * (`simulation/simulate_credential_exposure_activity.sh`: the exposed key creates JaneDoe-RUNID
 * with AdministratorAccess and a key, which creates a bucket and writes an object), contained
 * with `irkit contain`, preserved into a local evidence folder, then eradicated; what only AWS
 * proves: the order AWS requires, its eventual consistency, the containment stacks releasing
 * cleanly once their targets are gone. The run's undo script removes whatever is left.
 *
 *   IRKIT_SANDBOX_ACCOUNT=111122223333 AWS_REGION=us-east-1 AWS_PROFILE=break-glass \
 *     npx jest test/orchestrator/eradicate/sandbox.test.ts
 *
 * Needs IrKitAccess and IrKitSimulation deployed there, bash, the AWS CLI and jq, and
 * break-glass credentials (which also read the simulation stack). Skipped unless
 * IRKIT_SANDBOX_ACCOUNT is set and credentials are configured; refuses any other account.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';

import { PLAYBOOK_PROTECTION } from '../../../lib/protection';
import { createClients } from '../../../orchestrator/contain/aws';
import { contain, ContainIo } from '../../../orchestrator/contain/contain';
import { release } from '../../../orchestrator/contain/release';
import { actorRemains, eradicate } from '../../../orchestrator/eradicate/eradicate';
import { InvestigationResult } from '../../../orchestrator/investigate';
import {
  appendManifestRun,
  incidentPrefix,
  LocalEvidenceStore,
  sha256Hex,
} from '../../../orchestrator/preserve';
import { describeInSandbox, SANDBOX } from '../../helpers/sandbox';

const io: ContainIo = {
  log: (line) => process.stderr.write(`${line}\n`),
  out: (text) => process.stderr.write(text),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

describeInSandbox('eradication in a real sandbox account (IRKIT_SANDBOX_ACCOUNT)', () => {
  jest.setTimeout(20 * 60_000);
  // Made in beforeAll, never while jest collects: describe.skip still runs this body.
  let clients: ReturnType<typeof createClients>;
  const suffix = randomBytes(4).toString('hex');
  const incidentId = `IT-${suffix}`;
  let manifest: string;
  const script = (name: string) => join(__dirname, '..', '..', '..', 'simulation', name);
  let actor: string;
  let bucket: string;
  let result: InvestigationResult;

  beforeAll(async () => {
    clients = createClients({ region: process.env.AWS_REGION, profile: process.env.AWS_PROFILE });
    const me = await clients.sts.send(new GetCallerIdentityCommand({}));
    if (me.Account !== SANDBOX)
      throw new Error(`credentials are for ${me.Account}, not ${SANDBOX}: refusing`);
    const region = await clients.s3.config.region();
    manifest = join(mkdtempSync(join(tmpdir(), 'irkit-it-attack-')), 'run.json');
    // The workshop attack itself, as attendees run it; its manifest names what it created.
    execFileSync(
      'bash',
      [
        script('simulate_credential_exposure_activity.sh'),
        '--region',
        region,
        '--run-id',
        `it-${suffix}`,
        '--manifest',
        manifest,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const run = JSON.parse(readFileSync(manifest, 'utf8')) as { newUserName: string; bucketName: string };
    actor = run.newUserName;
    bucket = run.bucketName;
    // What the investigation says of it: the actor's user and bucket.
    const steps = [
      { kind: 'user' as const, name: actor, accessKeyIds: [], evidence: [] },
      { kind: 'bucket' as const, name: bucket, evidence: [] },
    ];
    result = {
      incidentId,
      containmentPlan: { formatVersion: 1, incidentId, accountId: SANDBOX, steps },
      principals: [
        {
          kind: 'IAMUser',
          name: actor,
          account: SANDBOX,
          reached: [{ how: 'CreateUser' }],
          accessKeys: [],
        },
      ],
    } as unknown as InvestigationResult;
  });

  afterAll(async () => {
    await release(clients, { incidentId, yes: true }, io).catch(() => undefined);
    // Whatever eradication left (nothing, if it passed), removed as the workshop removes it.
    execFileSync(
      'bash',
      [script('undo_credential_exposure_activity.sh'), '--with-containment-stacks', manifest],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
  });

  it('contains, preserves, eradicates; a second run finds nothing; nothing of the actor remains', async () => {
    await contain(clients, { incidentId, plan: result.containmentPlan, yes: true, pollIntervalMs: 3000 }, io);
    const store = new LocalEvidenceStore(mkdtempSync(join(tmpdir(), 'irkit-it-evidence-')));
    const body = Buffer.from(JSON.stringify(result));
    await store.write(`${incidentPrefix(incidentId)}investigation.json`, body, sha256Hex(body));
    await appendManifestRun(store, incidentId, {
      operator: 'sandbox test',
      tool: 'irkit test',
      startedAt: new Date().toISOString(),
      items: [
        {
          path: 'investigation.json',
          kind: 'investigation',
          sha256: sha256Hex(body),
          size: body.length,
          source: 'sandbox test',
          collectedBy: 'sandbox test',
          collectedAt: new Date().toISOString(),
        },
      ],
    });
    const options = {
      incidentId,
      result,
      yes: true,
      evidence: async () => store,
      protection: PLAYBOOK_PROTECTION,
    };
    const done = await eradicate(clients, options, { ...io });
    expect(done.targets.map((t) => t.outcome)).toEqual(['done', 'done']);
    const again = await eradicate(clients, options, { ...io });
    expect(again.targets.map((t) => t.outcome)).toEqual(['nothing left', 'nothing left']);
    expect((await actorRemains(clients, result, incidentId)).some((r) => r.remains)).toBe(false);
  });
});
