import { main } from '../../orchestrator/cli/main';

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `irkit ...args` in-process, as the shell would, capturing stdout and stderr.
 * `env` is laid over process.env for the run only (e.g. a fake `aws` first on PATH).
 */
export async function irkitWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.env = saved;
    process.exitCode = undefined;
    out.mockRestore();
    err.mockRestore();
  }
}

/** Runs `irkit ...args` in-process, capturing stdout and stderr. */
export function irkit(...args: string[]): Promise<Run> {
  return irkitWithEnv({}, ...args);
}
