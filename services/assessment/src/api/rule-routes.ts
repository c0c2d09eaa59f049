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
          409: refusal,
          422: refusal,
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
        path: '/rules/city',
        summary:
          'A new city rule version (city admin): the current city rules with the override applied, stored whole; county overrides keep applying over it; open periods take it on apply, closed ones keep theirs',
        tags,
        roles: ['city-admin'],
        request: { body: S.NewCityVersion },
        responses: {
          201: { description: 'The new city version', schema: S.CityRulesView },
          409: refusal,
          422: refusal,
        },
      },
      async ({ body, principal }) => {
        const { version, doc } = await s.rules.addCityVersion(body.override, body.note, principal);
        return {
          status: 201,
          body: {
            version,
            note: doc.note,
            override: { ...doc.override },
            rules: { ...doc.rules },
            createdAt: doc.createdAt,
            createdBy: doc.createdBy,
          },
        };
      },
    )
    .route(
      {
        method: 'get',
        path: '/rules',
        summary:
          'The rules a county works with (default: your county; the city admin without one: the city rules), their version and the version history of the city and the county',
        tags,
        roles: ['city-admin', 'county-admin', 'community-staff'],
        request: { query: S.RulesQuery },
        responses: {
          200: { description: 'Effective rules and history', schema: S.RulesOverview },
          404: { description: 'Not your county' },
        },
      },
      async ({ query, principal }) => {
        const o = await s.rules.overview(principal, query.county);
        return {
          body: {
            county: o.county,
            version: o.version,
            rules: { ...o.rules },
            history: {
              city: o.history.city.map((e) => ({ ...e, override: e.override ? { ...e.override } : null })),
              county: o.history.county.map((e) => ({
                ...e,
                override: e.override ? { ...e.override } : null,
              })),
            },
          },
        };
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
        responses: {
          200: { description: 'Recomputed: each open period of each county', schema: S.ApplyResult },
        },
      },
      async ({ body, principal }) => ({
        body: { period: 'open' as const, counties: await s.ratings.applyToOpen(principal, body.county) },
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
        summary:
          'Priority list, remediation plans, exit deadlines and escalations in scope, in id order: the next page after `cursor` (the last id shown)',
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
