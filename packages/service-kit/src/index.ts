export * from './config.js';
export * from './clock.js';
export * from './logger.js';
export * from './problem.js';
export * from './request-id.js';
export * from './metrics.js';
export * from './messaging-metrics.js';
export { asyncApiDocument, type AsyncApiInfo } from '@honglian/messaging';
export * from './health.js';
export * from './openapi.js';
export * from './routes.js';
export * from './app.js';
export * from './rate-limit.js';
export * from './server.js';
export * from './lifecycle.js';
export * from './service.js';
export * from './service-app.js';
export * from './main.js';
export * from './data.js';
export * from './paging.js';
export * from './auth/principal.js';
export * from './auth/problems.js';
export * from './auth/keycloak.js';
export * from './auth/config.js';
export * from './auth/tenancy.js';
export * from './auth/signing.js';
export * from './auth/whoami.js';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './telemetry/sdk.js';
// The pure domain part (also `@honglian/service-kit/domain`). Named, not `export *`: the clock and
// path helpers are exported above already, and a name reached by two star exports is dropped by
// OpenTelemetry's ESM loader hook (OTEL_ENABLED=true), which then fails every importer of it.
export {
  REFUSAL_KINDS,
  NOT_FOUND_REASON,
  refuse,
  isRefusal,
  accept,
  type Accepted,
  type Decision,
  type Refusal,
  type RefusalArgs,
  type RefusalKind,
  type RefusalOptions,
} from './domain/refusal.js';
export { reason, draftEvent, type Reason, type EventDraft } from '@honglian/contracts';
export * from './refusals.js';
export * from './module/module.js';
export * from './module/compose.js';
export * from './module/run.js';
