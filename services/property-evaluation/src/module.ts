import { defineServiceModule } from '@honglian/service-kit';

export const SERVICE = {
  name: 'property-evaluation',
  prefix: '/api/v1/evaluation',
  title: 'Honglian property-firm evaluation (物业服务质量评价)',
  description: 'Templates, cycles, multi-rater submissions, scoring, notice, appeal and publication.',
} as const;

/**
 * property-evaluation as the kit runs it. Still a stub: no routes of its own yet (the kit serves health,
 * readiness with its database, metrics, OpenAPI and `whoami`), no outbox, no consumers.
 */
export const propertyEvaluationModule = defineServiceModule({
  ...SERVICE,
  create: () => ({}),
});
