import { createServiceApp, type ServiceContext, type ServiceHandle } from '@honglian/service-kit';

export const SERVICE = {
  name: 'volunteer-points',
  prefix: '/api/v1/points',
  title: 'Honglian volunteer points (志愿积分)',
  description: 'Service records, points ledger, orders, redemption, stars and certificates.',
} as const;

export type VolunteerPointsDeps = ServiceContext;

/** Builds the volunteer-points service from its dependencies; no side effects until start(). */
export function createService(deps: VolunteerPointsDeps): ServiceHandle {
  return createServiceApp(deps, SERVICE);
}
