import { refuse } from '@honglian/service-kit/domain';
import { throwRefusal, type Principal } from '@honglian/service-kit';
import {
  DEFAULT_RULES,
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

/**
 * Rule versions: the city's (version 1 is DOMAIN.md's default, built in) and each county's
 * override over it. A new version never changes an old one; ratings keep the version they used.
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

  /** What a county would work with if `override` were its next version (replay preview). */
  async candidate(county: string, override: RuleOverride): Promise<EffectiveRules> {
    const store = this.ctx.data.ratings;
    const [city, own] = await Promise.all([store.latestRule('city'), store.latestRule(county)]);
    return {
      rules: effectiveRules(city?.rules ?? DEFAULT_RULES, override),
      version: `${ruleVersionOf(city?.version ?? 1, county, own?.version ?? null)}+preview`,
    };
  }

  /** A new county override version (county admin of it, or the city). */
  async addOverride(county: string, override: RuleOverride, note: string, principal: Principal) {
    if (!principal.roles.includes('city-admin') && principal.county !== county)
      throwRefusal(refuse.notFound());
    const held = await this.ctx.data.ratings.latestRule(county);
    const version = (held?.version ?? 0) + 1;
    await this.ctx.data.ratings.addRule({
      _id: `${county}-${version}`,
      scope: county,
      version,
      rules: null,
      override,
      note,
      createdAt: this.ctx.clock.now().toISOString(),
      createdBy: actorOf(principal),
    });
    return this.effective(county);
  }
}
