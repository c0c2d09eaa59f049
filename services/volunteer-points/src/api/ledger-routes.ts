import type { ApiRouter } from '@honglian/service-kit';
import { MANAGERS, MANAGERS_AND_MEMBERS } from '../domain/scope.js';
import { sendTable } from '@honglian/service-kit/tables';
import {
  AccountView,
  BalanceView,
  EntryListQuery,
  EntryParams,
  EntryView,
  ExplainView,
  JobsView,
  LeaderboardQuery,
  LeaderboardView,
  MemberParams,
  PlainPageQuery,
  PutRules,
  Reason,
  ReconcileView,
  RulesQuery,
  RulesView,
  RuleVersionView,
  StarsQuery,
  StarView,
  page,
} from './schemas.js';
import { notFound, refusal, type PointsServices } from './services.js';
import { accountView, balanceView, entryView, pageView, ruleVersionView, starView } from './views.js';

/** The [from, to) instants of a period `2026` or `2026-03` (China Standard Time). */
export function periodBounds(period: string): { from: Date; to: Date } {
  const [y, m] = period.split('-').map(Number) as [number, number | undefined];
  if (m === undefined)
    return { from: new Date(`${y}-01-01T00:00:00+08:00`), to: new Date(`${y + 1}-01-01T00:00:00+08:00`) };
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: new Date(`${period}-01T00:00:00+08:00`), to: new Date(`${next}-01T00:00:00+08:00`) };
}

export function ledgerRoutes(api: ApiRouter, { points, jobs }: PointsServices): void {
  const tags = ['Ledger 积分账户'];
  api
    .route(
      {
        method: 'get',
        path: '/members/:memberId/balance',
        summary: 'A member’s balance, cumulative hours and stars',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { params: MemberParams },
        responses: { 200: { description: 'Derived from the entries', schema: BalanceView }, 404: notFound },
      },
      async ({ params, principal }) => ({
        body: balanceView(await points.balance(params.memberId, principal)),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/members/:memberId/entries',
        summary: 'A member’s ledger entries, each with its cause',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { params: MemberParams, query: EntryListQuery },
        responses: { 200: { description: 'A page of entries', schema: page(EntryView) }, 404: notFound },
      },
      async ({ params, query, principal }) => ({
        body: pageView(await points.entries(params.memberId, query, principal), entryView),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/members/:memberId/explain',
        summary: 'The balance shown and the sum of every entry (equal)',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { params: MemberParams },
        responses: { 200: { description: 'Both totals', schema: ExplainView }, 404: notFound },
      },
      async ({ params, principal }) => ({ body: await points.explain(params.memberId, principal) }),
    )
    .route(
      {
        method: 'get',
        path: '/accounts',
        summary: 'Balances in scope',
        tags,
        roles: MANAGERS,
        request: { query: PlainPageQuery },
        responses: { 200: { description: 'A page of accounts', schema: page(AccountView) } },
      },
      async ({ query, principal }) => ({
        body: pageView(await points.accountsPage(principal, query), accountView),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/entries/:id/reverse',
        summary: 'Correct an entry by a reversal with a reason',
        tags,
        roles: MANAGERS,
        request: { params: EntryParams, body: Reason },
        responses: {
          201: { description: 'The reversal entry', schema: EntryView },
          404: notFound,
          409: refusal,
        },
      },
      async ({ params, body, principal }) => ({
        status: 201,
        body: entryView(await points.reverse(params.id, body.reason, principal)),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/reconcile',
        summary: 'Sum of the entries against every balance in scope',
        tags,
        roles: MANAGERS,
        responses: { 200: { description: 'Mismatches (none expected)', schema: ReconcileView } },
      },
      async ({ principal }) => ({ body: await points.reconcile(principal) }),
    )
    .route(
      {
        method: 'get',
        path: '/leaderboard',
        summary: 'Points earned and hours per member or team in a period',
        tags: ['Leaderboards 排行'],
        description: 'JSON; with format=csv, text/csv (UTF-8 with BOM); with format=xlsx, an XLSX workbook.',
        roles: MANAGERS_AND_MEMBERS,
        request: { query: LeaderboardQuery },
        responses: { 200: { description: 'The ranking', schema: LeaderboardView }, 422: refusal },
      },
      async ({ query, principal, res }) => {
        const rows = (await points.leaderboard({ ...query, ...periodBounds(query.period) }, principal)).map(
          (r, i) => ({
            rank: i + 1,
            id: r.key,
            county: r.county,
            points: r.points,
            hours: r.hours,
          }),
        );
        if (query.format === 'json') return { body: { by: query.by, period: query.period, rows } };
        const table = {
          sheet: '积分排行',
          headers: [
            '名次 Rank',
            query.by === 'member' ? '党员 Member' : '队伍 Team',
            '区县 County',
            '积分 Points',
            '时长 Hours',
          ],
          rows: rows.map((r) => [r.rank, r.id, r.county, r.points, r.hours]),
        };
        await sendTable(res, table, `leaderboard-${query.by}-${query.period}`, query.format);
        return undefined;
      },
    )
    .route(
      {
        method: 'get',
        path: '/stars',
        summary: 'Members who reached a star level (county and city admins)',
        tags,
        roles: MANAGERS,
        request: { query: StarsQuery },
        responses: { 200: { description: 'Star levels reached', schema: StarView.array() } },
      },
      async ({ query, principal }) => ({ body: (await points.stars(principal, query.level)).map(starView) }),
    )
    .route(
      {
        method: 'get',
        path: '/rules',
        summary: 'The rules in force (city default, county override) and their versions',
        tags: ['Rules 规则'],
        roles: MANAGERS,
        request: { query: RulesQuery },
        responses: { 200: { description: 'Effective rules', schema: RulesView }, 404: notFound },
      },
      async ({ query, principal }) => {
        const r = await points.rules(query.county ?? null, principal);
        return {
          body: {
            county: r.county,
            version: r.version,
            rules: r.rules,
            versions: r.versions.map(ruleVersionView),
          },
        };
      },
    )
    .route(
      {
        method: 'post',
        path: '/rules',
        summary: 'A new rule version (affects new entries only)',
        tags: ['Rules 规则'],
        roles: ['city-admin', 'county-admin'],
        request: { body: PutRules },
        responses: { 201: { description: 'Stored', schema: RuleVersionView }, 404: notFound, 409: refusal },
      },
      async ({ body, principal }) => ({
        status: 201,
        body: ruleVersionView(await points.putRules(body.scope, body.rules, principal)),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/jobs/run',
        summary: 'Run the scheduled jobs now (escalation, year end) on the service clock',
        tags: ['Operations 运维'],
        roles: ['city-admin'],
        responses: { 200: { description: 'What the jobs did', schema: JobsView } },
      },
      async () => ({ body: await jobs.run() }),
    );
}
