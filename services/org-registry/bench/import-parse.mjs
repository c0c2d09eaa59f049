// Import parser throughput and memory: 50,000 members as CSV and as XLSX.
// Run after a build, from services/org-registry:
//   node bench/import-parse.mjs [rows]
// Each file is written, and each parse runs, in a process of its own, so the
// peak RSS reported is the parser's alone.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { parseImport } from '../dist/imports/index.js';
import { idNumberCheckChar } from '../dist/domain/identifiers.js';

const N = Number(process.argv[2] ?? 50_000);
const [, , , SCENARIO, PATH, SHARED] = process.argv;
const HEADER = [
  '姓名',
  '身份证号',
  '手机号',
  '党员类别',
  '所属党组织编码',
  '工作单位编码',
  '居住小区编码',
  '居住楼栋编码',
  '生效日期',
];
const CATEGORIES = ['在职党员', '退休党员', '流动党员'];

function member(i) {
  const d = Math.floor(i / 1000);
  const first17 = `3310031980${String(1 + Math.floor(d / 28)).padStart(2, '0')}${String(1 + (d % 28)).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`;
  return [
    `党员${i}`,
    first17 + idNumberCheckChar(first17),
    `138${String(i).padStart(8, '0')}`,
    CATEGORIES[i % 3],
    `DW-${i % 200}`,
    i % 3 === 0 ? `JG-${i % 50}` : '',
    `XQ-${i % 1100}`,
    `XQ-${i % 1100}-${i % 20}`,
    '2024-01-01',
  ];
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const mb = (b) => `${(b / 1048576).toFixed(0)} MB`;

async function run(label, kind, stream, format) {
  if (global.gc) global.gc();
  peakRss = process.memoryUsage().rss;
  const before = peakRss;
  const t0 = process.hrtime.bigint();
  let ok = 0;
  let bad = 0;
  for await (const r of parseImport(kind, stream, format)) {
    if ('command' in r) ok += 1;
    else bad += 1;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(
    `${label.padEnd(28)} ${String(ok + bad).padStart(7)} rows (${bad} bad) in ${s.toFixed(2)} s = ${Math.round(
      (ok + bad) / s,
    )
      .toString()
      .padStart(6)} rows/s; RSS before ${mb(before)}, peak ${mb(peakRss)}`,
  );
}

const csvSource = () =>
  Readable.from(
    (function* () {
      yield Buffer.from(`\uFEFF${HEADER.join(',')}\r\n`);
      for (let i = 0; i < N; i++) yield Buffer.from(member(i).join(',') + '\r\n');
    })(),
    { objectMode: false },
  );

async function writeXlsx(path, sharedStrings) {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: sharedStrings });
  const ws = wb.addWorksheet('党员');
  ws.addRow(HEADER).commit();
  for (let i = 0; i < N; i++) {
    const cells = member(i);
    cells[2] = Number(cells[2]);
    cells[8] = new Date('2024-01-01T00:00:00+08:00');
    ws.addRow(cells).commit();
  }
  ws.commit();
  await wb.commit();
}

const self = fileURLToPath(import.meta.url);
const child = (...args) => process.stdout.write(execFileSync(process.execPath, [self, String(N), ...args]));

if (SCENARIO === 'csv') {
  await run('CSV (generated stream)', 'members', csvSource(), 'csv');
} else if (SCENARIO === 'write-xlsx') {
  await writeXlsx(PATH, SHARED === 'true');
} else if (SCENARIO === 'xlsx') {
  const size = (await stat(PATH)).size;
  await run(
    `XLSX ${SHARED === 'true' ? 'shared' : 'inline'} strings (${mb(size)})`,
    'members',
    createReadStream(PATH),
    'xlsx',
  );
} else {
  console.log(`node ${process.version}, ${N} member rows`);
  const dir = await mkdtemp(join(tmpdir(), 'hl-import-bench-'));
  try {
    child('csv');
    for (const shared of ['false', 'true']) {
      const path = join(dir, `members-${shared}.xlsx`);
      child('write-xlsx', path, shared);
      child('xlsx', path, shared);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
clearInterval(sampler);
