// Rebuild benchmark: generates attendance / points / no-show events for MEMBERS members
// (default 10,000; the target is MEMBERS=100000 EVENTS=5000000), then prints the time of
// one plain scan of the events beside a rebuild of every member rating from them (facts by
// natural key, grouped per member, scored with the default rules). Needs `npm run build`.
// Usage: MEMBERS=100000 EVENTS=5000000 node --max-old-space-size=8192 bench/rebuild.mjs
import { factsOf } from '../dist/domain/facts.js';
import { memberMeasures } from '../dist/domain/measures.js';
import { DEFAULT_RULES } from '../dist/domain/rules.js';
import { scoreIndex } from '../dist/domain/scoring.js';

const MEMBERS = Number(process.env.MEMBERS ?? 10_000);
const EVENTS = Number(process.env.EVENTS ?? MEMBERS * 50);
const T0 = Date.parse('2026-01-01T00:00:00Z');

function* events() {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < EVENTS; i++) {
    const memberId = `m-${Math.floor(rnd() * MEMBERS)}`;
    const at = new Date(T0 + Math.floor(rnd() * 300) * 86_400_000).toISOString();
    const r = rnd();
    const id = `ev-${i}`;
    if (r < 0.7)
      yield {
        id,
        type: 'honglian.member-checkin.attendance.recorded.v1',
        data: {
          attendanceId: `a${i}`,
          county: '331003',
          memberId,
          activityId: 'x',
          communityId: 'cm-1',
          checkInAt: at,
          hours: 2,
        },
      };
    else if (r < 0.95)
      yield {
        id,
        type: 'honglian.volunteer-points.points.awarded.v1',
        data: { entryId: `p${i}`, county: '331003', memberId, communityId: 'cm-1', points: 2, at },
      };
    else
      yield {
        id,
        type: 'honglian.member-checkin.noshow.flagged.v1',
        data: {
          reportId: `r-${memberId}`,
          county: '331003',
          memberId,
          communityId: 'cm-1',
          flaggedAt: at,
          windowDays: 180,
        },
      };
  }
}

let t = performance.now();
let hours = 0;
for (const e of events()) hours += e.data.hours ?? 0;
const scan = performance.now() - t;

t = performance.now();
const byKey = new Map();
const perMember = new Map();
for (const e of events())
  for (const f of factsOf(e)) {
    if (byKey.has(f._id)) continue;
    byKey.set(f._id, true);
    const list = perMember.get(f.memberId);
    if (list) list.push(f);
    else perMember.set(f.memberId, [f]);
  }
const counts = { red: 0, yellow: 0, grey: 0 };
for (const facts of perMember.values())
  counts[
    scoreIndex(
      DEFAULT_RULES.indices.member,
      DEFAULT_RULES.thresholds,
      memberMeasures(facts, true, DEFAULT_RULES),
    ).colour
  ]++;
const rebuild = performance.now() - t;

console.log(`members ${MEMBERS}, events ${EVENTS} (hours ${hours})`);
console.log(`plain scan: ${scan.toFixed(0)} ms`);
console.log(
  `rebuild:    ${rebuild.toFixed(0)} ms (${(rebuild / scan).toFixed(2)}× the scan; goal ≤ 2×) → ${JSON.stringify(counts)}`,
);
