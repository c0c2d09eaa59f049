import { SuiteConfigSchema, startSuite, type RunningSuite } from '@honglian/cli';
import { AttendanceRecorded, TOPICS, deadLetterTopic } from '@honglian/contracts';
import {
  COLLECTIONS,
  InProcessEventBus,
  type EventBus,
  type KafkaInspector,
  type OutboxRelay,
} from '@honglian/messaging';
import { FixedClock, createLogger } from '@honglian/service-kit';
import { demoToken } from '@honglian/testkit';
import { ChaosBus, type ChaosStats } from './chaos-bus.js';
import { RelayRestarter, type RelayRestart } from './relay-chaos.js';
import {
  MEMBERS,
  expectedPoints,
  planAttendances,
  plannedActivities,
  serviceWeeks,
  writeAttendances,
  type Connection,
  type PlannedAttendance,
} from './scenario.js';

/** The suite's clock: the activities are published at the end of 2024, the service is in 2025. */
export const START = '2024-12-31T09:00:00+08:00';
/** When the ratings of 2025 are computed (the period has ended). */
export const RATED_AT = '2026-01-05T09:00:00+08:00';
export const PERIOD = '2025';

/** A built service as the kit exposes it beside its handle (only what the proof reads). */
interface ModuleHandle {
  name: string;
  relay?: OutboxRelay;
  services?: { ctx: { conn: Connection } };
}

export interface RunOptions {
  label: string;
  /** Where the bus takes its settings from: `{}` in-process, or Kafka's variables. */
  busEnv: Record<string, string | undefined>;
  /** Duplicates, crashes and relay restarts; false: a plain run (the bus is only counted). */
  chaos: boolean;
  seed: number;
  count: number;
  /** Crash probability per try (chaos runs). */
  crashRate: number;
  /** Restart the check-in relay when it publishes these attendance events (n-th). */
  restartAt: number[];
  /** Kafka runs: lag and dead letters are read from the broker. */
  inspector?: KafkaInspector;
  /** Bound of every wait (never a timed assertion: exceeding it fails with what was missing). */
  waitMs: number;
  log: (line: string) => void;
}

export interface Balance {
  balance: number;
  hours: number;
  entries: number;
  stars: number;
}

export interface RunOutcome {
  label: string;
  plan: PlannedAttendance[];
  /** Deltas during the scenario (from the first check-in written to the pipelines being quiet). */
  stats: ChaosStats;
  attendancePublishes: number;
  restarts: RelayRestart[];
  balances: Record<string, Balance>;
  /** Per member: points, hours and entries of the attendance awards. */
  awards: Record<string, { points: number; hours: number; entries: number }>;
  ledgerEntries: { attendance: number; total: number };
  facts: { attendance: number; points: number };
  ratings: Record<string, { level: string; score: number; colour: string }>;
  deadLetters: number;
  mismatches: string[];
  seconds: { start: number; write: number; settle: number; total: number };
  cappedDays: number;
}

/** The scenario's attendance ids (scenario.ts). */
const PROOF_ID = /^att-proof-/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds; bounded: past `ms` it fails naming what never happened. */
export async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + ms; ;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`never happened within ${ms / 1000} s: ${what}`);
    await sleep(200);
  }
}

type Call = (
  user: string,
  method: string,
  path: string,
  body?: object,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The demo users' calls through the gateway. A run outlasts the development identity provider's
 * tokens (15 minutes): a call answered 401 logs in again and is sent once more.
 */
function client(gatewayUrl: string): { call: Call; login(user: string): Promise<void> } {
  const tokens: Record<string, string> = {};
  const login = async (username: string) => {
    tokens[username] = await demoToken(gatewayUrl, username);
  };
  const send: Call = async (user, method, path, body, headers = {}) => {
    const res = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[user]}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const json = text && (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, body: json ? JSON.parse(text) : text };
  };
  return {
    login,
    async call(user, method, path, body, headers) {
      const first = await send(user, method, path, body, headers);
      if (first.status !== 401) return first;
      await login(user);
      return send(user, method, path, body, headers);
    },
  };
}

/** Fails at once on an answer no amount of waiting changes (a refusal of the caller, a server error). */
function hopeless(what: string, r: { status: number; body: unknown }): void {
  if ([401, 403, 429].includes(r.status) || r.status >= 500)
    throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
}

function handleOf(suite: RunningSuite, name: string): ModuleHandle {
  const served = suite.services.find((s) => s.handle.name === name);
  if (!served) throw new Error(`${name} is not in the suite`);
  return served.handle as unknown as ModuleHandle;
}

function connOf(handle: ModuleHandle): Connection {
  const conn = handle.services?.ctx.conn;
  if (!conn) throw new Error(`${handle.name} exposes no connection`);
  return conn;
}

const diff = (after: ChaosStats, before: ChaosStats): ChaosStats =>
  Object.fromEntries(
    Object.entries(after).map(([k, v]) => [
      k,
      k === 'maxCrashesOfOneMessage' ? v : v - before[k as keyof ChaosStats],
    ]),
  ) as unknown as ChaosStats;

/**
 * Waits until the pipelines are quiet: no outbox record pending in any service, the bus has
 * delivered everything (in-process: idle; Kafka: every group made through the bus has no lag),
 * any relay restart is over, and two looks a second apart saw the same counts. Bounded.
 */
async function untilQuiet(
  opts: {
    chaos: ChaosBus;
    relays: OutboxRelay[];
    restarter?: RelayRestarter;
    inspector?: KafkaInspector;
    progress: () => Promise<string>;
    log?: (line: string) => void;
  },
  what: string,
  ms: number,
): Promise<void> {
  const inner = opts.chaos.inner;
  const deadline = Date.now() + ms;
  let last = '';
  let detail = '';
  let lastLog = Date.now();
  for (;;) {
    await opts.restarter?.settled();
    const pending = (await Promise.all(opts.relays.map((r) => r.backlog()))).reduce(
      (n, b) => n + b.pending,
      0,
    );
    let busQuiet: boolean;
    if (inner instanceof InProcessEventBus) {
      let timer: NodeJS.Timeout | undefined;
      busQuiet = await Promise.race([
        inner.whenIdle().then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 2000))),
      ]);
      clearTimeout(timer);
    } else if (opts.inspector) {
      let lag = 0;
      for (const s of opts.chaos.subscriptions) lag += await opts.inspector.lag(s.groupId, s.topics);
      busQuiet = lag === 0;
      detail = `lag ${lag}`;
    } else throw new Error('a bus other than in-process needs an inspector to tell when it is quiet');
    const mark = `${pending}|${opts.chaos.stats.deliveries}|${opts.chaos.stats.messages}|${await opts.progress()}`;
    if (pending === 0 && busQuiet && mark === last) return;
    last = mark;
    if (opts.log && Date.now() - lastLog >= 30_000) {
      lastLog = Date.now();
      opts.log(
        `  … ${what}: pending ${pending}, deliveries ${opts.chaos.stats.deliveries}, processed ${mark.split('|').slice(3).join('/')} ${detail}`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(`not quiet within ${ms / 1000} s (${what}): pending ${pending}, ${detail} ${mark}`);
    await sleep(1000);
  }
}

/** Messages on every dead-letter topic of the suite. */
async function deadLetters(bus: EventBus, inspector?: KafkaInspector): Promise<number> {
  let n = 0;
  for (const topic of Object.values(TOPICS)) {
    if (bus instanceof InProcessEventBus) n += bus.messages(deadLetterTopic(topic)).length;
    else if (inspector) n += await inspector.endOffset(deadLetterTopic(topic));
    else throw new Error('cannot count dead letters without an inspector');
  }
  return n;
}

/**
 * One run of the scenario on a fresh suite: activities published through the check-in API, the
 * attendances written to member-checkin's outbox, the pipelines left to settle (points consume
 * the attendances and emit their own events, the assessment consumes both), then every check.
 */
export async function runScenario(o: RunOptions): Promise<RunOutcome> {
  const t0 = Date.now();
  const clock = new FixedClock(START);
  const plan = planAttendances(o.count, o.seed);
  const expected = expectedPoints(plan);
  let restarter: RelayRestarter | undefined;
  let chaos: ChaosBus | undefined;
  const config = SuiteConfigSchema.parse({
    PORT: '0',
    DATA_DIR: '',
    LOG_LEVEL: 'silent',
    // The proof calls the API a few hundred times a minute as one user.
    RATE_LIMIT_MAX: '1000000',
    // No timers acting on the clock in the middle of a run: both runs must see the same world.
    CHECKIN_SCAN_INTERVAL_SECONDS: '0',
    POINTS_JOB_INTERVAL_SECONDS: '0',
  });
  const suite = await startSuite(config, createLogger({ name: 'delivery-proof', level: 'silent' }), {
    clock,
    busEnv: o.busEnv,
    wrapBus: (bus) =>
      (chaos = new ChaosBus(bus, {
        seed: o.seed,
        copies: o.chaos ? 3 : 1,
        crashRate: o.chaos ? o.crashRate : 0,
        // Attempts stay the policy's (5): only the wait between them is shortened.
        retryBackoffMs: 20,
        afterPublish: (topic, event) => restarter?.afterPublish(topic, event),
      })),
  });
  try {
    const bus = chaos!;
    const checkin = handleOf(suite, 'member-checkin');
    const points = handleOf(suite, 'volunteer-points');
    const assessment = handleOf(suite, 'assessment');
    const relays = suite.services
      .map((s) => (s.handle as unknown as ModuleHandle).relay)
      .filter((r): r is OutboxRelay => !!r);
    const checkinConn = connOf(checkin);
    const pointsConn = connOf(points);
    const assessmentConn = connOf(assessment);
    const processed = async () =>
      `${await pointsConn.collection(COLLECTIONS.processed).estimatedDocumentCount()}|${await assessmentConn
        .collection(COLLECTIONS.processed)
        .estimatedDocumentCount()}`;
    const quiet = (what: string) =>
      untilQuiet(
        {
          chaos: bus,
          relays,
          ...(restarter ? { restarter } : {}),
          ...(o.inspector ? { inspector: o.inspector } : {}),
          progress: processed,
          log: o.log,
        },
        what,
        o.waitMs,
      );

    const { call, login } = client(suite.gateway.http.url);
    for (const u of ['city-admin', 'county-admin-331003', 'county-admin-331002']) await login(u);

    // The weekly activities, through the check-in API (once its registry read model has the communities).
    const activities = new Map<string, string>();
    for (const a of plannedActivities(serviceWeeks(o.count))) {
      const body = {
        communityId: a.communityId,
        title: `志愿服务周 ${a.week + 1}`,
        startsAt: a.startsAt.toISOString(),
        endsAt: a.endsAt.toISOString(),
        skills: [],
      };
      let created: { status: number; body: { id: string } } | undefined;
      await until(`activity at ${a.communityId} (registry read model)`, o.waitMs, async () => {
        created = await call(`county-admin-${a.county}`, 'POST', '/api/v1/checkin/activities', body);
        hopeless(`POST /activities at ${a.communityId}`, created);
        return created.status === 201;
      });
      activities.set(`${a.communityId}|${a.week}`, created!.body.id);
    }
    // The points service knows every member (its registry read model) before any attendance.
    for (const m of MEMBERS)
      await until(`${m.memberId} at volunteer-points`, o.waitMs, async () => {
        const r = await call('city-admin', 'GET', `/api/v1/points/members/${m.memberId}/balance`);
        hopeless(`GET /members/${m.memberId}/balance`, r);
        return r.status === 200;
      });
    await quiet('before the check-ins');
    const start = (Date.now() - t0) / 1000;

    const before = { ...bus.stats };
    const attendanceBefore = bus.publishedByType.get(AttendanceRecorded.type) ?? 0;
    if (o.chaos) {
      restarter = new RelayRestarter(
        checkin.relay!,
        checkinConn,
        TOPICS.memberCheckin,
        AttendanceRecorded.type,
        o.restartAt,
      );
    }
    const t1 = Date.now();
    await writeAttendances(
      checkinConn,
      plan,
      (a) => activities.get(`${a.communityId}|${a.week}`)!,
      () => clock.now(),
    );
    const write = (Date.now() - t1) / 1000;
    o.log(`${o.label}: ${plan.length} check-ins written to member-checkin's outbox in ${write.toFixed(1)} s`);
    await quiet('after the check-ins');
    const settle = (Date.now() - t1) / 1000 - write;
    const stats = diff(bus.stats, before);
    const attendancePublishes = (bus.publishedByType.get(AttendanceRecorded.type) ?? 0) - attendanceBefore;

    const mismatches: string[] = [];
    const check = (what: string, actual: unknown, wanted: unknown) => {
      if (JSON.stringify(actual) !== JSON.stringify(wanted))
        mismatches.push(`${what}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(wanted)}`);
    };
    const planned = new Map(plan.map((a) => [a.attendanceId, a]));

    // member-checkin: every attendance event went out of its outbox exactly once as a record.
    // (Only the scenario's attendances, `att-proof-…`: the demo seeds a few real check-ins too.)
    const outboxRecords = await checkinConn
      .collection(COLLECTIONS.outbox)
      .aggregate<{ _id: string; n: number }>([
        { $match: { 'event.type': AttendanceRecorded.type, 'event.subject': PROOF_ID } },
        { $group: { _id: '$status', n: { $sum: 1 } } },
      ])
      .toArray();
    check(
      'member-checkin outbox: attendance records by status',
      Object.fromEntries(outboxRecords.map((r) => [r._id, r.n])),
      {
        sent: plan.length,
      },
    );

    // volunteer-points: one award entry per attendance, with its hours, on its day.
    interface EntryDoc {
      _id: string;
      memberId: string;
      kind: string;
      points: number;
      hours: number;
      day?: string;
      cause: { type: string; id: string };
    }
    const entries = pointsConn.collection<EntryDoc>('entries');
    const all = await entries
      .find({}, { projection: { memberId: 1, kind: 1, points: 1, hours: 1, day: 1, cause: 1 } })
      .toArray();
    const awards = all.filter((e) => e.cause?.type === 'attendance' && PROOF_ID.test(e.cause.id));
    // The rule below counts the scenario's awards alone: no other award may share their days.
    const days = new Set(plan.map((a) => `${a.memberId}|${a.day}`));
    for (const e of all)
      if (e.kind === 'award' && !PROOF_ID.test(e.cause?.id ?? '') && days.has(`${e.memberId}|${e.day}`))
        mismatches.push(`${e._id}: an award outside the scenario on one of its days (${e.day})`);
    check('award entries of attendances', awards.length, plan.length);
    const byAttendance = new Map<string, EntryDoc[]>();
    for (const e of awards) byAttendance.set(e.cause.id, [...(byAttendance.get(e.cause.id) ?? []), e]);
    for (const a of plan) {
      const got = byAttendance.get(a.attendanceId) ?? [];
      if (got.length !== 1) {
        mismatches.push(`${a.attendanceId}: ${got.length} award entries (lost or counted twice)`);
        continue;
      }
      const e = got[0]!;
      if (e.memberId !== a.memberId || e.hours !== a.hours || e.day !== a.day || e.kind !== 'award')
        mismatches.push(`${a.attendanceId}: entry ${JSON.stringify(e)} does not match ${JSON.stringify(a)}`);
    }
    for (const id of byAttendance.keys())
      if (!planned.has(id)) mismatches.push(`an award for an unknown attendance ${id}`);
    // The day cap: per member and day, min(cap, Σ per-activity points), whatever the order.
    const dayPoints = new Map<string, number>();
    const dayRaw = new Map<string, number>();
    for (const e of awards) {
      const a = planned.get(e.cause.id);
      if (!a) continue;
      const key = `${a.memberId}|${a.day}`;
      dayPoints.set(key, (dayPoints.get(key) ?? 0) + e.points);
      dayRaw.set(key, (dayRaw.get(key) ?? 0) + Math.min(a.hours, 8));
    }
    for (const [key, raw] of dayRaw)
      check(`points of ${key} (day cap 12)`, dayPoints.get(key), Math.min(raw, 12));
    const awardsByMember: RunOutcome['awards'] = {};
    for (const e of awards) {
      const m = (awardsByMember[e.memberId] ??= { points: 0, hours: 0, entries: 0 });
      m.points += e.points;
      m.hours += e.hours;
      m.entries += 1;
    }
    for (const { memberId } of MEMBERS) {
      check(`award points of ${memberId}`, awardsByMember[memberId]?.points, expected.points.get(memberId));
      check(`award hours of ${memberId}`, awardsByMember[memberId]?.hours, expected.hours.get(memberId));
      check(
        `award entries of ${memberId}`,
        awardsByMember[memberId]?.entries,
        expected.entries.get(memberId),
      );
    }
    const records = await pointsConn
      .collection('records')
      .countDocuments({ source: 'attendance', sourceId: PROOF_ID });
    check('service records from attendances', records, plan.length);
    const pointsProcessed = await pointsConn.collection(COLLECTIONS.processed).countDocuments({
      groupId: 'volunteer-points.checkin',
      type: AttendanceRecorded.type,
      subject: PROOF_ID,
    });
    check('attendance events processed by volunteer-points.checkin', pointsProcessed, plan.length);

    // The read API: every balance is the sum of its entries; the balances for the comparison.
    const reconcile = await call('city-admin', 'GET', '/api/v1/points/reconcile');
    check(
      'GET /reconcile',
      { status: reconcile.status, mismatches: reconcile.body.mismatches },
      { status: 200, mismatches: [] },
    );
    const balances: Record<string, Balance> = {};
    for (const { memberId } of MEMBERS) {
      const r = await call('city-admin', 'GET', `/api/v1/points/members/${memberId}/balance`);
      check(`GET /members/${memberId}/balance`, r.status, 200);
      const { balance, hours, entries: n, stars } = r.body as Balance;
      balances[memberId] = { balance, hours, entries: n, stars };
      check(
        `entries of ${memberId} (account vs ledger)`,
        n,
        all.filter((e) => e.memberId === memberId).length,
      );
    }

    // assessment: one attendance fact per attendance, one points fact per credited entry.
    interface FactDoc {
      _id: string;
      kind: string;
      memberId: string | null;
      value: number;
    }
    const facts = assessmentConn.collection<FactDoc>('facts');
    const attendanceFacts = await facts
      .find({ kind: 'attendance', _id: { $regex: '^attendance:att-proof-' } })
      .toArray();
    check('attendance facts', attendanceFacts.length, plan.length);
    const factOf = new Map(attendanceFacts.map((f) => [f._id.slice('attendance:'.length), f]));
    for (const a of plan) {
      const f = factOf.get(a.attendanceId);
      if (!f) mismatches.push(`${a.attendanceId}: no attendance fact (lost)`);
      else if (f.value !== a.hours || f.memberId !== a.memberId)
        mismatches.push(`${a.attendanceId}: fact ${JSON.stringify(f)} does not match`);
    }
    const pointsFacts = await facts.find({ kind: 'points' }).toArray();
    const credited = all.filter((e) => ['award', 'bonus', 'reversal'].includes(e.kind));
    check('points facts', pointsFacts.length, credited.length);
    const pointsFact = new Map(pointsFacts.map((f) => [f._id, f]));
    for (const e of credited) {
      const f = pointsFact.get(`points:${e._id}`);
      if (!f) mismatches.push(`${e._id}: no points fact (lost)`);
      else if (f.value !== e.points) mismatches.push(`${e._id}: points fact ${f.value} ≠ entry ${e.points}`);
    }
    const logged = await assessmentConn
      .collection('log')
      .countDocuments({ type: AttendanceRecorded.type, subject: PROOF_ID });
    check('attendance events in the assessment log', logged, plan.length);

    // Ratings of the year, computed once the year has ended (same clock in every run). As a job:
    // on tens of thousands of facts the computation outlasts the gateway's proxy timeout.
    clock.set(RATED_AT);
    const job = await call(
      'city-admin',
      'POST',
      `/api/v1/assessment/periods/${PERIOD}/compute`,
      {},
      {
        prefer: 'respond-async',
      },
    );
    check(`POST /periods/${PERIOD}/compute (respond-async)`, job.status, 202);
    let finished: { status: string; problem: unknown } | undefined;
    await until(`the ratings of ${PERIOD}`, o.waitMs, async () => {
      const r = await call('city-admin', 'GET', `/api/v1/assessment/jobs/${job.body.id}`);
      hopeless(`GET /jobs/${job.body.id}`, r);
      finished = r.status === 200 && r.body.status !== 'running' ? r.body : undefined;
      return !!finished;
    });
    check(
      `the compute job of ${PERIOD}`,
      { status: finished?.status, problem: finished?.problem },
      {
        status: 'done',
        problem: null,
      },
    );
    const ratings: RunOutcome['ratings'] = {};
    for (let cursor: string | null = null; ;) {
      const page = await call(
        'city-admin',
        'GET',
        `/api/v1/assessment/ratings?period=${PERIOD}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      check('GET /ratings', page.status, 200);
      if (page.status !== 200) break;
      for (const r of page.body.items as {
        subjectId: string;
        level: string;
        score: number;
        colour: string;
      }[])
        ratings[r.subjectId] = { level: r.level, score: r.score, colour: r.colour };
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }

    const dead = await deadLetters(bus.inner, o.inspector);
    check('dead letters', dead, 0);
    if (o.chaos) {
      check(
        'relay restarts',
        restarter!.restarts.length,
        o.restartAt.filter((n) => n <= attendancePublishes).length,
      );
      if (bus.stats.maxCrashesOfOneMessage >= 5)
        mismatches.push('a message crashed as often as the retry policy allows');
    }
    return {
      label: o.label,
      plan,
      stats,
      attendancePublishes,
      restarts: restarter?.restarts ?? [],
      balances,
      awards: awardsByMember,
      ledgerEntries: { attendance: awards.length, total: all.length },
      facts: { attendance: attendanceFacts.length, points: pointsFacts.length },
      ratings,
      deadLetters: dead,
      mismatches,
      seconds: { start, write, settle, total: (Date.now() - t0) / 1000 },
      cappedDays: expected.cappedDays,
    };
  } finally {
    await suite.close();
  }
}

const n = (x: number) => x.toLocaleString('en-US');

/** The acceptance line: counts of one run. */
export function summary(r: RunOutcome, mismatches: number): string {
  const s = r.stats;
  const restarts = r.restarts.length
    ? `${r.restarts.length} (${r.restarts.filter((x) => x.kind === 'crash').length} as crashes, ${n(
        r.restarts.reduce((k, x) => k + x.unmarked, 0),
      )} records unmarked)`
    : '0';
  return (
    `[delivery proof] ${r.label}: events ${n(s.events)} (${n(r.plan.length)} check-ins), published ${n(
      s.published,
    )}× (attendance ${n(r.attendancePublishes)}×) · messages ${n(s.messages)} · deliveries ${n(s.deliveries)} · ` +
    `crashes ${n(s.crashesBefore + s.crashesAfter)} (before ${n(s.crashesBefore)}, after ${n(s.crashesAfter)}, ` +
    `max ${s.maxCrashesOfOneMessage}/message) · duplicates absorbed ${n(s.duplicates)} · ` +
    `relay restarts ${restarts} · acks lost ${n(s.acksLost)} · ` +
    `ledger entries ${n(r.ledgerEntries.attendance)} from attendances (${n(r.ledgerEntries.total)} in all; ` +
    `day cap bit on ${n(r.cappedDays)} member-days) · facts: attendance ${n(r.facts.attendance)}, points ${n(
      r.facts.points,
    )} · ratings ${n(Object.keys(r.ratings).length)} · dead letters ${r.deadLetters} · mismatches ${mismatches} · ` +
    `${r.seconds.total.toFixed(0)} s (start ${r.seconds.start.toFixed(0)} s, write ${r.seconds.write.toFixed(
      0,
    )} s, settle ${r.seconds.settle.toFixed(0)} s)`
  );
}
