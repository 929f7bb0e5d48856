import { Command } from 'commander';

import { registerContain } from './contain';
import { registerDemo } from './demo';
import { registerDoctor } from './doctor';
import { registerEradicate } from './eradicate';
import { registerInvestigate } from './investigate';
import { registerIpRanges } from './ip-ranges';
import { registerPreserve } from './preserve';
import { registerQueries } from './queries';
import { registerRelease } from './release';
import { registerReport } from './report';
import { registerSimulate } from './simulate';
import { registerSql } from './sql';
import { registerStatus } from './status';
import { registerValidate } from './validate';

/** Each command module adds its subcommand to the program; the table lives here, once. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerDemo,
  registerSimulate,
  registerContain,
  registerRelease,
  registerStatus,
  registerPreserve,
  registerEradicate,
  registerQueries,
  registerSql,
  registerInvestigate,
  registerReport,
  registerIpRanges,
  registerValidate,
  registerDoctor,
];
