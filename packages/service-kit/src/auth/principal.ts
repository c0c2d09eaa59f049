import type { Request } from 'express';
import { ROLES, type Role } from '@honglian/contracts';

/** Who is calling, as established from a verified access token. */
export interface Principal {
  /** Token subject (user id, or the service account of a client). */
  subject: string;
  username?: string;
  /** Display name (`name` claim), when the identity provider sends one. */
  name?: string;
  /** OAuth client the token was issued to (`azp`). */
  clientId?: string;
  /** Honglian realm roles of the caller; roles this suite does not know are left out. */
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

/** Scope claims Honglian reads from an access token (Keycloak user attributes mapped into the token). */
export const SCOPE_CLAIMS = {
  county: 'county',
  orgPath: 'org_path',
  firmId: 'firm_id',
  memberId: 'member_id',
} as const;

const COUNTY = /^\d{6}$/;
/** `/id/id/...`: org ids from the root; no empty, `.` or `..` segments, no whitespace. */
const ORG_PATH = /^(\/(?!\.+(?:\/|$))[\w.:-]{1,64}){1,16}$/;
const ID = /^[\w.:-]{1,64}$/;

function text(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}

/**
 * The principal carried by a verified token's claims: `sub`, `azp`,
 * `preferred_username`, `realm_access.roles` (unknown roles ignored) and the
 * scope claims `county`, `org_path`, `firm_id`, `member_id`. A scope claim
 * that is malformed is ignored, so it can only narrow what the caller sees.
 * Returns undefined when the claims have no usable subject.
 */
export function principalFromClaims(claims: Record<string, unknown>): Principal | undefined {
  const subject = typeof claims.sub === 'string' && claims.sub.length > 0 ? claims.sub : undefined;
  if (!subject) return undefined;
  const realmAccess = claims.realm_access as { roles?: unknown } | undefined;
  const rawRoles = Array.isArray(realmAccess?.roles) ? realmAccess.roles : [];
  const roles = [
    ...new Set(rawRoles.filter((r): r is Role => typeof r === 'string' && Object.hasOwn(ROLES, r))),
  ];
  const principal: Principal = { subject, roles };
  const username = claims.preferred_username;
  if (typeof username === 'string' && username) principal.username = username;
  if (typeof claims.name === 'string' && claims.name) principal.name = claims.name;
  if (typeof claims.azp === 'string' && claims.azp) principal.clientId = claims.azp;
  const county = text(claims[SCOPE_CLAIMS.county], COUNTY);
  if (county) principal.county = county;
  const orgPath = text(claims[SCOPE_CLAIMS.orgPath], ORG_PATH);
  if (orgPath) principal.orgPath = orgPath;
  const firmId = text(claims[SCOPE_CLAIMS.firmId], ID);
  if (firmId) principal.firmId = firmId;
  const memberId = text(claims[SCOPE_CLAIMS.memberId], ID);
  if (memberId) principal.memberId = memberId;
  return principal;
}
