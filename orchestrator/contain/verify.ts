import { awsErrorMessage, awsErrorName, ContainClients } from './aws';
import { ContainmentTarget, kindModule } from './kinds';
import { Check, ContainedCheckInput, ReleasedCheckInput } from './kinds/kind';
import { Progress } from './stacks';

/**
 * Checks the effect of a containment (or its release) through IAM and S3 reads, not just the
 * stack status: each kind reads its own (kinds/<kind>.ts). IAM is eventually consistent, so a
 * check that does not yet hold is retried with a bounded backoff before it counts as failed.
 */

export interface VerifyOptions {
  /** @default 6 */
  readonly attempts?: number;
  /** @default 1000 */
  readonly firstDelayMs?: number;
  /** @default 8000 */
  readonly maxDelayMs?: number;
}

export interface Verification {
  readonly verified: boolean;
  readonly notes: readonly string[];
}

async function retrying(
  check: () => Promise<Check>,
  progress: Progress,
  options: VerifyOptions,
  label: string,
): Promise<Verification> {
  const attempts = options.attempts ?? 6;
  let delay = options.firstDelayMs ?? 1000;
  let last: Check = { ok: false, notes: [] };
  for (let n = 1; n <= attempts; n++) {
    try {
      last = await check();
    } catch (error) {
      last = { ok: false, notes: [`${awsErrorName(error) || 'error'}: ${awsErrorMessage(error)}`] };
    }
    if (last.ok) return { verified: true, notes: last.notes };
    if (n < attempts) {
      progress.log(
        `[${label}] not visible yet (${last.notes.join('; ')}); IAM is eventually consistent, checking again in ${delay / 1000} s`,
      );
      await progress.sleep(delay);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 8000);
    }
  }
  return { verified: false, notes: last.notes };
}

export function verifyContained(
  clients: ContainClients,
  input: ContainedCheckInput<ContainmentTarget>,
  progress: Progress,
  options: VerifyOptions = {},
): Promise<Verification> {
  const { target } = input;
  return retrying(
    () => kindModule(target.kind).verifyContained(clients, input),
    progress,
    options,
    `${target.kind}:${target.name}`,
  );
}

/** After release: the deny gone (unless it was there before), the bucket policy back byte for byte. */
export function verifyReleased(
  clients: ContainClients,
  input: ReleasedCheckInput<ContainmentTarget>,
  progress: Progress,
  options: VerifyOptions = {},
): Promise<Verification> {
  const { target } = input;
  return retrying(
    () => kindModule(target.kind).verifyReleased(clients, input),
    progress,
    options,
    `${target.kind}:${target.name}`,
  );
}
