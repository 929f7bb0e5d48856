import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { IrKitError } from '../../lib/errors';
import { LocalEngine } from '../engines/local';
import { GenerateSummary, SCENARIO, generateIncident } from '../../simulation/synthetic';
import { InvestigateOptions, investigate } from './investigate';
import { InvestigationResult } from './types';

export interface DemoOptions extends InvestigateOptions {
  /** Benign background events around the incident. @default 20000 */
  readonly backgroundEvents?: number;
  /** Seed of the generator: the same seed writes the same logs. @default 1 */
  readonly seed?: number;
  /** Keep the generated logs here instead of a temporary folder that is deleted afterwards. */
  readonly outDir?: string;
  /** Told what is happening, for a progress line. */
  readonly onStep?: (message: string) => void;
}

export interface DemoRun {
  readonly generated: GenerateSummary;
  readonly result: InvestigationResult;
}

/**
 * The README's first command: writes the playbook incident, hidden in benign activity, into
 * a temporary folder and investigates the exposed key on the local engine, with no AWS
 * account. Render `result` with renderTable (blast radius and containment plan). Interrupted
 * (`signal`), it stops and still deletes the temporary folder.
 */
export async function demoInvestigation(options: DemoOptions = {}): Promise<DemoRun> {
  const dir = options.outDir ?? (await mkdtemp(join(tmpdir(), 'irkit-demo-')));
  try {
    options.onStep?.(`writing the playbook incident into ${dir}`);
    const generated = await generateIncident({
      outDir: join(dir, 'logs'),
      backgroundEvents: options.backgroundEvents ?? 20_000,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
    if (options.signal?.aborted) {
      throw new IrKitError('IRKIT_INTERRUPTED', 'interrupted while writing the demo logs', {
        hint: 'nothing was kept; run irkit demo again when ready',
      });
    }
    options.onStep?.(`investigating ${SCENARIO.actor.accessKeyId} over ${generated.events.total} events`);
    const engine = await LocalEngine.open({ logs: join(dir, 'logs') });
    try {
      const result = await investigate(
        engine,
        { kind: 'accessKey', accessKeyId: SCENARIO.actor.accessKeyId },
        SCENARIO.window,
        options,
      );
      return { generated, result };
    } finally {
      await engine.close();
    }
  } finally {
    if (!options.outDir) await rm(dir, { recursive: true, force: true });
  }
}
