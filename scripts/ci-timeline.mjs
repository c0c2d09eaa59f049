#!/usr/bin/env node
// Prints when each task of the last turbo run (TURBO_RUN_SUMMARY=true) started and ended, the
// longest first, so a slow CI run shows where its time went: `node scripts/ci-timeline.mjs [n]`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '.turbo', 'runs');
let files = [];
try {
  files = readdirSync(runs).filter((f) => f.endsWith('.json'));
} catch {
  // no run summary: nothing to print
}
if (files.length === 0) {
  console.log('ci-timeline: no turbo run summary (set TURBO_RUN_SUMMARY=true)');
  process.exit(0);
}
const newest = files
  .map((f) => path.join(runs, f))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
const summary = JSON.parse(readFileSync(newest, 'utf8'));
const tasks = summary.tasks
  .filter((t) => t.execution?.startTime)
  .map((t) => ({
    id: t.taskId,
    start: t.execution.startTime,
    end: t.execution.endTime,
    code: t.execution.exitCode,
  }));
const t0 = Math.min(...tasks.map((t) => t.start));
const s = (ms) => `${(ms / 1000).toFixed(0).padStart(5)} s`;
const shown = Number(process.argv[2] ?? 15);
console.log(`turbo tasks, longest first (${tasks.length} ran; from the run's start):`);
for (const t of [...tasks].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, shown))
  console.log(
    `  ${t.id.padEnd(42)} ${s(t.end - t.start)}  from ${s(t.start - t0)} to ${s(t.end - t0)}${t.code ? `  exit ${t.code}` : ''}`,
  );
console.log(`  whole run: ${s(Math.max(...tasks.map((t) => t.end)) - t0)}`);
