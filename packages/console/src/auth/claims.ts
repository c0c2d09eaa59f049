/** The realm roles the console knows (DESIGN.md, Security model). */
export const ROLES = [
  'city-admin',
  'county-admin',
  'community-staff',
  'member',
  'property-firm',
  'compound-committee',
  'resident',
  'api-consumer',
] as const;
export type Role = (typeof ROLES)[number];

/** Who is signed in, as the access token says (the API scopes every answer by the same claims). */
export interface Session {
  subject: string;
  username: string;
  name: string;
  roles: Role[];
  /** Division code; absent at city level. */
  county?: string;
  /** The org subtree the caller manages, e.g. `/331000/331003`. */
  orgPath?: string;
  memberId?: string;
  firmId?: string;
}

/** The payload of a JWT, without verifying it (the API verifies; the console only reads its claims). */
export function decodeJwt(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  const base64 = part
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The session of an access token (and the id token's profile when there is one). */
export function sessionOf(accessToken: string, profile: Record<string, unknown> = {}): Session {
  const claims = decodeJwt(accessToken);
  const realm = claims.realm_access as { roles?: unknown } | undefined;
  const granted = Array.isArray(realm?.roles) ? realm.roles : [];
  const roles = ROLES.filter((r) => granted.includes(r));
  const username = str(claims.preferred_username) ?? str(profile.preferred_username) ?? '';
  const session: Session = {
    subject: str(claims.sub) ?? '',
    username,
    name: str(claims.name) ?? str(profile.name) ?? username,
    roles,
  };
  const county = str(claims.county);
  const orgPath = str(claims.org_path);
  const memberId = str(claims.member_id);
  const firmId = str(claims.firm_id);
  if (county) session.county = county;
  if (orgPath) session.orgPath = orgPath;
  if (memberId) session.memberId = memberId;
  if (firmId) session.firmId = firmId;
  return session;
}

export const hasRole = (s: Session | null | undefined, ...roles: Role[]): boolean =>
  !!s && roles.some((r) => s.roles.includes(r));

export const isAdmin = (s: Session | null | undefined) => hasRole(s, 'city-admin', 'county-admin');
export const isOfficial = (s: Session | null | undefined) =>
  hasRole(s, 'city-admin', 'county-admin', 'community-staff');

/** The last unit of the caller's org path (a staff member's community), if any. */
export const orgRootOf = (s: Session): string | undefined => s.orgPath?.split('/').filter(Boolean).at(-1);

/** Where each role starts. */
export function homeOf(s: Session): string {
  if (isAdmin(s)) return '/dashboard';
  if (hasRole(s, 'community-staff')) return '/reports';
  if (hasRole(s, 'member')) return '/m';
  if (hasRole(s, 'property-firm', 'compound-committee')) return '/evaluation';
  if (hasRole(s, 'resident')) return '/orders';
  return '/no-access';
}
