import { createServiceApp, type ServiceContext, type ServiceHandle } from '@honglian/service-kit';

export const SERVICE = {
  name: 'org-registry',
  prefix: '/api/v1/registry',
  title: 'Honglian org registry (组织体系)',
  description: 'The city’s organisation graph, relations and member directory.',
} as const;

export type OrgRegistryDeps = ServiceContext;

/** Builds the org-registry service from its dependencies; no side effects until start(). */
export function createService(deps: OrgRegistryDeps): ServiceHandle {
  return createServiceApp(deps, SERVICE);
}
