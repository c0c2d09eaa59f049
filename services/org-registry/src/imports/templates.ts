import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { MEMBER_CATEGORIES, ORG_KINDS, type LabelTable } from '@honglian/contracts';
import { csvSafeCell } from './cells.js';
import { IMPORT_KINDS, type ImportKind, type Reason } from './types.js';

/**
 * How a column's cells are read. `code`, `county`, `id-number`,
 * `credit-code` and `phone` are identifiers: kept as text, and a number cell
 * is accepted only where Excel cannot have mangled it.
 */
export type CellType =
  'text' | 'code' | 'county' | 'id-number' | 'credit-code' | 'phone' | 'date' | 'choice' | 'list';

export interface ImportColumn {
  /** Header as cities write it (zh-CN); errors name the column by it. */
  readonly header: string;
  /** Field of the command it fills (`term.start` = nested). */
  readonly field: string;
  /** The header must be present and the cell filled. */
  readonly required: boolean;
  readonly note: Reason;
  readonly example: string;
  /** Other headers accepted for this column (the field name is accepted too). */
  readonly aliases: readonly string[];
  readonly type: CellType;
}

export interface ImportTemplate {
  readonly title: Reason;
  readonly columns: readonly ImportColumn[];
}

/** Headers cities add for their own use; accepted and ignored. */
export const IGNORED_HEADERS: readonly string[] = ['序号', '备注'];

/** Labels a choice column accepts beside its table's zh/en labels and codes. */
export const CHOICE_TABLES: Record<string, { table: LabelTable<string>; extra: Record<string, string> }> = {
  kind: {
    table: ORG_KINDS,
    extra: {
      红色物业联盟: 'alliance',
      党建联盟: 'alliance',
      党群服务中心: 'service-station',
      先锋驿站: 'service-station',
    },
  },
  category: {
    table: MEMBER_CATEGORIES,
    extra: { 在职: 'in-service', 退休: 'retired', 流动: 'floating' },
  },
};

export function choiceLabels(field: string): string[] {
  const t = CHOICE_TABLES[field];
  return t ? Object.values(t.table).map((l) => l.zh) : [];
}

const DATE_ZH = '日期，如2024-01-01（也可写2024/1/1、2024年1月1日，或用Excel日期单元格）';
const DATE_EN = 'a date such as 2024-01-01 (2024/1/1, 2024年1月1日 or an Excel date cell also work)';
const CODE_ZH = '字母、数字、-或_，最长64位；该列请设为文本格式，以免Excel去掉开头的0';
const CODE_EN = 'letters, digits, - or _, at most 64; keep the column as Text so Excel keeps leading zeros';
const LIST_ZH = '多项用；或;或、或换行分隔，每项最多200字，最多100项';
const LIST_EN =
  'items separated by ；, ;, 、 or a line break; each at most 200 characters, at most 100 items';
const END_ZH = '留空表示长期有效；须晚于开始日期。注意：结束日期当天起即不再有效';
const END_EN = 'empty = open-ended; must be after the start. Note: no longer in force from this day on';

const col = (
  header: string,
  field: string,
  type: CellType,
  required: boolean,
  note: Reason,
  example: string,
  aliases: readonly string[] = [],
): ImportColumn => ({ header, field, type, required, note, example, aliases });

const kindLabels = Object.values(ORG_KINDS)
  .map((l) => l.zh)
  .join('、');
const kindCodes = Object.keys(ORG_KINDS).join(', ');
const categoryLabels = Object.values(MEMBER_CATEGORIES)
  .map((l) => l.zh)
  .join('、');
const categoryCodes = Object.keys(MEMBER_CATEGORIES).join(', ');

const start = (example: string) =>
  col(
    '开始日期',
    'validFrom',
    'date',
    true,
    { zh: `自该日起生效。${DATE_ZH}`, en: `in force from this day; ${DATE_EN}` },
    example,
    ['起始日期'],
  );
const end = (example: string) =>
  col(
    '结束日期',
    'validTo',
    'date',
    false,
    { zh: `${END_ZH}。${DATE_ZH}`, en: `${END_EN}; ${DATE_EN}` },
    example,
    ['截止日期', '终止日期'],
  );
const effectiveFrom = col(
  '生效日期',
  'effectiveFrom',
  'date',
  true,
  { zh: `在系统中自该日起有效。${DATE_ZH}`, en: `in the registry from this day on; ${DATE_EN}` },
  '2024-01-01',
);
const list = (header: string, field: string, zh: string, en: string, example: string) =>
  col(header, field, 'list', false, { zh: `${zh}；${LIST_ZH}`, en: `${en}; ${LIST_EN}` }, example);

/** The import templates: what each column means, and what the parser accepts. */
export const IMPORT_TEMPLATES: Record<ImportKind, ImportTemplate> = {
  orgs: {
    title: { zh: '组织', en: 'Organisations' },
    columns: [
      col(
        '编码',
        'id',
        'code',
        true,
        {
          zh: `组织的唯一编码，行政区划单位建议用区划代码（如区县331003）；其他行用它作“上级编码”。${CODE_ZH}`,
          en: `unique code of the unit; administrative units should use their division code (e.g. county 331003); other rows refer to it as 上级编码; ${CODE_EN}`,
        },
        'YWH-XQ0001',
        ['组织编码'],
      ),
      col(
        '名称',
        'name',
        'text',
        true,
        {
          zh: '组织全称，最多100字，不能以=、+、-或@开头',
          en: 'full name, at most 100 characters, not starting with = + - or @',
        },
        '锦江花园业主委员会',
        ['组织名称'],
      ),
      col(
        '类型',
        'kind',
        'choice',
        true,
        {
          zh: `填写类型名称（或代码），可选：${kindLabels}`,
          en: `kind, as its Chinese label or its code: ${kindCodes}`,
        },
        '业主委员会',
        ['组织类型'],
      ),
      col(
        '上级编码',
        'parentId',
        'code',
        false,
        {
          zh: '上级组织的编码；留空表示顶级（市）。上级可以是本文件中靠前的行，或已在系统中',
          en: 'code of the parent unit; empty for a root (the city). The parent may be an earlier row of this file or already registered',
        },
        'XQ0001',
        ['上级组织编码'],
      ),
      col(
        '所属区县',
        'county',
        'county',
        false,
        {
          zh: '所属区县的6位行政区划代码（GB/T 2260）；留空则沿用上级的区县；区县本身必须填写',
          en: '6-digit division code (GB/T 2260) of the county; taken from the parent when empty; required for a county itself',
        },
        '331003',
        ['所属区县代码', '区县代码'],
      ),
      col(
        '统一社会信用代码',
        'creditCode',
        'credit-code',
        false,
        {
          zh: '18位统一社会信用代码，没有可留空',
          en: '18-character unified social credit code; empty if none',
        },
        '',
        ['社会信用代码', '信用代码'],
      ),
      effectiveFrom,
      col(
        '任期开始',
        'term.start',
        'date',
        false,
        {
          zh: `业委会、监事会等的任期开始日期；与任期结束同时填写或同时留空。${DATE_ZH}`,
          en: `start of the term of office (owners’ or supervisory committees); fill both term columns or neither; ${DATE_EN}`,
        },
        '2024-01-01',
      ),
      col(
        '任期结束',
        'term.end',
        'date',
        false,
        {
          zh: `任期结束日期，须晚于任期开始。${DATE_ZH}`,
          en: `end of the term, after its start; ${DATE_EN}`,
        },
        '2028-12-31',
      ),
    ],
  },
  firms: {
    title: { zh: '物业企业', en: 'Property firms' },
    columns: [
      col(
        '编码',
        'id',
        'code',
        true,
        {
          zh: `物业企业在本系统的编码，合同表中的“物业企业编码”引用它。${CODE_ZH}`,
          en: `code of the firm in the registry; contracts refer to it as 物业企业编码; ${CODE_EN}`,
        },
        'WY-0001',
        ['企业编码', '物业企业编码'],
      ),
      col(
        '企业名称',
        'name',
        'text',
        true,
        {
          zh: '营业执照上的企业名称，最多100字，不能以=、+、-或@开头',
          en: 'name as on the business licence, at most 100 characters, not starting with = + - or @',
        },
        '台州市锦江物业服务有限公司',
        ['名称'],
      ),
      col(
        '统一社会信用代码',
        'creditCode',
        'credit-code',
        true,
        {
          zh: '营业执照上的18位统一社会信用代码，同一文件中不能重复',
          en: '18-character unified social credit code from the business licence; unique within the file',
        },
        '91331003MA2K0R1Y55',
        ['社会信用代码', '信用代码'],
      ),
      col(
        '所属区县',
        'county',
        'county',
        true,
        {
          zh: '企业所属区县的6位行政区划代码；企业挂在该区县组织之下，该区县须已导入（其编码即区划代码）',
          en: '6-digit division code of the county the firm belongs to; it is also the firm’s parent, so the county must be registered (its code being its division code)',
        },
        '331003',
        ['所属区县代码', '区县代码'],
      ),
      effectiveFrom,
    ],
  },
  contracts: {
    title: { zh: '物业服务合同', en: 'Property service contracts' },
    columns: [
      col(
        '合同编号',
        'id',
        'code',
        false,
        {
          zh: `合同的编码；建议填写，同一文件中不能重复；留空则由系统生成。${CODE_ZH}`,
          en: `code of the contract; recommended, unique within the file; generated when empty; ${CODE_EN}`,
        },
        'HT-2024-001',
        ['合同编码'],
      ),
      col(
        '物业企业编码',
        'firmId',
        'code',
        true,
        { zh: '服务该小区的物业企业的编码', en: 'code of the property firm serving the compound' },
        'WY-0001',
        ['企业编码'],
      ),
      col(
        '小区编码',
        'compoundId',
        'code',
        true,
        { zh: '合同服务的小区的编码', en: 'code of the compound the contract covers' },
        'XQ0001',
      ),
      start('2024-01-01'),
      end('2027-01-01'),
    ],
  },
  pairings: {
    title: { zh: '结对共建', en: 'Pairings' },
    columns: [
      col(
        '结对编号',
        'id',
        'code',
        false,
        {
          zh: `结对关系的编码；建议填写，同一文件中不能重复；留空则由系统生成。${CODE_ZH}`,
          en: `code of the pairing; recommended, unique within the file; generated when empty; ${CODE_EN}`,
        },
        'JD-2024-001',
        ['结对编码'],
      ),
      col(
        '单位党组织编码',
        'agencyOrgId',
        'code',
        true,
        {
          zh: '结对的机关企事业单位党组织的编码',
          en: 'code of the agency party organisation in the pairing',
        },
        'JG-0001-DW',
      ),
      col(
        '结对社区或小区编码',
        'targetId',
        'code',
        true,
        { zh: '结对的社区或小区的编码', en: 'code of the paired community or compound' },
        '331003001001',
        ['结对对象编码'],
      ),
      list(
        '需求清单',
        'needs',
        '社区或小区提出的需求',
        'needs the community or compound states',
        '加装电梯；停车位改造',
      ),
      list('资源清单', 'resources', '单位可提供的资源', 'resources the unit offers', '法律咨询、义诊'),
      list('项目清单', 'projects', '商定的共建项目', 'agreed joint projects', '楼道微改造'),
      start('2024-01-01'),
      end(''),
    ],
  },
  members: {
    title: { zh: '党员', en: 'Party members' },
    columns: [
      col(
        '党员编号',
        'id',
        'code',
        false,
        {
          zh: '党员在本系统的编号，建议填写，同一文件中不能重复；留空则由系统生成',
          en: 'code of the member in the registry; recommended, unique within the file; generated when empty',
        },
        'DY-0001',
        ['党员编码'],
      ),
      col(
        '姓名',
        'name',
        'text',
        true,
        { zh: '最多50字，不能以=、+、-或@开头', en: 'at most 50 characters, not starting with = + - or @' },
        '张三',
      ),
      col(
        '身份证号',
        'idNumber',
        'id-number',
        true,
        {
          zh: '18位居民身份证号，同一文件中不能重复；该列须设为文本格式，否则Excel会把号码存成数字并丢失末几位',
          en: '18-character resident ID number, unique within the file; the column must be Text, or Excel stores it as a number and loses the last digits',
        },
        '11010519491231002X',
        ['身份证号码', '公民身份号码', '身份证'],
      ),
      col(
        '手机号',
        'phone',
        'phone',
        true,
        { zh: '11位大陆手机号，可带+86', en: '11-digit mainland mobile number, +86 allowed' },
        '13800138000',
        ['手机号码', '手机', '联系电话'],
      ),
      col(
        '党员类别',
        'category',
        'choice',
        true,
        {
          zh: `可选：${categoryLabels}（也可填代码）`,
          en: `category, as its Chinese label or its code: ${categoryCodes}`,
        },
        '在职党员',
        ['类别'],
      ),
      col(
        '所属党组织编码',
        'partyOrgId',
        'code',
        true,
        { zh: '组织关系所在党组织的编码', en: 'code of the party organisation the member belongs to' },
        'JG-0001-DW',
        ['党组织编码'],
      ),
      col(
        '工作单位编码',
        'workUnitId',
        'code',
        false,
        {
          zh: '在职党员工作单位（机关企事业单位）的编码，可留空',
          en: 'code of the agency unit an in-service member works for; may be empty',
        },
        'JG-0001',
        ['单位编码'],
      ),
      col(
        '居住小区编码',
        'residenceCompoundId',
        'code',
        false,
        { zh: '居住小区的编码，可留空', en: 'code of the compound the member lives in; may be empty' },
        'XQ0001',
      ),
      col(
        '居住楼栋编码',
        'residenceBuildingId',
        'code',
        false,
        { zh: '居住楼栋的编码，可留空', en: 'code of the building the member lives in; may be empty' },
        'XQ0001-01',
        ['楼栋编码'],
      ),
      effectiveFrom,
    ],
  },
};

/** exceljs supports range validations but its typings omit them. */
interface WithValidations {
  dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void };
}

/** Header row and the example row, as CSV with a BOM (so Excel opens it as UTF-8) and CRLF line ends. */
export function templateCsv(kind: ImportKind): string {
  const { columns } = IMPORT_TEMPLATES[kind];
  const rows = [columns.map((c) => c.header), columns.map((c) => csvSafeCell(c.example))];
  return '\uFEFF' + stringify(rows, { record_delimiter: '\r\n' });
}

/**
 * The template as a workbook: the first sheet has the header row (bold;
 * required columns in red, each header with its note as a comment) and the
 * example row, identifier columns formatted as Text, choice columns with a
 * drop-down; the second sheet 说明 explains every column.
 */
export async function templateXlsx(kind: ImportKind): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Honglian';
  addDataSheet(wb, kind);
  addHelpSheet(wb, [kind]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * The whole-city workbook (`kind=workbook`): one data sheet per kind, named
 * 组织, 物业企业, 物业服务合同, 结对共建, 党员, and the 说明 sheet.
 */
export async function templateWorkbookXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Honglian';
  for (const kind of IMPORT_KINDS) addDataSheet(wb, kind);
  addHelpSheet(wb, IMPORT_KINDS);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function addDataSheet(wb: ExcelJS.Workbook, kind: ImportKind): void {
  const { title, columns } = IMPORT_TEMPLATES[kind];
  const ws = wb.addWorksheet(title.zh, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({
    header: c.header,
    key: c.field,
    width: Math.max(12, Math.min(40, c.example.length * 2 + 4, c.header.length * 2 + 6)),
    // Text format keeps leading zeros and long numbers (ID numbers) as typed.
    style: c.type === 'date' ? {} : { numFmt: '@' },
  }));
  const header = ws.getRow(1);
  columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.font = { bold: true, color: c.required ? { argb: 'FFC00000' } : undefined };
    cell.note = `${c.required ? '必填。' : '选填。'}${c.note.zh}`;
  });
  ws.addRow(columns.map((c) => c.example));
  columns.forEach((c, i) => {
    const labels = choiceLabels(c.field);
    if (c.type !== 'choice' || labels.length === 0) return;
    const letter = ws.getColumn(i + 1).letter;
    // A drop-down only: codes are accepted too, so no error on other input.
    (ws as unknown as WithValidations).dataValidations.add(`${letter}2:${letter}100001`, {
      type: 'list',
      allowBlank: true,
      showErrorMessage: false,
      formulae: [`"${labels.join(',')}"`],
    });
  });
}

function addHelpSheet(wb: ExcelJS.Workbook, kinds: readonly ImportKind[]): void {
  const help = wb.addWorksheet('说明');
  help.columns = [
    { header: '表头', width: 18 },
    { header: '字段', width: 20 },
    { header: '必填', width: 8 },
    { header: '说明', width: 60 },
    { header: 'Note', width: 60 },
    { header: '示例', width: 24 },
    { header: '也接受的表头', width: 24 },
  ];
  help.getRow(1).font = { bold: true };
  for (const kind of kinds) {
    if (kinds.length > 1) help.addRow([`【${IMPORT_TEMPLATES[kind].title.zh}】`]).font = { bold: true };
    for (const c of IMPORT_TEMPLATES[kind].columns) {
      help.addRow([
        c.header,
        c.field,
        c.required ? '是' : '否',
        c.note.zh,
        c.note.en,
        c.example,
        c.aliases.join('、'),
      ]);
    }
  }
  help.addRow([]);
  for (const line of GENERAL_NOTES) help.addRow([line.zh, '', '', '', line.en]);
  help.getColumn(4).alignment = { wrapText: true, vertical: 'top' };
  help.getColumn(5).alignment = { wrapText: true, vertical: 'top' };
}

/** Rules common to every template (also in IMPORT.md). */
export const GENERAL_NOTES: readonly Reason[] = [
  {
    zh: '表头必须在第1行；只读取第一个工作表（整城工作簿按工作表名称读取）；空行会被跳过；错误报告中的行号即表格中的行号（表头为第1行）',
    en: 'the header must be row 1; only the first worksheet is read (a whole-city workbook is read by sheet name); blank rows are skipped; error reports give the row number the spreadsheet shows (the header is row 1)',
  },
  {
    zh: 'CSV须为UTF-8编码（可带BOM）；Excel中请选择“CSV UTF-8（逗号分隔）”另存',
    en: 'CSV must be UTF-8 (a BOM is fine); in Excel choose “CSV UTF-8 (Comma delimited)”',
  },
  {
    zh: `“${IGNORED_HEADERS.join('”“')}”列会被忽略；其他无法识别的表头会使整个文件被拒绝`,
    en: `columns headed ${IGNORED_HEADERS.join(', ')} are ignored; any other unknown header rejects the file`,
  },
  {
    zh: 'Excel日期单元格按北京时间（UTC+8）取日期；文字日期可写作2024-01-01、2024/1/1或2024年1月1日',
    en: 'Excel date cells are read as the China Standard Time (UTC+8) day; dates as text may be 2024-01-01, 2024/1/1 or 2024年1月1日',
  },
  {
    zh: '同一文件中不能重复：组织和企业的编码、统一社会信用代码、合同编号、结对编号、身份证号；重复的行报错并指出首次出现的行',
    en: 'within one file these must not repeat: org and firm codes, credit codes, contract and pairing numbers, ID numbers; a repeat is reported with the row that had it first',
  },
  {
    zh: '编码、身份证号、统一社会信用代码列如被Excel存成数字：身份证号和信用代码一律拒绝（Excel只保留15位有效数字），编码只接受不超过15位的整数',
    en: 'codes, ID numbers and credit codes stored by Excel as numbers: ID numbers and credit codes are always rejected (Excel keeps 15 significant digits); codes are accepted only as whole numbers of at most 15 digits',
  },
  {
    zh: '名称、姓名和清单各项等文字不能包含控制字符（如单元格内换行）或文字方向控制符，不能以=、+、-或@开头；否则该行报错',
    en: 'names and list items must not contain control characters (such as a line break inside a cell) or text-direction overrides, nor start with = + - or @; such a row is reported as an error',
  },
  {
    zh: '编码只能指向您管理范围内的单位和党员（物业服务合同的物业企业可为全市任一企业）；范围外的编码与不存在的编码报同样的错误',
    en: 'codes may refer only to units and members within your scope (a contract’s property firm may be any firm of the city); a code out of scope is reported exactly like one that does not exist',
  },
];
