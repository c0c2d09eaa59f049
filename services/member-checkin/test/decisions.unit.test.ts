import {
  AttendanceAutoClosed,
  AttendanceRecorded,
  NoShowCleared,
  ReportActivated,
  ReportSubmitted,
} from '@honglian/contracts';
import type { Principal } from '@honglian/service-kit/domain';
import type { Activity } from '../src/domain/activities.js';
import { decidePublish, decideRespond } from '../src/domain/activities.js';
import type { Attendance } from '../src/domain/attendance.js';
import { decideReportAction, decideSubmit, type Report } from '../src/domain/reports.js';
import { DEFAULT_RULES, HOUR } from '../src/domain/rules.js';
import {
  decideAutoClose,
  decideCheckIn,
  decideCheckOut,
  decideConfirm,
  decideDismiss,
  type AttendanceSource,
} from '../src/domain/sessions.js';

/** The decisions the use cases take: changes and event drafts, or a refusal by kind. */
const at = (s: string) => new Date(s);
const now = at('2026-03-02T09:30:00+08:00');
const staff: Principal = {
  subject: 's',
  username: 'staff-x',
  roles: ['community-staff'],
  county: '331003',
  orgPath: '/c/x',
} as Principal;
const member: Principal = {
  subject: 'm',
  roles: ['member'],
  county: '331003',
  memberId: 'm-li',
} as Principal;

const activity: Activity = {
  _id: 'act-1',
  county: '331003',
  communityId: 'cm-x',
  communityName: 'X',
  communityPath: '/c/x',
  kind: 'activity',
  title: '志愿服务',
  description: '',
  place: '',
  startsAt: at('2026-03-02T09:00:00+08:00'),
  endsAt: at('2026-03-02T12:00:00+08:00'),
  geofence: null,
  capacity: 1,
  skills: [],
  capMinutes: null,
  arrivalWithinMinutes: null,
  issuedAt: at('2026-03-01T09:00:00+08:00'),
  status: 'published',
  responses: 0,
  createdBy: 'staff-x',
};

const report = (over: Partial<Report> = {}): Report => ({
  _id: 'rep-1',
  county: '331003',
  memberId: 'm-li',
  memberName: '李红',
  workUnitId: 'bureau',
  kind: 'residence',
  communityId: 'cm-x',
  communityName: 'X',
  communityPath: '/c/x',
  pairingId: null,
  status: 'active',
  specialties: [],
  preferences: [],
  submittedAt: at('2026-01-05T09:00:00+08:00'),
  submittedBy: 'member-li',
  activatedAt: at('2026-01-06T09:00:00+08:00'),
  confirmedBy: 'staff-x',
  rejectedAt: null,
  endedAt: null,
  closedBy: null,
  closeReason: null,
  pledge: null,
  placement: null,
  lastAttendanceAt: null,
  noShow: false,
  noShowSince: null,
  ...over,
});

const source: AttendanceSource = {
  activity,
  memberId: 'm-li',
  method: 'qr',
  witness: null,
  tokenId: 'tok',
  location: null,
};

const session = (over: Partial<Attendance> = {}): Attendance => ({
  _id: 'att-1',
  county: '331003',
  memberId: 'm-li',
  memberName: '李红',
  activityId: 'act-1',
  activityKind: 'activity',
  communityId: 'cm-x',
  communityPath: '/c/x',
  reportIds: ['rep-1'],
  method: 'qr',
  witness: null,
  checkInAt: at('2026-03-02T09:00:00+08:00'),
  checkOutAt: null,
  checkOutMethod: null,
  autoCloseAfter: at('2026-03-02T12:30:00+08:00'),
  status: 'open',
  creditedMinutes: 0,
  hours: 0,
  flags: [],
  location: null,
  confirmedBy: null,
  confirmedAt: null,
  ...over,
});

describe('report decisions', () => {
  const claim = {
    member: {
      memberId: 'm-li',
      name: '李红',
      county: '331003',
      status: 'active' as const,
      workUnitId: 'bureau',
      residenceCompoundId: 'cp',
      residenceCommunityId: 'cm-x',
    },
    community: { id: 'cm-x', county: '331003', open: true, name: 'X', path: '/c/x' },
    pairings: [],
    existing: [],
    disclose: true,
  };
  const submit = {
    reportId: 'rep-9',
    memberId: 'm-li',
    kind: 'residence' as const,
    communityId: 'cm-x',
    specialties: [],
    preferences: [],
    now,
    actor: 'member-li',
  };

  it('a submitted report drafts report.submitted with its facts', () => {
    const d = decideSubmit(submit, claim);
    if (!d.ok) throw new Error('refused');
    expect(d.changes.report).toMatchObject({ _id: 'rep-9', status: 'submitted', communityName: 'X' });
    expect(d.events).toEqual([
      {
        event: ReportSubmitted,
        subject: 'rep-9',
        county: '331003',
        data: {
          reportId: 'rep-9',
          county: '331003',
          memberId: 'm-li',
          kind: 'residence',
          communityId: 'cm-x',
          workUnitId: 'bureau',
          submittedAt: now.toISOString(),
          submittedBy: 'member-li',
        },
      },
    ]);
    expect(decideSubmit(submit, { ...claim, member: null })).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('an action follows the lifecycle, sets its fields and drafts its event', () => {
    const d = decideReportAction(report({ status: 'submitted' }), {
      action: 'confirm',
      now,
      actor: 'staff-x',
    });
    if (!d.ok) throw new Error('refused');
    expect(d.changes.set).toEqual({
      activatedAt: now,
      confirmedBy: 'staff-x',
      noShow: false,
      noShowSince: null,
      status: 'active',
    });
    expect(d.events.map((e) => e.event)).toEqual([ReportActivated]);
    const pledge = decideReportAction(report(), { action: 'pledge', items: ['x'], now, actor: 'm' });
    expect(pledge).toMatchObject({ ok: true, events: [] });
    expect(decideReportAction(report(), { action: 'confirm', now, actor: 'staff-x' })).toMatchObject({
      ok: false,
      kind: 'conflict',
    });
  });
});

describe('activity decisions', () => {
  it('refuses an activity ending in the past, on endsAt', () => {
    const cmd = {
      activityId: 'act-2',
      now,
      actor: 'staff-x',
      kind: 'call' as const,
      title: 't',
      description: '',
      place: '',
      startsAt: at('2026-03-01T09:00:00+08:00'),
      endsAt: at('2026-03-01T10:00:00+08:00'),
      skills: [],
    };
    const place = { id: 'cm-x', county: '331003', name: 'X', path: '/c/x' };
    expect(decidePublish(cmd, place, DEFAULT_RULES)).toMatchObject({ kind: 'invalid', field: 'endsAt' });
    const call = decidePublish({ ...cmd, endsAt: at('2026-03-02T12:00:00+08:00') }, place, DEFAULT_RULES);
    expect(call).toMatchObject({ ok: true, changes: { activity: { arrivalWithinMinutes: 30 } } });
  });
  it('refuses a second response and a full activity', () => {
    const cmd = { memberId: 'm-li', note: '', now };
    expect(decideRespond(cmd, { activity, responded: true })).toMatchObject({ kind: 'conflict' });
    expect(decideRespond(cmd, { activity: { ...activity, responses: 1 }, responded: false })).toMatchObject({
      reason: { en: 'the activity is full' },
    });
    expect(decideRespond(cmd, { activity, responded: false })).toMatchObject({ ok: true, events: [] });
  });
});

describe('session decisions', () => {
  it('check-in: unknown member, replayed token, overlap (clash shown only to who sees it)', () => {
    const cmd = { attendanceId: 'att-2', now, source, principal: member };
    const state = {
      member: { name: '李红', status: 'active' },
      tokenUsed: false,
      sessions: [],
      reportIds: [],
    };
    expect(decideCheckIn(cmd, { ...state, member: null }, DEFAULT_RULES)).toMatchObject({
      kind: 'invalid',
      field: 'memberId',
    });
    expect(decideCheckIn(cmd, { ...state, tokenUsed: true }, DEFAULT_RULES)).toMatchObject({
      kind: 'conflict',
      extras: { code: 'replayed' },
    });
    const elsewhere = session({ communityPath: '/c/y' });
    expect(decideCheckIn(cmd, { ...state, sessions: [elsewhere] }, DEFAULT_RULES)).toMatchObject({
      extras: { attendanceId: 'att-1' },
    });
    const hidden = decideCheckIn(
      { ...cmd, principal: staff },
      { ...state, sessions: [elsewhere] },
      DEFAULT_RULES,
    );
    expect(hidden).toMatchObject({ kind: 'conflict' });
    expect(hidden).not.toHaveProperty('extras');
    expect(decideCheckIn(cmd, state, DEFAULT_RULES)).toMatchObject({
      ok: true,
      changes: { attendance: { status: 'open', autoCloseAfter: at('2026-03-02T12:30:00+08:00') } },
    });
  });

  it('check-out credits the session, clears 报而不到 and drafts the events in order', () => {
    const flagged = report({ noShow: true });
    const checkOutAt = new Date(session().checkInAt.getTime() + 2 * HOUR);
    const d = decideCheckOut(
      { checkOutAt, now: checkOutAt, source },
      { open: session(), tokenUsed: false, close: { creditedBefore: 0, activeReports: [flagged] } },
      DEFAULT_RULES,
    );
    if (!d.ok) throw new Error('refused');
    expect(d.changes.set).toMatchObject({ status: 'closed', creditedMinutes: 120, hours: 2 });
    expect(d.changes.attended).toEqual([{ reportId: 'rep-1', lastAttendanceAt: session().checkInAt }]);
    expect(d.events.map((e) => e.event)).toEqual([NoShowCleared, AttendanceRecorded]);
    expect(
      decideCheckOut(
        { checkOutAt, now, source },
        { open: null, tokenUsed: false, close: null },
        DEFAULT_RULES,
      ),
    ).toMatchObject({ kind: 'conflict', extras: { code: 'not-checked-in' } });
  });

  it('staff settle auto-closed sessions only; the sweep drafts attendance.auto-closed', () => {
    const open = session();
    const cut = decideAutoClose(open, activity);
    expect(cut.changes.set).toMatchObject({ status: 'auto-closed', checkOutAt: activity.endsAt, hours: 0 });
    expect(cut.events.map((e) => e.event)).toEqual([AttendanceAutoClosed]);
    const cmd = { checkOutAt: at('2026-03-02T10:00:00+08:00'), now, actor: 'staff-x', principal: staff };
    const loaded = { activity, close: { creditedBefore: 0, activeReports: [] } };
    expect(decideConfirm(cmd, { session: open, loaded, mine: [] }, DEFAULT_RULES)).toMatchObject({
      kind: 'conflict',
    });
    const auto = session({ status: 'auto-closed' });
    expect(decideConfirm(cmd, { session: auto, loaded: null, mine: [] }, DEFAULT_RULES)).toMatchObject({
      kind: 'not-found',
    });
    const late = { ...cmd, checkOutAt: at('2026-03-02T13:00:00+08:00') };
    expect(decideConfirm(late, { session: auto, loaded, mine: [] }, DEFAULT_RULES)).toMatchObject({
      kind: 'invalid',
      field: 'checkOutAt',
    });
    expect(decideConfirm(cmd, { session: auto, loaded, mine: [] }, DEFAULT_RULES)).toMatchObject({
      ok: true,
      changes: { set: { checkOutMethod: 'staff-confirmed', confirmedBy: 'staff-x', confirmedAt: now } },
    });
    expect(decideDismiss(open, { actor: 'staff-x', now })).toMatchObject({ kind: 'conflict' });
    expect(decideDismiss(auto, { actor: 'staff-x', now })).toMatchObject({
      ok: true,
      changes: { set: { status: 'dismissed', flags: ['dismissed'] } },
    });
  });
});
