import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_DIRECTORY } from '@honglian/contracts';
import { canonicalJson } from '@honglian/property-evaluation';
import { FixedClock, createLogger } from '@honglian/service-kit';
import { demoToken } from './support.js';
import { SuiteConfigSchema, startSuite, type RunningSuite } from '../src/suite.js';

/**
 * Issue 15 acceptance, the whole suite in this process: DOMAIN.md scenarios 5–6 through the
 * gateway with the demo users' tokens from the development identity provider, and the bidding
 * platform's client-credentials token. The evaluation service learns firms, compounds and
 * contracts only from org-registry events; its clock is injected and moved by hand.
 *
 * Demo city: county-admin-331003 runs 黄岩; staff-331003 manages 331003-community-01;
 * committee-331003 is the party branch of 331003-compound-01, served by 331003-firm-01
 * (firm-331003's firm); firm-02 serves compounds 02 and 03.
 */
const START = '2026-07-02T09:00:00+08:00';
const DAY = 86_400_000;
const FIRM = '331003-firm-01';
const COMPOUND = '331003-compound-01';
jest.setTimeout(300_000);

/** Waits (generously, never a timed assertion) until `done` holds. */
async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + 120_000; !(await done());) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('property evaluation through the gateway (scenarios 5–6)', () => {
  const clock = new FixedClock(START);
  let suite: RunningSuite;
  let api: string;
  const tokens: Record<string, string> = {};
  // The bidding platform's webhook receiver: answers 500 once, then 200.
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(received.length === 1 ? 500 : 200).end();
    });
  });
  let hookUrl: string;
  let hook: { id: string; secret: string };

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    hookUrl = `${origin}/hooks/evaluation`;
    const config = SuiteConfigSchema.parse({
      PORT: '0',
      DATA_DIR: '',
      LOG_LEVEL: 'silent',
      EVALUATION_WEBHOOK_ALLOWLIST: origin,
      EVALUATION_WEBHOOK_INTERVAL_MS: '100',
      EVALUATION_WEBHOOK_BACKOFF_SECONDS: '60',
    });
    suite = await startSuite(config, createLogger({ name: 'evaluation', level: 'silent' }), { clock });
    const gatewayUrl = suite.gateway.http.url;
    api = `${gatewayUrl}/api/v1/evaluation`;
    for (const username of [
      'county-admin-331003',
      'county-admin-331002',
      'staff-331003',
      'committee-331003',
      'firm-331003',
      'firm-331002',
    ])
      tokens[username] = await demoToken(gatewayUrl, username);
    const client = DEMO_DIRECTORY.clients[0]!;
    const grant = await fetch(`${gatewayUrl}/realms/honglian/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.secret,
      }),
    });
    expect(grant.status).toBe(200);
    tokens.bidding = ((await grant.json()) as { access_token: string }).access_token;
  }, 300_000);
  afterAll(async () => {
    await suite?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const call = async (user: string, method: string, path: string, body?: object) => {
    const res = await fetch(api + path, {
      method,
      headers: {
        authorization: `Bearer ${tokens[user]}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const json: any = type.includes('json') ? JSON.parse(text) : undefined;
    return { status: res.status, type, body: json, etag: res.headers.get('etag') };
  };
  const ok = async (expected: number, p: ReturnType<typeof call>) => {
    const r = await p;
    expect({ status: r.status, body: r.body }).toMatchObject({ status: expected });
    return r.body;
  };
  const verifies = (v: { contentHash: string; body: unknown }) =>
    createHash('sha256').update(canonicalJson(v.body)).digest('hex') === v.contentHash;

  it('the demo shows a published cycle with bands and breakdowns, and an open one', async () => {
    const cycles = await ok(200, call('county-admin-331003', 'GET', '/cycles'));
    expect(cycles.items.map((c: { period: string; status: string }) => [c.period, c.status])).toEqual(
      expect.arrayContaining([
        ['2026-H1', 'published'],
        ['2026-H2', 'collecting'],
      ]),
    );
    const published = await ok(200, call('bidding', 'GET', '/published?county=331002'));
    const bands = Object.fromEntries(
      published.items.map((v: { body: { firm: { id: string }; band: string } }) => [
        v.body.firm.id,
        v.body.band,
      ]),
    );
    // 椒江's firm-02 had a major safety accident: C and blacklisted whatever its points (scenario 6).
    expect(bands).toEqual({ '331002-firm-01': 'A', '331002-firm-02': 'C' });
    const black = await ok(200, call('bidding', 'GET', '/published/black-list'));
    expect(black.items.map((v: { body: { firm: { id: string } } }) => v.body.firm.id)).toEqual([
      '331002-firm-02',
    ]);
    for (const v of published.items) expect(verifies(v)).toBe(true);
    // Its appeal during the notice was rejected (申诉驳回); another county's admin cannot see it.
    const theirs = await ok(200, call('county-admin-331002', 'GET', '/cycles'));
    const past = theirs.items.find((c: { status: string }) => c.status === 'published');
    const appeals = await ok(200, call('county-admin-331002', 'GET', `/cycles/${past.id}/appeals`));
    expect(appeals.items).toEqual([
      expect.objectContaining({ firmId: '331002-firm-02', status: 'rejected' }),
    ]);
    await ok(404, call('county-admin-331003', 'GET', `/appeals/${appeals.items[0].id}`));
  });

  it('the bidding platform subscribes a webhook on its allow-listed URL', async () => {
    await ok(
      422,
      call('bidding', 'POST', '/webhooks', {
        url: 'https://elsewhere.example/x',
        events: ['result.published'],
      }),
    );
    hook = await ok(
      201,
      call('bidding', 'POST', '/webhooks', { url: hookUrl, events: ['result.published', 'result.revised'] }),
    );
  });

  it('scenario 5: a full cycle with a token per rater role, an appeal, publication, a revision', async () => {
    const cycle = await ok(201, call('county-admin-331003', 'POST', '/cycles', { period: '2025' }));
    await ok(
      200,
      call('county-admin-331003', 'PUT', `/cycles/${cycle.id}/households`, {
        compounds: [{ compoundId: COMPOUND, households: 1800 }],
      }),
    );
    await ok(200, call('county-admin-331003', 'POST', `/cycles/${cycle.id}/start`));
    const rate = (user: string, body: object) =>
      call(user, 'POST', `/cycles/${cycle.id}/submissions`, { firmId: FIRM, compoundId: COMPOUND, ...body });
    await ok(
      201,
      rate('staff-331003', { raterRole: 'community', scores: { env: 25, facilities: 25, safety: 32 } }),
    );
    await ok(
      201,
      rate('committee-331003', { raterRole: 'branch', scores: { 'party-building': 39, cooperation: 39 } }),
    );
    await ok(
      201,
      rate('committee-331003', { raterRole: 'committee', scores: { contract: 38, transparency: 37 } }),
    );
    await ok(
      201,
      rate('staff-331003', { raterRole: 'residents', survey: { respondents: 100, satisfied: 68 } }),
    );
    await ok(
      201,
      rate('staff-331003', { raterRole: 'street', scores: { 'street-safety': 40, 'street-order': 40 } }),
    );
    await ok(201, rate('firm-331003', { raterRole: 'self', scores: { 'self-overall': 90 } }));
    // A firm cannot rate another firm, nor see it; another county sees nothing of the cycle.
    await ok(
      404,
      call('firm-331003', 'POST', `/cycles/${cycle.id}/submissions`, {
        firmId: '331003-firm-02',
        compoundId: '331003-compound-02',
        raterRole: 'self',
        scores: { 'self-overall': 99 },
      }),
    );
    await ok(404, call('county-admin-331002', 'GET', `/cycles/${cycle.id}`));
    await ok(404, call('firm-331002', 'GET', `/cycles/${cycle.id}/results`));

    // Scenario 6: firm-02 has a major safety accident at compound-02, raised by the street inspection.
    await ok(
      200,
      call('county-admin-331003', 'PUT', `/cycles/${cycle.id}/households`, {
        compounds: [{ compoundId: '331003-compound-02', households: 600 }],
      }),
    );
    const rateR = (user: string, body: object) =>
      ok(
        201,
        call(user, 'POST', `/cycles/${cycle.id}/submissions`, {
          firmId: '331003-firm-02',
          compoundId: '331003-compound-02',
          ...body,
        }),
      );
    await rateR('staff-331003', { raterRole: 'community', scores: { env: 29, facilities: 29, safety: 38 } });
    await rateR('county-admin-331003', {
      raterRole: 'branch',
      scores: { 'party-building': 48, cooperation: 47 },
    });
    await rateR('county-admin-331003', {
      raterRole: 'committee',
      scores: { contract: 47, transparency: 46 },
    });
    await rateR('staff-331003', { raterRole: 'residents', survey: { respondents: 50, satisfied: 47 } });
    await rateR('staff-331003', {
      raterRole: 'street',
      scores: { 'street-safety': 45, 'street-order': 48 },
      vetoes: ['major-safety-accident'],
      evidence: ['https://example.org/accident-report.pdf'],
    });
    // The committee of compound-01 cannot rate compound-02 (403); firm-331003 cannot rate as an inspector (403).
    await ok(
      403,
      call('committee-331003', 'POST', `/cycles/${cycle.id}/submissions`, {
        firmId: '331003-firm-02',
        compoundId: '331003-compound-02',
        raterRole: 'branch',
        scores: { 'party-building': 1, cooperation: 1 },
      }),
    );
    await ok(
      403,
      call('firm-331003', 'POST', `/cycles/${cycle.id}/submissions`, {
        firmId: FIRM,
        compoundId: COMPOUND,
        raterRole: 'community',
        scores: { env: 30, facilities: 30, safety: 40 },
      }),
    );

    await ok(200, call('county-admin-331003', 'POST', `/cycles/${cycle.id}/compute`));
    const r = await ok(200, call('county-admin-331003', 'GET', `/results/${cycle.id}_331003-firm-02`));
    expect(r.compounds[0].score).toBeGreaterThan(85);
    expect(r).toMatchObject({
      band: 'C',
      vetoes: ['major-safety-accident'],
      tender: { barred: true, bonus: 0 },
    });
    const resultId = `${cycle.id}_${FIRM}`;
    expect(await ok(200, call('firm-331003', 'GET', `/results/${resultId}`))).toMatchObject({
      score: 75.4,
      band: 'A',
    });
    const mine = await ok(200, call('firm-331003', 'GET', `/cycles/${cycle.id}/results`));
    expect(mine.items.map((r: { firmId: string }) => r.firmId)).toEqual([FIRM]);
    await ok(404, call('firm-331003', 'GET', `/results/${cycle.id}_331003-firm-02`));

    await ok(200, call('county-admin-331003', 'POST', `/cycles/${cycle.id}/notice`));
    const subs = await ok(
      200,
      call(
        'county-admin-331003',
        'GET',
        `/cycles/${cycle.id}/submissions?raterRole=residents&firmId=${FIRM}`,
      ),
    );
    const appeal = await ok(
      201,
      call('firm-331003', 'POST', `/results/${resultId}/appeals`, {
        reasons: '问卷样本中有12份非本小区住户',
      }),
    );
    await ok(409, call('county-admin-331003', 'POST', `/cycles/${cycle.id}/publish`));
    await ok(
      200,
      call('county-admin-331003', 'POST', `/appeals/${appeal.id}/decision`, {
        outcome: 'upheld',
        note: '剔除无效问卷后重新计算',
        corrections: [{ submissionId: subs.items[0].id, survey: { respondents: 88, satisfied: 62 } }],
      }),
    );
    const recomputed = await ok(200, call('firm-331003', 'GET', `/results/${resultId}`));
    // residents 62/88 = 70.45 %: 75.4 + 0.3 × 2.45 = 76.14 (≈ 76), band A.
    expect(recomputed).toMatchObject({ score: 76.14, band: 'A' });

    clock.advance(7 * DAY);
    await ok(200, call('county-admin-331003', 'POST', `/cycles/${cycle.id}/publish`));
    // The bidding platform reads the band and breakdown by credit code; the hash verifies.
    const creditCode = recomputed.creditCode as string;
    const byCode = await ok(200, call('bidding', 'GET', `/published/firms/${creditCode}`));
    const v1 = byCode.items.find((v: { body: { cycle: { id: string } } }) => v.body.cycle.id === cycle.id);
    expect(v1.body).toMatchObject({ band: 'A', score: 76.14, tender: { bonus: 1, barred: false } });
    expect(v1.body.compounds[0].roles.map((r: { role: string }) => r.role)).toEqual(
      expect.arrayContaining(['community', 'branch', 'committee', 'residents', 'street', 'self']),
    );
    expect(verifies(v1)).toBe(true);
    const single = await call('bidding', 'GET', `/published/results/${resultId}`);
    expect(single.etag).toBe(`"${v1.contentHash}"`);
    const black = await ok(200, call('bidding', 'GET', '/published/black-list'));
    const listed = black.items.find((v: { body: { cycle: { id: string } } }) => v.body.cycle.id === cycle.id);
    expect(listed.body).toMatchObject({
      firm: { id: '331003-firm-02' },
      band: 'C',
      blacklist: { vetoes: ['major-safety-accident'] },
    });
    expect(verifies(listed)).toBe(true);
    // The bidding platform reads nothing unpublished and writes nothing.
    await ok(403, call('bidding', 'GET', `/results/${resultId}`));
    await ok(403, call('bidding', 'POST', `/cycles/${cycle.id}/compute`));

    // Published is immutable: writes answer 409; a correction is a new version, the old one kept.
    await ok(
      409,
      rate('staff-331003', { raterRole: 'community', scores: { env: 30, facilities: 30, safety: 40 } }),
    );
    const street = await ok(
      200,
      call('county-admin-331003', 'GET', `/cycles/${cycle.id}/submissions?raterRole=street&firmId=${FIRM}`),
    );
    const v2 = await ok(
      201,
      call('county-admin-331003', 'POST', `/results/${resultId}/revisions`, {
        reason: '街道检查分录入错误',
        corrections: [
          { submissionId: street.items[0].id, scores: { 'street-safety': 45, 'street-order': 45 } },
        ],
      }),
    );
    expect(v2).toMatchObject({ version: 2, body: { supersedesVersion: 1 } });
    expect(verifies(v2)).toBe(true);
    const old = await ok(200, call('bidding', 'GET', `/published/results/${resultId}/versions/1`));
    expect(old).toMatchObject({ current: false, supersededBy: 2, contentHash: v1.contentHash });
    expect(verifies(old)).toBe(true);
  });

  it('webhooks: signed deliveries of the publication and the revision, retried after a failure', async () => {
    // Publication of the 2025 cycle (two firms of 黄岩) and the revision: three deliveries, the first answered 500.
    await until(() => received.length >= 3, 'three webhook requests');
    clock.advance(60_000);
    await until(() => received.length >= 4, 'the retry after the failure');
    for (const got of received) {
      const ts = got.headers['x-honglian-timestamp'] as string;
      const signature = `sha256=${createHmac('sha256', hook.secret).update(`${ts}.${got.body}`).digest('hex')}`;
      expect(got.headers['x-honglian-signature']).toBe(signature);
    }
    expect(received[3]!.body).toBe(received[0]!.body);
    const events = received.map((r) => JSON.parse(r.body).event as string);
    expect(events.filter((e) => e === 'result.revised')).toHaveLength(1);
    const log = await ok(200, call('bidding', 'GET', `/webhooks/${hook.id}/deliveries`));
    const retried = log.items.find((d: { log: unknown[] }) => d.log.length === 2);
    expect(retried.log.map((a: { status: number }) => a.status)).toEqual([500, 200]);
    expect(log.items.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
  });
});
