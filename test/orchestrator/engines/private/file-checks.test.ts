import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

import { readFlowLog } from '../../../../orchestrator/engines/private/file-checks';

const HEADER = 'version account-id interface-id srcaddr dstaddr';
/** Past the size read whole, so the file is streamed in 64 KiB chunks. */
const LARGE = 5 * 1024 * 1024;
const NEEDLE = '198.51.100.77';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'irkit-file-checks-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A flow log of filler lines, with the needle's line placed so it starts at `offset`. */
function largeFlowLog(offset: number | undefined): Buffer {
  const head = `${HEADER}\n`;
  const filler = '2 777777777777 eni-0123456789abcdef0 10.0.0.1 10.0.0.2\n';
  let text = head + filler.repeat(Math.ceil(LARGE / filler.length));
  if (offset !== undefined) {
    const line = `2 777777777777 eni-0123456789abcdef0 10.0.0.1 ${NEEDLE}\n`;
    const at = offset - line.indexOf(NEEDLE);
    text = text.slice(0, at) + line + text.slice(at);
  }
  return Buffer.from(text);
}

describe('readFlowLog', () => {
  test.each([
    ['a needle cut by the first chunk boundary', 65536 - 5],
    ['a needle just after a boundary', 3 * 65536],
    ['a needle near the end', LARGE - 100],
  ])('finds %s in a large plain file', async (_what, offset) => {
    const file = path.join(dir, `plain-${offset}.log`);
    const data = largeFlowLog(offset);
    writeFileSync(file, data);

    const read = await readFlowLog(file, data.length, ['203.0.113.9', NEEDLE]);

    expect(read).toMatchObject({ holds: true });
    expect('header' in read && read.header.map((f) => f.logName)).toEqual(HEADER.split(' '));
  });

  test('finds the needle in a large gzip file, and reports a file without it', async () => {
    const found = path.join(dir, 'found.log.gz');
    const absent = path.join(dir, 'absent.log.gz');
    writeFileSync(found, gzipSync(largeFlowLog(65536 * 7 - 3)));
    writeFileSync(absent, gzipSync(largeFlowLog(undefined)));
    const big = LARGE * 2;

    expect(await readFlowLog(found, big, [NEEDLE])).toMatchObject({ holds: true });
    expect(await readFlowLog(absent, big, [NEEDLE])).toMatchObject({ holds: false });
  });

  test('a small file is searched whole; a truncated gzip is corrupt, whatever it holds', async () => {
    const small = path.join(dir, 'small.log.gz');
    const zipped = gzipSync(`${HEADER}\n2 777777777777 eni-0123456789abcdef0 ${NEEDLE} 10.0.0.2\n`);
    writeFileSync(small, zipped);
    const cut = path.join(dir, 'cut.log.gz');
    writeFileSync(cut, zipped.subarray(0, zipped.length - 6));

    expect(await readFlowLog(small, zipped.length, [NEEDLE])).toMatchObject({ holds: true });
    expect(await readFlowLog(small, zipped.length, ['10.0.0.3'])).toMatchObject({ holds: false });
    expect(await readFlowLog(cut, zipped.length - 6, [NEEDLE])).toMatchObject({ status: 'corrupt' });
  });

  test('with index, a file read whole gives its record count and every address but NODATA dashes', async () => {
    const file = path.join(dir, 'index.log.gz');
    const text = [
      'version srcaddr dstaddr log-status',
      `2 ${NEEDLE} 10.0.0.2 OK`,
      '2 10.0.0.2 2001:db8::7 OK',
      '',
      '2 - - NODATA',
      '',
    ].join('\n');
    const zipped = gzipSync(text);
    writeFileSync(file, zipped);

    const read = await readFlowLog(file, zipped.length, ['203.0.113.9'], { index: true });

    expect(read).toMatchObject({ holds: false, index: { records: 3 } });
    expect('index' in read && [...read.index!.addresses].sort()).toEqual(
      ['10.0.0.2', NEEDLE, '2001:db8::7'].sort(),
    );
    expect(await readFlowLog(file, zipped.length, [])).not.toHaveProperty('index');
  });

  test('a file whose first line names no flow log field is foreign', async () => {
    const file = path.join(dir, 'access.log');
    writeFileSync(file, `GET /index.html HTTP/1.1 ${NEEDLE}\n`);

    expect(await readFlowLog(file, 40, [NEEDLE])).toMatchObject({ status: 'foreign' });
  });
});
