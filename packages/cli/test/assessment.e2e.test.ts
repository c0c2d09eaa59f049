import { PROJECTION_GROUP, type AssessmentService } from '@honglian/assessment';
import {
  AttendanceRecorded,
  DEMO_DIRECTORY,
  NoShowCleared,
  NoShowFlagged,
  type CloudEvent,
} from '@honglian/contracts';
import type { MemberCheckinService } from '@honglian/member-checkin';
import { COLLECTIONS } from '@honglian/messaging';
import { FixedClock, createLogger } from '@honglian/service-kit';
import type { VolunteerPointsService } from '@honglian/volunteer-points';
import { demoToken } from './support.js';
import { SuiteConfigSchema, startSuite, type RunningSuite } from '../src/suite.js';

/**
 * The red/yellow/grey assessment through the gateway (DOMAIN.md §5, scenarios 1, 2 and 7), the
 * whole suite in this process on the demo city, with the demo users' tokens. Li
 * (331003-member-01) reports to X and Y, serves 6.5 h at X, is flagged 报而不到 at Y on day 180
 * and clears it by serving at Y; once the assessment has projected check-in's and points'
 * events, the year's pioneer index names her attendance and her cleared flag, event by event.
 * Then: every role's scope; a replay preview that lists what a rule override would change and
 * saves nothing; the year published once it has ended, a new county rule version applied, and
 * the closed year's ratings byte-for-byte as they were (recompute: 410) while the open quarter
 * takes the new version; an api-consumer sees published community and street ratings only.
 * Waits are bounded polls on what the services answer, never timed assertions.
 */
const LI = '331003-member-01';
const X = '331003-community-01';
const Y = '331003-community-02';
const UNIT = '331003-agency-01';
const GRID_X = '331003-community-01-grid-01';
const JIAOJIANG_MEMBER = '331002-member-01';
const COUNTY = '331003';
const YEAR = '2026';
const Q3 = '2026-Q3';
const START = '2026-01-05T09:00:00+08:00';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The override both the preview and the later rule version propose: red ≥ 90, yellow ≥ 85. */
const STRICTER = { thresholds: { red: 90, yellow: 85 } };
jest.setTimeout(300_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface Contribution {
  code: string;
  effect: string;
  points: number;
  events: string[];
}

describe('red/yellow/grey assessment through the gateway (scenarios 1, 2 and 7)', () => {
  const clock = new FixedClock(START);
  let suite: RunningSuite;
  const tokens: Record<string, string> = {};
  const USERS = [
    'city-admin',
    'county-admin-331003',
    'county-admin-331002',
    'staff-331003',
    'member-331003',
    'member-331002',
  ];
  /** Ids shared by the steps (the story runs once, in order). */
  const story = {
    sessions: [] as string[],
    attendanceEvents: [] as string[],
    flagEvent: '',
    clearEvent: '',
  };

  const handleOf = <T>(name: string): T =>
    suite.services.find((s) => s.handle.name === name)!.handle as unknown as T;

  beforeAll(async () => {
    const config = SuiteConfigSchema.parse({ PORT: '0', DATA_DIR: '', LOG_LEVEL: 'silent' });
    suite = await startSuite(config, createLogger({ name: 'assessment', level: 'silent' }), {
      clock,
      busEnv: {},
    });
    const gatewayUrl = suite.gateway.http.url;
    for (const u of USERS) tokens[u] = await demoToken(gatewayUrl, u);
    // A bidding platform / housing bureau: the demo API client (client_credentials).
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
    tokens['api-consumer'] = ((await grant.json()) as { access_token: string }).access_token;
  }, 300_000);
  afterAll(() => suite?.close());

  /** A request through the gateway; paths without `/api` are the assessment's. */
  const call = async (
    user: string,
    method: string,
    path: string,
    body?: object,
  ): Promise<{ status: number; body: Json; text: string }> => {
    const res = await fetch(
      `${suite.gateway.http.url}${path.startsWith('/api') ? '' : '/api/v1/assessment'}${path}`,
      {
        method,
        headers: {
          authorization: `Bearer ${tokens[user]}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      },
    );
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
    return { status: res.status, body: json, text };
  };
  const ok = async (status: number, p: ReturnType<typeof call>): Promise<Json> => {
    const r = await p;
    expect({ status: r.status, body: r.body }).toMatchObject({ status });
    return r.body;
  };
  const checkin = (user: string, method: string, path: string, body?: object) =>
    call(user, method, `/api/v1/checkin${path}`, body);
  /** Polls until `check` holds (events travel through the outbox and the bus); bounded, not timed. */
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`never happened: ${what}`);
  };
  const byCode = (rating: { contributions: Contribution[] }): Record<string, Contribution> =>
    Object.fromEntries(rating.contributions.map((c) => [c.code, c]));

  /** The events member-checkin wrote to its outbox (what it published), by type and data. */
  const checkinEvents = async (type: string, data: Record<string, string>): Promise<CloudEvent[]> => {
    const conn = handleOf<MemberCheckinService>('member-checkin').services.ctx.conn;
    const filter = Object.fromEntries(Object.entries(data).map(([k, v]) => [`event.data.${k}`, v]));
    const records = await conn
      .collection<{ event: CloudEvent }>(COLLECTIONS.outbox)
      .find({ 'event.type': type, ...filter })
      .toArray();
    return records.map((r) => r.event);
  };
  /**
   * Every event check-in and points wrote (published or about to be) has been processed by the
   * assessment's projections: the record the kit keeps per consumer group and event.
   */
  const projected = async (): Promise<boolean> => {
    const ids: string[] = [];
    for (const conn of [
      handleOf<MemberCheckinService>('member-checkin').services.ctx.conn,
      handleOf<VolunteerPointsService>('volunteer-points').services.ctx.conn,
    ]) {
      const records = await conn
        .collection<{ _id: string }>(COLLECTIONS.outbox)
        .find({ status: { $ne: 'invalid' } }, { projection: { _id: 1 } })
        .toArray();
      ids.push(...records.map((r) => r._id));
    }
    const assessment = handleOf<AssessmentService>('assessment').services.ctx.conn;
    const done = await assessment
      .collection(COLLECTIONS.processed)
      .countDocuments({ groupId: PROJECTION_GROUP, eventId: { $in: ids } });
    return ids.length > 0 && done === ids.length;
  };

  /** Li's check-in flow (as story.e2e.test.ts): waits for the check-in read model to know her. */
  const report = async (body: object) => {
    let accepted: Json;
    await until(`report ${JSON.stringify(body)} accepted`, async () => {
      const r = await checkin('member-331003', 'POST', '/reports', body);
      accepted = r.body;
      return r.status === 201;
    });
    return accepted;
  };
  const activity = (by: string, communityId: string, title: string, startsAt: string, hours: number) =>
    ok(
      201,
      checkin(by, 'POST', '/activities', {
        communityId,
        title,
        startsAt,
        endsAt: new Date(Date.parse(startsAt) + hours * HOUR).toISOString(),
        place: '党群服务中心',
      }),
    );
  /** Li scans the activity's screen on arrival and again `hours` later. */
  const serve = async (screen: string, activityId: string, at: string, hours: number) => {
    clock.set(at);
    const qrIn = await ok(200, checkin(screen, 'GET', `/activities/${activityId}/qr`));
    await ok(201, checkin('member-331003', 'POST', '/attendances/check-in', { token: qrIn.token }));
    clock.advance(hours * HOUR);
    const qrOut = await ok(200, checkin(screen, 'GET', `/activities/${activityId}/qr`));
    return ok(200, checkin('member-331003', 'POST', '/attendances/check-out', { token: qrOut.token }));
  };

  it('scenarios 1–2 for Li, projected: the year’s pioneer index names her attendance and her cleared 报而不到 flag', async () => {
    // Scenario 1: she reports where she lives (X) and where her unit is paired (Y); both confirm.
    const home = await report({ kind: 'residence', communityId: X });
    const work = await report({ kind: 'work', communityId: Y });
    await ok(200, checkin('staff-331003', 'POST', `/reports/${home.id}/confirm`));
    await ok(200, checkin('county-admin-331003', 'POST', `/reports/${work.id}/confirm`));
    await ok(
      200,
      checkin('member-331003', 'PUT', `/reports/${home.id}/pledge`, { items: ['亮身份、作表率'] }),
    );
    await ok(
      200,
      checkin('staff-331003', 'PUT', `/reports/${home.id}/placement`, { gridId: GRID_X, post: '楼栋长' }),
    );

    // Scenario 2: three QR check-ins at X of 2 h, 1.5 h and 3 h in the first half-year.
    const a1 = await activity('staff-331003', X, '小区环境整治', '2026-02-07T09:00:00+08:00', 3);
    const a2 = await activity('staff-331003', X, '反诈宣传', '2026-03-14T14:00:00+08:00', 2);
    const a3 = await activity('staff-331003', X, '助老服务', '2026-05-09T08:00:00+08:00', 4);
    const atX = [
      await serve('staff-331003', a1.id, '2026-02-07T09:00:00+08:00', 2),
      await serve('staff-331003', a2.id, '2026-03-14T14:00:00+08:00', 1.5),
      await serve('staff-331003', a3.id, '2026-05-09T08:00:00+08:00', 3),
    ];
    expect(atX.map((s) => s.hours)).toEqual([2, 1.5, 3]);

    // Day 180: zero check-ins at Y → 报而不到 at Y (the sweep, run now by the city). The demo
    // city's reports (member-checkin's demo: attendances in early January, none since) are due too.
    clock.set(new Date(Date.parse(START) + 180 * DAY));
    const scan = await ok(200, checkin('city-admin', 'POST', '/scans', {}));
    const flagged = await ok(200, checkin('city-admin', 'GET', '/views/no-shows?limit=200'));
    const hers = flagged.items.filter((r: { memberId: string }) => r.memberId === LI);
    expect(hers.map((r: { communityId: string }) => r.communityId)).toEqual([Y]);
    expect(scan).toMatchObject({ noShowFlagged: flagged.total });
    const sheet = await ok(
      200,
      checkin('county-admin-331003', 'GET', `/units/${UNIT}/feedback?period=2026-H1`),
    );
    expect(sheet.members.find((m: { memberId: string }) => m.memberId === LI)).toMatchObject({
      hours: 6.5,
      noShow: true,
    });

    // She then serves at Y: the flag clears.
    const y1 = await activity('county-admin-331003', Y, '结对共建：楼道清理', '2026-07-11T09:00:00+08:00', 2);
    const atY = await serve('county-admin-331003', y1.id, '2026-07-11T09:00:00+08:00', 2);
    expect(atY).toMatchObject({ hours: 2, reportIds: [work.id] });
    expect(await ok(200, checkin('member-331003', 'GET', `/reports/${work.id}`))).toMatchObject({
      noShow: false,
    });
    story.sessions = [...atX, atY].map((s) => s.id);

    // The events check-in published for them: four attendances, one flag at Y and its clear.
    const attendances = await checkinEvents(AttendanceRecorded.type, { memberId: LI });
    expect(attendances.map((e) => (e.data as { attendanceId: string }).attendanceId).sort()).toEqual(
      [...story.sessions].sort(),
    );
    story.attendanceEvents = attendances.map((e) => e.id);
    const flags = await checkinEvents(NoShowFlagged.type, { reportId: work.id });
    const clears = await checkinEvents(NoShowCleared.type, { reportId: work.id });
    expect([flags.length, clears.length]).toEqual([1, 1]);
    story.flagEvent = flags[0]!.id;
    story.clearEvent = clears[0]!.id;

    // Her live index (this year, current rules; she reads her own) shows them once projected.
    await until('Li’s live index names her attendances and her cleared flag', async () => {
      const live = await call('member-331003', 'GET', `/live/${LI}`);
      if (live.status !== 200) return false;
      const c = byCode(live.body);
      return c.hours?.events.length === 4 && c['noshow-cleared']?.events.length === 2;
    });
    // Points turns each attendance into points; the assessment counts those too: wait until
    // points has awarded them and the assessment has processed every event of both services.
    await until('points awarded for the four attendances', async () => {
      const entries = await call('member-331003', 'GET', `/api/v1/points/members/${LI}/entries?limit=200`);
      const ids = new Set((entries.body.items ?? []).map((e: { id: string }) => e.id));
      return story.sessions.every((s) => ids.has(`award:attendance:${s}`));
    });
    await until('the assessment projected every check-in and points event', projected);

    // The year computed by the county (the demo seeded a provisional one at start-up).
    const computed = await ok(200, call('county-admin-331003', 'POST', `/periods/${YEAR}/compute`, {}));
    expect(computed).toMatchObject({
      period: YEAR,
      counties: [{ county: COUNTY, ratings: expect.any(Number), ruleVersion: 'city-1' }],
    });

    const li = await ok(200, call('county-admin-331003', 'GET', `/ratings/${YEAR}/${LI}`));
    expect(li).toMatchObject({
      id: `${YEAR}:${LI}`,
      period: YEAR,
      level: 'member',
      subjectId: LI,
      county: COUNTY,
      parentId: X,
      ruleVersion: 'city-1',
      status: 'provisional',
      publishedAt: null,
      base: 60,
      reset: false,
    });
    const c = byCode(li);
    // Her attendance: 2 + 1.5 + 3 at X and 2 at Y = 8.5 h (1 point an hour, cap 10), four times.
    expect(c.hours).toMatchObject({
      effect: 'bonus',
      units: 8.5,
      points: 8.5,
      capped: false,
      label: { zh: '志愿服务时长', en: 'Hours of service' },
    });
    expect([...c.hours!.events].sort()).toEqual([...story.attendanceEvents].sort());
    expect(c.attendances).toMatchObject({ effect: 'bonus', units: 4, points: 2 });
    expect([...c.attendances!.events].sort()).toEqual([...story.attendanceEvents].sort());
    // Her cleared 报而不到 flag: one flag, −2, naming the flag and the clear.
    expect(c['noshow-cleared']).toMatchObject({
      effect: 'deduction',
      units: 1,
      points: -2,
      label: { zh: '报而不到（已消除）', en: 'No-show flag, cleared' },
      events: [story.flagEvent, story.clearEvent],
    });
    expect(c['noshow-open']).toBeUndefined();
    expect(c['never-reported']).toBeUndefined();
    expect(li.sources).toEqual(
      expect.arrayContaining([...story.attendanceEvents, story.flagEvent, story.clearEvent]),
    );
    // Scenario 7's shape: base + bonus − deductions, each part the sum of its lines.
    const sum = (effect: string) =>
      Math.round(
        li.contributions
          .filter((x: Contribution) => x.effect === effect)
          .reduce((s: number, x: Contribution) => s + x.points, 0) * 100,
      ) / 100;
    expect(li.bonusCapped ? li.bonus : sum('bonus')).toBe(li.bonus);
    expect(li.deductionCapped ? li.deduction : -sum('deduction')).toBe(li.deduction);
    expect(li.score).toBeCloseTo(li.base + li.bonus - li.deduction, 2);
    expect(li.colour).toBe(li.score >= 75 ? 'red' : li.score >= 60 ? 'yellow' : 'grey');

    // Her community X counts her hours there, event by event.
    const community = await ok(200, call('county-admin-331003', 'GET', `/ratings/${YEAR}/${X}`));
    const atXEvents = attendances
      .filter((e) => (e.data as { communityId: string }).communityId === X)
      .map((e) => e.id);
    expect(atXEvents).toHaveLength(3);
    expect(byCode(community)['member-hours']?.events).toEqual(expect.arrayContaining(atXEvents));
  });

  it('keeps every role in its scope', async () => {
    // Another county's admin: her rating does not exist, their list holds no 331003 subject.
    await ok(404, call('county-admin-331002', 'GET', `/ratings/${YEAR}/${LI}`));
    await ok(404, call('county-admin-331002', 'GET', `/live/${LI}`));
    const theirs = await ok(200, call('county-admin-331002', 'GET', `/ratings?period=${YEAR}&limit=200`));
    expect(theirs.total).toBeGreaterThan(0); // the demo's provisional ratings of 331002
    expect(theirs.items).toHaveLength(theirs.total);
    expect(theirs.items.filter((r: { county: string }) => r.county !== '331002')).toEqual([]);
    expect((await ok(200, call('county-admin-331002', 'GET', `/ratings?county=${COUNTY}`))).total).toBe(0);
    await ok(404, call('county-admin-331002', 'POST', `/periods/${YEAR}/compute`, { county: COUNTY }));
    await ok(
      404,
      call('county-admin-331002', 'POST', `/periods/${YEAR}/preview`, { county: COUNTY, override: STRICTER }),
    );
    await ok(
      404,
      call('county-admin-331002', 'POST', '/rules', { county: COUNTY, note: '越权', override: STRICTER }),
    );

    // Li reads her own live index and her rating; not another member's, not another county's.
    const live = await ok(200, call('member-331003', 'GET', `/live/${LI}`));
    expect(live).toMatchObject({ subjectId: LI, period: YEAR, status: 'provisional', ruleVersion: 'city-1' });
    await ok(200, call('member-331003', 'GET', `/ratings/${YEAR}/${LI}`));
    await ok(404, call('member-331003', 'GET', `/ratings/${YEAR}/331003-member-02`));
    await ok(404, call('member-331003', 'GET', `/live/${JIAOJIANG_MEMBER}`));
    const hers = await ok(200, call('member-331003', 'GET', `/ratings?period=${YEAR}`));
    expect(hers.items.map((r: { subjectId: string }) => r.subjectId)).toEqual([LI]);
    // A member of 椒江 gets her own, never Li's.
    await ok(404, call('member-331002', 'GET', `/live/${LI}`));
    await ok(404, call('member-331002', 'GET', `/ratings/${YEAR}/${LI}`));
    await ok(200, call('member-331002', 'GET', `/live/${JIAOJIANG_MEMBER}`));

    // X's staff see X's subtree (Li lives there), not Y.
    await ok(200, call('staff-331003', 'GET', `/ratings/${YEAR}/${LI}`));
    await ok(200, call('staff-331003', 'GET', `/ratings/${YEAR}/${X}`));
    await ok(404, call('staff-331003', 'GET', `/ratings/${YEAR}/${Y}`));

    // An api-consumer: nothing of the year before its publication (the demo published last
    // month: only its community and street ratings), and no live index.
    expect(await ok(200, call('api-consumer', 'GET', `/ratings?period=${YEAR}`))).toMatchObject({
      total: 0,
      items: [],
    });
    const demoMonth = await ok(200, call('api-consumer', 'GET', '/ratings?limit=200'));
    expect(demoMonth.items.length).toBeGreaterThan(0);
    for (const r of demoMonth.items as { level: string; status: string }[]) {
      expect(['community', 'street']).toContain(r.level);
      expect(r.status).toBe('published');
    }
    await ok(404, call('api-consumer', 'GET', `/ratings/${YEAR}/${X}`));
    await ok(404, call('api-consumer', 'GET', `/ratings/${YEAR}/${LI}`));
    await ok(403, call('api-consumer', 'GET', `/live/${LI}`));
  });

  it('replays the year under a proposed override subject by subject, saving nothing', async () => {
    const pageOf = () =>
      call('county-admin-331003', 'GET', `/ratings?period=${YEAR}&county=${COUNTY}&limit=200`);
    const liOf = () => call('county-admin-331003', 'GET', `/ratings/${YEAR}/${LI}`);
    const [pageBefore, liBefore] = [await pageOf(), await liOf()];
    expect(pageBefore.status).toBe(200);
    const stored = new Map<string, Json>(pageBefore.body.items.map((r: Json) => [r.subjectId, r]));
    expect(stored.size).toBe(pageBefore.body.total);

    const preview = await ok(
      200,
      call('county-admin-331003', 'POST', `/periods/${YEAR}/preview`, { county: COUNTY, override: STRICTER }),
    );
    expect(preview).toMatchObject({ period: YEAR, county: COUNTY });
    // One line per subject, from what is stored to what the override would give.
    expect(preview.lines.map((l: { subjectId: string }) => l.subjectId).sort()).toEqual(
      [...stored.keys()].sort(),
    );
    for (const line of preview.lines) {
      const held = stored.get(line.subjectId);
      expect([line.subjectId, line.from]).toEqual([
        line.subjectId,
        { score: held.score, colour: held.colour, ruleVersion: 'city-1' },
      ]);
      expect(line.to.ruleVersion).toBe('city-1+preview');
      expect(line.colourChanged).toBe(line.from.colour !== line.to.colour);
      if (line.level === 'member') {
        // Thresholds move colours, not a member's points; no member reaches 85 (60 + at most 20).
        expect([line.subjectId, line.to.score, line.scoreChange, line.to.colour]).toEqual([
          line.subjectId,
          line.from.score,
          0,
          'grey',
        ]);
      }
    }
    expect(preview.changed).toBe(
      preview.lines.filter((l: { colourChanged: boolean }) => l.colourChanged).length,
    );
    // Changed subjects first.
    const flags = preview.lines.map((l: { colourChanged: boolean }) => l.colourChanged);
    expect(flags).toEqual([...flags].sort((a: boolean, b: boolean) => Number(b) - Number(a)));
    const li = liBefore.body;
    expect(preview.lines.find((l: { subjectId: string }) => l.subjectId === LI)).toEqual({
      subjectId: LI,
      level: 'member',
      name: li.name,
      from: { score: li.score, colour: li.colour, ruleVersion: 'city-1' },
      to: { score: li.score, colour: 'grey', ruleVersion: 'city-1+preview' },
      colourChanged: true,
      scoreChange: 0,
    });

    // Nothing saved: the stored ratings answer as before, and no rule version was added.
    expect((await pageOf()).text).toBe(pageBefore.text);
    expect((await liOf()).text).toBe(liBefore.text);
    expect((await ok(200, call('member-331003', 'GET', `/live/${LI}`))).ruleVersion).toBe('city-1');
  });

  it('publishes the ended year; a new county rule version leaves it as published, the open quarter takes it', async () => {
    // Not before the year has ended.
    const early = await ok(
      409,
      call('county-admin-331003', 'POST', `/periods/${YEAR}/publish`, { county: COUNTY }),
    );
    expect(early.reason).toEqual({ zh: expect.any(String), en: expect.any(String) });

    clock.set('2027-01-04T09:00:00+08:00');
    const provisional = await ok(200, call('county-admin-331003', 'GET', `/ratings/${YEAR}/${LI}`));
    const page = () =>
      call('county-admin-331003', 'GET', `/ratings?period=${YEAR}&county=${COUNTY}&limit=200`);
    const published = await ok(
      200,
      call('county-admin-331003', 'POST', `/periods/${YEAR}/publish`, { county: COUNTY }),
    );
    const total = (await page()).body.total;
    expect(published).toMatchObject({ period: YEAR, county: COUNTY, published: total });
    const frozen = await call('county-admin-331003', 'GET', `/ratings/${YEAR}/${LI}`);
    expect(frozen.body).toMatchObject({
      status: 'published',
      publishedAt: expect.any(String),
      score: provisional.score,
      colour: provisional.colour,
      ruleVersion: 'city-1',
      contributions: provisional.contributions,
    });
    const frozenPage = await page();
    expect(frozenPage.body.items.every((r: { status: string }) => r.status === 'published')).toBe(true);

    // Her consequence follows her colour (red: priority; yellow: remediation in 3 months; grey: exit in 6).
    const expected = {
      red: { kind: 'priority', deadline: null },
      yellow: { kind: 'remediation', deadline: '2027-04-04' },
      grey: { kind: 'exit', deadline: '2027-07-04' },
    }[frozen.body.colour as 'red' | 'yellow' | 'grey'];
    const mine = await ok(200, call('member-331003', 'GET', `/consequences?period=${YEAR}`));
    expect(mine).toEqual([
      expect.objectContaining({ subjectId: LI, ratingId: `${YEAR}:${LI}`, status: 'open', ...expected }),
    ]);

    // An open period beside it: the third quarter (her clear and her hours at Y), current rules.
    expect(
      await ok(200, call('county-admin-331003', 'POST', `/periods/${Q3}/compute`, { county: COUNTY })),
    ).toMatchObject({ counties: [{ county: COUNTY, ruleVersion: 'city-1' }] });

    // A new county rule version, applied to the open periods.
    const rule = await ok(
      201,
      call('county-admin-331003', 'POST', '/rules', {
        county: COUNTY,
        note: '黄岩区提高红黄门槛 stricter thresholds',
        override: STRICTER,
      }),
    );
    expect(rule).toMatchObject({
      county: COUNTY,
      version: 'city-1+331003-1',
      rules: { thresholds: { red: 90, yellow: 85 } },
    });
    const applied = await ok(200, call('county-admin-331003', 'POST', '/rules/apply', {}));
    expect(applied.counties).toContainEqual(
      expect.objectContaining({ period: Q3, county: COUNTY, ruleVersion: 'city-1+331003-1' }),
    );
    expect(applied.counties.map((x: { period: string }) => x.period)).not.toContain(YEAR);
    expect(await ok(200, call('county-admin-331003', 'GET', `/ratings/${Q3}/${LI}`))).toMatchObject({
      ruleVersion: 'city-1+331003-1',
      colour: 'grey',
      status: 'provisional',
    });

    // The closed year: byte for byte as published, and it cannot be recomputed or published again.
    const after = await call('county-admin-331003', 'GET', `/ratings/${YEAR}/${LI}`);
    expect(after.text).toBe(frozen.text);
    expect([after.body.score, after.body.colour, after.body.ruleVersion]).toEqual([
      provisional.score,
      provisional.colour,
      'city-1',
    ]);
    expect((await page()).text).toBe(frozenPage.text);
    for (const body of [{}, { county: COUNTY }]) {
      const gone = await ok(410, call('county-admin-331003', 'POST', `/periods/${YEAR}/compute`, body));
      expect(gone.reason).toEqual({ zh: expect.any(String), en: expect.any(String) });
    }
    await ok(410, call('county-admin-331003', 'POST', `/periods/${YEAR}/publish`, { county: COUNTY }));
    expect((await call('county-admin-331003', 'GET', `/ratings/${YEAR}/${LI}`)).text).toBe(frozen.text);
    // Another county's rules and ratings are not touched by 黄岩's version.
    expect(
      await ok(200, call('county-admin-331002', 'GET', `/ratings/${YEAR}/${JIAOJIANG_MEMBER}`)),
    ).toMatchObject({ ruleVersion: 'city-1', status: 'provisional' });

    // An api-consumer now sees the published community and street ratings, nothing else.
    const consumer = await ok(200, call('api-consumer', 'GET', `/ratings?period=${YEAR}&limit=200`));
    expect(consumer.total).toBeGreaterThan(0);
    expect(consumer.items).toHaveLength(consumer.total);
    for (const r of consumer.items as { level: string; status: string; county: string; period: string }[])
      expect([r.level === 'community' || r.level === 'street', r.status, r.county, r.period]).toEqual([
        true,
        'published',
        COUNTY,
        YEAR,
      ]);
    expect(consumer.items.map((r: { subjectId: string }) => r.subjectId)).toEqual(
      expect.arrayContaining([X, '331003-street-01']),
    );
    expect(await ok(200, call('api-consumer', 'GET', `/ratings/${YEAR}/${X}`))).toMatchObject({
      status: 'published',
      ruleVersion: 'city-1',
    });
    await ok(404, call('api-consumer', 'GET', `/ratings/${YEAR}/${LI}`));
    await ok(404, call('api-consumer', 'GET', `/ratings/${YEAR}/${COUNTY}`));
    await ok(404, call('api-consumer', 'GET', `/ratings/${Q3}/${X}`));
    await ok(404, call('api-consumer', 'GET', `/ratings/${YEAR}/331002-community-01`));
  });
});
