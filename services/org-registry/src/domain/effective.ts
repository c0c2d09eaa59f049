/**
 * Effective dating: every unit and relation holds over [validFrom, validTo),
 * days as `YYYY-MM-DD` (local dates compare correctly as strings); an open
 * end is null.
 */
export interface Period {
  validFrom: string;
  validTo: string | null;
}

export function isValidDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

export function holdsOn(p: Period, day: string): boolean {
  return p.validFrom <= day && (p.validTo === null || day < p.validTo);
}

/** Two periods share at least one day. */
export function overlaps(a: Period, b: Period): boolean {
  return (a.validTo === null || b.validFrom < a.validTo) && (b.validTo === null || a.validFrom < b.validTo);
}

export function isWellFormed(p: Period): boolean {
  return (
    isValidDay(p.validFrom) && (p.validTo === null || (isValidDay(p.validTo) && p.validFrom < p.validTo))
  );
}

/** The version of something that held on a day, from its history. */
export function versionOn<T extends Period>(versions: readonly T[], day: string): T | undefined {
  return versions.find((v) => holdsOn(v, day));
}

/** The local (China Standard Time) day of an instant: registry dates are days in the city's calendar. */
export function dayOf(instant: Date, utcOffsetMinutes = 480): string {
  return new Date(instant.getTime() + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}
