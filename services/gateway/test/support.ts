import { z } from 'zod';
import { createServiceApp, type Authenticator, type ServiceHandle } from '@honglian/service-kit';
import { startTestService, testContext, type TestIssuer } from '@honglian/testkit';
import { createService, type GatewayDeps, type GatewayHandle } from '../src/index.js';

/**
 * A stand-in for a domain service behind the gateway (the gateway imports no
 * real service): it echoes what reached it, and has a route for county
 * admins only.
 */
export function backendService(name: string, prefix: string, auth: Authenticator): ServiceHandle {
  return createServiceApp(testContext({ auth }), {
    name,
    prefix,
    title: `${name} (test)`,
    routes: (api) => {
      api
        .route(
          {
            method: 'get',
            path: '/echo',
            summary: 'What reached the service',
            responses: { 200: { description: 'echo' } },
          },
          ({ req, principal }) => ({
            body: {
              url: req.originalUrl,
              requestId: req.headers['x-request-id'],
              traceparent: req.headers.traceparent,
              forwardedFor: req.headers['x-forwarded-for'],
              subject: principal.subject,
            },
          }),
        )
        .route(
          {
            method: 'post',
            path: '/echo',
            summary: 'Echoes a JSON body',
            request: { body: z.object({ text: z.string().max(10_000_000) }) },
            responses: { 200: { description: 'echo' } },
          },
          ({ body }) => ({ body: { length: body.text.length } }),
        )
        .route(
          {
            method: 'get',
            path: '/county-only',
            summary: 'For county admins',
            roles: ['county-admin'],
            responses: { 200: { description: 'ok' } },
          },
          ({ principal }) => ({ body: { county: principal.county } }),
        );
    },
  });
}

/** A gateway in front of the given services, served on a free port. */
export async function startGateway(
  deps: Partial<GatewayDeps> & { auth: Authenticator },
): Promise<{ url: string; handle: GatewayHandle; close(): Promise<void> }> {
  const handle = createService({ ...testContext(), ...deps });
  const served = await startTestService(handle);
  return { url: served.url, handle, close: () => served.close() };
}

/** Starts a backend per entry and returns their URLs by service name. */
export async function startBackends(
  issuer: TestIssuer,
  specs: [name: string, prefix: string][],
): Promise<{ urls: Record<string, string>; close(): Promise<void> }> {
  const served = await Promise.all(
    specs.map(([name, prefix]) => startTestService(backendService(name, prefix, issuer.authenticator()))),
  );
  return {
    urls: Object.fromEntries(specs.map(([name], i) => [name, served[i]!.url])),
    close: async () => {
      await Promise.all(served.map((s) => s.close()));
    },
  };
}
