/** A cycle's period: a year `2026`, a half-year `2026-H1`, a quarter `2026-Q3`. */
export const PERIOD_PATTERN = /^(20\d\d|2100)(?:-(H[12]|Q[1-4]))?$/;
export type PeriodKind = 'year' | 'half-year' | 'quarter';

export interface Period {
  kind: PeriodKind;
  /** First day, inclusive. */
  from: string;
  /** Day after the last, exclusive. */
  to: string;
}

const day = (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}-01`;

export function parsePeriod(text: string): Period | null {
  const m = PERIOD_PATTERN.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const part = m[2];
  if (!part) return { kind: 'year', from: day(year, 1), to: day(year + 1, 1) };
  const n = Number(part.slice(1));
  if (part[0] === 'H')
    return {
      kind: 'half-year',
      from: day(year, n === 1 ? 1 : 7),
      to: n === 1 ? day(year, 7) : day(year + 1, 1),
    };
  const start = 1 + (n - 1) * 3;
  return { kind: 'quarter', from: day(year, start), to: n === 4 ? day(year + 1, 1) : day(year, start + 3) };
}

/** Whether a contract [validFrom, validTo) overlaps the period. */
export function overlaps(p: Period, validFrom: string, validTo: string | null): boolean {
  return validFrom < p.to && (validTo === null || validTo > p.from);
}

/** The China Standard Time day of an instant, `YYYY-MM-DD`. */
export function dayOf(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** `months` calendar months after a day (clamped to the month's end). */
export function addMonths(dayText: string, months: number): string {
  const [y, m, d] = dayText.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
