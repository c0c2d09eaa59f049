import { AuthEnvSchema, BaseConfigSchema } from '@honglian/service-kit';
import { z } from 'zod';

/** Defaults of DOMAIN.md §4 a city may change. */
export const EvaluationConfigSchema = BaseConfigSchema.extend(AuthEnvSchema.shape).extend({
  /** Length of the public notice (公示) of a cycle, in days. */
  EVALUATION_NOTICE_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  /** Fewest resident survey answers for the residents' role to count in the default template. */
  EVALUATION_MIN_RESIDENT_SAMPLE: z.coerce.number().int().min(1).max(100_000).default(30),
  /** Months a veto keeps a firm on the blacklist, in the default template. */
  EVALUATION_BLACKLIST_MONTHS: z.coerce.number().int().min(1).max(120).default(12),
  /** Comma-separated origins (or URL prefixes) webhook subscribers may use; empty: no webhooks. */
  EVALUATION_WEBHOOK_ALLOWLIST: z.string().default(''),
  /** Attempts per delivery before it is marked failed. */
  EVALUATION_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  /** Wait before the first retry; each further retry waits twice as long. */
  EVALUATION_WEBHOOK_BACKOFF_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
  /** How often due deliveries are sent; 0 = never (an operator or test calls dispatch). */
  EVALUATION_WEBHOOK_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  /** How long a subscriber may take to answer. */
  EVALUATION_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
});
export type EvaluationConfig = z.infer<typeof EvaluationConfigSchema>;

/** What the service runs with, from its config or given by a test. */
export interface EvaluationSettings {
  noticeDays: number;
  minResidentSample: number;
  blacklistMonths: number;
  webhooks: {
    allowList: string[];
    maxAttempts: number;
    backoffMs: number;
    intervalMs: number;
    timeoutMs: number;
  };
  /** Sends a webhook payload (default fetch); tests may inject their own. */
  webhookSender?: WebhookSender;
}

/** Sends one payload; resolves to the HTTP status, or rejects when no answer came. */
export type WebhookSender = (
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
) => Promise<number>;

export function evaluationSettingsOf(config: EvaluationConfig): EvaluationSettings {
  return {
    noticeDays: config.EVALUATION_NOTICE_DAYS,
    minResidentSample: config.EVALUATION_MIN_RESIDENT_SAMPLE,
    blacklistMonths: config.EVALUATION_BLACKLIST_MONTHS,
    webhooks: {
      allowList: config.EVALUATION_WEBHOOK_ALLOWLIST.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      maxAttempts: config.EVALUATION_WEBHOOK_MAX_ATTEMPTS,
      backoffMs: config.EVALUATION_WEBHOOK_BACKOFF_SECONDS * 1000,
      intervalMs: config.EVALUATION_WEBHOOK_INTERVAL_MS,
      timeoutMs: config.EVALUATION_WEBHOOK_TIMEOUT_MS,
    },
  };
}
