import { IMPORT_TEMPLATES } from './templates.js';
import { IMPORT_KINDS, type ImportKind, type Reason } from './types.js';

/**
 * A whole city in one workbook: one worksheet per kind, named like the
 * templates' sheets (组织, 物业企业, 物业服务合同, 结对共建, 党员) or by the
 * kind's code (orgs, firms, …). Sheets are imported in dependency order
 * whatever their tab order; a sheet of instructions (说明) is ignored.
 */
export const WORKBOOK_ORDER: readonly ImportKind[] = IMPORT_KINDS;

/** Tabs a workbook may carry besides the data sheets. */
export const IGNORED_SHEETS: readonly string[] = ['说明', '填写说明', '使用说明', 'instructions', 'readme'];

const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();

/** The kind a worksheet holds, by its name; undefined when the name is not a kind's. */
export function sheetKind(name: string): ImportKind | undefined {
  const n = norm(name);
  return IMPORT_KINDS.find(
    (k) => n === k || n === norm(IMPORT_TEMPLATES[k].title.zh) || n === norm(IMPORT_TEMPLATES[k].title.en),
  );
}

export interface WorkbookPlan {
  sheets: { name: string; kind: ImportKind }[];
  problem?: Reason;
}

/** Which sheets to import in which order, or why the workbook cannot be imported. Pure. */
export function planWorkbook(names: readonly string[]): WorkbookPlan {
  const byKind = new Map<ImportKind, string[]>();
  const unknown: string[] = [];
  for (const name of names) {
    const kind = sheetKind(name);
    if (kind) byKind.set(kind, [...(byKind.get(kind) ?? []), name]);
    else if (!IGNORED_SHEETS.includes(norm(name))) unknown.push(name);
  }
  const expected = WORKBOOK_ORDER.map((k) => IMPORT_TEMPLATES[k].title.zh).join('、');
  if (unknown.length) {
    return {
      sheets: [],
      problem: {
        zh: `无法识别的工作表：${unknown.join('、')}（工作表应命名为：${expected}）`,
        en: `unknown worksheets: ${unknown.join(', ')} (name them ${WORKBOOK_ORDER.join(', ')} or ${expected})`,
      },
    };
  }
  const repeated = [...byKind.values()].find((v) => v.length > 1);
  if (repeated) {
    return {
      sheets: [],
      problem: {
        zh: `工作表重复：${repeated.join('、')}`,
        en: `worksheets for the same kind: ${repeated.join(', ')}`,
      },
    };
  }
  const sheets = WORKBOOK_ORDER.filter((k) => byKind.has(k)).map((k) => ({
    name: byKind.get(k)![0]!,
    kind: k,
  }));
  if (sheets.length === 0) {
    return {
      sheets,
      problem: {
        zh: `工作簿中没有可导入的工作表（应命名为：${expected}）`,
        en: 'the workbook has no sheet to import',
      },
    };
  }
  return { sheets };
}
