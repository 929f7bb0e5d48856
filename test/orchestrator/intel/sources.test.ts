import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { IrKitError } from '../../../lib/errors';
import { cacheDir, cachedIpRangesPath, loadIntelSources, updateIpRanges } from '../../../orchestrator/intel';

const FIXTURES = join(__dirname, '../../fixtures/intel');
const SAMPLE = readFileSync(join(FIXTURES, 'ip-ranges.sample.json'), 'utf8');

describe('cacheDir', () => {
  it('is IRKIT_CACHE_DIR, else under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(cacheDir({ IRKIT_CACHE_DIR: '/tmp/c' })).toBe('/tmp/c');
    expect(cacheDir({ XDG_CACHE_HOME: '/tmp/x' })).toBe('/tmp/x/irkit');
    expect(cacheDir({})).toMatch(/\.cache\/irkit$/);
  });
});

describe('updateIpRanges against a local HTTP server', () => {
  let server: Server;
  let base: string;
  let answer: { status: number; body: string } = { status: 200, body: SAMPLE };
  const requests: string[] = [];
  let dir: string;
  const env = () => ({ IRKIT_CACHE_DIR: dir });

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'irkit-cache-'));
    answer = { status: 200, body: SAMPLE };
    requests.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('downloads, checks and caches the file; investigations then read the cached copy', async () => {
    const result = await updateIpRanges({ url: `${base}/ip-ranges.json`, file: cachedIpRangesPath(env()) });
    expect(requests).toEqual(['GET /ip-ranges.json']);
    expect(result).toMatchObject({
      syncToken: '1700000000',
      prefixes: 16,
      file: join(dir, 'ip-ranges.json'),
    });
    expect(result).not.toHaveProperty('previousSyncToken');
    expect(readFileSync(join(dir, 'ip-ranges.json'), 'utf8')).toBe(SAMPLE);
    const sources = loadIntelSources({}, env());
    expect(sources.ipRanges?.source).toBe(join(dir, 'ip-ranges.json'));
    expect(sources.torExits).toBeUndefined();

    answer = { status: 200, body: SAMPLE.replace('"1700000000"', '"1700000600"') };
    const second = await updateIpRanges({ url: `${base}/ip-ranges.json`, file: cachedIpRangesPath(env()) });
    expect(second).toMatchObject({ syncToken: '1700000600', previousSyncToken: '1700000000' });
  });

  it.each([
    [{ status: 200, body: '{"syncToken": "17' }, /not valid JSON/],
    [
      { status: 200, body: '{"syncToken": "1", "createDate": "d", "prefixes": []}' },
      /ipv6_prefixes is undefined/,
    ],
    [{ status: 503, body: 'Service Unavailable' }, /answered HTTP 503/],
  ])('a bad download (%#) is an error and leaves the cached copy as it was', async (bad, message) => {
    const cached = join(dir, 'ip-ranges.json');
    writeFileSync(cached, SAMPLE);
    answer = bad;
    await expect(updateIpRanges({ url: `${base}/ip-ranges.json`, file: cached })).rejects.toThrow(message);
    expect(readFileSync(cached, 'utf8')).toBe(SAMPLE);
    expect(readdirSync(dir)).toEqual(['ip-ranges.json']);
  });

  it('says when nothing answers (offline)', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const error = await updateIpRanges({ url: `http://127.0.0.1:${port}/`, file: join(dir, 'x.json') }).catch(
      (e: IrKitError) => e,
    );
    expect(error).toBeInstanceOf(IrKitError);
    expect((error as IrKitError).message).toMatch(/cannot download .*ECONNREFUSED/);
    expect((error as IrKitError).hint).toMatch(/--ip-ranges FILE/);
  });

  it('refuses plain http except to this machine, and a URL that is not one', async () => {
    await expect(
      updateIpRanges({ url: 'http://ip-ranges.example.com/x.json', file: join(dir, 'x') }),
    ).rejects.toThrow(/not https/);
    await expect(updateIpRanges({ url: 'ip-ranges.json', file: join(dir, 'x') })).rejects.toThrow(
      /invalid --url/,
    );
    expect(requests).toEqual([]);
  });
});

describe('loadIntelSources', () => {
  it('reads the files given, prefers --ip-ranges over the cache, and names a file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'irkit-cache-'));
    try {
      writeFileSync(join(dir, 'ip-ranges.json'), '{broken');
      const given = loadIntelSources(
        {
          ipRanges: join(FIXTURES, 'ip-ranges.sample.json'),
          torExits: join(FIXTURES, 'tor-exits.sample.txt'),
        },
        { IRKIT_CACHE_DIR: dir },
      );
      expect(given.ipRanges?.entries).toBe(16);
      expect(given.torExits?.addresses).toBe(2);
      expect(() => loadIntelSources({}, { IRKIT_CACHE_DIR: dir })).toThrow(/ip-ranges.json is not AWS's/);
      expect(() =>
        loadIntelSources({ torExits: join(dir, 'missing.txt') }, { IRKIT_CACHE_DIR: '/nonexistent' }),
      ).toThrow(/cannot read --tor-exits .*missing.txt/);
      expect(loadIntelSources({}, { IRKIT_CACHE_DIR: join(dir, 'none') })).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
