import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

import { IrKitError } from '../../lib/errors';
import { IntelSources } from './classify';
import { IP_RANGES_URL, IpRanges, parseIpRanges } from './ip-ranges';
import { parseTorExitList } from './tor-exits';

/**
 * Where the intelligence files come from: files given by flag, else the copy of
 * ip-ranges.json that `irkit ip-ranges update` cached. Nothing here reaches the network
 * except updateIpRanges.
 */

/** `IRKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/irkit`, else `~/.cache/irkit`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.IRKIT_CACHE_DIR) return resolve(env.IRKIT_CACHE_DIR);
  return join(env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache'), 'irkit');
}

export function cachedIpRangesPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'ip-ranges.json');
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      `cannot read ${flag} ${resolve(file)}: ${(error as Error).message}`,
      {
        hint: `check the path given to ${flag}`,
        cause: error,
      },
    );
  }
}

export interface IntelFiles {
  /** --ip-ranges FILE. */
  readonly ipRanges?: string;
  /** --tor-exits FILE. */
  readonly torExits?: string;
}

/**
 * Reads the files given, else the cached ip-ranges.json when there is one. A bad file is an
 * IRKIT_INVALID_INPUT error (never silently skipped): the responder asked for it.
 */
export function loadIntelSources(files: IntelFiles, env: NodeJS.ProcessEnv = process.env): IntelSources {
  const cached = cachedIpRangesPath(env);
  let ipRanges: IpRanges | undefined;
  if (files.ipRanges !== undefined) {
    ipRanges = parseIpRanges(readText(files.ipRanges, '--ip-ranges'), resolve(files.ipRanges));
  } else if (statSync(cached, { throwIfNoEntry: false })?.isFile()) {
    ipRanges = parseIpRanges(readText(cached, 'the cached ip-ranges.json'), cached);
  }
  const torExits =
    files.torExits === undefined
      ? undefined
      : parseTorExitList(readText(files.torExits, '--tor-exits'), resolve(files.torExits));
  return { ...(ipRanges ? { ipRanges } : {}), ...(torExits ? { torExits } : {}) };
}

export interface UpdateIpRangesOptions {
  /** @default IP_RANGES_URL */
  readonly url?: string;
  /** @default cachedIpRangesPath() */
  readonly file?: string;
  /** @default 30000 */
  readonly timeoutMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

export interface UpdateIpRangesResult {
  readonly file: string;
  readonly url: string;
  readonly syncToken: string;
  readonly createDate: string;
  readonly prefixes: number;
  /** The syncToken of the copy replaced, if there was one. */
  readonly previousSyncToken?: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Downloads ip-ranges.json, checks it as parseIpRanges does, and only then replaces the
 * cached copy (written beside it and renamed, so a failed download never leaves a broken
 * or half-written cache). Plain http is refused except to this machine.
 */
export async function updateIpRanges(options: UpdateIpRangesOptions = {}): Promise<UpdateIpRangesResult> {
  const url = options.url ?? IP_RANGES_URL;
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new IrKitError('IRKIT_INVALID_INPUT', `invalid --url: ${JSON.stringify(url)}`, {
      hint: `give an https URL, e.g. ${IP_RANGES_URL}`,
    });
  }
  if (
    parsedUrl.protocol !== 'https:' &&
    !(parsedUrl.protocol === 'http:' && LOOPBACK_HOSTS.has(parsedUrl.hostname))
  ) {
    throw new IrKitError('IRKIT_INVALID_INPUT', `refusing ${url}: not https`, {
      hint: `give an https URL (plain http only to this machine), e.g. ${IP_RANGES_URL}`,
    });
  }
  const file = resolve(options.file ?? cachedIpRangesPath());
  const doFetch = options.fetch ?? fetch;
  let text: string;
  try {
    const response = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    if (!response.ok) {
      throw new IrKitError(
        'IRKIT_AWS',
        `GET ${url} answered HTTP ${response.status} ${response.statusText}`,
        {
          hint: 'try again later; the cached copy (if any) is left as it is',
        },
      );
    }
    text = await response.text();
  } catch (error) {
    if (error instanceof IrKitError) throw error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new IrKitError(
      'IRKIT_AWS',
      `cannot download ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      {
        hint: 'check the network (or a proxy); offline, give --ip-ranges FILE to irkit investigate instead. The cached copy (if any) is left as it is',
        cause: error,
      },
    );
  }
  const ranges = parseIpRanges(text, url);
  let previousSyncToken: string | undefined;
  if (statSync(file, { throwIfNoEntry: false })?.isFile()) {
    try {
      previousSyncToken = parseIpRanges(readFileSync(file, 'utf8'), file).syncToken;
    } catch {
      // A broken cached copy is what an update replaces.
    }
  }
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, file);
  return {
    file,
    url,
    syncToken: ranges.syncToken,
    createDate: ranges.createDate,
    prefixes: ranges.entries,
    ...(previousSyncToken !== undefined ? { previousSyncToken } : {}),
  };
}
