import { spawnSync } from 'node:child_process';

/**
 * Tests that need a system tool (shellcheck, a browser) run where it is installed, skip with a
 * visible notice where it is not, so `npm ci && npm test` passes on a machine with only Node,
 * and fail under .ci/run (IRKIT_REQUIRE_SYSTEM_TOOLS=1), which installs them.
 */
export interface SystemTool {
  readonly available: boolean;
  /** `it` where the tool is there (or required), `it.skip` where it may be missing. */
  readonly it: jest.It;
}

export function systemTool(command: string, versionArgs: readonly string[], install: string): SystemTool {
  const probe = spawnSync(command, [...versionArgs], { encoding: 'utf8' });
  const available = !probe.error && probe.status === 0;
  const required = process.env.IRKIT_REQUIRE_SYSTEM_TOOLS === '1';
  if (!available && !required) {
    process.stderr.write(
      `\nNOTICE: ${command} is not installed; the tests that need it are SKIPPED here (${install}). ` +
        '.ci/run installs it and runs them.\n',
    );
    return { available, it: it.skip };
  }
  if (!available) {
    return {
      available,
      it: ((name: string) =>
        it(name, () => {
          throw new Error(
            `${command} is required here (IRKIT_REQUIRE_SYSTEM_TOOLS=1) but not installed: ${install}`,
          );
        })) as unknown as jest.It,
    };
  }
  return { available, it };
}
