import type { ApiRouter } from '@honglian/service-kit';
import type { CycleService } from '../app/cycles.js';
import type { TemplateService } from '../app/templates.js';
import { ADMINS, PARTICIPANTS, notFound, refusal } from './common.js';
import {
  CreateCycle,
  CycleListQuery,
  CycleView,
  HouseholdsBody,
  IdParams,
  PageOnly,
  TemplateBody,
  TemplateView,
  page,
} from './schemas.js';
import { cycleView, pageView, templateView } from './views.js';

export function templateRoutes(api: ApiRouter, templates: TemplateService): void {
  const tags = ['Templates 评价模板'];
  api
    .route(
      {
        method: 'post',
        path: '/templates',
        summary: 'Save a new version of a template (versions are never edited)',
        description:
          'Checked: role weights total 100, every weighted role has indicators, bands descend, bonus items within the cap.',
        tags,
        roles: ADMINS,
        request: { body: TemplateBody },
        responses: {
          201: { description: 'Saved', schema: TemplateView },
          404: notFound,
          409: refusal,
          422: refusal,
        },
      },
      async ({ body, principal }) => ({
        status: 201,
        body: templateView(await templates.create(principal, body)),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/templates',
        summary: 'Templates: the city’s and the caller’s county’s',
        tags,
        roles: PARTICIPANTS,
        request: { query: PageOnly },
        responses: { 200: { description: 'A page of templates', schema: page(TemplateView) } },
      },
      async ({ query, principal }) => ({
        body: pageView(await templates.list(principal, query), templateView),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/templates/:id',
        summary: 'One template version',
        tags,
        roles: PARTICIPANTS,
        request: { params: IdParams },
        responses: { 200: { description: 'The template', schema: TemplateView }, 404: notFound },
      },
      async ({ params, principal }) => ({ body: templateView(await templates.get(principal, params.id)) }),
    );
}

export function cycleRoutes(api: ApiRouter, cycles: CycleService): void {
  const tags = ['Cycles 评价周期'];
  const step = (action: 'start' | 'compute' | 'notice' | 'publish', summary: string, description: string) =>
    api.route(
      {
        method: 'post',
        path: `/cycles/:id/${action}`,
        summary,
        description,
        tags,
        roles: ADMINS,
        request: { params: IdParams },
        responses: { 200: { description: 'The cycle', schema: CycleView }, 404: notFound, 409: refusal },
      },
      async ({ params, principal }) => ({ body: cycleView(await cycles[action](principal, params.id)) }),
    );
  api
    .route(
      {
        method: 'post',
        path: '/cycles',
        summary: 'Open a cycle for a county and period (quarter, half-year, year)',
        description:
          'One cycle per county and period. The template (default: the latest default) becomes immutable.',
        tags,
        roles: ADMINS,
        request: { body: CreateCycle },
        responses: {
          201: { description: 'Open', schema: CycleView },
          404: notFound,
          409: refusal,
          422: refusal,
        },
      },
      async ({ body, principal }) => ({ status: 201, body: cycleView(await cycles.create(principal, body)) }),
    )
    .route(
      {
        method: 'get',
        path: '/cycles',
        summary: 'Cycles in scope (api-consumers: published ones)',
        tags,
        roles: [...PARTICIPANTS, 'api-consumer'],
        request: { query: CycleListQuery },
        responses: { 200: { description: 'A page of cycles', schema: page(CycleView) } },
      },
      async ({ query, principal }) => ({ body: pageView(await cycles.list(principal, query), cycleView) }),
    )
    .route(
      {
        method: 'get',
        path: '/cycles/:id',
        summary: 'One cycle',
        tags,
        roles: [...PARTICIPANTS, 'api-consumer'],
        request: { params: IdParams },
        responses: { 200: { description: 'The cycle', schema: CycleView }, 404: notFound },
      },
      async ({ params, principal }) => ({ body: cycleView(await cycles.get(principal, params.id)) }),
    )
    .route(
      {
        method: 'put',
        path: '/cycles/:id/households',
        summary: 'Households per compound (each compound’s weight in its firm’s score)',
        description:
          'Until the cycle is computed. The registry does not carry households, so the county states them here.',
        tags,
        roles: ADMINS,
        request: { params: IdParams, body: HouseholdsBody },
        responses: {
          200: { description: 'The cycle', schema: CycleView },
          404: notFound,
          409: refusal,
          422: refusal,
        },
      },
      async ({ params, body, principal }) => ({
        body: cycleView(await cycles.setHouseholds(principal, params.id, body.compounds)),
      }),
    );
  step('start', 'Start collecting ratings', 'open → collecting.');
  step(
    'compute',
    'Compute every firm’s result from the ratings as they stand',
    'collecting → computed; again while computed. Closes the ratings: edits are refused from now on.',
  );
  step(
    'notice',
    'Start the public notice (公示)',
    'computed → notice, for the cycle’s notice days; firms may appeal.',
  );
  step(
    'publish',
    'Publish: freeze every result as a version with a content hash',
    'notice → published, once the notice has ended and every appeal is decided.',
  );
}
