import { orThrow } from '@honglian/service-kit';
import { emitAll, withOutbox } from '@honglian/messaging';
import { decideYearEnd, totalsOfAccount } from '../domain/ledger.js';
import { yearBounds, yearOf } from '../domain/rules.js';
import type { PointsContext } from './context.js';
import type { OrderService } from './orders.js';

export interface JobTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/**
 * The scheduled jobs, on the injected clock: orders unclaimed too long go up
 * to the street; once a year has ended, the unused points of members whose
 * community clears them expire (once per member and year, however often the
 * job runs).
 */
export class Jobs {
  private handle: unknown = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly ctx: PointsContext,
    private readonly orders: OrderService,
    private readonly timers: JobTimers = {
      setInterval,
      clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
    },
  ) {}

  /** Clears (or carries over) the unused points of the year before the clock's. Returns the entries written. */
  async yearEnd(): Promise<{ year: number; expired: number }> {
    const now = this.ctx.clock.now();
    const year = yearOf(now) - 1;
    const { to } = yearBounds(year);
    const policies = await this.ctx.data.records.policies();
    const { ledger } = this.ctx.data;
    let expired = 0;
    let after: string | null = null;
    for (;;) {
      const batch = await ledger.accountIds(after, 500);
      if (batch.length === 0) break;
      after = batch.at(-1)!._id;
      for (const account of batch) {
        const policy =
          (account.communityId && policies.get(account.communityId)) || this.ctx.settings.yearEnd;
        if (policy === 'carry-over') continue;
        const written = await withOutbox(this.ctx.conn, async (session, outbox) => {
          const current = await ledger.account(account._id, session);
          const { changes, events } = orThrow(
            decideYearEnd(
              {
                memberId: account._id,
                county: account.county,
                communityId: account.communityId,
                communityPath: account.communityPath,
                year,
                at: now,
              },
              {
                policy,
                balanceAtYearEnd: await ledger.balanceBefore(account._id, to, session),
                balanceNow: totalsOfAccount(current).balance,
                earnedSince: await ledger.creditedSince(account._id, to, session),
                written: await ledger.written(`expiry:${account._id}:${year}`, session),
              },
            ),
          );
          if (!changes.entry || !(await ledger.append(changes.entry, session))) return 0;
          emitAll(outbox, events, { time: now });
          return 1;
        });
        expired += written;
      }
    }
    return { year, expired };
  }

  /** Both jobs once, at the clock's now. */
  async run(): Promise<{ escalated: number; yearEnd: { year: number; expired: number } }> {
    const escalated = await this.orders.escalateDue();
    return { escalated, yearEnd: await this.yearEnd() };
  }

  start(intervalMs: number): void {
    if (intervalMs <= 0 || this.handle) return;
    this.handle = this.timers.setInterval(() => {
      if (this.running) return;
      this.running = this.run()
        .catch((err: unknown) => this.ctx.logger.error({ err }, 'points jobs failed'))
        .finally(() => (this.running = null));
    }, intervalMs);
  }

  async stop(): Promise<void> {
    if (this.handle) this.timers.clearInterval(this.handle);
    this.handle = null;
    await this.running;
  }
}
