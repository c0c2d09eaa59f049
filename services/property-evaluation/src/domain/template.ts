import { refuse, type Decision } from '@honglian/service-kit/domain';
import { accept } from '@honglian/service-kit/domain';
import type { EvaluationBandCode, RaterRoleCode } from './roles.js';
import { RATER_ROLE_CODES } from './roles.js';

/** One scored item: its maximum points and the rater role that scores it. */
export interface Indicator {
  code: string;
  name: string;
  maxPoints: number;
  role: RaterRoleCode;
}

export interface IndicatorGroup {
  code: string;
  name: string;
  indicators: Indicator[];
}

/** 一票否决: raised by one of `raisedBy`, the firm is C and blacklisted whatever its points. */
export interface VetoItem {
  code: string;
  name: string;
  raisedBy: RaterRoleCode[];
}

/** Party-building / 红色物业 bonus points, each capped, all together capped by `bonusCap`. */
export interface BonusItem {
  code: string;
  name: string;
  maxPoints: number;
  raisedBy: RaterRoleCode[];
}

/** The lowest score of each band but C (C is everything below B). */
export type BandThresholds = Record<Exclude<EvaluationBandCode, 'C'>, number>;

/** The rules of a template, as a city or county admin writes them. */
export interface TemplateRules {
  name: string;
  groups: IndicatorGroup[];
  /** Weight of each rater role in a compound's score; the weights total 100. 0: shown, not counted. */
  roleWeights: Partial<Record<RaterRoleCode, number>>;
  /** Roles without which a compound is not scored. */
  requiredRoles: RaterRoleCode[];
  vetoItems: VetoItem[];
  bonusItems: BonusItem[];
  /** Most bonus points a compound gets from all bonus items together. */
  bonusCap: number;
  bands: BandThresholds;
  /** Tender bonus points per band (default AAA +3, AA +2, A +1). */
  tenderBonus: Partial<Record<EvaluationBandCode, number>>;
  /** Bands barred from tenders (default C; blacklisted firms always). */
  tenderBarred: EvaluationBandCode[];
  /** Fewest resident survey answers for the residents' role to count. */
  minResidentSample: number;
  /** How long a veto blacklists a firm, in months. */
  blacklistMonths: number;
}

/** A stored template version: immutable once a cycle uses it. */
export interface Template extends TemplateRules {
  _id: string;
  /** Templates of a county (null: the city's). */
  county: string | null;
  /** Versions of one template share a code. */
  code: string;
  version: number;
  createdAt: Date;
  createdBy: string;
  /** Set when the first cycle opened with it: from then on it cannot change. */
  usedAt: Date | null;
}

export const DEFAULT_TEMPLATE_CODE = 'default';

const g = (code: string, name: string, role: RaterRoleCode, items: [string, string, number][]) => ({
  code,
  name,
  indicators: items.map(([c, n, maxPoints]) => ({ code: c, name: n, maxPoints, role })),
});

/**
 * The default template from DOMAIN.md §4: role weights community/branch 30 (15 + 15), owners’
 * committee 20, residents 30, street/bureau inspection 20 (the street's); the firm's self-assessment
 * is recorded and shown but weighs 0; bands AAA ≥ 85, AA ≥ 80, A ≥ 70, B ≥ 60, C below; tender
 * bonus AAA +3, AA +2, A +1; C barred; party-building bonus up to +15.
 */
export const DEFAULT_RULES: TemplateRules = {
  name: '物业服务质量评价标准（默认）',
  groups: [
    g('self', '企业自评', 'self', [['self-overall', '服务质量自评', 100]]),
    g('community', '社区检查', 'community', [
      ['env', '环境卫生', 30],
      ['facilities', '设施设备维护', 30],
      ['safety', '安全管理', 40],
    ]),
    g('branch', '小区党支部意见', 'branch', [
      ['party-building', '党建引领与红色物业', 50],
      ['cooperation', '配合社区治理', 50],
    ]),
    g('committee', '业委会评价', 'committee', [
      ['contract', '合同履行', 50],
      ['transparency', '收支公开', 50],
    ]),
    g('street', '街道检查', 'street', [
      ['street-safety', '安全生产', 50],
      ['street-order', '秩序维护', 50],
    ]),
    g('bureau', '住建部门检查', 'bureau', [['bureau-compliance', '合规经营', 100]]),
  ],
  roleWeights: { self: 0, community: 15, branch: 15, committee: 20, residents: 30, street: 20, bureau: 0 },
  requiredRoles: ['community', 'branch', 'committee', 'residents', 'street'],
  vetoItems: [
    { code: 'major-safety-accident', name: '重大安全责任事故', raisedBy: ['community', 'street', 'bureau'] },
    { code: 'serious-violation', name: '严重违法违规经营', raisedBy: ['street', 'bureau'] },
  ],
  bonusItems: [
    { code: 'party-building', name: '党建工作', maxPoints: 10, raisedBy: ['branch', 'community'] },
    { code: 'red-property', name: '红色物业示范', maxPoints: 10, raisedBy: ['community', 'street'] },
  ],
  bonusCap: 15,
  bands: { AAA: 85, AA: 80, A: 70, B: 60 },
  tenderBonus: { AAA: 3, AA: 2, A: 1 },
  tenderBarred: ['C'],
  minResidentSample: 30,
  blacklistMonths: 12,
};

const bad = (zh: string, en: string, field: string) => refuse.invalid(zh, en, { field });

/** Checks a template's totals and references; the rules as given when they hold. */
export function validateTemplate(rules: TemplateRules): Decision<TemplateRules> {
  const weights = RATER_ROLE_CODES.map((r) => rules.roleWeights[r] ?? 0);
  const total = weights.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 100) > 1e-9)
    return bad(
      `角色权重合计须为100（现为${total}）`,
      `role weights must total 100 (they total ${total})`,
      'roleWeights',
    );
  const codes = new Set<string>();
  for (const group of rules.groups)
    for (const i of group.indicators) {
      if (codes.has(i.code))
        return bad(`指标编码重复：${i.code}`, `indicator code ${i.code} is used twice`, 'groups');
      codes.add(i.code);
      if (i.role === 'residents')
        return bad(
          '居民满意度由调查计算，不设指标',
          'residents are scored by the survey, not indicators',
          'groups',
        );
    }
  for (const role of RATER_ROLE_CODES) {
    if (role === 'residents' || (rules.roleWeights[role] ?? 0) === 0) continue;
    const max = maxPointsOf(rules, role);
    if (max <= 0)
      return bad(`角色${role}有权重但没有指标`, `role ${role} has a weight but no indicators`, 'groups');
  }
  for (const role of rules.requiredRoles)
    if ((rules.roleWeights[role] ?? 0) <= 0)
      return bad(`必需角色${role}须有权重`, `required role ${role} needs a weight`, 'requiredRoles');
  const b = rules.bands;
  if (!(b.AAA <= 100 && b.AAA > b.AA && b.AA > b.A && b.A > b.B && b.B > 0))
    return bad(
      '等级分数线须满足 100 ≥ AAA > AA > A > B > 0',
      'bands must satisfy 100 ≥ AAA > AA > A > B > 0',
      'bands',
    );
  const bonusCodes = new Set(rules.bonusItems.map((x) => x.code));
  const vetoCodes = new Set(rules.vetoItems.map((x) => x.code));
  if (bonusCodes.size !== rules.bonusItems.length || vetoCodes.size !== rules.vetoItems.length)
    return bad('加分项或否决项编码重复', 'a bonus or veto code is used twice', 'bonusItems');
  for (const item of rules.bonusItems)
    if (item.raisedBy.includes('self'))
      return bad(
        `加分项${item.code}不能由企业自评给出`,
        `bonus item ${item.code} cannot be given by the firm itself`,
        'bonusItems',
      );
  for (const item of rules.bonusItems)
    if (item.maxPoints > rules.bonusCap)
      return bad(
        `加分项${item.code}上限超过总上限${rules.bonusCap}`,
        `bonus item ${item.code} allows more than the cap of ${rules.bonusCap}`,
        'bonusItems',
      );
  return accept(rules);
}

/** Total maximum points of a role's indicators. */
export function maxPointsOf(rules: Pick<TemplateRules, 'groups'>, role: RaterRoleCode): number {
  return indicatorsOf(rules, role).reduce((sum, i) => sum + i.maxPoints, 0);
}

export function indicatorsOf(rules: Pick<TemplateRules, 'groups'>, role: RaterRoleCode): Indicator[] {
  return rules.groups.flatMap((group) => group.indicators.filter((i) => i.role === role));
}
