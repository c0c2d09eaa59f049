import type { Reason } from '@honglian/service-kit/domain';
import { colourOf, type Colour, type Effect, type IndexRule, type Source, type Thresholds } from './rules.js';

/** How much of a source a subject has, and the events behind it. */
export interface Measure {
  units: number;
  events: string[];
}
export type Measures = Partial<Record<Source, Measure>>;

/** One line of an explanation: an item, what it counted, the points it gave, the events behind it. */
export interface Contribution {
  code: string;
  label: Reason;
  effect: Effect;
  units: number;
  /** Signed points after the item's cap (and the group cap, see `groupCapped`). */
  points: number;
  /** Signed points before any cap. */
  uncapped: number;
  /** The item's own cap cut it. */
  capped: boolean;
  events: string[];
}

export interface Score {
  base: number;
  /** Sum of bonus items after the per-item and group caps. */
  bonus: number;
  /** Sum of deductions (a magnitude) after the caps. */
  deduction: number;
  score: number;
  colour: Colour;
  /** A reset item (清零) applies: score 0, grey. */
  reset: boolean;
  /** A backward item applies: at most yellow. */
  backward: boolean;
  bonusCapped: boolean;
  deductionCapped: boolean;
  contributions: Contribution[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * The index of one subject (DOMAIN.md §5): base + bonus items (each capped, then the group
 * capped) − deductions (likewise); a reset item makes it 0 and grey at once, a backward item
 * keeps it from red; the colour from the thresholds. Pure; the explanation is the contributions.
 */
export function scoreIndex(rule: IndexRule, thresholds: Thresholds, measures: Measures): Score {
  const contributions: Contribution[] = [];
  let bonusRaw = 0;
  let deductionRaw = 0;
  let reset = false;
  let backward = false;
  for (const item of rule.items) {
    const m = measures[item.source];
    if (!m || m.units <= 0) continue;
    const magnitude = round(m.units * item.points);
    const capped = item.cap !== null && magnitude > item.cap;
    const kept = capped ? item.cap! : magnitude;
    const sign = item.effect === 'deduction' ? -1 : item.effect === 'bonus' ? 1 : 0;
    if (item.effect === 'bonus') bonusRaw += kept;
    if (item.effect === 'deduction') deductionRaw += kept;
    if (item.effect === 'reset') reset = true;
    if (item.effect === 'backward') backward = true;
    contributions.push({
      code: item.code,
      label: item.label,
      effect: item.effect,
      units: round(m.units),
      points: round(sign * kept),
      uncapped: round(sign * magnitude),
      capped,
      events: [...new Set(m.events)],
    });
  }
  const bonus = round(Math.min(bonusRaw, rule.bonusCap));
  const deduction = round(Math.min(deductionRaw, rule.deductionCap));
  const computed = round(rule.base + bonus - deduction);
  let colour = colourOf(computed, thresholds);
  if (backward && colour === 'red') colour = 'yellow';
  if (reset) colour = 'grey';
  return {
    base: rule.base,
    bonus,
    deduction,
    score: reset ? 0 : computed,
    colour,
    reset,
    backward,
    bonusCapped: bonusRaw > rule.bonusCap,
    deductionCapped: deductionRaw > rule.deductionCap,
    contributions,
  };
}

/** Adds `units` and an event to a measure (an event named twice is listed once when scored). */
export function add(measures: Measures, source: Source, units: number, event: string): void {
  const m = (measures[source] ??= { units: 0, events: [] });
  m.units += units;
  m.events.push(event);
}

/** The share of communities that must be backward (quota): how many at least. */
export function quotaCount(total: number, percent: number | null): number {
  if (percent === null || percent <= 0 || total === 0) return 0;
  return Math.ceil((total * percent) / 100);
}

export interface QuotaSubject {
  id: string;
  score: Score;
}

/**
 * The quota (some places: at least N % of communities backward): when fewer are yellow or
 * grey, the lowest-scoring red ones (ties by id) turn yellow, with a `quota` line saying so.
 */
export function applyQuota<T extends QuotaSubject>(subjects: T[], percent: number | null): T[] {
  const needed = quotaCount(subjects.length, percent);
  const backward = subjects.filter((s) => s.score.colour !== 'red').length;
  if (backward >= needed) return subjects;
  const marked = new Set(
    subjects
      .filter((s) => s.score.colour === 'red')
      .sort((a, b) => a.score.score - b.score.score || a.id.localeCompare(b.id))
      .slice(0, needed - backward)
      .map((s) => s.id),
  );
  return subjects.map((s) =>
    marked.has(s.id)
      ? {
          ...s,
          score: {
            ...s.score,
            colour: 'yellow' as const,
            contributions: [
              ...s.score.contributions,
              {
                code: 'quota',
                label: {
                  zh: `后进比例要求（不少于${percent}%）`,
                  en: `Backward quota (at least ${percent}%)`,
                },
                effect: 'backward' as const,
                units: 1,
                points: 0,
                uncapped: 0,
                capped: false,
                events: [],
              },
            ],
          },
        }
      : s,
  );
}
