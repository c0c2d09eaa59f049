import { z } from 'zod';

/**
 * Free text a person typed (names, titles, places, posts, reasons).
 *
 * Refused at input, not cleaned later:
 * - control characters (C0 such as NUL, CR, LF, tab; DEL; C1), which break
 *   logs, CSV rows and the console's layout;
 * - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and
 *   U+200E/U+200F marks, which make a name read differently from what is stored;
 * - a leading = + - @ (after trimming), which a spreadsheet runs as a formula
 *   when an export is opened (CSV/formula injection).
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
export const FORMULA_START = /^[=+\-@]/;

export const TEXT_MESSAGES = {
  control: {
    zh: '不能包含控制字符或文字方向控制符',
    en: 'must not contain control characters or text-direction overrides',
  },
  formula: {
    zh: '不能以=、+、-或@开头（电子表格会把它当作公式执行）',
    en: 'must not start with = + - or @ (a spreadsheet would run it as a formula)',
  },
} as const;

/**
 * The reason a piece of text is refused, or null when it is plain text. `multiline`: line feeds
 * are allowed (every other control character still is not). The formula rule is about the start
 * of the value, the start of a spreadsheet cell, so a later line may begin with "- " (a list).
 */
export function plainTextProblem(
  value: string,
  opts: { multiline?: boolean } = {},
): keyof typeof TEXT_MESSAGES | null {
  const lines = opts.multiline ? value.split('\n') : [value];
  if (lines.some((l) => CONTROL_OR_BIDI.test(l))) return 'control';
  if (FORMULA_START.test(value)) return 'formula';
  return null;
}

/**
 * A trimmed text of 1..max characters that is safe to store, log and export: one line, or with
 * `multiline` several (CRLF and lone CR normalised to LF before the checks; no other control
 * character), for text that is genuinely multi-line such as an activity's description.
 */
export function plainText(max: number, min = 1, opts: { multiline?: boolean } = {}) {
  const text = opts.multiline ? z.string().overwrite((v) => v.replace(/\r\n?/g, '\n')) : z.string();
  return text
    .trim()
    .min(min)
    .max(max)
    .superRefine((v, ctx) => {
      const problem = plainTextProblem(v, opts);
      if (problem) ctx.addIssue({ code: 'custom', message: TEXT_MESSAGES[problem].en });
    });
}
