// Two or more `npm run bench` results side by side: node bench/compare.mjs before.json after.json …
// Ratios to bare express and CPU per request are the figures to compare across runs (rates
// follow the machine's load; see BENCHMARKS.md).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const files = process.argv.slice(2);
if (files.length < 1) {
  console.error('usage: node bench/compare.mjs <result.json> [<result.json> …]');
  process.exit(2);
}
const runs = files.map((f) => ({ name: basename(f, '.json'), ...JSON.parse(readFileSync(f, 'utf8')) }));

const pc = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');
const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(2)} ms` : '–');
const n0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const s1 = (x) => (Number.isFinite(x) ? `${(x / 1000).toFixed(1)} s` : '–');

const metrics = [
  ['read by id: ratio to bare', (r) => pc(r.scenarios.read?.ratio)],
  ['read by id: req/s', (r) => n0(r.scenarios.read?.suite.rps)],
  ['read by id: p99', (r) => ms(r.scenarios.read?.suite.p99)],
  ['read by id: CPU/request', (r) => ms(r.scenarios.read?.suite.cpuMsPerRequest)],
  ['read by id, half rate: p99', (r) => ms(r.scenarios.readHalfRate?.p99)],
  ['read straight to the service: CPU/request', (r) => ms(r.scenarios.readDirect?.cpuMsPerRequest)],
  ['list of 50: ratio to bare', (r) => pc(r.scenarios.list?.ratio)],
  ['list of 50: CPU/request', (r) => ms(r.scenarios.list?.suite.cpuMsPerRequest)],
  ['check-in write: ratio to bare', (r) => pc(r.scenarios.checkin?.ratio)],
  ['check-in write: CPU/request', (r) => ms(r.scenarios.checkin?.suite.cpuMsPerRequest)],
  ['pipeline: events/s', (r) => n0(r.scenarios.pipeline?.eventsPerSecond)],
  ['pipeline: latency p99', (r) => ms(r.scenarios.pipeline?.latencyP99)],
  ...[0, 1].flatMap((i) => [
    [`import #${i + 1}: rows`, (r) => n0(Object.values(r.scenarios.import?.sizes ?? {})[i]?.rows)],
    [`import #${i + 1}: time`, (r) => s1(Object.values(r.scenarios.import?.sizes ?? {})[i]?.importMs)],
    [
      `import #${i + 1}: ÷ parse only`,
      (r) => `${Object.values(r.scenarios.import?.sizes ?? {})[i]?.ratio?.toFixed(1) ?? '–'}×`,
    ],
    [
      `import #${i + 1}: read model caught up after`,
      (r) => s1(Object.values(r.scenarios.import?.sizes ?? {})[i]?.consumerDrainMsAfterImport),
    ],
  ]),
  ['RSS idle (demo city)', (r) => (r.scenarios.rss ? `${n0(r.scenarios.rss.idleMb)} MB` : '–')],
  ['OTEL on, read: ratio to bare', (r) => pc(r.scenarios.otel?.read.ratio)],
  ['load average at start', (r) => r.meta.loadAverageAtStart.join(' ')],
];

const header = ['', ...runs.map((r) => r.name)];
const rows = metrics.map(([label, f]) => [label, ...runs.map(f)]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log(line(header));
for (const r of rows) if (r.slice(1).some((c) => c !== '–' && c !== '–×')) console.log(line(r));
