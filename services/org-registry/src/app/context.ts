import type { Connection } from 'mongoose';
import { RefusalError, type Clock, type Logger, type Principal } from '@honglian/service-kit';
import type { Accepted, Decision, EventDraft, Refusal } from '@honglian/service-kit/domain';
import type { AuditLog } from '../data/audit.js';
import type { IdentityReviewStore } from '../data/identity-reviews.js';
import type { ImportJobStore, ImportStore } from '../data/imports.js';
import type { MemberRepository } from '../data/members.js';
import type { OrgRepository } from '../data/orgs.js';
import type { RelationRepository } from '../data/relations.js';
import { randomPool, type PiiKeyring } from '../domain/pii.js';
import type { Stamp } from '../domain/orgs.js';
import { dayOf } from '../domain/effective.js';
import { implausibleDate, type DatedField, type DateRules } from '../domain/dates.js';

/** What the registry's application services share. */
export interface RegistryContext {
  /** For transactions (withOutbox); every read and write goes through the stores below. */
  conn: Connection;
  orgs: OrgRepository;
  members: MemberRepository;
  relations: RelationRepository;
  imports: ImportStore;
  importJobs: ImportJobStore;
  identityReviews: IdentityReviewStore;
  audit: AuditLog;
  clock: Clock;
  /** The personal-data keys: the current one, and the previous one during a rotation. */
  vault: PiiKeyring;
  logger: Logger;
  /** Plausible-date bounds (settings `dates`). */
  dates: DateRules;
}

export function today(ctx: Pick<RegistryContext, 'clock'>): string {
  return dayOf(ctx.clock.now());
}

/** Who did it, as recorded on versions and audit entries. */
export function actorOf(principal: Principal): string {
  return principal.username ?? principal.subject;
}

/** Who acts, and now (the domain never reads the clock). */
export function stampOf(
  ctx: Pick<RegistryContext, 'clock'> & Partial<Pick<RegistryContext, 'dates'>>,
  principal: Principal,
): Stamp {
  return {
    principal,
    actor: actorOf(principal),
    now: ctx.clock.now(),
    ...(ctx.dates ? { dates: ctx.dates } : {}),
  };
}

/** Refuses (422, naming the field) a command date outside the plausible range (domain/dates.ts). */
export function checkDates(
  ctx: Pick<RegistryContext, 'clock' | 'dates'>,
  dates: readonly DatedField[],
): void {
  const refused = implausibleDate(ctx.dates, today(ctx), dates);
  if (refused) throw refusalError(refused);
}

/**
 * A refusal as its problem; a 404's `detail` names what was asked for (`Member m-1 was not
 * found.`) while its reason stays the neutral one, identical whether the record is missing or out
 * of scope. (The kit's RefusalError takes the detail from the English reason.)
 */
export function refusalError(refusal: Refusal, notFoundDetail?: string): RefusalError {
  const err = new RefusalError(refusal);
  if (refusal.kind === 'not-found' && notFoundDetail) err.message = notFoundDetail;
  return err;
}

/** The kit's `orThrow`, with the 404 detail of `refusalError`. */
export function orThrowAs<T, E extends EventDraft>(
  decision: Decision<T, E>,
  notFoundDetail?: string,
): Accepted<T, E> {
  if (!decision.ok) throw refusalError(decision, notFoundDetail);
  return decision;
}

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A short random id with a readable prefix, for records the city gives no code. */
export function newId(prefix: string): string {
  const bytes = randomPool.take(12);
  return `${prefix}-${[...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}`;
}
