#!/usr/bin/env node
// Volunteer points ledger: entries written per second from `attendance.recorded` events, and the
// latency of a balance read (GET /members/:id/balance, through HTTP with a real token) once the
// ledger holds many entries.
//
//   npm run build -w @honglian/volunteer-points && node services/volunteer-points/bench/ledger.mjs
//   ENTRIES=1000000 node services/volunteer-points/bench/ledger.mjs      # the 1M
//
// Phase 1 publishes EVENTS attendance events for MEMBERS members on the in-process bus, as
// member-checkin would, and waits until the consumer has written every entry (each event: the
// idempotency record, the service record, the entry, the account, the outbox, in one transaction).
// Phase 2 bulk-loads ENTRIES further entries spread over MEMBERS members straight into the store
// (with their accounts), then times READS balance reads of random members, one at a time.
// The database is the embedded server (or MONGO_URL).
//
// Variables: EVENTS (2000), MEMBERS (1000), ENTRIES (200000), READS (2000), BATCH (5000).
import { performance } from 'node:perf_hooks';
import { AttendanceRecorded, TOPICS, createEvent } from '@honglian/contracts';
import { startModule } from '@honglian/testkit';
import { volunteerPointsModule } from '../dist/index.js';

const EVENTS = Number(process.env.EVENTS ?? 2000);
const MEMBERS = Number(process.env.MEMBERS ?? 1000);
const ENTRIES = Number(process.env.ENTRIES ?? 200_000);
const READS = Number(process.env.READS ?? 2000);
const BATCH = Number(process.env.BATCH ?? 5000);
const COUNTY = '331003';
const PATH = '/331000/331003/st-1/cm-1';

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const memberId = (i) => `bench-m-${String(i).padStart(7, '0')}`;

function attendance(i) {
  const checkIn = new Date(Date.parse('2026-01-01T08:00:00+08:00') + i * 3_600_000);
  return createEvent({
    type: AttendanceRecorded.type,
    source: '/honglian/member-checkin',
    subject: `bench-att-${i}`,
    county: COUNTY,
    time: checkIn,
    data: {
      attendanceId: `bench-att-${i}`,
      county: COUNTY,
      memberId: memberId(i % MEMBERS),
      activityId: 'bench-act',
      activityKind: 'activity',
      communityId: 'cm-1',
      reportIds: [],
      checkInAt: checkIn.toISOString(),
      checkOutAt: new Date(checkIn.getTime() + 3_600_000).toISOString(),
      hours: 1,
      creditedMinutes: 60,
      method: 'qr',
      witness: null,
      flags: [],
    },
  });
}

const h = await startModule(volunteerPointsModule, {
  now: '2026-06-30T08:00:00+08:00',
  settings: (s) => ({ ...s, jobIntervalMs: 0 }),
});
try {
  // Phase 1: attendance events → entries.
  const events = Array.from({ length: EVENTS }, (_, i) => attendance(i));
  const t0 = performance.now();
  for (const e of events) await h.bus.publish(TOPICS.memberCheckin, e);
  await h.bus.whenIdle();
  const seconds = (performance.now() - t0) / 1000;
  const written = await h.conn.collection('entries').countDocuments({ kind: 'award' });
  if (written !== EVENTS) throw new Error(`expected ${EVENTS} entries, found ${written}`);

  // Phase 2: a large ledger, then balance reads.
  const entries = h.conn.collection('entries');
  const accounts = h.conn.collection('accounts');
  const perMember = new Map();
  const tl = performance.now();
  for (let start = 0; start < ENTRIES; start += BATCH) {
    const docs = [];
    for (let i = start; i < Math.min(ENTRIES, start + BATCH); i++) {
      const m = memberId(i % MEMBERS);
      perMember.set(m, (perMember.get(m) ?? 0) + 1);
      docs.push({
        _id: `award:record:bench-rec-${i}`,
        county: COUNTY,
        memberId: m,
        communityId: 'cm-1',
        communityPath: PATH,
        kind: 'award',
        points: 1,
        hours: 1,
        cause: { type: 'record', id: `bench-rec-${i}` },
        ruleVersion: 'city-0',
        reason: null,
        reverses: null,
        teamId: null,
        at: new Date(Date.parse('2025-01-01T00:00:00Z') + i * 1000),
        by: 'bench',
      });
    }
    await entries.insertMany(docs, { ordered: false });
  }
  for (const [m, n] of perMember)
    await accounts.updateOne(
      { _id: m },
      {
        $inc: { balanceCents: n * 100, hoursCents: n * 100, entries: n },
        $set: { county: COUNTY, communityId: 'cm-1', communityPath: PATH, updatedAt: new Date() },
      },
      { upsert: true },
    );
  const loadSeconds = (performance.now() - tl) / 1000;
  const total = await entries.estimatedDocumentCount();

  const admin = { username: 'bench-admin', roles: ['city-admin'] };
  await h.http.get(`/members/${memberId(0)}/balance`, admin); // token minted, route warm
  const latencies = [];
  for (let i = 0; i < READS; i++) {
    const m = memberId(Math.floor(Math.random() * MEMBERS));
    const t = performance.now();
    const res = await h.http.get(`/members/${m}/balance`, admin);
    latencies.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`balance of ${m}: ${res.status}`);
  }
  latencies.sort((a, b) => a - b);
  const check = await h.http.get('/reconcile', admin);
  console.log(
    JSON.stringify(
      {
        attendanceEvents: EVENTS,
        ledgerEntriesPerSecondFromAttendance: Math.round(EVENTS / seconds),
        ledgerEntries: total,
        members: MEMBERS,
        bulkLoadSeconds: Math.round(loadSeconds),
        balanceReads: READS,
        balanceReadP50ms: Number(pct(latencies, 50).toFixed(2)),
        balanceReadP99ms: Number(pct(latencies, 99).toFixed(2)),
        reconcileMismatches: check.body.mismatches.length,
        node: process.version,
        cpus: (await import('node:os')).cpus().length,
      },
      null,
      2,
    ),
  );
} finally {
  await h.close();
}
