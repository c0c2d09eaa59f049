import { ConfigError } from '@honglian/service-kit';
import { PointsConfigSchema, pointsSettingsOf, starHoursOf } from '../src/config.js';
import {
  decideCredit,
  decideReverse,
  decideYearEnd,
  starLevel,
  starsCrossed,
  totalsOf,
  type Entry,
} from '../src/domain/ledger.js';
import { decideRedeem, type CatalogueItem } from '../src/domain/redemption.js';
import { awardPoints, bonusPoints, DEFAULT_RULES, effectiveRules } from '../src/domain/rules.js';

const at = new Date('2026-03-02T10:00:00+08:00');
const STARS = [100, 300, 600, 1000, 1500];

describe('rules', () => {
  it('turns hours into points at the rate, capped per activity and by what is left of the day', () => {
    expect(awardPoints(2, 0, DEFAULT_RULES)).toBe(2);
    expect(awardPoints(1.25, 0, { ...DEFAULT_RULES, pointsPerHour: 2 })).toBe(2.5);
    expect(awardPoints(10, 0, DEFAULT_RULES)).toBe(8);
    expect(awardPoints(6, 8, DEFAULT_RULES)).toBe(4);
    expect(awardPoints(6, 12, DEFAULT_RULES)).toBe(0);
    expect(awardPoints(30, 0, { ...DEFAULT_RULES, capPerActivity: 0, capPerDay: 0 })).toBe(30);
  });

  it('caps bonuses per month', () => {
    expect(bonusPoints(1, 0, DEFAULT_RULES)).toBe(1);
    expect(bonusPoints(1, 9.5, DEFAULT_RULES)).toBe(0.5);
    expect(bonusPoints(1, 10, DEFAULT_RULES)).toBe(0);
    expect(bonusPoints(0, 0, DEFAULT_RULES)).toBe(0);
    expect(bonusPoints(3, 100, { ...DEFAULT_RULES, bonusCapPerMonth: 0 })).toBe(3);
  });

  it('applies the city version over the defaults and the county over the city, naming both versions', () => {
    const v = (scope: string, version: number, rules: object) => ({
      _id: `${scope}${version}`,
      scope,
      version,
      rules,
      createdAt: at,
      createdBy: 'x',
    });
    expect(effectiveRules(DEFAULT_RULES, null, null)).toEqual({ rules: DEFAULT_RULES, version: 'city-0' });
    const e = effectiveRules(
      DEFAULT_RULES,
      v('city', 2, { approvalRequired: true, pointsPerHour: 2 }),
      v('331003', 1, { pointsPerHour: 1.5 }),
    );
    expect(e).toEqual({
      rules: { ...DEFAULT_RULES, approvalRequired: true, pointsPerHour: 1.5 },
      version: 'city-2+331003-1',
    });
  });
});

describe('ledger arithmetic and stars', () => {
  it('sums entries exactly in hundredths', () => {
    expect(totalsOf(Array.from({ length: 10 }, () => ({ points: 0.1, hours: 0.1 })))).toEqual({
      balance: 1,
      hours: 1,
      entries: 10,
    });
    expect(
      totalsOf([
        { points: 2, hours: 2 },
        { points: -2, hours: -2 },
        { points: 1, hours: 0 },
      ]),
    ).toEqual({ balance: 1, hours: 0, entries: 3 });
  });

  it('finds the star levels crossed, each once', () => {
    expect(starsCrossed(99, 100, STARS)).toEqual([1]);
    expect(starsCrossed(99.99, 99.995, STARS)).toEqual([]);
    expect(starsCrossed(250, 700, STARS)).toEqual([2, 3]);
    expect(starsCrossed(100, 120, STARS)).toEqual([]);
    expect(starLevel(1500, STARS)).toBe(5);
    expect(starLevel(99, STARS)).toBe(0);
    const credit = {
      entryId: 'award:record:r1',
      kind: 'award' as const,
      memberId: 'm1',
      county: '331003',
      communityId: 'c',
      communityPath: '/p',
      points: 3,
      hours: 3,
      cause: { type: 'record' as const, id: 'r1' },
      ruleVersion: 'city-0',
      at,
      by: 'x',
    };
    const crossing = decideCredit(credit, {
      written: false,
      account: { balance: 90, hours: 98, entries: 10 },
      starsHeld: [],
      thresholds: STARS,
    });
    expect(crossing.ok && crossing.changes.stars).toEqual([1]);
    expect(crossing.ok && crossing.events.map((e) => e.event.type)).toEqual([
      'honglian.volunteer-points.points.awarded.v1',
      'honglian.volunteer-points.star.reached.v1',
    ]);
    const held = decideCredit(credit, {
      written: false,
      account: { balance: 90, hours: 98, entries: 10 },
      starsHeld: [1],
      thresholds: STARS,
    });
    expect(held.ok && held.changes.stars).toEqual([]);
    const again = decideCredit(credit, { written: true, account: null, starsHeld: [], thresholds: STARS });
    expect(again.ok && again.changes.entry).toBeNull();
  });

  it('reverses once, never a reversal or a redemption', () => {
    const entry: Entry = {
      _id: 'award:attendance:a1',
      county: '331003',
      memberId: 'm1',
      communityId: 'c',
      communityPath: '/p',
      kind: 'award',
      points: 2,
      hours: 2,
      cause: { type: 'attendance', id: 'a1' },
      ruleVersion: 'city-0',
      reason: null,
      reverses: null,
      teamId: null,
      at,
      by: 'x',
    };
    const cmd = { reason: '错误', at, by: 'staff', balance: { balance: 2, hours: 2, entries: 1 } };
    const r = decideReverse(entry, cmd, { reversed: false });
    expect(r.ok && r.changes.entry).toMatchObject({
      _id: 'reversal:award:attendance:a1',
      points: -2,
      hours: -2,
      kind: 'reversal',
    });
    expect(decideReverse(entry, cmd, { reversed: true })).toMatchObject({ ok: false, kind: 'conflict' });
    expect(decideReverse({ ...entry, kind: 'reversal' }, cmd, { reversed: false })).toMatchObject({
      ok: false,
      kind: 'conflict',
    });
    expect(decideReverse({ ...entry, kind: 'redemption' }, cmd, { reversed: false })).toMatchObject({
      ok: false,
      kind: 'conflict',
    });
  });
});

describe('year end: clearing vs carry-over', () => {
  const cmd = {
    memberId: 'm1',
    county: '331003',
    communityId: 'c',
    communityPath: '/p',
    year: 2026,
    at: new Date('2027-01-01T01:00:00+08:00'),
  };
  it('clears what was held at the year end and not spent since; points earned after it stay', () => {
    const d = decideYearEnd(cmd, {
      policy: 'clear',
      balanceAtYearEnd: 5,
      balanceNow: 6,
      earnedSince: 1,
      written: false,
    });
    expect(d.ok && d.changes.entry).toMatchObject({ _id: 'expiry:m1:2026', points: -5, kind: 'expiry' });
    const spent = decideYearEnd(cmd, {
      policy: 'clear',
      balanceAtYearEnd: 5,
      balanceNow: 2,
      earnedSince: 0,
      written: false,
    });
    expect(spent.ok && spent.changes.entry?.points).toBe(-2);
    // 10 held, 5 earned since and 8 spent (balance 7): the spending came out of the old points.
    const both = decideYearEnd(cmd, {
      policy: 'clear',
      balanceAtYearEnd: 10,
      balanceNow: 7,
      earnedSince: 5,
      written: false,
    });
    expect(both.ok && both.changes.entry?.points).toBe(-2);
    // An old credit reversed since (earned since −4): what is left of the old points expires.
    const reversed = decideYearEnd(cmd, {
      policy: 'clear',
      balanceAtYearEnd: 10,
      balanceNow: 6,
      earnedSince: -4,
      written: false,
    });
    expect(reversed.ok && reversed.changes.entry?.points).toBe(-6);
  });
  it('carries over, or clears nothing twice or nothing at all', () => {
    for (const state of [
      { policy: 'carry-over' as const, balanceAtYearEnd: 5, balanceNow: 5, earnedSince: 0, written: false },
      { policy: 'clear' as const, balanceAtYearEnd: 5, balanceNow: 5, earnedSince: 0, written: true },
      { policy: 'clear' as const, balanceAtYearEnd: 0, balanceNow: 5, earnedSince: 0, written: false },
      { policy: 'clear' as const, balanceAtYearEnd: 5, balanceNow: 5, earnedSince: 5, written: false },
    ]) {
      const d = decideYearEnd(cmd, state);
      expect(d.ok && d.changes.entry).toBeNull();
    }
  });
});

describe('redemption and config', () => {
  const item: CatalogueItem = {
    _id: 'i1',
    county: '331003',
    communityId: 'c',
    communityPath: '/p',
    name: '毛巾',
    price: 5,
    stock: 2,
    active: true,
    createdAt: at,
  };
  it('debits price × quantity only when the balance and the stock cover it', () => {
    const cmd = { redemptionId: 'r1', memberId: 'm1', county: '331003', quantity: 2, at, by: 'm1' };
    const ok = decideRedeem(cmd, { item, balance: 10 });
    expect(ok.ok && ok.changes.entry).toMatchObject({ points: -10, kind: 'redemption' });
    expect(decideRedeem(cmd, { item, balance: 9.99 })).toMatchObject({ kind: 'conflict' });
    expect(decideRedeem({ ...cmd, quantity: 3 }, { item, balance: 100 })).toMatchObject({
      kind: 'conflict',
      field: 'quantity',
    });
    expect(decideRedeem(cmd, { item: { ...item, active: false }, balance: 100 })).toMatchObject({
      kind: 'gone',
    });
  });
  it('reads rules from the environment and refuses bad star thresholds', () => {
    const s = pointsSettingsOf(
      PointsConfigSchema.parse({
        POINTS_PER_HOUR: '2',
        POINTS_APPROVAL_REQUIRED: 'true',
        POINTS_STAR_HOURS: '50,100',
      }),
    );
    expect(s.rules).toMatchObject({ pointsPerHour: 2, approvalRequired: true, capPerActivity: 8 });
    expect(s.starHours).toEqual([50, 100]);
    expect(pointsSettingsOf(PointsConfigSchema.parse({})).starHours).toEqual(STARS);
    expect(() => starHoursOf('100,50')).toThrow(ConfigError);
    expect(() => starHoursOf('abc')).toThrow(ConfigError);
  });
});
