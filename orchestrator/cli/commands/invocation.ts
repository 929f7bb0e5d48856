/**
 * How to run irkit again as the person just did, so a "Next:" hint prints a command that runs
 * as shown: `irkit` is on PATH only after `npm link`; from a clone it is `npx irkit`, and under
 * `npm run irkit` / `npm run demo` the CLI runs from source.
 */
export function irkitInvocation(env: NodeJS.ProcessEnv = process.env): string {
  if (env.npm_lifecycle_event === 'irkit' || env.npm_lifecycle_event === 'demo') return 'npm run irkit --';
  return 'npx irkit';
}
