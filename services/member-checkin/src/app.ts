import { createServiceApp, type ServiceContext, type ServiceHandle } from '@honglian/service-kit';

export const SERVICE = {
  name: 'member-checkin',
  prefix: '/api/v1/checkin',
  title: 'Honglian member check-in (双联系双报到)',
  description: 'Dual reports, activities and whistle calls, QR attendance, no-show flags.',
} as const;

export type MemberCheckinDeps = ServiceContext;

/** Builds the member-checkin service from its dependencies; no side effects until start(). */
export function createService(deps: MemberCheckinDeps): ServiceHandle {
  return createServiceApp(deps, SERVICE);
}
