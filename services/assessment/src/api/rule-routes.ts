import type { ApiRouter } from '@honglian/service-kit';
import type { AssessmentServices } from './routes.js';
import * as S from './schemas.js';
import { consequenceView } from './views.js';

const ADMINS = ['city-admin', 'county-admin'] as const;
const OFFICIALS = ['city-admin', 'county-admin', 'community-staff', 'member'] as const;
const refusal = { description: 'Refused: the reason in zh-CN and English (`reason`)' };

export function ruleRoutes(api: ApiRouter, s: AssessmentServices): void {
  const tags = ['Rules & replay 规则与回放'];
  api
    .route(
      {
        method: 'post',
        path: '/rules',
        summary:
          'A new rule version for a county (override of the city rules); open periods take it on apply',
        tags,
        roles: ADMINS,
        request: { body: S.NewRuleVersion },
        responses: {
          201: { description: 'The effective rules', schema: S.RulesView },
          404: { description: 'Not your county' },
        },
      },
      async ({ body, principal }) => {
        const e = await s.rules.addOverride(body.county, body.override, body.note, principal);
        return { status: 201, body: { county: body.county, version: e.version, rules: { ...e.rules } } };
      },
    )
    .route(
      {
        method: 'post',
        path: '/rules/apply',
        summary:
          'Recompute every open period of the county with its current rules (closed periods keep theirs)',
        tags,
        roles: ADMINS,
        request: { body: S.CountyBody },
        responses: { 200: { description: 'Recomputed', schema: S.ComputeResult } },
      },
      async ({ body, principal }) => ({
        body: { period: 'open', counties: await s.ratings.applyToOpen(principal, body.county) },
      }),
    )
    .route(
      {
        method: 'post',
        path: '/periods/:period/preview',
        summary:
          'Replay: what a rule override would change in a (past) period, subject by subject; nothing saved',
        tags,
        roles: ADMINS,
        request: { params: S.PeriodParams, body: S.PreviewBody },
        responses: { 200: { description: 'The changes', schema: S.PreviewView } },
      },
      async ({ params, body, principal }) => ({
        body: await s.ratings.preview(params.period, body.county, body.override, principal),
      }),
    );
  const ctags = ['Consequences 结果运用'];
  api
    .route(
      {
        method: 'get',
        path: '/consequences',
        summary: 'Priority list, remediation plans, exit deadlines and escalations in scope',
        tags: ctags,
        roles: OFFICIALS,
        request: { query: S.ConsequenceQuery },
        responses: { 200: { description: 'Consequences', schema: S.ConsequenceView.array() } },
      },
      async ({ query, principal }) => ({
        body: (await s.consequences.list(query, principal)).map(consequenceView),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/consequences/:id/follow-ups',
        summary: 'Record a follow-up on an open consequence',
        tags: ctags,
        roles: ['city-admin', 'county-admin', 'community-staff'],
        request: { params: S.IdParams, body: S.FollowUpBody },
        responses: { 200: { description: 'Updated', schema: S.ConsequenceView }, 409: refusal },
      },
      async ({ params, body, principal }) => ({
        body: consequenceView(await s.consequences.followUp(params.id, body.note, principal)),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/consequences/:id/close',
        summary: 'Close a consequence with its outcome',
        tags: ctags,
        roles: ['city-admin', 'county-admin'],
        request: { params: S.IdParams, body: S.CloseBody },
        responses: { 200: { description: 'Closed', schema: S.ConsequenceView }, 409: refusal },
      },
      async ({ params, body, principal }) => ({
        body: consequenceView(await s.consequences.close(params.id, body.outcome, principal)),
      }),
    );
}
