import type { ApiRouter, Principal } from '@honglian/service-kit';
import type { OrderAction } from '../domain/orders.js';
import { MANAGERS, ORDER_ROLES } from '../domain/scope.js';
import {
  ClaimBody,
  CompleteBody,
  DispatchBody,
  IdParams,
  OrderListQuery,
  OrderView,
  PostOrderBody,
  RateBody,
  Reason,
  page,
} from './schemas.js';
import { notFound, refusal, type PointsServices } from './services.js';
import { orderView, pageView } from './views.js';

const stepResponses = {
  200: { description: 'The order after the step', schema: OrderView },
  403: { description: 'In scope, but not yours to do' },
  404: notFound,
  409: { description: 'The order’s state does not allow this step' },
  422: refusal,
};

/** A member claims for themself; staff name a member, or a paired unit for a micro-wish. */
function claimant(
  body: { memberId?: string | undefined; unitId?: string | undefined },
  principal: Principal,
) {
  if (body.unitId) return { kind: 'unit' as const, id: body.unitId };
  return { kind: 'member' as const, id: body.memberId ?? principal.memberId ?? '' };
}

export function orderRoutes(api: ApiRouter, { orders }: PointsServices): void {
  const tags = ['Orders 居民点单'];
  api
    .route(
      {
        method: 'post',
        path: '/orders',
        summary: 'Post a request (居民点单) or a micro-wish (微心愿)',
        tags,
        roles: ['resident', ...MANAGERS],
        request: { body: PostOrderBody },
        responses: { 201: { description: 'Posted', schema: OrderView }, 422: refusal },
      },
      async ({ body, principal }) => ({ status: 201, body: orderView(await orders.post(body, principal)) }),
    )
    .route(
      {
        method: 'get',
        path: '/orders',
        summary: 'Orders in scope (residents: their own; members: theirs and open ones)',
        tags,
        roles: ORDER_ROLES,
        request: { query: OrderListQuery },
        responses: { 200: { description: 'A page of orders', schema: page(OrderView) } },
      },
      async ({ query, principal }) => ({ body: pageView(await orders.list(query, principal), orderView) }),
    )
    .route(
      {
        method: 'get',
        path: '/orders/:id',
        summary: 'One order with its timestamped steps',
        tags,
        roles: ORDER_ROLES,
        request: { params: IdParams },
        responses: { 200: { description: 'The order', schema: OrderView }, 404: notFound },
      },
      async ({ params, principal }) => ({ body: orderView(await orders.get(params.id, principal)) }),
    );
  const act = async (id: string, action: OrderAction, principal: Principal) => ({
    body: orderView(await orders.step(id, action, principal)),
  });
  api
    .route(
      {
        method: 'post',
        path: '/orders/:id/open',
        summary: 'Staff verify it and open it to every member',
        tags,
        roles: MANAGERS,
        request: { params: IdParams },
        responses: stepResponses,
      },
      ({ params, principal }) => act(params.id, { type: 'open' }, principal),
    )
    .route(
      {
        method: 'post',
        path: '/orders/:id/dispatch',
        summary: 'Staff verify it and dispatch it to a member (组织下单)',
        tags,
        roles: MANAGERS,
        request: { params: IdParams, body: DispatchBody },
        responses: stepResponses,
      },
      ({ params, body, principal }) =>
        act(params.id, { type: 'dispatch', memberId: body.memberId }, principal),
    )
    .route(
      {
        method: 'post',
        path: '/orders/:id/reject',
        summary: 'Staff turn the request down',
        tags,
        roles: MANAGERS,
        request: { params: IdParams, body: Reason },
        responses: stepResponses,
      },
      ({ params, body, principal }) => act(params.id, { type: 'reject', reason: body.reason }, principal),
    )
    .route(
      {
        method: 'post',
        path: '/orders/:id/claim',
        summary: 'A member takes it (党员接单); a paired unit a micro-wish',
        tags,
        roles: [...MANAGERS, 'member'],
        request: { params: IdParams, body: ClaimBody },
        responses: stepResponses,
      },
      ({ params, body, principal }) =>
        act(params.id, { type: 'claim', claimant: claimant(body, principal) }, principal),
    )
    .route(
      {
        method: 'post',
        path: '/orders/:id/complete',
        summary: 'The claimant reports it done, with hours and proof',
        tags,
        roles: [...MANAGERS, 'member'],
        request: { params: IdParams, body: CompleteBody },
        responses: stepResponses,
      },
      ({ params, body, principal }) =>
        act(params.id, { type: 'complete', hours: body.hours, proof: body.proof }, principal),
    )
    .route(
      {
        method: 'post',
        path: '/orders/:id/rate',
        summary: 'The resident rates the work 1–5',
        tags,
        roles: ['resident', ...MANAGERS],
        request: { params: IdParams, body: RateBody },
        responses: stepResponses,
      },
      ({ params, body, principal }) =>
        act(params.id, { type: 'rate', rating: body.rating, comment: body.comment }, principal),
    )
    .route(
      {
        method: 'post',
        path: '/orders/:id/cancel',
        summary: 'The resident or staff withdraw it before it is claimed',
        tags,
        roles: ['resident', ...MANAGERS],
        request: { params: IdParams, body: Reason },
        responses: stepResponses,
      },
      ({ params, body, principal }) => act(params.id, { type: 'cancel', reason: body.reason }, principal),
    );
}
