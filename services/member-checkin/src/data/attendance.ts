import { tenantFilter, type Principal } from '@honglian/service-kit';
import type { ClientSession } from 'mongoose';
import { BELOW_MINIMUM, type Attendance, type SessionStatus } from '../domain/attendance.js';
import type { Period } from '../domain/period.js';
import type { CheckinModels } from './models.js';
import { pageOf, type Page, type PageRequest } from './page.js';

/** Sessions a member or their community's managers see (members: their own). */
export const ATTENDANCE_SCOPE = { orgPathField: 'communityPath', memberField: 'memberId' } as const;

export interface AttendanceQuery extends PageRequest {
  memberId?: string | undefined;
  activityId?: string | undefined;
  status?: SessionStatus | undefined;
}

/** Attendance sessions, and the QR tokens each member has used. */
export class AttendanceStore {
  constructor(private readonly m: CheckinModels) {}

  byId(id: string, session?: ClientSession): Promise<Attendance | null> {
    return this.m.Attendance.findById(id, null, { session }).lean<Attendance>();
  }

  async insert(attendance: Attendance, session: ClientSession): Promise<void> {
    await this.m.Attendance.create([attendance], { session });
  }

  /** Sets the fields if the session is still in `status`; false when it changed meanwhile. */
  async updateIfStatus(
    id: string,
    status: SessionStatus,
    set: Partial<Attendance>,
    session?: ClientSession,
  ): Promise<boolean> {
    const res = await this.m.Attendance.updateOne({ _id: id, status }, { $set: set }, { session });
    return res.matchedCount > 0;
  }

  /** The member's sessions that still run at `now` or later (not dismissed): those a check-in may clash with. */
  runningAt(memberId: string, now: Date, session: ClientSession): Promise<Attendance[]> {
    return this.m.Attendance.find({
      memberId,
      status: { $ne: 'dismissed' },
      $or: [{ checkOutAt: null }, { checkOutAt: { $gt: now } }],
    })
      .session(session)
      .lean<Attendance[]>();
  }

  /** Sessions at an activity (not dismissed), oldest first: a call's arrivals. */
  /** Whether anyone has a session (of any status) at the activity. */
  async anyAt(activityId: string, session: ClientSession): Promise<boolean> {
    return !!(await this.m.Attendance.exists({ activityId }).session(session));
  }

  atActivity(activityId: string): Promise<Attendance[]> {
    return this.m.Attendance.find({ activityId, status: { $ne: 'dismissed' } })
      .sort({ checkInAt: 1 })
      .limit(5000)
      .lean<Attendance[]>();
  }

  /** Every session of the member that is not dismissed. */
  notDismissed(memberId: string, session: ClientSession): Promise<Attendance[]> {
    return this.m.Attendance.find({ memberId, status: { $ne: 'dismissed' } })
      .session(session)
      .lean<Attendance[]>();
  }

  openAt(memberId: string, activityId: string, session?: ClientSession): Promise<Attendance | null> {
    return this.m.Attendance.findOne({ memberId, activityId, status: 'open' }, null, {
      session,
    }).lean<Attendance>();
  }

  async hasOpenAt(memberId: string, activityId: string): Promise<boolean> {
    return !!(await this.m.Attendance.exists({ memberId, activityId, status: 'open' }));
  }

  /** Minutes credited to the member at the activity by other closed sessions. */
  async creditedMinutes(
    memberId: string,
    activityId: string,
    exceptId: string,
    session: ClientSession,
  ): Promise<number> {
    const others = await this.m.Attendance.find({
      memberId,
      activityId,
      status: 'closed',
      _id: { $ne: exceptId },
    })
      .session(session)
      .lean<Attendance[]>();
    return others.reduce((s, a) => s + a.creditedMinutes, 0);
  }

  page(principal: Principal, q: AttendanceQuery): Promise<Page<Attendance>> {
    const filter: Record<string, unknown> = { $and: [tenantFilter(principal, ATTENDANCE_SCOPE)] };
    for (const key of ['memberId', 'activityId', 'status'] as const) if (q[key]) filter[key] = q[key];
    return pageOf(this.m.Attendance, filter, q);
  }

  /** Open sessions past their auto-close time, in id order after `after` (one member's, if named). */
  dueForAutoClose(now: Date, after: string | null, limit: number, memberId?: string): Promise<Attendance[]> {
    return this.m.Attendance.find({
      status: 'open',
      autoCloseAfter: { $lt: now },
      ...(memberId ? { memberId } : {}),
      ...(after === null ? {} : { _id: { $gt: after } }),
    })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Attendance[]>();
  }

  /** Credited (closed, long enough to count) sessions of these members that began in the period. */
  credited(memberIds: string[], period: Period): Promise<Attendance[]> {
    return this.m.Attendance.find({
      memberId: { $in: memberIds },
      status: 'closed',
      flags: { $ne: BELOW_MINIMUM },
      checkInAt: { $gte: period.from, $lt: period.to },
    }).lean<Attendance[]>();
  }

  /** Credited minutes per member in the period, with where each session was (a county view's hours). */
  creditedPlaces(
    memberIds: string[],
    period: Period,
  ): Promise<Pick<Attendance, 'memberId' | 'creditedMinutes' | 'county' | 'communityPath'>[]> {
    return this.m.Attendance.find(
      {
        memberId: { $in: memberIds },
        status: 'closed',
        flags: { $ne: BELOW_MINIMUM },
        checkInAt: { $gte: period.from, $lt: period.to },
      },
      { memberId: 1, creditedMinutes: 1, county: 1, communityPath: 1 },
    ).lean<Pick<Attendance, 'memberId' | 'creditedMinutes' | 'county' | 'communityPath'>[]>();
  }

  /** The member's sessions still open or awaiting a staff confirmation, oldest first. */
  pending(memberId: string): Promise<Attendance[]> {
    return this.m.Attendance.find({ memberId, status: { $in: ['open', 'auto-closed'] } })
      .sort({ checkInAt: 1 })
      .limit(200)
      .lean<Attendance[]>();
  }

  async tokenUsed(tokenId: string, memberId: string, session: ClientSession): Promise<boolean> {
    return !!(await this.m.QrUse.exists({ _id: `${tokenId}:${memberId}` }).session(session));
  }

  /** Records that the member used the token: a second use is a replay. */
  async spendToken(
    tokenId: string,
    memberId: string,
    activityId: string,
    now: Date,
    session: ClientSession,
  ): Promise<void> {
    await this.m.QrUse.create([{ _id: `${tokenId}:${memberId}`, memberId, activityId, usedAt: now }], {
      session,
    });
  }
}
