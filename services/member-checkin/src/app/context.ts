import type { Connection } from 'mongoose';
import { TOPICS, createEvent, type CloudEvent } from '@honglian/contracts';
import { HttpProblem, type Clock, type Logger, type Principal } from '@honglian/service-kit';
import type { CheckinModels } from '../data/models.js';
import type { CheckinRules, Reason } from '../domain/rules.js';

/** What the check-in application services share. */
export interface CheckinContext {
  conn: Connection;
  models: CheckinModels;
  clock: Clock;
  logger: Logger;
  rules: CheckinRules;
  qrSecret: Buffer;
}

export const SOURCE = '/honglian/member-checkin';
export const TOPIC = TOPICS.memberCheckin;

export function checkinEvent<T>(
  ctx: CheckinContext,
  type: string,
  subject: string,
  county: string,
  data: T,
): CloudEvent<T> {
  return createEvent({ type, source: SOURCE, subject, county, data, time: ctx.clock.now() });
}

/** Who did it, as recorded on reports and attendances. */
export function actorOf(principal: Principal): string {
  return principal.username ?? principal.subject;
}

/** A refusal with its reason in zh-CN and English (status 409 or 422 usually). */
export function refused(status: number, why: Reason, extensions: Record<string, unknown> = {}): HttpProblem {
  return new HttpProblem(status, why.en, { extensions: { reason: why, ...extensions } });
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

export const iso = (d: Date) => d.toISOString();
