import { defineServiceModule } from '@honglian/service-kit';

export const SERVICE = {
  name: 'volunteer-points',
  prefix: '/api/v1/points',
  title: 'Honglian volunteer points (志愿积分)',
  description: 'Service records, points ledger, orders, redemption, stars and certificates.',
} as const;

/**
 * volunteer-points as the kit runs it. Still a stub: no routes of its own yet (the kit serves health,
 * readiness with its database, metrics, OpenAPI and `whoami`), no outbox, no consumers.
 */
export const volunteerPointsModule = defineServiceModule({
  ...SERVICE,
  create: () => ({}),
});
