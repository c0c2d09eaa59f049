import { GENERAL_NOTES, IMPORT_TEMPLATES } from './templates.js';
import { IMPORT_KINDS } from './types.js';

const cell = (s: string) => (s === '' ? ' ' : s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' '));

/** IMPORT.md, generated from IMPORT_TEMPLATES so the documentation cannot drift from the parser. */
export function importTemplatesMarkdown(): string {
  const out: string[] = [
    '# Bulk import templates (批量导入模板)',
    '',
    '<!-- Generated from src/imports/templates.ts (IMPORT_TEMPLATES); regenerate with',
    '     `UPDATE_IMPORT_MD=1 npx jest test/imports.templates` and format with prettier. -->',
    '',
    'Each kind is imported from a CSV (UTF-8) or XLSX (first worksheet) file whose first row holds the',
    'headers below; column order does not matter. Templates with an example row are served as',
    '`templateCsv(kind)` / `templateXlsx(kind)`.',
    '',
    '## General rules (通用规则)',
    '',
  ];
  for (const n of GENERAL_NOTES) out.push(`- ${n.zh}`, `  ${n.en}`);
  out.push(
    '- 文件不是UTF-8的CSV或有效的.xlsx、表头不在第1行、缺少必填列、出现无法识别的表头、文件为空、超过最大行数（默认100000行）或工作簿过大时，整个文件被拒绝',
    '  A file that is not UTF-8 CSV or a valid .xlsx, a header not in row 1, a missing required header, an unknown header, an empty file, more than the maximum rows (100,000 by default) or an oversized workbook rejects the whole file.',
    '',
  );
  for (const kind of IMPORT_KINDS) {
    const t = IMPORT_TEMPLATES[kind];
    out.push(
      `## \`${kind}\` — ${t.title.zh} (${t.title.en})`,
      '',
      '| 表头 Header | 字段 Field | 必填 Required | 示例 Example | 也接受的表头 Aliases |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const c of t.columns) {
      const cells = [
        c.header,
        `\`${c.field}\``,
        c.required ? '是 yes' : '否 no',
        c.example ? `\`${c.example}\`` : '',
        c.aliases.join('、'),
      ];
      out.push(`| ${cells.map(cell).join(' | ')} |`);
    }
    out.push('');
    for (const c of t.columns) out.push(`- **${c.header}** — ${c.note.zh}`, `  ${c.note.en}`);
    out.push('');
  }
  return out.join('\n');
}
