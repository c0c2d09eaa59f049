import httpModule from 'node:http';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import {
  isWrapped,
  registerInstrumentations,
  type Instrumentation,
  type InstrumentationBase,
} from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { RunningSuite } from '../src/suite.js';

/**
 * Issue 17, item 2 — one trace across the bus: a registry write through the gateway, the
 * org-registry service's transaction writing the event to its outbox, the relay publishing it,
 * and member-checkin's registry read model handling it, all in one trace (embedded suite,
 * in-process bus). The spans are read from an in-memory exporter; the log lines written during
 * the request carry the trace's ids.
 *
 * Instrumenting inside jest. OpenTelemetry's instrumentations patch a module when Node's
 * `require` loads it (require-in-the-middle wraps `Module.prototype.require`). Under jest that
 * never happens: jest loads modules through its own registry, and even `require('module')` (so
 * `createRequire`, and the hook itself) gets jest's stand-in for Node's module system, whose
 * `require` is jest's too — registering the instrumentations alone patched nothing here (tried:
 * `createRequire(__filename)('node:http')` after registering leaves `http` unwrapped). So each
 * instrumentation's patch is applied by hand, with the instrumentation's own module definition,
 * to the module objects the suite will use:
 * - `http` is a core module: jest hands out the process's one `http` object, and the HTTP
 *   instrumentation wraps `request`, `get` and `Server.prototype.emit` on it in place, so every
 *   server and client of the suite (the gateway's http-proxy included) is traced.
 * - `express` is a package: jest evaluates its own copy once per test file, the one the suite's
 *   apps are built from. The patch wraps `Router.prototype` and `application.use`, which the apps
 *   call as they are built.
 * Both happen before the suite's modules are imported (`await import()` in `beforeAll`), as
 * `--import @honglian/service-kit/telemetry` does it before a service's modules in production.
 */
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
// The AsyncLocalStorage context manager and the W3C trace-context propagator, as the SDK sets them.
provider.register();
const http = new HttpInstrumentation({
  // Which server took the request: `server.port` is read from the Host header, and the gateway's
  // proxy keeps the caller's, so the service's span would name the gateway's port.
  startIncomingSpanHook: (req) => ({ 'test.listen_port': req.socket.localPort ?? 0 }),
});
const express = new ExpressInstrumentation();
const instrumentations: Instrumentation[] = [http, express];
const unregister = registerInstrumentations({ instrumentations, tracerProvider: provider });

/** Applies an instrumentation's patch to a module jest loaded (the require hook cannot see it). */
function patchLoaded(
  instrumentation: Pick<InstrumentationBase, 'getModuleDefinitions'>,
  name: string,
  exports: unknown,
  version: string,
): void {
  for (const definition of instrumentation.getModuleDefinitions()) {
    if (definition.name !== name || !definition.patch) continue;
    definition.moduleExports = exports;
    definition.moduleVersion = version;
    definition.patch(exports, version);
  }
}

const START = '2026-01-05T09:00:00+08:00';
const DAY = '2026-01-05';
jest.setTimeout(180_000);

describe('one trace from the gateway request to the consuming service’s handler', () => {
  let suite: RunningSuite;
  let REGISTRY_GROUP: string;
  let ORG_REGISTRY_TOPIC: string;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const expressModule = (await import('express')).default;
    const expressVersion = (createRequire(__filename)('express/package.json') as { version: string }).version;
    patchLoaded(http, 'http', httpModule, process.versions.node);
    patchLoaded(express, 'express', expressModule, expressVersion);
    if (!isWrapped(httpModule.Server.prototype.emit) || !isWrapped(expressModule.Router.prototype.route))
      throw new Error('the HTTP and Express instrumentations did not patch the modules');

    const [{ SuiteConfigSchema, startSuite }, { createLogger, FixedClock }, checkin, contracts] =
      await Promise.all([
        import('../src/suite.js'),
        import('@honglian/service-kit'),
        import('@honglian/member-checkin'),
        import('@honglian/contracts'),
      ]);
    REGISTRY_GROUP = checkin.REGISTRY_GROUP;
    ORG_REGISTRY_TOPIC = contracts.TOPICS.orgRegistry;
    // Every line the suite logs, parsed (info: pino-http logs each request).
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line));
        done();
      },
    });
    const config = SuiteConfigSchema.parse({ PORT: '0', DATA_DIR: '', LOG_LEVEL: 'info' });
    suite = await startSuite(config, createLogger({ name: 'trace', level: 'info', destination }), {
      clock: new FixedClock(START),
      busEnv: {},
    });
  });
  afterAll(async () => {
    await suite?.close();
    unregister();
    for (const i of instrumentations) i.disable();
    await provider.shutdown();
  });

  it('joins the gateway, org-registry, the outbox relay and member-checkin’s handler in one trace', async () => {
    const { demoToken } = await import('./support.js');
    const gatewayUrl = suite.gateway.http.url;
    const token = await demoToken(gatewayUrl, 'city-admin');
    exporter.reset();
    logLines.splice(0);

    const res = await fetch(`${gatewayUrl}/api/v1/registry/orgs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'grid',
        name: '追踪网格',
        parentId: '331003-community-01',
        effectiveFrom: DAY,
      }),
    });
    const created = (await res.json()) as { id: string };
    expect(res.status).toBe(201);

    // Bounded polling (never a timed assertion): the consumer's span ends once its handler
    // returned, and the request's spans once their responses were written.
    const spans = () => exporter.getFinishedSpans();
    const isHandler = (s: ReadableSpan) =>
      s.kind === SpanKind.CONSUMER &&
      s.attributes['messaging.consumer.group.name'] === REGISTRY_GROUP &&
      s.attributes['cloudevents.event_subject'] === created.id;
    const isPost = (s: ReadableSpan) =>
      s.kind === SpanKind.SERVER &&
      (s.attributes['http.method'] ?? s.attributes['http.request.method']) === 'POST' &&
      String(s.attributes['http.target'] ?? s.attributes['url.path']).startsWith('/api/v1/registry/orgs');
    for (let i = 0; i < 600 && !(spans().some(isHandler) && spans().filter(isPost).length >= 2); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));

    const all = spans();
    const handler = all.find(isHandler);
    if (!handler) throw new Error('member-checkin never handled the org’s event');
    const traceId = handler.spanContext().traceId;
    const inTrace = all.filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (s: ReadableSpan) => byId.get(s.parentSpanContext?.spanId ?? '');
    /** The span's ancestors, nearest first, as far as the exported spans of the trace go. */
    const ancestors = (s: ReadableSpan) => {
      const chain: ReadableSpan[] = [];
      for (let p = parentOf(s); p; p = parentOf(p)) chain.push(p);
      return chain;
    };
    const portOf = (url: string) => Number(new URL(url).port);
    const registryUrl = suite.services.find((s) => s.handle.name === 'org-registry')!.http.url;
    const serverOn = (url: string) =>
      all.find((s) => isPost(s) && s.attributes['test.listen_port'] === portOf(url));

    const gatewayServer = serverOn(gatewayUrl);
    const serviceServer = serverOn(registryUrl);
    const publish = inTrace.find(
      (s) =>
        s.kind === SpanKind.PRODUCER &&
        s.name === `${ORG_REGISTRY_TOPIC} publish` &&
        s.attributes['messaging.message.id'] === handler.attributes['messaging.message.id'],
    );
    expect(gatewayServer).toBeDefined();
    expect(serviceServer).toBeDefined();
    expect(publish).toBeDefined();
    // One trace id from the HTTP request to the consumer.
    expect([gatewayServer!, serviceServer!, publish!, handler].map((s) => s.spanContext().traceId)).toEqual([
      traceId,
      traceId,
      traceId,
      traceId,
    ]);
    // Parent links, in order: the request arrived at the gateway (a root span: the test's fetch
    // is not instrumented); the gateway's proxy called org-registry (http client span between);
    // the service's transaction stamped the event in its outbox, from which the relay published
    // it (outside the request, in its own loop: the parent comes from the event's traceparent);
    // the handler ran as the child of that publish (the message's traceparent header).
    expect(gatewayServer!.parentSpanContext).toBeUndefined();
    expect(ancestors(serviceServer!)).toContain(gatewayServer);
    expect(parentOf(serviceServer!)).toMatchObject({ kind: SpanKind.CLIENT });
    expect(ancestors(publish!)).toContain(serviceServer);
    expect(parentOf(handler)).toBe(publish);
    // The Express instrumentation took part too (route and middleware spans under the server spans).
    expect(inTrace.some((s) => s.instrumentationScope.name.includes('express'))).toBe(true);

    // Log lines written during the request carry the trace and span ids (pino mixin).
    const requestLines = logLines.filter(
      (l) => (l.req as { url?: string } | undefined)?.url === '/api/v1/registry/orgs',
    );
    expect(requestLines.length).toBeGreaterThanOrEqual(2);
    for (const line of requestLines) {
      expect(line).toMatchObject({ trace_id: traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
      expect(byId.has(line.span_id as string)).toBe(true);
    }
    const serverSpanIds = [gatewayServer!, serviceServer!].map((s) => s.spanContext().spanId);
    expect(requestLines.map((l) => l.span_id)).toEqual(expect.arrayContaining(serverSpanIds));
  });
});
