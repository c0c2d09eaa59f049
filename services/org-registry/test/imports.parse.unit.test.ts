import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import ExcelJS from 'exceljs';
import { detectFormat, DuplicateTracker, parseImport, type RowError } from '../src/imports/index.js';
import {
  bytes,
  commands,
  csv,
  errorsOf,
  fileError,
  idNumber,
  parse,
  xlsx,
} from './fixtures/imports/helpers.js';

const ORG_HEADER = [
  '编码',
  '名称',
  '类型',
  '上级编码',
  '所属区县',
  '统一社会信用代码',
  '生效日期',
  '任期开始',
  '任期结束',
];
const MEMBER_HEADER = [
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
/** 2024-03-01 00:00 in China Standard Time, as a program in China would write it. */
const MARCH_1_CST = new Date('2024-03-01T00:00:00+08:00');

describe('good files of every kind', () => {
  it('orgs: zh kind labels or codes, empty parent = root, all accepted date spellings, a term', async () => {
    const text = csv([
      ORG_HEADER,
      ['3310', '台州市', '市', '', '', '', '2024-01-01', '', ''],
      ['331003', '黄岩区', '区县', '3310', '331003', '', '2024/1/1', '', ''],
      ['331003001', '西城街道', 'street', '331003', '', '', '2024年1月1日', '', ''],
      [
        'YWH-XQ0001',
        ' 锦江花园业主委员会 ',
        '业主委员会',
        'XQ0001',
        '',
        '',
        '2024-1-1',
        '2024-01-01',
        '2028-12-31',
      ],
    ]);
    expect(commands(await parse('orgs', text))).toEqual([
      { id: '3310', name: '台州市', kind: 'city', parentId: null, effectiveFrom: '2024-01-01' },
      {
        id: '331003',
        name: '黄岩区',
        kind: 'county',
        parentId: '3310',
        county: '331003',
        effectiveFrom: '2024-01-01',
      },
      { id: '331003001', name: '西城街道', kind: 'street', parentId: '331003', effectiveFrom: '2024-01-01' },
      {
        id: 'YWH-XQ0001',
        name: '锦江花园业主委员会',
        kind: 'owners-committee',
        parentId: 'XQ0001',
        effectiveFrom: '2024-01-01',
        term: { start: '2024-01-01', end: '2028-12-31' },
      },
    ]);
  });

  it('orgs: optional columns may be left out of the file entirely', async () => {
    const text = csv([
      ['名称', '编码', '类型', '生效日期'],
      ['台州市', '3310', '市', '2024-01-01'],
    ]);
    expect(commands(await parse('orgs', text))).toEqual([
      { id: '3310', name: '台州市', kind: 'city', parentId: null, effectiveFrom: '2024-01-01' },
    ]);
  });

  it('orgs from XLSX: Excel date cells, a division code typed as a number', async () => {
    const file = await xlsx([
      ORG_HEADER,
      [331003, '黄岩区', '区县', 3310, 331003, null, MARCH_1_CST, null, null],
      [
        'YWH-1',
        '业委会',
        '业主委员会',
        'XQ1',
        null,
        null,
        new Date(Date.UTC(2024, 2, 1)),
        '2024-03-01',
        '2029-02-28',
      ],
    ]);
    expect(commands(await parse('orgs', file, 'xlsx'))).toEqual([
      {
        id: '331003',
        name: '黄岩区',
        kind: 'county',
        parentId: '3310',
        county: '331003',
        effectiveFrom: '2024-03-01',
      },
      {
        id: 'YWH-1',
        name: '业委会',
        kind: 'owners-committee',
        parentId: 'XQ1',
        effectiveFrom: '2024-03-01',
        term: { start: '2024-03-01', end: '2029-02-28' },
      },
    ]);
  });

  const FIRM_ROWS = [
    ['编码', '企业名称', '统一社会信用代码', '所属区县', '生效日期'],
    ['WY-0001', '台州市锦江物业服务有限公司', '91331003ma2k0r1y55', '331003', '2024-01-01'],
  ];
  const FIRM = {
    id: 'WY-0001',
    name: '台州市锦江物业服务有限公司',
    kind: 'property-firm',
    creditCode: '91331003MA2K0R1Y55',
    parentId: '331003',
    county: '331003',
    effectiveFrom: '2024-01-01',
  };
  it('firms: kind fixed, the county is parent and county, credit code upper-cased', async () => {
    expect(commands(await parse('firms', csv(FIRM_ROWS)))).toEqual([FIRM]);
    expect(commands(await parse('firms', await xlsx(FIRM_ROWS), 'xlsx'))).toEqual([FIRM]);
  });

  const CONTRACT_ROWS = [
    ['合同编号', '物业企业编码', '小区编码', '开始日期', '结束日期'],
    ['HT-2024-001', 'WY-0001', 'XQ0001', '2024-01-01', '2027-01-01'],
    ['', 'WY-0002', 'XQ0002', '2024/7/1', ''],
  ];
  const CONTRACTS = [
    {
      id: 'HT-2024-001',
      firmId: 'WY-0001',
      compoundId: 'XQ0001',
      validFrom: '2024-01-01',
      validTo: '2027-01-01',
    },
    { firmId: 'WY-0002', compoundId: 'XQ0002', validFrom: '2024-07-01', validTo: null },
  ];
  it('contracts: an empty end date is open-ended, an empty number is left to the registry', async () => {
    expect(commands(await parse('contracts', csv(CONTRACT_ROWS)))).toEqual(CONTRACTS);
    expect(commands(await parse('contracts', await xlsx(CONTRACT_ROWS), 'xlsx'))).toEqual(CONTRACTS);
  });

  const PAIRING_ROWS = [
    [
      '结对编号',
      '单位党组织编码',
      '结对社区或小区编码',
      '需求清单',
      '资源清单',
      '项目清单',
      '开始日期',
      '结束日期',
    ],
    [
      'JD-1',
      'JG-0001-DW',
      '331003001001',
      '加装电梯；停车位改造;楼道照明',
      '法律咨询、义诊\n文艺演出',
      '',
      '2024-01-01',
      '',
    ],
  ];
  const PAIRING = {
    id: 'JD-1',
    agencyOrgId: 'JG-0001-DW',
    targetId: '331003001001',
    needs: ['加装电梯', '停车位改造', '楼道照明'],
    resources: ['法律咨询', '义诊', '文艺演出'],
    projects: [],
    validFrom: '2024-01-01',
    validTo: null,
  };
  it('pairings: lists split on ；; 、 and line breaks', async () => {
    expect(commands(await parse('pairings', csv(PAIRING_ROWS)))).toEqual([PAIRING]);
    expect(commands(await parse('pairings', await xlsx(PAIRING_ROWS), 'xlsx'))).toEqual([PAIRING]);
  });

  const MEMBER = {
    name: '张三',
    idNumber: idNumber(1),
    phone: '13800138000',
    category: 'in-service',
    partyOrgId: 'JG-0001-DW',
    workUnitId: 'JG-0001',
    residenceCompoundId: 'XQ0001',
    residenceBuildingId: 'XQ0001-01',
    effectiveFrom: '2024-01-01',
  };
  const RETIRED = {
    name: '李四',
    idNumber: '11010519491231002X',
    phone: '13900139000',
    category: 'retired',
    partyOrgId: 'SQ-01-DW',
    workUnitId: null,
    residenceCompoundId: null,
    residenceBuildingId: null,
    effectiveFrom: '2024-03-01',
  };
  it('members from CSV: labels, short labels, phone spacing and +86, lower-case x', async () => {
    const text = csv([
      MEMBER_HEADER,
      [
        '张三',
        idNumber(1),
        '138 0013 8000',
        '在职党员',
        'JG-0001-DW',
        'JG-0001',
        'XQ0001',
        'XQ0001-01',
        '2024-01-01',
      ],
      ['李四', '11010519491231002x', '+86 139-0013-9000', '退休', 'SQ-01-DW', '', '', '', '2024/3/1'],
    ]);
    expect(commands(await parse('members', text))).toEqual([MEMBER, RETIRED]);
  });

  it('members from XLSX: phone typed as a number is exact, date cells in China time', async () => {
    const file = await xlsx([
      MEMBER_HEADER,
      [
        '张三',
        idNumber(1),
        13800138000,
        'in-service',
        'JG-0001-DW',
        'JG-0001',
        'XQ0001',
        'XQ0001-01',
        '2024-01-01',
      ],
      ['李四', '11010519491231002X', 8613900139000, '退休党员', 'SQ-01-DW', null, null, null, MARCH_1_CST],
    ]);
    expect(commands(await parse('members', file, 'xlsx'))).toEqual([MEMBER, RETIRED]);
  });
});

describe('dates', () => {
  const header = ['合同编号', '物业企业编码', '小区编码', '开始日期', '结束日期'];
  it('reads Excel date cells as the China Standard Time day', async () => {
    const file = await xlsx(
      [
        header,
        // exceljs-style UTC midnight, a CST-midnight instant, and a date-formatted formula result.
        ['A', 'F', 'C', new Date(Date.UTC(2024, 0, 31)), new Date('2025-01-01T00:00:00+08:00')],
        ['B', 'F', 'C', { formula: 'DATE(2024,2,29)', result: 45351 }, null],
      ],
      { numFmt: { 4: 'yyyy-mm-dd' } },
    );
    const rows = await parse('contracts', file, 'xlsx');
    expect(commands(rows).map((c) => [c.validFrom, c.validTo])).toEqual([
      ['2024-01-31', '2025-01-01'],
      ['2024-02-29', null],
    ]);
  });
  it('a date that does not exist, or is not a date, is the date-format error on its column', async () => {
    const rows = await parse(
      'contracts',
      csv([header, ['A', 'F', 'C', '2024-02-30', ''], ['B', 'F', 'C', '明年', '']]),
    );
    expect(errorsOf(rows)).toEqual([
      {
        row: 2,
        column: '开始日期',
        reason: { zh: expect.stringContaining('日期格式应为YYYY-MM-DD'), en: 'a date YYYY-MM-DD' },
      },
      {
        row: 3,
        column: '开始日期',
        reason: { zh: expect.stringContaining('日期格式应为YYYY-MM-DD'), en: 'a date YYYY-MM-DD' },
      },
    ]);
  });
  it('a bare number in a date column is refused, not guessed', async () => {
    const rows = await parse('contracts', await xlsx([header, ['A', 'F', 'C', 20240301, null]]), 'xlsx');
    expect(errorsOf(rows)).toEqual([
      {
        row: 2,
        column: '开始日期',
        reason: expect.objectContaining({ zh: expect.stringContaining('日期格式') }),
      },
    ]);
  });
});

describe('row errors: row number, zh column, zh and en reasons', () => {
  it('members: each bad cell is reported on its column, good rows still parse', async () => {
    const wrongCheck = idNumber(2).slice(0, 17) + (idNumber(2).endsWith('0') ? '1' : '0');
    const text = csv([
      MEMBER_HEADER,
      ['张三', idNumber(1), '13800138000', '在职党员', 'DW1', '', '', '', '2024-01-01'],
      ['李四', wrongCheck, '13800138001', '在职党员', 'DW1', '', '', '', '2024-01-01'],
      ['王五', idNumber(3), '1234', '预备党员', 'DW1', '', '', '', '2024-01-01'],
      ['', idNumber(4), '13800138003', '流动党员', 'DW 1', '', '', '', ''],
    ]);
    const rows = await parse('members', text);
    expect(rows.map((r) => ('command' in r ? 'ok' : r.row))).toEqual(['ok', 3, 4, 5]);
    expect(errorsOf(rows)).toEqual<RowError[]>([
      {
        row: 3,
        column: '身份证号',
        reason: { zh: '身份证号校验位错误', en: 'ID number check digit is wrong' },
      },
      {
        row: 4,
        column: '手机号',
        reason: { zh: '手机号应为11位大陆手机号', en: 'phone must be an 11-digit mainland mobile number' },
      },
      {
        row: 4,
        column: '党员类别',
        reason: {
          zh: '取值无效（可选：在职党员、退休党员、流动党员）',
          en: expect.stringContaining('in-service'),
        },
      },
      { row: 5, column: '姓名', reason: { zh: '必填', en: 'required' } },
      {
        row: 5,
        column: '所属党组织编码',
        reason: {
          zh: '只能包含字母、数字、-和_，最长64位',
          en: 'letters, digits, - and _, at most 64 characters',
        },
      },
      { row: 5, column: '生效日期', reason: { zh: '必填', en: 'required' } },
    ]);
  });

  it('orgs: an unknown kind lists the allowed zh labels; term both-or-neither and order; county code', async () => {
    const text = csv([
      ORG_HEADER,
      ['A1', '居委会', '居委会', '', '', '', '2024-01-01', '', ''],
      ['A2', '业委会', '业主委员会', 'X', '', '', '2024-01-01', '2024-01-01', ''],
      ['A3', '业委会', '业主委员会', 'X', '33100', '', '2024-01-01', '2025-01-01', '2024-01-01'],
    ]);
    const errors = errorsOf(await parse('orgs', text));
    expect(errors[0]).toEqual({
      row: 2,
      column: '类型',
      reason: {
        zh: expect.stringMatching(/^取值无效（可选：市、区县、街道、社区、.*先锋驿站）$/),
        en: expect.any(String),
      },
    });
    expect(errors.slice(1)).toEqual([
      {
        row: 3,
        column: '任期结束',
        reason: {
          zh: '任期开始和任期结束须同时填写或同时留空',
          en: 'fill both term start and term end, or neither',
        },
      },
      {
        row: 4,
        column: '所属区县',
        reason: { zh: '应为6位行政区划代码（GB/T 2260）', en: 'a 6-digit GB/T 2260 division code' },
      },
      {
        row: 4,
        column: '任期结束',
        reason: { zh: '任期结束应晚于任期开始', en: 'term must end after it starts' },
      },
    ]);
  });

  it('firms: a wrong credit code gets the identifier reason', async () => {
    const text = csv([
      ['编码', '企业名称', '统一社会信用代码', '所属区县', '生效日期'],
      ['WY-1', '某物业', '91331003MA2K0R1Y50', '331003', '2024-01-01'],
      ['WY-2', '某物业', '9133', '331003', '2024-01-01'],
    ]);
    expect(errorsOf(await parse('firms', text))).toEqual([
      {
        row: 2,
        column: '统一社会信用代码',
        reason: {
          zh: '统一社会信用代码校验位错误',
          en: 'unified social credit code check character is wrong',
        },
      },
      {
        row: 3,
        column: '统一社会信用代码',
        reason: {
          zh: '统一社会信用代码应为18位',
          en: 'unified social credit code must be 18 valid characters',
        },
      },
    ]);
  });

  it('contracts and pairings: end before start, over-long list items', async () => {
    const contracts = csv([
      ['合同编号', '物业企业编码', '小区编码', '开始日期', '结束日期'],
      ['HT-1', 'WY-1', 'XQ1', '2025-01-01', '2024-01-01'],
    ]);
    expect(errorsOf(await parse('contracts', contracts))).toEqual([
      {
        row: 2,
        column: '结束日期',
        reason: { zh: '结束日期应晚于开始日期', en: 'validTo must be after validFrom' },
      },
    ]);
    const pairings = csv([
      ['单位党组织编码', '结对社区或小区编码', '需求清单', '开始日期'],
      ['DW1', 'SQ1', `短；${'长'.repeat(201)}`, '2024-01-01'],
    ]);
    expect(errorsOf(await parse('pairings', pairings))).toEqual([
      {
        row: 2,
        column: '需求清单',
        reason: { zh: '第2项不能超过200个字符', en: expect.stringContaining('200') },
      },
    ]);
  });

  it('row numbers are the spreadsheet rows: blank rows are skipped but counted', async () => {
    const text = ['合同编号,物业企业编码,小区编码,开始日期', 'A,F,C,2024-01-01', '', ',,,', 'B,F,C,x'].join(
      '\n',
    );
    const rows = await parse('contracts', text);
    expect(rows.map((r) => r.row)).toEqual([2, 5]);
    expect(errorsOf(rows)).toEqual([expect.objectContaining({ row: 5, column: '开始日期' })]);
    // The same in XLSX, where Excel leaves empty rows out of the file.
    const file = await xlsx([
      ['合同编号', '物业企业编码', '小区编码', '开始日期'],
      ['A', 'F', 'C', '2024-01-01'],
      [],
      [],
      ['B', 'F', 'C', 'x'],
    ]);
    expect((await parse('contracts', file, 'xlsx')).map((r) => r.row)).toEqual([2, 5]);
  });

  it('data in a column without a header is an error of the row', async () => {
    const text = csv([
      ['合同编号', '物业企业编码', '小区编码', '开始日期'],
      ['A', 'F', 'C', '2024-01-01', '多余'],
    ]);
    expect(errorsOf(await parse('contracts', text))).toEqual([
      {
        row: 2,
        column: '',
        reason: { zh: '第E列没有表头，却填写了内容', en: 'column E has no header but holds data' },
      },
    ]);
  });
});

describe('identifiers Excel has turned into numbers', () => {
  it('an ID number stored as a number is refused, with a reason telling how to fix it', async () => {
    const file = await xlsx([
      MEMBER_HEADER,
      // What Excel keeps of an ID number typed into a General cell: a float that lost its last digits.
      ['张三', Number(idNumber(1)), '13800138000', '在职党员', 'DW1', null, null, null, '2024-01-01'],
    ]);
    const [row] = await parse('members', file, 'xlsx');
    expect(row).toEqual({
      row: 2,
      errors: [
        {
          row: 2,
          column: '身份证号',
          reason: { zh: expect.stringContaining('文本'), en: expect.stringContaining('Text') },
        },
      ],
    });
  });
  it('a code longer than Excel keeps exactly is refused; a short one is taken as typed', async () => {
    const file = await xlsx([
      ['合同编号', '物业企业编码', '小区编码', '开始日期'],
      [1234567890123456, 42, 'C', '2024-01-01'],
    ]);
    expect(errorsOf(await parse('contracts', file, 'xlsx'))).toEqual([
      expect.objectContaining({
        row: 2,
        column: '合同编号',
        reason: expect.objectContaining({ zh: expect.stringContaining('数字') }),
      }),
    ]);
  });
});

describe('file-level errors', () => {
  it('names missing required headers and unknown headers, with a suggestion for a typo', async () => {
    const err = await fileError(
      parse('members', csv([['姓名', '身分证号', '手机号', '党员类别', '生效日期', '爱好'], ['张三']])),
    );
    expect(err.code).toBe('missing-headers');
    expect(err.headers).toEqual(['身份证号', '所属党组织编码', '身分证号', '爱好']);
    expect(err.reason.zh).toBe(
      '缺少必填列：身份证号、所属党组织编码；无法识别的表头：身分证号（是否应为“身份证号”？）、爱好',
    );
    expect(err.reason.en).toContain('missing required columns: 身份证号, 所属党组织编码');
  });
  it('unknown headers alone reject the file; 序号 and 备注 are ignored', async () => {
    const ok = csv([
      ['序号', '合同编号', '物业企业编码', '小区编码', '开始日期', '备注'],
      ['1', 'A', 'F', 'C', '2024-01-01', '老合同'],
    ]);
    expect(commands(await parse('contracts', ok))).toHaveLength(1);
    const err = await fileError(
      parse('contracts', csv([['合同编号', '物业企业编码', '小区编码', '开始日期', '金额'], ['A']])),
    );
    expect(err).toMatchObject({ code: 'unknown-headers', headers: ['金额'] });
    expect(err.reason.zh).toBe('无法识别的表头：金额');
  });
  it('accepts aliases and decorated headers, but not two headers for one column', async () => {
    const ok = csv([
      [' 姓名* ', '身份证号码', '手机号码(必填)', '类别', '党组织编码', '生效日期'],
      ['张三', idNumber(1), '13800138000', '在职', 'DW1', '2024-01-01'],
    ]);
    expect(commands(await parse('members', ok))).toHaveLength(1);
    const err = await fileError(
      parse(
        'members',
        csv([['姓名', '身份证号', '手机号', '联系电话', '党员类别', '所属党组织编码', '生效日期']]),
      ),
    );
    expect(err).toMatchObject({ code: 'duplicate-headers', headers: ['手机号', '联系电话'] });
  });
  it('a title row above the header is refused with the row the header is on', async () => {
    const text = csv([
      ['2024年黄岩区物业服务合同台账'],
      ['合同编号', '物业企业编码', '小区编码', '开始日期'],
      ['A', 'F', 'C', '2024-01-01'],
    ]);
    const err = await fileError(parse('contracts', text));
    expect(err.code).toBe('header-not-first-row');
    expect(err.reason.zh).toContain('第2行');
    const blankFirst = await fileError(
      parse('contracts', '\n合同编号,物业企业编码,小区编码,开始日期\nA,F,C,2024-01-01'),
    );
    expect(blankFirst.code).toBe('header-not-first-row');
  });
  it('an empty file, a blank file and a header-only file are refused', async () => {
    expect((await fileError(parse('orgs', ''))).code).toBe('empty');
    expect((await fileError(parse('orgs', '\uFEFF\r\n\r\n'))).code).toBe('empty');
    const headerOnly = await fileError(parse('orgs', ORG_HEADER.join(',')));
    expect(headerOnly).toMatchObject({ code: 'empty', reason: { zh: '文件只有表头，没有数据行' } });
  });
  it('more than maxRows data rows is refused', async () => {
    const text = csv([
      ['合同编号', '物业企业编码', '小区编码', '开始日期'],
      ...[1, 2, 3].map((i) => [`A${i}`, 'F', 'C', '2024-01-01']),
    ]);
    expect(await parse('contracts', text, 'csv', { maxRows: 3 })).toHaveLength(3);
    const err = await fileError(parse('contracts', text, 'csv', { maxRows: 2 }));
    expect(err).toMatchObject({
      code: 'too-many-rows',
      reason: { zh: '数据行超过2行，请拆分成多个文件导入' },
    });
  });
  it('refuses bytes that are not a spreadsheet of the stated format', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect((await fileError(parse('orgs', png, 'xlsx'))).code).toBe('not-xlsx');
    expect((await fileError(parse('orgs', png, 'csv'))).code).toBe('not-utf8');
    const corruptZip = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]);
    expect((await fileError(parse('orgs', corruptZip, 'xlsx'))).code).toBe('not-xlsx');
    const truncated = (await xlsx([ORG_HEADER])).subarray(0, 1500);
    expect((await fileError(parse('orgs', truncated, 'xlsx'))).code).toBe('not-xlsx');
    expect((await fileError(parse('orgs', await xlsx([ORG_HEADER]), 'csv'))).code).toBe('not-csv');
    const xls = Buffer.from('d0cf11e0a1b11ae1000000', 'hex');
    expect(await fileError(parse('orgs', xls, 'xlsx'))).toMatchObject({
      code: 'legacy-xls',
      reason: { zh: expect.stringContaining('.xls') },
    });
    expect((await fileError(parse('orgs', Buffer.from('a\u0000b,c\n'), 'csv'))).code).toBe('not-csv');
  });
  it('refuses a CSV that is GB18030 or UTF-16, saying how to save it as UTF-8', async () => {
    // Saved by Excel as plain “CSV” on a Chinese Windows: GB18030.
    const gbk = readFileSync(join(__dirname, 'fixtures/imports/orgs-gb18030.csv'));
    const err = await fileError(parse('orgs', gbk));
    expect(err.code).toBe('not-utf8');
    expect(err.reason.zh).toContain('CSV UTF-8');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('编码,名称', 'utf16le')]);
    expect((await fileError(parse('orgs', utf16))).reason.zh).toContain('UTF-16');
  });
  it('an unclosed quote is a malformed CSV', async () => {
    const err = await fileError(
      parse('contracts', '合同编号,物业企业编码,小区编码,开始日期\n"A,F,C,2024-01-01\n'),
    );
    expect(err.code).toBe('malformed');
  });
});

describe('CSV encodings and XLSX workbooks', () => {
  const text = csv([
    ['合同编号', '物业企业编码', '小区编码', '开始日期'],
    ['A', 'F', 'C', '2024-01-01'],
  ]);
  it('reads UTF-8 with and without a BOM, and a BOM split across chunks', async () => {
    expect(commands(await parse('contracts', text))).toHaveLength(1);
    expect(commands(await parse('contracts', '\uFEFF' + text))).toHaveLength(1);
    const withBom = Buffer.from('\uFEFF' + text);
    // One byte at a time: multi-byte characters and the BOM straddle chunks.
    const trickle = Readable.from(
      (function* () {
        for (let i = 0; i < withBom.length; i++) yield withBom.subarray(i, i + 1);
      })(),
      { objectMode: false },
    );
    const rows = [];
    for await (const r of parseImport('contracts', trickle, 'csv')) rows.push(r);
    expect(commands(rows)).toEqual([
      { id: 'A', firmId: 'F', compoundId: 'C', validFrom: '2024-01-01', validTo: null },
    ]);
  });
  it('reads only the first worksheet (in tab order)', async () => {
    const file = await xlsx(
      [
        ['合同编号', '物业企业编码', '小区编码', '开始日期'],
        ['A', 'F', 'C', '2024-01-01'],
      ],
      { sheets: [{ name: '说明', rows: [['随便写点什么'], ['x', 'y']] }] },
    );
    expect(commands(await parse('contracts', file, 'xlsx'))).toHaveLength(1);
  });
  it('reads rich text, formula results and hyperlinks by what they show', async () => {
    const file = await xlsx([
      ['合同编号', '物业企业编码', '小区编码', '开始日期'],
      [
        { richText: [{ text: 'HT-' }, { font: { bold: true }, text: '1' }] },
        { formula: '"WY-"&"1"', result: 'WY-1' },
        { text: 'XQ1', hyperlink: 'https://example.org' },
        '2024-01-01',
      ],
      ['HT-2', { formula: 'NA()', result: { error: '#N/A' } }, 'XQ1', '2024-01-01'],
    ]);
    const rows = await parse('contracts', file, 'xlsx');
    expect(rows[0]).toEqual({
      row: 2,
      command: { id: 'HT-1', firmId: 'WY-1', compoundId: 'XQ1', validFrom: '2024-01-01', validTo: null },
    });
    expect(errorsOf(rows)).toEqual([expect.objectContaining({ row: 3, column: '物业企业编码' })]);
  });
});

describe('duplicates within a file', () => {
  it('members: the same ID number twice names the first row', async () => {
    const text = csv([
      MEMBER_HEADER,
      ['张三', idNumber(1), '13800138000', '在职党员', 'DW1', '', '', '', '2024-01-01'],
      ['李四', idNumber(2), '13800138001', '在职党员', 'DW1', '', '', '', '2024-01-01'],
      ['张三', idNumber(1).toLowerCase(), '13800138000', '在职党员', 'DW2', '', '', '', '2024-01-01'],
    ]);
    const rows = await parse('members', text);
    expect(rows.slice(0, 2).every((r) => 'command' in r)).toBe(true);
    expect(rows[2]).toEqual({
      row: 4,
      errors: [
        { row: 4, column: '身份证号', reason: { zh: '身份证号与第2行重复', en: 'same ID number as row 2' } },
      ],
    });
  });
  it('orgs by code, firms by code and credit code, contracts by number or firm+compound+start', async () => {
    const orgs = csv([
      ['编码', '名称', '类型', '生效日期'],
      ['A', '甲', '市', '2024-01-01'],
      ['A', '乙', '市', '2024-01-01'],
    ]);
    expect(errorsOf(await parse('orgs', orgs))).toEqual([
      { row: 3, column: '编码', reason: { zh: '编码与第2行重复', en: 'same code as row 2' } },
    ]);
    const firms = csv([
      ['编码', '企业名称', '统一社会信用代码', '所属区县', '生效日期'],
      ['WY-1', '甲', '91331003MA2K0R1Y55', '331003', '2024-01-01'],
      ['WY-2', '乙', '91331003MA2K0R1Y55', '331003', '2024-01-01'],
    ]);
    expect(errorsOf(await parse('firms', firms))).toEqual([
      expect.objectContaining({
        row: 3,
        column: '统一社会信用代码',
        reason: expect.objectContaining({ zh: '统一社会信用代码与第2行重复' }),
      }),
    ]);
    const contracts = csv([
      ['合同编号', '物业企业编码', '小区编码', '开始日期'],
      ['', 'F', 'C', '2024-01-01'],
      ['', 'F', 'C', '2024/1/1'],
      ['H1', 'F', 'C', '2024-01-01'],
      ['H1', 'F', 'D', '2024-01-01'],
    ]);
    expect(errorsOf(await parse('contracts', contracts))).toEqual([
      expect.objectContaining({
        row: 3,
        column: '小区编码',
        reason: expect.objectContaining({ zh: '物业企业、小区和开始日期与第2行重复' }),
      }),
      expect.objectContaining({
        row: 5,
        column: '合同编号',
        reason: expect.objectContaining({ zh: '合同编号与第4行重复' }),
      }),
    ]);
  });
});

describe('input streams', () => {
  it('accepts any Node readable, including one that yields strings', async () => {
    const stream = Readable.from(['合同编号,物业企业编码,小区编码,开始日期\n', 'A,F,C,2024-01-01\n']);
    const rows = [];
    for await (const r of parseImport('contracts', stream, 'csv')) rows.push(r);
    expect(commands(rows)).toHaveLength(1);
  });
  it('stops reading the input when the consumer stops early', async () => {
    const lines = [
      '合同编号,物业企业编码,小区编码,开始日期\n',
      ...Array.from({ length: 1000 }, (_, i) => `A${i},F,C,2024-01-01\n`),
    ];
    const input = bytes(lines.join(''));
    for await (const r of parseImport('contracts', input, 'csv')) {
      expect(r.row).toBe(2);
      break;
    }
    expect(input.destroyed).toBe(true);
  });
});

describe('detectFormat', () => {
  const zip = Buffer.from('504b0304140000000800', 'hex');
  const text = Buffer.from('\uFEFF编码,名称\r\n');
  it('goes by the bytes: a zip is XLSX, UTF-8 text is CSV', () => {
    expect(detectFormat('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', zip)).toBe(
      'xlsx',
    );
    expect(detectFormat(undefined, zip)).toBe('xlsx');
    expect(detectFormat('application/octet-stream', zip)).toBe('xlsx');
    expect(detectFormat('text/csv; charset=utf-8', text)).toBe('csv');
    // What browsers on Windows send for a .csv file.
    expect(detectFormat('application/vnd.ms-excel', text)).toBe('csv');
    // A sample cut in the middle of a character is still text.
    expect(detectFormat(undefined, Buffer.from('编码,名称').subarray(0, 8))).toBe('csv');
  });
  it('refuses what is not a spreadsheet, or contradicts its declared type', () => {
    expect(detectFormat('application/pdf', Buffer.from('%PDF-1.7'))).toBeNull();
    expect(detectFormat(undefined, Buffer.from('89504e470d0a1a0a', 'hex'))).toBeNull();
    expect(detectFormat('application/vnd.ms-excel', Buffer.from('d0cf11e0a1b11ae1', 'hex'))).toBeNull();
    expect(detectFormat('text/csv', zip)).toBeNull();
    expect(
      detectFormat('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', text),
    ).toBeNull();
    expect(detectFormat('text/csv', Buffer.from([0xff, 0xfe, 0x16, 0x7f]))).toBeNull();
  });
});

describe('DuplicateTracker', () => {
  it('keeps neither the ID numbers nor anything they can be read back from', () => {
    const tracker = DuplicateTracker.forKind('members');
    const id = idNumber(7);
    expect(tracker.check(2, { idNumber: id })).toEqual([]);
    expect(tracker.check(3, { idNumber: idNumber(8) })).toEqual([]);
    expect(tracker.check(9, { idNumber: id })).toEqual([
      { row: 9, column: '身份证号', reason: { zh: '身份证号与第2行重复', en: 'same ID number as row 2' } },
    ]);
    expect(tracker.size).toBe(2);
    const dump = inspect(tracker, { depth: null, showHidden: true });
    expect(dump).not.toContain(id);
    expect(dump).not.toContain(id.slice(6, 14));
  });
});

describe('early stop on XLSX', () => {
  it('closes the input when the consumer stops after the first row', async () => {
    const file = await xlsx([
      ['合同编号', '物业企业编码', '小区编码', '开始日期'],
      ...Array.from({ length: 500 }, (_, i) => [`A${i}`, 'F', 'C', '2024-01-01']),
    ]);
    const input = bytes(file);
    for await (const r of parseImport('contracts', input, 'xlsx')) {
      expect(r.row).toBe(2);
      break;
    }
    expect(input.destroyed).toBe(true);
  });
});

describe('workbooks built to exhaust memory', () => {
  it('refuses a row of more than 8 MB instead of holding it', async () => {
    const sink = new PassThrough();
    const parts: Buffer[] = [];
    sink.on('data', (b: Buffer) => parts.push(b));
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useSharedStrings: false });
    const ws = wb.addWorksheet('x');
    ws.addRow(['合同编号', '物业企业编码', '小区编码', '开始日期']).commit();
    ws.addRow(['A', 'F', 'C', '2024-01-01']).commit();
    ws.addRow(['B', '长'.repeat(9 * 1024 * 1024), 'C', '2024-01-01']).commit();
    ws.commit();
    await wb.commit();
    const rows: number[] = [];
    const err = await fileError(
      (async () => {
        for await (const r of parseImport('contracts', bytes(Buffer.concat(parts)), 'xlsx')) rows.push(r.row);
      })(),
    );
    expect(err.code).toBe('too-large');
    expect(rows).toEqual([2]);
  });
});
