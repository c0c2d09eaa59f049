import { createHash } from 'node:crypto';
import type { Role } from './enums.js';

/**
 * The demo world of the embedded run: one city (台州市 331000), two counties
 * (黄岩区 331003, 椒江区 331002), in each a street, a community, a compound,
 * a property firm serving that compound and a party member; and one user per
 * role whose scope claims point at them. The ids are fixed so `honglian
 * start` can seed the registry with exactly these organisations and the
 * tokens of the demo users find their data. The Keycloak realm shipped in
 * deploy/keycloak carries the same users, with the same ids.
 *
 * Org ids and paths (a path is the ids from the city down):
 *
 * | org | id | path |
 * |---|---|---|
 * | 台州市 city | `331000` | `/331000` |
 * | county | `<code>` | `/331000/<code>` |
 * | street | `<code>-street-01` | `/331000/<code>/<code>-street-01` |
 * | community | `<code>-community-01` | `…/<code>-street-01/<code>-community-01` |
 * | compound | `<code>-compound-01` | `…/<code>-community-01/<code>-compound-01` |
 *
 * Property firm `<code>-firm-01` (serves the compound), party member
 * `<code>-member-01` (reported to the community).
 */

export const DEMO_PASSWORD = 'honglian-demo';

/** The public client of the web app and mini-program (password grant). */
export const DEMO_WEB_CLIENT_ID = 'honglian-web';

export interface DemoOrg {
  orgId: string;
  name: string;
  kind: 'city' | 'county' | 'street' | 'community' | 'compound';
  county?: string;
  /** Ids from the city down, e.g. `/331000/331003/331003-street-01`. */
  path: string;
}

export interface DemoCounty {
  code: string;
  name: string;
  county: DemoOrg;
  street: DemoOrg;
  community: DemoOrg;
  compound: DemoOrg;
  firm: { firmId: string; name: string; servesCompoundId: string };
  member: { memberId: string; name: string; communityId: string };
}

export interface DemoUser {
  username: string;
  /** `sub`: a UUID derived from the username (the realm file uses the same ids). */
  subject: string;
  name: string;
  roles: Role[];
  county?: string;
  orgPath?: string;
  firmId?: string;
  memberId?: string;
}

export interface DemoClient {
  clientId: string;
  secret: string;
  /** The service account behind client_credentials tokens. */
  serviceAccount: { username: string; subject: string; roles: Role[] };
}

/** A name-based UUID (version 5 layout over SHA-1), stable across runs. */
export function demoUuid(name: string): string {
  const hash = createHash('sha1').update(`honglian-demo:${name}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const CITY: DemoOrg = { orgId: '331000', name: '台州市', kind: 'city', path: '/331000' };

function county(code: string, name: string): DemoCounty {
  const countyOrg: DemoOrg = {
    orgId: code,
    name,
    kind: 'county',
    county: code,
    path: `${CITY.path}/${code}`,
  };
  const street: DemoOrg = {
    orgId: `${code}-street-01`,
    name: `${name}示范街道`,
    kind: 'street',
    county: code,
    path: `${countyOrg.path}/${code}-street-01`,
  };
  const community: DemoOrg = {
    orgId: `${code}-community-01`,
    name: `${name}示范社区`,
    kind: 'community',
    county: code,
    path: `${street.path}/${code}-community-01`,
  };
  const compound: DemoOrg = {
    orgId: `${code}-compound-01`,
    name: `${name}示范小区`,
    kind: 'compound',
    county: code,
    path: `${community.path}/${code}-compound-01`,
  };
  return {
    code,
    name,
    county: countyOrg,
    street,
    community,
    compound,
    firm: {
      firmId: `${code}-firm-01`,
      name: `${name}示范物业服务有限公司`,
      servesCompoundId: compound.orgId,
    },
    member: { memberId: `${code}-member-01`, name: `${name}示范党员`, communityId: community.orgId },
  };
}

const COUNTIES: readonly DemoCounty[] = [county('331003', '黄岩区'), county('331002', '椒江区')];

function user(
  username: string,
  name: string,
  roles: Role[],
  scope: Omit<DemoUser, 'username' | 'subject' | 'name' | 'roles'>,
): DemoUser {
  return { username, subject: demoUuid(username), name, roles, ...scope };
}

function usersOf(c: DemoCounty): DemoUser[] {
  return [
    user(`county-admin-${c.code}`, `${c.name}组织部管理员`, ['county-admin'], {
      county: c.code,
      orgPath: c.county.path,
    }),
    user(`staff-${c.code}`, `${c.community.name}工作人员`, ['community-staff'], {
      county: c.code,
      orgPath: c.community.path,
    }),
    user(`member-${c.code}`, c.member.name, ['member'], { county: c.code, memberId: c.member.memberId }),
    user(`firm-${c.code}`, c.firm.name, ['property-firm'], { county: c.code, firmId: c.firm.firmId }),
    user(`committee-${c.code}`, `${c.compound.name}党支部`, ['compound-committee'], {
      county: c.code,
      orgPath: c.compound.path,
    }),
    user(`resident-${c.code}`, `${c.compound.name}居民`, ['resident'], { county: c.code }),
  ];
}

const API_CONSUMER_ID = 'api-consumer-demo';

export const DEMO_DIRECTORY = {
  city: CITY,
  counties: COUNTIES,
  users: [
    user('city-admin', '台州市委组织部管理员', ['city-admin'], { orgPath: CITY.path }),
    ...COUNTIES.flatMap(usersOf),
  ] as readonly DemoUser[],
  clients: [
    {
      clientId: API_CONSUMER_ID,
      secret: 'honglian-demo-secret',
      serviceAccount: {
        username: `service-account-${API_CONSUMER_ID}`,
        subject: demoUuid(`service-account-${API_CONSUMER_ID}`),
        roles: ['api-consumer'],
      },
    },
  ] as readonly DemoClient[],
} as const;

export type DemoDirectory = typeof DEMO_DIRECTORY;
