import { z } from 'zod';
import { Role } from '@honglian/contracts';
import type { ApiRouter } from '../routes.js';
import { scopeOf } from './tenancy.js';

export const WhoamiSchema = z
  .object({
    service: z.string(),
    subject: z.string(),
    username: z.string().optional(),
    name: z.string().optional(),
    clientId: z.string().optional(),
    roles: z.array(Role),
    county: z.string().optional(),
    orgPath: z.string().optional(),
    firmId: z.string().optional(),
    memberId: z.string().optional(),
    scope: z.object({
      level: z.enum(['city', 'county', 'org', 'firm', 'member', 'self', 'published', 'none']),
      county: z.string().optional(),
      orgPath: z.string().optional(),
      firmId: z.string().optional(),
      memberId: z.string().optional(),
    }),
  })
  .meta({ id: 'Whoami', description: 'The caller as this service sees it, from its verified access token' });
export type Whoami = z.infer<typeof WhoamiSchema>;

/**
 * `GET <prefix>/whoami`: any valid token, whatever its roles. It shows a
 * client what the service understood from its token (roles, county, scope)
 * and makes every service verify tokens from day one.
 */
export function registerWhoami(api: ApiRouter, service: string): void {
  api.route(
    {
      method: 'get',
      path: '/whoami',
      summary: 'The caller: roles, county and scope read from the access token',
      tags: ['identity'],
      responses: { 200: { description: 'The caller', schema: WhoamiSchema } },
    },
    ({ principal }) => ({ body: { service, ...principal, scope: scopeOf(principal) } satisfies Whoami }),
  );
}
