/**
 * Which service owns which API prefix: `/api/v1/<prefix>/...` goes to the
 * service. It mirrors each service's `SERVICE.prefix` (the gateway imports no
 * service; the CLI's tests check the two agree).
 */
export const API_ROUTES = {
  registry: 'org-registry',
  checkin: 'member-checkin',
  points: 'volunteer-points',
  evaluation: 'property-evaluation',
  assessment: 'assessment',
} as const satisfies Record<string, string>;

export type ServiceName = (typeof API_ROUTES)[keyof typeof API_ROUTES];

export const SERVICE_NAMES: readonly string[] = Object.values(API_ROUTES);

export const API_BASE = '/api/v1';

/** The service serving a request path, or undefined when no service owns its prefix. */
export function routeOf(path: string): { prefix: string; service: ServiceName } | undefined {
  const match = /^\/api\/v1\/([^/?#]+)(?:[/?#]|$)/.exec(path);
  if (!match) return undefined;
  const prefix = match[1]!;
  return Object.hasOwn(API_ROUTES, prefix)
    ? { prefix, service: API_ROUTES[prefix as keyof typeof API_ROUTES] }
    : undefined;
}
