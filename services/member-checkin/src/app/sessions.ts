import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { withOutbox } from '@honglian/messaging';
import type { AttendanceQuery } from '../data/attendance.js';
import type { Page } from '../data/page.js';
import type { Attendance } from '../domain/attendance.js';
import { SESSION_CHANGED, decideConfirm, decideDismiss } from '../domain/sessions.js';
import { loadClose, saveClose } from './check-out.js';
import { actorOf, type CheckinContext } from './context.js';
import type { References } from './references.js';

/** Sessions after the fact: read them, and staff settle the ones the sweep auto-closed. */
export class Sessions {
  constructor(
    private readonly ctx: CheckinContext,
    private readonly refs: References,
  ) {}

  get(id: string, principal: Principal): Promise<Attendance> {
    return this.refs.attendance(principal, id);
  }

  list(q: AttendanceQuery, principal: Principal): Promise<Page<Attendance>> {
    return this.ctx.data.attendance.page(principal, q);
  }

  /** Staff confirm an auto-closed session with the check-out time they witnessed; only then is it credited. */
  confirm(id: string, checkOutAt: Date, principal: Principal): Promise<Attendance> {
    const { activities, attendance, reports } = this.ctx.data;
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const doc = await this.refs.attendance(principal, id, { manageOnly: true, session });
      const activity = await activities.byId(doc.activityId, session);
      await reports.lockMember(session, doc.memberId);
      const mine = await attendance.notDismissed(doc.memberId, session);
      const loaded = activity && { activity, close: await loadClose(this.ctx, doc, activity, session) };
      const decided = orThrow(
        decideConfirm(
          { checkOutAt, now: this.ctx.clock.now(), actor: actorOf(principal), principal },
          { session: doc, loaded, mine },
          this.ctx.rules,
        ),
      );
      return saveClose(this.ctx, doc, decided, session, outbox);
    });
  }

  /** Staff decide an auto-closed session is not credited at all. */
  async dismiss(id: string, principal: Principal): Promise<Attendance> {
    const doc = await this.refs.attendance(principal, id, { manageOnly: true });
    const { changes } = orThrow(decideDismiss(doc, { actor: actorOf(principal), now: this.ctx.clock.now() }));
    if (!(await this.ctx.data.attendance.updateIfStatus(id, 'auto-closed', changes.set)))
      throwRefusal(SESSION_CHANGED());
    return changes.attendance;
  }
}
