// `npm run bench`: the fast-path benchmark of the all-in-one suite against a bare express app.
//
//   npm run bench                      full run (about 10 minutes on 2 cores)
//   npm run bench -- --quick           short run (about 3 minutes): shorter loads, smaller imports
//   npm run bench -- --only=read,checkin   some scenarios (read, list, checkin, pipeline, otel, import)
//   npm run bench -- --profile=DIR     also write a CPU profile of the suite per scenario into DIR
//   npm run bench -- --out=FILE        where the JSON result goes (default bench/results/<time>.json)
//   npm run bench -- --suite-root=DIR  run the suite of another built checkout (e.g. the last commit,
//                                      to compare with bench/compare.mjs; see BENCHMARKS.md)
//
// The suite runs as `honglian start` runs it (bench/suite-host.mjs: startSuite, embedded MongoDB,
// in-process bus, demo city), in its own process, with the rate limits raised; the bare express
// app (bench/bare.mjs) runs in another and answers the same JSON bodies. autocannon drives both
// from this process. Each load is measured on the bare app and on the suite back to back, and
// the table shows suite ÷ bare, so a busy machine slows both sides of a ratio alike; in a full
// run every pair is repeated and the median ratio is reported. CPU milliseconds per request (the
// server process's own CPU time) are printed too: they move far less with machine load than
// rates do. Nothing here asserts; `npm test` does not run it.
import { fork, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

// ---------------------------------------------------------------------------------------------
// options
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name, fallback) => {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
};
const QUICK = flag('quick');
const ALL = ['read', 'list', 'checkin', 'pipeline', 'otel', 'import'];
const ONLY = new Set(option('only', ALL.join(',')).split(','));
for (const s of ONLY)
  if (!ALL.includes(s)) throw new Error(`unknown scenario ${s} (known: ${ALL.join(', ')})`);
const CONNECTIONS = Number(option('connections', 20));
const DURATION = Number(option('duration', QUICK ? 5 : 10));
const WARMUP = QUICK ? 2 : 3;
const ROUNDS = Number(option('rounds', QUICK ? 1 : 2));
const IMPORT_SIZES = QUICK ? [2_000, 10_000] : [10_000, 50_000];
const PIPELINE_EVENTS = QUICK ? 300 : 1_000;
const CHECKIN_POOL = 200;
const PROFILE_DIR = option('profile', '');
// the checkout whose suite is measured (built); the bench itself always runs from here
const SUITE_ROOT = option('suite-root', root);
const startedAt = new Date();
const OUT = option(
  'out',
  join(here, 'results', `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`),
);
mkdirSync(dirname(OUT), { recursive: true });
if (SUITE_ROOT !== root) {
  // the host and the parser must resolve the other checkout's packages: copies live there
  mkdirSync(join(SUITE_ROOT, 'bench'), { recursive: true });
  for (const f of ['suite-host.mjs', 'parse-only.mjs'])
    writeFileSync(join(SUITE_ROOT, 'bench', `.${f}`), readFileSync(join(here, f)));
}
if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
const LOG = OUT.replace(/\.json$/, '.log');
const logStream = createWriteStream(LOG);

const say = (line = '') => process.stdout.write(line + '\n');
const note = (line) => {
  logStream.write(`[${new Date().toISOString()}] ${line}\n`);
  process.stderr.write(`  · ${line}\n`);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// child processes
function child(script, env = {}, dir = here) {
  const proc = fork(join(dir, script), [], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  proc.stdout.pipe(logStream, { end: false });
  proc.stderr.pipe(logStream, { end: false });
  let seq = 0;
  const waiting = new Map();
  const ready = new Promise((resolve, reject) => {
    proc.on('message', (m) => {
      if (m.type === 'ready') return resolve(m);
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.error) w.reject(new Error(m.error));
      else w.resolve(m);
    });
    proc.on('exit', (code) => {
      const err = new Error(`${script} exited with ${code}; see ${LOG}`);
      reject(err);
      for (const w of waiting.values()) w.reject(err);
    });
  });
  return {
    proc,
    ready,
    call: (type, body = {}) =>
      new Promise((resolve, reject) => {
        const id = ++seq;
        waiting.set(id, { resolve, reject });
        proc.send({ type, id, ...body });
      }),
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.send({ type: 'stop', id: 0 });
      await Promise.race([exited, sleep(15_000)]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}

const RAISED = '1000000000';
async function startSuite(label, env = {}) {
  note(`starting the suite (${label})`);
  const host = child(
    SUITE_ROOT === root ? 'suite-host.mjs' : '.suite-host.mjs',
    {
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: RAISED,
      RATE_LIMIT_ANON_MAX: RAISED,
      RATE_LIMIT_TOKEN_MAX: RAISED,
      SERVICE_RATE_LIMIT_MAX: RAISED,
      SERVICE_RATE_LIMIT_ANON_MAX: RAISED,
      OTEL_ENABLED: 'false',
      // The load checks out a few milliseconds after checking in: with the city's minimum
      // credited duration (30 min) nothing would be credited and no attendance.recorded emitted.
      CHECKIN_MIN_ACTIVITY_MINUTES: '0',
      ...env,
    },
    join(SUITE_ROOT, 'bench'),
  );
  const ready = await host.ready;
  note(`suite ${label} ready in ${ready.startupMs.toFixed(0)} ms at ${ready.gateway}`);
  return { ...host, ...ready, label };
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers
async function tokenFor(gateway, username) {
  const res = await fetch(`${gateway}/realms/honglian/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'honglian-web',
      username,
      password: 'honglian-demo',
    }),
  });
  if (!res.ok) throw new Error(`token for ${username}: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

async function call(base, method, path, { token, body, headers = {}, expect = [200, 201, 202] } = {}) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(600_000),
  });
  const text = await res.text();
  if (!expect.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

// ---------------------------------------------------------------------------------------------
// fixtures: an org subtree under the demo county 331003, members to import
const COMMUNITY = '331003-community-01';
const COMPOUNDS = 30;
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idNumber = (n) => {
  // unique per n: birth date from n / 1000, sequence n % 1000
  const day = Math.floor(n / 1000);
  const first17 = `331003${1960 + Math.floor(day / 336)}${String(1 + (Math.floor(day / 28) % 12)).padStart(2, '0')}${String(1 + (day % 28)).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return first17 + '10X98765432'[sum % 11];
};

function orgsCsv() {
  const rows = ['编码,名称,类型,上级编码,所属区县,生效日期'];
  for (let i = 1; i <= COMPOUNDS; i++) {
    const x = `BX-x${i}`;
    rows.push(`${x},基准小区${i},小区,${COMMUNITY},,2024-01-01`);
    rows.push(`${x}-branch,基准小区${i}党支部,小区党支部,${x},,2024-01-01`);
    for (const b of [1, 2]) rows.push(`${x}-b${b},${b}幢,楼栋,${x},,2024-01-01`);
  }
  return rows.join('\r\n') + '\r\n';
}

/** `count` member rows with ids `<prefix>000001…`, ID numbers and phones from `offset` (unique across files). */
function membersCsv(prefix, count, offset) {
  const rows = [
    '党员编号,姓名,身份证号,手机号,党员类别,所属党组织编码,工作单位编码,居住小区编码,居住楼栋编码,生效日期',
  ];
  for (let i = 0; i < count; i++) {
    const n = offset + i;
    const x = `BX-x${1 + (i % COMPOUNDS)}`;
    rows.push(
      [
        `${prefix}${String(i + 1).padStart(6, '0')}`,
        `基准党员${n}`,
        idNumber(n),
        `139${String(n).padStart(8, '0')}`,
        i % 2 ? '退休党员' : '流动党员',
        `${x}-branch`,
        '',
        x,
        `${x}-b${1 + (i % 2)}`,
        '2024-01-01',
      ].join(','),
    );
  }
  return rows.join('\r\n') + '\r\n';
}

async function importCsv(suite, token, kind, csv, { async = false } = {}) {
  const t0 = performance.now();
  const res = await call(suite.gateway, 'POST', `/api/v1/registry/imports?kind=${kind}&dryRun=false`, {
    token,
    body: Buffer.from(csv),
    headers: { 'content-type': 'text/csv', ...(async ? { prefer: 'respond-async' } : {}) },
    expect: [200, 202, 504],
  });
  if (res.status === 504) return { status: 504, ms: performance.now() - t0 };
  let report = res.body;
  if (res.status === 202) {
    const location = res.headers.get('location');
    for (;;) {
      await sleep(250);
      const job = (await call(suite.gateway, 'GET', location, { token })).body;
      if (job.status === 'running') continue;
      if (job.status !== 'done') throw new Error(`import job ${job.status}: ${JSON.stringify(job.problem)}`);
      report = job.report;
      break;
    }
  }
  if (report.errorCount) throw new Error(`import ${kind}: ${JSON.stringify(report.errors.slice(0, 3))}`);
  return { status: res.status, ms: performance.now() - t0, report };
}

async function waitForCount(suite, db, collection, filter, n, timeoutMs) {
  const t0 = performance.now();
  for (;;) {
    const { n: have } = await suite.call('count', { db, collection, filter });
    if (have >= n) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${db}.${collection}: ${have} of ${n}`);
    await sleep(200);
  }
}

/** What every suite needs: tokens, the org subtree, a pool of members the check-in service knows, an activity. */
async function prepare(suite, { orgs = true, pool = true } = {}) {
  const admin = await tokenFor(suite.gateway, 'county-admin-331003');
  const fixture = { admin };
  if (orgs) await importCsv(suite, admin, 'orgs', orgsCsv());
  if (pool) {
    await importCsv(suite, admin, 'members', membersCsv('BX-p', CHECKIN_POOL, 900_000));
    await waitForCount(
      suite,
      'member-checkin',
      'rm_members',
      { _id: { $regex: '^BX-p' } },
      CHECKIN_POOL,
      60_000,
    );
    const now = Date.now();
    const activity = await call(suite.gateway, 'POST', '/api/v1/checkin/activities', {
      token: admin,
      body: {
        communityId: COMMUNITY,
        title: '基准活动',
        startsAt: new Date(now - 10 * 60_000).toISOString(),
        endsAt: new Date(now + 6 * 3600_000).toISOString(),
      },
    });
    fixture.activityId = activity.body.id;
    fixture.pool = Array.from({ length: CHECKIN_POOL }, (_, i) => `BX-p${String(i + 1).padStart(6, '0')}`);
    // a witness may only name members who reported to the activity's community
    const queue = [...fixture.pool];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let memberId = queue.shift(); memberId; memberId = queue.shift())
          await call(suite.gateway, 'POST', '/api/v1/checkin/reports', {
            token: admin,
            body: { memberId, kind: 'residence', communityId: COMMUNITY, specialties: [], preferences: [] },
          });
      }),
    );
  }
  return fixture;
}

// ---------------------------------------------------------------------------------------------
// load
function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, timeout: 30, ...opts }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

/** One measured load against `target` (a child with a `cpu` call), after a warm-up. */
async function measure(target, opts, profileName) {
  await cannon({ ...opts, duration: WARMUP });
  await opts.settle?.();
  if (PROFILE_DIR && profileName && target.call) await target.call('profile-start');
  const before = await target.call('cpu');
  // the suite's database round trips (the bare app has none); relay and consumers included
  const dbBefore = target.label ? await target.call('db-commands') : null;
  for (const k of Object.keys(opts.statuses ?? {})) delete opts.statuses[k];
  const r = await cannon({ ...opts, duration: DURATION });
  if (opts.statuses) note(`answers: ${JSON.stringify(opts.statuses)}`);
  const after = await target.call('cpu');
  const dbAfter = dbBefore ? await target.call('db-commands') : null;
  // after the figures: closing what the load left open is not part of it
  await opts.settle?.();
  if (PROFILE_DIR && profileName && target.call)
    await target.call('profile-stop', { file: join(PROFILE_DIR, `${profileName}.cpuprofile`) });
  const cpuMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
  const ok = r.requests.total - r.non2xx;
  return {
    // successful answers only: a refused write is not throughput
    rps: (r.requests.total - r.non2xx) / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    cpuMsPerRequest: ok > 0 ? cpuMs / r.requests.total : NaN,
    // minus the one db-commands call itself
    dbCommandsPerRequest:
      dbAfter && r.requests.total > 0 ? (dbAfter.total - dbBefore.total - 1) / r.requests.total : NaN,
    dbCommandsByName: dbAfter ? perRequestByName(dbBefore.byName, dbAfter.byName, r.requests.total) : {},
  };
}

function perRequestByName(before, after, requests) {
  return Object.fromEntries(
    Object.entries(after)
      .map(([name, n]) => [name, +((n - (before[name] ?? 0)) / requests).toFixed(2)])
      .filter(([, n]) => n > 0),
  );
}

/** Bare then suite, `ROUNDS` times; the median of each side and of the ratio. */
async function pair(name, bare, bareOpts, suite, suiteOpts) {
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    const b = await measure(bare, bareOpts);
    const s = await measure(suite, suiteOpts, i === ROUNDS - 1 ? name : undefined);
    rounds.push({ bare: b, suite: s, ratio: s.rps / b.rps });
    note(
      `${name} round ${i + 1}: suite ${s.rps.toFixed(0)} req/s (p99 ${s.p99} ms, ${s.non2xx} non-2xx), ` +
        `bare ${b.rps.toFixed(0)} req/s, ratio ${((100 * s.rps) / b.rps).toFixed(1)}%`,
    );
  }
  const pick = (side, key) => median(rounds.map((r) => r[side][key]));
  const summary = (side) =>
    Object.fromEntries(
      ['rps', 'p50', 'p99', 'cpuMsPerRequest', 'dbCommandsPerRequest', 'non2xx', 'errors'].map((k) => [
        k,
        pick(side, k),
      ]),
    );
  return {
    rounds,
    bare: summary('bare'),
    suite: summary('suite'),
    ratio: median(rounds.map((r) => r.ratio)),
  };
}

const getOpts = (base, path, token) => ({
  url: base + path,
  headers: token ? { authorization: `Bearer ${token}` } : {},
});

/** Check-in then check-out, witnessed by the county admin, each connection with a member of the pool at a time. */
function checkinOpts(base, prefix, fixture, token) {
  const free = [...fixture.pool];
  const body = (memberId) => JSON.stringify({ activityId: fixture.activityId, memberId });
  // answers by endpoint and status, for the log: a failing write must not pass for a fast one
  const statuses = {};
  const count = (what, status) => (statuses[`${what} ${status}`] = (statuses[`${what} ${status}`] ?? 0) + 1);
  return {
    statuses,
    // a load stops between a check-in and its check-out: close what it left open
    settle: async () => {
      const open = fixture.pool.filter((m) => !free.includes(m));
      await Promise.all(
        open.map((memberId) =>
          call(base, 'POST', `${prefix}/attendances/check-out`, {
            token,
            body: { activityId: fixture.activityId, memberId },
            expect: [200, 409],
          }),
        ),
      );
      free.splice(0, free.length, ...fixture.pool);
    },
    url: base,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    requests: [
      {
        method: 'POST',
        path: `${prefix}/attendances/check-in`,
        setupRequest: (req, context) => {
          // an empty pool means answers went missing (timeouts): reuse a member, the write will say 409
          context.member = free.shift() ?? fixture.pool[Math.floor(Math.random() * fixture.pool.length)];
          return { ...req, body: body(context.member) };
        },
        onResponse: (status) => count('check-in', status),
      },
      {
        method: 'POST',
        path: `${prefix}/attendances/check-out`,
        setupRequest: (req, context) => ({ ...req, body: body(context.member) }),
        onResponse: (status, _body, context) => {
          count('check-out', status);
          free.push(context.member);
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// scenarios
const results = { scenarios: {} };
const R = results.scenarios;

async function loadScenarios(suite, bare, fixture) {
  const { admin } = fixture;
  const readPath = `/orgs/${COMMUNITY}`;
  const readBody = (await call(suite.gateway, 'GET', `/api/v1/registry${readPath}`, { token: admin })).body;
  const listBody = (await call(suite.gateway, 'GET', '/api/v1/registry/orgs?limit=50', { token: admin }))
    .body;
  if (listBody.items.length !== 50) throw new Error(`the list has ${listBody.items.length} items, not 50`);
  const writeBody = (
    await call(suite.gateway, 'POST', '/api/v1/checkin/attendances/check-in', {
      token: admin,
      body: { activityId: fixture.activityId, memberId: fixture.pool.at(-1) },
    })
  ).body;
  await call(suite.gateway, 'POST', '/api/v1/checkin/attendances/check-out', {
    token: admin,
    body: { activityId: fixture.activityId, memberId: fixture.pool.at(-1) },
  });
  await bare.call('bodies', { bodies: { read: readBody, list: listBody, write: writeBody } });

  if (ONLY.has('read')) {
    R.read = await pair(
      'read',
      bare,
      getOpts(bare.url, readPath),
      suite,
      getOpts(suite.gateway, `/api/v1/registry${readPath}`, admin),
    );
    // attribution: the same read straight to the service (no gateway hop)
    R.readDirect = await measure(
      suite,
      getOpts(suite.services['org-registry'], `/api/v1/registry${readPath}`, admin),
    );
    note(`read straight to org-registry: ${R.readDirect.rps.toFixed(0)} req/s`);
    const rate = Math.max(1, Math.round(R.read.suite.rps / 2));
    R.readHalfRate = {
      rate,
      ...(await measure(suite, {
        ...getOpts(suite.gateway, `/api/v1/registry${readPath}`, admin),
        overallRate: rate,
      })),
    };
    note(`read at ${rate} req/s: p99 ${R.readHalfRate.p99} ms`);
  }
  if (ONLY.has('list')) {
    R.list = await pair(
      'list',
      bare,
      getOpts(bare.url, '/orgs?limit=50'),
      suite,
      getOpts(suite.gateway, '/api/v1/registry/orgs?limit=50', admin),
    );
  }
  if (ONLY.has('checkin')) {
    R.checkin = await pair(
      'checkin',
      bare,
      checkinOpts(bare.url, '', fixture),
      suite,
      checkinOpts(suite.gateway, '/api/v1/checkin', fixture, admin),
    );
  }
  if (ONLY.has('pipeline')) R.pipeline = await pipeline(suite, fixture);
}

/** Check-out → attendance.recorded → outbox → relay → bus → an idempotent consumer's committed effect. */
async function pipeline(suite, fixture) {
  await suite.call('probe-start', { topic: 'honglian.member-checkin.v1' });
  await sleep(1000);
  await suite.call('probe-take');
  const since = Date.now();
  const t0 = performance.now();
  const load = checkinOpts(suite.gateway, '/api/v1/checkin', fixture, fixture.admin);
  await cannon({ ...load, amount: 2 * PIPELINE_EVENTS });
  const writesMs = performance.now() - t0;
  // a load stopped between a check-in and its check-out leaves sessions open: close them
  await load.settle();
  const arrivals = [];
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const { arrivals: more } = await suite.call('probe-take');
    arrivals.push(
      ...more.filter((a) => a.type.includes('.attendance.recorded.') && Date.parse(a.time) >= since),
    );
    if (arrivals.length >= PIPELINE_EVENTS) break;
    await sleep(100);
  }
  if (arrivals.length === 0) {
    note('pipeline: no attendance.recorded event reached the probe consumer (did the check-outs fail?)');
    return { events: 0, expected: PIPELINE_EVENTS, eventsPerSecond: 0, latencyP50: NaN, latencyP99: NaN };
  }
  const latencies = arrivals.map((a) => a.at - Date.parse(a.time));
  const span = (Math.max(...arrivals.map((a) => a.at)) - since) / 1000;
  const out = {
    events: arrivals.length,
    expected: PIPELINE_EVENTS,
    eventsPerSecond: arrivals.length / span,
    writesPerSecond: (2 * PIPELINE_EVENTS) / (writesMs / 1000),
    latencyP50: pct(latencies, 50),
    latencyP99: pct(latencies, 99),
  };
  note(
    `pipeline: ${out.events} events in ${span.toFixed(1)} s, latency p50 ${out.latencyP50} ms p99 ${out.latencyP99} ms`,
  );
  return out;
}

async function otelScenario(bare, baseline, fixtureOf) {
  // an OTLP/HTTP collector that accepts and drops, so export costs what it costs with a real one
  let spansBytes = 0;
  const sink = createServer((req, res) => {
    req.on('data', (c) => (spansBytes += c.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const suite = await startSuite('OTEL_ENABLED=true', {
    OTEL_ENABLED: 'true',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.address().port}`,
  });
  try {
    const fixture = await fixtureOf(suite);
    const path = `/api/v1/registry/orgs/${COMMUNITY}`;
    const read = await pair(
      'otel-read',
      bare,
      getOpts(bare.url, `/orgs/${COMMUNITY}`),
      suite,
      getOpts(suite.gateway, path, fixture.admin),
    );
    const checkin = await pair(
      'otel-checkin',
      bare,
      checkinOpts(bare.url, '', fixture),
      suite,
      checkinOpts(suite.gateway, '/api/v1/checkin', fixture, fixture.admin),
    );
    return { read, checkin, exportedBytes: spansBytes, baseline };
  } finally {
    await suite.stop();
    sink.close();
  }
}

async function importScenario(suite, fixture) {
  const dir = mkdtempSync(join(tmpdir(), 'honglian-bench-'));
  const out = { sizes: {} };
  try {
    let offset = 0;
    for (const [i, size] of IMPORT_SIZES.entries()) {
      const prefix = `BX-${'mn'[i]}`;
      const csv = membersCsv(prefix, size, offset);
      offset += size;
      const file = join(dir, `members-${size}.csv`);
      writeFileSync(file, csv);
      const parse = spawnSync(
        process.execPath,
        [
          join(SUITE_ROOT, 'bench', SUITE_ROOT === root ? 'parse-only.mjs' : '.parse-only.mjs'),
          'members',
          file,
        ],
        { encoding: 'utf8' },
      );
      if (parse.status !== 0) throw new Error(`parse-only: ${parse.stderr}`);
      const parsed = JSON.parse(parse.stdout);
      // the larger file as a job (Prefer: respond-async), as a client must send what outlasts the proxy timeout
      const asJob = i === IMPORT_SIZES.length - 1;
      await suite.call('reset-peak');
      const rssBefore = (await suite.call('rss')).rss;
      if (PROFILE_DIR) await suite.call('profile-start');
      const ran = await importCsv(suite, fixture.admin, 'members', csv, { async: asJob });
      if (PROFILE_DIR)
        await suite.call('profile-stop', { file: join(PROFILE_DIR, `import-${size}.cpuprofile`) });
      if (ran.status === 504) {
        // the gateway gave up (PROXY_TIMEOUT_MS); the service goes on: time it by its members
        note(
          `import ${size}: 504 from the gateway after ${(ran.ms / 1000).toFixed(1)} s; waiting for the service`,
        );
        ran.ms += await waitForCount(
          suite,
          'org-registry',
          'members',
          { _id: { $regex: `^${prefix}` } },
          size,
          900_000,
        );
      }
      const { peak } = await suite.call('rss');
      const entry = {
        rows: size,
        bytes: csv.length,
        mode: asJob ? 'Prefer: respond-async (job)' : 'synchronous through the gateway',
        proxyTimedOut: ran.status === 504,
        status: ran.status,
        importMs: ran.ms,
        parseMs: parsed.ms,
        ratio: ran.ms / parsed.ms,
        parsePeakRssMb: (parsed.rssPeak - parsed.rssBefore) / MB,
        suitePeakRssDeltaMb: (peak - rssBefore) / MB,
      };
      note(
        `import ${size}: ${(ran.ms / 1000).toFixed(1)} s (${entry.mode}, ${ran.status}), parse-only ${(parsed.ms / 1000).toFixed(1)} s, ` +
          `peak +${entry.suitePeakRssDeltaMb.toFixed(0)} MB`,
      );
      // the members reach member-checkin's read model through the registry's events
      const drainMs = await waitForCount(
        suite,
        'member-checkin',
        'rm_members',
        { _id: { $regex: `^${prefix}` } },
        size,
        600_000,
      );
      entry.consumerDrainMsAfterImport = drainMs;
      entry.consumerEventsPerSecond = size / ((ran.ms + drainMs) / 1000);
      out.sizes[size] = entry;
    }
    const { rss } = await suite.call('rss');
    out.rssAfterMb = rss / MB;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// the run
function gitCommit() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' });
  return head.status === 0
    ? `${head.stdout.trim()}${dirty.stdout.trim() ? ' (uncommitted changes)' : ''}`
    : 'unknown';
}

results.meta = {
  startedAt: startedAt.toISOString(),
  command: `npm run bench${argv.length ? ' -- ' + argv.join(' ') : ''}`,
  node: process.version,
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGb: +(totalmem() / 1024 ** 3).toFixed(1),
  loadAverageAtStart: loadavg().map((x) => +x.toFixed(2)),
  commit: SUITE_ROOT === root ? gitCommit() : `suite from ${SUITE_ROOT}`,
  quick: QUICK,
  connections: CONNECTIONS,
  durationSeconds: DURATION,
  warmupSeconds: WARMUP,
  rounds: ROUNDS,
};
say(
  `Honglian bench: ${results.meta.cores} cores (${results.meta.cpu}), node ${process.version}, load average ${results.meta.loadAverageAtStart.join(' ')}`,
);
say(
  `${QUICK ? 'quick run' : 'full run'}: ${CONNECTIONS} connections, ${DURATION} s per load after ${WARMUP} s warm-up, ` +
    `${ROUNDS} round(s) per pair; details in ${LOG}`,
);

const bare = child('bare.mjs');
const bareReady = await bare.ready;
Object.assign(bare, bareReady);
let suite;
try {
  if (['read', 'list', 'checkin', 'pipeline', 'otel'].some((s) => ONLY.has(s))) {
    suite = await startSuite('A');
    await sleep(2000);
    const idle = await suite.call('rss');
    R.rss = { startupMs: suite.startupMs, idleMb: idle.rss / MB };
    const fixture = await prepare(suite);
    await suite.call('reset-peak');
    await loadScenarios(suite, bare, fixture);
    let baseline;
    if (ONLY.has('otel')) {
      const path = `/api/v1/registry/orgs/${COMMUNITY}`;
      baseline = {
        read: await pair(
          'otel-off-read',
          bare,
          getOpts(bare.url, `/orgs/${COMMUNITY}`),
          suite,
          getOpts(suite.gateway, path, fixture.admin),
        ),
        checkin: await pair(
          'otel-off-checkin',
          bare,
          checkinOpts(bare.url, '', fixture),
          suite,
          checkinOpts(suite.gateway, '/api/v1/checkin', fixture, fixture.admin),
        ),
      };
    }
    R.rss.peakUnderLoadMb = (await suite.call('rss')).peak / MB;
    await suite.stop();
    suite = undefined;
    if (ONLY.has('otel')) R.otel = await otelScenario(bare, baseline, (s) => prepare(s));
  }
  if (ONLY.has('import')) {
    suite = await startSuite('imports');
    const fixture = await prepare(suite, { pool: false });
    R.import = await importScenario(suite, fixture);
    await suite.stop();
    suite = undefined;
  }
} catch (err) {
  // what was measured before the failure is kept
  writeFileSync(OUT, JSON.stringify({ ...results, error: String(err?.stack ?? err) }, null, 2) + '\n');
  say(`failed; partial result: ${OUT}`);
  throw err;
} finally {
  await suite?.stop();
  await bare.stop();
}
results.meta.loadAverageAtEnd = loadavg().map((x) => +x.toFixed(2));
results.meta.finishedAt = new Date().toISOString();

// ---------------------------------------------------------------------------------------------
// the table
const rows = [];
const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const pc = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');
const mark = (ok) => (ok === undefined ? '' : ok ? 'met' : 'SHORT');
const row = (scenario, suiteCol, bareCol, ratio, goal, ok) =>
  rows.push([scenario, suiteCol, bareCol, ratio, goal, mark(ok)]);
const rate = (m) => `${f0(m.rps)} req/s, p50 ${f0(m.p50)} / p99 ${f0(m.p99)} ms`;
const cpuCol = (p) => `${p.suite.cpuMsPerRequest.toFixed(2)} vs ${p.bare.cpuMsPerRequest.toFixed(2)} ms`;
/** Database round trips per request: what the service path costs besides HTTP. */
const dbRow = (p) => {
  const last = p.rounds.at(-1).suite.dbCommandsByName;
  const top = Object.entries(last)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([n, k]) => `${n} ${k}`)
    .join(', ');
  row(
    '  database commands per request',
    `${f1(p.suite.dbCommandsPerRequest)} (${top})`,
    '',
    '',
    '',
    undefined,
  );
};

if (R.read) {
  row(
    'read by id, gateway + county-admin token',
    rate(R.read.suite),
    rate(R.read.bare),
    pc(R.read.ratio),
    '≥ 35%',
    R.read.ratio >= 0.35,
  );
  row(
    '  CPU per request (suite vs bare)',
    cpuCol(R.read),
    '',
    `${f1(R.read.suite.cpuMsPerRequest / R.read.bare.cpuMsPerRequest)}×`,
    '',
    undefined,
  );
  dbRow(R.read);
  row(
    '  same read straight to org-registry',
    rate(R.readDirect),
    '',
    pc(R.readDirect.rps / R.read.bare.rps),
    '',
    undefined,
  );
  row(
    `  at half that rate (${R.readHalfRate.rate} req/s)`,
    `p50 ${f0(R.readHalfRate.p50)} / p99 ${f0(R.readHalfRate.p99)} ms`,
    '',
    '',
    'p99 < 20 ms',
    R.readHalfRate.p99 < 20,
  );
}
if (R.list) {
  row('list of 50 orgs, gateway', rate(R.list.suite), rate(R.list.bare), pc(R.list.ratio), '', undefined);
  row(
    '  CPU per request (suite vs bare)',
    cpuCol(R.list),
    '',
    `${f1(R.list.suite.cpuMsPerRequest / R.list.bare.cpuMsPerRequest)}×`,
    '',
    undefined,
  );
  dbRow(R.list);
}
if (R.checkin) {
  row(
    'check-in write (check-in/check-out), gateway',
    rate(R.checkin.suite),
    rate(R.checkin.bare),
    pc(R.checkin.ratio),
    '≥ 20%',
    R.checkin.ratio >= 0.2,
  );
  row(
    '  CPU per request (suite vs bare)',
    cpuCol(R.checkin),
    '',
    `${f1(R.checkin.suite.cpuMsPerRequest / R.checkin.bare.cpuMsPerRequest)}×`,
    '',
    undefined,
  );
  dbRow(R.checkin);
}
if (R.pipeline) {
  const p = R.pipeline;
  row(
    'event pipeline: check-out → consumer effect',
    `${f0(p.eventsPerSecond)} events/s, latency p50 ${f0(p.latencyP50)} / p99 ${f0(p.latencyP99)} ms`,
    '',
    '',
    '',
    undefined,
  );
}
if (R.import) {
  for (const [size, e] of Object.entries(R.import.sizes)) {
    row(
      `import ${Number(size).toLocaleString('en-US')} members (${e.mode.startsWith('Prefer') ? 'job' : 'sync'}${e.proxyTimedOut ? ', 504 at the gateway' : ''})`,
      `${f1(e.importMs / 1000)} s, peak +${f0(e.suitePeakRssDeltaMb)} MB`,
      `parse only ${f1(e.parseMs / 1000)} s`,
      `${f1(e.ratio)}×`,
      size === String(IMPORT_SIZES.at(-1)) ? '≤ 3×, ≤ +300 MB' : '',
      size === String(IMPORT_SIZES.at(-1)) && !QUICK
        ? e.ratio <= 3 && e.suitePeakRssDeltaMb <= 300
        : undefined,
    );
    row(
      `  member-checkin read model caught up`,
      `${f1(e.consumerDrainMsAfterImport / 1000)} s after the import`,
      '',
      `${f0(e.consumerEventsPerSecond)} events/s`,
      '',
      undefined,
    );
  }
}
if (R.rss) {
  row('RSS of the all-in-one, demo city, idle', `${f0(R.rss.idleMb)} MB`, '', '', '', undefined);
  if (R.rss.peakUnderLoadMb)
    row('  peak under the loads above', `${f0(R.rss.peakUnderLoadMb)} MB`, '', '', '', undefined);
  if (R.import) row('  after the imports', `${f0(R.import.rssAfterMb)} MB`, '', '', '', undefined);
}
if (R.otel) {
  const o = R.otel;
  for (const k of ['read', 'checkin']) {
    const on = o[k];
    const off = o.baseline[k];
    row(
      `OTEL_ENABLED=true, ${k === 'read' ? 'read by id' : 'check-in write'}`,
      `${pc(on.ratio)} of bare (off: ${pc(off.ratio)})`,
      `CPU ${on.suite.cpuMsPerRequest.toFixed(2)} vs ${off.suite.cpuMsPerRequest.toFixed(2)} ms`,
      `${pc(on.ratio / off.ratio - 1)} rate`,
      '',
      undefined,
    );
  }
}
results.table = rows;

const header = ['scenario', 'suite', 'bare express', 'ratio', 'goal', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) =>
  cells
    .map((c, i) => String(c).padEnd(widths[i]))
    .join('  ')
    .trimEnd();
say();
say(line(header));
say(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) say(line(r));
say();
say(
  `load average at start ${results.meta.loadAverageAtStart.join(' ')}, at end ${results.meta.loadAverageAtEnd.join(' ')}`,
);
writeFileSync(OUT, JSON.stringify(results, null, 2) + '\n');
say(`result: ${OUT}`);
logStream.end();
