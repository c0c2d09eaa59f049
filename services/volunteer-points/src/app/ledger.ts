import { orThrow } from '@honglian/service-kit';
import { emitAll, type OutboxWriter } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import { decideCredit, totalsOfAccount, type Cause, type Entry } from '../domain/ledger.js';
import {
  awardPoints,
  bonusPoints,
  dayOf,
  effectiveRules,
  monthOf,
  type EffectiveRules,
} from '../domain/rules.js';
import type { PointsContext } from './context.js';

/** Who is credited, for what and where: the facts every credit needs. */
export interface CreditTarget {
  memberId: string;
  county: string;
  communityId: string | null;
  communityPath: string | null;
  teamId?: string | null;
  /** The CST day of the service (awards; default the day of `at`): the day's cap counts against it. */
  day?: string;
  cause: Cause;
  at: Date;
  by: string;
}

const startOfMonth = (month: string) => new Date(`${month}-01T00:00:00+08:00`);
function nextMonth(month: string): Date {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return startOfMonth(m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`);
}

/**
 * Writes credits to the ledger inside the caller's transaction: the rules in
 * force for the county now (a new rule version affects new entries only),
 * the caps against what the member already earned that day or month, the
 * entry (once per cause), the account, stars crossed and the events.
 */
export class Ledger {
  constructor(private readonly ctx: PointsContext) {}

  async rulesFor(county: string, session?: ClientSession): Promise<EffectiveRules> {
    const { records } = this.ctx.data;
    const [city, own] = await Promise.all([
      records.latestRule('city', session),
      records.latestRule(county, session),
    ]);
    return effectiveRules(this.ctx.settings.rules, city, own);
  }

  /** Hours of service turned into points (capped per activity and day). */
  async award(
    t: CreditTarget,
    hours: number,
    session: ClientSession,
    outbox: OutboxWriter,
  ): Promise<Entry | null> {
    const entryId = `award:${t.cause.type}:${t.cause.id}`;
    if (await this.ctx.data.ledger.written(entryId, session)) return null;
    const { rules, version } = await this.rulesFor(t.county, session);
    // The day's cap is the day of the service, whenever its record is approved.
    const day = t.day ?? dayOf(t.at);
    const earned = await this.ctx.data.ledger.awardedOn(t.memberId, day, session);
    const points = awardPoints(hours, earned, rules);
    return this.credit(
      { ...t, day, entryId, kind: 'award', points, hours, ruleVersion: version },
      session,
      outbox,
    );
  }

  /** A bonus (completed order, 5/5 rating), limited by the month's bonus cap. */
  async bonus(
    t: CreditTarget,
    which: 'bonusOrderDone' | 'bonusFiveStar',
    session: ClientSession,
    outbox: OutboxWriter,
  ): Promise<Entry | null> {
    const entryId = `bonus:${t.cause.type}:${t.cause.id}`;
    if (await this.ctx.data.ledger.written(entryId, session)) return null;
    const { rules, version } = await this.rulesFor(t.county, session);
    const month = monthOf(t.at);
    const so = await this.ctx.data.ledger.sumPoints(
      t.memberId,
      ['bonus'],
      startOfMonth(month),
      nextMonth(month),
      session,
    );
    const points = bonusPoints(rules[which], so, rules);
    return this.credit(
      { ...t, entryId, kind: 'bonus', points, hours: 0, ruleVersion: version },
      session,
      outbox,
    );
  }

  private async credit(
    c: CreditTarget & {
      entryId: string;
      kind: 'award' | 'bonus';
      points: number;
      hours: number;
      ruleVersion: string;
    },
    session: ClientSession,
    outbox: OutboxWriter,
  ): Promise<Entry | null> {
    const { ledger } = this.ctx.data;
    const account = await ledger.account(c.memberId, session);
    const held = (await ledger.starsOf(c.memberId, session)).map((s) => s.level);
    const { changes, events } = orThrow(
      decideCredit(c, {
        written: false,
        account: totalsOfAccount(account),
        starsHeld: held,
        thresholds: this.ctx.settings.starHours,
      }),
    );
    if (!changes.entry) return null;
    await ledger.append(changes.entry, session);
    const hours = totalsOfAccount(account).hours + changes.entry.hours;
    await ledger.insertStars(
      changes.stars.map((level) => ({
        _id: `${c.memberId}:${level}`,
        memberId: c.memberId,
        county: c.county,
        level,
        hours: Math.round(hours * 100) / 100,
        at: c.at,
      })),
      session,
    );
    emitAll(outbox, events, { time: this.ctx.clock.now() });
    return changes.entry;
  }
}
