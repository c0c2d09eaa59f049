import { accept, draftEvent, refuse, type Decision, type EventDraft } from '@honglian/service-kit/domain';
import { PointsAwarded, PointsExpired, PointsReversed, StarReached } from '@honglian/contracts';
import { round2 } from './rules.js';

/**
 * The points ledger (DOMAIN.md §3): append-only entries, each with its cause
 * and rule version. A balance is the sum of a member's entries' points,
 * cumulative hours the sum of their hours; corrections are reversals. An
 * entry caused by an event has an id derived from that cause, so a second
 * delivery finds it written and adds nothing.
 */
export type EntryKind = 'award' | 'bonus' | 'redemption' | 'expiry' | 'reversal';
export type CauseType = 'attendance' | 'record' | 'order' | 'rating' | 'redemption' | 'year-end' | 'entry';

export interface Cause {
  type: CauseType;
  id: string;
}

export interface Entry {
  /** Derived from the cause, e.g. `award:attendance:att-…`: unique, so written once. */
  _id: string;
  county: string;
  memberId: string;
  communityId: string | null;
  communityPath: string | null;
  kind: EntryKind;
  /** Signed points: + award, bonus, a reversal of a debit; − redemption, expiry, a reversal of a credit. */
  points: number;
  /** Signed hours of service (awards carry them, their reversals take them back). */
  hours: number;
  cause: Cause;
  ruleVersion: string;
  reason: string | null;
  /** The entry a reversal cancels. */
  reverses: string | null;
  /** Optional team (volunteer team / organising unit) the service was for. */
  teamId: string | null;
  day?: string; // awards: the CST day of service (YYYY-MM-DD) the day's cap counts against
  at: Date;
  by: string;
}

/** A member's balance and hours as derived from the entries (kept with them in one transaction). */
export interface Account {
  _id: string;
  county: string;
  communityId: string | null;
  communityPath: string | null;
  /** Balance and hours in hundredths (integers, so sums stay exact). */
  balanceCents: number;
  hoursCents: number;
  entries: number;
  updatedAt: Date;
}

/** An account's totals in points and hours. */
export function totalsOfAccount(a: Pick<Account, 'balanceCents' | 'hoursCents' | 'entries'> | null): Totals {
  return a
    ? { balance: a.balanceCents / 100, hours: a.hoursCents / 100, entries: a.entries }
    : { balance: 0, hours: 0, entries: 0 };
}

export interface Totals {
  balance: number;
  hours: number;
  entries: number;
}

/** Ledger arithmetic: what a list of entries adds up to. */
export function totalsOf(entries: readonly Pick<Entry, 'points' | 'hours'>[]): Totals {
  let cents = 0;
  let hundredths = 0;
  for (const e of entries) {
    cents += Math.round(e.points * 100);
    hundredths += Math.round(e.hours * 100);
  }
  return { balance: cents / 100, hours: hundredths / 100, entries: entries.length };
}

/** The star levels (1-based) a change of cumulative hours crosses upwards. */
export function starsCrossed(before: number, after: number, thresholds: readonly number[]): number[] {
  const levels: number[] = [];
  thresholds.forEach((t, i) => {
    if (before < t && after >= t) levels.push(i + 1);
  });
  return levels;
}

/** The star level held at a number of cumulative hours (0 = none). */
export function starLevel(hours: number, thresholds: readonly number[]): number {
  return thresholds.filter((t) => hours >= t).length;
}

export interface Credit {
  entryId: string;
  kind: 'award' | 'bonus';
  memberId: string;
  county: string;
  communityId: string | null;
  communityPath: string | null;
  teamId?: string | null;
  /** Awards: the day of service the day's cap counts against. */
  day?: string;
  points: number;
  hours: number;
  cause: Cause;
  ruleVersion: string;
  at: Date;
  by: string;
}

/**
 * A credit to the ledger: the entry, its event, and a star event for every
 * level the member's hours cross. `written` = an entry with that id exists
 * already: nothing changes. A credit of 0 points and 0 hours is not written.
 */
export function decideCredit(
  c: Credit,
  state: {
    written: boolean;
    account: Totals | null;
    starsHeld: readonly number[];
    thresholds: readonly number[];
  },
): Decision<{ entry: Entry | null; stars: number[] }> {
  if (state.written || (c.points === 0 && c.hours === 0)) return accept({ entry: null, stars: [] });
  const entry: Entry = {
    _id: c.entryId,
    county: c.county,
    memberId: c.memberId,
    communityId: c.communityId,
    communityPath: c.communityPath,
    kind: c.kind,
    points: round2(c.points),
    hours: round2(c.hours),
    cause: c.cause,
    ruleVersion: c.ruleVersion,
    reason: null,
    reverses: null,
    teamId: c.teamId ?? null,
    ...(c.day ? { day: c.day } : {}),
    at: c.at,
    by: c.by,
  };
  const before = state.account ?? { balance: 0, hours: 0, entries: 0 };
  const balance = round2(before.balance + entry.points);
  const hours = round2(before.hours + entry.hours);
  const stars = starsCrossed(before.hours, hours, state.thresholds).filter(
    (l) => !state.starsHeld.includes(l),
  );
  const events: EventDraft[] = [
    draftEvent(PointsAwarded, {
      subject: c.memberId,
      county: c.county,
      data: {
        entryId: entry._id,
        county: c.county,
        memberId: c.memberId,
        kind: c.kind,
        points: entry.points,
        hours: entry.hours,
        communityId: c.communityId,
        cause: c.cause,
        ruleVersion: c.ruleVersion,
        balance,
        at: c.at.toISOString(),
      },
    }),
    ...stars.map((level) =>
      draftEvent(StarReached, {
        subject: c.memberId,
        county: c.county,
        data: {
          county: c.county,
          memberId: c.memberId,
          level,
          thresholdHours: state.thresholds[level - 1]!,
          hours,
          at: c.at.toISOString(),
        },
      }),
    ),
  ];
  return accept({ entry, stars }, events);
}

export const ALREADY_REVERSED = () =>
  refuse.conflict('该记账已冲正', 'the entry has been reversed already', { field: 'entryId' });

/**
 * A correction: a new entry of the opposite sign, with a reason. Reversals
 * and redemptions are not reversed here (a redemption is cancelled instead).
 */
export function decideReverse(
  target: Entry,
  cmd: { reason: string; at: Date; by: string; balance: Totals },
  state: { reversed: boolean },
): Decision<{ entry: Entry }> {
  if (state.reversed) return ALREADY_REVERSED();
  if (target.kind === 'reversal')
    return refuse.conflict('冲正记录不能再冲正', 'a reversal cannot be reversed', { field: 'entryId' });
  if (target.kind === 'redemption')
    return refuse.conflict('兑换请通过取消兑换冲正', 'cancel the redemption instead', { field: 'entryId' });
  const entry: Entry = {
    ...target,
    _id: `reversal:${target._id}`,
    kind: 'reversal',
    points: round2(-target.points),
    hours: round2(-target.hours),
    cause: { type: 'entry', id: target._id },
    reason: cmd.reason,
    reverses: target._id,
    at: cmd.at,
    by: cmd.by,
  };
  const balance = round2(cmd.balance.balance + entry.points);
  return accept({ entry }, [
    draftEvent(PointsReversed, {
      subject: target.memberId,
      county: target.county,
      data: {
        entryId: entry._id,
        reversesEntryId: target._id,
        county: target.county,
        memberId: target.memberId,
        points: entry.points,
        hours: entry.hours,
        reason: cmd.reason,
        balance,
        at: cmd.at.toISOString(),
      },
    }),
  ]);
}

/** How a community treats unused points at the year end (public: both exist). */
export type YearEndPolicy = 'clear' | 'carry-over';

/**
 * Year-end clearing (`carry-over`: nothing): what is left of the points held
 * at the year end expires, once per member and year. Spending comes out of
 * the old points first: the balance now less `earnedSince` (credits since,
 * net of reversals), at most the balance then. Points earned since never
 * expire; points spent since are not expired twice.
 */
export function decideYearEnd(
  cmd: {
    memberId: string;
    county: string;
    communityId: string | null;
    communityPath: string | null;
    year: number;
    at: Date;
  },
  state: {
    policy: YearEndPolicy;
    balanceAtYearEnd: number;
    balanceNow: number;
    earnedSince: number;
    written: boolean;
  },
): Decision<{ entry: Entry | null }> {
  if (state.policy === 'carry-over' || state.written) return accept({ entry: null });
  const points = round2(Math.min(state.balanceAtYearEnd, state.balanceNow - Math.max(0, state.earnedSince)));
  if (points <= 0) return accept({ entry: null });
  const entry: Entry = {
    _id: `expiry:${cmd.memberId}:${cmd.year}`,
    county: cmd.county,
    memberId: cmd.memberId,
    communityId: cmd.communityId,
    communityPath: cmd.communityPath,
    kind: 'expiry',
    points: -points,
    hours: 0,
    cause: { type: 'year-end', id: String(cmd.year) },
    ruleVersion: 'year-end',
    reason: `${cmd.year} 年度积分清零 (yearly clearing)`,
    reverses: null,
    teamId: null,
    at: cmd.at,
    by: 'system',
  };
  return accept({ entry }, [
    draftEvent(PointsExpired, {
      subject: cmd.memberId,
      county: cmd.county,
      data: {
        entryId: entry._id,
        county: cmd.county,
        memberId: cmd.memberId,
        communityId: cmd.communityId,
        year: cmd.year,
        points,
        balance: round2(state.balanceNow - points),
        at: cmd.at.toISOString(),
      },
    }),
  ]);
}
