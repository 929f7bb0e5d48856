#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx irkit` works from a clone with no build step.
require('tsx/cjs');
const { main, endQuietlyOnClosedPipe } = require('../orchestrator/cli/main.ts');
endQuietlyOnClosedPipe();
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
