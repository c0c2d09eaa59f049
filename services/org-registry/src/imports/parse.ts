import type { z } from 'zod';
import { TEXT_MESSAGES } from '@honglian/contracts';
import { CreateContract, CreateOrg, CreatePairing, RegisterMember } from '../domain/commands.js';
import { validateCreditCode, validateIdNumber, validatePhone } from '../domain/identifiers.js';
import { DATE_REASON, readCell, REQUIRED, type RawCell } from './cells.js';
import { DuplicateTracker } from './duplicates.js';
import { readRows, type RawRow } from './readers.js';
import {
  CHOICE_TABLES,
  choiceLabels,
  IGNORED_HEADERS,
  IMPORT_TEMPLATES,
  type ImportColumn,
} from './templates.js';
import {
  ImportFileError,
  type CommandOf,
  type ImportFormat,
  type ImportKind,
  type ParsedRow,
  type Reason,
  type RowError,
} from './types.js';

export const DEFAULT_MAX_ROWS = 100_000;

const SCHEMAS: Record<ImportKind, z.ZodType> = {
  orgs: CreateOrg,
  firms: CreateOrg,
  contracts: CreateContract,
  pairings: CreatePairing,
  members: RegisterMember,
};

/** Optional references whose absence the command spells as null. */
const NULL_WHEN_EMPTY = new Set([
  'parentId',
  'validTo',
  'workUnitId',
  'residenceCompoundId',
  'residenceBuildingId',
]);

/** How far below row 1 to look for a header, to say "the header must be row 1" instead of "unknown headers". */
const HEADER_LOOKAHEAD = 20;

const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;

/** `*身份证号 (必填)` → `身份证号`; field names match case-insensitively. */
export function normaliseHeader(header: string): string {
  return header
    .replace(INVISIBLE, '')
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/\((必填|选填|可选|必填项|选填项)\)$/, '')
    .replace(/^\*+|\*+$/g, '')
    .toLowerCase();
}

interface KindSpec {
  columns: readonly ImportColumn[];
  byHeader: Map<string, ImportColumn>;
  byField: Map<string, ImportColumn>;
  ignored: Set<string>;
  choices: Map<string, Map<string, string>>;
}

const normaliseLabel = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();

function buildSpec(kind: ImportKind): KindSpec {
  const { columns } = IMPORT_TEMPLATES[kind];
  const byHeader = new Map<string, ImportColumn>();
  const byField = new Map<string, ImportColumn>();
  for (const c of columns) {
    byField.set(c.field, c);
    for (const h of [c.header, ...c.aliases, c.field]) {
      const key = normaliseHeader(h);
      const other = byHeader.get(key);
      if (other && other !== c) throw new Error(`import template ${kind}: header ${h} is ambiguous`);
      byHeader.set(key, c);
    }
  }
  const choices = new Map<string, Map<string, string>>();
  for (const c of columns) {
    const t = CHOICE_TABLES[c.field];
    if (c.type !== 'choice' || !t) continue;
    const m = new Map<string, string>();
    for (const [code, label] of Object.entries(t.table)) {
      for (const l of [code, label.zh, label.en, ...label.zh.split('/')]) m.set(normaliseLabel(l), code);
    }
    for (const [l, code] of Object.entries(t.extra)) m.set(normaliseLabel(l), code);
    choices.set(c.field, m);
  }
  return { columns, byHeader, byField, ignored: new Set(IGNORED_HEADERS.map(normaliseHeader)), choices };
}

const SPECS = new Map<ImportKind, KindSpec>();
function specOf(kind: ImportKind): KindSpec {
  let spec = SPECS.get(kind);
  if (!spec) {
    if (!Object.hasOwn(IMPORT_TEMPLATES, kind)) throw new TypeError(`unknown import kind: ${String(kind)}`);
    spec = buildSpec(kind);
    SPECS.set(kind, spec);
  }
  return spec;
}

function headerText(cell: RawCell | undefined): string {
  if (cell === undefined) return '';
  if (typeof cell === 'string') return cell.trim();
  if (typeof cell === 'number') return String(cell);
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return '';
}

function isBlankRow(row: RawRow): boolean {
  return row.cells.every(
    (c) => c === undefined || (typeof c === 'string' && c.replace(INVISIBLE, '').trim() === ''),
  );
}

function knownHeaders(spec: KindSpec, row: RawRow): number {
  return row.cells.filter((c) => spec.byHeader.has(normaliseHeader(headerText(c)))).length;
}

/** Spreadsheet column letter of a 0-based index: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function editDistance(a: string, b: string): number {
  const A = [...a];
  const B = [...b];
  let prev = B.map((_, j) => j + 1);
  prev.unshift(0);
  for (let i = 1; i <= A.length; i++) {
    const cur = [i];
    for (let j = 1; j <= B.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (A[i - 1] === B[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[B.length]!;
}

function suggestion(spec: KindSpec, header: string, taken: Set<ImportColumn>): string | undefined {
  const h = normaliseHeader(header);
  let best: { column: ImportColumn; d: number } | undefined;
  for (const [known, column] of spec.byHeader) {
    if (taken.has(column)) continue;
    const d = editDistance(h, known);
    const limit = [...known].length >= 5 ? 2 : 1;
    if (d <= limit && (!best || d < best.d)) best = { column, d };
  }
  return best?.column.header;
}

interface Binding {
  /** Column index (0-based) → template column. */
  columns: Map<number, ImportColumn>;
  /** Indexes of columns without a header (data in them is an error) — beyond the header too. */
  headed: Set<number>;
}

function bindHeaders(spec: KindSpec, header: RawRow): Binding {
  const columns = new Map<number, ImportColumn>();
  const headed = new Set<number>();
  const taken = new Map<ImportColumn, string>();
  const unknown: string[] = [];
  const duplicated: string[] = [];
  header.cells.forEach((cell, index) => {
    const text = headerText(cell);
    if (text === '') return;
    headed.add(index);
    const key = normaliseHeader(text);
    if (spec.ignored.has(key)) return;
    const column = spec.byHeader.get(key);
    if (!column) {
      unknown.push(text);
      return;
    }
    const earlier = taken.get(column);
    if (earlier !== undefined) {
      duplicated.push(earlier, text);
      return;
    }
    taken.set(column, text);
    columns.set(index, column);
  });
  if (duplicated.length) {
    const names = [...new Set(duplicated)];
    throw new ImportFileError(
      'duplicate-headers',
      {
        zh: `表头重复（指同一列）：${names.join('、')}`,
        en: `headers name the same column more than once: ${names.join(', ')}`,
      },
      names,
    );
  }
  const missing = spec.columns.filter((c) => c.required && !taken.has(c)).map((c) => c.header);
  if (missing.length || unknown.length) {
    const takenColumns = new Set(taken.keys());
    const described = unknown.map((u) => {
      const s = suggestion(spec, u, takenColumns);
      return { u, zh: s ? `${u}（是否应为“${s}”？）` : u, en: s ? `${u} (did you mean ${s}?)` : u };
    });
    const zh: string[] = [];
    const en: string[] = [];
    if (missing.length) {
      zh.push(`缺少必填列：${missing.join('、')}`);
      en.push(`missing required columns: ${missing.join(', ')}`);
    }
    if (unknown.length) {
      zh.push(`无法识别的表头：${described.map((d) => d.zh).join('、')}`);
      en.push(`unknown headers: ${described.map((d) => d.en).join(', ')}`);
    }
    throw new ImportFileError(
      missing.length ? 'missing-headers' : 'unknown-headers',
      { zh: zh.join('；'), en: en.join('; ') },
      [...missing, ...unknown],
    );
  }
  return { columns, headed };
}

function headerNotFirst(row: number): ImportFileError {
  return new ImportFileError('header-not-first-row', {
    zh: `表头必须在第1行，但第${row}行才是表头；请删除表头上方的标题行或空行`,
    en: `the header must be row 1, but it is row ${row}; delete the title or blank rows above it`,
  });
}

const KNOWN_MESSAGES: Record<string, string> = {
  'letters, digits, - and _, at most 64 characters': '只能包含字母、数字、-和_，最长64位',
  'a 6-digit GB/T 2260 division code': '应为6位行政区划代码（GB/T 2260）',
  'a date YYYY-MM-DD': DATE_REASON.zh,
  'term must end after it starts': '任期结束应晚于任期开始',
  'validTo must be after validFrom': '结束日期应晚于开始日期',
  [TEXT_MESSAGES.formula.en]: TEXT_MESSAGES.formula.zh,
  [TEXT_MESSAGES.control.en]: TEXT_MESSAGES.control.zh,
};

const VALIDATORS: Record<string, (v: string) => Reason | null> = {
  idNumber: (v) => validateIdNumber(v),
  phone: validatePhone,
  creditCode: validateCreditCode,
};

function translate(issue: z.core.$ZodIssue, column: ImportColumn | undefined, value: unknown): Reason {
  const en = issue.message;
  const field = column?.field ?? '';
  const item = typeof issue.path[1] === 'number' ? `第${issue.path[1] + 1}项` : '';
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? REQUIRED : { zh: '格式错误', en };
    case 'invalid_value': {
      const labels = choiceLabels(field);
      return { zh: labels.length ? `取值无效（可选：${labels.join('、')}）` : '取值无效', en };
    }
    case 'too_big':
      return {
        zh: issue.origin === 'array' ? `最多${issue.maximum}项` : `${item}不能超过${issue.maximum}个字符`,
        en,
      };
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) <= 1 && !item
        ? REQUIRED
        : { zh: `${item}不能少于${issue.minimum}个${issue.origin === 'array' ? '项' : '字符'}`, en };
    case 'custom':
    case 'invalid_format': {
      const check = VALIDATORS[field];
      const reason = check && typeof value === 'string' ? check(value) : null;
      if (reason) return { zh: reason.zh, en };
      // A list item (需求清单 and the like) is named by its position.
      const at = typeof issue.path[1] === 'number' ? `item ${issue.path[1] + 1} ` : '';
      return { zh: `${item}${KNOWN_MESSAGES[en] ?? '格式错误'}`, en: `${at}${en}` };
    }
    default:
      return { zh: KNOWN_MESSAGES[en] ?? '格式错误', en };
  }
}

const TERM_PAIR: Reason = {
  zh: '任期开始和任期结束须同时填写或同时留空',
  en: 'fill both term start and term end, or neither',
};

/** Turns the row's field values into the command input the schema parses. */
function assemble(
  kind: ImportKind,
  values: Record<string, unknown>,
  fail: (field: string, r: Reason) => void,
) {
  const input: Record<string, unknown> = {};
  for (const [field, v] of Object.entries(values)) if (!field.includes('.')) input[field] = v;
  if (kind === 'orgs') {
    const start = values['term.start'];
    const end = values['term.end'];
    if (start !== undefined && end !== undefined) input.term = { start, end };
    else if (start !== undefined) fail('term.end', TERM_PAIR);
    else if (end !== undefined) fail('term.start', TERM_PAIR);
  }
  if (kind === 'firms') {
    input.kind = 'property-firm';
    // The county is both where the firm is registered and its parent in the tree.
    if (values.county !== undefined) input.parentId = values.county;
  }
  return input;
}

/** The template column a schema issue belongs to. */
function columnOfPath(
  kind: ImportKind,
  spec: KindSpec,
  path: readonly PropertyKey[],
): ImportColumn | undefined {
  const [a, b] = path.map(String);
  if (a === undefined) return undefined;
  if (a === 'term') return spec.byField.get(b === 'start' ? 'term.start' : 'term.end');
  if (kind === 'firms' && a === 'parentId') return spec.byField.get('county');
  return spec.byField.get(a);
}

function validateRow<K extends ImportKind>(
  kind: K,
  spec: KindSpec,
  binding: Binding,
  raw: RawRow,
  tracker: DuplicateTracker,
): ParsedRow<K> {
  const { row } = raw;
  const errors: RowError[] = [];
  const bad = new Set<string>();
  const fail = (column: string, reason: Reason) => {
    if (column && bad.has(column)) return;
    bad.add(column);
    errors.push({ row, column, reason });
  };
  const values: Record<string, unknown> = {};
  for (const [index, column] of binding.columns) {
    const cell = readCell(raw.cells[index], column.type, column.header);
    if ('error' in cell) {
      fail(column.header, cell.error);
    } else if ('value' in cell) {
      const choice = spec.choices.get(column.field);
      const v = cell.value;
      values[column.field] = choice && typeof v === 'string' ? (choice.get(normaliseLabel(v)) ?? v) : v;
    } else if (column.required) {
      fail(column.header, REQUIRED);
    }
  }
  for (const column of spec.columns) {
    if (values[column.field] === undefined && NULL_WHEN_EMPTY.has(column.field) && !bad.has(column.header)) {
      values[column.field] = null;
    }
  }
  raw.cells.forEach((cell, index) => {
    if (binding.headed.has(index) || cell === undefined) return;
    if (typeof cell === 'string' && cell.trim() === '') return;
    const letter = columnLetter(index);
    fail('', {
      zh: `第${letter}列没有表头，却填写了内容`,
      en: `column ${letter} has no header but holds data`,
    });
  });

  const input = assemble(kind, values, (field, reason) => {
    const column = spec.byField.get(field);
    if (column) fail(column.header, reason);
  });
  const result = SCHEMAS[kind].safeParse(input);
  if (!result.success) {
    const before = new Set(bad);
    for (const issue of result.error.issues) {
      const column = columnOfPath(kind, spec, issue.path);
      const header = column?.header ?? '';
      if (before.has(header) && header !== '') continue;
      const field = column?.field;
      const value = field === undefined ? undefined : values[field];
      const reason = translate(issue, column, value);
      if (errors.some((e) => e.column === header && e.reason.zh === reason.zh)) continue;
      bad.add(header);
      errors.push({ row, column: header, reason });
    }
  }
  errors.push(...tracker.check(row, values, bad));
  if (errors.length === 0 && result.success) return { row, command: result.data as CommandOf<K> };
  const order = new Map(spec.columns.map((c, i) => [c.header, i]));
  errors.sort((x, y) => (order.get(x.column) ?? -1) - (order.get(y.column) ?? -1));
  return { row, errors };
}

export interface ParseOptions {
  /** Data rows allowed in one file (default 100,000); more is a file error. */
  maxRows?: number;
  /** XLSX only: the worksheet to read by name (default: the first tab). */
  sheet?: string;
}

/**
 * Parses an import file row by row. Streams: the file is read as the
 * consumer pulls rows, so memory does not grow with the file (an XLSX
 * worksheet is spooled to a temporary file by exceljs when the workbook
 * puts it before its shared strings, and the shared strings are held).
 *
 * Yields, for each non-blank data row, the command or the row's errors.
 * File-level problems throw ImportFileError, possibly after rows were
 * yielded (more than maxRows): the consumer must then discard the file.
 */
export async function* parseImport<K extends ImportKind>(
  kind: K,
  input: NodeJS.ReadableStream,
  format: ImportFormat,
  opts: ParseOptions = {},
): AsyncGenerator<ParsedRow<K>> {
  const spec = specOf(kind);
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const rows = readRows(input, format, { sheet: opts.sheet });
  const next = async () => {
    const n = await rows.next();
    return n.done ? undefined : n.value;
  };
  try {
    let header = await next();
    while (header && isBlankRow(header)) header = await next();
    if (!header) throw new ImportFileError('empty', { zh: '文件没有内容', en: 'the file has no rows' });
    if (knownHeaders(spec, header) === 0) {
      for (let i = 0; i < HEADER_LOOKAHEAD; i++) {
        const r = await next();
        if (!r) break;
        if (knownHeaders(spec, r) >= 2) throw headerNotFirst(r.row);
      }
    } else if (header.row !== 1) {
      throw headerNotFirst(header.row);
    }
    const binding = bindHeaders(spec, header);
    const tracker = DuplicateTracker.forKind(kind);
    let count = 0;
    for (let raw = await next(); raw; raw = await next()) {
      if (isBlankRow(raw)) continue;
      count += 1;
      if (count > maxRows) {
        throw new ImportFileError('too-many-rows', {
          zh: `数据行超过${maxRows}行，请拆分成多个文件导入`,
          en: `more than ${maxRows} data rows; split the file`,
        });
      }
      yield validateRow(kind, spec, binding, raw, tracker);
    }
    if (count === 0) {
      throw new ImportFileError('empty', {
        zh: '文件只有表头，没有数据行',
        en: 'the file has a header but no data rows',
      });
    }
  } finally {
    await rows.return(undefined);
  }
}
