import { IrKitError } from '../../../lib/errors';

/**
 * Runs a command's work with Ctrl-C wired to its abort signal: the running queries are
 * cancelled (Athena's too), and the command fails with IRKIT_INTERRUPTED, which exits 130
 * as an interrupted shell command does. A query cancelled by anything else stays
 * IRKIT_QUERY_CANCELLED.
 */
export async function interruptible<T>(
  command: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const interrupt = () => {
    process.stderr.write(`\nirkit ${command}: cancelling...\n`);
    controller.abort();
  };
  process.once('SIGINT', interrupt);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (controller.signal.aborted && error instanceof IrKitError && error.code === 'IRKIT_QUERY_CANCELLED') {
      throw new IrKitError('IRKIT_INTERRUPTED', `interrupted: ${error.message}`, {
        hint: error.hint ?? 'nothing was changed; run it again when ready',
        cause: error,
      });
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
}
