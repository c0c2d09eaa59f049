import { defineServiceModule } from '@honglian/service-kit';

export const SERVICE = {
  name: 'assessment',
  prefix: '/api/v1/assessment',
  title: 'Honglian red/yellow/grey assessment (红黄灰三色管理)',
  description: 'Pioneer, fortress and service indices with explanations.',
} as const;

/**
 * assessment as the kit runs it. Still a stub: no routes of its own yet (the kit serves health,
 * readiness with its database, metrics, OpenAPI and `whoami`), no outbox, no consumers.
 */
export const assessmentModule = defineServiceModule({
  ...SERVICE,
  create: () => ({}),
});
