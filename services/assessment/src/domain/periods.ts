/**
 * Periods (DOMAIN.md §5): points accrue monthly (`2026-03`), a snapshot per quarter
 * (`2026-Q2`), the annual rating (`2026`) before 民主评议. Bounds in China Standard Time.
 */
export const PERIOD_PATTERN = /^(\d{4})(?:-(Q[1-4]|0[1-9]|1[0-2]))?$/;
export type PeriodKind = 'year' | 'quarter' | 'month';

export interface PeriodRange {
  period: string;
  kind: PeriodKind;
  /** First instant (inclusive) and the end (exclusive), ISO. */
  from: string;
  to: string;
}

const CST = 8 * 3_600_000;
const at = (y: number, m: number) => new Date(Date.UTC(y, m, 1) - CST).toISOString();

export function parsePeriod(period: string): PeriodRange | null {
  const m = PERIOD_PATTERN.exec(period);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < 2000 || year > 2100) return null;
  const part = m[2];
  if (!part) return { period, kind: 'year', from: at(year, 0), to: at(year + 1, 0) };
  if (part.startsWith('Q')) {
    const q = Number(part.slice(1)) - 1;
    return { period, kind: 'quarter', from: at(year, q * 3), to: at(year, q * 3 + 3) };
  }
  const month = Number(part) - 1;
  return { period, kind: 'month', from: at(year, month), to: at(year, month + 1) };
}

/** The period of a kind that `now` lies in. */
export function periodOf(now: Date, kind: PeriodKind): string {
  const local = new Date(now.getTime() + CST);
  const y = local.getUTCFullYear();
  const mo = local.getUTCMonth();
  if (kind === 'year') return String(y);
  if (kind === 'quarter') return `${y}-Q${Math.floor(mo / 3) + 1}`;
  return `${y}-${String(mo + 1).padStart(2, '0')}`;
}

/** The quarter before the one `now` lies in (the scheduled snapshot). */
export function previousQuarter(now: Date): string {
  const local = new Date(now.getTime() + CST);
  const q = Math.floor(local.getUTCMonth() / 3);
  return q === 0 ? `${local.getUTCFullYear() - 1}-Q4` : `${local.getUTCFullYear()}-Q${q}`;
}

/** Whether a period has ended at `now` (only an ended period can be closed and published). */
export function hasEnded(range: PeriodRange, now: Date): boolean {
  return now.getTime() >= Date.parse(range.to);
}

/**
 * A day `months` after an instant, `YYYY-MM-DD` in China Standard Time; a day the later month
 * lacks is its last day (30 November + 3 months = 28 February, not 2 March).
 */
export function dayAfterMonths(instant: Date, months: number): string {
  const local = new Date(instant.getTime() + CST);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(local.getUTCDate(), lastDay))).toISOString().slice(0, 10);
}
