import type { KafkaInspector } from '@honglian/messaging';

/** A demo user's access token (the password grant): shared with the proof suite through the testkit. */
export { demoToken } from '@honglian/testkit';

/**
 * Waits until the suite's event pipeline is quiet on a real broker: the consumer group has
 * committed everything on `topics`, and the topics stopped growing (two looks a second apart).
 * Bounded by `timeoutMs`; never a timed assertion.
 */
export async function untilQuiet(
  inspector: KafkaInspector,
  groupId: string,
  topics: string[],
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const end = (await Promise.all(topics.map((t) => inspector.endOffset(t)))).reduce((a, b) => a + b, 0);
    const lag = await inspector.lag(groupId, topics);
    if (end > 0 && lag === 0 && end === last) return;
    last = lag === 0 ? end : -1;
    if (Date.now() > deadline)
      throw new Error(`${groupId} still behind on ${topics.join(', ')} (lag ${lag})`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
