import { emitAll, withOutbox } from '@honglian/messaging';
import type { Attendance } from '../domain/attendance.js';
import { decideNoShow, type Report } from '../domain/reports.js';
import { DAY } from '../domain/rules.js';
import { decideAutoClose } from '../domain/sessions.js';
import type { CheckinContext } from './context.js';

export interface SweepResult {
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
 * Each record is its own load → decide → save, so one change never waits for a batch.
 */
export class SweepService {
  private timer: unknown;
  private running: Promise<SweepResult> | undefined;

  constructor(
    private readonly ctx: CheckinContext,
    private readonly opts: { batchSize?: number; timers?: SweepTimers } = {},
  ) {}

  private get batchSize(): number {
    return this.opts.batchSize ?? 500;
  }

  async run(now: Date = this.ctx.clock.now()): Promise<SweepResult> {
    // One sweep at a time per process; a tick during a long sweep joins it.
    this.running ??= this.sweep(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(now: Date): Promise<SweepResult> {
    const autoClosed = await this.autoCloseOpen(now, { batchSize: this.batchSize });
    const { flagged, cleared } = await this.noShows(now);
    const result = { at: now.toISOString(), autoClosed, noShowFlagged: flagged, noShowCleared: cleared };
    if (autoClosed + flagged + cleared > 0) this.ctx.logger.info(result, 'check-in scan');
    return result;
  }

  /**
   * Closes sessions left open after their activity (plus grace): flagged,
   * credited nothing. The sweep runs it for everyone, in batches; a check-in
   * runs it first for that member.
   */
  async autoCloseOpen(now: Date, opts: { batchSize?: number; memberId?: string } = {}): Promise<number> {
    const batchSize = opts.batchSize ?? 500;
    let closed = 0;
    let after: string | null = null;
    for (;;) {
      const due = await this.ctx.data.attendance.dueForAutoClose(now, after, batchSize, opts.memberId);
      for (const session of due) if (await this.autoClose(session)) closed++;
      if (due.length < batchSize) return closed;
      after = due.at(-1)!._id;
    }
  }

  private autoClose(due: Attendance): Promise<boolean> {
    const { activities, attendance } = this.ctx.data;
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const activity = await activities.byId(due.activityId, session);
      const { changes, events } = decideAutoClose(due, activity);
      if (!(await attendance.updateIfStatus(due._id, 'open', changes.set, session))) return false;
      emitAll(outbox, events, { time: this.ctx.clock.now() });
      return true;
    });
  }

  private async noShows(now: Date): Promise<{ flagged: number; cleared: number }> {
    const cutoff = new Date(now.getTime() - this.ctx.rules.noShowDays * DAY);
    let flagged = 0;
    let cleared = 0;
    let after: string | null = null;
    for (;;) {
      const batch = await this.ctx.data.reports.noShowCandidates(cutoff, after, this.batchSize);
      for (const report of batch) {
        const change = await this.noShow(report, now);
        if (change === 'flag') flagged++;
        else if (change === 'clear') cleared++;
      }
      if (batch.length < this.batchSize) break;
      after = batch.at(-1)!._id;
    }
    return { flagged, cleared };
  }

  /** Flags or clears one report (if it did not change meanwhile) and emits the fact. */
  private async noShow(report: Report, now: Date): Promise<'flag' | 'clear' | null> {
    const decided = decideNoShow(report, now, this.ctx.rules);
    if (!decided) return null;
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const { change, set } = decided.changes;
      if (!(await this.ctx.data.reports.setNoShowIfUnchanged(report, set, session))) return null;
      emitAll(outbox, decided.events, { time: this.ctx.clock.now() });
      return change;
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
