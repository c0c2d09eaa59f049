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

/** Something started after the service and stopped after it (the event bus, a database server). */
export interface Resource {
  start?(): Promise<void>;
  stop?(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * A service run alone owns its infrastructure: `resources` start after the
 * service (so its consumers are subscribed before the bus delivers) and stop
 * after it, in order, e.g. `[bus, databases]`.
 */
export function owningResources<H extends ServiceHandle>(service: H, resources: Resource[]): H {
  return {
    ...service,
    async start() {
      await service.start();
      for (const r of resources) await r.start?.();
    },
    async stop() {
      await service.stop();
      for (const r of resources) await (r.stop ?? r.close)?.call(r);
    },
  };
}
