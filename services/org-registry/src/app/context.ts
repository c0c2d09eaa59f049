import type { Connection } from 'mongoose';
import { RefusalError, type Clock, type Logger, type Principal } from '@honglian/service-kit';
import type { Accepted, Decision, EventDraft, Refusal } from '@honglian/service-kit/domain';
import type { RegistryModels } from '../data/models.js';
import type { MemberRepository } from '../data/members.js';
import type { OrgRepository } from '../data/orgs.js';
import type { RelationRepository } from '../data/relations.js';
import { randomPool, type PiiVault } from '../domain/pii.js';
import type { Stamp } from '../domain/orgs.js';
import { dayOf } from '../domain/effective.js';

/** What the registry's application services share. */
export interface RegistryContext {
  conn: Connection;
  models: RegistryModels;
  orgs: OrgRepository;
  members: MemberRepository;
  relations: RelationRepository;
  clock: Clock;
  vault: PiiVault;
  logger: Logger;
}

export function today(ctx: Pick<RegistryContext, 'clock'>): string {
  return dayOf(ctx.clock.now());
}

/** Who did it, as recorded on versions and audit entries. */
export function actorOf(principal: Principal): string {
  return principal.username ?? principal.subject;
}

/** Who acts, and now (the domain never reads the clock). */
export function stampOf(ctx: Pick<RegistryContext, 'clock'>, principal: Principal): Stamp {
  return { principal, actor: actorOf(principal), now: ctx.clock.now() };
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
