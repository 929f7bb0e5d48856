import { IrKitError } from '../../../lib/errors';
import { outputFormat } from '../../../orchestrator/cli/commands/output';

describe('output format of --out and --format', () => {
  test('comes from --format, else from the --out extension, else the command’s default', () => {
    expect(outputFormat('json', undefined, 'table')).toBe('json');
    expect(outputFormat(undefined, 'report.md', 'table')).toBe('markdown');
    expect(outputFormat(undefined, 'result.json', 'table')).toBe('json');
    expect(outputFormat(undefined, undefined, 'table')).toBe('table');
    expect(outputFormat('markdown', 'notes.txt', 'table')).toBe('markdown');
  });

  test('refuses a format that contradicts the file it writes (Markdown into a .json)', () => {
    expect(() => outputFormat('markdown', 'x.json', 'table')).toThrow(IrKitError);
    expect(() => outputFormat('markdown', 'x.json', 'table')).toThrow(
      '--out x.json is a .json file, but --format is markdown',
    );
    try {
      outputFormat('json', 'report.md', 'table');
      throw new Error('not refused');
    } catch (error) {
      expect((error as IrKitError).hint).toContain('report.json');
    }
  });
});
