import { createServiceApp, type ServiceContext, type ServiceHandle } from '@honglian/service-kit';

export const SERVICE = {
  name: 'assessment',
  prefix: '/api/v1/assessment',
  title: 'Honglian red/yellow/grey assessment (红黄灰三色管理)',
  description: 'Pioneer, fortress and service indices with explanations.',
} as const;

export type AssessmentDeps = ServiceContext;

/** Builds the assessment service from its dependencies; no side effects until start(). */
export function createService(deps: AssessmentDeps): ServiceHandle {
  return createServiceApp(deps, SERVICE);
}
