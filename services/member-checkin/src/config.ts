import { AuthEnvSchema, BaseConfigSchema, ConfigError } from '@honglian/service-kit';
import { z } from 'zod';
import { DEFAULT_RULES, type CheckinRules } from './domain/rules.js';

export const CheckinConfigSchema = BaseConfigSchema.extend(AuthEnvSchema.shape).extend({
  /** Base64 secret (≥ 32 bytes) signing QR tokens; every replica needs the same. Required in production. */
  CHECKIN_QR_SECRET: z.string().min(1).optional(),
  CHECKIN_QR_ROTATION_SECONDS: z.coerce
    .number()
    .int()
    .min(5)
    .max(600)
    .default(DEFAULT_RULES.qrRotationSeconds),
  CHECKIN_CAP_HOURS: z.coerce
    .number()
    .positive()
    .max(24)
    .default(DEFAULT_RULES.capMinutes / 60),
  CHECKIN_OPENS_MINUTES_BEFORE: z.coerce
    .number()
    .int()
    .min(0)
    .max(1440)
    .default(DEFAULT_RULES.opensMinutesBefore),
  CHECKIN_CHECKOUT_GRACE_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(1440)
    .default(DEFAULT_RULES.checkoutGraceMinutes),
  CHECKIN_NO_SHOW_DAYS: z.coerce.number().int().min(1).max(3650).default(DEFAULT_RULES.noShowDays),
  CHECKIN_FEEDBACK_THRESHOLD: z.coerce.number().min(0).max(1).default(DEFAULT_RULES.feedbackThreshold),
  CHECKIN_CALL_ARRIVAL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1440)
    .default(DEFAULT_RULES.callArrivalMinutes),
  CHECKIN_GEOFENCE_ALLOWANCE_METERS: z.coerce
    .number()
    .min(0)
    .max(1000)
    .default(DEFAULT_RULES.geofenceAccuracyAllowanceMeters),
  /** Shortest credited session of an activity, in minutes (DOMAIN.md gives none; default 30). */
  CHECKIN_MIN_ACTIVITY_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(1440)
    .default(DEFAULT_RULES.minCreditedMinutes.activity),
  /** Shortest credited session of a whistle call, in minutes (default 15). */
  CHECKIN_MIN_CALL_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(1440)
    .default(DEFAULT_RULES.minCreditedMinutes.call),
  /** Activities start at most this many days after they are published (default 365). */
  CHECKIN_ACTIVITY_HORIZON_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(DEFAULT_RULES.activityHorizonDays),
  /** Days a member has to report after joining, moving or changing work unit (county views). */
  CHECKIN_REPORT_DEADLINE_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(DEFAULT_RULES.reportDeadlineDays),
  /** Yearly hours of service expected of a member (the low-hours view lists those below). */
  CHECKIN_YEARLY_HOURS: z.coerce.number().min(0).max(2000).default(DEFAULT_RULES.yearlyHoursExpected),
  /** How often the sweep (auto-close, 报而不到) runs; 0 disables the timer. */
  CHECKIN_SCAN_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
});
export type CheckinConfig = z.infer<typeof CheckinConfigSchema>;

export function rulesOf(config: CheckinConfig): CheckinRules {
  return {
    ...DEFAULT_RULES,
    capMinutes: Math.round(config.CHECKIN_CAP_HOURS * 60),
    qrRotationSeconds: config.CHECKIN_QR_ROTATION_SECONDS,
    opensMinutesBefore: config.CHECKIN_OPENS_MINUTES_BEFORE,
    checkoutGraceMinutes: config.CHECKIN_CHECKOUT_GRACE_MINUTES,
    noShowDays: config.CHECKIN_NO_SHOW_DAYS,
    feedbackThreshold: config.CHECKIN_FEEDBACK_THRESHOLD,
    callArrivalMinutes: config.CHECKIN_CALL_ARRIVAL_MINUTES,
    geofenceAccuracyAllowanceMeters: config.CHECKIN_GEOFENCE_ALLOWANCE_METERS,
    minCreditedMinutes: {
      activity: config.CHECKIN_MIN_ACTIVITY_MINUTES,
      call: config.CHECKIN_MIN_CALL_MINUTES,
    },
    activityHorizonDays: config.CHECKIN_ACTIVITY_HORIZON_DAYS,
    reportDeadlineDays: config.CHECKIN_REPORT_DEADLINE_DAYS,
    yearlyHoursExpected: config.CHECKIN_YEARLY_HOURS,
  };
}

/** The QR secret; absent outside production = a random per-process key (fine for one process). */
export function qrSecretOf(
  config: Pick<CheckinConfig, 'CHECKIN_QR_SECRET' | 'NODE_ENV'>,
): Buffer | undefined {
  if (!config.CHECKIN_QR_SECRET) {
    if (config.NODE_ENV === 'production')
      throw new ConfigError([
        {
          variable: 'CHECKIN_QR_SECRET',
          message: 'required when NODE_ENV=production (base64, at least 32 bytes)',
        },
      ]);
    return undefined;
  }
  const key = Buffer.from(config.CHECKIN_QR_SECRET, 'base64');
  if (key.length < 32)
    throw new ConfigError([
      { variable: 'CHECKIN_QR_SECRET', message: 'must decode (base64) to at least 32 bytes' },
    ]);
  return key;
}
