// Rebuild benchmark: generates attendance / points / no-show events for MEMBERS members
// (default 10,000; the target is MEMBERS=100000 EVENTS=5000000) into an event log file
// (one JSON event per line, in the temp folder; generation is not timed), then prints the time
// of one plain scan of the log (each event read and decoded) beside a rebuild of every member
// rating from it (each event read and decoded, its facts kept once per natural key, folded per
// member, scored with the default rules). Each is run twice and the faster run counts (the first
// warms the JIT); wall and CPU time are printed.
// Needs `npm run build`.
// Usage: MEMBERS=100000 EVENTS=5000000 node --max-old-space-size=8192 bench/rebuild.mjs
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { join } from 'node:path';
import { factsOf } from '../dist/domain/facts.js';
import { MemberFold } from '../dist/domain/measures.js';
import { DEFAULT_RULES } from '../dist/domain/rules.js';
import { scoreIndex } from '../dist/domain/scoring.js';

const MEMBERS = Number(process.env.MEMBERS ?? 10_000);
const EVENTS = Number(process.env.EVENTS ?? MEMBERS * 50);
const T0 = Date.parse('2026-01-01T00:00:00Z');

function* events() {
  // mulberry32: a small seeded generator whose draws spread over every member.
  let seed = 42;
  const rnd = () => {
    let x = (seed = (seed + 0x6d2b79f5) | 0);
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
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

const dir = mkdtempSync(join(tmpdir(), 'honglian-rebuild-'));
const LOG = join(dir, 'events.ndjson');
{
  const fd = openSync(LOG, 'w');
  let chunk = '';
  for (const e of events()) {
    chunk += JSON.stringify(e) + '\n';
    if (chunk.length > 1 << 20) [chunk] = [(writeSync(fd, chunk), '')];
  }
  writeSync(fd, chunk);
  closeSync(fd);
}
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The log's lines, read in 8 MB chunks (as a rebuild streams the log, never all of it at once). */
function* log() {
  const fd = openSync(LOG, 'r');
  const buf = Buffer.alloc(8 << 20);
  const utf8 = new StringDecoder('utf8');
  let rest = '';
  for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) {
    const lines = (rest + utf8.write(buf.subarray(0, n))).split('\n');
    rest = lines.pop();
    yield* lines;
  }
  closeSync(fd);
  if (rest) yield rest;
}

function scanOnce() {
  let hours = 0;
  for (const line of log()) hours += JSON.parse(line).data.hours ?? 0;
  return hours;
}

function rebuildOnce() {
  // Facts by natural key (a duplicate lands on itself), folded per member as they stream by.
  const seen = new Set();
  const members = new Map();
  for (const line of log())
    for (const f of factsOf(JSON.parse(line))) {
      const before = seen.size;
      seen.add(f._id);
      if (seen.size === before) continue;
      let fold = members.get(f.memberId);
      if (!fold) members.set(f.memberId, (fold = new MemberFold(DEFAULT_RULES)));
      fold.add(f);
    }
  const counts = { red: 0, yellow: 0, grey: 0 };
  for (const fold of members.values())
    counts[scoreIndex(DEFAULT_RULES.indices.member, DEFAULT_RULES.thresholds, fold.measures(true)).colour]++;
  return counts;
}

/**
 * The faster of two runs (the first warms the JIT): wall time and the process's CPU time (which
 * moves far less than wall time when other work shares the machine), and what the run returned.
 */
function best(run) {
  let ms = Infinity;
  let cpu = Infinity;
  let out;
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    out = run();
    const used = process.cpuUsage(c);
    ms = Math.min(ms, performance.now() - t);
    cpu = Math.min(cpu, (used.user + used.system) / 1000);
  }
  return { ms, cpu, out };
}

const scan = best(scanOnce);
const rebuild = best(rebuildOnce);

const hours = scan.out;
console.log(`members ${MEMBERS}, events ${EVENTS} (hours ${hours})`);
console.log(`plain scan: ${scan.ms.toFixed(0)} ms (CPU ${scan.cpu.toFixed(0)} ms)`);
console.log(
  `rebuild:    ${rebuild.ms.toFixed(0)} ms (CPU ${rebuild.cpu.toFixed(0)} ms): ` +
    `${(rebuild.ms / scan.ms).toFixed(2)}× the scan (CPU ${(rebuild.cpu / scan.cpu).toFixed(2)}×; goal ≤ 2×) → ` +
    JSON.stringify(rebuild.out),
);
