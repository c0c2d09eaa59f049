import { z } from 'zod';
import type { ApiRouter } from '@honglian/service-kit';
import type { ActivityService } from '../app/activities.js';
import type { Notice } from '../domain/activity-changes.js';
import { MANAGERS } from '../domain/scope.js';
import { CancelActivity, EditActivity, IdParams, Instant, PageQuery, page, ActivityView } from './schemas.js';
import { activityView, pageView } from './views.js';

const Label = z.object({ zh: z.string(), en: z.string() });
const NOTICE_KINDS = {
  changed: { zh: '活动有变更', en: 'The activity changed' },
  cancelled: { zh: '活动已取消', en: 'The activity was cancelled' },
} as const;

export const NoticeView = z
  .object({
    id: z.string(),
    activityId: z.string(),
    communityId: z.string(),
    communityName: z.string(),
    kind: z.enum(['changed', 'cancelled']),
    kindLabel: Label,
    title: z.string(),
    /** Fields that changed (`changed`). */
    changed: z.array(z.string()),
    startsAt: Instant,
    endsAt: Instant,
    place: z.string(),
    reason: z.string().nullable(),
    at: Instant,
  })
  .meta({ id: 'CheckinActivityNotice' });

const noticeView = (n: Notice): z.output<typeof NoticeView> => ({
  id: n._id,
  activityId: n.activityId,
  communityId: n.communityId,
  communityName: n.communityName,
  kind: n.kind,
  kindLabel: NOTICE_KINDS[n.kind],
  title: n.title,
  changed: n.changed,
  startsAt: n.startsAt.toISOString(),
  endsAt: n.endsAt.toISOString(),
  place: n.place,
  reason: n.reason,
  at: n.at.toISOString(),
});

const refusal = { description: 'Refused: the reason in zh-CN and English (`reason`)' };

/** Editing and cancelling activities, and the notices members get about them. */
export function activityChangeRoutes(api: ApiRouter, activities: ActivityService): void {
  const tags = ['Activities 活动与吹哨'];
  api
    .route(
      {
        method: 'patch',
        path: '/activities/:id',
        summary: 'Change an activity or whistle call; everyone who responded gets a notice',
        tags,
        roles: MANAGERS,
        request: { params: IdParams, body: EditActivity },
        responses: {
          200: { description: 'The activity as changed', schema: ActivityView },
          404: { description: 'Not found or out of scope' },
          409: { description: 'Cancelled, over, or its start moved after check-in opened' },
          422: refusal,
        },
      },
      async ({ params, body, principal }) => {
        const { startsAt, endsAt, ...rest } = body;
        const edit = {
          ...rest,
          ...(startsAt ? { startsAt: new Date(startsAt) } : {}),
          ...(endsAt ? { endsAt: new Date(endsAt) } : {}),
        };
        return { body: activityView(await activities.edit(params.id, edit, principal)) };
      },
    )
    .route(
      {
        method: 'post',
        path: '/activities/:id/cancel',
        summary: 'Cancel an activity nobody attended yet, with a reason every responder is told',
        tags,
        roles: MANAGERS,
        request: { params: IdParams, body: CancelActivity },
        responses: {
          200: { description: 'The cancelled activity', schema: ActivityView },
          404: { description: 'Not found or out of scope' },
          409: { description: 'Cancelled already, over, or attended' },
        },
      },
      async ({ params, body, principal }) => ({
        body: activityView(await activities.cancel(params.id, body.reason, principal)),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/notices',
        summary: 'My notices: activities I responded to that changed or were cancelled',
        tags,
        roles: ['member'],
        request: { query: z.strictObject({ ...PageQuery }) },
        responses: { 200: { description: 'The notices, oldest first', schema: page(NoticeView) } },
      },
      async ({ query, principal }) => ({
        body: pageView(await activities.notices(principal, query), noticeView),
      }),
    );
}
