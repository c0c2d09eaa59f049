import { createServiceApp, type ServiceContext, type ServiceHandle } from '@honglian/service-kit';

export const SERVICE = {
  name: 'property-evaluation',
  prefix: '/api/v1/evaluation',
  title: 'Honglian property-firm evaluation (物业服务质量评价)',
  description: 'Templates, cycles, multi-rater submissions, scoring, notice, appeal and publication.',
} as const;

export type PropertyEvaluationDeps = ServiceContext;

/** Builds the property-evaluation service from its dependencies; no side effects until start(). */
export function createService(deps: PropertyEvaluationDeps): ServiceHandle {
  return createServiceApp(deps, SERVICE);
}
