import { AuthEnvSchema, BaseConfigSchema, ConfigError } from '@honglian/service-kit';
import { z } from 'zod';
import type { YearEndPolicy } from './domain/ledger.js';
import { DEFAULT_RULES, type PointsRules } from './domain/rules.js';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Environment of volunteer-points (service README, Configuration). */
export const PointsConfigSchema = BaseConfigSchema.extend(AuthEnvSchema.shape).extend({
  POINTS_PER_HOUR: z.coerce.number().positive().max(100).default(DEFAULT_RULES.pointsPerHour),
  POINTS_CAP_PER_ACTIVITY: z.coerce.number().min(0).max(1000).default(DEFAULT_RULES.capPerActivity),
  POINTS_CAP_PER_DAY: z.coerce.number().min(0).max(1000).default(DEFAULT_RULES.capPerDay),
  POINTS_BONUS_ORDER_DONE: z.coerce.number().min(0).max(100).default(DEFAULT_RULES.bonusOrderDone),
  POINTS_BONUS_FIVE_STAR: z.coerce.number().min(0).max(100).default(DEFAULT_RULES.bonusFiveStar),
  POINTS_BONUS_CAP_PER_MONTH: z.coerce.number().min(0).max(10_000).default(DEFAULT_RULES.bonusCapPerMonth),
  POINTS_APPROVAL_REQUIRED: bool.default(DEFAULT_RULES.approvalRequired),
  /** Star thresholds in hours, ascending, comma-separated. */
  POINTS_STAR_HOURS: z.string().default('100,300,600,1000,1500'),
  POINTS_ESCALATE_DAYS: z.coerce.number().int().min(1).max(365).default(5),
  POINTS_WISH_MAX_BUDGET: z.coerce.number().positive().max(100_000).default(300),
  /** What a community does with unused points at the year end unless it set otherwise. */
  POINTS_YEAR_END: z.enum(['clear', 'carry-over']).default('carry-over'),
  POINTS_CERT_NOTICE_DAYS: z.coerce.number().int().min(7).max(90).default(7),
  /** How often the scheduled jobs (escalation, year end) run; 0 = never. */
  POINTS_JOB_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(3600),
});
export type PointsConfig = z.infer<typeof PointsConfigSchema>;

export interface PointsSettings {
  rules: PointsRules;
  starHours: number[];
  escalateDays: number;
  wishMaxBudget: number;
  yearEnd: YearEndPolicy;
  noticeDays: number;
  jobIntervalMs: number;
}

export function starHoursOf(text: string): number[] {
  const values = text.split(',').map((v) => Number(v.trim()));
  const ok =
    values.length > 0 &&
    values.every((v, i) => Number.isFinite(v) && v > 0 && (i === 0 || v > values[i - 1]!));
  if (!ok)
    throw new ConfigError([
      { variable: 'POINTS_STAR_HOURS', message: 'ascending positive hours, e.g. 100,300,600,1000,1500' },
    ]);
  return values;
}

export function pointsSettingsOf(config: PointsConfig): PointsSettings {
  return {
    rules: {
      pointsPerHour: config.POINTS_PER_HOUR,
      capPerActivity: config.POINTS_CAP_PER_ACTIVITY,
      capPerDay: config.POINTS_CAP_PER_DAY,
      bonusOrderDone: config.POINTS_BONUS_ORDER_DONE,
      bonusFiveStar: config.POINTS_BONUS_FIVE_STAR,
      bonusCapPerMonth: config.POINTS_BONUS_CAP_PER_MONTH,
      approvalRequired: config.POINTS_APPROVAL_REQUIRED,
    },
    starHours: starHoursOf(config.POINTS_STAR_HOURS),
    escalateDays: config.POINTS_ESCALATE_DAYS,
    wishMaxBudget: config.POINTS_WISH_MAX_BUDGET,
    yearEnd: config.POINTS_YEAR_END,
    noticeDays: config.POINTS_CERT_NOTICE_DAYS,
    jobIntervalMs: config.POINTS_JOB_INTERVAL_SECONDS * 1000,
  };
}
