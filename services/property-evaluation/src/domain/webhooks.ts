import { createHmac } from 'node:crypto';
import { accept, refuse, type Decision } from '@honglian/service-kit/domain';

/** Facts a subscriber can ask for. */
export const WEBHOOK_EVENTS = ['result.published', 'result.revised'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** A subscriber: its URL (on the allow-list), the events it wants and the secret its payloads are signed with. */
export interface Subscription {
  _id: string;
  /** The client (or user) that owns it: only it (and city admins) sees it. */
  owner: string;
  url: string;
  events: WebhookEvent[];
  secret: string;
  active: boolean;
  createdAt: Date;
}

export interface Attempt {
  attempt: number;
  at: Date;
  /** HTTP status, or null when no answer came (refused, timed out). */
  status: number | null;
  error: string | null;
}

/** One event to one subscriber, with every attempt logged. */
export interface Delivery {
  _id: string;
  subscriptionId: string;
  owner: string;
  eventId: string;
  event: WebhookEvent;
  payload: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date | null;
  log: Attempt[];
  createdAt: Date;
}

export interface RetryPolicy {
  maxAttempts: number;
  /** The first retry waits this long; each further one twice as long. */
  backoffMs: number;
}

/** Whether a URL is on the allow-list: each entry an origin (`https://bid.example.org`) or a prefix of a URL. */
export function allowed(url: string, allowList: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username || parsed.password) return false;
  return allowList.some((entry) => {
    const e = entry.replace(/\/$/, '');
    return parsed.origin === e || parsed.href.startsWith(`${e}/`);
  });
}

export function decideSubscribe(
  cmd: { id: string; owner: string; url: string; events: WebhookEvent[]; secret: string; now: Date },
  allowList: readonly string[],
): Decision<{ subscription: Subscription }> {
  if (!allowed(cmd.url, allowList))
    return refuse.invalid('回调地址不在允许列表中', 'the URL is not on the webhook allow-list', {
      field: 'url',
    });
  return accept({
    subscription: {
      _id: cmd.id,
      owner: cmd.owner,
      url: cmd.url,
      events: [...new Set(cmd.events)],
      secret: cmd.secret,
      active: true,
      createdAt: cmd.now,
    },
  });
}

/**
 * The signature a receiver checks: `sha256=` + hex HMAC-SHA256 over `<timestamp>.<body>` with the
 * subscription's secret; the timestamp (Unix seconds) is sent beside it, so a receiver can refuse
 * old or replayed deliveries.
 */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** After an attempt: delivered on a 2xx; else retried with doubling backoff until the attempts run out. */
export function afterAttempt(
  d: Delivery,
  outcome: { status: number | null; error: string | null; at: Date },
  policy: RetryPolicy,
): Delivery {
  const attempt = d.attempts + 1;
  const log = [...d.log, { attempt, at: outcome.at, status: outcome.status, error: outcome.error }];
  const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
  if (ok) return { ...d, attempts: attempt, status: 'delivered', nextAttemptAt: null, log };
  if (attempt >= policy.maxAttempts)
    return { ...d, attempts: attempt, status: 'failed', nextAttemptAt: null, log };
  const wait = policy.backoffMs * 2 ** (attempt - 1);
  return {
    ...d,
    attempts: attempt,
    status: 'pending',
    nextAttemptAt: new Date(outcome.at.getTime() + wait),
    log,
  };
}

/** Redelivery on request: pending again at once, the log kept; attempts start over. */
export function redeliver(d: Delivery, now: Date): Delivery {
  return { ...d, status: 'pending', attempts: 0, nextAttemptAt: now };
}
