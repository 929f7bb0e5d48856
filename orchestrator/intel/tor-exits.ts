import { IrKitError } from '../../lib/errors';
import { IpAddress, formatIp, parseIp } from './cidr';

/**
 * A list of Tor exit addresses, in either form the Tor Project publishes: the bulk exit
 * list (one address a line, https://check.torproject.org/torbulkexitlist) or the
 * exit-addresses document (`ExitNode` / `Published` / `LastStatus` / `ExitAddress IP TIME`
 * records, https://check.torproject.org/exit-addresses). Blank lines and `#` comments are
 * skipped; any other line is an error naming its number.
 */
export interface TorExitList {
  readonly source: string;
  /** Distinct exit addresses read. */
  readonly addresses: number;
  has(address: IpAddress): boolean;
}

const RECORD_KEYWORDS = new Set(['ExitNode', 'Published', 'LastStatus']);

export function parseTorExitList(text: string, source: string): TorExitList {
  const exits = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const words = line.split(/\s+/);
    const candidate = words[0] === 'ExitAddress' ? words[1] : words.length === 1 ? words[0] : undefined;
    if (candidate === undefined && RECORD_KEYWORDS.has(words[0])) return;
    const address = candidate === undefined ? undefined : parseIp(candidate);
    if (!address) {
      const shown = line.length > 80 ? `${line.slice(0, 80)}...` : line;
      throw new IrKitError(
        'IRKIT_INVALID_INPUT',
        `${source} line ${index + 1} is not a Tor exit address: ${JSON.stringify(shown)}`,
        {
          hint:
            'give the Tor Project’s bulk exit list (one IPv4 or IPv6 address a line) or its exit-addresses ' +
            'document; lines starting with # are comments',
        },
      );
    }
    exits.add(formatIp(address));
  });
  return { source, addresses: exits.size, has: (address) => exits.has(formatIp(address)) };
}
