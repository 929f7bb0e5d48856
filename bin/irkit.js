#!/usr/bin/env node
// `npx irkit` from a clone: the TypeScript CLI, bundled on first use (see launch.js).
const { cli } = require('./launch');

cli().then(({ main, endQuietlyOnClosedPipe }) => {
  endQuietlyOnClosedPipe();
  return main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
});
