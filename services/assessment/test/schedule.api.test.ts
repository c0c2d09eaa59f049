import { loadConfig } from '@honglian/service-kit';
import { AssessmentConfigSchema, assessmentSettingsOf } from '../src/config.js';
import { COUNTY, liFixture, registryFixture, startAssessment, users } from './support.js';

type H = Awaited<ReturnType<typeof startAssessment>>;
let h: H;
let started: H | undefined;

afterEach(async () => {
  await started?.close();
  started = undefined;
});
const start = async (...args: Parameters<typeof startAssessment>) => {
  h = await startAssessment(...args);
  started = h;
  return h;
};

const LI = 'm-331003-1';

describe('scheduled computation', () => {
  it('a tick computes the current month, quarter and year of every known county', async () => {
    await start('2026-04-02T09:00:00+08:00');
    await h.publishAll([...registryFixture(), ...liFixture()]);
    const run = await h.service.tick();
    expect(run).toMatchObject({
      at: '2026-04-02T01:00:00.000Z',
      periods: ['2026-04', '2026-Q2', '2026'],
      skipped: [],
      failed: [],
      interrupted: false,
    });
    expect(run.computed.map((c) => `${c.county}:${c.period}`)).toEqual([
      `${COUNTY}:2026-04`,
      `${COUNTY}:2026-Q2`,
      `${COUNTY}:2026`,
    ]);
    const year = await h.http.get(`/ratings/2026/${LI}`, users.countyAdmin331003);
    expect(year.body).toMatchObject({ score: 66, status: 'provisional', ruleVersion: 'city-1' });
    expect((await h.http.get('/ratings?period=2026-04', users.cityAdmin)).body.total).toBeGreaterThan(0);
    expect((await h.http.get('/ratings?period=2026-Q1', users.cityAdmin)).body.total).toBe(0);

    // A new rule version reaches the open current periods with the next tick.
    await h.http.post('/rules', users.countyAdmin331003, {
      county: COUNTY,
      note: '基础分58',
      override: { indices: { member: { base: 58 } } },
    });
    h.clock.set('2026-04-02T10:00:00+08:00');
    await h.service.tick();
    const again = await h.http.get(`/ratings/2026/${LI}`, users.countyAdmin331003);
    expect(again.body).toMatchObject({
      score: 64,
      ruleVersion: 'city-1+331003-1',
      computedAt: '2026-04-02T02:00:00.000Z',
    });
  });

  it('never touches a closed period', async () => {
    await start('2026-04-02T09:00:00+08:00');
    await h.publishAll([...registryFixture(), ...liFixture()]);
    for (const period of ['2026-03', '2026-Q1']) {
      await h.http.post(`/periods/${period}/compute`, users.countyAdmin331003, {});
      await h.http.post(`/periods/${period}/publish`, users.countyAdmin331003, { county: COUNTY });
    }
    const published = await h.http.get(`/ratings/2026-Q1/${LI}`, users.countyAdmin331003);
    await h.http.post('/rules', users.countyAdmin331003, {
      county: COUNTY,
      note: '基础分50',
      override: { indices: { member: { base: 50 } } },
    });
    // A run whose clock still reads the last evening of March (a late tick): March and Q1 are
    // current for it, and closed.
    h.clock.set('2026-03-31T20:00:00+08:00');
    const run = await h.service.tick();
    expect(run.periods).toEqual(['2026-03', '2026-Q1', '2026']);
    expect(run.skipped).toEqual([
      { county: COUNTY, period: '2026-03' },
      { county: COUNTY, period: '2026-Q1' },
    ]);
    expect(run.computed.map((c) => c.period)).toEqual(['2026']);
    expect((await h.http.get(`/ratings/2026-Q1/${LI}`, users.countyAdmin331003)).body).toEqual(
      published.body,
    );
    expect((await h.http.get(`/ratings/2026-03/${LI}`, users.countyAdmin331003)).body).toMatchObject({
      status: 'published',
      ruleVersion: 'city-1',
    });
    expect((await h.http.get(`/ratings/2026/${LI}`, users.countyAdmin331003)).body.base).toBe(50);
  });

  it('the timer runs every ASSESSMENT_SCHEDULE_MINUTES, never overlaps itself and stops on shutdown', async () => {
    await start('2026-04-02T09:00:00+08:00', { env: { ASSESSMENT_SCHEDULE_MINUTES: '15' } });
    await h.publishAll(registryFixture());
    expect([...h.timers.active.values()].map((t) => t.ms)).toEqual([15 * 60_000]);
    const compute = jest.spyOn(h.service.services.ratings, 'compute');
    // Two firings while the first run is under way: one run.
    h.timers.fire();
    h.timers.fire();
    await h.service.tick();
    expect(compute).toHaveBeenCalledTimes(3);
    expect((await h.http.get('/ratings?period=2026-Q2', users.cityAdmin)).body.total).toBeGreaterThan(0);

    // Shutdown clears the timer and ends a run under way between two periods.
    const late = h.service.tick();
    await h.service.stop();
    expect(h.timers.active.size).toBe(0);
    expect(await late).toMatchObject({ interrupted: true, computed: [] });
    expect(compute).toHaveBeenCalledTimes(3);
  });

  it('reads its interval from the environment (default 60 minutes, 0 = never, bad values refused)', () => {
    const of = (env: Record<string, string>) =>
      assessmentSettingsOf(loadConfig(AssessmentConfigSchema, { NODE_ENV: 'test', ...env }));
    expect(of({}).scheduleMs).toBe(60 * 60_000);
    expect(of({ ASSESSMENT_SCHEDULE_MINUTES: '0' }).scheduleMs).toBe(0);
    expect(() => of({ ASSESSMENT_SCHEDULE_MINUTES: '-5' })).toThrow(/ASSESSMENT_SCHEDULE_MINUTES/);
    expect(() => of({ ASSESSMENT_SCHEDULE_MINUTES: 'hourly' })).toThrow(/ASSESSMENT_SCHEDULE_MINUTES/);
  });

  it('the city admin runs it now through the API; others are refused', async () => {
    await start('2026-04-02T09:00:00+08:00');
    await h.publishAll(registryFixture());
    const res = await h.http.post('/schedule/run', users.cityAdmin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ periods: ['2026-04', '2026-Q2', '2026'], failed: [] });
    expect(res.body.computed).toHaveLength(3);
    expect((await h.http.post('/schedule/run', users.countyAdmin331003)).status).toBe(403);
  });

  it('with an interval of 0 no timer is set', async () => {
    await start('2026-04-02T09:00:00+08:00', { env: { ASSESSMENT_SCHEDULE_MINUTES: '0' } });
    expect(h.timers.active.size).toBe(0);
    // The tick still runs on demand (no county known yet: nothing to do).
    expect((await h.service.tick()).computed).toEqual([]);
  });
});
