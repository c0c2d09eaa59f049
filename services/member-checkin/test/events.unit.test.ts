import {
  AttendanceAutoClosed,
  AttendanceRecorded,
  CallIssued,
  CallResponded,
  NoShowCleared,
  NoShowFlagged,
  ReportActivated,
  ReportEnded,
  ReportSubmitted,
  TOPICS,
  createEvent,
  knownEventTypes,
  validateEvent,
} from '@honglian/contracts';

/** Issue 7 §7: the facts this service publishes, with their schemas in contracts. */
describe('check-in events in contracts', () => {
  it('defines every fact the issue lists, on the service’s topic naming', () => {
    const types = [
      ReportSubmitted,
      ReportActivated,
      ReportEnded,
      AttendanceRecorded,
      AttendanceAutoClosed,
      NoShowFlagged,
      NoShowCleared,
      CallIssued,
      CallResponded,
    ].map((e) => e.type);
    for (const t of types) {
      expect(knownEventTypes()).toContain(t);
      expect(t).toMatch(/^honglian\.member-checkin\.[a-z.-]+\.v1$/);
    }
    expect(TOPICS.memberCheckin).toBe('honglian.member-checkin.v1');
  });

  const recorded = {
    attendanceId: 'att-1',
    county: '331003',
    memberId: '331003-member-01',
    activityId: 'act-1',
    activityKind: 'activity',
    communityId: '331003-community-01',
    reportIds: ['rep-1', 'rep-2'],
    checkInAt: '2026-02-07T01:00:00.000Z',
    checkOutAt: '2026-02-07T03:00:00.000Z',
    hours: 2,
    creditedMinutes: 120,
    method: 'qr',
    witness: null,
    flags: [],
  };
  const event = (type: string, data: object) =>
    createEvent({ type, source: '/honglian/member-checkin', subject: 'x', county: '331003', data });

  it('attendance.recorded carries member, activity, community, reports credited, times, hours, method, flags', () => {
    expect(validateEvent(event(AttendanceRecorded.type, recorded))).toMatchObject({ ok: true });
    for (const field of Object.keys(recorded)) {
      const { [field]: _dropped, ...rest } = recorded as Record<string, unknown>;
      expect({ field, ok: validateEvent(event(AttendanceRecorded.type, rest)).ok }).toEqual({
        field,
        ok: false,
      });
    }
    expect(validateEvent(event(AttendanceRecorded.type, { ...recorded, method: 'sms' })).ok).toBe(false);
    expect(validateEvent(event(AttendanceRecorded.type, { ...recorded, hours: -1 })).ok).toBe(false);
  });

  it('an auto-closed session carries no hours', () => {
    const data = {
      attendanceId: 'att-1',
      county: '331003',
      memberId: 'm',
      activityId: 'a',
      communityId: 'c',
      checkInAt: '2026-02-07T01:00:00.000Z',
      closedAt: '2026-02-07T03:00:00.000Z',
      hours: 0,
      flags: ['auto-closed'],
    };
    expect(validateEvent(event(AttendanceAutoClosed.type, data)).ok).toBe(true);
    expect(validateEvent(event(AttendanceAutoClosed.type, { ...data, hours: 2 })).ok).toBe(false);
  });
});
