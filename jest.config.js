/** Type-checking happens once in `npm run build` (tsc --noEmit); jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 60000,
  // Jest's default leaves a core idle (one worker on a 2-core CI machine); many suites wait on
  // child processes and DuckDB's own threads, so one worker per core runs the suite in about
  // 0.7x the time.
  maxWorkers: '100%',
};
