import { getQuery } from '../../../lib/queries';
import { athenaColumnKind, typedCell, typedRowObjects } from '../../../orchestrator/engines/engine';
import { LocalEngine } from '../../../orchestrator/engines/local';
import { LogTree, playbookKeyCalls } from './fixtures';

describe('cells in their column’s JSON type', () => {
  test('counts become numbers, booleans booleans, SQL NULL null; text stays text', () => {
    expect(typedCell('12', 'integer')).toBe(12);
    expect(typedCell('1.5', 'number')).toBe(1.5);
    expect(typedCell('true', 'boolean')).toBe(true);
    expect(typedCell('false', 'boolean')).toBe(false);
    expect(typedCell(null, 'integer')).toBeNull();
    expect(typedCell('0012', 'string')).toBe('0012');
  });

  test('an integer beyond 2^53 stays text rather than lose digits', () => {
    expect(typedCell('9007199254740993', 'integer')).toBe('9007199254740993');
  });

  test('Athena’s column types map to the same kinds as DuckDB’s', () => {
    expect(
      ['bigint', 'integer', 'double', 'decimal(10,2)', 'boolean', 'varchar', 'timestamp'].map(
        athenaColumnKind,
      ),
    ).toEqual(['integer', 'integer', 'number', 'number', 'boolean', 'string', 'string']);
  });

  test('the local engine reports a count column as an integer and text columns as text', async () => {
    const logs = new LogTree();
    logs.cloudTrail('2021/07/24', playbookKeyCalls());
    const engine = await LocalEngine.open({ logs: logs.root });
    try {
      const result = await engine.run(getQuery('key-first-last-seen'), {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        from: '2021/07/16',
        to: '2021/07/24',
      });
      const kinds = Object.fromEntries(result.columns.map((c, i) => [c, result.columnKinds?.[i]]));
      expect(kinds).toMatchObject({
        identity_type: 'string',
        identity_arn: 'string',
        access_key_id: 'string',
        principal_id: 'string',
        first_seen: 'string',
        events: 'integer',
        source_ips: 'integer',
        regions: 'integer',
      });
      expect(typedRowObjects(result)[0]).toMatchObject({ events: 4, source_ips: 1, regions: 1 });
    } finally {
      await engine.close();
      logs.remove();
    }
  });
});
