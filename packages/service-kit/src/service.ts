import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Readiness } from './health.js';
import { listen, type RunningServer } from './server.js';

/**
 * A built service: its HTTP app plus whatever runs beside it (consumers,
 * outbox relays, schedules). `createService(deps)` of each service returns one.
 */
export interface ServiceHandle {
  name: string;
  app: Express;
  readiness: Readiness;
  /** Starts consumers and background work. HTTP is served by `serve`. */
  start(): Promise<void>;
  /** Stops consumers and background work and closes connections it owns. */
  stop(): Promise<void>;
}

export interface ServedService {
  handle: ServiceHandle;
  http: RunningServer;
  /** Graceful: not ready, stop accepting, finish in-flight requests, then stop consumers and connections. */
  close(): Promise<void>;
}

export async function serve(
  handle: ServiceHandle,
  opts: { port?: number; host?: string; logger: Logger; shutdownTimeoutMs?: number },
): Promise<ServedService> {
  await handle.start();
  const http = await listen(handle.app, opts);
  let closing: Promise<void> | undefined;
  return {
    handle,
    http,
    close() {
      closing ??= (async () => {
        handle.readiness.markDraining();
        await http.close(opts.shutdownTimeoutMs);
        await handle.stop();
      })();
      return closing;
    },
  };
}
