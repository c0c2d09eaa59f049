import { toProblem } from '@honglian/service-kit';
import { periodOf, type PeriodKind } from '../domain/periods.js';
import type { AssessmentContext } from './context.js';
import type { RatingService } from './ratings.js';

/** How the schedule is timed (Node's timers; tests inject their own to tick by hand). */
export interface ScheduleTimers {
  setInterval(tick: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const NODE_TIMERS: ScheduleTimers = {
  setInterval: (tick, ms) => setInterval(tick, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

const KINDS: readonly PeriodKind[] = ['month', 'quarter', 'year'];

export interface ScheduleRun {
  /** The clock's now the run worked at. */
  at: string;
  /** The current month, quarter and year. */
  periods: string[];
  computed: { county: string; period: string; ratings: number; ruleVersion: string }[];
  /** Closed (published) periods, left as they are. */
  skipped: { county: string; period: string }[];
  failed: { county: string; period: string; problem: string }[];
  /** True when the service began to stop during the run (the rest was left for the next one). */
  interrupted: boolean;
}

/**
 * The scheduled computation, on the injected clock: for every county the projections know, the
 * current month, quarter and year are recomputed with the current rules; a closed (published)
 * period is never touched. One run at a time: a tick while one runs joins it.
 */
export class RatingSchedule {
  private timer: unknown;
  private running: Promise<ScheduleRun> | undefined;
  private stopping = false;

  constructor(
    private readonly ctx: AssessmentContext,
    private readonly ratings: RatingService,
    private readonly timers: ScheduleTimers = NODE_TIMERS,
  ) {}

  /** Runs the computation once at the clock's now (or joins the run under way). */
  tick(): Promise<ScheduleRun> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<ScheduleRun> {
    const now = this.ctx.clock.now();
    const periods = KINDS.map((k) => periodOf(now, k));
    const out: ScheduleRun = {
      at: now.toISOString(),
      periods,
      computed: [],
      skipped: [],
      failed: [],
      interrupted: false,
    };
    const store = this.ctx.data.ratings;
    for (const county of await this.ctx.data.projections.counties()) {
      for (const period of periods) {
        if (this.stopping) {
          out.interrupted = true;
          break;
        }
        try {
          if ((await store.period(period, county))?.status === 'closed') {
            out.skipped.push({ county, period });
            continue;
          }
          out.computed.push({ period, ...(await this.ratings.compute(period, county)) });
        } catch (err) {
          const { problem, unexpected } = toProblem(err);
          if (unexpected) this.ctx.logger.error({ err, county, period }, 'scheduled computation failed');
          // A period closed between the check and the computation is left as published.
          if (problem.status === 410) out.skipped.push({ county, period });
          else out.failed.push({ county, period, problem: problem.message });
        }
      }
    }
    this.ctx.logger.info(
      {
        at: out.at,
        periods,
        computed: out.computed.map((c) => `${c.county}:${c.period}`),
        ratings: out.computed.reduce((n, c) => n + c.ratings, 0),
        skipped: out.skipped.map((s) => `${s.county}:${s.period}`),
        failed: out.failed.length,
        interrupted: out.interrupted,
      },
      'scheduled assessment computation',
    );
    return out;
  }

  /** Runs every `intervalMs` (0: never); a tick that finds a run under way joins it. */
  start(intervalMs: number): void {
    if (this.timer || intervalMs <= 0) return;
    this.stopping = false;
    this.timer = this.timers.setInterval(() => {
      this.tick().catch((err: unknown) =>
        this.ctx.logger.error({ err }, 'scheduled assessment computation failed'),
      );
    }, intervalMs);
  }

  /** Stops the timer and waits for a run under way (it stops between two periods). */
  async stop(): Promise<void> {
    if (this.timer) this.timers.clearInterval(this.timer);
    this.timer = undefined;
    this.stopping = true;
    await this.running?.catch(() => undefined);
    this.stopping = false;
  }
}
