import { TOPICS } from '@honglian/contracts';
import {
  SCENARIO_5,
  collectingCycle,
  crossCounty,
  rate,
  startEvaluation,
  users,
  type Harness,
} from './support.js';

/** Firm X's own account: its token names its home county, 331002. */
const firmX = { username: 'firm-x', roles: ['property-firm'], county: '331002', firmId: 'firm-x' };
/** Firm Z of 331002: a contract in 331002 only. */
const firmZ = { username: 'firm-z', roles: ['property-firm'], county: '331002', firmId: 'firm-z' };

const SELF = { raterRole: 'self', scores: { 'self-overall': 90 }, evidence: ['https://example.org/x.pdf'] };
const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((x) => x.id).sort();

describe('a firm sees the cycles of the counties where it holds a contract', () => {
  let h: Harness;
  /** 331003's cycle (firm X serves cp-3 there) and 331002's (firm X's and firm Z's home county). */
  let h3: string;
  let h2: string;

  beforeAll(async () => {
    h = await startEvaluation();
    await h.publishTo(TOPICS.orgRegistry, ...crossCounty());
    h3 = await collectingCycle(h);
    const other = await h.http.post('/cycles', users.otherAdmin, { period: '2026-H1' });
    expect(other.status).toBe(201);
    h2 = other.body.id as string;
  });
  afterAll(() => h.close());

  it('lists and reads its home county’s cycle and the other county’s where it holds a contract', async () => {
    expect(ids(await h.http.get('/cycles', firmX))).toEqual([h2, h3].sort());
    const one = await h.http.get(`/cycles/${h3}`, firmX);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: h3, county: '331003' });
    expect((await h.http.get(`/cycles/${h3}/results`, firmX)).status).toBe(200);
    expect((await h.http.get(`/cycles/${h3}/submissions`, firmX)).status).toBe(200);
    // The home county's firms are unchanged.
    expect(ids(await h.http.get('/cycles', users.firmP))).toEqual([h3]);
  });

  it('a firm without a contract in the county gets 404 for its cycle, exactly as for a missing id', async () => {
    expect(ids(await h.http.get('/cycles', firmZ))).toEqual([h2]);
    const missing = await h.http.get('/cycles/cyc-missing', firmZ);
    expect(missing.status).toBe(404);
    expect(missing.body.reason).toBeDefined();
    for (const path of [`/cycles/${h3}`, `/cycles/${h3}/results`, `/cycles/${h3}/submissions`]) {
      const res = await h.http.get(path, firmZ);
      expect({ path, status: res.status, reason: res.body.reason, title: res.body.title }).toEqual({
        path,
        status: 404,
        reason: missing.body.reason,
        title: missing.body.title,
      });
    }
    const submit = await h.http.post(`/cycles/${h3}/submissions`, firmZ, {
      firmId: 'firm-z',
      compoundId: 'cp-3',
      ...SELF,
    });
    expect(submit.status).toBe(404);
    expect(await h.service.ctx.data.submissions.ofCycle(h3)).toEqual([]);
  });

  it('submits its self-assessment for its own compound there; not for a compound it does not serve', async () => {
    const first = await h.http.post(`/cycles/${h3}/submissions`, firmX, {
      firmId: 'firm-x',
      compoundId: 'cp-3',
      ...SELF,
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      firmId: 'firm-x',
      compoundId: 'cp-3',
      raterRole: 'self',
      revision: 1,
    });
    const edited = await h.http.post(`/cycles/${h3}/submissions`, firmX, {
      firmId: 'firm-x',
      compoundId: 'cp-3',
      ...SELF,
      scores: { 'self-overall': 92 },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.revision).toBe(2);
    // A compound of that county it holds no contract for: the same 422 as in its home county.
    const notServed = await h.http.post(`/cycles/${h3}/submissions`, firmX, {
      firmId: 'firm-x',
      compoundId: 'cp-1',
      ...SELF,
    });
    expect(notServed.status).toBe(422);
    // Still only for itself, and only as itself.
    const forP = await h.http.post(`/cycles/${h3}/submissions`, firmX, {
      firmId: 'firm-p',
      compoundId: 'cp-1',
      ...SELF,
    });
    expect(forP.status).toBe(404);
    const asStaff = await h.http.post(`/cycles/${h3}/submissions`, firmX, {
      firmId: 'firm-x',
      compoundId: 'cp-3',
      raterRole: 'community',
      scores: { env: 20, facilities: 20, safety: 30 },
    });
    expect(asStaff.status).toBe(403);
  });

  it('sees only its own submissions and results there; another firm’s stay invisible', async () => {
    const [p] = await rate(
      h,
      h3,
      'firm-p',
      'cp-1',
      SCENARIO_5.filter(([who]) => who === 'firmP'),
    );
    await rate(h, h3, 'firm-x', 'cp-3', [
      ['staff', { raterRole: 'community', scores: { env: 20, facilities: 20, safety: 30 } }],
    ]);
    const mine = await h.http.get(`/cycles/${h3}/submissions`, firmX);
    expect(mine.body.items.map((s: { firmId: string }) => s.firmId)).toEqual(['firm-x', 'firm-x']);
    expect((await h.http.get(`/cycles/${h3}/submissions?firmId=firm-p`, firmX)).body.items).toEqual([]);
    expect((await h.http.get(`/submissions/${(p as { id: string }).id}`, firmX)).status).toBe(404);
    // And the other way round: firm P does not see firm X's self-assessment.
    const ofP = await h.http.get(`/cycles/${h3}/submissions`, users.firmP);
    expect(ofP.body.items.map((s: { firmId: string }) => s.firmId)).toEqual(['firm-p']);

    expect((await h.http.post(`/cycles/${h3}/compute`, users.admin)).status).toBe(200);
    const results = await h.http.get(`/cycles/${h3}/results`, firmX);
    expect(results.status).toBe(200);
    expect(results.body.items.map((r: { firmId: string }) => r.firmId)).toEqual(['firm-x']);
    expect((await h.http.get(`/results/${h3}_firm-x`, firmX)).status).toBe(200);
    expect((await h.http.get(`/results/${h3}_firm-p`, firmX)).status).toBe(404);
    // The county's staff sees them all, firm X's included.
    const all = await h.http.get(`/cycles/${h3}/results`, users.staff);
    expect(all.body.items.map((r: { firmId: string }) => r.firmId).sort()).toEqual([
      'firm-p',
      'firm-r',
      'firm-x',
    ]);
  });
});
