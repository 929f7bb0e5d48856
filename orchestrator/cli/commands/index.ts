import { Command } from 'commander';

/** Each command module adds its subcommand to the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * The commands, by name, in the order help lists them. A run loads only the module of the
 * command it runs: the AWS SDK's clients and DuckDB take most of a second to load, which an
 * offline command or a warm query should not pay for the others'.
 */
export const COMMANDS: readonly { readonly name: string; readonly load: () => RegisterCommand }[] = [
  { name: 'demo', load: () => load<typeof import('./demo')>('./demo').registerDemo },
  { name: 'simulate', load: () => load<typeof import('./simulate')>('./simulate').registerSimulate },
  { name: 'contain', load: () => load<typeof import('./contain')>('./contain').registerContain },
  { name: 'release', load: () => load<typeof import('./release')>('./release').registerRelease },
  { name: 'status', load: () => load<typeof import('./status')>('./status').registerStatus },
  { name: 'preserve', load: () => load<typeof import('./preserve')>('./preserve').registerPreserve },
  { name: 'eradicate', load: () => load<typeof import('./eradicate')>('./eradicate').registerEradicate },
  { name: 'queries', load: () => load<typeof import('./queries')>('./queries').registerQueries },
  { name: 'sql', load: () => load<typeof import('./sql')>('./sql').registerSql },
  {
    name: 'investigate',
    load: () => load<typeof import('./investigate')>('./investigate').registerInvestigate,
  },
  { name: 'report', load: () => load<typeof import('./report')>('./report').registerReport },
  { name: 'ip-ranges', load: () => load<typeof import('./ip-ranges')>('./ip-ranges').registerIpRanges },
  { name: 'validate', load: () => load<typeof import('./validate')>('./validate').registerValidate },
  { name: 'doctor', load: () => load<typeof import('./doctor')>('./doctor').registerDoctor },
];

/** A command module, loaded when first asked for (require, which tsx and jest both resolve for .ts). */
function load<T>(module: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(module) as T;
}

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
