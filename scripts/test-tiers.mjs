#!/usr/bin/env node
// Test tiers by file suffix (docs/architecture.md, "Test tiers"):
//   *.unit.test.ts  pure rules and in-process code: no database, bus or network
//   *.api.test.ts   a component through HTTP with the embedded MongoDB and the in-process bus
//   *.e2e.test.ts   whole processes, the suite, or real external systems (Kafka, Keycloak)
// `npm run test:unit|test:api|test:e2e` run one tier; `npm test` runs every test file, tiered or not.
//
//   node scripts/test-tiers.mjs          counts per workspace and the files without a tier
//   node scripts/test-tiers.mjs --check  exit 1 when a test file outside the baseline has no tier
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIERS = ['unit', 'api', 'e2e'];
const tierOf = (file) => /\.(unit|api|e2e)\.test\.ts$/.exec(file)?.[1] ?? null;

/** Test files that had no tier when tiers were introduced; rename them and delete their line. */
const baseline = new Set(
  readFileSync(path.join(root, 'scripts/test-tiers.baseline'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#')),
);

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', 'dist', '.turbo', 'coverage'].includes(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [path.relative(root, full)] : [];
  });
}

const workspaces = ['packages', 'services']
  .flatMap((group) => readdirSync(path.join(root, group)).map((name) => path.join(group, name)))
  .concat(['deploy'])
  .filter((ws) => existsSync(path.join(root, ws, 'package.json')));

let untiered = [];
for (const ws of workspaces) {
  const files = testFiles(path.join(root, ws));
  if (files.length === 0) continue;
  const counts = TIERS.map((t) => `${t} ${files.filter((f) => tierOf(f) === t).length}`);
  const none = files.filter((f) => tierOf(f) === null);
  untiered = untiered.concat(none);
  process.stdout.write(`${ws.padEnd(30)} ${counts.join('  ')}  untiered ${none.length}\n`);
}

const fresh = untiered.filter((f) => !baseline.has(f));
if (untiered.length > 0) {
  process.stdout.write(`\n${untiered.length} test files have no tier suffix (.unit, .api, .e2e):\n`);
  for (const f of untiered) process.stdout.write(`  ${f}${baseline.has(f) ? '' : '   <- new'}\n`);
}
if (process.argv.includes('--check') && fresh.length > 0) {
  process.stderr.write(
    `\n${fresh.length} new test files without a tier suffix: name them *.unit|api|e2e.test.ts\n`,
  );
  process.exit(1);
}
