import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';

/**
 * For CSV exports: a text cell a spreadsheet would read as a formula (starting with = + - @, tab
 * or CR) gets a leading apostrophe, so a member named `=HYPERLINK(...)` shows as text instead of
 * running. Numbers are left alone (a number's text is never a formula); null/undefined become ''.
 */
export function csvSafeCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Rows as CSV the way every export sends it: UTF-8 with a BOM (Excel opens it right), CRLF, formula-safe cells. */
export function rowsCsv(rows: unknown[][]): string {
  return (
    '\uFEFF' +
    stringify(
      rows.map((r) => r.map(csvSafeCell)),
      { record_delimiter: '\r\n' },
    )
  );
}

/** A list as a table: bilingual headers, then one row of cells per record. */
export interface Table {
  /** Worksheet name (zh). */
  sheet: string;
  headers: string[];
  rows: (string | number)[][];
}

export function tableCsv(table: Table): string {
  return rowsCsv([table.headers, ...table.rows]);
}

/** The table as a workbook of one frozen-header sheet; values are set as plain strings and numbers, never as formulas. */
export async function tableXlsx(table: Table): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Honglian';
  const ws = wb.addWorksheet(table.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = table.headers.map((h) => ({ header: h, width: 18 }));
  ws.getRow(1).font = { bold: true };
  for (const row of table.rows) ws.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Sends the table as a CSV or XLSX download named `<name>.<format>`. */
export async function sendTable(
  res: Response,
  table: Table,
  name: string,
  format: 'csv' | 'xlsx',
): Promise<void> {
  res.status(200).setHeader('content-disposition', `attachment; filename="${name}.${format}"`);
  if (format === 'csv') res.type('text/csv; charset=utf-8').send(tableCsv(table));
  else
    res
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .send(await tableXlsx(table));
}
