import type { Connection } from 'mongoose';
import type { Clock, Logger, Principal } from '@honglian/service-kit';
import { TOPICS, createEvent, type CloudEvent } from '@honglian/contracts';
import type { RegistryModels } from '../data/models.js';
import type { PiiVault } from '../domain/pii.js';
import { dayOf } from '../domain/effective.js';

/** What the registry's application services share. */
export interface RegistryContext {
  conn: Connection;
  models: RegistryModels;
  clock: Clock;
  vault: PiiVault;
  logger: Logger;
}

export const SOURCE = '/honglian/org-registry';
export const TOPIC = TOPICS.orgRegistry;

export function today(ctx: RegistryContext): string {
  return dayOf(ctx.clock.now());
}

/** Who did it, as recorded on versions and audit entries. */
export function actorOf(principal: Principal): string {
  return principal.username ?? principal.subject;
}

export function registryEvent<T>(
  ctx: RegistryContext,
  type: string,
  subject: string,
  county: string,
  data: T,
): CloudEvent<T> {
  return createEvent({ type, source: SOURCE, subject, county, data, time: ctx.clock.now() });
}

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A short random id with a readable prefix, for records the city gives no code. */
export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}-${[...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}`;
}
