import type { ClientSession } from 'mongoose';
import type { Delivery, Subscription, WebhookEvent } from '../domain/webhooks.js';
import type { EvaluationModels } from './models.js';
import { pageOf, type Page, type PageRequest } from './page.js';

/** Webhook subscriptions and their deliveries (with the log of attempts). */
export class WebhookStore {
  constructor(private readonly m: EvaluationModels) {}

  async subscribe(s: Subscription, session?: ClientSession): Promise<void> {
    await this.m.Subscription.create([s], { session });
  }

  /** A subscription the owner (or, `null`, a city admin) may see. */
  subscription(id: string, owner: string | null): Promise<Subscription | null> {
    return this.m.Subscription.findOne({
      _id: id,
      ...(owner === null ? {} : { owner }),
    }).lean<Subscription>();
  }

  subscriptions(owner: string | null, q: PageRequest): Promise<Page<Subscription>> {
    return pageOf(this.m.Subscription, owner === null ? {} : { owner }, q);
  }

  async deactivate(id: string): Promise<void> {
    await this.m.Subscription.updateOne({ _id: id }, { $set: { active: false } });
  }

  subscribers(event: WebhookEvent, session?: ClientSession): Promise<Subscription[]> {
    return this.m.Subscription.find({ active: true, events: event }, null, { session }).lean<
      Subscription[]
    >();
  }

  /** Adds the delivery unless one for the same event and subscriber exists (its id says so). */
  async enqueue(d: Delivery, session: ClientSession): Promise<void> {
    await this.m.Delivery.updateOne({ _id: d._id }, { $setOnInsert: d }, { upsert: true, session });
  }

  delivery(id: string, owner: string | null): Promise<Delivery | null> {
    return this.m.Delivery.findOne({ _id: id, ...(owner === null ? {} : { owner }) }).lean<Delivery>();
  }

  deliveries(subscriptionId: string, q: PageRequest): Promise<Page<Delivery>> {
    return pageOf(this.m.Delivery, { subscriptionId }, q);
  }

  /**
   * Claims the next due delivery: its next attempt is pushed `leaseMs` ahead, so another dispatcher
   * (or this one after a crash) takes it only once the lease ran out.
   */
  claimDue(now: Date, leaseMs: number): Promise<Delivery | null> {
    return this.m.Delivery.findOneAndUpdate(
      { status: 'pending', nextAttemptAt: { $lte: now } },
      { $set: { nextAttemptAt: new Date(now.getTime() + leaseMs) } },
      { sort: { nextAttemptAt: 1 }, returnDocument: 'before' },
    ).lean<Delivery>();
  }

  async save(d: Delivery): Promise<void> {
    await this.m.Delivery.replaceOne({ _id: d._id }, d);
  }
}
