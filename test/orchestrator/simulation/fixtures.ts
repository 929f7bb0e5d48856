import * as fs from 'fs';

import { SANDBOX_ACCOUNT, Sandbox } from '../../simulation/scripts/harness';

export const USER = 'JaneDoe-run1';
export const BUCKET = `irkit-sim-run1-${SANDBOX_ACCOUNT}`;

/** A run's leftovers and its manifest, written directly (no attack run needed). */
export function sandboxWithRun(tag = 'run1'): Sandbox {
  const box = new Sandbox();
  box.seedUser(USER, 'AIDAJANEDOEEXAMPLE', SANDBOX_ACCOUNT, { 'irkit:simulation-run': tag });
  box.seedBucket(BUCKET);
  fs.writeFileSync(
    box.manifestPath(),
    JSON.stringify({
      formatVersion: 1,
      kind: 'irkit-simulation-run',
      runId: 'run1',
      status: 'completed',
      account: SANDBOX_ACCOUNT,
      region: 'us-east-1',
      exposedUser: { name: 'JorgeSouza' },
      resources: [
        { type: 'iam-user', name: USER, state: 'created' },
        { type: 's3-bucket', name: BUCKET, region: 'us-east-1', state: 'created' },
      ],
    }),
  );
  return box;
}
