import { refuse, type Refusal } from '@honglian/service-kit/domain';

/**
 * Plausible dates (README, Input sanity): the days a record takes effect or ends, and the age of a
 * member by the birth date in their ID number. The bounds are settings (module.ts `dates`).
 */
export interface DateRules {
  /** No record takes effect before this day (default 1921-07-01, the founding of the Party). */
  earliest: string;
  /** A record may take effect (start, change, close, end) at most this many days after today. Default 366. */
  maxDaysAhead: number;
  /** A planned end (contract, pairing, term of office) at most this many years after today. Default 30. */
  maxEndYearsAhead: number;
  /** A member is at least this old on the day their record takes effect (党章: 年满十八岁). Default 18. */
  minMemberAge: number;
  /** Nobody is older than this, on that day or today. Default 120. */
  maxAge: number;
}

export const DEFAULT_DATE_RULES: DateRules = {
  earliest: '1921-07-01',
  maxDaysAhead: 366,
  maxEndYearsAhead: 30,
  minMemberAge: 18,
  maxAge: 120,
};

/** A day plus whole days (YYYY-MM-DD, UTC arithmetic on calendar days). */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A day plus whole years (29 February falls on 1 March in a common year). */
export function addYears(day: string, years: number): string {
  const y = Number(day.slice(0, 4)) + years;
  const d = new Date(Date.UTC(y, Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))));
  return d.toISOString().slice(0, 10);
}

/** A date a command carries: the request field, the day, and whether it starts something or ends it. */
export interface DatedField {
  field: string;
  day: string | null | undefined;
  /** A planned end (validTo, term end): bounded by `maxEndYearsAhead` instead of `maxDaysAhead`. */
  end?: boolean;
}

/** The first date out of the plausible range, as a 422 naming its field; null when all are plausible. */
export function implausibleDate(
  rules: DateRules,
  today: string,
  dates: readonly DatedField[],
): Refusal | null {
  for (const { field, day, end } of dates) {
    if (!day) continue;
    if (day < rules.earliest) {
      return refuse.invalid(
        `日期${day}不能早于${rules.earliest}`,
        `${field} ${day} is before ${rules.earliest}`,
        {
          field,
        },
      );
    }
    const latest = end ? addYears(today, rules.maxEndYearsAhead) : addDays(today, rules.maxDaysAhead);
    if (day > latest) {
      return refuse.invalid(
        end
          ? `结束日期${day}不能晚于${latest}（今天起${rules.maxEndYearsAhead}年内）`
          : `生效日期${day}不能晚于${latest}（今天起${rules.maxDaysAhead}天内）`,
        end
          ? `${field} ${day} is after ${latest} (at most ${rules.maxEndYearsAhead} years ahead)`
          : `${field} ${day} is after ${latest} (at most ${rules.maxDaysAhead} days ahead)`,
        { field },
      );
    }
  }
  return null;
}

/** The birth date (YYYY-MM-DD) an 18-character ID number carries (GB 11643, characters 7–14). */
export function birthDateOf(idNumber: string): string | null {
  const m = /^\d{6}(\d{4})(\d{2})(\d{2})\d{3}[\dX]$/i.exec(idNumber.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** Whole years between a birth date and a day. */
export function ageOn(birth: string, day: string): number {
  let age = Number(day.slice(0, 4)) - Number(birth.slice(0, 4));
  if (day.slice(5) < birth.slice(5)) age--;
  return age;
}

/**
 * A member's age by the ID number's birth date: at least `minMemberAge` on the day the record
 * takes effect (a member joined the Party at 18 or older, and is registered no earlier than
 * joining), at most `maxAge` on that day and today.
 */
export function implausibleMemberAge(
  rules: DateRules,
  today: string,
  idNumber: string,
  effectiveFrom: string,
): Refusal | null {
  const birth = birthDateOf(idNumber);
  if (!birth) return null; // the ID number's own validation says what is wrong with it
  if (ageOn(birth, effectiveFrom) < rules.minMemberAge) {
    return refuse.invalid(
      `按身份证号出生日期（${birth}），该党员在${effectiveFrom}未满${rules.minMemberAge}周岁`,
      `by the birth date in the ID number (${birth}) the member is under ${rules.minMemberAge} on ${effectiveFrom}`,
      { field: 'idNumber' },
    );
  }
  const later = effectiveFrom > today ? effectiveFrom : today;
  if (ageOn(birth, later) > rules.maxAge) {
    return refuse.invalid(
      `按身份证号出生日期（${birth}），年龄超过${rules.maxAge}岁，不合理`,
      `by the birth date in the ID number (${birth}) the member would be over ${rules.maxAge}`,
      { field: 'idNumber' },
    );
  }
  return null;
}
