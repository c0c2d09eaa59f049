import { pipeline, Readable, Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { RawCell } from './cells.js';
import { ImportFileError, type ImportFormat, type Reason } from './types.js';

/** One spreadsheet row: its number as the user sees it, and its cells from column A. */
export interface RawRow {
  row: number;
  cells: (RawCell | undefined)[];
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** OLE2 compound file: legacy .xls (and .doc). */
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

const XLSX_TYPES = new Set([
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/zip',
  'application/x-zip-compressed',
]);
/** Browsers on Windows send application/vnd.ms-excel for .csv files; octet-stream says nothing. */
const NEUTRAL_TYPES = new Set([
  'application/octet-stream',
  'application/vnd.ms-excel',
  'binary/octet-stream',
]);
const CSV_TYPES = new Set([
  'text/csv',
  'text/plain',
  'application/csv',
  'text/comma-separated-values',
  'text/x-csv',
]);

const UTF16_BOMS = [Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])];

function looksLikeText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  if (UTF16_BOMS.some((bom) => bytes.subarray(0, 2).equals(bom))) return false;
  // A truncated multi-byte sequence at the end of the sample is fine.
  for (let cut = 0; cut <= 3 && cut < bytes.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - cut));
      return true;
    } catch {
      /* try a shorter prefix */
    }
  }
  return bytes.length === 0;
}

/**
 * Which reader fits an upload. The bytes decide (a zip is XLSX, UTF-8 text
 * is CSV); the declared content type only vetoes: a file declared as
 * something else entirely (a PDF, an image) is refused. Legacy .xls, UTF-16
 * and other binaries give null.
 */
export function detectFormat(contentType: string | undefined, firstBytes: Buffer): ImportFormat | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const declared =
    type === '' || NEUTRAL_TYPES.has(type)
      ? 'any'
      : XLSX_TYPES.has(type)
        ? 'xlsx'
        : CSV_TYPES.has(type)
          ? 'csv'
          : 'other';
  if (declared === 'other') return null;
  if (firstBytes.subarray(0, 4).equals(ZIP_MAGIC)) return declared === 'csv' ? null : 'xlsx';
  if (firstBytes.subarray(0, 4).equals(OLE_MAGIC)) return null;
  if (declared === 'xlsx') return null;
  return looksLikeText(firstBytes) ? 'csv' : null;
}

/** The input's bytes, with the first few available up front to check what the file is. */
interface ByteSource {
  head: Buffer;
  chunks: AsyncGenerator<Buffer>;
}

async function openSource(input: NodeJS.ReadableStream, want = 8): Promise<ByteSource> {
  const it = (input as AsyncIterable<string | Buffer>)[Symbol.asyncIterator]();
  const first: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < want) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    first.push(chunk);
    size += chunk.length;
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      yield* first;
      first.length = 0;
      if (done) return;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      }
    } finally {
      // Stops (and for a Readable, destroys) the input when the reader quits early.
      await it.return?.();
    }
  }
  return { head: Buffer.concat(first).subarray(0, want), chunks: chunks() };
}

const EMPTY_FILE: Reason = { zh: '文件是空的', en: 'the file is empty' };
const LEGACY_XLS: Reason = {
  zh: '不支持旧版Excel（.xls）文件，请在Excel中另存为.xlsx后上传',
  en: 'legacy Excel (.xls) files are not supported; save it as .xlsx and upload again',
};
const NOT_UTF8: Reason = {
  zh: '文件不是UTF-8编码（可能是GBK/GB18030）。请在Excel中选择“CSV UTF-8（逗号分隔）”另存，或直接上传.xlsx文件',
  en: 'the file is not UTF-8 (it may be GBK/GB18030); in Excel save it as “CSV UTF-8 (Comma delimited)”, or upload the .xlsx',
};
const NOT_UTF8_UTF16: Reason = {
  zh: '文件是UTF-16编码（Excel的“Unicode文本”），请另存为“CSV UTF-8（逗号分隔）”或.xlsx',
  en: 'the file is UTF-16 (Excel “Unicode Text”); save it as “CSV UTF-8 (Comma delimited)” or .xlsx',
};

/** Which worksheet of a workbook to read: the first tab by default, or the tab with this name. */
export interface SheetChoice {
  sheet?: string;
}

/** Rows of the file, whatever its format; file-level problems are thrown as ImportFileError. */
export async function* readRows(
  input: NodeJS.ReadableStream,
  format: ImportFormat,
  choice: SheetChoice = {},
): AsyncGenerator<RawRow> {
  const source = await openSource(input);
  try {
    const { head } = source;
    if (head.length === 0) throw new ImportFileError('empty', EMPTY_FILE);
    if (head.subarray(0, 4).equals(OLE_MAGIC)) throw new ImportFileError('legacy-xls', LEGACY_XLS);
    const isZip = head.subarray(0, 4).equals(ZIP_MAGIC);
    if (format === 'xlsx') {
      if (!isZip) {
        throw new ImportFileError('not-xlsx', {
          zh: '文件不是有效的.xlsx工作簿',
          en: 'the file is not an .xlsx workbook',
        });
      }
      yield* xlsxRows(source.chunks, choice.sheet);
    } else {
      if (isZip) {
        throw new ImportFileError('not-csv', {
          zh: '文件是.xlsx工作簿而不是CSV，请按.xlsx上传',
          en: 'the file is an .xlsx workbook, not CSV; upload it as .xlsx',
        });
      }
      if (UTF16_BOMS.some((bom) => head.subarray(0, 2).equals(bom))) {
        throw new ImportFileError('not-utf8', NOT_UTF8_UTF16);
      }
      yield* csvRows(source.chunks);
    }
  } finally {
    await source.chunks.return(undefined);
  }
}

async function* utf8Text(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  // fatal: any byte sequence that is not UTF-8 fails; the BOM is dropped.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of chunks) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch (err) {
      throw new ImportFileError('not-utf8', NOT_UTF8, [], { cause: err });
    }
    if (text.includes('\u0000')) {
      throw new ImportFileError('not-csv', {
        zh: '文件不是文本格式的CSV',
        en: 'the file is not a text (CSV) file',
      });
    }
    if (text) yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (err) {
    throw new ImportFileError('not-utf8', NOT_UTF8, [], { cause: err });
  }
}

/** A record longer than this is not a spreadsheet row (and would be a way to exhaust memory). */
const MAX_RECORD_BYTES = 1 << 20;

async function* csvRows(chunks: AsyncIterable<Buffer>): AsyncGenerator<RawRow> {
  const parser = parseCsv({
    relax_column_count: true,
    relax_quotes: true,
    // Files edited by hand mix line ends; each is one row break as Excel sees it.
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: MAX_RECORD_BYTES,
  });
  const text = Readable.from(utf8Text(chunks), { objectMode: false });
  text.on('error', (err) => parser.destroy(err));
  text.pipe(parser);
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row += 1;
      yield { row, cells: record };
    }
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    const code = (err as { code?: string }).code;
    throw new ImportFileError(
      'malformed',
      code === 'CSV_QUOTE_NOT_CLOSED'
        ? {
            zh: `CSV格式错误：第${row + 1}行起的引号没有闭合`,
            en: `malformed CSV: a quote opened in row ${row + 1} is never closed`,
          }
        : code === 'CSV_MAX_RECORD_SIZE'
          ? { zh: `CSV格式错误：第${row + 1}行过长`, en: `malformed CSV: row ${row + 1} is too long` }
          : {
              zh: `CSV格式错误（第${row + 1}行）`,
              en: `malformed CSV at row ${row + 1}: ${(err as Error).message}`,
            },
      [],
      { cause: err },
    );
  } finally {
    text.destroy();
    parser.destroy();
  }
}

type ExcelValue = ExcelJS.CellValue | undefined;

function richText(v: { richText: { text: string }[] }): string {
  return v.richText.map((r) => r.text ?? '').join('');
}

/** Date formats have y, m or d outside quoted literals and [colour]/[locale] sections. */
function isDateFormat(numFmt: string | undefined): boolean {
  return !!numFmt && /[ymd]/i.test(numFmt.replace(/"[^"]*"|\[[^\]]*\]|\\./g, ''));
}

function excelSerialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}

function xlsxCell(value: ExcelValue, numFmt: string | undefined, date1904: boolean): RawCell | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || value instanceof Date) return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value !== 'object') return String(value);
  if ('richText' in value && Array.isArray(value.richText)) return richText(value);
  if ('error' in value) {
    return { problem: { zh: `单元格是错误值${value.error}`, en: `the cell holds the error ${value.error}` } };
  }
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as { result?: unknown }).result;
    if (result === undefined || result === null || (typeof result === 'number' && Number.isNaN(result))) {
      return {
        problem: {
          zh: '公式单元格没有计算结果，请把公式转为数值后再导入',
          en: 'a formula cell without a computed result; paste it as values before importing',
        },
      };
    }
    if (typeof result === 'number' && isDateFormat(numFmt)) return excelSerialToDate(result, date1904);
    return xlsxCell(result as ExcelValue, undefined, date1904);
  }
  if ('text' in value) {
    const text = (value as { text: unknown }).text;
    return typeof text === 'string' ? text : xlsxCell(text as ExcelValue, numFmt, date1904);
  }
  return undefined;
}

interface StreamWorksheet extends AsyncIterable<ExcelJS.Row> {
  id: number | string;
  name?: string;
  iterator?: { source?: { destroy?: () => void } };
}

/** The parts of exceljs 4.4's streaming reader that decode XML entries (not in its typings). */
interface ReaderInternals {
  _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: AsyncIterable<unknown>, sheetNo: string): Generator<unknown>;
}

/**
 * Bounds on what a workbook may make the reader hold: the shared-string
 * table is kept whole (cells refer to it by index), and one row is parsed
 * whole. Both far above real registers (100,000 members ≈ 30 MB of shared
 * strings, a row ≈ 1 KB), well below what would exhaust memory.
 */
const MAX_SHARED_STRINGS_CHARS = 256 * 1024 * 1024;
const MAX_ROW_XML_CHARS = 8 * 1024 * 1024;

const tooLarge = (what: Reason) =>
  new ImportFileError('too-large', {
    zh: `工作簿过大：${what.zh}，请拆分后再导入`,
    en: `the workbook is too large: ${what.en}; split it`,
  });

/** Worksheet XML as text, decoded across chunk boundaries; `source` lets a skipped sheet be closed. */
function utf8Xml(source: AsyncIterable<unknown>): AsyncGenerator<string> & { source: unknown } {
  async function* decode(): AsyncGenerator<string> {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let sinceRowEnd = 0;
    for await (const chunk of source) {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
      const end = text.lastIndexOf('</row>');
      sinceRowEnd = end >= 0 ? text.length - end : sinceRowEnd + text.length;
      if (sinceRowEnd > MAX_ROW_XML_CHARS)
        throw tooLarge({ zh: '某一行超过8MB', en: 'a row holds more than 8 MB' });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  }
  return Object.assign(decode(), { source });
}

const BaseReader = ExcelJS.stream.xlsx.WorkbookReader;
const base = BaseReader.prototype as unknown as ReaderInternals;

/**
 * exceljs 4.4's streaming reader decodes each inflated chunk of XML on its
 * own, so a multi-byte character split across two chunks turns into U+FFFD
 * (exceljs issues #2063, #2084, #2316; fix PRs #1665, #2081 unmerged): with
 * Chinese text that silently garbles a name or a label every few thousand
 * rows. This reader hands exceljs text decoded across chunk boundaries.
 */
class Utf8WorkbookReader extends BaseReader {
  _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncGenerator<unknown> {
    // Decoded (across chunk boundaries) and measured on the way to exceljs.
    const decoder = new StringDecoder('utf8');
    let size = 0;
    const text = new Transform({
      readableObjectMode: true,
      transform(chunk: Buffer, _encoding, done) {
        const part = decoder.write(chunk);
        size += part.length;
        if (size > MAX_SHARED_STRINGS_CHARS) {
          done(tooLarge({ zh: '共享文本表超过256MB', en: 'its shared strings exceed 256 MB' }));
        } else done(null, part || undefined);
      },
      flush(done) {
        done(null, decoder.end() || undefined);
      },
    });
    pipeline(entry, text, () => {
      /* errors reach exceljs through `text` */
    });
    return base._parseSharedStrings.call(this, text);
  }

  _parseWorksheet(iterator: AsyncIterable<unknown>, sheetNo: string): Generator<unknown> {
    return base._parseWorksheet.call(this, utf8Xml(iterator), sheetNo);
  }
}

function workbookReader(chunks: AsyncIterable<Buffer>) {
  const stream = Readable.from(chunks, { objectMode: false });
  const reader = new Utf8WorkbookReader(stream, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles tell date cells from numbers.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  return { stream, reader };
}

/**
 * Stops reading a worksheet we do not want. A sheet exceljs spooled to a
 * temporary file is read from a file stream that exceljs deletes right
 * after: the stream may still be opening, so its late ENOENT is swallowed.
 */
function skip(sheet: StreamWorksheet): void {
  const source = sheet.iterator?.source as
    { destroy?: () => void; on?: (event: 'error', listener: () => void) => void } | undefined;
  source?.on?.('error', () => undefined);
  source?.destroy?.();
}

const DAMAGED: Reason = {
  zh: '文件不是有效的.xlsx工作簿（可能已损坏）',
  en: 'the file is not a valid .xlsx workbook (it may be damaged)',
};

/** The names of a workbook's worksheets in tab order (reads the file through once, skipping every sheet). */
export async function listWorksheets(input: NodeJS.ReadableStream): Promise<string[]> {
  const source = await openSource(input);
  if (source.head.length === 0) throw new ImportFileError('empty', EMPTY_FILE);
  if (!source.head.subarray(0, 4).equals(ZIP_MAGIC)) {
    await source.chunks.return(undefined);
    throw new ImportFileError('not-xlsx', {
      zh: '文件不是有效的.xlsx工作簿',
      en: 'the file is not an .xlsx workbook',
    });
  }
  const { stream, reader } = workbookReader(source.chunks);
  try {
    for await (const sheet of reader as AsyncIterable<unknown> as AsyncIterable<StreamWorksheet>) skip(sheet);
    return (reader.model?.sheets ?? []).map((s: { name?: string }) => String(s.name ?? ''));
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw new ImportFileError('not-xlsx', DAMAGED, [], { cause: err });
  } finally {
    stream.destroy();
    await source.chunks.return(undefined);
  }
}

async function* xlsxRows(chunks: AsyncIterable<Buffer>, sheetName?: string): AsyncGenerator<RawRow> {
  const { stream, reader } = workbookReader(chunks);
  let found = false;
  try {
    for await (const sheet of reader as AsyncIterable<unknown> as AsyncIterable<StreamWorksheet>) {
      if (sheetName !== undefined) {
        // A named tab (a workbook holding several kinds).
        if (sheet.name !== sheetName) {
          skip(sheet);
          continue;
        }
      } else {
        // The first tab in workbook order, whatever order the zip holds the sheets in.
        const firstTab = reader.model?.sheets?.[0];
        if (firstTab && String(sheet.id) !== String(firstTab.id)) {
          skip(sheet);
          continue;
        }
      }
      found = true;
      const date1904 = !!(reader as unknown as { properties?: { model?: { date1904?: boolean } } }).properties
        ?.model?.date1904;
      for await (const row of sheet) {
        const values = row.values as ExcelValue[];
        const cells: (RawCell | undefined)[] = [];
        for (let c = 1; c < values.length; c++) {
          const v = values[c];
          if (v === undefined || v === null) continue;
          // The number format only matters for formula results (a date formula yields a bare number).
          const numFmt = typeof v === 'object' && !(v instanceof Date) ? row.getCell(c).numFmt : undefined;
          cells[c - 1] = xlsxCell(v, numFmt, date1904);
        }
        yield { row: row.number, cells };
      }
      break;
    }
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw new ImportFileError('not-xlsx', DAMAGED, [], { cause: err });
  } finally {
    stream.destroy();
  }
  if (!found) {
    throw new ImportFileError(
      'no-worksheet',
      sheetName === undefined
        ? { zh: '工作簿中没有工作表', en: 'the workbook has no worksheet' }
        : {
            zh: `工作簿中没有名为“${sheetName}”的工作表`,
            en: `the workbook has no worksheet named ${sheetName}`,
          },
    );
  }
}
