import { DEFAULT_RULES, colourOf, effectiveRules, ruleVersionOf, type RuleSet } from '../src/domain/rules.js';
import { applyQuota, quotaCount, scoreIndex, type Measures } from '../src/domain/scoring.js';
import { memberMeasures } from '../src/domain/measures.js';
import { computeRatings, type CountyWorld } from '../src/domain/ratings.js';
import type { Fact } from '../src/domain/facts.js';
import { dayAfterMonths, parsePeriod, previousQuarter } from '../src/domain/periods.js';

const R = DEFAULT_RULES;
const member = R.indices.member;
const m = (units: number, ...events: string[]) => ({ units, events });
const fact = (f: Partial<Fact> & Pick<Fact, '_id' | 'kind'>): Fact => ({
  county: '331003',
  memberId: 'li',
  communityId: 'cm-x',
  at: '2026-02-01T01:00:00.000Z',
  value: 0,
  ref: null,
  version: 0,
  note: null,
  eventId: `ev-${f._id}`,
  ...f,
});

describe('thresholds at every boundary (red ≥ 75, yellow 60–74, grey < 60)', () => {
  it.each([
    [100, 'red'],
    [75, 'red'],
    [74.99, 'yellow'],
    [74, 'yellow'],
    [60, 'yellow'],
    [59.99, 'grey'],
    [0, 'grey'],
  ] as const)('%p → %s', (score, colour) => expect(colourOf(score, R.thresholds)).toBe(colour));

  it('follows a county’s own thresholds', () => {
    const rules = effectiveRules(R, { thresholds: { red: 80 } });
    expect(colourOf(79, rules.thresholds)).toBe('yellow');
    expect(colourOf(80, rules.thresholds)).toBe('red');
  });
});

describe('items and caps', () => {
  it('adds a bonus item per unit', () => {
    const s = scoreIndex(member, R.thresholds, { 'attendance-hours': m(6.5, 'a1', 'a2', 'a3') });
    expect(s).toMatchObject({ base: 60, bonus: 6.5, deduction: 0, score: 66.5, colour: 'yellow' });
    expect(s.contributions).toEqual([
      expect.objectContaining({
        code: 'hours',
        units: 6.5,
        points: 6.5,
        capped: false,
        events: ['a1', 'a2', 'a3'],
      }),
    ]);
  });

  it('deducts a deduction item per unit', () => {
    const s = scoreIndex(member, R.thresholds, { 'noshow-open': m(1, 'f1') });
    expect(s).toMatchObject({ deduction: 6, score: 54, colour: 'grey' });
    expect(s.contributions[0]).toMatchObject({ code: 'noshow-open', points: -6, uncapped: -6 });
  });

  it('caps an item at its own cap', () => {
    const s = scoreIndex(member, R.thresholds, { 'attendance-hours': m(40, 'a') });
    expect(s.contributions[0]).toMatchObject({ points: 10, uncapped: 40, capped: true });
    expect(s.score).toBe(70);
  });

  it('caps all bonus items together at the group cap (20) and deductions likewise', () => {
    const bonus: Measures = {
      'attendance-hours': m(10, 'a'),
      'orders-done': m(3, 'o'),
      'manual-bonus': m(10, 'x'),
    };
    const s = scoreIndex(member, R.thresholds, bonus);
    expect(s).toMatchObject({ bonus: 20, bonusCapped: true, score: 80, colour: 'red' });
    const d = scoreIndex(member, R.thresholds, { 'noshow-open': m(2, 'f'), 'manual-deduction': m(15, 'y') });
    expect(d).toMatchObject({ deduction: 20, deductionCapped: true, score: 40 });
  });

  it('a reset item (清零) makes it 0 and grey at once, whatever the points', () => {
    const s = scoreIndex(member, R.thresholds, {
      'attendance-hours': m(10, 'a'),
      'absent-no-dues': m(1, 'r'),
    });
    expect(s).toMatchObject({ reset: true, score: 0, colour: 'grey' });
    expect(s.contributions.map((c) => c.code)).toEqual(['hours', 'absent-no-dues']);
  });

  it('a backward item keeps a subject from red (never reported: at most yellow)', () => {
    const s = scoreIndex(member, R.thresholds, {
      'attendance-hours': m(10, 'a'),
      'manual-bonus': m(10, 'b'),
      'never-reported': m(1),
    });
    expect(s).toMatchObject({ score: 80, colour: 'yellow', backward: true });
  });
});

describe('each item type of the default rules', () => {
  const items = (['member', 'community', 'street'] as const).flatMap((level) =>
    R.indices[level].items.map((item) => [level, item.code, item] as const),
  );
  it.each(items)('%s %s: one unit gives its points with its sign, naming the event', (level, _code, item) => {
    const s = scoreIndex(R.indices[level], R.thresholds, { [item.source]: m(1, 'ev-1') });
    const sign = item.effect === 'deduction' ? -1 : item.effect === 'bonus' ? 1 : 0;
    expect(s.contributions).toEqual([
      expect.objectContaining({ code: item.code, effect: item.effect, units: 1, points: sign * item.points }),
    ]);
    expect(s.contributions[0]!.events).toEqual(['ev-1']);
    expect(s.reset).toBe(item.effect === 'reset');
    expect(s.backward).toBe(item.effect === 'backward');
  });

  it('a member’s facts become her measures: calls fast up to 30 minutes, 5/5 ratings only, points net of reversals', () => {
    const ms = memberMeasures(
      [
        fact({ _id: 'call:a:li', kind: 'call-response', value: 1800 }),
        fact({ _id: 'call:b:li', kind: 'call-response', value: 1801 }),
        fact({ _id: 'order-rated:o1', kind: 'order-rated', value: 5 }),
        fact({ _id: 'order-rated:o2', kind: 'order-rated', value: 4 }),
        fact({ _id: 'points:p1', kind: 'points', value: 10 }),
        fact({ _id: 'points:p2', kind: 'points', value: -4 }),
        fact({ _id: 'manual:x', kind: 'manual', ref: 'manual-deduction', value: 3 }),
      ],
      true,
      R,
    );
    expect(ms['calls-fast']).toEqual({ units: 1, events: ['ev-call:a:li'] });
    expect(ms['calls-slow']).toEqual({ units: 1, events: ['ev-call:b:li'] });
    expect(ms['orders-rated-5']).toEqual({ units: 1, events: ['ev-order-rated:o1'] });
    expect(ms.points).toEqual({ units: 6, events: ['ev-points:p1', 'ev-points:p2'] });
    expect(ms['manual-deduction']).toEqual({ units: 3, events: ['ev-manual:x'] });
    expect(ms['never-reported']).toBeUndefined();
  });
});

describe('scenario 7: 58 + 14 − 6 = 66 → yellow, with its explanation', () => {
  const rules = effectiveRules(R, { indices: { member: { base: 58 } } });
  const facts: Fact[] = [
    fact({ _id: 'attendance:1', kind: 'attendance', value: 5 }),
    fact({ _id: 'attendance:2', kind: 'attendance', value: 5 }),
    fact({ _id: 'order-done:o1', kind: 'order-done', value: 2 }),
    fact({ _id: 'points:p1', kind: 'points', value: 10 }),
    fact({ _id: 'noshow-flag:r1:t', kind: 'noshow-flag', ref: 'r1' }),
    fact({ _id: 'report-active:r1', kind: 'report-active', ref: 'r1' }),
  ];
  const s = scoreIndex(rules.indices.member, rules.thresholds, memberMeasures(facts, true, rules));

  it('has the three parts and the colour', () => {
    expect(s).toMatchObject({ base: 58, bonus: 14, deduction: 6, score: 66, colour: 'yellow' });
  });
  it('names the events behind each part', () => {
    const byCode = Object.fromEntries(s.contributions.map((c) => [c.code, c]));
    expect(byCode.hours).toMatchObject({ points: 10, events: ['ev-attendance:1', 'ev-attendance:2'] });
    expect(byCode.attendances).toMatchObject({ points: 1 });
    expect(byCode.orders).toMatchObject({ points: 2, events: ['ev-order-done:o1'] });
    expect(byCode.points).toMatchObject({ points: 1, events: ['ev-points:p1'] });
    expect(byCode['noshow-open']).toMatchObject({ points: -6, events: ['ev-noshow-flag:r1:t'] });
    expect(s.contributions.filter((c) => c.effect === 'bonus').reduce((a, c) => a + c.points, 0)).toBe(14);
  });
  it('is versioned by the county override', () => {
    expect(ruleVersionOf(1, '331003', 2)).toBe('city-1+331003-2');
    expect(ruleVersionOf(3, null, null)).toBe('city-3');
  });
});

describe('报而不到 flags and clears, in any order', () => {
  const flag = fact({
    _id: 'noshow-flag:r1:a',
    kind: 'noshow-flag',
    ref: 'r1',
    at: '2026-03-01T00:00:00.000Z',
  });
  const clear = fact({
    _id: 'noshow-clear:r1:b',
    kind: 'noshow-clear',
    ref: 'r1',
    at: '2026-03-05T00:00:00.000Z',
  });
  it('a cleared flag deducts less and names both events', () => {
    for (const order of [
      [flag, clear],
      [clear, flag],
    ]) {
      const ms = memberMeasures(order, true, R);
      expect(ms['noshow-cleared']).toEqual({
        units: 1,
        events: ['ev-noshow-flag:r1:a', 'ev-noshow-clear:r1:b'],
      });
      expect(ms['noshow-open']).toBeUndefined();
    }
  });
  it('a clear before the flag does not clear it', () => {
    const early = { ...clear, _id: 'noshow-clear:r1:0', at: '2026-02-01T00:00:00.000Z' };
    expect(memberMeasures([early, flag], true, R)['noshow-open']).toMatchObject({ units: 1 });
  });
});

describe('quota', () => {
  it('counts at least N % (rounded up)', () => {
    expect(quotaCount(10, 10)).toBe(1);
    expect(quotaCount(11, 10)).toBe(2);
    expect(quotaCount(10, null)).toBe(0);
    expect(quotaCount(0, 10)).toBe(0);
  });
  it('turns the lowest-scoring red communities yellow until the quota is met', () => {
    const base = scoreIndex(R.indices.community, R.thresholds, {});
    const red = (id: string, score: number) => ({
      id,
      score: { ...base, score, colour: colourOf(score, R.thresholds) },
    });
    const out = applyQuota([red('a', 80), red('b', 76), red('c', 90)], 33);
    expect(out.map((s) => s.score.colour)).toEqual(['red', 'yellow', 'red']);
    expect(out[1]!.score.contributions.at(-1)).toMatchObject({ code: 'quota' });
  });
  it('changes nothing when enough are backward already', () => {
    const grey = {
      id: 'g',
      score: scoreIndex(R.indices.community, R.thresholds, { 'noshow-open': m(1, 'x') }),
    };
    const red = {
      id: 'r',
      score: scoreIndex(R.indices.community, R.thresholds, { 'activities-held': m(10, 'y') }),
    };
    expect(applyQuota([grey, red], 50)).toEqual([grey, red]);
  });
});

describe('roll-up member → community → street → county', () => {
  const world: CountyWorld = {
    county: '331003',
    countyName: '黄岩区',
    countyPath: '/331000/331003',
    members: [
      { id: 'li', name: 'Li', communityId: 'cm-x', orgPath: ['/c/cm-x'], reported: true },
      { id: 'wang', name: 'Wang', communityId: 'cm-x', orgPath: ['/c/cm-x'], reported: true },
    ],
    communities: [{ id: 'cm-x', name: 'X', path: '/c/st/cm-x', streetId: 'st', compoundIds: ['cp'] }],
    streets: [{ id: 'st', name: 'S', path: '/c/st' }],
    firmsByCompound: { cp: ['firm'] },
  };
  const facts: Fact[] = [
    fact({ _id: 'attendance:1', kind: 'attendance', value: 10 }),
    fact({ _id: 'order-done:1', kind: 'order-done' }),
    fact({ _id: 'activity:1', kind: 'activity', memberId: null, ref: 'act1' }),
    fact({ _id: 'activity:2', kind: 'activity', memberId: null, ref: 'act2' }),
    fact({ _id: 'activity-cancelled:2', kind: 'activity-cancelled', memberId: null, ref: 'act2' }),
    fact({
      _id: 'evaluation:firm:c1:v1',
      kind: 'evaluation',
      memberId: null,
      communityId: null,
      ref: 'firm',
      version: 1,
      note: 'B',
    }),
    fact({
      _id: 'evaluation:firm:c1:v2',
      kind: 'evaluation',
      memberId: null,
      communityId: null,
      ref: 'firm',
      version: 2,
      note: 'A',
    }),
  ];
  const ratings = computeRatings(world, facts, R as RuleSet, {
    period: '2026-Q1',
    ruleVersion: 'city-1',
    computedAt: '2026-04-01T00:00:00.000Z',
  });
  const by = Object.fromEntries(ratings.map((r) => [r.subjectId, r]));

  it('scores members from their facts', () => {
    expect(by.li!.result.score).toBe(72.5); // 60 + 10 (hours) + 0.5 (one attendance) + 2 (order)
    expect(by.wang!.result.score).toBe(60);
  });
  it('rolls members into their community with the latest evaluation version and held activities', () => {
    const codes = Object.fromEntries(by['cm-x']!.result.contributions.map((c) => [c.code, c]));
    expect(codes.activities).toMatchObject({ units: 1, points: 2 });
    expect(codes['property-good']).toMatchObject({ units: 1, events: ['ev-evaluation:firm:c1:v2'] });
    expect(codes.pioneers!.events).toEqual(['2026-Q1:li', '2026-Q1:wang']);
    expect(by['cm-x']!.parentId).toBe('st');
  });
  it('rolls communities into the street and streets into the county', () => {
    expect(by.st!.result.contributions.map((c) => c.code)).toContain('communities-avg');
    expect(by['331003']!.level).toBe('county');
    expect(by['331003']!.result.score).toBe(by.st!.result.score);
  });
});

describe('roll-up into the county when the tree skips the street level', () => {
  it('the county is the mean of its streets and of the communities directly under it', () => {
    const world: CountyWorld = {
      county: '331003',
      countyName: '黄岩区',
      countyPath: '/c',
      members: [],
      communities: [
        { id: 'cm-a', name: 'A', path: '/c/st/cm-a', streetId: 'st', compoundIds: [] },
        // Directly under the county; and one under a street that is closed (not rated).
        { id: 'cm-b', name: 'B', path: '/c/cm-b', streetId: null, compoundIds: [] },
        { id: 'cm-c', name: 'C', path: '/c/old/cm-c', streetId: 'old', compoundIds: [] },
      ],
      streets: [{ id: 'st', name: 'S', path: '/c/st' }],
      firmsByCompound: {},
    };
    const facts: Fact[] = Array.from({ length: 5 }, (_, i) =>
      fact({ _id: `activity:b${i}`, kind: 'activity', memberId: null, communityId: 'cm-b', ref: `b${i}` }),
    );
    const ratings = computeRatings(world, facts, R, {
      period: '2026',
      ruleVersion: 'city-1',
      computedAt: '2026-04-01T00:00:00.000Z',
    });
    const by = Object.fromEntries(ratings.map((r) => [r.subjectId, r]));
    expect(by['cm-b']!.result.score).toBe(70);
    expect(by['cm-b']!.parentId).toBe('331003');
    expect(by['cm-c']!.parentId).toBe('331003');
    const county = by['331003']!.result;
    // street 60, cm-b 70, cm-c 60
    expect(county.score).toBe(63.33);
    expect(county.contributions.flatMap((c) => c.events).sort()).toEqual([
      '2026:cm-b',
      '2026:cm-c',
      '2026:st',
    ]);
  });
});

describe('deadlines', () => {
  it.each([
    ['2026-04-02T09:00:00+08:00', 3, '2026-07-02'],
    ['2026-11-30T09:00:00+08:00', 3, '2027-02-28'],
    ['2027-08-31T09:00:00+08:00', 6, '2028-02-29'],
    ['2026-01-31T23:30:00+08:00', 1, '2026-02-28'],
    ['2026-12-31T20:00:00.000Z', 6, '2027-07-01'],
  ] as const)('%s + %p months → %s (China time; the month’s last day at most)', (at, months, day) =>
    expect(dayAfterMonths(new Date(at), months)).toBe(day),
  );
});

describe('periods', () => {
  it('bounds quarters, months and years in China Standard Time', () => {
    expect(parsePeriod('2026-Q1')).toMatchObject({
      kind: 'quarter',
      from: '2025-12-31T16:00:00.000Z',
      to: '2026-03-31T16:00:00.000Z',
    });
    expect(parsePeriod('2026-02')).toMatchObject({ kind: 'month' });
    expect(parsePeriod('2026')).toMatchObject({ kind: 'year', to: '2026-12-31T16:00:00.000Z' });
    expect(parsePeriod('2026-Q5')).toBeNull();
    expect(previousQuarter(new Date('2026-04-02T00:00:00+08:00'))).toBe('2026-Q1');
    expect(previousQuarter(new Date('2026-01-02T00:00:00+08:00'))).toBe('2025-Q4');
  });
});
