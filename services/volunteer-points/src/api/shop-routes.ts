import type { ApiRouter } from '@honglian/service-kit';
import { MANAGERS, MANAGERS_AND_MEMBERS } from '../domain/scope.js';
import {
  IdParams,
  ItemListQuery,
  ItemPatch,
  ItemView,
  NewItemBody,
  Reason,
  RedeemBody,
  RedemptionListQuery,
  RedemptionView,
  YearEndBody,
  YearEndView,
  page,
} from './schemas.js';
import { notFound, refusal, type PointsServices } from './services.js';
import { itemView, pageView, redemptionView } from './views.js';

export function shopRoutes(api: ApiRouter, { shop }: PointsServices): void {
  const tags = ['Redemption 爱心超市'];
  api
    .route(
      {
        method: 'post',
        path: '/catalogue',
        summary: 'Offer an item at a community with a point price and stock',
        tags,
        roles: MANAGERS,
        request: { body: NewItemBody },
        responses: { 201: { description: 'Offered', schema: ItemView }, 422: refusal },
      },
      async ({ body, principal }) => ({ status: 201, body: itemView(await shop.addItem(body, principal)) }),
    )
    .route(
      {
        method: 'get',
        path: '/catalogue',
        summary: 'The catalogue (members: every community of their county)',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { query: ItemListQuery },
        responses: { 200: { description: 'A page of items', schema: page(ItemView) } },
      },
      async ({ query, principal }) => ({ body: pageView(await shop.items(principal, query), itemView) }),
    )
    .route(
      {
        method: 'patch',
        path: '/catalogue/:id',
        summary: 'Restock, reprice or withdraw an item',
        tags,
        roles: MANAGERS,
        request: { params: IdParams, body: ItemPatch },
        responses: { 200: { description: 'The item', schema: ItemView }, 404: notFound },
      },
      async ({ params, body, principal }) => ({
        body: itemView(await shop.updateItem(params.id, body, principal)),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/redemptions',
        summary: 'Redeem: reserve the stock and debit the points in one transaction',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { body: RedeemBody },
        responses: {
          201: { description: 'Reserved and debited', schema: RedemptionView },
          404: { description: 'No such item (in scope)' },
          409: { description: 'Not enough points or stock' },
          410: refusal,
          422: refusal,
        },
      },
      async ({ body, principal }) => ({
        status: 201,
        body: redemptionView(await shop.redeem(body, principal)),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/redemptions',
        summary: 'Redemptions in scope (members: their own)',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { query: RedemptionListQuery },
        responses: { 200: { description: 'A page of redemptions', schema: page(RedemptionView) } },
      },
      async ({ query, principal }) => ({ body: pageView(await shop.list(principal, query), redemptionView) }),
    )
    .route(
      {
        method: 'get',
        path: '/redemptions/:id',
        summary: 'One redemption',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { params: IdParams },
        responses: { 200: { description: 'The redemption', schema: RedemptionView }, 404: notFound },
      },
      async ({ params, principal }) => ({ body: redemptionView(await shop.get(params.id, principal)) }),
    )
    .route(
      {
        method: 'post',
        path: '/redemptions/:id/cancel',
        summary: 'Cancel: the points come back (a reversal), the stock too',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { params: IdParams, body: Reason },
        responses: { 200: { description: 'Cancelled', schema: RedemptionView }, 404: notFound, 409: refusal },
      },
      async ({ params, body, principal }) => ({
        body: redemptionView(await shop.cancel(params.id, body.reason, principal)),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/communities/:id/year-end',
        summary: 'Whether unused points are cleared or carried over at the year end',
        tags,
        roles: MANAGERS,
        request: { params: IdParams },
        responses: { 200: { description: 'The setting', schema: YearEndView }, 422: refusal },
      },
      async ({ params, principal }) => ({ body: await shop.yearEndOf(params.id, principal) }),
    )
    .route(
      {
        method: 'put',
        path: '/communities/:id/year-end',
        summary: 'Set yearly clearing or carry-over for a community',
        tags,
        roles: MANAGERS,
        request: { params: IdParams, body: YearEndBody },
        responses: { 200: { description: 'The setting', schema: YearEndView }, 422: refusal },
      },
      async ({ params, body, principal }) => {
        const s = await shop.setYearEnd(params.id, body.yearEnd, principal);
        return { body: { communityId: s._id, yearEnd: s.yearEnd } };
      },
    );
}
