import { AuthEnvSchema, BaseConfigSchema } from '@honglian/service-kit';
import { z } from 'zod';
import type { ScheduleTimers } from './app/schedule.js';

/** Environment of assessment (service README, Scheduling). */
export const AssessmentConfigSchema = BaseConfigSchema.extend(AuthEnvSchema.shape).extend({
  /**
   * How often the scheduled computation (current month, quarter and year of every county, open
   * periods only) runs, in minutes; 0 = never (compute on demand only).
   */
  ASSESSMENT_SCHEDULE_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
});
export type AssessmentConfig = z.infer<typeof AssessmentConfigSchema>;

/** What assessment runs with, from its config (`assessmentSettingsOf`) or given by a test. */
export interface AssessmentSettings {
  /** Interval of the scheduled computation; 0 = never. */
  scheduleMs: number;
  /** Schedules the computation (default Node's timers, unref'd); tests inject timers they tick by hand. */
  timers?: ScheduleTimers;
}

export function assessmentSettingsOf(config: AssessmentConfig): AssessmentSettings {
  return { scheduleMs: config.ASSESSMENT_SCHEDULE_MINUTES * 60_000 };
}
