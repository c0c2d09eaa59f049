import { randomBytes } from 'node:crypto';
import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import type { ClientSession } from 'mongoose';
import type { Page, PageRequest } from '../data/page.js';
import {
  afterAttempt,
  allowed,
  decideSubscribe,
  redeliver,
  signatureOf,
  type Delivery,
  type Subscription,
  type WebhookEvent,
} from '../domain/webhooks.js';
import { newId, type EvaluationContext } from './context.js';

import type { WebhookSender } from '../config.js';

export const fetchSender: WebhookSender = async (url, body, headers, timeoutMs) => {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'manual',
  });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
};

const LEASE_MS = 5 * 60_000;

/** Webhooks on publication and revision: subscriptions, the delivery queue, the dispatcher. */
export class WebhookService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly ctx: EvaluationContext,
    private readonly send: WebhookSender = fetchSender,
  ) {}

  private get store() {
    return this.ctx.data.webhooks;
  }

  private get policy() {
    return this.ctx.settings.webhooks;
  }

  /** Owner of the caller's subscriptions (its client), or null for a city admin (all). */
  private ownerOf(p: Principal): string | null {
    if (p.roles.includes('city-admin')) return null;
    return p.clientId ?? p.subject;
  }

  /** A new subscription; its secret is answered once, here. */
  async subscribe(p: Principal, cmd: { url: string; events: WebhookEvent[] }): Promise<Subscription> {
    const { changes } = orThrow(
      decideSubscribe(
        {
          id: newId('whk'),
          owner: p.clientId ?? p.subject,
          url: cmd.url,
          events: cmd.events,
          secret: randomBytes(32).toString('base64url'),
          now: this.ctx.clock.now(),
        },
        this.policy.allowList,
      ),
    );
    await this.store.subscribe(changes.subscription);
    return changes.subscription;
  }

  list(p: Principal, q: PageRequest): Promise<Page<Subscription>> {
    return this.store.subscriptions(this.ownerOf(p), q);
  }

  async get(p: Principal, id: string): Promise<Subscription> {
    return (await this.store.subscription(id, this.ownerOf(p))) ?? throwRefusal(refuse.notFound());
  }

  async unsubscribe(p: Principal, id: string): Promise<void> {
    await this.store.deactivate((await this.get(p, id))._id);
  }

  async deliveries(p: Principal, id: string, q: PageRequest): Promise<Page<Delivery>> {
    return this.store.deliveries((await this.get(p, id))._id, q);
  }

  /** Sends a delivery again (e.g. after the subscriber fixed its endpoint); the log is kept. */
  async redeliver(p: Principal, deliveryId: string): Promise<Delivery> {
    const d = (await this.store.delivery(deliveryId, this.ownerOf(p))) ?? throwRefusal(refuse.notFound());
    const next = redeliver(d, this.ctx.clock.now());
    await this.store.save(next);
    return next;
  }

  /** One delivery per active subscriber of the event (idempotent: the id is event id + subscription). */
  async enqueue(
    event: WebhookEvent,
    e: { id: string; data: Record<string, unknown> },
    session: ClientSession,
  ): Promise<void> {
    const now = this.ctx.clock.now();
    for (const s of await this.store.subscribers(event, session))
      await this.store.enqueue(
        {
          _id: `dlv-${e.id}-${s._id}`.slice(0, 120),
          subscriptionId: s._id,
          owner: s.owner,
          eventId: e.id,
          event,
          payload: { event, eventId: e.id, data: e.data },
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          log: [],
          createdAt: now,
        },
        session,
      );
  }

  /** Sends every delivery due now (one dispatcher at a time in this process); the number attempted. */
  dispatch(): Promise<number> {
    this.running ??= this.dispatchAll().finally(() => (this.running = null));
    return this.running;
  }

  private async dispatchAll(): Promise<number> {
    let n = 0;
    for (;;) {
      const now = this.ctx.clock.now();
      const d = await this.store.claimDue(now, LEASE_MS);
      if (!d) return n;
      n += 1;
      const sub = await this.store.subscription(d.subscriptionId, null);
      if (!sub || !sub.active) {
        await this.store.save({ ...d, status: 'failed', nextAttemptAt: null });
        continue;
      }
      // The allow-list holds at every attempt, not only when subscribing: an origin an operator
      // removed gets nothing more (logged as an attempt without a request).
      if (!allowed(sub.url, this.policy.allowList)) {
        const refused = { status: null, error: 'URL not on the webhook allow-list', at: now };
        await this.store.save({
          ...afterAttempt(d, refused, { ...this.policy, maxAttempts: 1 }),
          status: 'failed',
          nextAttemptAt: null,
        });
        continue;
      }
      const body = JSON.stringify(d.payload);
      const timestamp = Math.floor(now.getTime() / 1000);
      let outcome: { status: number | null; error: string | null };
      try {
        const status = await this.send(
          sub.url,
          body,
          {
            'x-honglian-event': d.event,
            'x-honglian-delivery': d._id,
            'x-honglian-timestamp': String(timestamp),
            'x-honglian-signature': signatureOf(sub.secret, timestamp, body),
          },
          this.policy.timeoutMs,
        );
        outcome = { status, error: null };
      } catch (err) {
        outcome = { status: null, error: err instanceof Error ? err.message.slice(0, 200) : 'no answer' };
      }
      await this.store.save(afterAttempt(d, { ...outcome, at: this.ctx.clock.now() }, this.policy));
    }
  }

  startTimer(): void {
    if (this.policy.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.dispatch().catch((err: unknown) => this.ctx.logger.error({ err }, 'webhook dispatch failed'));
    }, this.policy.intervalMs);
    this.timer.unref();
  }

  async stopTimer(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
