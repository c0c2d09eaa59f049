import { NoShowCleared, NoShowFlagged, type CloudEvent } from '@honglian/contracts';
import { withOutbox } from '@honglian/messaging';
import type { ReportDoc } from '../data/models.js';
import { noShowDecision } from '../domain/attendance.js';
import { DAY } from '../domain/rules.js';
import { TOPIC, checkinEvent, type CheckinContext } from './context.js';
import type { AttendanceService } from './attendance.js';

export interface ScanResult {
  at: string;
  autoClosed: number;
  noShowFlagged: number;
  noShowCleared: number;
}

/** How the sweep is scheduled (Node's timers; tests inject their own to tick by hand). */
export interface SweepTimers {
  setInterval(tick: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const NODE_TIMERS: SweepTimers = {
  setInterval: (tick, ms) => setInterval(tick, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/**
 * The scheduled sweep: closes sessions left open after their activity and
 * flags 报而不到 (active reports without attendance for `noShowDays`). Time
 * comes from the injected clock; running it twice changes nothing more.
 */
export class ScanService {
  private timer: unknown;
  private running: Promise<ScanResult> | undefined;

  constructor(
    private readonly ctx: CheckinContext,
    private readonly attendance: AttendanceService,
    private readonly opts: { batchSize?: number; timers?: SweepTimers } = {},
  ) {}

  private get batchSize(): number {
    return this.opts.batchSize ?? 500;
  }

  async run(now: Date = this.ctx.clock.now()): Promise<ScanResult> {
    // One sweep at a time per process; a tick during a long sweep joins it.
    this.running ??= this.sweep(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(now: Date): Promise<ScanResult> {
    const autoClosed = await this.attendance.autoCloseOpen(now, { batchSize: this.batchSize });
    const { flagged, cleared } = await this.noShows(now);
    const result = { at: now.toISOString(), autoClosed, noShowFlagged: flagged, noShowCleared: cleared };
    if (autoClosed + flagged + cleared > 0) this.ctx.logger.info(result, 'check-in scan');
    return result;
  }

  /**
   * Reports the 报而不到 rule may change: active ones due for a flag, and
   * flagged ones the rule no longer holds for (attended since, window
   * lengthened, report no longer active). A flagged report that is still due
   * is not a candidate, so a large backlog of standing flags never crowds out
   * new ones; each batch is taken in id order until none is left.
   */
  private candidates(now: Date): Record<string, unknown> {
    const cutoff = new Date(now.getTime() - this.ctx.rules.noShowDays * DAY);
    return {
      $or: [
        {
          status: 'active',
          noShow: false,
          activatedAt: { $lte: cutoff },
          $or: [{ lastAttendanceAt: null }, { lastAttendanceAt: { $lte: cutoff } }],
        },
        {
          noShow: true,
          $or: [
            { status: { $ne: 'active' } },
            { activatedAt: null },
            { activatedAt: { $gt: cutoff } },
            { lastAttendanceAt: { $gt: cutoff } },
          ],
        },
      ],
    };
  }

  private async noShows(now: Date): Promise<{ flagged: number; cleared: number }> {
    let flagged = 0;
    let cleared = 0;
    let after: string | null = null;
    for (;;) {
      const filter = this.candidates(now);
      const batch: ReportDoc[] = await this.ctx.models.Report.find(
        after === null ? filter : { $and: [filter, { _id: { $gt: after } }] },
      )
        .sort({ _id: 1 })
        .limit(this.batchSize)
        .lean<ReportDoc[]>();
      for (const r of batch) {
        const decision = noShowDecision(r, now, this.ctx.rules);
        if (decision && (await this.applyNoShow(r, decision, now))) {
          if (decision === 'flag') flagged++;
          else cleared++;
        }
      }
      if (batch.length < this.batchSize) break;
      after = batch.at(-1)!._id;
    }
    return { flagged, cleared };
  }

  /** Flags or clears one report (if it did not change meanwhile) and emits the fact. */
  private async applyNoShow(r: ReportDoc, decision: 'flag' | 'clear', now: Date): Promise<boolean> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const res = await this.ctx.models.Report.updateOne(
        { _id: r._id, noShow: r.noShow, lastAttendanceAt: r.lastAttendanceAt, status: r.status },
        {
          $set:
            decision === 'flag' ? { noShow: true, noShowSince: now } : { noShow: false, noShowSince: null },
        },
        { session },
      );
      if (res.matchedCount === 0) return false;
      const facts = {
        reportId: r._id,
        county: r.county,
        memberId: r.memberId,
        kind: r.kind,
        communityId: r.communityId,
        workUnitId: r.workUnitId,
      };
      const event: CloudEvent =
        decision === 'flag'
          ? checkinEvent(this.ctx, NoShowFlagged.type, r._id, r.county, {
              ...facts,
              flaggedAt: now.toISOString(),
              lastAttendanceAt: r.lastAttendanceAt?.toISOString() ?? null,
              windowDays: this.ctx.rules.noShowDays,
            })
          : checkinEvent(this.ctx, NoShowCleared.type, r._id, r.county, {
              ...facts,
              clearedAt: now.toISOString(),
              attendanceId: null,
            });
      outbox.add(TOPIC, event);
      return true;
    });
  }

  /** Runs the sweep every `intervalMs` (unref'd: it never keeps the process alive). */
  startTimer(intervalMs: number): void {
    if (this.timer || intervalMs <= 0) return;
    const timers = this.opts.timers ?? NODE_TIMERS;
    this.timer = timers.setInterval(() => {
      // Each tick sweeps at the injected clock's now.
      this.run().catch((err: unknown) => this.ctx.logger.error({ err }, 'check-in scan failed'));
    }, intervalMs);
  }

  async stopTimer(): Promise<void> {
    if (this.timer) (this.opts.timers ?? NODE_TIMERS).clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
