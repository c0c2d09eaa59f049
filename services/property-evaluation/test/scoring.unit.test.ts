import * as w from '../src/domain/webhooks.js';
import type { Principal } from '@honglian/service-kit';
import { decideCycleStep, decideCreateCycle, type Cycle } from '../src/domain/cycles.js';
import { addMonths, parsePeriod } from '../src/domain/period.js';
import { canonicalJson, computeResults, contentHashOf, decidePublishVersion } from '../src/domain/results.js';
import { belongsToFirm } from '../src/domain/roles.js';
import {
  bandOf,
  bonusOf,
  round2,
  scoreCompound,
  scoreFirm,
  type CompoundScore,
  type ScoredSubmission,
} from '../src/domain/scoring.js';
import { checkContent, decideSubmit } from '../src/domain/submissions.js';
import {
  DEFAULT_RULES,
  validateTemplate,
  type Template,
  type TemplateRules,
} from '../src/domain/template.js';

const rules = DEFAULT_RULES;
let n = 0;
const sub = (
  raterRole: ScoredSubmission['raterRole'],
  over: Partial<ScoredSubmission> = {},
): ScoredSubmission => ({
  _id: `sub-${++n}`,
  raterRole,
  revision: 1,
  scores: {},
  survey: null,
  vetoes: [],
  bonuses: [],
  ...over,
});

/** Scenario 5: community 82, branch 78, owners' committee 75, residents 68 %, street 80. */
const scenario5 = (): ScoredSubmission[] => [
  sub('community', { scores: { env: 25, facilities: 25, safety: 32 } }),
  sub('branch', { scores: { 'party-building': 39, cooperation: 39 } }),
  sub('committee', { scores: { contract: 38, transparency: 37 } }),
  sub('residents', { survey: { respondents: 100, satisfied: 68 } }),
  sub('street', { scores: { 'street-safety': 40, 'street-order': 40 } }),
];

describe('template validation', () => {
  it('accepts the default template (DOMAIN.md numbers: weights total 100)', () => {
    expect(validateTemplate(rules).ok).toBe(true);
    const total = Object.values(rules.roleWeights).reduce((a, b) => a + (b ?? 0), 0);
    expect(total).toBe(100);
    expect(rules.bands).toEqual({ AAA: 85, AA: 80, A: 70, B: 60 });
    expect(rules.tenderBonus).toEqual({ AAA: 3, AA: 2, A: 1 });
    expect(rules.bonusCap).toBe(15);
  });

  it.each<[string, Partial<TemplateRules>, string]>([
    ['weights not totalling 100', { roleWeights: { ...rules.roleWeights, street: 25 } }, 'roleWeights'],
    [
      'a weighted role without indicators',
      { groups: rules.groups.filter((g) => g.code !== 'street') },
      'groups',
    ],
    ['bands out of order', { bands: { AAA: 85, AA: 86, A: 70, B: 60 } }, 'bands'],
    [
      'a bonus item above the cap',
      { bonusItems: [{ code: 'x', name: 'x', maxPoints: 20, raisedBy: ['branch'] }] },
      'bonusItems',
    ],
    ['a required role with no weight', { requiredRoles: ['bureau'] }, 'requiredRoles'],
    [
      'a bonus the firm could give itself (self-dealing)',
      { bonusItems: [{ code: 'x', name: 'x', maxPoints: 5, raisedBy: ['self', 'branch'] }] },
      'bonusItems',
    ],
    [
      'a duplicate indicator code',
      {
        groups: [
          ...rules.groups,
          { code: 'dup', name: 'd', indicators: [{ code: 'env', name: 'e', maxPoints: 1, role: 'self' }] },
        ],
      },
      'groups',
    ],
  ])('refuses %s (422 on the field)', (_what, change, field) => {
    const d = validateTemplate({ ...rules, ...change });
    expect(d).toMatchObject({ ok: false, kind: 'invalid', field });
  });
});

describe('scoring arithmetic', () => {
  it('scenario 5 → 75.4, band A, tender +1', () => {
    const c = scoreCompound(rules, { compoundId: 'c1', households: 1800, submissions: scenario5() });
    expect(c.scored).toBe(true);
    expect(c.roles.find((r) => r.role === 'residents')?.score).toBe(68);
    expect(c.score).toBe(75.4);
    const firm = scoreFirm(rules, [c]);
    expect(firm).toMatchObject({
      score: 75.4,
      band: 'A',
      tenderBonus: 1,
      tenderBarred: false,
      vetoed: false,
    });
  });

  it('the firm’s self-assessment is shown but weighs nothing', () => {
    const withSelf = scoreCompound(rules, {
      compoundId: 'c1',
      households: 10,
      submissions: [...scenario5(), sub('self', { scores: { 'self-overall': 100 } })],
    });
    expect(withSelf.score).toBe(75.4);
    expect(withSelf.roles.find((r) => r.role === 'self')).toMatchObject({ weight: 0, score: 100 });
  });

  it('scenario 6: a veto → C and tender-barred whatever the points', () => {
    const subs = scenario5().map((s) =>
      s.raterRole === 'street' ? { ...s, vetoes: ['major-safety-accident'] } : s,
    );
    const c = scoreCompound(rules, { compoundId: 'c1', households: 500, submissions: subs });
    expect(c.score).toBe(75.4);
    const firm = scoreFirm(rules, [c]);
    expect(firm).toMatchObject({
      band: 'C',
      vetoed: true,
      vetoes: ['major-safety-accident'],
      tenderBarred: true,
      tenderBonus: 0,
    });
  });
});

describe('not scored, never a default', () => {
  it('a missing required role leaves the compound unscored and names the role', () => {
    const c = scoreCompound(rules, {
      compoundId: 'c1',
      households: 100,
      submissions: scenario5().filter((s) => s.raterRole !== 'branch'),
    });
    expect(c).toMatchObject({
      scored: false,
      score: null,
      notScored: [{ code: 'missing-role', role: 'branch' }],
    });
  });

  it('below the resident sample the compound is unscored; at the minimum it counts', () => {
    const at = (respondents: number) =>
      scoreCompound(rules, {
        compoundId: 'c1',
        households: 100,
        submissions: scenario5().map((s) =>
          s.raterRole === 'residents' ? { ...s, survey: { respondents, satisfied: respondents } } : s,
        ),
      });
    expect(at(29)).toMatchObject({
      scored: false,
      notScored: [{ code: 'resident-sample', respondents: 29, minimum: 30 }],
    });
    expect(at(30).scored).toBe(true);
  });

  it('no submissions at all: not scored, no band', () => {
    const c = scoreCompound(rules, { compoundId: 'c1', households: 100, submissions: [] });
    expect(c.score).toBeNull();
    expect(scoreFirm(rules, [c])).toMatchObject({ score: null, band: null, tenderBonus: 0 });
  });

  it('unknown households: not scored', () => {
    const c = scoreCompound(rules, { compoundId: 'c1', households: null, submissions: scenario5() });
    expect(c.notScored).toEqual([{ code: 'households-unknown' }]);
  });
});

describe('bands at their exact boundaries (≥ the threshold, after rounding to 2 decimals)', () => {
  it.each([
    [100, 'AAA'],
    [85, 'AAA'],
    [84.995, 'AAA'],
    [84.99, 'AA'],
    [80, 'AA'],
    [79.99, 'A'],
    [70, 'A'],
    [69.99, 'B'],
    [60, 'B'],
    [59.99, 'C'],
    [0, 'C'],
  ])('%d → %s', (score, band) => {
    expect(bandOf(score, rules.bands)).toBe(band);
  });

  it('rounds half up without binary noise', () => {
    expect(round2(84.995)).toBe(85);
    expect(round2(1.005)).toBe(1.01);
    expect(round2(75.4)).toBe(75.4);
  });
});

describe('bonus points', () => {
  it('each item is capped at its maximum and the sum at the template’s cap (15)', () => {
    expect(
      bonusOf(rules, [
        { scores: {}, survey: null, vetoes: [], bonuses: [{ code: 'party-building', points: 10 }] },
      ]),
    ).toBe(10);
    expect(
      bonusOf(rules, [
        { scores: {}, survey: null, vetoes: [], bonuses: [{ code: 'party-building', points: 10 }] },
        {
          scores: {},
          survey: null,
          vetoes: [],
          bonuses: [
            { code: 'party-building', points: 4 },
            { code: 'red-property', points: 10 },
          ],
        },
      ]),
    ).toBe(15);
  });

  it('a compound’s score with bonus never passes 100', () => {
    const top = scenario5().map((s) =>
      s.raterRole === 'residents'
        ? { ...s, survey: { respondents: 100, satisfied: 100 } }
        : s.raterRole === 'branch'
          ? {
              ...s,
              scores: { 'party-building': 50, cooperation: 50 },
              bonuses: [{ code: 'party-building', points: 10 }],
            }
          : s,
    );
    const c = scoreCompound(rules, { compoundId: 'c', households: 1, submissions: top });
    expect(c.bonus).toBe(10);
    expect(c.score).toBe(Math.min(100, c.base! + 10));
    expect(c.score).toBeLessThanOrEqual(100);
  });
});

describe('household weighting', () => {
  const compound = (id: string, households: number | null, score: number | null): CompoundScore => ({
    compoundId: id,
    households,
    scored: score !== null && households !== null,
    notScored: [],
    roles: [],
    base: score,
    bonus: 0,
    score,
    vetoes: [],
  });

  it('Σ households × score / Σ households over the scored compounds', () => {
    const firm = scoreFirm(rules, [compound('a', 1800, 75.4), compound('b', 200, 95)]);
    expect(firm.score).toBe(round2((1800 * 75.4 + 200 * 95) / 2000));
    expect(firm.score).toBe(77.36);
    expect(firm.band).toBe('A');
    expect(firm).toMatchObject({ scoredHouseholds: 2000, totalHouseholds: 2000 });
  });

  it('unscored compounds do not count; their households show in the total', () => {
    const firm = scoreFirm(rules, [compound('a', 1000, 90), { ...compound('b', 500, null), scored: false }]);
    expect(firm).toMatchObject({
      score: 90,
      band: 'AAA',
      scoredHouseholds: 1000,
      totalHouseholds: 1500,
      tenderBonus: 3,
    });
  });
});

describe('content checked against the template', () => {
  it('needs every indicator of the role, within range, and only the role’s', () => {
    const c = { scores: { env: 25, facilities: 25 }, survey: null, vetoes: [], bonuses: [] };
    expect(checkContent(rules, 'community', c)).toMatchObject({ ok: false, field: 'scores.safety' });
    expect(checkContent(rules, 'community', { ...c, scores: { ...c.scores, safety: 41 } })).toMatchObject({
      ok: false,
      field: 'scores.safety',
    });
    expect(
      checkContent(rules, 'community', { ...c, scores: { ...c.scores, safety: 40, contract: 1 } }),
    ).toMatchObject({
      ok: false,
      field: 'scores.contract',
    });
    expect(checkContent(rules, 'community', { ...c, scores: { ...c.scores, safety: 40 } }).ok).toBe(true);
  });

  it('an indicator coded `constructor` is required like any other (own keys only)', () => {
    const tricky: TemplateRules = {
      ...rules,
      groups: [
        ...rules.groups.filter((g) => g.code !== 'community'),
        {
          code: 'community',
          name: 'c',
          indicators: [{ code: 'constructor', name: 'c', maxPoints: 100, role: 'community' }],
        },
      ],
    };
    const empty = { scores: {}, survey: null, vetoes: [], bonuses: [] };
    expect(checkContent(tricky, 'community', empty)).toMatchObject({
      ok: false,
      field: 'scores.constructor',
    });
  });

  it('vetoes and bonuses only from the roles that may raise them', () => {
    const c = {
      scores: { contract: 1, transparency: 1 },
      survey: null,
      vetoes: ['major-safety-accident'],
      bonuses: [],
    };
    expect(checkContent(rules, 'committee', c)).toMatchObject({ ok: false, field: 'vetoes' });
    expect(
      checkContent(rules, 'residents', {
        scores: {},
        survey: { respondents: 10, satisfied: 11 },
        vetoes: [],
        bonuses: [],
      }),
    ).toMatchObject({ ok: false, field: 'survey' });
  });
});

describe('self-dealing and cycle steps', () => {
  const p = (over: Partial<Principal>): Principal => ({
    subject: 's',
    roles: ['compound-committee'],
    ...over,
  });
  const firm = { id: 'f1', county: '331003', name: 'F', path: '/331000/331003/f1', creditCode: null };

  it('a rater belongs to a firm it names or whose subtree it sits in', () => {
    expect(belongsToFirm(p({ firmId: 'f1' }), firm)).toBe(true);
    expect(belongsToFirm(p({ orgPath: '/331000/331003/f1/branch' }), firm)).toBe(true);
    expect(belongsToFirm(p({ orgPath: '/331000/331003/c1' }), firm)).toBe(false);
  });

  const created = decideCreateCycle({
    cycleId: 'cyc-1',
    county: '331003',
    period: '2026-H1',
    templateId: 't',
    noticeDays: 7,
    now: new Date('2026-07-01T00:00:00Z'),
    actor: 'a',
    duplicate: false,
  });
  const cycle = (created.ok ? created.changes.cycle : null) as Cycle;

  it('a firm that belongs refuses with 403 before anything else of the rating is checked', () => {
    const d = decideSubmit(
      {
        submissionId: 's1',
        raterRole: 'branch',
        scores: {},
        survey: null,
        vetoes: [],
        bonuses: [],
        evidence: [],
        comment: '',
        principal: p({ firmId: 'f1', roles: ['compound-committee', 'property-firm'] }),
        actor: 'x',
        now: new Date(),
      },
      {
        cycle: { ...cycle, status: 'collecting' },
        template: rules,
        firm,
        compound: { id: 'c1', county: '331003', path: '/331000/331003/c1' },
        serves: true,
        existing: null,
      },
    );
    expect(d).toMatchObject({ ok: false, kind: 'forbidden' });
  });

  it('illegal transitions are conflicts; publication waits for the notice and the appeals', () => {
    const at = new Date('2026-07-02T00:00:00Z');
    const step = (
      c: Cycle,
      action: 'start' | 'compute' | 'notice' | 'publish',
      now = at,
      pendingAppeals = 0,
    ) => decideCycleStep(c, { action, now, actor: 'a', pendingAppeals });
    expect(step(cycle, 'publish')).toMatchObject({ ok: false, kind: 'conflict' });
    expect(step(cycle, 'compute')).toMatchObject({ ok: false, kind: 'conflict' });
    const started = step(cycle, 'start');
    if (!started.ok) throw new Error('start');
    const computed = step(started.changes.cycle, 'compute');
    if (!computed.ok) throw new Error('compute');
    expect(computed.events).toHaveLength(1);
    const notice = step(computed.changes.cycle, 'notice');
    if (!notice.ok) throw new Error('notice');
    expect(notice.changes.cycle.noticeEndsAt).toEqual(new Date('2026-07-09T00:00:00Z'));
    expect(step(notice.changes.cycle, 'publish', new Date('2026-07-08T23:59:59Z'))).toMatchObject({
      ok: false,
    });
    expect(step(notice.changes.cycle, 'publish', new Date('2026-07-09T00:00:00Z'), 1)).toMatchObject({
      ok: false,
    });
    expect(step(notice.changes.cycle, 'publish', new Date('2026-07-09T00:00:00Z')).ok).toBe(true);
  });

  it('periods and months', () => {
    expect(parsePeriod('2026-H2')).toEqual({ kind: 'half-year', from: '2026-07-01', to: '2027-01-01' });
    expect(parsePeriod('2026-Q4')).toEqual({ kind: 'quarter', from: '2026-10-01', to: '2027-01-01' });
    expect(parsePeriod('2026-Q5')).toBeNull();
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
  });
});

describe('publication', () => {
  const template: Template = {
    ...rules,
    _id: 'tpl-default-v1',
    county: null,
    code: 'default',
    version: 1,
    createdAt: new Date(0),
    createdBy: 'system',
    usedAt: null,
  };
  const cycle = {
    _id: 'cyc-1',
    county: '331003',
    period: '2026-H1',
    households: { c1: 1800 },
  } as unknown as Cycle;
  const [result] = computeResults(
    template,
    cycle,
    [
      {
        firm: { id: 'f1', county: '331003', name: 'F', path: '/f1', creditCode: 'X' },
        compounds: [{ id: 'c1', name: 'C' }],
      },
    ],
    scenario5().map((s) => ({ ...s, firmId: 'f1', compoundId: 'c1' })),
    new Date('2026-07-02T00:00:00Z'),
  );

  it('freezes a body whose hash is the sha256 of its canonical JSON; a revision is the next version', () => {
    const first = decidePublishVersion(result!, template, {
      now: new Date('2026-07-10T00:00:00Z'),
      reason: null,
      previous: null,
    });
    if (!first.ok) throw new Error('publish');
    const v1 = first.changes.version;
    expect(v1.version).toBe(1);
    expect(v1.contentHash).toBe(contentHashOf(JSON.parse(JSON.stringify(v1.body))));
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
    const second = decidePublishVersion(result!, template, {
      now: new Date('2026-08-01T00:00:00Z'),
      reason: 'corrected',
      previous: v1,
    });
    if (!second.ok) throw new Error('revise');
    expect(second.changes.version).toMatchObject({
      version: 2,
      body: { supersedesVersion: 1, reason: 'corrected' },
    });
    expect(second.changes.version.contentHash).not.toBe(v1.contentHash);
    expect(second.events.map((e) => e.event.type)).toEqual([
      'honglian.property-evaluation.result.revised.v1',
    ]);
  });
});

describe('webhook rules', () => {
  const d = {
    _id: 'dlv-1',
    subscriptionId: 'whk-1',
    owner: 'c',
    eventId: 'e',
    event: 'result.published' as const,
    payload: {},
    status: 'pending' as const,
    attempts: 0,
    nextAttemptAt: new Date(0),
    log: [],
    createdAt: new Date(0),
  };
  const policy = { maxAttempts: 3, backoffMs: 1000 };

  it('allows only listed origins, no credentials in the URL', () => {
    const list = ['https://bid.example.org', 'http://127.0.0.1:8080/hooks'];
    expect(w.allowed('https://bid.example.org/x', list)).toBe(true);
    expect(w.allowed('https://bid.example.org.evil.com/x', list)).toBe(false);
    expect(w.allowed('https://user:pw@bid.example.org/x', list)).toBe(false);
    expect(w.allowed('http://127.0.0.1:8080/hooks/a', list)).toBe(true);
    expect(w.allowed('http://127.0.0.1:8080/other', list)).toBe(false);
    expect(w.allowed('ftp://bid.example.org/x', list)).toBe(false);
  });

  it('retries with doubling backoff until the attempts run out', () => {
    const at = new Date(10_000);
    const one = w.afterAttempt(d, { status: 500, error: null, at }, policy);
    expect(one).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: new Date(11_000) });
    const two = w.afterAttempt(one, { status: null, error: 'refused', at }, policy);
    expect(two.nextAttemptAt).toEqual(new Date(12_000));
    expect(w.afterAttempt(two, { status: 502, error: null, at }, policy)).toMatchObject({
      status: 'failed',
      nextAttemptAt: null,
    });
    expect(w.afterAttempt(one, { status: 204, error: null, at }, policy)).toMatchObject({
      status: 'delivered',
    });
    expect(w.signatureOf('s', 1, 'b')).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});
