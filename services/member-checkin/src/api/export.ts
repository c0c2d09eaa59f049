import ExcelJS from 'exceljs';
import { rowsCsv } from '@honglian/service-kit/tables';
import type { FeedbackSheet, MemberRow } from '../domain/feedback.js';

const HEADERS = [
  '党员编号 Member id',
  '姓名 Name',
  '类别 Category',
  '居住地社区 Residence community',
  '居住地报到状态 Status',
  '居住地活动次数 Attendances',
  '居住地服务时长(小时) Hours',
  '单位联系社区 Work-linked community',
  '单位联系社区报到状态 Status',
  '单位联系社区活动次数 Attendances',
  '单位联系社区服务时长(小时) Hours',
  '活动总次数 Total attendances',
  '服务总时长(小时) Total hours',
  '已双报到 Reported',
  '已履职 Completed',
  '报而不到 No-show',
  '评议上限 Rating ceiling',
  '提示 Flags',
];

const yesNo = (v: boolean) => (v ? '是' : '否');

function memberCells(row: MemberRow): (string | number)[] {
  const cells: (string | number)[] = [row.memberId, row.name, row.category];
  for (const kind of ['residence', 'work'] as const) {
    const r = row.reports.find((x) => x.kind === kind);
    cells.push(r?.communityName ?? '', r ? r.status : '未报到', r?.attendances ?? 0, r?.hours ?? 0);
  }
  cells.push(
    row.attendances,
    row.hours,
    yesNo(row.reported),
    yesNo(row.completed),
    yesNo(row.noShow),
    row.ratingCeiling === 'basic' ? '基本合格' : '',
    row.flags.map((f) => f.zh).join('；'),
  );
  return cells;
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

function summaryLines(sheet: FeedbackSheet): (string | number)[][] {
  return [
    [],
    ['单位 Unit', sheet.unitName ?? sheet.unitId, sheet.unitId],
    ['期间 Period', sheet.period.label],
    ['党员数 Members', sheet.totals.members],
    ['报到率 Report rate', pct(sheet.totals.reportRate)],
    ['履职完成率 Completion rate', pct(sheet.totals.completionRate)],
    ['阈值 Threshold', pct(sheet.threshold)],
    ['预警 Red flag', sheet.redFlag ? sheet.redFlags.map((f) => f.zh).join('；') : '否'],
    // A community's view holds only its own rows: say so wherever the file travels.
    ['范围 Scope', sheet.view === 'community' ? '仅本社区的报到 Own communities only' : '全单位 Whole unit'],
  ];
}

/** The sheet as CSV: UTF-8 with a BOM (Excel opens it right), CRLF, formula-safe cells. */
export function feedbackCsv(sheet: FeedbackSheet): string {
  return rowsCsv([HEADERS, ...sheet.members.map(memberCells), ...summaryLines(sheet)]);
}

/** The sheet as a workbook: 反馈单 (one row per member) and 汇总 (rates and flags). */
export async function feedbackXlsx(sheet: FeedbackSheet): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Honglian';
  const ws = wb.addWorksheet('反馈单', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = HEADERS.map((h, i) => ({ header: h, width: i === HEADERS.length - 1 ? 60 : 16 }));
  ws.getRow(1).font = { bold: true };
  // Text stays text: values are set as plain strings/numbers, never as formulas.
  for (const row of sheet.members) ws.addRow(memberCells(row));
  const summary = wb.addWorksheet('汇总');
  summary.columns = [{ width: 28 }, { width: 40 }, { width: 24 }];
  for (const line of summaryLines(sheet).slice(1)) summary.addRow(line);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
