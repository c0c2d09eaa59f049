import type { EvaluationBandCode, RaterRoleCode } from './roles.js';
import { RATER_ROLE_CODES } from './roles.js';
import { indicatorsOf, maxPointsOf, type TemplateRules } from './template.js';

/** What a rater gave: points per indicator, or (residents) the survey's counts; vetoes and bonus points. */
export interface RatingContent {
  scores: Record<string, number>;
  survey: { respondents: number; satisfied: number } | null;
  vetoes: string[];
  bonuses: { code: string; points: number }[];
}

/** The submission as scoring sees it. */
export interface ScoredSubmission extends RatingContent {
  _id: string;
  raterRole: RaterRoleCode;
  revision: number;
}

export interface RoleBreakdown {
  role: RaterRoleCode;
  weight: number;
  /** 0–100, two decimals; null when the role's submission is missing or (residents) below the sample. */
  score: number | null;
  submissionId: string | null;
  revision: number | null;
  /** Points per indicator, or the survey's counts. */
  points: Record<string, number>;
  respondents: number | null;
}

export type NotScoredReason =
  | { code: 'missing-role'; role: RaterRoleCode }
  | { code: 'resident-sample'; respondents: number; minimum: number }
  | { code: 'households-unknown' };

export interface CompoundScore {
  compoundId: string;
  households: number | null;
  scored: boolean;
  notScored: NotScoredReason[];
  roles: RoleBreakdown[];
  /** Weighted score of the roles (0–100), before bonus points. */
  base: number | null;
  bonus: number;
  /** min(100, base + bonus), two decimals; null when not scored. */
  score: number | null;
  vetoes: { code: string; submissionId: string }[];
}

export interface FirmScore {
  score: number | null;
  band: EvaluationBandCode | null;
  vetoed: boolean;
  vetoes: string[];
  scoredHouseholds: number;
  totalHouseholds: number;
  tenderBonus: number;
  tenderBarred: boolean;
}

/** Half-up to two decimals, immune to binary noise (84.995 → 85.00, not 84.99). */
export function round2(x: number): number {
  return Math.round(Number((x * 100).toPrecision(12))) / 100;
}

/**
 * The band of a score: the score is rounded to two decimals first; then it is in the highest band
 * whose threshold it reaches or passes (≥): with the defaults 85.00 is AAA, 84.99 AA; 80.00 AA;
 * 70.00 A; 60.00 B; 59.99 C.
 */
export function bandOf(score: number, bands: TemplateRules['bands']): EvaluationBandCode {
  const s = round2(score);
  if (s >= bands.AAA) return 'AAA';
  if (s >= bands.AA) return 'AA';
  if (s >= bands.A) return 'A';
  if (s >= bands.B) return 'B';
  return 'C';
}

/** A role's score out of 100: points over the role's maximum; residents: satisfied over respondents. */
export function roleScore(rules: TemplateRules, role: RaterRoleCode, content: RatingContent): number | null {
  if (role === 'residents') {
    const s = content.survey;
    if (!s || s.respondents < rules.minResidentSample || s.respondents === 0) return null;
    return round2((100 * s.satisfied) / s.respondents);
  }
  const max = maxPointsOf(rules, role);
  if (max <= 0) return null;
  const got = indicatorsOf(rules, role).reduce((sum, i) => sum + (content.scores[i.code] ?? 0), 0);
  return round2((100 * got) / max);
}

/** Bonus points of one compound: each item capped at its maximum, the sum at the template's cap. */
export function bonusOf(rules: TemplateRules, submissions: readonly RatingContent[]): number {
  const byItem = new Map<string, number>();
  for (const s of submissions)
    for (const b of s.bonuses) byItem.set(b.code, (byItem.get(b.code) ?? 0) + b.points);
  let total = 0;
  for (const item of rules.bonusItems) total += Math.min(item.maxPoints, byItem.get(item.code) ?? 0);
  return round2(Math.min(rules.bonusCap, total));
}

/**
 * One compound's score: each role's score times its weight, over the weights of the roles present
 * (a required role missing, or residents below the sample, leaves the compound not scored: never a
 * default). Optional roles that are missing drop out with their weight.
 */
export function scoreCompound(
  rules: TemplateRules,
  input: { compoundId: string; households: number | null; submissions: readonly ScoredSubmission[] },
): CompoundScore {
  const byRole = new Map(input.submissions.map((s) => [s.raterRole, s]));
  const roles: RoleBreakdown[] = [];
  const notScored: NotScoredReason[] = [];
  let weighted = 0;
  let weights = 0;
  for (const role of RATER_ROLE_CODES) {
    const weight = rules.roleWeights[role] ?? 0;
    const sub = byRole.get(role);
    const score = sub ? roleScore(rules, role, sub) : null;
    roles.push({
      role,
      weight,
      score,
      submissionId: sub?._id ?? null,
      revision: sub?.revision ?? null,
      points: sub ? (role === 'residents' ? { ...(sub.survey ?? {}) } : { ...sub.scores }) : {},
      respondents: role === 'residents' ? (sub?.survey?.respondents ?? null) : null,
    });
    if (score === null) {
      if (rules.requiredRoles.includes(role)) {
        if (sub && role === 'residents')
          notScored.push({
            code: 'resident-sample',
            respondents: sub.survey?.respondents ?? 0,
            minimum: rules.minResidentSample,
          });
        else notScored.push({ code: 'missing-role', role });
      }
      continue;
    }
    weighted += weight * score;
    weights += weight;
  }
  if (input.households === null) notScored.push({ code: 'households-unknown' });
  const vetoes = input.submissions.flatMap((s) => s.vetoes.map((code) => ({ code, submissionId: s._id })));
  const bonus = bonusOf(rules, input.submissions);
  const scored = notScored.length === 0 && weights > 0;
  const base = scored ? round2(weighted / weights) : null;
  return {
    compoundId: input.compoundId,
    households: input.households,
    scored,
    notScored,
    roles: roles.filter((r) => r.weight > 0 || r.submissionId !== null),
    base,
    bonus,
    score: base === null ? null : round2(Math.min(100, base + bonus)),
    vetoes,
  };
}

/**
 * A firm's score across its compounds, weighted by households: Σ(households × score) / Σ households
 * over the scored compounds. No scored compound: no score, no band. A veto in any compound: band C
 * and blacklisted whatever the points. Tender: barred for the barred bands and when blacklisted,
 * else the band's bonus.
 */
export function scoreFirm(rules: TemplateRules, compounds: readonly CompoundScore[]): FirmScore {
  const scored = compounds.filter((c) => c.scored && c.score !== null && c.households !== null);
  const households = scored.reduce((sum, c) => sum + c.households!, 0);
  const vetoes = [...new Set(compounds.flatMap((c) => c.vetoes.map((v) => v.code)))].sort();
  const vetoed = vetoes.length > 0;
  const score =
    scored.length > 0 && households > 0
      ? round2(scored.reduce((sum, c) => sum + c.households! * c.score!, 0) / households)
      : null;
  const band: EvaluationBandCode | null = vetoed ? 'C' : score === null ? null : bandOf(score, rules.bands);
  const tenderBarred = vetoed || (band !== null && rules.tenderBarred.includes(band));
  return {
    score,
    band,
    vetoed,
    vetoes,
    scoredHouseholds: households,
    totalHouseholds: compounds.reduce((sum, c) => sum + (c.households ?? 0), 0),
    tenderBonus: tenderBarred || band === null ? 0 : (rules.tenderBonus[band] ?? 0),
    tenderBarred,
  };
}
