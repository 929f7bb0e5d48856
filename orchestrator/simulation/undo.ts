import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { IrKitError, invalidInput } from '../../lib/errors';
import * as validate from '../../lib/validation';

/**
 * A typed front to simulation/undo_credential_exposure_activity.sh, so the CLI (`irkit simulate
 * --undo MANIFEST`) and tests can undo a workshop run. The script stays the one implementation:
 * attendees run it directly with nothing but the AWS CLI and jq.
 */

export const UNDO_SCRIPT = path.resolve(__dirname, '../../simulation/undo_credential_exposure_activity.sh');

/** The run manifest format this kit writes and reads. */
export const SIMULATION_MANIFEST_FORMAT = 1;

export interface UndoOptions {
  readonly manifestPath: string;
  /** AWS CLI profile with administrator rights in the sandbox account. @default - the default chain */
  readonly profile?: string;
  /** Region of the run's containment stacks. @default - the run's region */
  readonly region?: string;
  /** Also delete the run's `irkit-contain-*` stacks (first). @default false */
  readonly withContainmentStacks?: boolean;
  /** Read only: report what would be removed. @default false */
  readonly dryRun?: boolean;
  /** Where the script's progress lines go. @default process.stderr */
  readonly progress?: NodeJS.WritableStream;
  /** The script's environment (AWS settings, PATH). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export interface UndoSummary {
  readonly runId: string;
  readonly account: string;
  readonly dryRun: boolean;
  readonly removed: ReadonlyArray<{ readonly resource: string; readonly detail: string }>;
  readonly alreadyGone: readonly string[];
  /** What could not be removed, and why; non-empty means the script exited 1. */
  readonly notRemoved: ReadonlyArray<{ readonly resource: string; readonly reason: string }>;
  readonly notes: ReadonlyArray<{ readonly resource: string; readonly detail: string }>;
  /** Nothing of the run was found: a repeated undo. */
  readonly nothingLeft: boolean;
}

/** Refuses a manifest the script would refuse, before anything runs. */
export function checkManifest(manifestPath: string): { runId: string; account: string } {
  let text: string;
  try {
    text = fs.readFileSync(manifestPath, 'utf8');
  } catch (cause) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `cannot read the simulation manifest ${manifestPath}`, {
      hint: 'pass the path the attack script printed at its start (irkit-simulation-RUNID.json)',
      cause,
    });
  }
  let manifest: { kind?: unknown; formatVersion?: unknown; runId?: unknown; account?: unknown };
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch (cause) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `${manifestPath} is not JSON`, {
      hint: 'pass the run manifest the attack script wrote',
      cause,
    });
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.kind !== 'irkit-simulation-run') {
    throw invalidInput('simulation manifest', manifestPath, 'it is not an IR Kit simulation run manifest');
  }
  if (manifest.formatVersion !== SIMULATION_MANIFEST_FORMAT) {
    throw invalidInput(
      'simulation manifest format',
      manifest.formatVersion,
      `this kit reads format ${SIMULATION_MANIFEST_FORMAT}; use the kit version that wrote the manifest`,
    );
  }
  return {
    runId: String(manifest.runId),
    account: validate.accountId(String(manifest.account)),
  };
}

/**
 * Runs the undo script and returns its summary. Resolves also when something could not be
 * removed (see `notRemoved`); rejects with IRKIT_INVALID_INPUT when the script refused to start
 * (bad manifest, credentials of another account) and IRKIT_AWS when it could not run at all.
 */
export async function undoSimulationRun(options: UndoOptions): Promise<UndoSummary> {
  checkManifest(options.manifestPath);
  if (options.profile !== undefined && !/^[A-Za-z0-9_.@+=,-]+$/.test(options.profile)) {
    throw invalidInput('profile', options.profile, 'use the name of a profile in your AWS CLI configuration');
  }
  const args = ['--json'];
  if (options.profile) args.push('--profile', options.profile);
  if (options.region) args.push('--region', validate.region(options.region));
  if (options.withContainmentStacks) args.push('--with-containment-stacks');
  if (options.dryRun) args.push('--dry-run');
  args.push(options.manifestPath);

  const progress = options.progress ?? process.stderr;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [UNDO_SCRIPT, ...args], {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      progress.write(chunk);
    });
    child.on('error', (cause) =>
      reject(
        new IrKitError('IRKIT_AWS', 'cannot run the undo script', { hint: 'is bash installed?', cause }),
      ),
    );
    child.on('close', (code) => {
      if (code === 0 || code === 1) {
        try {
          resolve(JSON.parse(stdout) as UndoSummary);
        } catch (cause) {
          reject(new IrKitError('IRKIT_AWS', 'the undo script printed no summary', { cause }));
        }
        return;
      }
      const reason = lastError(stderr) ?? `exit code ${code}`;
      reject(
        code === 2
          ? new IrKitError('IRKIT_INVALID_INPUT', `the undo refused to start: ${reason}`, {
              hint: 'nothing was changed; fix the manifest path or use credentials of the sandbox account',
            })
          : new IrKitError('IRKIT_AWS', `the undo script failed: ${reason}`, {
              hint: 'rerun it; it removes only what is left and is safe to repeat',
            }),
      );
    });
  });
}

function lastError(stderr: string): string | undefined {
  const lines = stderr.split('\n').filter((l) => l.includes('ERROR: '));
  return lines.length ? lines[lines.length - 1].replace(/^.*ERROR: /, '') : undefined;
}

/** The summary as the script prints it without --json, for a terminal. */
export function describeUndo(summary: UndoSummary): string {
  const lines: string[] = [];
  if (summary.nothingLeft) {
    lines.push(
      `Nothing left to remove for run ${summary.runId}: everything in the manifest is already gone.`,
    );
  } else {
    lines.push(
      `Undo of run ${summary.runId} in account ${summary.account}${summary.dryRun ? ' (dry run: nothing was removed)' : ''}:`,
    );
  }
  for (const r of summary.removed)
    lines.push(`  removed        ${r.resource}${r.detail ? ` (${r.detail})` : ''}`);
  for (const r of summary.alreadyGone) lines.push(`  already gone   ${r}`);
  for (const n of summary.notes) lines.push(`  left alone     ${n.resource}: ${n.detail}`);
  if (summary.notRemoved.length) {
    lines.push('Could not remove:');
    for (const r of summary.notRemoved) lines.push(`  ${r.resource}: ${r.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
