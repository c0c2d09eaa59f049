import type { EventDraft, Reason } from '@honglian/contracts';

/**
 * Why a command is refused, as the domain says it. HTTP statuses are not the
 * domain's business: the kit maps each kind to one status (`REFUSAL_STATUS`).
 */
export const REFUSAL_KINDS = [
  /** Well-formed, but it breaks a rule (a report to the wrong community, a date out of range). */
  'invalid',
  /** Malformed in a way the schema could not tell (an empty file, a bad header). */
  'bad-request',
  /** Does not exist, or lies outside the caller's scope: the two are never told apart. */
  'not-found',
  /** The current state does not allow it (already done, a duplicate, a concurrent change). */
  'conflict',
  /** In scope, but this caller may not do it. */
  'forbidden',
  /** Existed and was removed or expired for good (an expired QR token, a closed period). */
  'gone',
  /** A stated precondition (If-Match, an expected version) does not hold. */
  'precondition-failed',
  /** Larger than allowed. */
  'too-large',
  /** A format the service does not take. */
  'unsupported-media-type',
] as const;
export type RefusalKind = (typeof REFUSAL_KINDS)[number];

export interface Refusal<K extends RefusalKind = RefusalKind> {
  readonly ok: false;
  readonly kind: K;
  readonly reason: Reason;
  /** The input at fault, e.g. `communityId` (an import maps it to its column). */
  readonly field?: string;
  /** Further facts for the client, added to the problem body (e.g. the id of the conflicting record). */
  readonly extras?: Readonly<Record<string, unknown>>;
}

export interface RefusalOptions {
  field?: string;
  extras?: Record<string, unknown>;
}

/** A refusal's reason as a `{zh, en}` object or as the two strings. */
export type RefusalArgs =
  [reason: Reason, options?: RefusalOptions] | [zh: string, en: string, options?: RefusalOptions];

export const NOT_FOUND_REASON: Reason = {
  zh: '记录不存在或不在您的管辖范围内',
  en: 'The resource does not exist or is outside your scope.',
};

/** Members of every problem body: an extra of that name would be lost, so it is refused at once. */
const RESERVED_EXTRAS = ['type', 'title', 'status', 'detail', 'instance', 'reason', 'field'];

function refusal<K extends RefusalKind>(kind: K, args: RefusalArgs): Refusal<K> {
  const [reason, options] =
    typeof args[0] === 'string'
      ? [{ zh: args[0], en: args[1] as string }, args[2] as RefusalOptions | undefined]
      : [args[0], args[1] as RefusalOptions | undefined];
  const reserved = Object.keys(options?.extras ?? {}).filter((k) => RESERVED_EXTRAS.includes(k));
  if (reserved.length > 0) throw new TypeError(`refusal extras must not be named ${reserved.join(', ')}`);
  return {
    ok: false,
    kind,
    reason: { zh: reason.zh, en: reason.en },
    ...(options?.field !== undefined ? { field: options.field } : {}),
    ...(options?.extras ? { extras: { ...options.extras } } : {}),
  };
}

type Refuse = <K extends RefusalKind>(kind: K, ...args: RefusalArgs) => Refusal<K>;

/**
 * Builds a refusal: `refuse('conflict', reason)`, or by kind:
 *
 *   refuse.invalid('所报社区不是居住地社区', 'not the community of the residence', { field: 'communityId' })
 *   refuse.conflict(ALREADY_REPORTED, { extras: { reportId } })
 *   refuse.notFound()
 */
export const refuse: Refuse & {
  invalid(...args: RefusalArgs): Refusal<'invalid'>;
  badRequest(...args: RefusalArgs): Refusal<'bad-request'>;
  notFound(...args: RefusalArgs | []): Refusal<'not-found'>;
  conflict(...args: RefusalArgs): Refusal<'conflict'>;
  forbidden(...args: RefusalArgs): Refusal<'forbidden'>;
  gone(...args: RefusalArgs): Refusal<'gone'>;
  preconditionFailed(...args: RefusalArgs): Refusal<'precondition-failed'>;
  tooLarge(...args: RefusalArgs): Refusal<'too-large'>;
  unsupportedMediaType(...args: RefusalArgs): Refusal<'unsupported-media-type'>;
} = Object.assign(<K extends RefusalKind>(kind: K, ...args: RefusalArgs) => refusal(kind, args), {
  invalid: (...args: RefusalArgs) => refusal('invalid', args),
  badRequest: (...args: RefusalArgs) => refusal('bad-request', args),
  notFound: (...args: RefusalArgs | []) =>
    refusal('not-found', args.length === 0 ? [NOT_FOUND_REASON] : args),
  conflict: (...args: RefusalArgs) => refusal('conflict', args),
  forbidden: (...args: RefusalArgs) => refusal('forbidden', args),
  gone: (...args: RefusalArgs) => refusal('gone', args),
  preconditionFailed: (...args: RefusalArgs) => refusal('precondition-failed', args),
  tooLarge: (...args: RefusalArgs) => refusal('too-large', args),
  unsupportedMediaType: (...args: RefusalArgs) => refusal('unsupported-media-type', args),
});

export function isRefusal(value: unknown): value is Refusal {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Refusal).ok === false &&
    (REFUSAL_KINDS as readonly string[]).includes((value as Refusal).kind) &&
    typeof (value as Refusal).reason?.en === 'string'
  );
}

/** A command the domain accepts: the changes to save and the events to emit with them (one transaction). */
export interface Accepted<T = void, E extends EventDraft = EventDraft> {
  readonly ok: true;
  readonly changes: T;
  readonly events: readonly E[];
}

/** What a decide function returns: load → decide (pure) → save. */
export type Decision<T = void, E extends EventDraft = EventDraft> = Accepted<T, E> | Refusal;

export function accept(): Accepted<void, never>;
export function accept<T, E extends EventDraft = EventDraft>(
  changes: T,
  events?: readonly E[],
): Accepted<T, E>;
export function accept(changes?: unknown, events: readonly EventDraft[] = []): Accepted<unknown> {
  return { ok: true, changes, events };
}
