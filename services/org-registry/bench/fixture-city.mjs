// Import rate and tree-query latency for the acceptance fixture city
// (2 counties, 4 streets, 10 communities, 40 grids, 100 compounds, 200
// buildings, 2,000 members) imported from one XLSX workbook through HTTP.
// Run after a build, from services/org-registry:
//   node bench/fixture-city.mjs [members] [tree-queries]
// Uses the embedded MongoDB unless MONGO_URL is set; prints figures, asserts nothing.
import { orgRegistryModule } from '../dist/index.js';
import { ACCEPTANCE_CITY, fixtureCity, fixtureCityWorkbook } from '../dist/demo/fixture-city.js';
import { serveRegistry } from './serve.mjs';

const MEMBERS = Number(process.argv[2] ?? ACCEPTANCE_CITY.members);
const QUERIES = Number(process.argv[3] ?? 50);
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const { base, auth, close } = await serveRegistry(orgRegistryModule, { importMaxBytes: 50 * 1024 * 1024 });

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

try {
  const city = fixtureCity({ ...ACCEPTANCE_CITY, members: MEMBERS });
  const workbook = await fixtureCityWorkbook(city);
  const rows = Object.values(city.files).reduce((n, r) => n + r.length, 0);
  console.log(
    `node ${process.version}; ${process.env.MONGO_URL ? 'MongoDB at MONGO_URL' : 'embedded MongoDB'}; ` +
      `workbook ${(workbook.length / 1024).toFixed(0)} KB, ${rows} rows (${city.files.orgs.length} orgs, ` +
      `${city.files.firms.length} firms, ${city.files.contracts.length} contracts, ${city.files.pairings.length} pairings, ` +
      `${city.files.members.length} members)`,
  );
  const importOnce = async (dryRun) => {
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${base}/imports?kind=workbook&dryRun=${dryRun}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': XLSX },
      body: workbook,
    });
    const body = await res.json();
    const t = ms(t0);
    if (res.status !== 200 || body.errorCount)
      throw new Error(`import ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
    return { t, body };
  };
  for (const [label, dryRun] of [
    ['dry run (validate only)', true],
    ['apply (validate + apply)', false],
    ['re-import (unchanged)', false],
  ]) {
    const { t, body } = await importOnce(dryRun);
    console.log(
      `import ${label.padEnd(26)} ${String(body.rows).padStart(6)} rows in ${(t / 1000).toFixed(2)} s = ` +
        `${Math.round(body.rows / (t / 1000))} rows/s (created ${body.created}, unchanged ${body.unchanged})`,
    );
  }
  const latency = async (label, path) => {
    const times = [];
    let nodes = 0;
    for (let i = 0; i < QUERIES; i++) {
      const t0 = process.hrtime.bigint();
      const res = await fetch(`${base}${path}`, { headers: auth });
      const body = await res.json();
      times.push(ms(t0));
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      if (i === 0) nodes = JSON.stringify(body).match(/"kindLabel"/g)?.length ?? 0;
    }
    console.log(
      `${label.padEnd(34)} ${String(nodes).padStart(5)} nodes; ${QUERIES} queries: median ${pct(times, 50).toFixed(1)} ms, ` +
        `p95 ${pct(times, 95).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`,
    );
  };
  await latency('tree city, depth 10', '/orgs/331000/tree?depth=10');
  await latency('tree county 331003, depth 3', '/orgs/331003/tree?depth=3');
  await latency('tree community, depth 3', '/orgs/331003-c1/tree?depth=3');
  await latency('coverage, whole city', '/coverage');
} finally {
  await close();
}
