import { TEST_USERS, startModule, type TestUser } from '@honglian/testkit';
import {
  MemberRegistered,
  OrgCreated,
  PairingCreated,
  TOPICS,
  createEvent,
  type CloudEvent,
} from '@honglian/contracts';
import { memberCheckinModule, type CheckinRules, type CheckinSettings } from '../src/index.js';

export const QR_SECRET = Buffer.alloc(32, 9);
export const START = '2026-01-05T09:00:00+08:00';

export interface CheckinTestOptions extends Partial<
  Pick<CheckinSettings, 'timers' | 'scanBatchSize' | 'scanIntervalMs'>
> {
  /** Rules that differ from the defaults (DOMAIN.md). */
  rules?: Partial<CheckinRules>;
}

/**
 * The member-checkin module served by testkit's `startModule` (a fresh database, a real token
 * issuer, the in-process bus, a fixed clock at START), with a fixed QR secret and no sweep timer
 * unless a test asks for one.
 */
export async function startCheckin(opts: CheckinTestOptions = {}) {
  const { rules, ...rest } = opts;
  const h = await startModule(memberCheckinModule, {
    now: START,
    settings: (fromEnv) => ({
      ...fromEnv,
      qrSecret: QR_SECRET,
      scanIntervalMs: 0,
      ...rest,
      rules: { ...fromEnv.rules, ...rules },
    }),
  });
  const http = {
    get: (path: string, user: TestUser) => h.http.get(path, user),
    post: (path: string, user: TestUser, body?: object) => h.http.post(path, user, body),
    put: (path: string, user: TestUser, body: object) => h.http.put(path, user, body),
    /** A binary download (XLSX) as a Buffer. */
    binary: (path: string, user: TestUser) => h.http.binary(path, user),
    /** Any method (the write-route table of scope-references.api.test.ts). */
    send: async (
      method: 'post' | 'put' | 'patch' | 'delete',
      path: string,
      user: TestUser,
      body?: object,
    ) => {
      const res = await h.http
        .request(method, path)
        .set(await h.auth(user))
        .send(body ?? {});
      h.responses.push(res);
      return res;
    },
  };

  return {
    service: h.service,
    issuer: h.issuer,
    conn: h.conn,
    bus: h.bus,
    clock: h.clock,
    http,
    /** Every JSON response, newest last (tests of refusals check their shape). */
    responses: h.responses,
    /** Publishes org-registry facts on the bus and waits until the read model has them. */
    publishRegistry: (...events: CloudEvent[]) => h.publishTo(TOPICS.orgRegistry, ...events),
    /** Events this service published, once the outbox relay caught up. */
    events: () => h.events(),
    close: () => h.close(),
  };
}
export type Harness = Awaited<ReturnType<typeof startCheckin>>;

export { expectValidEvents } from '@honglian/testkit';

/* ---------- the fixture world, as org-registry events ---------- */

const REG = '/honglian/org-registry';
const t0 = new Date('2026-01-01T08:00:00+08:00');

export const ids = {
  city: '331000',
  county: '331003',
  street: '331003-street-01',
  /** Community X: where Li lives (the demo community). */
  X: '331003-community-01',
  /** Community Y: paired with Li's work unit. */
  Y: '331003-community-02',
  gridX3: '331003-community-01-grid-03',
  compound: '331003-compound-01',
  unit: 'hy-housing-bureau',
  unitParty: 'hy-housing-bureau-party',
  pairing: 'pairing-bureau-y',
  li: '331003-member-01',
  wang: '331003-member-02',
  evil: '331003-member-03',
} as const;

const P = {
  city: '/331000',
  county: '/331000/331003',
  street: '/331000/331003/331003-street-01',
  X: '/331000/331003/331003-street-01/331003-community-01',
  Y: '/331000/331003/331003-street-01/331003-community-02',
};

export function org(
  orgId: string,
  kind: string,
  name: string,
  parentId: string | null,
  path: string,
  county = '331003',
  over: { id?: string; time?: Date; effectiveFrom?: string; type?: string; changed?: string[] } = {},
): CloudEvent {
  return createEvent({
    type: over.type ?? OrgCreated.type,
    source: REG,
    subject: orgId,
    county,
    time: over.time ?? t0,
    ...(over.id ? { id: over.id } : {}),
    data: {
      orgId,
      county,
      kind,
      name,
      parentId,
      path,
      effectiveFrom: over.effectiveFrom ?? '2026-01-01',
      ...(over.changed ? { changed: over.changed } : {}),
    },
  });
}

export function member(
  memberId: string,
  name: string,
  over: Partial<{
    county: string;
    partyOrgId: string;
    workUnitId: string | null;
    residenceCompoundId: string | null;
    residenceCommunityId: string | null;
  }> = {},
  opts: { id?: string; time?: Date; type?: string; effectiveFrom?: string; changed?: string[] } = {},
): CloudEvent {
  return createEvent({
    type: opts.type ?? MemberRegistered.type,
    source: REG,
    subject: memberId,
    county: over.county ?? '331003',
    time: opts.time ?? t0,
    ...(opts.id ? { id: opts.id } : {}),
    data: {
      memberId,
      county: '331003',
      name,
      category: 'in-service',
      status: 'active',
      partyOrgId: ids.unitParty,
      workUnitId: ids.unit,
      residenceCompoundId: ids.compound,
      residenceBuildingId: null,
      residenceCommunityId: ids.X,
      effectiveFrom: opts.effectiveFrom ?? '2026-01-01',
      ...over,
      ...(opts.changed ? { changed: opts.changed } : {}),
    },
  });
}

/** A pairing (结对共建) of an agency unit's party organisation with a community, from `validFrom` on. */
export function pairing(
  pairingId: string,
  county: string,
  agency: { orgId: string; unitId: string },
  targetId: string,
  /** Who recorded it (the registry states it since the scope fix); absent: an older event. */
  creatorLevel?: 'city' | 'county' | 'community',
): CloudEvent {
  return createEvent({
    type: PairingCreated.type,
    source: REG,
    subject: pairingId,
    county,
    time: t0,
    data: {
      pairingId,
      county,
      agencyOrgId: agency.orgId,
      agencyUnitId: agency.unitId,
      targetId,
      targetKind: 'community',
      validFrom: '2026-01-01',
      validTo: null,
      needs: [],
      resources: [],
      projects: [],
      ...(creatorLevel ? { creatorLevel } : {}),
    },
  });
}

/** 黄岩区: street, communities X and Y, grid X-3, the compound in X, the housing bureau paired with Y, and its members. */
export function fixtureEvents(): CloudEvent[] {
  return [
    org(ids.city, 'city', '台州市', null, P.city, '331000'),
    org(ids.county, 'county', '黄岩区', ids.city, P.county),
    org(ids.street, 'street', '东城街道', ids.county, P.street),
    org(ids.X, 'community', '双江社区', ids.street, P.X),
    org(ids.Y, 'community', '天长社区', ids.street, P.Y),
    org(ids.gridX3, 'grid', '双江三网格', ids.X, `${P.X}/${ids.gridX3}`),
    org(ids.compound, 'compound', '锦江花园', ids.X, `${P.X}/${ids.compound}`),
    org(ids.unit, 'agency-unit', '黄岩区住房和城乡建设局', ids.county, `${P.county}/${ids.unit}`),
    org(
      ids.unitParty,
      'agency-party-organisation',
      '区住建局机关党支部',
      ids.unit,
      `${P.county}/${ids.unit}/${ids.unitParty}`,
    ),
    createEvent({
      type: PairingCreated.type,
      source: REG,
      subject: ids.pairing,
      county: '331003',
      time: t0,
      data: {
        pairingId: ids.pairing,
        county: '331003',
        agencyOrgId: ids.unitParty,
        agencyUnitId: ids.unit,
        targetId: ids.Y,
        targetKind: 'community',
        validFrom: '2026-01-01',
        validTo: null,
        needs: [],
        resources: [],
        projects: [],
      },
    }),
    member(ids.li, '李红'),
    member(ids.wang, '王刚'),
    member(ids.evil, '=HYPERLINK("http://evil.example","点我")'),
  ];
}

/** Callers: staff of X and of Y, Li herself, admins of two counties, the city. */
export const users = {
  ...TEST_USERS,
  staffX: { username: 'staff-x', roles: ['community-staff'], county: '331003', orgPath: P.X },
  staffY: { username: 'staff-y', roles: ['community-staff'], county: '331003', orgPath: P.Y },
  streetStaff: { username: 'staff-street', roles: ['community-staff'], county: '331003', orgPath: P.street },
  li: { username: 'member-331003', roles: ['member'], county: '331003', memberId: ids.li },
  wang: { username: 'wang', roles: ['member'], county: '331003', memberId: ids.wang },
} satisfies Record<string, TestUser>;

/* ---------- the other county: 椒江区 (331002) ---------- */

const PZ = {
  county: '/331000/331002',
  street: '/331000/331002/331002-street-01',
  Z: '/331000/331002/331002-street-01/331002-community-01',
};

export const other = {
  county: '331002',
  street: '331002-street-01',
  /** Community Z of 椒江区. */
  Z: '331002-community-01',
  gridZ1: '331002-community-01-grid-01',
  compound: '331002-compound-01',
  unit: 'jj-civil-affairs',
  unitParty: 'jj-civil-affairs-party',
  pairing: 'pairing-civil-z',
  /** The city admin's cross-county pairing: 黄岩's housing bureau with Z (a legitimate link). */
  crossPairing: 'pairing-bureau-z',
  zhou: '331002-member-01',
  /** A member of 黄岩's housing bureau, living in X, whose work report goes to Z across the county line. */
  sun: '331003-member-04',
} as const;

/** Every name the two fixture counties hold (a refusal must never carry one). */
export const FIXTURE_NAMES = [
  '台州市',
  '黄岩区',
  '东城街道',
  '双江社区',
  '天长社区',
  '双江三网格',
  '锦江花园',
  '黄岩区住房和城乡建设局',
  '区住建局机关党支部',
  '李红',
  '王刚',
  'HYPERLINK',
  '椒江区',
  '海门街道',
  '海门社区',
  '海门一网格',
  '东海花园',
  '椒江区民政局',
  '区民政局机关党支部',
  '周海燕',
  '孙立',
];

/**
 * 椒江区 with community Z (a grid, a compound), its civil-affairs bureau
 * paired with Z and Zhou who lives in Z and works there; plus the city
 * admin's cross-county pairing of 黄岩's housing bureau with Z and Sun, a
 * bureau member living in X.
 */
export function otherCountyEvents(): CloudEvent[] {
  const c = other.county;
  return [
    org(c, 'county', '椒江区', ids.city, PZ.county, c),
    org(other.street, 'street', '海门街道', c, PZ.street, c),
    org(other.Z, 'community', '海门社区', other.street, PZ.Z, c),
    org(other.gridZ1, 'grid', '海门一网格', other.Z, `${PZ.Z}/${other.gridZ1}`, c),
    org(other.compound, 'compound', '东海花园', other.Z, `${PZ.Z}/${other.compound}`, c),
    org(other.unit, 'agency-unit', '椒江区民政局', c, `${PZ.county}/${other.unit}`, c),
    org(
      other.unitParty,
      'agency-party-organisation',
      '区民政局机关党支部',
      other.unit,
      `${PZ.county}/${other.unit}/${other.unitParty}`,
      c,
    ),
    pairing(other.pairing, c, { orgId: other.unitParty, unitId: other.unit }, other.Z),
    // Made by the city admin (the registry lets only the city pair across counties); its county is Z's.
    pairing(other.crossPairing, c, { orgId: ids.unitParty, unitId: ids.unit }, other.Z, 'city'),
    member(other.zhou, '周海燕', {
      county: c,
      partyOrgId: other.unitParty,
      workUnitId: other.unit,
      residenceCompoundId: other.compound,
      residenceCommunityId: other.Z,
    }),
    member(other.sun, '孙立'),
  ];
}

/** Callers of 椒江区 and the two members of the cross-county link. */
export const otherUsers = {
  staffZ: { username: 'staff-z', roles: ['community-staff'], county: '331002', orgPath: PZ.Z },
  zhou: { username: 'zhou', roles: ['member'], county: '331002', memberId: other.zhou },
  sun: { username: 'sun', roles: ['member'], county: '331003', memberId: other.sun },
} satisfies Record<string, TestUser>;
