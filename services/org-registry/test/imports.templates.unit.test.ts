import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import {
  csvSafeCell,
  IMPORT_KINDS,
  IMPORT_TEMPLATES,
  importTemplatesMarkdown,
  templateCsv,
  templateXlsx,
} from '../src/imports/index.js';
import { commands, errorsOf, parse } from './fixtures/imports/helpers.js';

describe('templates', () => {
  it.each(IMPORT_KINDS)(
    '%s: the CSV template is a BOM, the headers and an example row that imports',
    async (kind) => {
      const text = templateCsv(kind);
      expect(text.startsWith('\uFEFF')).toBe(true);
      const [header] = text.slice(1).split('\r\n');
      expect(header).toBe(IMPORT_TEMPLATES[kind].columns.map((c) => c.header).join(','));
      expect(commands(await parse(kind, text))).toHaveLength(1);
    },
  );

  it.each(IMPORT_KINDS)('%s: the XLSX template imports, with bold headers and a 说明 sheet', async (kind) => {
    const buffer = await templateXlsx(kind);
    expect(commands(await parse(kind, buffer, 'xlsx'))).toHaveLength(1);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
    const [sheet, help] = wb.worksheets;
    const { title, columns } = IMPORT_TEMPLATES[kind];
    expect(sheet!.name).toBe(title.zh);
    const header = sheet!.getRow(1);
    columns.forEach((c, i) => {
      expect(header.getCell(i + 1).value).toBe(c.header);
      expect(header.getCell(i + 1).font?.bold).toBe(true);
    });
    // Identifier columns are Text, so Excel keeps ID numbers and leading zeros as typed.
    const idColumn = columns.findIndex((c) => c.type !== 'date') + 1;
    expect(sheet!.getRow(2).getCell(idColumn).numFmt).toBe('@');
    expect(help!.name).toBe('说明');
    columns.forEach((c, i) => {
      const row = help!.getRow(i + 2);
      expect([
        row.getCell(1).value,
        row.getCell(3).value,
        row.getCell(4).value,
        row.getCell(5).value,
      ]).toEqual([c.header, c.required ? '是' : '否', c.note.zh, c.note.en]);
    });
  });

  it('every column is documented in both languages; required columns have an example', () => {
    for (const kind of IMPORT_KINDS) {
      for (const c of IMPORT_TEMPLATES[kind].columns) {
        expect(c.note.zh).not.toBe('');
        expect(c.note.en).not.toBe('');
        if (c.required) expect(c.example).not.toBe('');
      }
    }
  });

  it('the members template marks what a city must fill', () => {
    const required = IMPORT_TEMPLATES.members.columns.filter((c) => c.required).map((c) => c.header);
    expect(required).toEqual(['姓名', '身份证号', '手机号', '党员类别', '所属党组织编码', '生效日期']);
  });

  it('IMPORT.md is the documentation generated from the templates', () => {
    const path = join(__dirname, '..', 'IMPORT.md');
    const generated = importTemplatesMarkdown();
    if (process.env.UPDATE_IMPORT_MD) writeFileSync(path, generated);
    // Compare cell by cell, so prettier's table padding does not matter.
    const norm = (md: string) =>
      md
        .split('\n')
        .map((line) =>
          line.startsWith('|')
            ? line
                .split(/(?<!\\)\|/)
                .map((c) => c.trim().replace(/^-+$/, '-'))
                .join('|')
            : line.trimEnd(),
        )
        .filter((line) => line !== '');
    expect(norm(readFileSync(path, 'utf8'))).toEqual(norm(generated));
  });
});

describe('csvSafeCell (exports)', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(csvSafeCell('=HYPERLINK("http://evil.example","点我")')).toBe(
      '\'=HYPERLINK("http://evil.example","点我")',
    );
    expect(csvSafeCell('+1')).toBe("'+1");
    expect(csvSafeCell('-2')).toBe("'-2");
    expect(csvSafeCell('@x')).toBe("'@x");
    expect(csvSafeCell('\t=1+1')).toBe("'\t=1+1");
    expect(csvSafeCell('\r=1+1')).toBe("'\r=1+1");
  });
  it('leaves ordinary values, and real numbers, as they are', () => {
    expect(csvSafeCell('张三')).toBe('张三');
    expect(csvSafeCell('a=b')).toBe('a=b');
    expect(csvSafeCell(-2)).toBe('-2');
    expect(csvSafeCell(13800138000)).toBe('13800138000');
    expect(csvSafeCell(null)).toBe('');
    expect(csvSafeCell(undefined)).toBe('');
  });
  it('a name that would run as a formula (=HYPERLINK(...)) is a row error, in both languages', async () => {
    const name = '=HYPERLINK("http://evil.example","点我")';
    const text = `编码,名称,类型,生效日期\r\nA,"${name.replace(/"/g, '""')}",市,2024-01-01\r\nB,"+1 社区",市,2024-01-01\r\n`;
    const rows = await parse('orgs', text);
    expect(errorsOf(rows)).toEqual([
      expect.objectContaining({
        row: 2,
        column: '名称',
        reason: {
          zh: '不能以=、+、-或@开头（电子表格会把它当作公式执行）',
          en: expect.stringContaining('formula'),
        },
      }),
      expect.objectContaining({ row: 3, column: '名称' }),
    ]);
    // Exports neutralise such cells anyway (records from before this rule, other columns).
    expect(csvSafeCell(name).startsWith("'=")).toBe(true);
  });
});
