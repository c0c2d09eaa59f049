import { createServiceApp, type ServiceContext, type ServiceHandle } from '@honglian/service-kit';

export const SERVICE = {
  name: 'gateway',
  prefix: '/api/v1',
  title: 'Honglian API gateway (红联网关)',
  description:
    'Single entry point: authentication, routing to services, rate limits and the merged API docs.',
} as const;

export interface GatewayDeps extends ServiceContext {
  /** Base URL of each service by name, e.g. { 'org-registry': 'http://127.0.0.1:8081' }. */
  services?: Record<string, string>;
}

/** Builds the gateway; routing and identity are added by the gateway issue. */
export function createService(deps: GatewayDeps): ServiceHandle {
  return createServiceApp(deps, SERVICE);
}
