import type { z } from 'zod';
import type { Role } from '@honglian/contracts';
import type { ApiRouter } from '@honglian/service-kit';
import type { WebhookService } from '../app/webhooks.js';
import type { Delivery, Subscription } from '../domain/webhooks.js';
import { notFound, refusal } from './common.js';
import {
  DeliveryParams,
  DeliveryView,
  IdParams,
  NewSubscriptionView,
  PageOnly,
  SubscribeBody,
  SubscriptionView,
  page,
} from './schemas.js';
import { pageView } from './views.js';

const SUBSCRIBERS: readonly Role[] = ['api-consumer', 'city-admin'];
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function subscriptionView(s: Subscription): z.infer<typeof SubscriptionView> {
  return { id: s._id, url: s.url, events: [...s.events], active: s.active, createdAt: iso(s.createdAt)! };
}

function deliveryView(d: Delivery): z.infer<typeof DeliveryView> {
  return {
    id: d._id,
    subscriptionId: d.subscriptionId,
    eventId: d.eventId,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: iso(d.nextAttemptAt),
    log: d.log.map((a) => ({ attempt: a.attempt, at: iso(a.at)!, status: a.status, error: a.error })),
    createdAt: iso(d.createdAt)!,
  };
}

/** Webhooks on publication and revision: HMAC-signed, retried with backoff, logged, redelivered on request. */
export function webhookRoutes(api: ApiRouter, webhooks: WebhookService): void {
  const tags = ['Webhooks'];
  api
    .route(
      {
        method: 'post',
        path: '/webhooks',
        summary: 'Subscribe a URL (on the allow-list) to publications and revisions',
        description:
          'Each delivery is a POST of JSON with `x-honglian-timestamp` (Unix seconds) and `x-honglian-signature`: ' +
          '`sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the secret answered here once.',
        tags,
        roles: SUBSCRIBERS,
        request: { body: SubscribeBody },
        responses: { 201: { description: 'Subscribed', schema: NewSubscriptionView }, 422: refusal },
      },
      async ({ body, principal }) => {
        const s = await webhooks.subscribe(principal, body);
        return { status: 201, body: { ...subscriptionView(s), secret: s.secret } };
      },
    )
    .route(
      {
        method: 'get',
        path: '/webhooks',
        summary: 'The caller’s subscriptions (city admins: all)',
        tags,
        roles: SUBSCRIBERS,
        request: { query: PageOnly },
        responses: { 200: { description: 'A page of subscriptions', schema: page(SubscriptionView) } },
      },
      async ({ query, principal }) => ({
        body: pageView(await webhooks.list(principal, query), subscriptionView),
      }),
    )
    .route(
      {
        method: 'delete',
        path: '/webhooks/:id',
        summary: 'Stop a subscription (its deliveries stay in the log)',
        tags,
        roles: SUBSCRIBERS,
        request: { params: IdParams },
        responses: { 204: { description: 'Stopped' }, 404: notFound },
      },
      async ({ params, principal }) => {
        await webhooks.unsubscribe(principal, params.id);
        return { status: 204 };
      },
    )
    .route(
      {
        method: 'get',
        path: '/webhooks/:id/deliveries',
        summary: 'The delivery log of a subscription: every attempt with its answer',
        tags,
        roles: SUBSCRIBERS,
        request: { params: IdParams, query: PageOnly },
        responses: {
          200: { description: 'A page of deliveries', schema: page(DeliveryView) },
          404: notFound,
        },
      },
      async ({ params, query, principal }) => ({
        body: pageView(await webhooks.deliveries(principal, params.id, query), deliveryView),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/webhooks/deliveries/:id/redeliver',
        summary: 'Send a delivery again',
        tags,
        roles: SUBSCRIBERS,
        request: { params: DeliveryParams },
        responses: { 200: { description: 'Pending again', schema: DeliveryView }, 404: notFound },
      },
      async ({ params, principal }) => ({
        body: deliveryView(await webhooks.redeliver(principal, params.id)),
      }),
    );
}
