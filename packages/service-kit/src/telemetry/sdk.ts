import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /** OTLP/HTTP base endpoint, e.g. http://otel-collector:4318; the exporter's default when unset. */
  endpoint?: string;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Traces for http, express, the MongoDB driver and kafkajs, exported over
 * OTLP/HTTP. Must start before those modules are loaded (see register.ts).
 */
export function startTelemetry(opts: TelemetryOptions): Telemetry {
  // Metrics are scraped from /metrics (Prometheus) and logs go to stdout, so the SDK exports traces only.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: opts.serviceName,
      [ATTR_SERVICE_VERSION]: opts.serviceVersion ?? '0.0.0',
    }),
    traceExporter: new OTLPTraceExporter(
      opts.endpoint ? { url: `${opts.endpoint.replace(/\/$/, '')}/v1/traces` } : {},
    ),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? ''),
      }),
      new ExpressInstrumentation(),
      new MongoDBInstrumentation(),
      new KafkaJsInstrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
