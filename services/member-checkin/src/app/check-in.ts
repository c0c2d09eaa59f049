import { orThrow, type Principal } from '@honglian/service-kit';
import { withOutbox } from '@honglian/messaging';
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
    const { reports, attendance, readModel } = this.ctx.data;
    const { memberId } = source;
    return withOutbox(this.ctx.conn, async (session) => {
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
      if (source.tokenId)
        await attendance.spendToken(source.tokenId, memberId, source.activity._id, now, session);
      await attendance.insert(changes.attendance, session);
      return changes.attendance;
    });
  }
}
