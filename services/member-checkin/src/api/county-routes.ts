import { REPORT_KINDS } from '@honglian/contracts';
import type { ApiRouter } from '@honglian/service-kit';
import type { CountyViews, Listing, LowHoursRow, NoShowRow, OverdueRow } from '../app/county-views.js';
import type { FeedbackSheet } from '../domain/feedback.js';
import { parsePeriod, type Period } from '../domain/period.js';
import { MANAGERS } from '../domain/scope.js';
import {
  LowHoursList,
  LowHoursQuery,
  NoShowList,
  NoShowQuery,
  OverdueList,
  OverdueQuery,
  UnitSheetList,
  UnitSheetsQuery,
} from './county-schemas.js';
import { sendTable, type Table } from '@honglian/service-kit/tables';

/** Rows a file export holds at most (a county's list; beyond that, filter). */
const EXPORT_LIMIT = 100_000;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const periodView = (p: Period) => ({ label: p.label, from: p.from.toISOString(), to: p.to.toISOString() });

const noShowRow = ({ report: r, daysWithout }: NoShowRow) => ({
  reportId: r._id,
  memberId: r.memberId,
  memberName: r.memberName,
  county: r.county,
  kind: r.kind,
  kindLabel: REPORT_KINDS[r.kind],
  communityId: r.communityId,
  communityName: r.communityName,
  activatedAt: iso(r.activatedAt),
  lastAttendanceAt: iso(r.lastAttendanceAt),
  noShowSince: iso(r.noShowSince),
  daysWithoutAttendance: daysWithout,
});

const overdueRow = (r: OverdueRow) => ({
  memberId: r.memberId,
  memberName: r.memberName,
  county: r.county,
  workUnitId: r.workUnitId,
  workUnitName: r.workUnitName,
  kind: r.kind,
  kindLabel: REPORT_KINDS[r.kind],
  communities: r.communities,
  since: r.since,
  dueOn: r.dueOn,
  daysOverdue: r.daysOverdue,
});

const lowHoursRow = (r: LowHoursRow) => ({
  memberId: r.memberId,
  memberName: r.memberName,
  county: r.county,
  workUnitId: r.workUnitId,
  workUnitName: r.workUnitName,
  hours: r.hours,
  attendances: r.attendances,
  expected: r.expected,
  shortfall: r.shortfall,
});

const unitRow = (s: FeedbackSheet) => ({
  unitId: s.unitId,
  unitName: s.unitName,
  ...s.totals,
  redFlag: s.redFlag,
  redFlags: s.redFlags,
});

const WHO = ['党员编号 Member id', '姓名 Name', '区县 County', '工作单位 Work unit'];

const TABLES = {
  noShows: (rows: ReturnType<typeof noShowRow>[]): Table => ({
    sheet: '报而不到',
    headers: [
      '报到编号 Report id',
      ...WHO.slice(0, 3),
      '类别 Kind',
      '社区 Community',
      '报到生效 Activated',
      '最近参加活动 Last attendance',
      '报而不到起 Flagged since',
      '未参加活动天数 Days without attendance',
    ],
    rows: rows.map((r) => [
      r.reportId,
      r.memberId,
      r.memberName,
      r.county,
      r.kindLabel.zh,
      r.communityName,
      r.activatedAt ?? '',
      r.lastAttendanceAt ?? '',
      r.noShowSince ?? '',
      r.daysWithoutAttendance,
    ]),
  }),
  overdue: (rows: ReturnType<typeof overdueRow>[]): Table => ({
    sheet: '逾期未报到',
    headers: [
      ...WHO,
      '类别 Kind',
      '应报到社区 Communities',
      '起算日 Since',
      '截止日 Due',
      '逾期天数 Days overdue',
    ],
    rows: rows.map((r) => [
      r.memberId,
      r.memberName,
      r.county,
      r.workUnitName ?? r.workUnitId ?? '',
      r.kindLabel.zh,
      r.communities.map((c) => c.name ?? c.id).join('；'),
      r.since,
      r.dueOn,
      r.daysOverdue,
    ]),
  }),
  lowHours: (rows: ReturnType<typeof lowHoursRow>[]): Table => ({
    sheet: '服务时长不足',
    headers: [
      ...WHO,
      '服务时长(小时) Hours',
      '活动次数 Attendances',
      '应达(小时) Expected',
      '差额 Shortfall',
    ],
    rows: rows.map((r) => [
      r.memberId,
      r.memberName,
      r.county,
      r.workUnitName ?? r.workUnitId ?? '',
      r.hours,
      r.attendances,
      r.expected,
      r.shortfall,
    ]),
  }),
  units: (rows: ReturnType<typeof unitRow>[]): Table => ({
    sheet: '单位报到预警',
    headers: [
      '单位编号 Unit id',
      '单位 Unit',
      '党员数 Members',
      '已报到 Reported',
      '已履职 Completed',
      '报到率 Report rate',
      '履职完成率 Completion rate',
      '服务时长(小时) Hours',
      '预警 Red flags',
    ],
    rows: rows.map((r) => [
      r.unitId,
      r.unitName ?? '',
      r.members,
      r.reported,
      r.completed,
      pct(r.reportRate),
      pct(r.completionRate),
      r.hours,
      r.redFlags.map((f) => f.zh).join('；'),
    ]),
  }),
};

/** A page, or every row when the answer is a file. */
const window = <Q extends { limit: number; cursor?: string | undefined; format: string }>(q: Q): Q =>
  q.format === 'json' ? q : { ...q, limit: EXPORT_LIMIT, cursor: undefined };

const listOf = <T, V>(l: Listing<T>, view: (t: T) => V) => ({
  items: l.items.map(view),
  nextCursor: l.nextCursor,
  total: l.total,
});

const FILE = 'with format=csv or xlsx, every row as a file (CSV: UTF-8 with BOM; XLSX workbook)';

export function countyViewRoutes(api: ApiRouter, views: CountyViews, now: () => Date): void {
  const tags = ['County views 区县工作清单'];
  const thisYear = () => String(new Date(now().getTime() + 8 * 3_600_000).getUTCFullYear());
  api
    .route(
      {
        method: 'get',
        path: '/views/no-shows',
        summary: '报而不到: active reports with no attendance in the no-show window, in the caller’s scope',
        tags,
        roles: MANAGERS,
        request: { query: NoShowQuery },
        responses: { 200: { description: `The flagged reports; ${FILE}`, schema: NoShowList } },
      },
      async ({ query, principal, res }) => {
        const list = listOf(await views.noShows(principal, window(query)), noShowRow);
        if (query.format === 'json') return { body: list };
        await sendTable(res, TABLES.noShows(list.items), 'no-shows', query.format);
        return undefined;
      },
    )
    .route(
      {
        method: 'get',
        path: '/views/overdue-reports',
        summary: 'Reports members owe past the reporting deadline (30 days), longest overdue first',
        tags,
        roles: MANAGERS,
        request: { query: OverdueQuery },
        responses: { 200: { description: `The owed reports; ${FILE}`, schema: OverdueList } },
      },
      async ({ query, principal, res }) => {
        const list = listOf(await views.overdueReports(principal, window(query)), overdueRow);
        if (query.format === 'json') return { body: list };
        await sendTable(res, TABLES.overdue(list.items), 'overdue-reports', query.format);
        return undefined;
      },
    )
    .route(
      {
        method: 'get',
        path: '/views/low-hours',
        summary: 'Members below the yearly hours expected (prorated to today in a period in progress)',
        tags,
        roles: MANAGERS,
        request: { query: LowHoursQuery },
        responses: { 200: { description: `The members, fewest hours first; ${FILE}`, schema: LowHoursList } },
      },
      async ({ query, principal, res }) => {
        const period = parsePeriod(query.period ?? thisYear())!;
        const found = await views.lowHours(principal, period, window(query));
        const list = listOf(found, lowHoursRow);
        if (query.format === 'json')
          return {
            body: {
              ...list,
              period: periodView(period),
              expectedHours: found.expected,
              yearlyHours: views.yearlyHours,
            },
          };
        await sendTable(res, TABLES.lowHours(list.items), `low-hours-${period.label}`, query.format);
        return undefined;
      },
    )
    .route(
      {
        method: 'get',
        path: '/views/units',
        summary:
          'Work units whose report or completion rate is below the threshold (all units with all=true)',
        tags,
        roles: MANAGERS,
        request: { query: UnitSheetsQuery },
        responses: { 200: { description: `The units’ sheet totals; ${FILE}`, schema: UnitSheetList } },
      },
      async ({ query, principal, res }) => {
        const period = parsePeriod(query.period ?? thisYear())!;
        const found = await views.unitSheets(principal, period, {
          ...window(query),
          all: query.all === 'true',
        });
        const list = listOf(found, unitRow);
        if (query.format === 'json')
          return { body: { ...list, period: periodView(period), threshold: views.threshold } };
        await sendTable(res, TABLES.units(list.items), `units-${period.label}`, query.format);
        return undefined;
      },
    );
}
