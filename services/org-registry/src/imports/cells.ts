import { dayOf, isValidDay } from '../domain/effective.js';
import { normalisePhone, normaliseTypedIdNumber, normaliseTypedPhone } from '../domain/identifiers.js';
import type { CellType } from './templates.js';
import type { Reason } from './types.js';

/** The kit's formula-safe export cell, here where imports and templates reach for it. */
export { csvSafeCell } from '@honglian/service-kit/tables';

/** A cell as a reader hands it over: text, a number, an Excel date, or a problem found reading it. */
export type RawCell = string | number | Date | { problem: Reason };

/** What a cell contributes to a row: nothing, a value, or the reason it cannot be used. */
export type CellValue = { empty: true } | { value: string | string[] } | { error: Reason };

const EMPTY: CellValue = { empty: true };
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;

export const REQUIRED: Reason = { zh: '必填', en: 'required' };
export const DATE_REASON: Reason = {
  zh: '日期格式应为YYYY-MM-DD（也可写作YYYY/M/D或YYYY年M月D日）',
  en: 'a date YYYY-MM-DD',
};

/** `2024-3-1`, `2024/3/1`, `2024.3.1`, `2024年3月1日` (optionally with a time after it) → `2024-03-01`; null if not a date. */
export function parseDayText(text: string): string | null {
  const m =
    /^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.exec(
      text,
    );
  if (!m) return null;
  const day = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isValidDay(day) ? day : null;
}

/**
 * An Excel date cell as a registry day. exceljs hands over a Date; the day is
 * taken in China Standard Time (UTC+8), which is right both for a typed date
 * (stored at midnight) and for a workbook written from CST-midnight instants.
 */
export function excelDay(date: Date): string | null {
  return Number.isNaN(date.getTime()) ? null : dayOf(date);
}

/** Excel keeps 15 significant digits: a larger number in an identifier column has lost its tail. */
const EXACT_DIGITS = 15;

function numericIdentifier(type: CellType, n: number, header: string): CellValue {
  const integer = Number.isInteger(n) && n >= 0 && String(n).length <= EXACT_DIGITS && !/e/i.test(String(n));
  switch (type) {
    case 'id-number':
    case 'credit-code':
      return {
        error: {
          zh: `${header}被Excel存成了数字，号码已失真（Excel只保留15位有效数字）；请把该列设为“文本”格式后重新输入`,
          en: `${type === 'id-number' ? 'ID number' : 'credit code'} was stored by Excel as a number and has lost digits (Excel keeps 15); format the column as Text and type it again`,
        },
      };
    case 'phone':
    case 'code':
    case 'county':
      return integer
        ? { value: String(n) }
        : {
            error: {
              zh: `${header}被Excel存成了数字（${n}），可能已失真；请把该列设为“文本”格式后重新输入`,
              en: `stored by Excel as the number ${n}, which may have lost digits; format the column as Text and type it again`,
            },
          };
    default:
      return { value: String(n) };
  }
}

/** Splits a list cell on ；; 、 and line breaks; blank items are dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[；;、\r\n]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Reads one cell for a column: trims, drops invisible characters, turns
 * dates into `YYYY-MM-DD`, refuses identifiers Excel has turned into
 * (possibly mangled) numbers, splits lists. Validation proper is the
 * command schema's job; an unparseable date is passed on as typed so the
 * schema reports it.
 */
export function readCell(raw: RawCell | undefined, type: CellType, header: string): CellValue {
  if (raw === undefined) return EMPTY;
  if (typeof raw === 'object' && !(raw instanceof Date)) return { error: raw.problem };
  if (raw instanceof Date) {
    const day = excelDay(raw);
    return day ? { value: type === 'list' ? [day] : day } : { error: DATE_REASON };
  }
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return { error: { zh: '格式错误', en: 'not a number Excel can store' } };
    if (type === 'date') return { error: DATE_REASON };
    const v = numericIdentifier(type, raw, header);
    if (!('value' in v)) return v;
    if (type === 'phone') return { value: normalisePhone(String(v.value)) };
    return type === 'list' ? { value: [String(v.value)] } : v;
  }
  let text = raw.replace(INVISIBLE, '').trim();
  if (text === '') return EMPTY;
  switch (type) {
    case 'text':
      return { value: text };
    case 'list': {
      const items = splitList(text);
      return items.length ? { value: items } : EMPTY;
    }
    case 'date':
      text = text.normalize('NFKC');
      return { value: parseDayText(text) ?? text };
    case 'id-number':
      return { value: normaliseTypedIdNumber(text) };
    case 'credit-code':
      return { value: text.normalize('NFKC').replace(/\s+/g, '').toUpperCase() };
    case 'phone':
      return { value: normaliseTypedPhone(text) };
    case 'code':
    case 'county':
    case 'choice':
      return { value: text.normalize('NFKC').trim() };
  }
}
