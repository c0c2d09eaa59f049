import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { withOutbox } from '@honglian/messaging';
import { closedFor } from '../domain/activities.js';
import type { Attendance } from '../domain/attendance.js';
import { decideCheckIn } from '../domain/sessions.js';
import type { AttendanceInput, AttendanceSources } from './attendance-source.js';
import { newId, type CheckinContext } from './context.js';
import type { SweepService } from './sweep.js';

/** Check-in: a member's scan or a witness opens a session at an activity. */
export class CheckIn {
  constructor(
    private readonly ctx: CheckinContext,
    private readonly sources: AttendanceSources,
    private readonly sweep: SweepService,
  ) {}

  async run(input: AttendanceInput, principal: Principal): Promise<Attendance> {
    const { now, source } = await this.sources.resolve(input, principal, false);
    // The member's sessions left open are closed first: a forgotten check-out never blocks the next activity.
    await this.sweep.autoCloseOpen(now, { memberId: source.memberId });
    const { reports, attendance, readModel, activities } = this.ctx.data;
    const { memberId } = source;
    return withOutbox(this.ctx.conn, async (session) => {
      // Read again inside the transaction: a cancel (or a shorter end) committed since resolve is seen.
      const activity = await activities.byId(source.activity._id, session);
      const closed = activity && closedFor(activity, now, this.ctx.rules, false);
      if (closed) throwRefusal(closed);
      const member = await readModel.member(memberId, session);
      await reports.lockMember(session, memberId);
      const tokenUsed = source.tokenId
        ? await attendance.tokenUsed(source.tokenId, memberId, session)
        : false;
      const sessions = await attendance.runningAt(memberId, now, session);
      const reportIds = await reports.activeIdsAt(memberId, source.activity.communityId, session);
      const { changes } = orThrow(
        decideCheckIn(
          { attendanceId: newId('att'), now, source, principal },
          { member, tokenUsed, sessions, reportIds },
          this.ctx.rules,
        ),
      );
      // The first check-in writes the activity, so a cancel racing it conflicts instead of missing it.
      if (activity && !activity.checkedIn && !(await activities.markCheckedIn(activity._id, session)))
        throwRefusal(closedFor({ ...activity, status: 'cancelled' }, now, this.ctx.rules, false)!);
      if (source.tokenId)
        await attendance.spendToken(source.tokenId, memberId, source.activity._id, now, session);
      await attendance.insert(changes.attendance, session);
      return changes.attendance;
    });
  }
}
