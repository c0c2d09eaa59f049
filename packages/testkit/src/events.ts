import { validateEvent, type CloudEvent } from '@honglian/contracts';
import { COLLECTIONS, type InProcessEventBus } from '@honglian/messaging';
import type { Connection } from 'mongoose';

/**
 * The events a service published on `topic`, once its outbox relay has caught up (no record of
 * its database still pending, polled every 20 ms up to `attempts` times) and the bus is idle.
 */
export async function publishedEvents(
  conn: Connection,
  bus: InProcessEventBus,
  topic: string,
  opts: { attempts?: number } = {},
): Promise<CloudEvent[]> {
  const outbox = conn.db!.collection(COLLECTIONS.outbox);
  for (let i = 0; i < (opts.attempts ?? 100); i++) {
    if ((await outbox.countDocuments({ status: 'pending' })) === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await bus.whenIdle();
  return bus.messages(topic).map((m) => JSON.parse(m.value) as CloudEvent);
}

/** Every event matches its schema in @honglian/contracts. */
export function expectValidEvents(events: CloudEvent[]): void {
  for (const e of events) expect(validateEvent(e)).toMatchObject({ ok: true });
}
