import fc from 'fast-check';
import { FixedClock } from '@honglian/service-kit/domain';
import {
  autoClose,
  autoCloseDue,
  checkOrder,
  creditFor,
  findOverlap,
  noShowDecision,
  type Session,
} from '../src/domain/attendance.js';
import { buildFeedbackSheet, requiredReportsOf, type SheetReport } from '../src/domain/feedback.js';
import { checkGeofence, distanceMeters } from '../src/domain/geofence.js';
import { halfYearOf, parsePeriod } from '../src/domain/period.js';
import {
  attendanceWindowOpen,
  claimedActivity,
  issueToken,
  rotationWindow,
  verifyToken,
} from '../src/domain/qr.js';
import { checkReportClaim, transition, type MemberFacts } from '../src/domain/reports.js';
import { DAY, DEFAULT_RULES, HOUR, MINUTE } from '../src/domain/rules.js';
import { mayFileFor, seesWholeMember, witnessMayName } from '../src/domain/scope.js';

const at = (s: string) => new Date(s);

describe('report validity (双报到 claims checked against the registry)', () => {
  const li: MemberFacts = {
    memberId: 'm-li',
    county: '331003',
    status: 'active',
    workUnitId: 'bureau',
    residenceCompoundId: 'cp-x1',
    residenceCommunityId: 'cm-x',
  };
  const X = { id: 'cm-x', county: '331003', open: true };
  const Y = { id: 'cm-y', county: '331003', open: true };
  const pairing = {
    pairingId: 'p-1',
    agencyUnitId: 'bureau',
    agencyOrgId: 'bureau-party',
    communityId: 'cm-y',
  };
  const claim = (over: Partial<Parameters<typeof checkReportClaim>[0]>) =>
    checkReportClaim({
      member: li,
      kind: 'residence',
      community: X,
      communityId: 'cm-x',
      pairings: [pairing],
      existing: [],
      ...over,
    });

  it('accepts the residence community and the community paired with the work unit', () => {
    expect(claim({})).toEqual({ ok: true, changes: { pairingId: null }, events: [] });
    expect(claim({ kind: 'work', community: Y, communityId: 'cm-y' })).toEqual({
      ok: true,
      changes: { pairingId: 'p-1' },
      events: [],
    });
  });

  it('explains a refusal in zh-CN and English', () => {
    const wrongHome = claim({ community: Y, communityId: 'cm-y' });
    expect(wrongHome).toMatchObject({
      ok: false,
      kind: 'invalid',
      reason: { zh: '所报社区不是党员居住小区所在社区' },
    });
    if (!wrongHome.ok) expect(wrongHome.reason.en).toContain('cm-x');
    // Told to someone who does not see the whole member, a reason names none of their other records.
    const told = claim({ community: Y, communityId: 'cm-y', disclose: false });
    if (!told.ok) expect(told.reason.en).not.toMatch(/cm-x|cp-x1/);
    const second = claim({
      disclose: false,
      existing: [{ id: 'r-9', kind: 'residence', status: 'active', communityId: 'cm-x' }],
    });
    expect(second).toMatchObject({ ok: false, kind: 'conflict' });
    if (!second.ok) expect(second.reason.en).not.toMatch(/r-9|cm-x/);
    expect(claim({ kind: 'work', community: X, communityId: 'cm-x' })).toMatchObject({
      ok: false,
      reason: { zh: '所报社区未与党员所在单位结对' },
    });
    expect(
      claim({ kind: 'work', member: { ...li, workUnitId: null }, community: Y, communityId: 'cm-y' }),
    ).toMatchObject({
      ok: false,
      reason: { zh: '党员未登记工作单位' },
    });
    expect(claim({ member: null })).toMatchObject({ ok: false, kind: 'invalid' });
    expect(claim({ member: { ...li, status: 'inactive' } })).toMatchObject({ ok: false, kind: 'invalid' });
    expect(claim({ community: null, communityId: 'nowhere' })).toMatchObject({
      ok: false,
      reason: { zh: '社区nowhere不存在' },
    });
    expect(claim({ community: { ...X, open: false } })).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('allows one open report per kind, and a new one after the old one ended or was rejected', () => {
    const existing = [
      { id: 'r-1', kind: 'residence' as const, status: 'active' as const, communityId: 'cm-x' },
    ];
    expect(claim({ existing })).toMatchObject({ ok: false, kind: 'conflict' });
    expect(claim({ existing: [{ ...existing[0]!, status: 'submitted' }] })).toMatchObject({
      ok: false,
      kind: 'conflict',
    });
    expect(claim({ existing: [{ ...existing[0]!, status: 'ended' }] })).toMatchObject({ ok: true });
    expect(claim({ existing: [{ ...existing[0]!, status: 'rejected' }] })).toMatchObject({ ok: true });
    expect(claim({ existing, kind: 'work', community: Y, communityId: 'cm-y' })).toMatchObject({ ok: true });
  });
});

describe('report lifecycle', () => {
  it('submitted → active | rejected; submitted | active → ended', () => {
    expect(transition('submitted', 'confirm')).toEqual({ ok: true, changes: 'active', events: [] });
    expect(transition('submitted', 'reject')).toEqual({ ok: true, changes: 'rejected', events: [] });
    expect(transition('active', 'end')).toEqual({ ok: true, changes: 'ended', events: [] });
    expect(transition('submitted', 'end')).toEqual({ ok: true, changes: 'ended', events: [] });
    expect(transition('active', 'pledge')).toEqual({ ok: true, changes: 'active', events: [] });
    expect(transition('active', 'place')).toEqual({ ok: true, changes: 'active', events: [] });
  });
  it('refuses everything else with 409', () => {
    for (const [s, a] of [
      ['active', 'confirm'],
      ['rejected', 'confirm'],
      ['ended', 'end'],
      ['rejected', 'end'],
      ['submitted', 'place'],
      ['ended', 'pledge'],
    ] as const)
      expect(transition(s, a)).toMatchObject({ ok: false, kind: 'conflict' });
  });
});

describe('rotating QR tokens', () => {
  const secret = Buffer.alloc(32, 1);
  const activity = {
    id: 'act-1',
    startsAt: at('2026-02-07T09:00:00+08:00'),
    endsAt: at('2026-02-07T12:00:00+08:00'),
  };
  const rules = DEFAULT_RULES;

  it('rotate every 30 s and stay valid one rotation more', () => {
    const clock = new FixedClock('2026-02-07T09:00:05+08:00');
    const t1 = issueToken(secret, activity, clock.now(), rules);
    clock.advance(10_000);
    expect(issueToken(secret, activity, clock.now(), rules, 'nonce-same').window).toBe(t1.window);
    clock.advance(30_000);
    const t2 = issueToken(secret, activity, clock.now(), rules);
    expect(t2.window).toBe(t1.window + 1);
    expect(t2.token).not.toBe(t1.token);
    expect(verifyToken(secret, t1.token, activity, clock.now(), rules)).toMatchObject({
      ok: true,
      activityId: 'act-1',
    });
    clock.set(new Date(t1.expiresAt.getTime() + 1));
    expect(verifyToken(secret, t1.token, activity, clock.now(), rules)).toMatchObject({
      ok: false,
      code: 'expired',
    });
    expect(rotationWindow(t1.rotatesAt, rules)).toBe(t1.window + 1);
  });

  it('are bound to their activity and its window, and cannot be forged', () => {
    const now = at('2026-02-07T09:00:05+08:00');
    const { token } = issueToken(secret, activity, now, rules);
    expect(claimedActivity(token)).toBe('act-1');
    expect(verifyToken(secret, token, { ...activity, id: 'act-2' }, now, rules)).toMatchObject({
      code: 'wrong-activity',
    });
    // The same id with a moved time window: the signature no longer matches.
    expect(
      verifyToken(secret, token, { ...activity, endsAt: at('2026-02-07T13:00:00+08:00') }, now, rules),
    ).toMatchObject({
      code: 'forged',
    });
    expect(verifyToken(Buffer.alloc(32, 2), token, activity, now, rules)).toMatchObject({ code: 'forged' });
    const [id, w, n] = token.split('.');
    expect(
      verifyToken(secret, `${id}.${Number(w) + 1}.${n}.${token.split('.')[3]}`, activity, now, rules),
    ).toMatchObject({
      ok: false,
    });
    expect(verifyToken(secret, 'garbage', activity, now, rules)).toMatchObject({ code: 'malformed' });
    const future = issueToken(secret, activity, new Date(now.getTime() + 60_000), rules);
    expect(verifyToken(secret, future.token, activity, now, rules)).toMatchObject({ code: 'not-yet-valid' });
  });

  it('are accepted only while the activity is open (30 min before, until the end; check-out +30 min)', () => {
    expect(attendanceWindowOpen(activity, at('2026-02-07T08:29:00+08:00'), rules)).not.toBeNull();
    expect(attendanceWindowOpen(activity, at('2026-02-07T08:31:00+08:00'), rules)).toBeNull();
    expect(attendanceWindowOpen(activity, at('2026-02-07T12:10:00+08:00'), rules)).toMatchObject({
      zh: '活动已结束，无法签到',
    });
    expect(attendanceWindowOpen(activity, at('2026-02-07T12:10:00+08:00'), rules, true)).toBeNull();
    expect(attendanceWindowOpen(activity, at('2026-02-07T12:31:00+08:00'), rules, true)).not.toBeNull();
  });
});

describe('geofence', () => {
  const fence = { lat: 28.6469, lng: 121.2618, radiusMeters: 200 };
  it('measures great-circle distance', () => {
    expect(distanceMeters({ lat: 0, lng: 0 }, { lat: 0, lng: 1 })).toBeCloseTo(111_195, -2);
    expect(distanceMeters(fence, fence)).toBe(0);
  });
  it('accepts inside, refuses outside or without a location; accuracy helps only up to the allowance', () => {
    expect(checkGeofence(null, null, 50)).toBeNull();
    expect(checkGeofence(fence, null, 50)).toMatchObject({ en: expect.stringContaining('location') });
    expect(checkGeofence(fence, { lat: 28.6478, lng: 121.2618 }, 50)).toBeNull(); // ~100 m
    const far = { lat: 28.6469 + 0.0022, lng: 121.2618 }; // ~245 m
    expect(checkGeofence(fence, far, 50)).not.toBeNull();
    expect(checkGeofence(fence, { ...far, accuracyMeters: 60 }, 50)).toBeNull();
    expect(checkGeofence(fence, { ...far, accuracyMeters: 60 }, 0)).not.toBeNull();
    expect(checkGeofence(fence, { ...far, accuracyMeters: 5000 }, 10)).not.toBeNull();
    expect(checkGeofence(fence, { lat: 28.7, lng: 121.3 }, 50)?.zh).toMatch(/不在活动地点范围内/);
  });
});

describe('duration, caps and overlap', () => {
  const activity = { startsAt: at('2026-02-07T09:00:00+08:00'), endsAt: at('2026-02-07T15:00:00+08:00') };
  const rules = DEFAULT_RULES;
  it('credits check-out − check-in inside the activity, travel before the start excluded', () => {
    expect(
      creditFor(
        { checkInAt: at('2026-02-07T09:00:00+08:00'), checkOutAt: at('2026-02-07T11:00:00+08:00') },
        activity,
        rules,
      ),
    ).toEqual({ minutes: 120, flags: [] });
    expect(
      creditFor(
        { checkInAt: at('2026-02-07T08:35:00+08:00'), checkOutAt: at('2026-02-07T10:30:00+08:00') },
        activity,
        rules,
      ),
    ).toEqual({ minutes: 90, flags: ['trimmed-to-activity'] });
  });
  it('caps per activity (default 4 h; a county may set 2 h), counting earlier sessions there', () => {
    const whole = { checkInAt: activity.startsAt, checkOutAt: activity.endsAt };
    expect(creditFor(whole, activity, rules)).toEqual({ minutes: 240, flags: ['capped'] });
    expect(creditFor(whole, { ...activity, capMinutes: 120 }, rules).minutes).toBe(120);
    expect(creditFor(whole, activity, { capMinutes: 120 }).minutes).toBe(120);
    expect(
      creditFor(
        { checkInAt: activity.startsAt, checkOutAt: at('2026-02-07T11:00:00+08:00') },
        activity,
        rules,
        180,
      ),
    ).toEqual({
      minutes: 60,
      flags: ['capped'],
    });
  });
  it('never credits more than the cap or the time actually present (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -120, max: 600 }),
        fc.integer({ min: 1, max: 900 }),
        fc.integer({ min: 0, max: 300 }),
        (inMin, len, already) => {
          const checkInAt = new Date(activity.startsAt.getTime() + inMin * MINUTE);
          const checkOutAt = new Date(checkInAt.getTime() + len * MINUTE);
          const c = creditFor({ checkInAt, checkOutAt }, activity, rules, already);
          return (
            c.minutes >= 0 && c.minutes <= len && c.minutes + Math.min(already, 240) <= Math.max(240, already)
          );
        },
      ),
    );
  });
  it('refuses check-out before check-in', () => {
    expect(checkOrder(at('2026-02-07T10:00:00Z'), at('2026-02-07T09:00:00Z'))).toMatchObject({
      zh: '签退时间须晚于签到时间',
    });
    expect(checkOrder(at('2026-02-07T10:00:00Z'), at('2026-02-07T10:00:00Z'))).not.toBeNull();
    expect(checkOrder(at('2026-02-07T09:00:00Z'), at('2026-02-07T10:00:00Z'))).toBeNull();
  });
  it('finds overlapping sessions of one person; open sessions extend forever; back-to-back is fine', () => {
    const s = (id: string, a: string, b: string | null, status: Session['status'] = 'closed'): Session => ({
      id,
      checkInAt: at(a),
      checkOutAt: b ? at(b) : null,
      status,
    });
    const sessions = [
      s('a', '2026-02-07T09:00:00Z', '2026-02-07T10:00:00Z'),
      s('b', '2026-02-07T12:00:00Z', null, 'open'),
    ];
    expect(findOverlap(sessions, { start: at('2026-02-07T09:30:00Z'), end: null })?.id).toBe('a');
    expect(
      findOverlap(sessions, { start: at('2026-02-07T10:00:00Z'), end: at('2026-02-07T11:00:00Z') }),
    ).toBeUndefined();
    expect(findOverlap(sessions, { start: at('2026-02-08T10:00:00Z'), end: null })?.id).toBe('b');
    expect(
      findOverlap(sessions, { start: at('2026-02-07T09:30:00Z'), end: at('2026-02-07T10:30:00Z') }, 'a'),
    ).toBeUndefined();
    expect(
      findOverlap([{ ...sessions[0]!, status: 'dismissed' }], {
        start: at('2026-02-07T09:30:00Z'),
        end: null,
      }),
    ).toBeUndefined();
  });
  it('auto-closes an open session after the activity and its grace, credited nothing and flagged', () => {
    const clock = new FixedClock('2026-02-07T15:29:00+08:00');
    expect(autoCloseDue({ status: 'open' }, activity, clock.now(), rules)).toBe(false);
    clock.advance(2 * MINUTE);
    expect(autoCloseDue({ status: 'open' }, activity, clock.now(), rules)).toBe(true);
    expect(autoCloseDue({ status: 'closed' }, activity, clock.now(), rules)).toBe(false);
    expect(autoClose(activity)).toEqual({
      checkOutAt: activity.endsAt,
      creditedMinutes: 0,
      flags: ['auto-closed'],
    });
  });
});

describe('报而不到: the 180-day rule', () => {
  const activatedAt = at('2026-01-05T09:00:00+08:00');
  const rules = { noShowDays: 180 };
  const report = { status: 'active', activatedAt, lastAttendanceAt: null as Date | null, noShow: false };
  it('flags an active report with no attendance for 180 days from activation', () => {
    const clock = new FixedClock(activatedAt);
    clock.advance(180 * DAY - 1);
    expect(noShowDecision(report, clock.now(), rules)).toBeNull();
    clock.advance(1);
    expect(noShowDecision(report, clock.now(), rules)).toBe('flag');
    expect(noShowDecision({ ...report, noShow: true }, clock.now(), rules)).toBeNull();
  });
  it('counts from the last attendance, and clears when one is recent', () => {
    const now = new Date(activatedAt.getTime() + 200 * DAY);
    expect(
      noShowDecision({ ...report, lastAttendanceAt: new Date(now.getTime() - 30 * DAY) }, now, rules),
    ).toBeNull();
    expect(
      noShowDecision(
        { ...report, noShow: true, lastAttendanceAt: new Date(now.getTime() - HOUR) },
        now,
        rules,
      ),
    ).toBe('clear');
    expect(noShowDecision({ ...report, status: 'submitted' }, now, rules)).toBeNull();
    expect(noShowDecision({ ...report, status: 'ended', noShow: true }, now, rules)).toBe('clear');
    expect(noShowDecision(report, now, { noShowDays: 365 })).toBeNull();
  });
});

describe('periods', () => {
  it('parses year, half-year, quarter and month in China Standard Time', () => {
    expect(parsePeriod('2026-H1')).toEqual({
      label: '2026-H1',
      from: at('2026-01-01T00:00:00+08:00'),
      to: at('2026-07-01T00:00:00+08:00'),
    });
    expect(parsePeriod('2026-H2')?.to).toEqual(at('2027-01-01T00:00:00+08:00'));
    expect(parsePeriod('2026-Q4')?.from).toEqual(at('2026-10-01T00:00:00+08:00'));
    expect(parsePeriod('2026-12')?.to).toEqual(at('2027-01-01T00:00:00+08:00'));
    expect(parsePeriod('2026')?.to).toEqual(at('2027-01-01T00:00:00+08:00'));
    for (const bad of ['2026-H3', '26-H1', '2026-13', '2026-Q5', '1999', 'x'])
      expect(parsePeriod(bad)).toBeNull();
    expect(halfYearOf(at('2026-06-30T23:59:00+08:00'))).toBe('2026-H1');
    expect(halfYearOf(at('2026-06-30T16:00:00Z'))).toBe('2026-H2');
  });
});

describe('feedback sheet arithmetic', () => {
  const period = parsePeriod('2026-H1')!;
  const rep = (
    id: string,
    memberId: string,
    kind: 'residence' | 'work',
    communityId: string,
    over: Partial<SheetReport> = {},
  ): SheetReport => ({
    id,
    memberId,
    kind,
    communityId,
    communityName: communityId.toUpperCase(),
    status: 'active',
    activatedAt: at('2026-01-05T09:00:00+08:00'),
    endedAt: null,
    noShow: false,
    ...over,
  });
  const att = (id: string, memberId: string, communityId: string, minutes: number, day = '2026-03-01') => ({
    id,
    memberId,
    communityId,
    checkInAt: at(`${day}T09:00:00+08:00`),
    creditedMinutes: minutes,
  });

  const sheet = buildFeedbackSheet({
    unitId: 'bureau',
    unitName: '住建局',
    period,
    threshold: 0.95,
    members: [
      { memberId: 'li', name: '李红', category: 'in-service' },
      { memberId: 'wang', name: '王刚', category: 'in-service' },
      { memberId: 'zhao', name: '赵敏', category: 'in-service' },
      { memberId: 'sun', name: '孙丽', category: 'in-service' },
    ],
    reports: [
      rep('r1', 'li', 'residence', 'cm-x'),
      rep('r2', 'li', 'work', 'cm-y', { noShow: true }),
      rep('r3', 'zhao', 'residence', 'cm-z'),
      rep('r4', 'zhao', 'work', 'cm-z'),
      rep('r5', 'sun', 'residence', 'cm-x', { status: 'submitted', activatedAt: null }),
      rep('r6', 'sun', 'work', 'cm-y', { status: 'ended', endedAt: at('2025-12-01T00:00:00+08:00') }),
    ],
    attendances: [
      att('a1', 'li', 'cm-x', 120),
      att('a2', 'li', 'cm-x', 90),
      att('a3', 'li', 'cm-x', 180),
      att('a4', 'li', 'cm-x', 60, '2026-07-02'), // next period
      att('a5', 'zhao', 'cm-z', 150),
    ],
  });

  it('adds hours per community and per member, each attendance once', () => {
    const li = sheet.members.find((m) => m.memberId === 'li')!;
    expect(li.hours).toBe(6.5);
    expect(li.attendances).toBe(3);
    expect(li.reports.map((r) => [r.kind, r.attendances, r.hours, r.noShow])).toEqual([
      ['residence', 3, 6.5, false],
      ['work', 0, 0, true],
    ]);
    expect(li.reported).toBe(true);
    expect(li.completed).toBe(false);
    expect(li.flags.map((f) => f.code)).toEqual(['no-show:cm-y']);
    // Both of Zhao's reports are at one community: 2.5 h shows on each report, counted once in the total.
    const zhao = sheet.members.find((m) => m.memberId === 'zhao')!;
    expect(zhao.reports.map((r) => r.hours)).toEqual([2.5, 2.5]);
    expect(zhao.hours).toBe(2.5);
    expect(zhao.completed).toBe(true);
  });

  it('marks members who never reported (at most 基本合格) and missing reports', () => {
    const wang = sheet.members.find((m) => m.memberId === 'wang')!;
    expect(wang).toMatchObject({
      reported: false,
      completed: false,
      ratingCeiling: 'basic',
      missingReports: ['residence', 'work'],
    });
    const sun = sheet.members.find((m) => m.memberId === 'sun')!;
    // Sun reported once (ended before the period): not rated down as never reported, but missing both now.
    expect(sun).toMatchObject({
      reported: false,
      ratingCeiling: null,
      missingReports: ['residence', 'work'],
    });
  });

  it('computes report and completion rates against the 95 % threshold', () => {
    expect(sheet.totals).toEqual({
      members: 4,
      reported: 2,
      completed: 1,
      reportRate: 0.5,
      completionRate: 0.25,
      attendances: 4,
      hours: 9,
    });
    expect(sheet.redFlag).toBe(true);
    expect(sheet.redFlags.map((f) => f.code)).toEqual(['report-rate', 'completion-rate']);
    const empty = buildFeedbackSheet({
      unitId: 'u',
      unitName: null,
      period,
      threshold: 0.95,
      members: [],
      reports: [],
      attendances: [],
    });
    expect(empty.totals.reportRate).toBeNull();
    expect(empty.redFlag).toBe(false);
  });

  it('a member without a work unit owes the residence report alone: it makes her reported and, served there, completed', () => {
    const retiree = { memberId: 'zhou', name: '周芳', category: 'retired' };
    const of = (requiredReports?: ReturnType<typeof requiredReportsOf>) =>
      buildFeedbackSheet({
        unitId: '',
        unitName: null,
        period,
        threshold: 0.95,
        members: [{ ...retiree, ...(requiredReports ? { requiredReports } : {}) }],
        reports: [rep('r7', 'zhou', 'residence', 'cm-x')],
        attendances: [att('a6', 'zhou', 'cm-x', 120)],
      }).members[0]!;
    expect(requiredReportsOf({ workUnitId: null })).toEqual(['residence']);
    expect(requiredReportsOf({ workUnitId: 'bureau' })).toEqual(['residence', 'work']);
    expect(of(requiredReportsOf({ workUnitId: null }))).toMatchObject({
      reported: true,
      completed: true,
      missingReports: [],
      flags: [],
    });
    // With a work unit the same record misses the work report.
    expect(of()).toMatchObject({ reported: false, completed: false, missingReports: ['work'] });
  });

  it('a community’s view judges each row on the reports made there, with no rating ceiling', () => {
    const atY = buildFeedbackSheet({
      unitId: 'bureau',
      unitName: '住建局',
      period,
      threshold: 0.95,
      view: 'community',
      members: [{ memberId: 'li', name: '李红', category: 'in-service' }],
      reports: [rep('r2', 'li', 'work', 'cm-y', { status: 'submitted', activatedAt: null })],
      attendances: [],
    });
    expect(atY.view).toBe('community');
    expect(atY.members[0]).toMatchObject({ missingReports: ['work'], ratingCeiling: null, hours: 0 });
    expect(atY.members[0]!.flags.map((f) => f.code)).toEqual(['not-reported:work']);
    expect(sheet.view).toBe('unit');
  });
});

describe('scope of references (who may name whom)', () => {
  const p = (roles: string[], county?: string, extra: object = {}) =>
    ({ subject: 's', roles, ...(county ? { county } : {}), ...extra }) as Parameters<
      typeof seesWholeMember
    >[0];
  const li = { id: 'li', county: '331003' };

  it('the whole member: themself, the city, their own county', () => {
    expect(seesWholeMember(p(['member'], '331003', { memberId: 'li' }), li)).toBe(true);
    expect(seesWholeMember(p(['city-admin']), li)).toBe(true);
    expect(seesWholeMember(p(['county-admin'], '331003'), li)).toBe(true);
    expect(seesWholeMember(p(['county-admin'], '331002'), li)).toBe(false);
    expect(seesWholeMember(p(['community-staff'], '331003', { orgPath: '/331000/331003' }), li)).toBe(false);
  });

  it('filing on behalf: own county and a registry tie for staff; never across the county line', () => {
    const staffZ = p(['community-staff'], '331002', { orgPath: '/331000/331002/z' });
    const staffX = p(['community-staff'], '331003', { orgPath: '/331000/331003/x' });
    expect(mayFileFor(staffZ, li, { county: '331002' }, true)).toBe(false);
    expect(mayFileFor(staffX, li, { county: '331003' }, true)).toBe(true);
    expect(mayFileFor(staffX, li, { county: '331003' }, false)).toBe(false);
    expect(mayFileFor(p(['county-admin'], '331003'), li, { county: '331003' }, false)).toBe(true);
    expect(mayFileFor(p(['city-admin']), li, { county: '331002' }, true)).toBe(true);
  });

  it('a witness names only a member reported (submitted or active) to the community', () => {
    const named = (status: 'submitted' | 'active' | 'ended', communityId = 'cm-z', forCheckout = false) =>
      witnessMayName({
        communityId: 'cm-z',
        reports: [{ communityId, status }],
        openHere: false,
        forCheckout,
      });
    expect(named('active')).toBe(true);
    expect(named('submitted')).toBe(true);
    expect(named('ended')).toBe(false);
    expect(named('active', 'cm-x')).toBe(false);
    expect(witnessMayName({ communityId: 'cm-z', reports: [], openHere: true, forCheckout: true })).toBe(
      true,
    );
    expect(witnessMayName({ communityId: 'cm-z', reports: [], openHere: true, forCheckout: false })).toBe(
      false,
    );
  });
});
