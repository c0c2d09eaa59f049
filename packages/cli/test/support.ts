import type { KafkaInspector } from '@honglian/messaging';

/** A demo user's access token from the suite's development identity provider (password grant). */
export async function demoToken(gatewayUrl: string, username: string): Promise<string> {
  const grant = await fetch(`${gatewayUrl}/realms/honglian/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'honglian-web',
      username,
      password: 'honglian-demo',
    }),
  });
  if (grant.status !== 200)
    throw new Error(`no token for ${username}: ${grant.status} ${await grant.text()}`);
  return ((await grant.json()) as { access_token: string }).access_token;
}

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
