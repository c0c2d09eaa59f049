/**
 * Preload entry: `node --import @honglian/service-kit/telemetry dist/main.js`.
 * Enabled by OTEL_ENABLED=true (off by default and in tests). Registers the
 * ESM loader hook so modules imported afterwards are instrumented, then
 * starts the SDK and flushes spans when the process ends.
 */
import { register } from 'node:module';
import { startTelemetry } from './sdk.js';

const enabled = ['true', '1', 'yes', 'on'].includes((process.env.OTEL_ENABLED ?? '').toLowerCase());

if (enabled) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const telemetry = startTelemetry({
    serviceName: process.env.OTEL_SERVICE_NAME ?? 'honglian',
    endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  let flushed = false;
  const flush = async () => {
    if (flushed) return;
    flushed = true;
    await telemetry.shutdown().catch(() => undefined);
  };
  process.once('beforeExit', flush);
  // exitOnSignal calls process.exit; flush first by shutting down on the same signals.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.prependListener(signal, () => void flush());
  globalThis.__honglianTelemetry = { flush };
}

declare global {
  var __honglianTelemetry: { flush(): Promise<void> } | undefined;
}
