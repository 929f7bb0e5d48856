import { createInterface } from 'node:readline/promises';

import { invalidInput } from '../../lib/errors';
import { terminalSafeLines } from '../output/escape';
import type { ContainIo } from './contain';

/**
 * The real terminal for the containment commands: the plan and results on stdout, progress
 * on stderr, and a yes/no question only when both ends are a terminal (never under CI or a
 * pipe, where the commands refuse to act without --yes).
 */
export function terminalIo(): ContainIo {
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env.CI;
  return {
    // Plans and AWS answers carry names from the logs: nothing a terminal acts on gets through.
    log: (line) => {
      process.stderr.write(`${terminalSafeLines(line)}\n`);
    },
    out: (text) => {
      process.stdout.write(terminalSafeLines(text));
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...(interactive ? { confirm: ask } : {}),
  };
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--poll-interval` in seconds (decimals allowed) as milliseconds. */
export function pollIntervalMs(seconds: string): number {
  const value = Number(seconds);
  if (!/^\d+(\.\d+)?$/.test(seconds) || value > 300) {
    throw invalidInput('--poll-interval', seconds, 'give seconds between 0 and 300, e.g. --poll-interval 5');
  }
  return value * 1000;
}
