import { createHash } from 'node:crypto';
import { AuthEnvSchema, BaseConfigSchema, ConfigError } from '@honglian/service-kit';
import { z } from 'zod';

export const RegistryConfigSchema = BaseConfigSchema.extend(AuthEnvSchema.shape).extend({
  /** Base64 secret (≥ 32 bytes) protecting ID numbers and phones at rest. Required in production. */
  PII_KEY: z.string().min(1).optional(),
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
  /** No record takes effect before this day (README, Input sanity). */
  REGISTRY_EARLIEST_DAY: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
    .default('1921-07-01'),
  /** A record takes effect (starts, changes, closes, ends) at most this many days after today. */
  REGISTRY_MAX_DAYS_AHEAD: z.coerce.number().int().min(0).default(366),
  /** A planned end (contract, pairing, term of office) lies at most this many years after today. */
  REGISTRY_MAX_END_YEARS_AHEAD: z.coerce.number().int().min(1).default(30),
  /** A member is at least this old on the day their record takes effect. */
  MEMBER_MIN_AGE: z.coerce.number().int().min(0).default(18),
  /** Nobody registered is older than this. */
  MEMBER_MAX_AGE: z.coerce.number().int().positive().default(120),
});
export type RegistryConfig = z.infer<typeof RegistryConfigSchema>;

/** Development runs get a fixed, well-known key so demo data survives restarts; production must set its own. */
const DEVELOPMENT_KEY = createHash('sha256').update('honglian-development-only-pii-key').digest();

export function piiKeyOf(config: Pick<RegistryConfig, 'PII_KEY' | 'NODE_ENV'>): Buffer {
  if (!config.PII_KEY) {
    if (config.NODE_ENV === 'production') {
      throw new ConfigError([
        { variable: 'PII_KEY', message: 'required when NODE_ENV=production (base64, at least 32 bytes)' },
      ]);
    }
    return DEVELOPMENT_KEY;
  }
  const key = Buffer.from(config.PII_KEY, 'base64');
  if (key.length < 32)
    throw new ConfigError([{ variable: 'PII_KEY', message: 'must decode (base64) to at least 32 bytes' }]);
  return key;
}
