import type { EventDraft } from '@honglian/contracts';
import type { Accepted, Decision, Refusal, RefusalKind } from './domain/refusal.js';
import { HttpProblem } from './problem.js';

/** The one place refusal kinds become HTTP statuses. */
export const REFUSAL_STATUS: { readonly [K in RefusalKind]: number } = {
  invalid: 422,
  'bad-request': 400,
  'not-found': 404,
  conflict: 409,
  forbidden: 403,
  gone: 410,
  'precondition-failed': 412,
  'too-large': 413,
  'unsupported-media-type': 415,
};

/**
 * A refusal on its way to the client. It is an HttpProblem, so the kit's error
 * handler answers it as problem+json: `detail` is the English reason, and the
 * body carries `reason` ({zh, en}), `field` when set, and the refusal's extras.
 */
export class RefusalError extends HttpProblem {
  readonly refusal: Refusal;

  constructor(refusal: Refusal) {
    super(REFUSAL_STATUS[refusal.kind], refusal.reason.en, {
      extensions: {
        ...refusal.extras,
        reason: refusal.reason,
        ...(refusal.field !== undefined ? { field: refusal.field } : {}),
      },
    });
    this.name = 'RefusalError';
    this.refusal = refusal;
  }
}

/** The problem a refusal answers. */
export function refusalProblem(refusal: Refusal): RefusalError {
  return new RefusalError(refusal);
}

/** Throws the refusal as its problem (use cases, routes). */
export function throwRefusal(refusal: Refusal): never {
  throw new RefusalError(refusal);
}

/** The accepted decision, or the refusal thrown as its problem. */
export function orThrow<T, E extends EventDraft>(decision: Decision<T, E>): Accepted<T, E> {
  if (!decision.ok) throw new RefusalError(decision);
  return decision;
}
