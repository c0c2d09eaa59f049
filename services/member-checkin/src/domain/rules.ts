/**
 * The rules a city configures (DOMAIN.md §2). Defaults are the public or
 * documented defaults; every one can be changed per deployment.
 */
export interface CheckinRules {
  /** Longest time credited for one member at one activity (one county caps at 2 h). Default 4 h. */
  capMinutes: number;
  /** How long one QR token is shown before the next one replaces it. Default 30 s. */
  qrRotationSeconds: number;
  /** Rotations a token stays valid after its own (scan at the edge of a window). Default 1. */
  qrGraceRotations: number;
  /** Check-in opens this long before an activity starts. Default 30 min. */
  opensMinutesBefore: number;
  /** Check-out is accepted this long after an activity ends; open sessions are auto-closed after it. Default 30 min. */
  checkoutGraceMinutes: number;
  /** 报而不到: an active report with no attendance for this many days is flagged. Default 180. */
  noShowDays: number;
  /** Report rate and completion rate below this are a red flag (Xingtai: 95 %). */
  feedbackThreshold: number;
  /** A whistle call expects arrival within this many minutes (Beijing: 30). */
  callArrivalMinutes: number;
  /** A geofence check tolerates the phone's stated accuracy up to this many metres. */
  geofenceAccuracyAllowanceMeters: number;
  /**
   * Shortest session (minutes inside the activity's window) that counts, per activity kind: a
   * shorter one is recorded but credits no hours, completes no report and clears no 报而不到 flag
   * (photo-op attendance). DOMAIN.md gives no figure: defaults 30 min (activity), 15 min (call).
   */
  minCreditedMinutes: { activity: number; call: number };
  /** Activities may start at most this many days ahead of publishing. Default 365. */
  activityHorizonDays: number;
  /** A member reports within this many days of joining, moving or changing work unit (DOMAIN.md: 30). */
  reportDeadlineDays: number;
  /** Hours of service a year below which a member is listed (some counties require 50). */
  yearlyHoursExpected: number;
}

export const DEFAULT_RULES: CheckinRules = {
  capMinutes: 240,
  qrRotationSeconds: 30,
  qrGraceRotations: 1,
  opensMinutesBefore: 30,
  checkoutGraceMinutes: 30,
  noShowDays: 180,
  feedbackThreshold: 0.95,
  callArrivalMinutes: 30,
  geofenceAccuracyAllowanceMeters: 50,
  minCreditedMinutes: { activity: 30, call: 15 },
  activityHorizonDays: 365,
  reportDeadlineDays: 30,
  yearlyHoursExpected: 50,
};

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Hours with two decimals from whole minutes. */
export function hoursOf(minutes: number): number {
  return Math.round((minutes / 60) * 100) / 100;
}
