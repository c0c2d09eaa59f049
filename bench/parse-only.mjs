// The floor of an import: parsing and validating the file (org-registry's own parser, the same
// call the import route makes) and nothing else, in a fresh process so its time and peak RSS
// are the parser's alone. Usage: node bench/parse-only.mjs <kind> <file.csv>; prints one JSON line.
import { createReadStream } from 'node:fs';

const [kind, file] = process.argv.slice(2);
const { parseImport } = await import(
  new URL('../services/org-registry/dist/imports/index.js', import.meta.url)
);

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
const before = process.memoryUsage().rss;
const t0 = performance.now();
let rows = 0;
let errors = 0;
for await (const r of parseImport(kind, createReadStream(file), 'csv')) {
  rows += 1;
  if (!('command' in r)) errors += 1;
}
const ms = performance.now() - t0;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
process.stdout.write(JSON.stringify({ rows, errors, ms, rssBefore: before, rssPeak: peak }) + '\n');
