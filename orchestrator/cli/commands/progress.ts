import { ProgressEvent } from '../../engines/engine';
import { terminalSafe } from '../../output/escape';

/**
 * Progress on stderr. On a terminal (and not under CI), repeated updates of one phase (log
 * files being read, Athena's waits) rewrite a single status line in place; any other line
 * first clears it, so nothing is ever glued onto it. Elsewhere (a pipe, a CI log) only each
 * phase's first message is printed, as a line of its own. Every text is made terminal-safe
 * here (it carries values from logs and AWS errors), so no caller can forget it.
 */
export class StatusLine {
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Whether updates are drawn in place. */
  get live(): boolean {
    return Boolean(this.stream.isTTY) && !this.env.CI;
  }

  /** Rewrites the status line (on a terminal only). */
  update(raw: string): void {
    if (!this.live) return;
    const text = terminalSafe(raw);
    const width = this.stream.columns > 0 ? this.stream.columns - 1 : 120;
    this.stream.write(`\r${text.length > width ? `${text.slice(0, width - 1)}…` : text}\x1b[K`);
    this.shown = true;
  }

  /** Prints a line of its own, after clearing the status line. */
  line(text: string): void {
    this.clear();
    this.stream.write(`${terminalSafe(text)}\n`);
  }

  /** Removes the status line, if one is drawn. */
  clear(): void {
    if (!this.shown) return;
    this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}

/**
 * The engine's progress for one command (`irkit queries`, `irkit sql`): every phase once, and
 * on a terminal the repeated load and wait updates in place. Call `end()` before the
 * command's own output.
 */
export function progressPrinter(
  command: string,
  status: StatusLine = new StatusLine(),
): ((event: ProgressEvent) => void) & { end: () => void } {
  let last = '';
  const print = (event: ProgressEvent) => {
    const repeated = (event.phase === 'wait' || event.phase === 'load') && event.phase === last;
    last = event.phase;
    const text = `irkit ${command}: ${event.message}`;
    if (!repeated) status.line(text);
    else status.update(text);
  };
  return Object.assign(print, { end: () => status.clear() });
}
