import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DAY, SCENARIO_5, collectingCycle, rate, startEvaluation, users, type Harness } from './support.js';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A subscriber that answers 500 to the first delivery and 200 afterwards. */
async function receiver() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(received.length === 1 ? 500 : 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/evaluation`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('webhooks on publication', () => {
  let h: Harness;
  let r: Awaited<ReturnType<typeof receiver>>;
  let secret: string;
  let subscriptionId: string;
  const otherClient = {
    username: 'service-account-other',
    roles: ['api-consumer'],
    clientId: 'other-platform',
  };

  beforeAll(async () => {
    r = await receiver();
    h = await startEvaluation({ allowList: [new URL(r.url).origin], backoffMs: 60_000, maxAttempts: 3 });
  });
  afterAll(async () => {
    await h.close();
    await r.close();
  });

  it('subscribes only URLs on the allow-list; the secret is answered once', async () => {
    const refused = await h.http.post('/webhooks', users.consumer, {
      url: 'https://evil.example/x',
      events: ['result.published'],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.field).toBe('url');
    const sub = await h.http.post('/webhooks', users.consumer, {
      url: r.url,
      events: ['result.published', 'result.revised'],
    });
    expect(sub.status).toBe(201);
    secret = sub.body.secret;
    subscriptionId = sub.body.id;
    const listed = await h.http.get('/webhooks', users.consumer);
    expect(listed.body.items[0]).not.toHaveProperty('secret');
    expect((await h.http.get(`/webhooks/${subscriptionId}/deliveries`, otherClient)).status).toBe(404);
  });

  it('delivers a signed payload on publication, retrying after a failure with backoff', async () => {
    const cycleId = await collectingCycle(h);
    await rate(h, cycleId, 'firm-p', 'cp-1', SCENARIO_5);
    await h.http.post(`/cycles/${cycleId}/compute`, users.admin);
    await h.http.post(`/cycles/${cycleId}/notice`, users.admin);
    h.clock.advance(7 * DAY);
    expect((await h.http.post(`/cycles/${cycleId}/publish`, users.admin)).status).toBe(200);
    await h.settle();

    // Two results published (firm P, firm R unscored): two deliveries; the first answer fails.
    expect(await h.service.dispatchWebhooks()).toBe(2);
    expect(r.received).toHaveLength(2);
    let log = (await h.http.get(`/webhooks/${subscriptionId}/deliveries`, users.consumer)).body.items;
    const failed = log.find((d: { status: string }) => d.status === 'pending');
    expect(failed).toMatchObject({ attempts: 1, log: [{ attempt: 1, status: 500 }] });
    // Not due before the backoff has passed; due after.
    expect(await h.service.dispatchWebhooks()).toBe(0);
    h.clock.advance(60_000);
    expect(await h.service.dispatchWebhooks()).toBe(1);
    log = (await h.http.get(`/webhooks/${subscriptionId}/deliveries`, users.consumer)).body.items;
    expect(log.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
    expect(
      log.find((d: { id: string }) => d.id === failed.id).log.map((a: { status: number }) => a.status),
    ).toEqual([500, 200]);

    for (const got of r.received) {
      const ts = got.headers['x-honglian-timestamp'] as string;
      const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${got.body}`).digest('hex')}`;
      expect(got.headers['x-honglian-signature']).toBe(expected);
      expect(JSON.parse(got.body)).toMatchObject({ event: 'result.published', data: { cycleId } });
    }
    expect(r.received[2]!.body).toBe(r.received[0]!.body);
  });

  it('redelivers on request, keeping the log', async () => {
    const log = (await h.http.get(`/webhooks/${subscriptionId}/deliveries`, users.consumer)).body.items;
    const again = await h.http.post(`/webhooks/deliveries/${log[0].id}/redeliver`, users.consumer);
    expect(again.body).toMatchObject({ status: 'pending' });
    expect(await h.service.dispatchWebhooks()).toBe(1);
    expect(r.received).toHaveLength(4);
    const after = await h.http.get(`/webhooks/${subscriptionId}/deliveries`, users.consumer);
    expect(after.body.items[0].status).toBe('delivered');
    expect(after.body.items[0].log.length).toBeGreaterThan(log[0].log.length);
  });
});
