import { emitAll, withOutbox } from '@honglian/messaging';
import { orThrow, scopeAllows, throwRefusal, type Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import { decidePublish, type History } from '../domain/consequences.js';
import { hasEnded, parsePeriod, periodOf } from '../domain/periods.js';
import { computeRatings, type Rating } from '../domain/ratings.js';
import type { RuleOverride } from '../domain/rules.js';
import { replayDiff } from '../domain/replay.js';
import type { AssessmentContext } from './context.js';
import { CONSEQUENCE_FIELDS, countiesOf } from './references.js';
import type { RuleService } from './rules.js';
import { loadWorld } from './world.js';

const CLOSED = () =>
  refuse.gone(
    '该期间已关闭，评定结果保持其规则版本',
    'the period is closed: its ratings keep their rule version',
  );
const BAD_PERIOD = () =>
  refuse.invalid('期间格式应为 2026、2026-Q2 或 2026-03', 'a period such as 2026, 2026-Q2 or 2026-03', {
    field: 'period',
  });

/** Period ratings on demand or on schedule, the live provisional index, publication, replay. */
export class RatingService {
  constructor(
    private readonly ctx: AssessmentContext,
    private readonly rules: RuleService,
  ) {}

  private range(period: string) {
    return parsePeriod(period) ?? throwRefusal(BAD_PERIOD());
  }

  /** The counties a caller may run, or one of them (out of scope: 404). */
  async counties(principal: Principal, county?: string): Promise<string[]> {
    const mine = countiesOf(principal, await this.ctx.data.projections.counties());
    if (!county) return mine;
    return mine.includes(county) ? [county] : throwRefusal(refuse.notFound());
  }

  /**
   * Computes one county's ratings of a period with the current rules, a candidate override, or
   * the rules of a stored version (when still known); nothing saved.
   */
  async ratingsOf(
    period: string,
    county: string,
    with_: { override?: RuleOverride; version?: string } = {},
  ): Promise<Rating[]> {
    const range = this.range(period);
    const stored = with_.version ? await this.rules.ofVersion(with_.version) : null;
    const { rules, version } = with_.override
      ? await this.rules.candidate(county, with_.override)
      : stored
        ? { rules: stored, version: with_.version! }
        : await this.rules.effective(county);
    const [world, facts] = await Promise.all([
      loadWorld(this.ctx, county, range),
      this.ctx.data.projections.facts(county, range.from, range.to),
    ]);
    // A member transferred here whose rating of this period her old county published already
    // stays rated there, once.
    const rated = await this.ctx.data.ratings.publishedElsewhere(
      period,
      county,
      world.members.map((m) => m.id),
    );
    if (rated.size) world.members = world.members.filter((m) => !rated.has(m.id));
    return computeRatings(world, facts, rules, {
      period,
      ruleVersion: version,
      computedAt: this.ctx.clock.now().toISOString(),
    });
  }

  /** Computes and stores a county's ratings of an open period (a closed one: 410, unchanged). */
  async compute(
    period: string,
    county: string,
  ): Promise<{ county: string; ratings: number; ruleVersion: string }> {
    const store = this.ctx.data.ratings;
    const held = await store.period(period, county);
    if (held?.status === 'closed') throwRefusal(CLOSED());
    const ratings = await this.ratingsOf(period, county);
    const ruleVersion = ratings[0]?.ruleVersion ?? (await this.rules.effective(county)).version;
    await withOutbox(this.ctx.conn, async (session) => {
      // Published while this was computing (a publish, a scheduled run): left as published.
      if ((await store.period(period, county, session))?.status === 'closed') throwRefusal(CLOSED());
      await store.replace(period, county, ratings, session);
      await store.putPeriod(
        {
          _id: `${period}:${county}`,
          period,
          county,
          status: 'open',
          ruleVersion,
          computedAt: this.ctx.clock.now().toISOString(),
          closedAt: null,
        },
        session,
      );
    });
    return { county, ratings: ratings.length, ruleVersion };
  }

  /**
   * Computes the period for every county the caller runs. Without a county named, a county
   * whose period is closed is skipped (listed) and the others are computed; when every one is
   * closed, or the county named is: 410, nothing changed.
   */
  async computeAll(period: string, principal: Principal, county?: string) {
    this.range(period);
    const counties = await this.counties(principal, county);
    const open: string[] = [];
    const skipped: string[] = [];
    for (const c of counties)
      ((await this.ctx.data.ratings.period(period, c))?.status === 'closed' ? skipped : open).push(c);
    if (skipped.length > 0 && open.length === 0) throwRefusal(CLOSED());
    const out = [];
    for (const c of open) out.push(await this.compute(period, c));
    return { period, counties: out, skipped };
  }

  /** Re-computes every open period of the caller's counties with the current rules (apply). */
  async applyToOpen(principal: Principal, county?: string) {
    const out = [];
    for (const c of await this.counties(principal, county))
      for (const p of await this.ctx.data.ratings.openPeriods(c))
        out.push({ period: p.period, ...(await this.compute(p.period, c)) });
    return out;
  }

  /** Closes an ended period: its ratings published (frozen), consequences opened, events emitted. */
  async publish(period: string, county: string, principal: Principal) {
    const range = this.range(period);
    await this.counties(principal, county);
    const now = this.ctx.clock.now();
    if (!hasEnded(range, now))
      throwRefusal(
        refuse.conflict('期间尚未结束，不能发布', 'the period has not ended yet: it cannot be published'),
      );
    const store = this.ctx.data.ratings;
    // Ratings computed before the period ended (the schedule's last run inside it, a compute
    // on demand) miss its last facts: computed once more from the whole period, with the rule
    // version they have. Ratings computed after the end are published as they are.
    const before = await store.period(period, county);
    const fresh =
      before?.status === 'open' && before.computedAt < range.to
        ? await this.ratingsOf(period, county, { version: before.ruleVersion })
        : null;
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const held = await store.period(period, county, session);
      if (held?.status === 'closed') throwRefusal(CLOSED());
      if (fresh) await store.replace(period, county, fresh, session);
      const ratings = fresh ?? (await store.ofPeriod(period, county, session));
      const history: History = new Map();
      for (const r of await store.history(
        ratings.map((x) => x.subjectId),
        period,
        session,
      )) {
        const list = history.get(r.subjectId) ?? [];
        list.push({ period: r.period, colour: r.result.colour, score: r.result.score });
        history.set(r.subjectId, list);
      }
      // Consequences follow the rules the ratings were computed with (deadlines, escalation),
      // not a version added since and not applied to the period.
      const version = ratings[0]?.ruleVersion;
      const rules =
        (version ? await this.rules.ofVersion(version) : null) ?? (await this.rules.effective(county)).rules;
      const decision = orThrow(decidePublish(ratings, history, rules, now));
      await store.save(decision.changes.ratings, session);
      await store.putConsequences(decision.changes.consequences, session);
      await store.putPeriod(
        {
          ...held!,
          status: 'closed',
          closedAt: now.toISOString(),
          ...(fresh
            ? { ruleVersion: fresh[0]?.ruleVersion ?? held!.ruleVersion, computedAt: now.toISOString() }
            : {}),
        },
        session,
      );
      emitAll(outbox, decision.events, { time: now });
      return {
        period,
        county,
        published: ratings.length,
        consequences: decision.changes.consequences.length,
      };
    });
  }

  /** What a county override would change in a period, subject by subject (nothing saved). */
  async preview(period: string, county: string, override: RuleOverride, principal: Principal) {
    await this.counties(principal, county);
    const current = await this.ctx.data.ratings.ofPeriod(period, county);
    const proposed = await this.ratingsOf(period, county, { override });
    const lines = replayDiff(current, proposed);
    return { period, county, changed: lines.filter((l) => l.colourChanged).length, lines };
  }

  /** The live provisional index of a subject: this year to date, current rules, not stored. */
  async live(subjectId: string, principal: Principal): Promise<Rating> {
    const member = await this.ctx.data.projections.member(subjectId);
    const org = member ? null : await this.ctx.data.projections.org(subjectId);
    const county = member?.county ?? org?.county;
    if (!county) throwRefusal(refuse.notFound());
    const period = periodOf(this.ctx.clock.now(), 'year');
    const rating = (await this.ratingsOf(period, county)).find((r) => r.subjectId === subjectId);
    // Officials by scope and a member their own; provisional, so never an api-consumer.
    if (!rating || !scopeAllows(principal, rating, CONSEQUENCE_FIELDS)) throwRefusal(refuse.notFound());
    return rating;
  }
}
