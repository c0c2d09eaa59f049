import { AttendanceAutoClosed, AttendanceRecorded, NoShowCleared } from '@honglian/contracts';
import { notFound, tenantFilter, type Principal } from '@honglian/service-kit';
import { withOutbox, type OutboxWriter } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { ActivityDoc, AttendanceDoc, MemberRm, ReportDoc } from '../data/models.js';
import { autoClose, checkOrder, creditFor, findOverlap, type Session } from '../domain/attendance.js';
import { checkGeofence } from '../domain/geofence.js';
import { attendanceWindowOpen, verifyToken } from '../domain/qr.js';
import { MINUTE, hoursOf, reason } from '../domain/rules.js';
import { seesRecord } from '../domain/scope.js';
import { TOPIC, actorOf, checkinEvent, newId, refused, type CheckinContext } from './context.js';
import { UNKNOWN, type References } from './references.js';
import type { ReportService } from './reports.js';

export interface Location {
  lat: number;
  lng: number;
  accuracyMeters?: number | undefined;
}

/** A scan by the member, or a staff member acting as witness for someone without a phone. */
export type AttendanceInput =
  | { token: string; location?: Location | undefined }
  | { activityId: string; memberId: string; note?: string | undefined };

export const ATTENDANCE_SCOPE = { orgPathField: 'communityPath', memberField: 'memberId' } as const;

export function attendanceView(a: AttendanceDoc) {
  return {
    id: a._id,
    county: a.county,
    memberId: a.memberId,
    memberName: a.memberName,
    activityId: a.activityId,
    activityKind: a.activityKind,
    communityId: a.communityId,
    reportIds: a.reportIds,
    method: a.method,
    witness: a.witness,
    checkInAt: a.checkInAt.toISOString(),
    checkOutAt: a.checkOutAt?.toISOString() ?? null,
    checkOutMethod: a.checkOutMethod,
    status: a.status,
    creditedMinutes: a.creditedMinutes,
    hours: a.hours,
    flags: a.flags,
    confirmedBy: a.confirmedBy,
  };
}
export type AttendanceView = ReturnType<typeof attendanceView>;

/** The clashing session's id, when the caller may see that session (a witness may not see another county's). */
function shownClash(principal: Principal, sessions: AttendanceDoc[], id: string): Record<string, unknown> {
  const doc = sessions.find((a) => a._id === id);
  return doc && seesRecord(principal, doc) ? { attendanceId: id } : {};
}

const toSession = (a: AttendanceDoc): Session => ({
  id: a._id,
  checkInAt: a.checkInAt,
  checkOutAt: a.checkOutAt,
  status: a.status,
});

export class AttendanceService {
  constructor(
    private readonly ctx: CheckinContext,
    private readonly reports: ReportService,
    private readonly refs: References,
  ) {}

  private get m() {
    return this.ctx.models;
  }

  /** Works out who and where from a scan or a witness, refusing anything that does not hold. */
  private async resolve(input: AttendanceInput, principal: Principal, forCheckout: boolean) {
    const now = this.ctx.clock.now();
    if ('token' in input) {
      const memberId = principal.memberId;
      if (!principal.roles.includes('member') || !memberId)
        throw refused(
          422,
          reason('扫码签到须由党员本人进行', 'a QR scan must come from the member themself'),
        );
      const activity = await this.refs.scannedActivity(input.token);
      const check = verifyToken(
        this.ctx.qrSecret,
        input.token,
        { id: activity._id, startsAt: activity.startsAt, endsAt: activity.endsAt },
        now,
        this.ctx.rules,
      );
      if (!check.ok) throw refused(422, check.reason, { code: check.code });
      this.assertOpen(activity, now, forCheckout);
      const outside = checkGeofence(
        activity.geofence,
        input.location,
        this.ctx.rules.geofenceAccuracyAllowanceMeters,
      );
      if (outside) throw refused(422, outside, { code: 'outside-geofence' });
      return { now, activity, memberId, method: 'qr' as const, witness: null, tokenId: check.tokenId };
    }
    const activity = await this.refs.activity(principal, input.activityId, {
      manageOnly: true,
      named: 'body',
    });
    this.assertOpen(activity, now, forCheckout);
    await this.refs.witnessed(principal, input.memberId, activity, forCheckout);
    return {
      now,
      activity,
      memberId: input.memberId,
      method: 'witnessed' as const,
      witness: actorOf(principal),
      tokenId: null,
    };
  }

  private assertOpen(activity: ActivityDoc, now: Date, forCheckout: boolean) {
    if (activity.status !== 'published')
      throw refused(409, reason('活动已取消', 'the activity is cancelled'));
    const closed = attendanceWindowOpen(activity, now, this.ctx.rules, forCheckout);
    if (closed) throw refused(409, closed);
  }

  /** Records that this member used this token (for this purpose); a second use is a replay. */
  private async spendToken(
    session: ClientSession,
    tokenId: string | null,
    memberId: string,
    activityId: string,
    now: Date,
  ) {
    if (!tokenId) return;
    const key = `${tokenId}:${memberId}`;
    if (await this.m.QrUse.exists({ _id: key }).session(session))
      throw refused(
        409,
        reason('二维码已使用过，请扫描最新二维码', 'this QR token was already used; scan the current code'),
        {
          code: 'replayed',
        },
      );
    await this.m.QrUse.create([{ _id: key, memberId, activityId, usedAt: now }], { session });
  }

  async checkIn(input: AttendanceInput, principal: Principal): Promise<AttendanceView> {
    const r = await this.resolve(input, principal, false);
    await this.autoCloseOpen(r.now, { memberId: r.memberId });
    return withOutbox(this.ctx.conn, async (session) => {
      const member = await this.m.Member.findById(r.memberId).session(session).lean<MemberRm>();
      if (!member || member.status !== 'active') throw UNKNOWN.member();
      await this.reports.lockMember(session, r.memberId);
      await this.spendToken(session, r.tokenId, r.memberId, r.activity._id, r.now);
      const recent = await this.m.Attendance.find({
        memberId: r.memberId,
        status: { $ne: 'dismissed' },
        $or: [{ checkOutAt: null }, { checkOutAt: { $gt: r.now } }],
      })
        .session(session)
        .lean<AttendanceDoc[]>();
      const clash = findOverlap(recent.map(toSession), { start: r.now, end: null });
      if (clash)
        throw refused(
          409,
          reason(
            '已有未签退的签到，不能同时参加两项活动',
            'you are still checked in elsewhere; sessions may not overlap',
          ),
          shownClash(principal, recent, clash.id),
        );
      const reportIds = await this.activeReportIds(session, r.memberId, r.activity.communityId);
      const doc: AttendanceDoc = {
        _id: newId('att'),
        county: r.activity.county,
        memberId: r.memberId,
        memberName: member.name,
        activityId: r.activity._id,
        activityKind: r.activity.kind,
        communityId: r.activity.communityId,
        communityPath: r.activity.communityPath,
        reportIds,
        method: r.method,
        witness: r.witness,
        checkInAt: r.now,
        checkOutAt: null,
        checkOutMethod: null,
        autoCloseAfter: new Date(r.activity.endsAt.getTime() + this.ctx.rules.checkoutGraceMinutes * MINUTE),
        status: 'open',
        creditedMinutes: 0,
        hours: 0,
        flags: r.method === 'witnessed' ? ['witnessed'] : [],
        location: 'token' in input && input.location ? { ...input.location } : null,
        confirmedBy: null,
        confirmedAt: null,
      };
      await this.m.Attendance.create([doc], { session });
      return attendanceView(doc);
    });
  }

  private async activeReportIds(
    session: ClientSession,
    memberId: string,
    communityId: string,
  ): Promise<string[]> {
    const reports = await this.m.Report.find({ memberId, communityId, status: 'active' }, { _id: 1 })
      .session(session)
      .lean<Pick<ReportDoc, '_id'>[]>();
    return reports.map((x) => x._id).sort();
  }

  async checkOut(input: AttendanceInput, principal: Principal): Promise<AttendanceView> {
    const r = await this.resolve(input, principal, true);
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      await this.reports.lockMember(session, r.memberId);
      const open = await this.m.Attendance.findOne({
        memberId: r.memberId,
        activityId: r.activity._id,
        status: 'open',
      })
        .session(session)
        .lean<AttendanceDoc>();
      if (!open)
        throw refused(
          409,
          reason('没有该活动的签到记录，不能签退', 'there is no open check-in at this activity'),
          {
            code: 'not-checked-in',
          },
        );
      await this.spendToken(session, r.tokenId, r.memberId, r.activity._id, r.now);
      const order = checkOrder(open.checkInAt, r.now);
      if (order) throw refused(422, order);
      const closed = await this.close(session, outbox, open, r.activity, r.now, {
        checkOutMethod: r.method,
        extraFlags:
          r.method === 'witnessed' && !open.flags.includes('witnessed') ? ['witnessed-checkout'] : [],
        witness: r.witness ?? open.witness,
      });
      return attendanceView(closed);
    });
  }

  /** Credits a session, marks the reports it counts for as attended, emits attendance.recorded. */
  private async close(
    session: ClientSession,
    outbox: OutboxWriter,
    open: AttendanceDoc,
    activity: ActivityDoc,
    checkOutAt: Date,
    how: {
      checkOutMethod: AttendanceDoc['checkOutMethod'];
      extraFlags: string[];
      witness: string | null;
      confirmedBy?: string;
    },
  ): Promise<AttendanceDoc> {
    const others = await this.m.Attendance.find({
      memberId: open.memberId,
      activityId: activity._id,
      status: 'closed',
      _id: { $ne: open._id },
    })
      .session(session)
      .lean<AttendanceDoc[]>();
    const already = others.reduce((s, a) => s + a.creditedMinutes, 0);
    const credit = creditFor({ checkInAt: open.checkInAt, checkOutAt }, activity, this.ctx.rules, already);
    // Reports active now at the activity's community (a report confirmed mid-session counts too).
    const reportIds = [
      ...new Set([
        ...open.reportIds,
        ...(await this.activeReportIds(session, open.memberId, activity.communityId)),
      ]),
    ].sort();
    const activeReports = await this.m.Report.find({ _id: { $in: reportIds }, status: 'active' })
      .session(session)
      .lean<ReportDoc[]>();
    const closed: AttendanceDoc = {
      ...open,
      reportIds: activeReports.map((x) => x._id).sort(),
      checkOutAt,
      checkOutMethod: how.checkOutMethod,
      status: 'closed',
      creditedMinutes: credit.minutes,
      hours: hoursOf(credit.minutes),
      flags: [...new Set([...open.flags, ...how.extraFlags, ...credit.flags])],
      witness: how.witness,
      confirmedBy: how.confirmedBy ?? null,
      confirmedAt: how.confirmedBy ? this.ctx.clock.now() : null,
    };
    const res = await this.m.Attendance.updateOne(
      { _id: open._id, status: open.status },
      {
        $set: {
          reportIds: closed.reportIds,
          checkOutAt,
          checkOutMethod: closed.checkOutMethod,
          status: 'closed',
          creditedMinutes: closed.creditedMinutes,
          hours: closed.hours,
          flags: closed.flags,
          witness: closed.witness,
          confirmedBy: closed.confirmedBy,
          confirmedAt: closed.confirmedAt,
        },
      },
      { session },
    );
    if (res.matchedCount === 0)
      throw refused(409, reason('签到记录已被更新，请重试', 'the session changed meanwhile; try again'));
    const now = this.ctx.clock.now();
    for (const report of activeReports) {
      const last =
        report.lastAttendanceAt && report.lastAttendanceAt > open.checkInAt
          ? report.lastAttendanceAt
          : open.checkInAt;
      await this.m.Report.updateOne(
        { _id: report._id },
        { $set: { lastAttendanceAt: last, noShow: false, noShowSince: null } },
        { session },
      );
      if (report.noShow)
        outbox.add(
          TOPIC,
          checkinEvent(this.ctx, NoShowCleared.type, report._id, report.county, {
            reportId: report._id,
            county: report.county,
            memberId: report.memberId,
            kind: report.kind,
            communityId: report.communityId,
            workUnitId: report.workUnitId,
            clearedAt: now.toISOString(),
            attendanceId: open._id,
          }),
        );
    }
    outbox.add(
      TOPIC,
      checkinEvent(this.ctx, AttendanceRecorded.type, open._id, open.county, {
        attendanceId: open._id,
        county: open.county,
        memberId: open.memberId,
        activityId: activity._id,
        activityKind: activity.kind,
        communityId: activity.communityId,
        reportIds: closed.reportIds,
        checkInAt: open.checkInAt.toISOString(),
        checkOutAt: checkOutAt.toISOString(),
        hours: closed.hours,
        creditedMinutes: closed.creditedMinutes,
        method: open.method,
        witness: closed.witness,
        flags: closed.flags,
      }),
    );
    return closed;
  }

  /** Staff confirm an auto-closed session with the check-out time they witnessed; only then is it credited. */
  async confirm(id: string, checkOutAt: Date, principal: Principal): Promise<AttendanceView> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const doc = await this.refs.attendance(principal, id, { manageOnly: true, session });
      if (doc.status !== 'auto-closed')
        throw refused(
          409,
          reason('只有系统自动关闭的签到需要确认', 'only an auto-closed session can be confirmed'),
          {
            status: doc.status,
          },
        );
      const activity = await this.m.Activity.findById(doc.activityId).session(session).lean<ActivityDoc>();
      if (!activity) throw notFound(`Activity ${doc.activityId} was not found.`);
      const order = checkOrder(doc.checkInAt, checkOutAt);
      if (order) throw refused(422, order, { field: 'checkOutAt' });
      if (checkOutAt.getTime() > doc.autoCloseAfter.getTime())
        throw refused(
          422,
          reason('签退时间晚于活动结束', 'check-out cannot be after the activity (and its grace) ended'),
          {
            field: 'checkOutAt',
          },
        );
      await this.reports.lockMember(session, doc.memberId);
      const mine = await this.m.Attendance.find({ memberId: doc.memberId, status: { $ne: 'dismissed' } })
        .session(session)
        .lean<AttendanceDoc[]>();
      const clash = findOverlap(mine.map(toSession), { start: doc.checkInAt, end: checkOutAt }, doc._id);
      if (clash)
        throw refused(
          409,
          reason('与该党员的其他签到时间重叠', 'overlaps another session of this member'),
          shownClash(principal, mine, clash.id),
        );
      const closed = await this.close(session, outbox, doc, activity, checkOutAt, {
        checkOutMethod: 'staff-confirmed',
        extraFlags: ['staff-confirmed'],
        witness: doc.witness,
        confirmedBy: actorOf(principal),
      });
      return attendanceView(closed);
    });
  }

  /** Staff decide an auto-closed session is not credited at all. */
  async dismiss(id: string, principal: Principal): Promise<AttendanceView> {
    const doc = await this.refs.attendance(principal, id, { manageOnly: true });
    if (doc.status !== 'auto-closed')
      throw refused(
        409,
        reason('只有系统自动关闭的签到可以作废', 'only an auto-closed session can be dismissed'),
      );
    const flags = [...new Set([...doc.flags, 'dismissed'])];
    const res = await this.m.Attendance.updateOne(
      { _id: id, status: 'auto-closed' },
      {
        $set: {
          status: 'dismissed',
          flags,
          confirmedBy: actorOf(principal),
          confirmedAt: this.ctx.clock.now(),
        },
      },
    );
    if (res.matchedCount === 0)
      throw refused(409, reason('签到记录已被更新，请重试', 'the session changed meanwhile; try again'));
    return attendanceView({ ...doc, status: 'dismissed', flags, confirmedBy: actorOf(principal) });
  }

  async get(id: string, principal: Principal): Promise<AttendanceView> {
    return attendanceView(await this.refs.attendance(principal, id));
  }

  async list(
    q: { memberId?: string; activityId?: string; status?: string; limit: number; cursor?: string },
    principal: Principal,
  ): Promise<{ items: AttendanceView[]; nextCursor: string | null }> {
    const filter: Record<string, unknown> = { $and: [tenantFilter(principal, ATTENDANCE_SCOPE)] };
    for (const key of ['memberId', 'activityId', 'status'] as const) if (q[key]) filter[key] = q[key];
    if (q.cursor) filter._id = { $gt: q.cursor };
    const docs = await this.m.Attendance.find(filter)
      .sort({ _id: 1 })
      .limit(q.limit + 1)
      .lean<AttendanceDoc[]>();
    const page = docs.slice(0, q.limit);
    return { items: page.map(attendanceView), nextCursor: docs.length > q.limit ? page.at(-1)!._id : null };
  }

  /**
   * Closes sessions left open after their activity (plus grace): flagged,
   * credited nothing. The sweep runs it for everyone, in batches; a check-in
   * runs it first for that member, so a forgotten check-out never blocks the
   * next activity while the sweep has not come round yet.
   */
  async autoCloseOpen(now: Date, opts: { batchSize?: number; memberId?: string } = {}): Promise<number> {
    const batchSize = opts.batchSize ?? 500;
    let closed = 0;
    let after: string | null = null;
    for (;;) {
      const due: AttendanceDoc[] = await this.m.Attendance.find({
        status: 'open',
        autoCloseAfter: { $lt: now },
        ...(opts.memberId ? { memberId: opts.memberId } : {}),
        ...(after === null ? {} : { _id: { $gt: after } }),
      })
        .sort({ _id: 1 })
        .limit(batchSize)
        .lean<AttendanceDoc[]>();
      closed += await this.autoCloseEach(due);
      if (due.length < batchSize) return closed;
      after = due.at(-1)!._id;
    }
  }

  private async autoCloseEach(due: AttendanceDoc[]): Promise<number> {
    let closed = 0;
    for (const doc of due) {
      const done = await withOutbox(this.ctx.conn, async (session, outbox) => {
        const activity = await this.m.Activity.findById(doc.activityId).session(session).lean<ActivityDoc>();
        const cut = autoClose(activity ?? { endsAt: doc.autoCloseAfter });
        const flags = [...new Set([...doc.flags, ...cut.flags])];
        const res = await this.m.Attendance.updateOne(
          { _id: doc._id, status: 'open' },
          {
            $set: {
              status: 'auto-closed',
              checkOutAt: cut.checkOutAt,
              checkOutMethod: 'auto',
              creditedMinutes: 0,
              hours: 0,
              flags,
            },
          },
          { session },
        );
        if (res.matchedCount === 0) return false;
        outbox.add(
          TOPIC,
          checkinEvent(this.ctx, AttendanceAutoClosed.type, doc._id, doc.county, {
            attendanceId: doc._id,
            county: doc.county,
            memberId: doc.memberId,
            activityId: doc.activityId,
            communityId: doc.communityId,
            checkInAt: doc.checkInAt.toISOString(),
            closedAt: cut.checkOutAt.toISOString(),
            hours: 0 as const,
            flags,
          }),
        );
        return true;
      });
      if (done) closed++;
    }
    return closed;
  }
}
