import { refuse, type Refusal } from '@honglian/service-kit/domain';
import { throwRefusal, type Principal } from '@honglian/service-kit';
import type { RuleDoc } from '../data/models.js';
import {
  DEFAULT_RULES,
  LEVELS,
  effectiveRules,
  ruleVersionOf,
  type RuleOverride,
  type RuleSet,
} from '../domain/rules.js';
import { actorOf, type AssessmentContext } from './context.js';

export interface EffectiveRules {
  rules: RuleSet;
  version: string;
}

/** One entry of a version history: the city's (`city-2`) or a county's (`331003-1`). */
export interface RuleVersionEntry {
  version: string;
  number: number;
  note: string;
  /** What this version changed over the one below it (city: the previous city version). */
  override: RuleOverride | null;
  createdAt: string | null;
  createdBy: string | null;
  current: boolean;
}

export interface RulesOverview extends EffectiveRules {
  county: string | null;
  history: { city: RuleVersionEntry[]; county: RuleVersionEntry[] };
}

/** Version 1 of the city rules: DOMAIN.md's default, built in (never stored). */
const BUILT_IN: RuleVersionEntry = {
  version: 'city-1',
  number: 1,
  note: '内置默认规则（DOMAIN.md §5） / built-in default rules',
  override: null,
  createdAt: null,
  createdBy: null,
  current: false,
};

const RACE = () =>
  refuse.conflict('规则版本刚被他人更新，请重试', 'another rule version was added meanwhile: retry');

/**
 * Whether an override fits the rules it applies over: item codes the index has, and red above
 * yellow in the result. Null when it does.
 */
export function overrideProblem(base: RuleSet, override: RuleOverride): Refusal | null {
  for (const level of LEVELS) {
    const codes = new Set(base.indices[level].items.map((i) => i.code));
    const unknown = Object.keys(override.indices?.[level]?.items ?? {}).filter((c) => !codes.has(c));
    if (unknown.length)
      return refuse.invalid(
        `${level} 指数没有这些计分项：${unknown.join('、')}`,
        `the ${level} index has no item ${unknown.join(', ')}`,
        { field: `override.indices.${level}.items`, extras: { unknown } },
      );
  }
  const t = effectiveRules(base, override).thresholds;
  if (t.red <= t.yellow)
    return refuse.invalid(
      `红色分数线（${t.red}）须高于黄色分数线（${t.yellow}）`,
      `the red threshold (${t.red}) must be above the yellow one (${t.yellow})`,
      { field: 'override.thresholds' },
    );
  return null;
}

/**
 * Rule versions: the city's (version 1 is DOMAIN.md's default, built in; each later one a full
 * rule set) and each county's override over the city's current one. A new version never
 * changes an old one; ratings keep the version they used; open periods take the new rules when
 * recomputed (`/rules/apply`, the schedule), closed ones never.
 */
export class RuleService {
  constructor(private readonly ctx: AssessmentContext) {}

  async effective(county: string): Promise<EffectiveRules> {
    const store = this.ctx.data.ratings;
    const [city, own] = await Promise.all([store.latestRule('city'), store.latestRule(county)]);
    const base = city?.rules ?? DEFAULT_RULES;
    return {
      rules: effectiveRules(base, own?.override ?? null),
      version: ruleVersionOf(city?.version ?? 1, county, own?.version ?? null),
    };
  }

  /**
   * The rules of a stored version string (`city-2`, `city-2+331003-1`): what the ratings of that
   * version were computed with. Null when the version is not known (e.g. a preview's).
   */
  async ofVersion(version: string): Promise<RuleSet | null> {
    const m = /^city-(\d+)(?:\+(\d{6})-(\d+))?$/.exec(version);
    if (!m) return null;
    const store = this.ctx.data.ratings;
    const [city, own] = await Promise.all([
      m[1] === '1' ? null : store.ruleById(`city-${m[1]}`),
      m[2] ? store.ruleById(`${m[2]}-${m[3]}`) : null,
    ]);
    if ((m[1] !== '1' && !city?.rules) || (m[2] && !own?.override)) return null;
    return effectiveRules(city?.rules ?? DEFAULT_RULES, own?.override ?? null);
  }

  /** What a county would work with if `override` were its next version (replay preview). */
  async candidate(county: string, override: RuleOverride): Promise<EffectiveRules> {
    const store = this.ctx.data.ratings;
    const [city, own] = await Promise.all([store.latestRule('city'), store.latestRule(county)]);
    const base = city?.rules ?? DEFAULT_RULES;
    const problem = overrideProblem(base, override);
    if (problem) throwRefusal(problem);
    return {
      rules: effectiveRules(base, override),
      version: `${ruleVersionOf(city?.version ?? 1, county, own?.version ?? null)}+preview`,
    };
  }

  /** A new county override version (county admin of it, or the city). */
  async addOverride(county: string, override: RuleOverride, note: string, principal: Principal) {
    if (!principal.roles.includes('city-admin') && principal.county !== county)
      throwRefusal(refuse.notFound());
    const store = this.ctx.data.ratings;
    const [city, held] = await Promise.all([store.latestRule('city'), store.latestRule(county)]);
    const problem = overrideProblem(city?.rules ?? DEFAULT_RULES, override);
    if (problem) throwRefusal(problem);
    const version = (held?.version ?? 0) + 1;
    const added = await store.addRule({
      _id: `${county}-${version}`,
      scope: county,
      version,
      rules: null,
      override,
      note,
      createdAt: this.ctx.clock.now().toISOString(),
      createdBy: actorOf(principal),
    });
    if (!added) throwRefusal(RACE());
    this.ctx.logger.info({ county, version, by: actorOf(principal) }, 'county rule version added');
    return this.effective(county);
  }

  /**
   * A new city version (city admin): the current city rules with `override` applied, stored
   * whole. Every county's override keeps applying over it; one it would leave with red not
   * above yellow refuses the version (422, the counties named).
   */
  async addCityVersion(override: RuleOverride, note: string, principal: Principal) {
    const store = this.ctx.data.ratings;
    const held = await store.latestRule('city');
    const current = held?.rules ?? DEFAULT_RULES;
    const problem = overrideProblem(current, override);
    if (problem) throwRefusal(problem);
    const rules = effectiveRules(current, override);
    const broken = (await store.latestOverrides())
      .filter((o) => o.override && overrideProblem(rules, o.override))
      .map((o) => o.scope);
    if (broken.length)
      throwRefusal(
        refuse.invalid(
          `新版本与这些区县的规则冲突（红色分数线须高于黄色）：${broken.join('、')}`,
          `the new version leaves these counties with red not above yellow: ${broken.join(', ')}`,
          { field: 'override.thresholds', extras: { counties: broken } },
        ),
      );
    const version = (held?.version ?? 1) + 1;
    const doc: RuleDoc = {
      _id: `city-${version}`,
      scope: 'city',
      version,
      rules,
      override,
      note,
      createdAt: this.ctx.clock.now().toISOString(),
      createdBy: actorOf(principal),
    };
    if (!(await store.addRule(doc))) throwRefusal(RACE());
    this.ctx.logger.info({ version, by: doc.createdBy }, 'city rule version added');
    return { version: ruleVersionOf(version, null, null), doc };
  }

  /**
   * The rules a county works with, their version and the version history (city and county),
   * for the caller's own county (city admin: any, or the city alone without a county).
   */
  async overview(principal: Principal, county?: string): Promise<RulesOverview> {
    const city = principal.roles.includes('city-admin');
    const target = county ?? principal.county ?? null;
    if ((!target && !city) || (target && !city && target !== principal.county))
      throwRefusal(refuse.notFound());
    const docs = await this.ctx.data.ratings.rules(target ? ['city', target] : ['city']);
    const cityDocs = docs.filter((d) => d.scope === 'city');
    const countyDocs = docs.filter((d) => d.scope !== 'city');
    const lastCity = cityDocs.at(-1) ?? null;
    const lastCounty = countyDocs.at(-1) ?? null;
    const entry = (d: RuleDoc, label: string): RuleVersionEntry => ({
      version: label,
      number: d.version,
      note: d.note,
      override: d.override,
      createdAt: d.createdAt,
      createdBy: d.createdBy,
      current: false,
    });
    const cityHistory = [BUILT_IN, ...cityDocs.map((d) => entry(d, `city-${d.version}`))].map(
      (e, i, all) => ({
        ...e,
        current: i === all.length - 1,
      }),
    );
    const countyHistory = countyDocs.map((d, i) => ({
      ...entry(d, `${d.scope}-${d.version}`),
      current: i === countyDocs.length - 1,
    }));
    return {
      county: target,
      rules: effectiveRules(lastCity?.rules ?? DEFAULT_RULES, lastCounty?.override ?? null),
      version: ruleVersionOf(lastCity?.version ?? 1, target, lastCounty?.version ?? null),
      history: { city: cityHistory, county: countyHistory },
    };
  }
}
