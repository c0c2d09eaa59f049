import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { ApiRouter } from '@honglian/service-kit';
import { csvSafeCell } from '../imports/index.js';
import { REGISTRY_MANAGERS } from '../domain/scope.js';
import { today } from '../app/context.js';
import type { RegistryServices } from './routes.js';
import { MemberListQuery, OrgListQuery } from './schemas.js';

const PAGE = 200;

/** Every cell through csvSafeCell: a name typed as `=HYPERLINK(…)` stays text in Excel. */
function csvLine(cells: readonly unknown[]): string {
  return stringify([cells.map(csvSafeCell)], { record_delimiter: '\r\n' });
}

/**
 * CSV exports of what a caller may list (units, members with masked personal
 * data), with the import templates' Chinese headers and a name column beside
 * each id column (names on `asOf`, README Names beside ids). Rows are written page by
 * page, so an export of a whole city does not sit in memory.
 */
export function exportRoutes(
  api: ApiRouter,
  { ctx, orgQueries, memberQueries, names }: RegistryServices,
): void {
  const tags = ['Exports 导出'];
  const { limit: _l, cursor: _c, ...orgFilters } = OrgListQuery.shape;
  const { limit: _ml, cursor: _mc, ...memberFilters } = MemberListQuery.shape;
  api
    .route(
      {
        method: 'get',
        path: '/exports/orgs.csv',
        summary: 'Units in scope as CSV (same filters as GET /orgs)',
        tags,
        roles: REGISTRY_MANAGERS,
        request: { query: z.strictObject(orgFilters) },
        responses: { 200: { description: 'CSV (UTF-8 with BOM)', contentType: 'text/csv' } },
      },
      async ({ query, principal, res }) => {
        const asOf = query.asOf ?? today(ctx);
        res.type('text/csv; charset=utf-8');
        res.setHeader('content-disposition', 'attachment; filename="orgs.csv"');
        res.write(
          '\uFEFF' +
            csvLine([
              '编码',
              '名称',
              '类型',
              '上级编码',
              '上级名称',
              '所属区县',
              '统一社会信用代码',
              '生效日期',
              '失效日期',
            ]),
        );
        let cursor: string | undefined;
        do {
          const page = await orgQueries.list(
            { ...query, asOf, limit: PAGE, cursor, withTotal: false },
            principal,
          );
          // One query names the page's parents (README, Names beside ids).
          for (const o of await names.orgs(page.items, asOf)) {
            res.write(
              csvLine([
                o.id,
                o.name,
                o.kindLabel.zh,
                o.parentId,
                o.parentName,
                o.county,
                o.creditCode,
                o.validFrom,
                o.validTo,
              ]),
            );
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        res.end();
        return undefined;
      },
    )
    .route(
      {
        method: 'get',
        path: '/exports/members.csv',
        summary: 'Members in scope as CSV, ID numbers and phones masked (same filters as GET /members)',
        tags,
        roles: REGISTRY_MANAGERS,
        request: { query: z.strictObject(memberFilters) },
        responses: { 200: { description: 'CSV (UTF-8 with BOM)', contentType: 'text/csv' } },
      },
      async ({ query, principal, res }) => {
        const asOf = query.asOf ?? today(ctx);
        res.type('text/csv; charset=utf-8');
        res.setHeader('content-disposition', 'attachment; filename="members.csv"');
        res.write(
          '\uFEFF' +
            csvLine([
              '党员编号',
              '姓名',
              '身份证号',
              '手机号',
              '党员类别',
              '状态',
              '所属党组织编码',
              '所属党组织名称',
              '工作单位编码',
              '工作单位名称',
              '居住小区编码',
              '居住小区名称',
              '居住楼栋编码',
              '居住楼栋名称',
            ]),
        );
        let cursor: string | undefined;
        do {
          const page = await memberQueries.list(
            { ...query, asOf, limit: PAGE, cursor, withTotal: false },
            principal,
          );
          for (const m of await names.members(page.items, asOf)) {
            res.write(
              csvLine([
                m.id,
                m.name,
                m.idNumber,
                m.phone,
                m.categoryLabel.zh,
                m.status === 'active' ? '正常' : '停用',
                m.partyOrgId,
                m.partyOrgName,
                m.workUnitId,
                m.workUnitName,
                m.residenceCompoundId,
                m.residenceCompoundName,
                m.residenceBuildingId,
                m.residenceBuildingName,
              ]),
            );
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        res.end();
        return undefined;
      },
    );
}
