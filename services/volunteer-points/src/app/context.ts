import type { Connection } from 'mongoose';
import type { Clock, Logger, Principal } from '@honglian/service-kit';
import type { PointsSettings } from '../config.js';
import type { PointsData } from '../data/index.js';

/** What the points use cases share. */
export interface PointsContext {
  conn: Connection;
  data: PointsData;
  clock: Clock;
  logger: Logger;
  settings: PointsSettings;
}

/** Who did it, as recorded on entries, records and order steps. */
export function actorOf(principal: Principal): string {
  return principal.username ?? principal.subject;
}

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A short random id with a readable prefix. */
export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}-${[...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}`;
}
