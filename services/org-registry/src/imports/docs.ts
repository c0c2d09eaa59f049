import { GENERAL_NOTES, IMPORT_TEMPLATES } from './templates.js';
import { IMPORT_KINDS } from './types.js';
import { WORKBOOK_ORDER } from './workbook.js';

/** Files up to this many rows are applied in one transaction: all or nothing. */
export const SINGLE_TRANSACTION_ROWS = 10_000;
/** A workbook is validated and applied in one transaction, so its size is capped. */
export const MAX_WORKBOOK_ROWS = 20_000;

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
    'headers below; column order does not matter. Templates with an example row are served at',
    '`GET /api/v1/registry/imports/templates/<kind>.csv` and `…/<kind>.xlsx` (e.g. `members.xlsx`), and',
    '`…/workbook.xlsx` for a whole city in one workbook.',
    '',
    '## Importing (导入)',
    '',
    '`POST /api/v1/registry/imports?kind=<kind>&dryRun=true|false` with the file as the request body',
    '(`Content-Type: text/csv` or the XLSX type). `dryRun=true` (the default) validates every row and',
    'writes nothing; the report lists each error with its row, column and reason in zh-CN and en.',
    '`dryRun=false` applies the file only when it has no error at all, and is idempotent: a row equal',
    'to what is registered (within your scope) counts as `unchanged`, so sending the same file again',
    'changes nothing. Each row is checked as the same API request would be (README, Cross-county links',
    'and Input sanity: plausible dates and ages, one owners’ committee per compound).',
    'Parents must come before their children (an earlier row, or already registered); import the kinds',
    'in the order below (orgs, firms, contracts, pairings, members).',
    '',
    '- The report says what the request applied: `applied` (true only when status is `applied`),',
    '  `created` (rows this request created: 0 for a dry run or a rejected file) and `unchanged`; what the',
    '  file would do is under `planned` (`created`, `unchanged`), also per sheet. A dry run answers 200',
    '  with status `valid` or `invalid`. A file sent with `dryRun=false` that has any row error applies',
    '  nothing and is refused with `422` (problem+json, reason in zh/en) whose `report` is that report',
    '  (`applied: false`, `created: 0`); as a job it ends `failed` with that problem.',
    `- Files of up to ${SINGLE_TRANSACTION_ROWS.toLocaleString('en')} rows are applied in one transaction: all or nothing.`,
    '  A larger member file (they import in the tens of thousands) is validated in full first and then',
    '  applied in transactions of 1,000 rows; should a concurrent change make one fail, the request',
    '  answers 409 and sending the same file again finishes it (rows already applied are unchanged).',
    `- \`kind=workbook\`: one .xlsx whose worksheets are named ${WORKBOOK_ORDER.map((k) => `${IMPORT_TEMPLATES[k].title.zh} (\`${k}\`)`).join(', ')}`,
    '  (any subset; a 说明 sheet is ignored, any other name rejects the file). The sheets are validated',
    `  and applied in that order in one transaction, so members may refer to orgs of the same workbook;`,
    `  at most ${MAX_WORKBOOK_ROWS.toLocaleString('en')} rows in all. Errors name their \`sheet\`.`,
    '- A file larger than `IMPORT_MAX_BYTES` (default 50 MB) is refused with 413, a body that is neither',
    '  CSV nor XLSX with 415, a file that cannot be read as a whole (below) with 422; nothing is written.',
    '- A large file takes longer than a gateway or browser waits (50,000 members: about two minutes here).',
    '  Send it with `Prefer: respond-async`: the answer is at once `202` with the job as `Location`',
    '  (`/api/v1/registry/imports/jobs/<id>`); poll it until `status` is `done` (with the `report`',
    '  above), `failed` (with the `problem` the request would have answered) or `interrupted` (the',
    '  service stopped meanwhile: send the file again, which finishes it).',
    '- An import record (`GET /imports/<importId>`) and a job are placed where the file was uploaded',
    "  (the uploader's county and org subtree) and read like that place's records: community staff see",
    '  those of their subtree, a county admin those of the county, the city admin all; any other id',
    '  answers 404. The same file sent from another place is another import, with its own record.',
    '- An ID number already registered outside your scope is refused, row by row, with a reason that',
    '  does not say where; the city admin is asked to review each such attempt (dry runs too).',
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
