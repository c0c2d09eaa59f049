import type { Connection } from 'mongoose';
import type { Clock, Logger, Principal } from '@honglian/service-kit';
import type { CheckinData } from '../data/index.js';
import type { CheckinRules } from '../domain/rules.js';

/** What the check-in use cases share. */
export interface CheckinContext {
  conn: Connection;
  data: CheckinData;
  clock: Clock;
  logger: Logger;
  rules: CheckinRules;
  qrSecret: Buffer;
}

/** Who did it, as recorded on reports and attendances. */
export function actorOf(principal: Principal): string {
  return principal.username ?? principal.subject;
}

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A short random id with a readable prefix. */
export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}-${[...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}`;
}

/** The local (China Standard Time) day of an instant, `YYYY-MM-DD`. */
export function dayOf(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}
