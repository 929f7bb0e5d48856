import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';

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

const demoDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('irkit-demo-'));

describe('the offline demo', () => {
  test('interrupted, it stops with IRKIT_INTERRUPTED and leaves no temporary folder behind', async () => {
    const before = new Set(demoDirs());
    const controller = new AbortController();
    controller.abort();
    const error = await demoInvestigation({ backgroundEvents: 10, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IrKitError);
    expect((error as IrKitError).code).toBe('IRKIT_INTERRUPTED');
    expect(demoDirs().filter((d) => !before.has(d))).toEqual([]);
  });
});
