import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';

/** A text cell a spreadsheet would read as a formula gets a leading apostrophe (as check-in's exports). */
export function csvSafeCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export interface Table {
  sheet: string;
  headers: string[];
  rows: (string | number)[][];
}

/** UTF-8 with a BOM (Excel opens it right), CRLF, formula-safe cells. */
export function tableCsv(table: Table): string {
  return (
    '\uFEFF' +
    stringify(
      [table.headers, ...table.rows].map((r) => r.map(csvSafeCell)),
      { record_delimiter: '\r\n' },
    )
  );
}

export async function tableXlsx(table: Table): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Honglian';
  const ws = wb.addWorksheet(table.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = table.headers.map((h) => ({ header: h, width: 18 }));
  ws.getRow(1).font = { bold: true };
  // Values are set as plain strings and numbers, never as formulas.
  for (const row of table.rows) ws.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Sends the table as a CSV or XLSX download. */
export async function sendTable(
  res: Response,
  table: Table,
  name: string,
  format: 'csv' | 'xlsx',
): Promise<void> {
  if (format === 'csv')
    res
      .status(200)
      .type('text/csv; charset=utf-8')
      .setHeader('content-disposition', `attachment; filename="${name}.csv"`)
      .send(tableCsv(table));
  else
    res
      .status(200)
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .setHeader('content-disposition', `attachment; filename="${name}.xlsx"`)
      .send(await tableXlsx(table));
}
