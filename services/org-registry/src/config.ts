import { createHash } from 'node:crypto';
import { AuthEnvSchema, BaseConfigSchema, ConfigError } from '@honglian/service-kit';
import { z } from 'zod';

export const RegistryConfigSchema = BaseConfigSchema.extend(AuthEnvSchema.shape).extend({
  /** Base64 secret (≥ 32 bytes) protecting ID numbers and phones at rest. Required in production. */
  PII_KEY: z.string().min(1).optional(),
  /**
   * During a key rotation only: the key PII_KEY replaces (base64, ≥ 32 bytes). Values it sealed
   * still open and its hashes still match until `honglian pii rotate` re-sealed them all.
   */
  PII_KEY_PREVIOUS: z.string().min(1).optional(),
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
  return keyFrom('PII_KEY', config.PII_KEY);
}

/** PII_KEY_PREVIOUS when set (a rotation in progress); a bad one, or the same as PII_KEY, is a ConfigError. */
export function previousPiiKeyOf(
  config: Pick<RegistryConfig, 'PII_KEY' | 'PII_KEY_PREVIOUS' | 'NODE_ENV'>,
): Buffer | undefined {
  if (!config.PII_KEY_PREVIOUS) return undefined;
  const previous = keyFrom('PII_KEY_PREVIOUS', config.PII_KEY_PREVIOUS);
  if (previous.equals(piiKeyOf(config))) {
    throw new ConfigError([{ variable: 'PII_KEY_PREVIOUS', message: 'must differ from PII_KEY' }]);
  }
  return previous;
}

/** A key from its base64 text (the message never repeats the value). */
function keyFrom(variable: string, base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length < 32)
    throw new ConfigError([{ variable, message: 'must decode (base64) to at least 32 bytes' }]);
  return key;
}
