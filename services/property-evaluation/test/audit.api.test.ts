import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TOPICS } from '@honglian/contracts';
import {
  DAY,
  SCENARIO_5,
  collectingCycle,
  crossCounty,
  rate,
  startEvaluation,
  users,
  type Harness,
} from './support.js';

/** Firm R's strong ratings at compound 2 (AAA), optionally with a veto from the street. */
const strong = (veto: boolean): [keyof typeof users, object][] => [
  ['staff', { raterRole: 'community', scores: { env: 28, facilities: 28, safety: 38 } }],
  ['admin', { raterRole: 'branch', scores: { 'party-building': 45, cooperation: 45 } }],
  ['admin', { raterRole: 'committee', scores: { contract: 45, transparency: 45 } }],
  ['staff', { raterRole: 'residents', survey: { respondents: 60, satisfied: 55 } }],
  [
    'staff',
    {
      raterRole: 'street',
      scores: { 'street-safety': 45, 'street-order': 45 },
      vetoes: veto ? ['major-safety-accident'] : [],
    },
  ],
];

/** A receiver that counts what it gets and answers `status` (and `location`, when given). */
async function receiver(status: number, location?: string) {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(status, location ? { location } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Findings of the issue-15 audit, each failing before its fix. */
describe('audit: scope, blacklist in force, ETags, webhook allow-list', () => {
  let h: Harness;
  let elsewhere: Awaited<ReturnType<typeof receiver>>;
  let redirecting: Awaited<ReturnType<typeof receiver>>;
  let removed: Awaited<ReturnType<typeof receiver>>;
  let h1: string;

  beforeAll(async () => {
    elsewhere = await receiver(200);
    redirecting = await receiver(302, `${elsewhere.origin}/stolen`);
    removed = await receiver(200);
    h = await startEvaluation({ allowList: [redirecting.origin, removed.origin], maxAttempts: 1 });
    await h.publishTo(TOPICS.orgRegistry, ...crossCounty());
    h1 = await collectingCycle(h);
  });
  afterAll(async () => {
    await h.close();
    await Promise.all([elsewhere.close(), redirecting.close(), removed.close()]);
  });

  it('the county’s raters rate a firm of another county that serves one of its compounds', async () => {
    const res = await h.http.post(`/cycles/${h1}/submissions`, users.staff, {
      firmId: 'firm-x',
      compoundId: 'cp-3',
      raterRole: 'community',
      scores: { env: 20, facilities: 20, safety: 30 },
    });
    expect(res.status).toBe(201);
    // A firm of the county that does not serve any compound there stays out of reach.
    const z = await h.http.post(`/cycles/${h1}/submissions`, users.staff, {
      firmId: 'firm-z',
      compoundId: 'cp-3',
      raterRole: 'community',
      scores: { env: 20, facilities: 20, safety: 30 },
    });
    expect(z.status).toBe(404);
  });

  it('publishes the first cycle: firm R vetoed and blacklisted', async () => {
    await rate(h, h1, 'firm-p', 'cp-1', SCENARIO_5);
    await rate(h, h1, 'firm-r', 'cp-2', strong(true));
    await h.http.post(`/cycles/${h1}/compute`, users.admin);
    await h.http.post(`/cycles/${h1}/notice`, users.admin);
    // Firm X (registered in 331002) appeals its result in 331003: its result is in its scope.
    const firmX = { username: 'firm-x', roles: ['property-firm'], county: '331002', firmId: 'firm-x' };
    expect((await h.http.get(`/results/${h1}_firm-x`, firmX)).status).toBe(200);
    const filed = await h.http.post(`/results/${h1}_firm-x/appeals`, firmX, { reasons: '社区检查有误' });
    expect(filed.status).toBe(201);
    const decided = await h.http.post(`/appeals/${filed.body.id}/decision`, users.admin, {
      outcome: 'rejected',
      note: '维持',
    });
    expect(decided.status).toBe(200);
    h.clock.advance(7 * DAY);
    expect((await h.http.post(`/cycles/${h1}/publish`, users.admin)).status).toBe(200);
    const black = await h.http.get('/published/black-list', users.consumer);
    expect(black.body.items.map((v: { body: { firm: { id: string } } }) => v.body.firm.id)).toEqual([
      'firm-r',
    ]);
  });

  it('a superseded version does not answer 304 to the ETag it had while current', async () => {
    const path = `/published/results/${h1}_firm-p/versions/1`;
    const v1 = await h.http.get(path, users.consumer);
    expect(v1.body.current).toBe(true);
    const street = (await h.http.get(`/cycles/${h1}/submissions?raterRole=street&firmId=firm-p`, users.admin))
      .body.items[0];
    const revised = await h.http.post(`/results/${h1}_firm-p/revisions`, users.admin, {
      reason: '更正',
      corrections: [{ submissionId: street.id, scores: { 'street-safety': 45, 'street-order': 45 } }],
    });
    expect(revised.status).toBe(201);
    const again = await h.http
      .request('get', path)
      .set(await h.auth(users.consumer))
      .set('if-none-match', v1.headers.etag as string);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ current: false, supersededBy: 2, contentHash: v1.body.contentHash });
    // The current version's ETag is still its content hash.
    const current = await h.http.get(`/published/results/${h1}_firm-p`, users.consumer);
    expect(current.headers.etag).toBe(`"${current.body.contentHash}"`);
  });

  it('a firm still on the black list is barred from tenders and kept off the red list in a later cycle', async () => {
    await h.settle();
    await h.service.dispatchWebhooks();
    const before = { redirect: redirecting.received.length, removed: removed.received.length };
    // Subscriptions made now; then the operator removes one origin from the allow-list.
    for (const origin of [redirecting.origin, removed.origin])
      expect(
        (
          await h.http.post('/webhooks', users.consumer, {
            url: `${origin}/hooks`,
            events: ['result.published'],
          })
        ).status,
      ).toBe(201);
    h.service.ctx.settings.webhooks.allowList = [redirecting.origin];

    const h2 = await collectingCycle(h, '2026-H2');
    await rate(h, h2, 'firm-r', 'cp-2', strong(false));
    await h.http.post(`/cycles/${h2}/compute`, users.admin);
    const computed = await h.http.get(`/results/${h2}_firm-r`, users.admin);
    expect(computed.body.band).toBe('AAA');
    await h.http.post(`/cycles/${h2}/notice`, users.admin);
    h.clock.advance(7 * DAY);
    expect((await h.http.post(`/cycles/${h2}/publish`, users.admin)).status).toBe(200);
    const v = await h.http.get(`/published/results/${h2}_firm-r`, users.consumer);
    expect(v.body.body).toMatchObject({ band: 'AAA', tender: { barred: true, bonus: 0 } });
    const red = await h.http.get('/published/red-list', users.consumer);
    expect(red.body.items.map((x: { body: { firm: { id: string } } }) => x.body.firm.id)).not.toContain(
      'firm-r',
    );

    // Webhooks: the removed origin gets nothing; a redirect to another host is not followed.
    await h.settle();
    await h.service.dispatchWebhooks();
    expect(removed.received.length).toBe(before.removed);
    expect(redirecting.received.length).toBeGreaterThan(before.redirect);
    expect(elsewhere.received).toHaveLength(0);
  });
});
