import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { LocalEngine } from '../../../orchestrator/engines/local';
import { GenerateOptions, GenerateSummary, generateIncident } from '../../../simulation/synthetic';

/** A synthetic incident written to a temp folder, with a local engine over it. */
export interface Incident {
  readonly dir: string;
  readonly summary: GenerateSummary;
  readonly engine: LocalEngine;
  close(): Promise<void>;
}

/** Small and fast: the incident day only, few Regions, a few thousand background events. */
export async function writeIncident(
  options: Partial<Omit<GenerateOptions, 'outDir'>> = {},
): Promise<Incident> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'irkit-investigate-'));
  const summary = await generateIncident({
    outDir: path.join(dir, 'logs'),
    backgroundEvents: 3000,
    days: 1,
    regions: ['us-east-1', 'us-west-2'],
    ...options,
  });
  const engine = await LocalEngine.open({ logs: path.join(dir, 'logs') });
  return {
    dir,
    summary,
    engine,
    close: async () => {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
