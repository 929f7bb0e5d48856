import {
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  listValue,
  mapValue,
  structValue,
} from '@duckdb/node-api';

import { athenaText } from '../../../../orchestrator/engines/private/athena-text';

describe('athenaText renders DuckDB values as Athena’s GetQueryResults does', () => {
  test('scalars become text and SQL NULL stays null', () => {
    expect(athenaText('AKIAIOSFODNN7EXAMPLE')).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(athenaText(12n)).toBe('12');
    expect(athenaText(3)).toBe('3');
    expect(athenaText(true)).toBe('true');
    expect(athenaText(false)).toBe('false');
    expect(athenaText(null)).toBeNull();
    expect(athenaText('')).toBe('');
  });

  test('arrays, rows and maps use Trino’s text forms with lower-case field names', () => {
    expect(athenaText(listValue(['a', null, 'b']))).toBe('[a, null, b]');
    expect(athenaText(structValue({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', type: 'IAMUser' }))).toBe(
      '{accesskeyid=AKIAIOSFODNN7EXAMPLE, type=IAMUser}',
    );
    expect(athenaText(mapValue([{ key: 'k', value: 'v' }]))).toBe('{k=v}');
  });

  test('timestamps print with milliseconds, and a zone for timestamp with time zone', () => {
    const micros = BigInt(Date.UTC(2021, 6, 24, 2, 22, 32)) * 1000n;
    expect(athenaText(new DuckDBTimestampValue(micros))).toBe('2021-07-24 02:22:32.000');
    expect(athenaText(new DuckDBTimestampTZValue(micros))).toBe('2021-07-24 02:22:32.000 UTC');
  });
});
