import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { parseImport } from '../src/imports/index.js';
import { idNumber } from './fixtures/imports/helpers.js';

const HEADER = '姓名,身份证号,手机号,党员类别,所属党组织编码,工作单位编码,居住小区编码,居住楼栋编码,生效日期';
const CATEGORIES = ['在职党员', '退休党员', '流动党员'];

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华';
/** A Chinese name, unique per i: plenty of multi-byte characters for chunk boundaries to fall into. */
const nameOf = (i: number) =>
  `${SURNAMES[i % 20]}${GIVEN[Math.floor(i / 20) % 29]}${GIVEN[Math.floor(i / 580) % 29]}${i}`;

/** The i-th member: unique ID numbers over 50 birth dates × 1,000 sequence numbers; every 1,000th row is bad. */
function member(i: number): string[] {
  const birth = `1980${String(1 + Math.floor(i / 1000 / 28)).padStart(2, '0')}${String(1 + (((i / 1000) | 0) % 28)).padStart(2, '0')}`;
  const phone = i % 1000 === 999 ? '12345' : `138${String(i).padStart(8, '0')}`;
  return [
    nameOf(i),
    idNumber(i % 1000, birth),
    phone,
    CATEGORIES[i % 3]!,
    `DW-${i % 200}`,
    i % 3 === 0 ? `JG-${i % 50}` : '',
    `XQ-${i % 1100}`,
    `XQ-${i % 1100}-${i % 20}`,
    '2024-01-01',
  ];
}

describe('streaming: 50,000 members', () => {
  const N = 50_000;

  it('parses a 50,000-row CSV produced on the fly, pulling it only as rows are consumed', async () => {
    let produced = 0;
    const source = Readable.from(
      (function* () {
        yield Buffer.from(`\uFEFF${HEADER}\r\n`);
        for (let i = 0; i < N; i++) {
          produced += 1;
          yield Buffer.from(member(i).join(',') + '\r\n');
        }
      })(),
      { objectMode: false },
    );
    let ok = 0;
    let bad = 0;
    let producedAtFirstRow = -1;
    let lastRow = 0;
    for await (const r of parseImport('members', source, 'csv')) {
      if (producedAtFirstRow < 0) producedAtFirstRow = produced;
      if ('command' in r) ok += 1;
      else {
        bad += 1;
        expect(r.errors).toEqual([expect.objectContaining({ column: '手机号' })]);
      }
      lastRow = r.row;
    }
    expect({ ok, bad, lastRow }).toEqual({ ok: N - N / 1000, bad: N / 1000, lastRow: N + 1 });
    // The first row came out long before the file was all read: nothing holds the whole file.
    expect(producedAtFirstRow).toBeLessThan(2_000);
  });

  // 10,000 rows here keep the suite fast; bench/import-parse.mjs runs 50,000 and 100,000.
  it.each([
    ['inline strings', false],
    ['shared strings (as Excel writes)', true],
  ])(
    'parses a large XLSX with %s from a file stream, every Chinese character intact',
    async (_label, useSharedStrings) => {
      const rows = 10_000;
      const dir = await mkdtemp(join(tmpdir(), 'hl-import-'));
      try {
        const path = join(dir, 'members.xlsx');
        const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings });
        const ws = wb.addWorksheet('党员');
        ws.addRow(HEADER.split(',')).commit();
        for (let i = 0; i < rows; i++) {
          const cells: (string | number | Date)[] = member(i);
          cells[2] = i % 1000 === 999 ? cells[2]! : Number(cells[2]);
          cells[8] = new Date('2024-01-01T00:00:00+08:00');
          ws.addRow(cells).commit();
        }
        ws.commit();
        await wb.commit();

        let ok = 0;
        let bad = 0;
        const garbled: string[] = [];
        for await (const r of parseImport('members', createReadStream(path), 'xlsx')) {
          if ('command' in r) {
            ok += 1;
            const i = r.row - 2;
            if (
              r.command.name !== nameOf(i) ||
              r.command.category !== ['in-service', 'retired', 'floating'][i % 3]
            ) {
              garbled.push(`${r.row}: ${r.command.name}`);
            }
            if (r.row === 2)
              expect(r.command).toMatchObject({ phone: '13800000000', effectiveFrom: '2024-01-01' });
          } else bad += 1;
        }
        expect(garbled).toEqual([]);
        expect({ ok, bad }).toEqual({ ok: rows - rows / 1000, bad: rows / 1000 });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
