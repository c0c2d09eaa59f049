import type { ApiRouter, Principal } from '@honglian/service-kit';
import { throwRefusal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import type { ConsequenceService } from '../app/consequences.js';
import type { AssessmentContext } from '../app/context.js';
import { dashboard } from '../app/dashboard.js';
import { asyncPreferred, type RatingJobs } from '../app/jobs.js';
import type { ManualItemService } from '../app/manual-items.js';
import type { Projector } from '../app/projector.js';
import type { RatingService } from '../app/ratings.js';
import { ratingScope } from '../app/references.js';
import type { RuleService } from '../app/rules.js';
import type { RatingSchedule } from '../app/schedule.js';
import { ratingIdOf } from '../domain/ratings.js';
import * as S from './schemas.js';
import { jobView, publicRatingView, ratingView } from './views.js';

export interface AssessmentServices {
  ctx: AssessmentContext;
  ratings: RatingService;
  rules: RuleService;
  consequences: ConsequenceService;
  jobs: RatingJobs;
  projector: Projector;
  manualItems: ManualItemService;
  /** The scheduled computation; `schedule.tick()` runs it once at the clock's now. */
  schedule: RatingSchedule;
}

const ADMINS = ['city-admin', 'county-admin'] as const;
const OFFICIALS = ['city-admin', 'county-admin', 'community-staff'] as const;
const READERS = ['city-admin', 'county-admin', 'community-staff', 'member', 'api-consumer'] as const;
const refusal = { description: 'Refused: the reason in zh-CN and English (`reason`)' };

/** Officials see a rating whole; anyone else (an api-consumer) without member-level references. */
const viewFor = (principal: Principal) =>
  principal.roles.some((r) => (OFFICIALS as readonly string[]).includes(r)) ? ratingView : publicRatingView;

export function ratingRoutes(api: ApiRouter, s: AssessmentServices): void {
  const tags = ['Ratings 三色评定'];
  api
    .route(
      {
        method: 'get',
        path: '/ratings',
        summary: 'Ratings in scope (api-consumers: published community and street ratings only)',
        tags,
        roles: READERS,
        request: { query: S.RatingQuery },
        responses: { 200: { description: 'A page of ratings', schema: S.RatingPage } },
      },
      async ({ query, principal }) => {
        const { limit, cursor, ...q } = query;
        const page = await s.ctx.data.ratings.page(q, ratingScope(principal), limit, cursor);
        return { body: { ...page, items: page.items.map(viewFor(principal)) } };
      },
    )
    .route(
      {
        method: 'get',
        path: '/ratings/:period/:subjectId',
        summary: 'One rating with its explanation: rule version, each contribution and its events',
        tags,
        roles: READERS,
        request: { params: S.RatingParams },
        responses: {
          200: { description: 'The rating', schema: S.RatingView },
          404: { description: 'Not found' },
        },
      },
      async ({ params, principal }) => {
        const r = await s.ctx.data.ratings.one(
          ratingIdOf(params.period, params.subjectId),
          ratingScope(principal),
        );
        return { body: viewFor(principal)(r ?? throwRefusal(refuse.notFound())) };
      },
    )
    .route(
      {
        method: 'get',
        path: '/live/:subjectId',
        summary:
          'The live provisional index of a member, community or street (this year to date, current rules)',
        tags,
        roles: ['city-admin', 'county-admin', 'community-staff', 'member'],
        request: { params: S.SubjectParams },
        responses: {
          200: { description: 'Provisional, not stored', schema: S.RatingView },
          404: { description: 'Not found' },
        },
      },
      async ({ params, principal }) => ({
        body: ratingView(await s.ratings.live(params.subjectId, principal)),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/periods/:period/compute',
        summary:
          'Compute (or recompute) a period’s ratings with the current rules; a closed period stays as published (410). With `Prefer: respond-async`: a job.',
        tags,
        roles: ADMINS,
        request: { params: S.PeriodParams, body: S.CountyBody },
        responses: {
          200: { description: 'Computed', schema: S.ComputeResult },
          202: { description: 'Accepted as a job; poll its Location', schema: S.JobView },
          410: refusal,
        },
      },
      async ({ params, body, principal, req }) => {
        if (asyncPreferred(req.headers.prefer)) {
          await s.ratings.counties(principal, body.county);
          const job = await s.jobs.start(`compute ${params.period}`, principal, () =>
            s.ratings.computeAll(params.period, principal, body.county),
          );
          return {
            status: 202,
            headers: { location: `${req.baseUrl}/jobs/${job._id}`, 'preference-applied': 'respond-async' },
            body: jobView(job),
          };
        }
        return { body: await s.ratings.computeAll(params.period, principal, body.county) };
      },
    )
    .route(
      {
        method: 'post',
        path: '/periods/:period/publish',
        summary:
          'Close an ended period: ratings published and frozen with their rule version, consequences opened',
        tags,
        roles: ADMINS,
        request: { params: S.PeriodParams, body: S.PublishBody },
        responses: { 200: { description: 'Published', schema: S.PublishResult }, 409: refusal, 410: refusal },
      },
      async ({ params, body, principal }) => ({
        body: await s.ratings.publish(params.period, body.county, principal),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/jobs/:jobId',
        summary: 'A rating job: running, done (with its result) or failed (with the problem)',
        tags,
        roles: ADMINS,
        request: { params: S.SubjectParams.extend({ jobId: S.Id }).omit({ subjectId: true }) },
        responses: { 200: { description: 'The job', schema: S.JobView } },
      },
      async ({ params, principal }) => ({ body: jobView(await s.jobs.get(params.jobId, principal)) }),
    )
    .route(
      {
        method: 'get',
        path: '/dashboard',
        summary: 'Colour counts per level (of a period) and the trend per period',
        tags,
        roles: OFFICIALS,
        request: { query: S.DashboardQuery },
        responses: { 200: { description: 'Counts', schema: S.DashboardView } },
      },
      async ({ query, principal }) => ({ body: await dashboard(s.ctx, query, principal) }),
    )
    .route(
      {
        method: 'post',
        path: '/projections/rebuild',
        summary: 'Rebuild the projections from the event log (city admin)',
        tags,
        roles: ['city-admin'],
        responses: { 200: { description: 'Replayed', schema: S.RebuildView } },
      },
      async () => ({ body: await s.projector.rebuild() }),
    )
    .route(
      {
        method: 'post',
        path: '/schedule/run',
        summary:
          'Run the scheduled computation now on the service clock: the current month, quarter and year of every county (open periods only)',
        tags: ['Operations 运维'],
        roles: ['city-admin'],
        responses: { 200: { description: 'What the run did', schema: S.ScheduleRunView } },
      },
      async () => ({ body: await s.schedule.tick() }),
    );
}
