import type { Reason } from '@honglian/service-kit/domain';

/** Who an index rates. */
export type Level = 'member' | 'community' | 'street';
export const LEVELS: readonly Level[] = ['member', 'community', 'street'];
export type Colour = 'red' | 'yellow' | 'grey';

/**
 * What an item counts (domain/measures.ts works each out from the facts):
 * member: hours, attendances, orders done, 5/5 ratings, points, calls answered fast/slow,
 * 报而不到 flags open/cleared, recorded organisational items (manual), never reported;
 * community: activities held, members' hours, orders done, fast calls, open flags, property
 * results of its compounds, members' pioneer average above 60, grey members;
 * street: its communities red/grey, their average above 60.
 */
export type Source =
  | 'attendance-hours'
  | 'attendances'
  | 'orders-done'
  | 'orders-rated-5'
  | 'points'
  | 'calls-fast'
  | 'calls-slow'
  | 'noshow-open'
  | 'noshow-cleared'
  | 'manual-bonus'
  | 'manual-deduction'
  | 'absent-no-dues'
  | 'never-reported'
  | 'activities-held'
  | 'member-hours'
  | 'property-good'
  | 'property-poor'
  | 'members-above-60'
  | 'members-grey'
  | 'communities-red'
  | 'communities-grey'
  | 'communities-above-60';

/** `bonus` adds, `deduction` deducts, `reset` (清零) makes the subject grey at once, `backward` caps it at yellow. */
export type Effect = 'bonus' | 'deduction' | 'reset' | 'backward';

export interface ItemRule {
  code: string;
  label: Reason;
  source: Source;
  effect: Effect;
  /** Points per unit counted (a magnitude; the effect gives the sign). */
  points: number;
  /** Most points the item gives (a magnitude); null: only the group cap. */
  cap: number | null;
}

export interface IndexRule {
  base: number;
  /** Group caps: all bonus items together, all deductions together. */
  bonusCap: number;
  deductionCap: number;
  items: ItemRule[];
}

export interface Thresholds {
  /** Red at or above. */
  red: number;
  /** Yellow at or above (below red); grey below. */
  yellow: number;
}

export interface RuleSet {
  indices: Record<Level, IndexRule>;
  thresholds: Thresholds;
  /** At least this share (%) of communities marked backward (yellow or grey); null: no quota. */
  communityQuotaPercent: number | null;
  /** A call answered within this many seconds is fast (Beijing: 30 minutes). */
  callFastSeconds: number;
  /** Months from a period's close to a remediation / exit deadline. */
  remediationMonths: number;
  exitMonths: number;
  /**
   * The yellow that makes this many, with the subject's published yellows of earlier periods of
   * the same kind (quarters with quarters, years with years), escalates: 2 = a second yellow.
   */
  escalateAfterYellows: number;
}

/** A county's changes to the city rules: any of the numbers, per index and per item code. */
export interface RuleOverride {
  indices?: Partial<
    Record<
      Level,
      {
        base?: number;
        bonusCap?: number;
        deductionCap?: number;
        items?: Record<string, { points?: number; cap?: number | null }>;
      }
    >
  >;
  thresholds?: Partial<Thresholds>;
  communityQuotaPercent?: number | null;
  remediationMonths?: number;
  exitMonths?: number;
}

const item = (
  code: string,
  zh: string,
  en: string,
  source: Source,
  effect: Effect,
  points: number,
  cap: number | null,
): ItemRule => ({ code, label: { zh, en }, source, effect, points, cap });

/**
 * The city default (DOMAIN.md §5): member index = base 60 + bonus up to 20 − deductions up to
 * 20 with reset items; community index = common part 60 + domain part up to 40 − negatives;
 * street likewise; red ≥ 75, yellow 60–74, grey < 60; no quota.
 */
export const DEFAULT_RULES: RuleSet = {
  indices: {
    member: {
      base: 60,
      bonusCap: 20,
      deductionCap: 20,
      items: [
        item('hours', '志愿服务时长', 'Hours of service', 'attendance-hours', 'bonus', 1, 10),
        item('attendances', '参加活动次数', 'Activities attended', 'attendances', 'bonus', 0.5, 4),
        item('orders', '完成群众点单', 'Resident orders completed', 'orders-done', 'bonus', 2, 6),
        item('rated-5', '群众评价五星', 'Orders rated 5/5', 'orders-rated-5', 'bonus', 1, 3),
        item('points', '志愿积分', 'Volunteer points', 'points', 'bonus', 0.1, 4),
        item('calls-fast', '吹哨快速响应', 'Whistle calls answered in time', 'calls-fast', 'bonus', 1, 4),
        item('manual-bonus', '表彰奖励', 'Awards recorded', 'manual-bonus', 'bonus', 1, 10),
        item('calls-slow', '吹哨响应迟缓', 'Whistle calls answered late', 'calls-slow', 'deduction', 1, 3),
        item(
          'noshow-open',
          '报而不到（未消除）',
          'No-show flag still open',
          'noshow-open',
          'deduction',
          6,
          12,
        ),
        item(
          'noshow-cleared',
          '报而不到（已消除）',
          'No-show flag, cleared',
          'noshow-cleared',
          'deduction',
          2,
          4,
        ),
        item(
          'manual-deduction',
          '违纪违规扣分',
          'Deductions recorded',
          'manual-deduction',
          'deduction',
          1,
          20,
        ),
        item(
          'absent-no-dues',
          '连续六个月不参加组织生活且不交党费',
          'Six months absent and no dues',
          'absent-no-dues',
          'reset',
          0,
          null,
        ),
        item(
          'never-reported',
          '未报到',
          'Never reported to a community',
          'never-reported',
          'backward',
          0,
          null,
        ),
      ],
    },
    community: {
      base: 60,
      bonusCap: 40,
      deductionCap: 40,
      items: [
        item('activities', '开展活动', 'Activities held', 'activities-held', 'bonus', 2, 10),
        item('member-hours', '党员服务时长', 'Members’ hours of service', 'member-hours', 'bonus', 0.5, 10),
        item('orders', '群众点单办结', 'Resident requests resolved', 'orders-done', 'bonus', 1, 6),
        item('calls-fast', '吹哨报到响应', 'Whistle calls answered in time', 'calls-fast', 'bonus', 0.5, 4),
        item(
          'property-good',
          '小区物业评价A级以上',
          'Compounds rated A or better',
          'property-good',
          'bonus',
          2,
          4,
        ),
        item(
          'pioneers',
          '党员先锋指数',
          'Members’ pioneer index above 60',
          'members-above-60',
          'bonus',
          0.5,
          6,
        ),
        item('noshow-open', '报而不到未消除', 'Open no-show flags', 'noshow-open', 'deduction', 2, 10),
        item('members-grey', '灰色党员', 'Grey members', 'members-grey', 'deduction', 2, 10),
        item(
          'property-poor',
          '小区物业C级或黑名单',
          'Compound firm rated C or blacklisted',
          'property-poor',
          'backward',
          0,
          null,
        ),
      ],
    },
    street: {
      base: 60,
      bonusCap: 40,
      deductionCap: 40,
      items: [
        item('communities-red', '红色社区', 'Red communities', 'communities-red', 'bonus', 5, 20),
        item(
          'communities-avg',
          '社区堡垒指数',
          'Communities’ index above 60',
          'communities-above-60',
          'bonus',
          1,
          20,
        ),
        item('communities-grey', '灰色社区', 'Grey communities', 'communities-grey', 'deduction', 10, 40),
      ],
    },
  },
  thresholds: { red: 75, yellow: 60 },
  communityQuotaPercent: null,
  callFastSeconds: 30 * 60,
  remediationMonths: 3,
  exitMonths: 6,
  escalateAfterYellows: 2,
};

/** The rules a county works with: the city's, with its override applied over them. */
export function effectiveRules(city: RuleSet, override: RuleOverride | null): RuleSet {
  if (!override) return city;
  const indices = { ...city.indices };
  for (const level of LEVELS) {
    const o = override.indices?.[level];
    if (!o) continue;
    const base = city.indices[level];
    indices[level] = {
      base: o.base ?? base.base,
      bonusCap: o.bonusCap ?? base.bonusCap,
      deductionCap: o.deductionCap ?? base.deductionCap,
      items: base.items.map((i) => {
        const change = o.items?.[i.code];
        if (!change) return i;
        return {
          ...i,
          ...(change.points !== undefined ? { points: change.points } : {}),
          ...(change.cap !== undefined ? { cap: change.cap } : {}),
        };
      }),
    };
  }
  return {
    ...city,
    indices,
    thresholds: { ...city.thresholds, ...override.thresholds },
    communityQuotaPercent:
      override.communityQuotaPercent !== undefined
        ? override.communityQuotaPercent
        : city.communityQuotaPercent,
    remediationMonths: override.remediationMonths ?? city.remediationMonths,
    exitMonths: override.exitMonths ?? city.exitMonths,
  };
}

/** The version string of the rules a county works with, e.g. `city-1` or `city-2+331003-1`. */
export function ruleVersionOf(
  cityVersion: number,
  county: string | null,
  countyVersion: number | null,
): string {
  return county && countyVersion ? `city-${cityVersion}+${county}-${countyVersion}` : `city-${cityVersion}`;
}

/** The colour a score gets (DOMAIN.md §5): red ≥ red, yellow ≥ yellow, grey below. */
export function colourOf(score: number, t: Thresholds): Colour {
  if (score >= t.red) return 'red';
  if (score >= t.yellow) return 'yellow';
  return 'grey';
}
