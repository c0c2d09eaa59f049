import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { emitAll, withOutbox, type OutboxWriter } from '@honglian/messaging';
import type { EventDraft } from '@honglian/service-kit/domain';
import type { ClientSession } from 'mongoose';
import type { Activity } from '../domain/activities.js';
import type { Attendance } from '../domain/attendance.js';
import { SESSION_CHANGED, decideCheckOut, type ClosedSession, type CloseState } from '../domain/sessions.js';
import type { AttendanceInput, AttendanceSources } from './attendance-source.js';
import type { CheckinContext } from './context.js';

/** What crediting a session needs: minutes already credited at the activity, the reports it counts for. */
export async function loadClose(
  ctx: CheckinContext,
  open: Attendance,
  activity: Activity,
  session: ClientSession,
): Promise<CloseState> {
  const { attendance, reports } = ctx.data;
  const creditedBefore = await attendance.creditedMinutes(open.memberId, activity._id, open._id, session);
  // Reports active now at the activity's community (a report confirmed mid-session counts too).
  const now = await reports.activeIdsAt(open.memberId, activity.communityId, session);
  const ids = [...new Set([...open.reportIds, ...now])].sort();
  return { creditedBefore, activeReports: await reports.activeByIds(ids, session) };
}

/** Saves a credited session (if it did not change meanwhile), the reports it counts for, its events. */
export async function saveClose(
  ctx: CheckinContext,
  open: Attendance,
  decided: { changes: ClosedSession; events: readonly EventDraft[] },
  session: ClientSession,
  outbox: OutboxWriter,
): Promise<Attendance> {
  const { attendance, reports } = ctx.data;
  const { changes, events } = decided;
  if (!(await attendance.updateIfStatus(open._id, open.status, changes.set, session)))
    throwRefusal(SESSION_CHANGED());
  for (const a of changes.attended) await reports.markAttended(a.reportId, a.lastAttendanceAt, session);
  emitAll(outbox, events, { time: ctx.clock.now() });
  return changes.attendance;
}

/** Check-out: a second scan or a witness closes the member's open session and credits it. */
export class CheckOut {
  constructor(
    private readonly ctx: CheckinContext,
    private readonly sources: AttendanceSources,
  ) {}

  async run(input: AttendanceInput, principal: Principal): Promise<Attendance> {
    const { now: checkOutAt, source } = await this.sources.resolve(input, principal, true);
    const { reports, attendance } = this.ctx.data;
    const { memberId, activity } = source;
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      await reports.lockMember(session, memberId);
      const open = await attendance.openAt(memberId, activity._id, session);
      const tokenUsed =
        !!open && !!source.tokenId && (await attendance.tokenUsed(source.tokenId, memberId, session));
      const close = open && (await loadClose(this.ctx, open, activity, session));
      const decided = orThrow(
        decideCheckOut(
          { checkOutAt, now: this.ctx.clock.now(), source },
          { open, tokenUsed, close },
          this.ctx.rules,
        ),
      );
      if (source.tokenId)
        await attendance.spendToken(source.tokenId, memberId, activity._id, checkOutAt, session);
      return saveClose(this.ctx, open!, decided, session, outbox);
    });
  }
}
