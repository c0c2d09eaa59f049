import { createHash } from 'node:crypto';
import { expectValidEvents } from '@honglian/testkit';
import { canonicalJson } from '../src/index.js';
import { DAY, SCENARIO_5, collectingCycle, rate, startEvaluation, users, type Harness } from './support.js';

/** Scenario 5 through the service's API: a cycle from open to published, an appeal, a revision. */
describe('a cycle from open to published (scenario 5)', () => {
  let h: Harness;
  let cycleId: string;
  const resultId = () => `${cycleId}_firm-p`;
  beforeAll(async () => {
    h = await startEvaluation();
    cycleId = await collectingCycle(h);
  });
  afterAll(() => h.close());

  it('takes every rater role’s rating, an edit as a new revision', async () => {
    const subs = await rate(h, cycleId, 'firm-p', 'cp-1', SCENARIO_5);
    expect(subs[0]).toMatchObject({ raterRole: 'community', revision: 1, county: '331003' });
    // The community edits its rating: a new revision, the first kept.
    const edit = await h.http.post(`/cycles/${cycleId}/submissions`, users.staff, {
      firmId: 'firm-p',
      compoundId: 'cp-1',
      raterRole: 'community',
      scores: { env: 25, facilities: 25, safety: 32 },
      comment: '复核后维持',
    });
    expect(edit.status).toBe(200);
    expect(edit.body).toMatchObject({ id: subs[0].id, revision: 2, comment: '复核后维持' });
    expect(edit.body.revisions.map((r: { revision: number }) => r.revision)).toEqual([1, 2]);
    const list = await h.http.get(`/cycles/${cycleId}/submissions?firmId=firm-p`, users.admin);
    expect(list.body.total).toBe(6);
  });

  it('computes firm P at 75.4, band A, with the breakdown down to each submission', async () => {
    const computed = await h.http.post(`/cycles/${cycleId}/compute`, users.admin);
    expect(computed.body.status).toBe('computed');
    const res = await h.http.get(`/results/${resultId()}`, users.admin);
    expect(res.body).toMatchObject({ score: 75.4, band: 'A', tender: { bonus: 1, barred: false } });
    const line = res.body.compounds[0];
    expect(line).toMatchObject({ compoundId: 'cp-1', households: 1800, scored: true, score: 75.4 });
    const roles = Object.fromEntries(
      line.roles.map((r: { role: string; score: number }) => [r.role, r.score]),
    );
    expect(roles).toEqual({ self: 95, branch: 78, committee: 75, residents: 68, community: 82, street: 80 });
    for (const r of line.roles) expect(r.submissionId).toMatch(/^sub-/);
    // Firm R has a contract but no ratings: not scored, never a default.
    const r = await h.http.get(`/results/${cycleId}_firm-r`, users.admin);
    expect(r.body).toMatchObject({ score: null, band: null, compounds: [{ scored: false }] });
  });

  it('refuses ratings once computed (409) and records nothing', async () => {
    const before = await h.http.get(`/cycles/${cycleId}/submissions`, users.admin);
    const late = await h.http.post(`/cycles/${cycleId}/submissions`, users.staff, {
      firmId: 'firm-p',
      compoundId: 'cp-1',
      raterRole: 'community',
      scores: { env: 30, facilities: 30, safety: 40 },
    });
    expect(late.status).toBe(409);
    expect(late.headers['content-type']).toMatch(/problem\+json/);
    expect(late.body.reason.zh).toBeTruthy();
    const after = await h.http.get(`/cycles/${cycleId}/submissions`, users.admin);
    expect(after.body).toEqual(before.body);
  });

  it('during the notice the firm appeals; an upheld appeal recomputes', async () => {
    expect((await h.http.post(`/cycles/${cycleId}/notice`, users.admin)).body.status).toBe('notice');
    const committee = (await h.http.get(`/cycles/${cycleId}/submissions?raterRole=committee`, users.admin))
      .body.items[0];
    const appeal = await h.http.post(`/results/${resultId()}/appeals`, users.firmP, {
      reasons: '业委会评分未考虑合同约定的维修响应记录',
      evidence: ['https://example.org/log.pdf'],
      submissionId: committee.id,
    });
    expect(appeal.status).toBe(201);
    // Publication waits for the notice and the appeal.
    expect((await h.http.post(`/cycles/${cycleId}/publish`, users.admin)).status).toBe(409);
    const decided = await h.http.post(`/appeals/${appeal.body.id}/decision`, users.admin, {
      outcome: 'upheld',
      note: '经核实，合同履行得分更正',
      corrections: [{ submissionId: committee.id, scores: { contract: 45, transparency: 45 } }],
    });
    expect(decided.body).toMatchObject({ status: 'upheld' });
    const again = await h.http.post(`/appeals/${appeal.body.id}/decision`, users.admin, {
      outcome: 'rejected',
      note: 'x',
    });
    expect(again.status).toBe(409);
    const res = await h.http.get(`/results/${resultId()}`, users.firmP);
    // committee 90 instead of 75: 75.4 + 0.2 × 15 = 78.4, still A.
    expect(res.body).toMatchObject({ score: 78.4, band: 'A' });
    const sub = await h.http.get(`/submissions/${committee.id}`, users.admin);
    expect(sub.body.revisions.at(-1)).toMatchObject({ revision: 2, source: `appeal:${appeal.body.id}` });
  });

  it('publishes after the notice: a frozen version whose hash verifies; writes then answer 409', async () => {
    h.clock.advance(7 * DAY);
    const published = await h.http.post(`/cycles/${cycleId}/publish`, users.admin);
    expect(published.body.status).toBe('published');
    const v = await h.http.get(`/published/results/${resultId()}`, users.consumer);
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ version: 1, current: true, body: { band: 'A', score: 78.4 } });
    const hash = createHash('sha256').update(canonicalJson(v.body.body)).digest('hex');
    expect(hash).toBe(v.body.contentHash);
    expect(v.headers.etag).toBe(`"${hash}"`);
    const cached = await h.http
      .request('get', `/published/results/${resultId()}`)
      .set(await h.auth(users.consumer))
      .set('if-none-match', v.headers.etag as string);
    expect(cached.status).toBe(304);
    expect((await h.http.post(`/cycles/${cycleId}/compute`, users.admin)).status).toBe(409);
    expect(
      (await h.http.post(`/results/${resultId()}/appeals`, users.firmP, { reasons: '再申诉' })).status,
    ).toBe(409);
  });

  it('a correction is a new version with a reason; the old version stays as it was', async () => {
    const before = (await h.http.get(`/published/results/${resultId()}/versions/1`, users.consumer)).body;
    const street = (await h.http.get(`/cycles/${cycleId}/submissions?raterRole=street`, users.admin)).body
      .items[0];
    const revised = await h.http.post(`/results/${resultId()}/revisions`, users.admin, {
      reason: '街道检查记录录入错误',
      corrections: [{ submissionId: street.id, scores: { 'street-safety': 45, 'street-order': 45 } }],
    });
    expect(revised.status).toBe(201);
    expect(revised.body).toMatchObject({
      version: 2,
      current: true,
      body: { reason: '街道检查记录录入错误', supersedesVersion: 1 },
    });
    const v1 = (await h.http.get(`/published/results/${resultId()}/versions/1`, users.consumer)).body;
    expect(v1).toMatchObject({ current: false, supersededBy: 2, contentHash: before.contentHash });
    expect(v1.body).toEqual(before.body);
    const history = await h.http.get(`/results/${resultId()}/versions`, users.firmP);
    expect(history.body.items.map((x: { version: number }) => x.version)).toEqual([1, 2]);
  });

  it('emitted valid events: submissions, computed, published, revised', async () => {
    const events = await h.events();
    expectValidEvents(events);
    const types = new Set(events.map((e) => e.type));
    for (const t of ['submission.received', 'cycle.computed', 'result.published', 'result.revised'])
      expect(types).toContain(`honglian.property-evaluation.${t}.v1`);
  });
});
