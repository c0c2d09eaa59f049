import { startModule, TEST_USERS, type ModuleHarnessOptions } from '@honglian/testkit';
import {
  AttendanceRecorded,
  MemberRegistered,
  NoShowCleared,
  NoShowFlagged,
  OrgCreated,
  ReportActivated,
  createEvent,
  sourceOfEventType,
  type CloudEvent,
  type EventDefinition,
  type EventInput,
} from '@honglian/contracts';
import type { ScheduleTimers } from '../src/app/schedule.js';
import { assessmentModule } from '../src/index.js';

export const START = '2026-02-15T09:00:00+08:00';
export const users = TEST_USERS;
export const COUNTY = '331003';
export const PATH = {
  county: '/331000/331003',
  street: '/331000/331003/st-1',
  x: '/331000/331003/st-1/cm-1',
  y: '/331000/331003/st-1/cm-2',
};

let n = 0;
/** An event of a contract as its service would publish it. */
export function ev<E extends EventDefinition>(
  def: E,
  data: EventInput<E>,
  time = START,
  id?: string,
): CloudEvent {
  return createEvent({
    type: def.type,
    source: sourceOfEventType(def.type),
    subject: 'x',
    county: COUNTY,
    data,
    time: new Date(time),
    id: id ?? `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  });
}

const org = (
  orgId: string,
  kind: 'county' | 'street' | 'community' | 'compound',
  path: string,
  parentId: string | null,
) =>
  ev(OrgCreated, { orgId, county: COUNTY, kind, name: orgId, parentId, path, effectiveFrom: '2025-01-01' });

const member = (memberId: string, name: string, communityId = 'cm-1') =>
  ev(MemberRegistered, {
    memberId,
    county: COUNTY,
    name,
    category: 'in-service',
    status: 'active',
    partyOrgId: communityId,
    workUnitId: null,
    residenceCompoundId: null,
    residenceBuildingId: null,
    residenceCommunityId: communityId,
    effectiveFrom: '2025-01-01',
  });

/** The tree (county → st-1 → cm-1) and members Li (m-331003-1) and Wang. */
export function registryFixture(): CloudEvent[] {
  return [
    org(COUNTY, 'county', PATH.county, null),
    org('st-1', 'street', PATH.street, COUNTY),
    org('cm-1', 'community', PATH.x, 'st-1'),
    member('m-331003-1', 'Li'),
    member('m-331003-2', 'Wang'),
  ];
}

/** A second community of st-1 (cm-2, outside staff331003's subtree) with member Zhao (m-331003-3). */
export function secondCommunityFixture(): CloudEvent[] {
  return [org('cm-2', 'community', PATH.y, 'st-1'), member('m-331003-3', 'Zhao', 'cm-2')];
}

/** Scenarios 1–2 for Li: reported, 6.5 h in three check-ins, a no-show flag at Y, then cleared. */
export function liFixture(): CloudEvent[] {
  const att = (id: string, at: string, hours: number) =>
    ev(AttendanceRecorded, {
      attendanceId: id,
      county: COUNTY,
      memberId: 'm-331003-1',
      activityId: `act-${id}`,
      activityKind: 'activity',
      communityId: 'cm-1',
      reportIds: ['rep-x'],
      checkInAt: at,
      checkOutAt: at,
      hours,
      creditedMinutes: hours * 60,
      method: 'qr',
      witness: null,
      flags: [],
    });
  const noShow = {
    reportId: 'rep-y',
    county: COUNTY,
    memberId: 'm-331003-1',
    kind: 'work' as const,
    communityId: 'cm-1',
    workUnitId: null,
  };
  return [
    ev(ReportActivated, {
      reportId: 'rep-x',
      county: COUNTY,
      memberId: 'm-331003-1',
      kind: 'residence',
      communityId: 'cm-1',
      workUnitId: null,
      activatedAt: '2026-01-06T09:00:00+08:00',
      confirmedBy: 'staff',
    }),
    att('a1', '2026-01-10T09:00:00+08:00', 2),
    att('a2', '2026-01-17T09:00:00+08:00', 1.5),
    att('a3', '2026-01-24T09:00:00+08:00', 3),
    ev(NoShowFlagged, {
      ...noShow,
      flaggedAt: '2026-02-01T09:00:00+08:00',
      lastAttendanceAt: null,
      windowDays: 180,
    }),
    ev(NoShowCleared, { ...noShow, clearedAt: '2026-02-03T09:00:00+08:00', attendanceId: 'a4' }),
  ];
}

/** Timers the tests fire by hand: the schedule's interval never runs on its own. */
export class ManualTimers implements ScheduleTimers {
  readonly active = new Map<number, { tick: () => void; ms: number }>();
  private next = 0;
  setInterval(tick: () => void, ms: number): unknown {
    this.active.set(++this.next, { tick, ms });
    return this.next;
  }
  clearInterval(handle: unknown): void {
    this.active.delete(handle as number);
  }
  /** Fires every active interval once. */
  fire(): void {
    for (const { tick } of this.active.values()) tick();
  }
}

type Options = ModuleHarnessOptions<typeof assessmentModule>;

/** The service on a fixed clock; the schedule's timer is fired by hand (`timers`), never by time. */
export async function startAssessment(now = START, opts: Omit<Options, 'now'> = {}) {
  const timers = new ManualTimers();
  const h = await startModule(assessmentModule, {
    now,
    ...opts,
    settings: (fromEnv) => ({
      ...fromEnv,
      timers,
      ...(typeof opts.settings === 'object' ? opts.settings : {}),
    }),
  });
  return { ...h, timers, publishAll: (events: CloudEvent[]) => h.publish(...events) };
}

/** A problem+json refusal. */
export function expectProblem(
  res: { status: number; headers: Record<string, string> },
  status: number,
): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}
