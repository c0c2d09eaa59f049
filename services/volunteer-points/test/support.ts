import { TEST_USERS, startModule, type TestUser } from '@honglian/testkit';
import {
  AttendanceRecorded,
  MemberRegistered,
  OrgCreated,
  PairingCreated,
  PairingEnded,
  TOPICS,
  createEvent,
  type CloudEvent,
} from '@honglian/contracts';
import { volunteerPointsModule, type VolunteerPointsSettings } from '../src/index.js';
import type { PointsRules } from '../src/domain/rules.js';

export const START = '2026-03-02T09:00:00+08:00';

/**
 * The fixture world (matches TEST_USERS' scopes): 黄岩 st-1 with cm-1 and cm-2 (compound cp-2
 * under cm-2); 椒江 st-9 with cm-9. Agency units (each with its party organisation `<id>-dw`):
 * 黄岩 hy-bureau and hy-hospital, 椒江 jj-bureau. No pairing: tests publish their own.
 */
export const ids = {
  cm1: 'cm-1',
  cm2: 'cm-2',
  cm9: 'cm-9',
  cp2: 'cp-2',
  bureau: 'hy-bureau',
  hospital: 'hy-hospital',
  jjBureau: 'jj-bureau',
  li: 'm-331003-1',
  retiree: 'm-331003-2',
  wang: 'm-331003-3',
  other: 'm-331002-1',
} as const;
const P = {
  st1: '/331000/331003/st-1',
  cm1: '/331000/331003/st-1/cm-1',
  cm2: '/331000/331003/st-1/cm-2',
  cp2: '/331000/331003/st-1/cm-2/cp-2',
  st9: '/331000/331002/st-9',
  cm9: '/331000/331002/st-9/cm-9',
};

export const users = {
  ...TEST_USERS,
  resident: { username: 'resident-a', sub: 'resident-a-sub', roles: ['resident'], county: '331003' },
  neighbour: { username: 'resident-b', sub: 'resident-b-sub', roles: ['resident'], county: '331003' },
  retiree: { username: 'retiree', roles: ['member'], county: '331003', memberId: ids.retiree },
  wang: { username: 'wang', roles: ['member'], county: '331003', memberId: ids.wang },
  staff2: { username: 'staff-cm2', roles: ['community-staff'], county: '331003', orgPath: P.cm2 },
  streetStaff: { username: 'staff-st1', roles: ['community-staff'], county: '331003', orgPath: P.st1 },
  staff331002: { username: 'staff-331002', roles: ['community-staff'], county: '331002', orgPath: P.cm9 },
  member331002: { username: 'member-331002', roles: ['member'], county: '331002', memberId: ids.other },
} satisfies Record<string, TestUser>;

const REG = '/honglian/org-registry';
const t0 = new Date('2026-01-01T08:00:00+08:00');

function org(
  orgId: string,
  kind: string,
  name: string,
  parentId: string | null,
  path: string,
  county: string,
) {
  return createEvent({
    type: OrgCreated.type,
    source: REG,
    subject: orgId,
    county,
    time: t0,
    data: { orgId, county, kind, name, parentId, path, effectiveFrom: '2026-01-01' },
  });
}

/** An agency unit under its county, and its party organisation `<id>-dw`. */
function agency(unitId: string, name: string, county: string) {
  const path = `/331000/${county}/${unitId}`;
  return [
    org(unitId, 'agency-unit', name, county, path, county),
    org(
      `${unitId}-dw`,
      'agency-party-organisation',
      `${name}机关党委`,
      unitId,
      `${path}/${unitId}-dw`,
      county,
    ),
  ];
}

/** A pairing (结对共建) as the registry publishes it, filed under the target's county. */
export function pairingCreated(
  pairingId: string,
  opts: {
    unitId: string;
    targetId: string;
    targetKind?: 'community' | 'compound';
    county?: string;
    validFrom?: string;
    validTo?: string | null;
    /** Absent: an event from before the registry stated it. */
    creatorLevel?: 'city' | 'county' | 'community';
    time?: Date;
  },
): CloudEvent {
  const county = opts.county ?? '331003';
  return createEvent({
    type: PairingCreated.type,
    source: REG,
    subject: pairingId,
    county,
    time: opts.time ?? t0,
    data: {
      pairingId,
      county,
      agencyOrgId: `${opts.unitId}-dw`,
      agencyUnitId: opts.unitId,
      targetId: opts.targetId,
      targetKind: opts.targetKind ?? 'community',
      validFrom: opts.validFrom ?? '2026-01-01',
      validTo: opts.validTo ?? null,
      needs: [],
      resources: [],
      projects: ['微心愿认领'],
      ...(opts.creatorLevel ? { creatorLevel: opts.creatorLevel } : {}),
    },
  });
}

/** The registry ending a pairing (its state, validTo = endedOn). */
export function pairingEnded(created: CloudEvent, endedOn: string, time: Date): CloudEvent {
  return createEvent({
    type: PairingEnded.type,
    source: REG,
    subject: created.subject,
    county: created.county!,
    time,
    data: { ...(created.data as object), validTo: endedOn, endedOn },
  });
}

function member(memberId: string, name: string, county: string, residenceCommunityId: string) {
  return createEvent({
    type: MemberRegistered.type,
    source: REG,
    subject: memberId,
    county,
    time: t0,
    data: {
      memberId,
      county,
      name,
      category: 'retired',
      status: 'active',
      partyOrgId: `${residenceCommunityId}-ddw`,
      workUnitId: null,
      residenceCompoundId: null,
      residenceBuildingId: null,
      residenceCommunityId,
      effectiveFrom: '2026-01-01',
    },
  });
}

export function fixtureEvents(): CloudEvent[] {
  return [
    org('331000', 'city', '台州市', null, '/331000', '331000'),
    org('331003', 'county', '黄岩区', '331000', '/331000/331003', '331003'),
    org('st-1', 'street', '东城街道', '331003', P.st1, '331003'),
    org(ids.cm1, 'community', '双江社区', 'st-1', P.cm1, '331003'),
    org(ids.cm2, 'community', '天长社区', 'st-1', P.cm2, '331003'),
    org('331002', 'county', '椒江区', '331000', '/331000/331002', '331002'),
    org('st-9', 'street', '海门街道', '331002', P.st9, '331002'),
    org(ids.cm9, 'community', '海门社区', 'st-9', P.cm9, '331002'),
    org(ids.cp2, 'compound', '天长小区', ids.cm2, P.cp2, '331003'),
    ...agency(ids.bureau, '黄岩区住建局', '331003'),
    ...agency(ids.hospital, '黄岩区人民医院', '331003'),
    ...agency(ids.jjBureau, '椒江区住建局', '331002'),
    member(ids.li, '李红', '331003', ids.cm1),
    member(ids.retiree, '王老伯', '331003', ids.cm1),
    member(ids.wang, '王强', '331003', ids.cm2),
    member(ids.other, '陈椒江', '331002', ids.cm9),
  ];
}

let seq = 0;
/** An `attendance.recorded` event of check-in, as member-checkin publishes it. */
export function attendance(
  memberId: string,
  hours: number,
  over: { attendanceId?: string; communityId?: string; county?: string; checkInAt?: string } = {},
): CloudEvent {
  const attendanceId = over.attendanceId ?? `att-${++seq}`;
  const checkInAt = over.checkInAt ?? '2026-03-01T09:00:00+08:00';
  const county = over.county ?? '331003';
  return createEvent({
    type: AttendanceRecorded.type,
    source: '/honglian/member-checkin',
    subject: attendanceId,
    county,
    time: new Date(checkInAt),
    data: {
      attendanceId,
      county,
      memberId,
      activityId: 'act-1',
      activityKind: 'activity',
      communityId: over.communityId ?? ids.cm1,
      reportIds: ['rpt-1'],
      checkInAt,
      checkOutAt: new Date(Date.parse(checkInAt) + hours * 3_600_000).toISOString(),
      hours,
      creditedMinutes: Math.round(hours * 60),
      method: 'qr',
      witness: null,
      flags: [],
    },
  });
}

/** The module on a fresh database with the fixture world published, clock at START, no job timer. */
export async function startPoints(
  opts: { rules?: Partial<PointsRules>; settings?: Partial<VolunteerPointsSettings> } = {},
) {
  const h = await startModule(volunteerPointsModule, {
    now: START,
    settings: (fromEnv) => ({
      ...fromEnv,
      jobIntervalMs: 0,
      ...opts.settings,
      rules: { ...fromEnv.rules, ...opts.rules },
    }),
  });
  await h.publishTo(TOPICS.orgRegistry, ...fixtureEvents());
  return {
    ...h,
    /** Publishes check-in facts and waits until they are consumed. */
    checkin: (...events: CloudEvent[]) => h.publishTo(TOPICS.memberCheckin, ...events),
  };
}
export type Harness = Awaited<ReturnType<typeof startPoints>>;
