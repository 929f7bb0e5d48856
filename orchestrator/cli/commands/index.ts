import { Command } from 'commander';

/** Each command module adds its subcommand to the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * The commands, by name, in the order help lists them. A run loads only the module of the
 * command it runs: the AWS SDK's clients and DuckDB take most of a second to load, which an
 * offline command or a warm query should not pay for the others'.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each a literal require, loaded when first
   asked for: tsx and jest resolve it for .ts, and the CLI bundle (bin/launch.js) includes every command. */
export const COMMANDS: readonly { readonly name: string; readonly load: () => RegisterCommand }[] = [
  { name: 'demo', load: () => (require('./demo') as typeof import('./demo')).registerDemo },
  { name: 'simulate', load: () => (require('./simulate') as typeof import('./simulate')).registerSimulate },
  { name: 'contain', load: () => (require('./contain') as typeof import('./contain')).registerContain },
  { name: 'release', load: () => (require('./release') as typeof import('./release')).registerRelease },
  { name: 'status', load: () => (require('./status') as typeof import('./status')).registerStatus },
  { name: 'preserve', load: () => (require('./preserve') as typeof import('./preserve')).registerPreserve },
  {
    name: 'eradicate',
    load: () => (require('./eradicate') as typeof import('./eradicate')).registerEradicate,
  },
  { name: 'queries', load: () => (require('./queries') as typeof import('./queries')).registerQueries },
  { name: 'sql', load: () => (require('./sql') as typeof import('./sql')).registerSql },
  {
    name: 'investigate',
    load: () => (require('./investigate') as typeof import('./investigate')).registerInvestigate,
  },
  { name: 'report', load: () => (require('./report') as typeof import('./report')).registerReport },
  {
    name: 'ip-ranges',
    load: () => (require('./ip-ranges') as typeof import('./ip-ranges')).registerIpRanges,
  },
  { name: 'validate', load: () => (require('./validate') as typeof import('./validate')).registerValidate },
  { name: 'doctor', load: () => (require('./doctor') as typeof import('./doctor')).registerDoctor },
];
/* eslint-enable @typescript-eslint/no-require-imports */

/** Global options that take a value (the command name is the first other word). */
const VALUED_GLOBALS = new Set(['--config']);

/**
 * The commands a run needs registered: the one it names, or all of them when it names none
 * that exists (top-level help, a typo that commander answers with "did you mean").
 */
export function commandsFor(argv: readonly string[]): typeof COMMANDS {
  let word: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--') break;
    if (VALUED_GLOBALS.has(argv[i])) i += 1;
    else if (!argv[i].startsWith('-')) {
      word = argv[i];
      break;
    }
  }
  const named = COMMANDS.filter((c) => c.name === word);
  return named.length > 0 ? named : COMMANDS;
}
