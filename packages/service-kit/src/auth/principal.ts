import type { Request } from 'express';
import type { Role } from '@honglian/contracts';

/** Who is calling, as established from a verified access token. */
export interface Principal {
  /** Token subject (user id, or the service account of a client). */
  subject: string;
  username?: string;
  /** OAuth client the token was issued to (`azp`). */
  clientId?: string;
  roles: Role[];
  /** County division code; absent for city level. */
  county?: string;
  /** Org subtree the caller manages, e.g. `/331000/331003/street-1`. */
  orgPath?: string;
  firmId?: string;
  memberId?: string;
}

/** Verifies a request's credentials; throws an HttpProblem 401 when they are missing or invalid. */
export interface Authenticator {
  authenticate(req: Request): Promise<Principal>;
}

export function hasAnyRole(principal: Principal, roles: readonly Role[]): boolean {
  return roles.some((r) => principal.roles.includes(r));
}
