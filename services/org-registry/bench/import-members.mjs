// A member import through the service against merely parsing the file: N members of the fixture
// city as one CSV (the orgs, firms, contracts and pairings imported first, as a workbook).
// Run after a build, from services/org-registry:
//   node bench/import-members.mjs [members] [dist directory, default ../dist]
// Uses the embedded MongoDB unless MONGO_URL is set; prints figures and peak RSS, asserts nothing.
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { serveRegistry } from './serve.mjs';

const MEMBERS = Number(process.argv[2] ?? 10_000);
const DIST = pathToFileURL(
  path.resolve(process.argv[3] ?? new URL('../dist', import.meta.url).pathname) + '/',
);
const { orgRegistryModule } = await import(new URL('index.js', DIST));
const { ACCEPTANCE_CITY, fixtureCity, fixtureCityWorkbook } = await import(
  new URL('demo/fixture-city.js', DIST)
);
const { parseImport } = await import(new URL('imports/index.js', DIST));
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const mb = (b) => `${(b / 1048576).toFixed(0)} MB`;
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

const { base, auth, close } = await serveRegistry(orgRegistryModule, { importMaxBytes: 200 * 1024 * 1024 });

async function upload(kind, dryRun, body, type) {
  const t0 = process.hrtime.bigint();
  const res = await fetch(`${base}/imports?kind=${kind}&dryRun=${dryRun}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': type },
    body,
  });
  const report = await res.json();
  if (res.status !== 200 || report.errorCount)
    throw new Error(`${res.status}: ${JSON.stringify(report).slice(0, 500)}`);
  return { s: seconds(t0), report };
}

try {
  const city = fixtureCity({ ...ACCEPTANCE_CITY, members: MEMBERS });
  const { members, ...tree } = city.files;
  await upload('workbook', false, await fixtureCityWorkbook({ ...city, files: tree }), XLSX);
  const csv = Buffer.from(stringify(members, { header: true, bom: true }));
  console.log(
    `node ${process.version}; ${process.env.MONGO_URL ? 'MongoDB at MONGO_URL' : 'embedded MongoDB'}; ` +
      `${members.length} members, CSV ${(csv.length / 1024).toFixed(0)} KB; code from ${DIST.pathname}`,
  );
  const t0 = process.hrtime.bigint();
  let parsed = 0;
  for await (const r of parseImport('members', Readable.from([csv]), 'csv')) if ('command' in r) parsed++;
  const parse = seconds(t0);
  console.log(`parse only                 ${String(parsed).padStart(6)} rows in ${parse.toFixed(2)} s`);
  for (const [label, dryRun] of [
    ['dry run (validate)', true],
    ['apply (validate + apply)', false],
    ['re-import (unchanged)', false],
  ]) {
    const { s, report } = await upload('members', dryRun, csv, 'text/csv');
    console.log(
      `${label.padEnd(26)} ${String(report.rows).padStart(6)} rows in ${s.toFixed(2)} s = ` +
        `${(s / parse).toFixed(1)}× parse (created ${report.created}, planned ${report.planned?.created}, unchanged ${report.unchanged})`,
    );
  }
  console.log(`peak RSS ${mb(peakRss)} (service, embedded database and bench in one process)`);
} finally {
  clearInterval(sampler);
  await close();
}
