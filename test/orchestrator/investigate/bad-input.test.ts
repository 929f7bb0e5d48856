import { LocalEngine } from '../../../orchestrator/engines/local';
import { InvestigationSubject, investigate, renderTable } from '../../../orchestrator/investigate';
import { LogTree, playbookKeyCalls } from '../engines/fixtures';
import { FakeEngine } from './fake-engine';

/**
 * Bad input is refused before any query runs; an unknown subject is an explicit empty
 * result; missing or unreadable logs are a clear error or a warning, never a crash or a
 * silent partial answer.
 */

const WINDOW = { from: '2021/07/16', to: '2021/07/24' };
const KEY: InvestigationSubject = { kind: 'accessKey', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' };

describe('refused before any query runs', () => {
  test.each([
    [
      'a malformed access key id',
      { kind: 'accessKey', accessKeyId: 'AKIA123' },
      WINDOW,
      {},
      /invalid access key id: "AKIA123"/,
    ],
    [
      'a lower-case key id',
      { kind: 'accessKey', accessKeyId: 'akiaiosfodnn7example' },
      WINDOW,
      {},
      /access key id/,
    ],
    [
      'a user name outside IAM’s characters',
      { kind: 'user', userName: "JaneDoe' OR 1=1" },
      WINDOW,
      {},
      /IAM user name/,
    ],
    ['an impossible date', KEY, { from: '2021/02/30', to: '2021/07/24' }, {}, /invalid date: "2021\/02\/30"/],
    ['a date in another format', KEY, { from: '07/16/2021', to: '2021/07/24' }, {}, /invalid date/],
    ['an inverted window', KEY, { from: '2021/07/24', to: '2021/07/16' }, {}, /invalid date window/],
    ['a negative depth', KEY, WINDOW, { depth: -1 }, /invalid depth/],
    ['a fractional depth', KEY, WINDOW, { depth: 1.5 }, /invalid depth/],
    ['a depth beyond the maximum', KEY, WINDOW, { depth: 21 }, /invalid depth/],
    ['a malformed incident id', KEY, WINDOW, { incidentId: 'IR 2021/07' }, /invalid incident id/],
  ] as const)('%s', async (_what, subject, window, options, message) => {
    const engine = new FakeEngine({});
    const run = investigate(engine, subject as InvestigationSubject, window, options);
    await expect(run).rejects.toMatchObject({
      code: 'IRKIT_INVALID_INPUT',
      message: expect.stringMatching(message),
    });
    await expect(run).rejects.toHaveProperty('hint');
    expect(engine.runs).toEqual([]);
  });
});

describe('on the local engine', () => {
  let tree: LogTree;

  beforeEach(() => {
    tree = new LogTree();
    tree.cloudTrail('2021/07/24', playbookKeyCalls());
  });

  afterEach(() => {
    tree.remove();
  });

  async function withEngine<T>(strict: boolean, body: (engine: LocalEngine) => Promise<T>): Promise<T> {
    const engine = await LocalEngine.open({ logs: tree.root, strict });
    try {
      return await body(engine);
    } finally {
      await engine.close();
    }
  }

  test('an unknown user is an explicit empty result that says so', async () => {
    const result = await withEngine(false, (engine) =>
      investigate(engine, { kind: 'user', userName: 'NoSuchUser' }, WINDOW),
    );
    expect(result).toMatchObject({ found: false, principals: [], resources: [], timeline: [] });
    expect(result.summary.headline).toMatch(
      /^no activity of IAM user NoSuchUser in 2021\/07\/16\.\.2021\/07\/24: nothing was found and nothing is to contain/,
    );
    expect(result.containmentPlan.steps).toEqual([]);
    expect(result.queries.map((q) => q.queryId)).not.toContain('ip-activity');
    expect(renderTable(result)).toContain('no activity of IAM user NoSuchUser');
  });

  test('a window with no logs is IRKIT_LOGS_MISSING naming the window and where the logs are', async () => {
    await withEngine(false, async (engine) => {
      await expect(investigate(engine, KEY, { from: '2021/06/01', to: '2021/06/02' })).rejects.toMatchObject({
        code: 'IRKIT_LOGS_MISSING',
        message: expect.stringMatching(/no CloudTrail log files for 2021\/06\/01\.\.2021\/06\/02/),
        hint: expect.stringMatching(/2021\/07\/24/),
      });
    });
  });

  test('a file that does not parse is named in a warning of the result; --strict makes it fatal', async () => {
    const bad = tree.file(
      'AWSLogs/777777777777/CloudTrail/us-east-1/2021/07/24/777777777777_CloudTrail_us-east-1_20210724T0300Z_BROKEN.json.gz',
      '{"Records": [ {"eventVersion": ',
      true,
    );
    const result = await withEngine(false, (engine) => investigate(engine, KEY, WINDOW));
    expect(result.found).toBe(true);
    expect(result.warnings).toEqual([
      expect.stringContaining(`skipped 1 of 2 log file(s) that could not be read: ${bad}`),
      expect.stringMatching(/^no VPC Flow Logs files for 2021\/07\/16\.\.2021\/07\/24/),
    ]);
    expect(result.network.note).toMatch(/no VPC Flow Logs files in the window/);
    expect(renderTable(result)).toContain('Warnings');

    await withEngine(true, async (engine) => {
      await expect(investigate(engine, KEY, WINDOW)).rejects.toMatchObject({ code: 'IRKIT_LOGS_CORRUPT' });
    });
  });

  test('logs that are not CloudTrail at all are an error, not an empty answer', async () => {
    tree.remove();
    tree = new LogTree();
    tree.file('AWSLogs/777777777777/CloudTrail/us-east-1/2021/07/24/notes.json', '{"hello": "world"}');
    await withEngine(false, async (engine) => {
      await expect(investigate(engine, KEY, WINDOW)).rejects.toMatchObject({ code: 'IRKIT_LOGS_CORRUPT' });
    });
  });
});
