import * as fs from 'fs';
import { Writable } from 'stream';

import { IrKitError } from '../../../lib/errors';
import { checkManifest, describeUndo, undoSimulationRun } from '../../../orchestrator/simulation/undo';
import { OTHER_ACCOUNT, SANDBOX_ACCOUNT, Sandbox } from '../../simulation/scripts/harness';
import { BUCKET, USER, sandboxWithRun } from './fixtures';

function sink(): Writable & { text: string } {
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string };
  out.text = '';
  return out;
}

describe('undoSimulationRun', () => {
  it('removes the run, streams progress, and a second undo finds nothing left', async () => {
    const box = sandboxWithRun();
    try {
      const progress = sink();
      const summary = await undoSimulationRun({ manifestPath: box.manifestPath(), env: box.env(), progress });
      expect(summary).toMatchObject({
        runId: 'run1',
        account: SANDBOX_ACCOUNT,
        dryRun: false,
        alreadyGone: [],
        notRemoved: [],
        nothingLeft: false,
      });
      expect(summary.removed.map((r) => r.resource)).toEqual([`iam-user ${USER}`, `s3-bucket ${BUCKET}`]);
      expect(progress.text).toContain(`aws iam delete-user --user-name ${USER}`);
      expect(box.users()).toEqual(['JorgeSouza']);
      expect(box.buckets()).toEqual([]);

      const again = await undoSimulationRun({
        manifestPath: box.manifestPath(),
        env: box.env(),
        progress: sink(),
      });
      expect(again.nothingLeft).toBe(true);
      expect(describeUndo(again)).toBe(
        'Nothing left to remove for run run1: everything in the manifest is already gone.\n' +
          `  already gone   iam-user ${USER}\n` +
          `  already gone   s3-bucket ${BUCKET}\n`,
      );
    } finally {
      box.remove();
    }
  });

  it('resolves with what could not be removed, and why', async () => {
    const box = sandboxWithRun('some-other-run');
    try {
      const summary = await undoSimulationRun({
        manifestPath: box.manifestPath(),
        env: box.env(),
        progress: sink(),
      });
      expect(summary.notRemoved).toEqual([
        {
          resource: `iam-user ${USER}`,
          reason: `it exists but is not tagged irkit:simulation-run=run1, so this run did not create it: left alone`,
        },
      ]);
      expect(describeUndo(summary)).toContain(
        `Could not remove:\n  iam-user ${USER}: it exists but is not tagged`,
      );
      expect(box.users()).toEqual([USER, 'JorgeSouza']);
    } finally {
      box.remove();
    }
  });

  it('passes the options through to the script (dry run changes nothing)', async () => {
    const box = sandboxWithRun();
    try {
      const summary = await undoSimulationRun({
        manifestPath: box.manifestPath(),
        env: box.env(),
        progress: sink(),
        dryRun: true,
        withContainmentStacks: true,
        profile: 'default',
        region: 'us-east-1',
      });
      expect(summary.dryRun).toBe(true);
      expect(box.users()).toEqual([USER, 'JorgeSouza']);
      const args = box.calls().map((c) => c.args.join(' '));
      expect(args[0]).toBe('--profile default sts get-caller-identity --region us-east-1 --output json');
      expect(args).toContain(
        '--profile default cloudformation describe-stacks --region us-east-1 --output json',
      );
    } finally {
      box.remove();
    }
  });

  it('rejects when the script refuses credentials of another account', async () => {
    const box = sandboxWithRun();
    try {
      const manifest = JSON.parse(fs.readFileSync(box.manifestPath(), 'utf8'));
      fs.writeFileSync(box.manifestPath(), JSON.stringify({ ...manifest, account: OTHER_ACCOUNT }));
      const run = undoSimulationRun({ manifestPath: box.manifestPath(), env: box.env(), progress: sink() });
      await expect(run).rejects.toMatchObject({
        code: 'IRKIT_INVALID_INPUT',
        message: `the undo refused to start: refusing: your credentials are for account ${SANDBOX_ACCOUNT}, the run was in ${OTHER_ACCOUNT}`,
      });
      expect(box.users()).toEqual([USER, 'JorgeSouza']);
    } finally {
      box.remove();
    }
  });

  describe('refuses bad input before running anything', () => {
    const box = new Sandbox();
    afterAll(() => box.remove());

    it.each([
      ['a missing manifest', undefined, 'cannot read the simulation manifest'],
      ['a manifest that is not JSON', 'nope', 'is not JSON'],
      ['another kind of JSON', '{"kind":"irkit-plan"}', 'invalid simulation manifest'],
      [
        'a newer format',
        '{"kind":"irkit-simulation-run","formatVersion":9}',
        'invalid simulation manifest format: 9',
      ],
      [
        'a bad account',
        '{"kind":"irkit-simulation-run","formatVersion":1,"runId":"run1","account":"12"}',
        'invalid AWS account id',
      ],
    ])('%s', async (_what, content, message) => {
      const file = `${box.work}/manifest.json`;
      fs.rmSync(file, { force: true });
      if (content !== undefined) fs.writeFileSync(file, content);
      await expect(undoSimulationRun({ manifestPath: file, env: box.env() })).rejects.toThrow(message);
      expect(() => checkManifest(file)).toThrow(IrKitError);
      expect(box.calls()).toEqual([]);
    });

    it('a bad profile or region', async () => {
      const run = sandboxWithRun();
      try {
        await expect(
          undoSimulationRun({ manifestPath: run.manifestPath(), env: run.env(), profile: 'a b' }),
        ).rejects.toMatchObject({ code: 'IRKIT_INVALID_INPUT' });
        await expect(
          undoSimulationRun({ manifestPath: run.manifestPath(), env: run.env(), region: 'mars-1' }),
        ).rejects.toThrow('invalid AWS Region');
        expect(run.calls()).toEqual([]);
      } finally {
        run.remove();
      }
    });
  });
});
