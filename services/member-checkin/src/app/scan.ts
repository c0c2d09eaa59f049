import { NoShowCleared, NoShowFlagged } from '@honglian/contracts';
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

/**
 * The scheduled sweep: closes sessions left open after their activity and
 * flags 报而不到 (active reports without attendance for `noShowDays`). Time
 * comes from the injected clock; running it twice changes nothing more.
 */
export class ScanService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ScanResult> | undefined;

  constructor(
    private readonly ctx: CheckinContext,
    private readonly attendance: AttendanceService,
  ) {}

  async run(now: Date = this.ctx.clock.now()): Promise<ScanResult> {
    // One sweep at a time per process; a tick during a long sweep joins it.
    this.running ??= this.sweep(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(now: Date): Promise<ScanResult> {
    const autoClosed = await this.attendance.autoCloseOpen(now);
    const { flagged, cleared } = await this.noShows(now);
    const result = { at: now.toISOString(), autoClosed, noShowFlagged: flagged, noShowCleared: cleared };
    if (autoClosed + flagged + cleared > 0) this.ctx.logger.info(result, 'check-in scan');
    return result;
  }

  private async noShows(now: Date): Promise<{ flagged: number; cleared: number }> {
    const cutoff = new Date(now.getTime() - this.ctx.rules.noShowDays * DAY);
    const candidates = await this.ctx.models.Report.find({
      $or: [
        {
          status: 'active',
          noShow: false,
          activatedAt: { $lte: cutoff },
          $or: [{ lastAttendanceAt: null }, { lastAttendanceAt: { $lte: cutoff } }],
        },
        // A flag that no longer holds (window lengthened, report ended) is cleared.
        { noShow: true },
      ],
    })
      .limit(5000)
      .lean<ReportDoc[]>();
    let flagged = 0;
    let cleared = 0;
    for (const r of candidates) {
      const decision = noShowDecision(r, now, this.ctx.rules);
      if (!decision) continue;
      await withOutbox(this.ctx.conn, async (session, outbox) => {
        const res = await this.ctx.models.Report.updateOne(
          { _id: r._id, noShow: r.noShow, lastAttendanceAt: r.lastAttendanceAt, status: r.status },
          {
            $set:
              decision === 'flag' ? { noShow: true, noShowSince: now } : { noShow: false, noShowSince: null },
          },
          { session },
        );
        if (res.matchedCount === 0) return;
        const facts = {
          reportId: r._id,
          county: r.county,
          memberId: r.memberId,
          kind: r.kind,
          communityId: r.communityId,
          workUnitId: r.workUnitId,
        };
        if (decision === 'flag') {
          flagged++;
          outbox.add(
            TOPIC,
            checkinEvent(this.ctx, NoShowFlagged.type, r._id, r.county, {
              ...facts,
              flaggedAt: now.toISOString(),
              lastAttendanceAt: r.lastAttendanceAt?.toISOString() ?? null,
              windowDays: this.ctx.rules.noShowDays,
            }),
          );
        } else {
          cleared++;
          outbox.add(
            TOPIC,
            checkinEvent(this.ctx, NoShowCleared.type, r._id, r.county, {
              ...facts,
              clearedAt: now.toISOString(),
              attendanceId: null,
            }),
          );
        }
      });
    }
    return { flagged, cleared };
  }

  /** Runs the sweep every `intervalMs` (unref'd: it never keeps the process alive). */
  startTimer(intervalMs: number): void {
    if (this.timer || intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.run().catch((err: unknown) => this.ctx.logger.error({ err }, 'check-in scan failed'));
    }, intervalMs);
    this.timer.unref();
  }

  async stopTimer(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
