import { IrKitError } from '../../../lib/errors';
import { resolveWindow } from '../../../orchestrator/cli/commands/window-flags';

const NOW = new Date('2021-07-26T00:37:17Z');

describe('the investigation window as responders give it', () => {
  test('--since counts days or hours back from now, --to defaulting to today (UTC)', () => {
    expect(resolveWindow({ since: '15d' }, NOW)).toMatchObject({ from: '2021/07/11', to: '2021/07/26' });
    expect(resolveWindow({ since: '36h' }, NOW)).toMatchObject({ from: '2021/07/24', to: '2021/07/26' });
    expect(resolveWindow({ since: '90d' }, NOW).from).toBe('2021/04/27');
  });

  test('--from and --to take a day in either spelling or an ISO time, which counts as its UTC day', () => {
    expect(resolveWindow({ from: '2021-07-16', to: '2021/07/24' }, NOW)).toMatchObject({
      from: '2021/07/16',
      to: '2021/07/24',
    });
    expect(
      resolveWindow({ from: '2021-07-23T22:30:00-02:00', to: '2021-07-24T02:22:32Z' }, NOW),
    ).toMatchObject({
      from: '2021/07/24',
      to: '2021/07/24',
    });
  });

  test('says which days it used and why', () => {
    expect(resolveWindow({ since: '15d' }, NOW).described).toBe(
      '2021/07/11..2021/07/26 (event days in UTC; --since 15d, --to today)',
    );
  });

  test.each([
    [{}, 'give exactly one of --from and --since'],
    [{ from: '2021/07/16', since: '15d' }, 'give exactly one of --from and --since'],
    [{ since: '15 days' }, 'invalid --since: "15 days"'],
    [{ since: '0d' }, 'invalid --since: "0d"'],
    [{ from: '2021/02/30' }, 'invalid --from: "2021/02/30"'],
    [{ from: "2021/07/16' OR 1=1" }, 'invalid --from'],
    [{ from: '2021/07/24', to: '2021/07/16' }, 'invalid date window'],
  ])('refuses %j', (flags, message) => {
    expect(() => resolveWindow(flags, NOW)).toThrow(IrKitError);
    expect(() => resolveWindow(flags, NOW)).toThrow(message);
  });
});
