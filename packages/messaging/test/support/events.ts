import { randomUUID } from 'node:crypto';
import { createEvent, defineEvent, type CloudEvent } from '@honglian/contracts';
import { z } from 'zod';

/** A test event: `n` orders the events of one subject. */
export const Happened = defineEvent(
  'honglian.test-bus.thing.happened.v1',
  z.object({ n: z.number().int().nonnegative(), note: z.string().optional() }),
);

export type HappenedData = z.infer<typeof Happened.data>;

export function happened(
  subject: string,
  n: number,
  extra: Partial<HappenedData> = {},
): CloudEvent<HappenedData> {
  return createEvent({ type: Happened.type, source: '/test/bus', subject, data: { n, ...extra } });
}

/** A topic nobody else uses (Kafka runs share a cluster). */
export function uniqueTopic(label = 'topic'): string {
  return `honglian.test-${label}-${randomUUID().slice(0, 8)}.v1`;
}

export function uniqueGroup(label = 'group'): string {
  return `test-${label}-${randomUUID().slice(0, 8)}`;
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
