/**
 * Which service owns which API prefix: `/api/v1/<prefix>/...` goes to the
 * service. The default of the gateway run alone; the all-in-one suite passes
 * the table of its modules (`apiRoutesOf(MODULES)`, `GatewayDeps.routes`). It
 * mirrors each service module's prefix (the gateway imports no service; the
 * CLI's tests check the two agree).
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

/** A routing table: `/api/v1/<prefix>` segment → the name of the service serving it. */
export type ApiRoutes = Readonly<Record<string, string>>;

export const API_BASE = '/api/v1';

/** The service serving a request path, or undefined when no service owns its prefix. */
export function routeOf(
  path: string,
  routes: ApiRoutes = API_ROUTES,
): { prefix: string; service: string } | undefined {
  const match = /^\/api\/v1\/([^/?#]+)(?:[/?#]|$)/.exec(path);
  if (!match) return undefined;
  const prefix = match[1]!;
  return Object.hasOwn(routes, prefix) ? { prefix, service: routes[prefix]! } : undefined;
}
