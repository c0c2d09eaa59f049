/**
 * Dates and times are shown and entered in China Standard Time (UTC+8, no daylight saving),
 * whatever the browser's time zone: the city works on Beijing time.
 */
const ZONE = 'Asia/Shanghai';
const OFFSET_MS = 8 * 3_600_000;

const locale = (lang: string) => (lang === 'en' ? 'en-GB' : 'zh-CN');

export function formatDateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d);
}

export function formatDate(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);
}

export function formatNumber(n: number | null | undefined, lang: string, digits = 1): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: digits }).format(n);
}

export function formatPercent(rate: number | null | undefined, lang: string): string {
  if (rate === null || rate === undefined) return '—';
  return new Intl.NumberFormat(locale(lang), { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

/** `YYYY-MM-DD` of an instant in China Standard Time. */
export function cstDay(d: Date = new Date()): string {
  return new Date(d.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DDTHH:mm` for a datetime-local input, in China Standard Time. */
export function toCstInput(d: Date): string {
  return new Date(d.getTime() + OFFSET_MS).toISOString().slice(0, 16);
}

/** The instant a datetime-local input (China Standard Time) means, as ISO 8601 with its offset. */
export function fromCstInput(value: string): string {
  return `${value.length === 16 ? `${value}:00` : value}+08:00`;
}

/** The current month `YYYY-MM`, half-year `YYYY-H1|H2` and year in China Standard Time. */
export function currentPeriods(d: Date = new Date()) {
  const day = cstDay(d);
  const year = day.slice(0, 4);
  const month = Number(day.slice(5, 7));
  return { year, month: day.slice(0, 7), half: `${year}-H${month <= 6 ? 1 : 2}` };
}
