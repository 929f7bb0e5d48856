import { existsSync } from 'node:fs';

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
