/**
 * Bulk import, parsing half: spreadsheet (CSV/XLSX) rows → registry
 * commands or per-row errors. No database here; the importer that applies
 * the commands decides what to do with a file that has errors.
 */
export {
  ImportFileError,
  IMPORT_KINDS,
  type CommandMap,
  type CommandOf,
  type ImportFileErrorCode,
  type ImportFormat,
  type ImportKind,
  type ParsedRow,
  type Reason,
  type RowError,
} from './types.js';
export { parseImport, DEFAULT_MAX_ROWS, type ParseOptions } from './parse.js';
export { detectFormat, listWorksheets } from './readers.js';
export {
  IMPORT_TEMPLATES,
  IGNORED_HEADERS,
  GENERAL_NOTES,
  templateCsv,
  templateXlsx,
  templateWorkbookXlsx,
  type CellType,
  type ImportColumn,
  type ImportTemplate,
} from './templates.js';
export { DuplicateTracker, DUPLICATE_KEYS, type DuplicateKey } from './duplicates.js';
export { csvSafeCell } from './cells.js';
export { importTemplatesMarkdown } from './docs.js';
export { planWorkbook, sheetKind, WORKBOOK_ORDER, IGNORED_SHEETS, type WorkbookPlan } from './workbook.js';
