import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import type { Page, PageRequest } from '../data/page.js';
import { isAdminOf } from '../domain/roles.js';
import { canonicalJson } from '../domain/results.js';
import {
  DEFAULT_RULES,
  DEFAULT_TEMPLATE_CODE,
  validateTemplate,
  type Template,
  type TemplateRules,
} from '../domain/template.js';
import { actorOf, type EvaluationContext } from './context.js';
import type { References } from './references.js';
import { templateFilter } from './scope.js';

/** Templates: versions, never edited once saved; a new version is a new document. */
export class TemplateService {
  constructor(
    private readonly ctx: EvaluationContext,
    private readonly refs: References,
  ) {}

  private get store() {
    return this.ctx.data.templates;
  }

  /** The rules of the default template with this deployment's settings. */
  defaultRules(): TemplateRules {
    const s = this.ctx.settings;
    return { ...DEFAULT_RULES, minResidentSample: s.minResidentSample, blacklistMonths: s.blacklistMonths };
  }

  /** Saves the default template as a new version when its rules differ from the latest one (or none is saved). */
  async ensureDefault(): Promise<Template> {
    const rules = this.defaultRules();
    const latest = await this.store.latest(DEFAULT_TEMPLATE_CODE, null);
    if (latest && canonicalJson(rulesOf(latest)) === canonicalJson(rules)) return latest;
    const version = (latest?.version ?? 0) + 1;
    const template: Template = {
      ...rules,
      _id: `tpl-${DEFAULT_TEMPLATE_CODE}-v${version}`,
      county: null,
      code: DEFAULT_TEMPLATE_CODE,
      version,
      createdAt: this.ctx.clock.now(),
      createdBy: 'system',
      usedAt: null,
    };
    await this.store.insert(template).catch(async (err: { code?: number }) => {
      if (err.code !== 11000) throw err; // another replica saved it first
    });
    return (await this.store.latest(DEFAULT_TEMPLATE_CODE, null)) ?? template;
  }

  /** A new version of a template of the caller's county (city admins: the city's, or a county's). */
  async create(
    p: Principal,
    cmd: TemplateRules & { code: string; county?: string | null | undefined },
  ): Promise<Template> {
    const county = p.roles.includes('city-admin') ? (cmd.county ?? null) : (p.county ?? null);
    if (county === null ? !p.roles.includes('city-admin') : !isAdminOf(p, county))
      throwRefusal(refuse.notFound());
    const { code, county: _c, ...rules } = cmd;
    orThrow(validateTemplate(rules));
    const latest = await this.store.latest(code, county);
    const version = (latest?.version ?? 0) + 1;
    const template: Template = {
      ...rules,
      _id: `tpl-${county ?? 'city'}-${code}-v${version}`.slice(0, 64),
      county,
      code,
      version,
      createdAt: this.ctx.clock.now(),
      createdBy: actorOf(p),
      usedAt: null,
    };
    await this.store.insert(template).catch((err: { code?: number }) => {
      if (err.code === 11000)
        throwRefusal(
          refuse.conflict('模板版本已存在，请重试', 'that template version was just saved; try again'),
        );
      throw err;
    });
    return template;
  }

  get(p: Principal, id: string): Promise<Template> {
    return this.refs.template(p, id);
  }

  list(p: Principal, q: PageRequest): Promise<Page<Template>> {
    return this.store.page(templateFilter(p), q);
  }
}

/** A template's rules without its identity and bookkeeping. */
export function rulesOf(t: Template): TemplateRules {
  const { _id, county, code, version, createdAt, createdBy, usedAt, ...rules } = t;
  void [_id, county, code, version, createdAt, createdBy, usedAt];
  return rules;
}
