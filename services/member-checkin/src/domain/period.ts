/**
 * Reporting periods as the city names them: `2026` (year), `2026-H1`/`H2`
 * (half-year), `2026-Q1`…`Q4`, `2026-03` (month). Bounds are instants at
 * local (China Standard Time) midnight, half-open [from, to).
 */
export interface Period {
  label: string;
  from: Date;
  to: Date;
}

export const PERIOD_PATTERN = /^(\d{4})(?:-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$/;

const cst = (y: number, m: number) => new Date(Date.UTC(y, m - 1, 1) - 8 * 3_600_000);

export function parsePeriod(label: string): Period | null {
  const m = PERIOD_PATTERN.exec(label);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < 2000 || year > 2100) return null;
  const part = m[2];
  let start = 1;
  let months = 12;
  if (part?.startsWith('H')) {
    start = part === 'H1' ? 1 : 7;
    months = 6;
  } else if (part?.startsWith('Q')) {
    start = (Number(part[1]) - 1) * 3 + 1;
    months = 3;
  } else if (part) {
    start = Number(part);
    months = 1;
  }
  const endMonth = start + months;
  return {
    label,
    from: cst(year, start),
    to: endMonth > 12 ? cst(year + 1, endMonth - 12) : cst(year, endMonth),
  };
}

/** The half-year containing an instant, e.g. `2026-H1`. */
export function halfYearOf(instant: Date): string {
  const local = new Date(instant.getTime() + 8 * 3_600_000);
  return `${local.getUTCFullYear()}-H${local.getUTCMonth() < 6 ? 1 : 2}`;
}
