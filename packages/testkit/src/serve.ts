import { createLogger, serve, type ServedService, type ServiceHandle } from '@honglian/service-kit';

/** Serves a built service on a free loopback port, for tests that need real HTTP (proxying, JWKS). */
export async function startTestService(handle: ServiceHandle): Promise<ServedService & { url: string }> {
  const served = await serve(handle, {
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ name: 'test', level: 'silent' }),
    shutdownTimeoutMs: 1000,
  });
  return Object.assign(served, { url: served.http.url });
}
