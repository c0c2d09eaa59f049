import type { ApiRouter } from '@honglian/service-kit';
import type { AssessmentServices } from './routes.js';
import * as S from './schemas.js';
import { manualItemView } from './views.js';

const OFFICIALS = ['city-admin', 'county-admin', 'community-staff'] as const;
const refusal = { description: 'Refused: the reason in zh-CN and English (`reason`)' };

export function manualItemRoutes(api: ApiRouter, s: AssessmentServices): void {
  const tags = ['Manual items 组织生活记录'];
  api
    .route(
      {
        method: 'post',
        path: '/manual-items',
        summary:
          'Record an organisational item for a member in scope: an award (manual-bonus) or a deduction (manual-deduction) with points, or the reset item 清零 (absent-no-dues, grey at once). A retry with the same itemId and content answers the same item (200); other content under that id is a 409.',
        tags,
        roles: OFFICIALS,
        request: { body: S.NewManualItem },
        responses: {
          201: { description: 'Recorded', schema: S.ManualItemView },
          200: { description: 'Recorded before (a retry): the same item', schema: S.ManualItemView },
          404: { description: 'No such member in your scope' },
          409: refusal,
          422: refusal,
        },
      },
      async ({ body, principal, req }) => {
        const { item, created } = await s.manualItems.record(
          { ...body, points: 'points' in body ? body.points : undefined },
          principal,
        );
        return {
          status: created ? 201 : 200,
          headers: { location: `${req.baseUrl}/manual-items/${item._id}` },
          body: manualItemView(item),
        };
      },
    )
    .route(
      {
        method: 'get',
        path: '/manual-items',
        summary: 'Manual items in scope (active and withdrawn), by member, county, code or status',
        tags,
        roles: OFFICIALS,
        request: { query: S.ManualItemQuery },
        responses: { 200: { description: 'A page of items', schema: S.ManualItemPage } },
      },
      async ({ query, principal }) => {
        const page = await s.manualItems.list(query, principal);
        return { body: { ...page, items: page.items.map(manualItemView) } };
      },
    )
    .route(
      {
        method: 'get',
        path: '/manual-items/:id',
        summary: 'One manual item with who recorded (and withdrew) it',
        tags,
        roles: OFFICIALS,
        request: { params: S.ManualItemParams },
        responses: {
          200: { description: 'The item', schema: S.ManualItemView },
          404: { description: 'Not found' },
        },
      },
      async ({ params, principal }) => ({
        body: manualItemView(await s.manualItems.get(params.id, principal)),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/manual-items/:id/withdraw',
        summary:
          'Withdraw an item: it stops counting at once (live index; periods when recomputed), the record stays for audit',
        tags,
        roles: OFFICIALS,
        request: { params: S.ManualItemParams, body: S.WithdrawBody },
        responses: {
          200: { description: 'Withdrawn', schema: S.ManualItemView },
          404: { description: 'Not found' },
          409: refusal,
        },
      },
      async ({ params, body, principal }) => ({
        body: manualItemView(await s.manualItems.withdraw(params.id, body.reason, principal)),
      }),
    );
}
