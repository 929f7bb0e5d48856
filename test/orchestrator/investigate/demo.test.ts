import { existsSync } from 'node:fs';

import { IrKitError } from '../../../lib/errors';
import { demoInvestigation, renderTable } from '../../../orchestrator/investigate';

test('the demo writes the playbook incident to a temporary folder, investigates it and cleans up', async () => {
  const steps: string[] = [];
  const { generated, result } = await demoInvestigation({
    backgroundEvents: 500,
    onStep: (s) => steps.push(s),
  });
  expect(existsSync(generated.outDir)).toBe(false);
  expect(steps[0]).toMatch(/^writing the playbook incident into /);
  expect(result.containmentPlan.steps.map((s) => s.name)).toEqual([
    'JorgeSouza',
    'JaneDoe',
    'DOC-EXAMPLE-BUCKET',
  ]);
  expect(renderTable(result)).toContain('Containment plan for account 777777777777');
});

describe('the offline demo', () => {
  test('interrupted, it stops with IRKIT_INTERRUPTED and leaves no temporary folder behind', async () => {
    const controller = new AbortController();
    controller.abort();
    const steps: string[] = [];
    const error = await demoInvestigation({
      backgroundEvents: 10,
      signal: controller.signal,
      onStep: (s) => steps.push(s),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IrKitError);
    expect((error as IrKitError).code).toBe('IRKIT_INTERRUPTED');
    // Its own folder, as it named it: other demo runs come and go in the shared one meanwhile.
    const dir = /^writing the playbook incident into (.+)$/.exec(steps[0] ?? '')?.[1] ?? '';
    expect(dir).toMatch(/irkit-demo-/);
    expect(existsSync(dir)).toBe(false);
  });
});
