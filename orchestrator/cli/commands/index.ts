import { Command } from 'commander';

import { registerContain } from './contain';
import { registerQueries } from './queries';
import { registerRelease } from './release';
import { registerSimulate } from './simulate';
import { registerStatus } from './status';

/** Each command module adds its subcommand to the program; the table lives here, once. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerSimulate,
  registerContain,
  registerRelease,
  registerStatus,
  registerQueries,
];
