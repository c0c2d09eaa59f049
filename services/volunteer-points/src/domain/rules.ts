/**
 * Points rules (DOMAIN.md §3): versioned, a city default with county
 * overrides. A rule version is immutable once stored; a new version affects
 * entries written after it only (each entry records the version it used).
 */
export interface PointsRules {
  /** 1 hour = 1 point (public default). */
  pointsPerHour: number;
  /** Most points one activity or order earns (0 = no cap). */
  capPerActivity: number;
  /** Most award points a member earns on one day (0 = no cap). */
  capPerDay: number;
  /** Bonus for completing a resident order. */
  bonusOrderDone: number;
  /** Bonus when the resident rates the work 5/5. */
  bonusFiveStar: number;
  /** Most bonus points a member earns in one calendar month (0 = no cap). */
  bonusCapPerMonth: number;
  /** Whether records from attendance wait for the recording org's approval before they earn. */
  approvalRequired: boolean;
}

export const DEFAULT_RULES: PointsRules = {
  pointsPerHour: 1,
  capPerActivity: 8,
  capPerDay: 12,
  bonusOrderDone: 0,
  bonusFiveStar: 1,
  bonusCapPerMonth: 10,
  approvalRequired: false,
};

/** One stored version of the rules of a scope (`city` or a county code). */
export interface RuleVersion {
  _id: string;
  scope: string;
  version: number;
  rules: Partial<PointsRules>;
  createdAt: Date;
  createdBy: string;
}

/** The rules in force for a county: the base, the city's latest version, then the county's. */
export interface EffectiveRules {
  rules: PointsRules;
  /** e.g. `city-0` (configured defaults), `city-2+331003-1`. */
  version: string;
}

export function effectiveRules(
  base: PointsRules,
  city: RuleVersion | null,
  county: RuleVersion | null,
): EffectiveRules {
  const rules = { ...base, ...(city?.rules ?? {}), ...(county?.rules ?? {}) };
  const version = [`city-${city?.version ?? 0}`, ...(county ? [`${county.scope}-${county.version}`] : [])];
  return { rules, version: version.join('+') };
}

/** Rounds points and hours to two decimals (the ledger's unit: 0.01). */
export const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Points for hours of service: hours × rate, capped per activity and by what
 * is left of the day's cap (`earnedToday` = award points already on that day).
 */
export function awardPoints(hours: number, earnedToday: number, rules: PointsRules): number {
  let points = round2(hours * rules.pointsPerHour);
  if (rules.capPerActivity > 0) points = Math.min(points, rules.capPerActivity);
  if (rules.capPerDay > 0) points = Math.min(points, Math.max(0, round2(rules.capPerDay - earnedToday)));
  return round2(Math.max(0, points));
}

/** A bonus, limited by what is left of the month's bonus cap (`bonusThisMonth` = bonus points so far). */
export function bonusPoints(bonus: number, bonusThisMonth: number, rules: PointsRules): number {
  if (bonus <= 0) return 0;
  if (rules.bonusCapPerMonth <= 0) return bonus;
  return round2(Math.max(0, Math.min(bonus, rules.bonusCapPerMonth - bonusThisMonth)));
}

/** The local (China Standard Time) day `YYYY-MM-DD` and month `YYYY-MM` of an instant. */
export function dayOf(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}
export const monthOf = (instant: Date): string => dayOf(instant).slice(0, 7);
export const yearOf = (instant: Date): number => Number(dayOf(instant).slice(0, 4));

/** Start (inclusive) and end (exclusive) of a CST calendar year. */
export function yearBounds(year: number): { from: Date; to: Date } {
  return {
    from: new Date(`${year}-01-01T00:00:00+08:00`),
    to: new Date(`${year + 1}-01-01T00:00:00+08:00`),
  };
}
