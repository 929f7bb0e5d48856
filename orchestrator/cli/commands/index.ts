import { Command } from 'commander';

import { registerSimulate } from './simulate';

/** Each command module adds its subcommand to the program; the table lives here, once. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [registerSimulate];
