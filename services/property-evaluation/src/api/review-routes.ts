import type { ApiRouter } from '@honglian/service-kit';
import type { AppealService } from '../app/appeals.js';
import type { ResultService } from '../app/results.js';
import type { SubmissionService } from '../app/submissions.js';
import { ADMINS, PARTICIPANTS, notFound, refusal } from './common.js';
import {
  AppealBody,
  AppealDecisionBody,
  AppealView,
  IdParams,
  PageOnly,
  PublishedView,
  ResultView,
  RevisionBody,
  SubmissionListQuery,
  SubmissionView,
  SubmitBody,
  page,
} from './schemas.js';
import { appealView, pageView, publishedView, resultView, submissionView } from './views.js';
import { z } from 'zod';

export interface ReviewServices {
  submissions: SubmissionService;
  results: ResultService;
  appeals: AppealService;
}

export function submissionRoutes(api: ApiRouter, { submissions }: ReviewServices): void {
  const tags = ['Submissions 评分'];
  api
    .route(
      {
        method: 'post',
        path: '/cycles/:id/submissions',
        summary: 'Rate a firm for a compound in a rater role (again: a new revision)',
        description:
          'Checked against the template: every indicator of the role, within range; residents give the survey. ' +
          'A rater cannot rate a firm it belongs to (403). Only while the cycle is collecting (409).',
        tags,
        roles: PARTICIPANTS,
        request: { params: IdParams, body: SubmitBody },
        responses: {
          201: { description: 'First rating', schema: SubmissionView },
          200: { description: 'A new revision of the rating', schema: SubmissionView },
          403: refusal,
          404: notFound,
          409: refusal,
          422: refusal,
        },
      },
      async ({ params, body, principal }) => {
        const { submission, created } = await submissions.submit(principal, params.id, body);
        return { status: created ? 201 : 200, body: submissionView(submission) };
      },
    )
    .route(
      {
        method: 'get',
        path: '/cycles/:id/submissions',
        summary: 'Ratings of a cycle in scope (firms: those about themselves)',
        tags,
        roles: PARTICIPANTS,
        request: { params: IdParams, query: SubmissionListQuery },
        responses: { 200: { description: 'A page of ratings', schema: page(SubmissionView) }, 404: notFound },
      },
      async ({ params, query, principal }) => ({
        body: pageView(await submissions.list(principal, params.id, query), submissionView),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/submissions/:id',
        summary: 'One rating with every revision',
        tags,
        roles: PARTICIPANTS,
        request: { params: IdParams },
        responses: { 200: { description: 'The rating', schema: SubmissionView }, 404: notFound },
      },
      async ({ params, principal }) => ({
        body: submissionView(await submissions.get(principal, params.id)),
      }),
    );
}

export function resultRoutes(api: ApiRouter, { results, appeals }: ReviewServices): void {
  const tags = ['Results 评价结果'];
  api
    .route(
      {
        method: 'get',
        path: '/cycles/:id/results',
        summary: 'Results of a cycle in scope, with the breakdown down to each rating',
        tags,
        roles: PARTICIPANTS,
        request: { params: IdParams, query: PageOnly },
        responses: { 200: { description: 'A page of results', schema: page(ResultView) }, 404: notFound },
      },
      async ({ params, query, principal }) => ({
        body: pageView(await results.list(principal, params.id, query), resultView),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/results/:id',
        summary: 'One result',
        tags,
        roles: PARTICIPANTS,
        request: { params: IdParams },
        responses: { 200: { description: 'The result', schema: ResultView }, 404: notFound },
      },
      async ({ params, principal }) => ({ body: resultView(await results.get(principal, params.id)) }),
    )
    .route(
      {
        method: 'get',
        path: '/results/:id/versions',
        summary: 'Every published version of a result, oldest first',
        tags,
        roles: PARTICIPANTS,
        request: { params: IdParams },
        responses: {
          200: { description: 'Versions', schema: z.object({ items: z.array(PublishedView) }) },
          404: notFound,
        },
      },
      async ({ params, principal }) => ({
        body: { items: (await results.versions(principal, params.id)).map(publishedView) },
      }),
    )
    .route(
      {
        method: 'post',
        path: '/results/:id/revisions',
        summary: 'Correct a published result: a new version with a reason (the old one stays)',
        tags,
        roles: ADMINS,
        request: { params: IdParams, body: RevisionBody },
        responses: {
          201: { description: 'The new version', schema: PublishedView },
          404: notFound,
          409: refusal,
          422: refusal,
        },
      },
      async ({ params, body, principal }) => ({
        status: 201,
        body: publishedView(await results.revise(principal, params.id, body)),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/results/:id/appeals',
        summary: 'The firm appeals its result during the public notice (申诉)',
        tags: ['Appeals 申诉'],
        roles: PARTICIPANTS,
        request: { params: IdParams, body: AppealBody },
        responses: {
          201: { description: 'Filed', schema: AppealView },
          403: refusal,
          404: notFound,
          409: refusal,
        },
      },
      async ({ params, body, principal }) => ({
        status: 201,
        body: appealView(await appeals.file(principal, params.id, body)),
      }),
    );
}

export function appealRoutes(api: ApiRouter, { appeals }: ReviewServices): void {
  const tags = ['Appeals 申诉'];
  api
    .route(
      {
        method: 'get',
        path: '/cycles/:id/appeals',
        summary: 'Appeals of a cycle (firms: their own)',
        tags,
        roles: PARTICIPANTS,
        request: { params: IdParams, query: PageOnly },
        responses: { 200: { description: 'A page of appeals', schema: page(AppealView) }, 404: notFound },
      },
      async ({ params, query, principal }) => ({
        body: pageView(await appeals.list(principal, params.id, query), appealView),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/appeals/:id',
        summary: 'One appeal',
        tags,
        roles: PARTICIPANTS,
        request: { params: IdParams },
        responses: { 200: { description: 'The appeal', schema: AppealView }, 404: notFound },
      },
      async ({ params, principal }) => ({ body: appealView(await appeals.get(principal, params.id)) }),
    )
    .route(
      {
        method: 'post',
        path: '/appeals/:id/decision',
        summary: 'Decide an appeal; an upheld one corrects ratings and recomputes the firm’s result',
        tags,
        roles: ADMINS,
        request: { params: IdParams, body: AppealDecisionBody },
        responses: {
          200: { description: 'Decided', schema: AppealView },
          404: notFound,
          409: refusal,
          422: refusal,
        },
      },
      async ({ params, body, principal }) => ({
        body: appealView(await appeals.decide(principal, params.id, body)),
      }),
    );
}
