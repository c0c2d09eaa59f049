import type { Logger } from 'pino';

/**
 * Runs `stop` once on SIGTERM or SIGINT and exits 0 when it finishes, 1 when
 * it fails or takes longer than the timeout. A second signal exits at once.
 */
export function exitOnSignal(stop: () => Promise<void>, opts: { logger: Logger; timeoutMs: number }): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      opts.logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
    opts.logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      opts.logger.error({ timeoutMs: opts.timeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, opts.timeoutMs);
    timer.unref();
    stop().then(
      () => {
        clearTimeout(timer);
        opts.logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        opts.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
