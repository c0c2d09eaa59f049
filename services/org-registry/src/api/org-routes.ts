import type { ApiRouter } from '@honglian/service-kit';
import { ChangeOrg, CloseOrg, CreateOrg } from '../domain/commands.js';
import { REGISTRY_MANAGERS } from '../domain/scope.js';
import { today } from '../app/context.js';
import type { RegistryServices } from './routes.js';
import { AsOfQuery, History, IdParams, OrgListQuery, OrgTree, OrgView, TreeQuery, page } from './schemas.js';

const managers = REGISTRY_MANAGERS;
/** A version written or listed in a history is named as of its own first day (README, Names beside ids). */
const ofVersion = (v: { validFrom: string }) => v.validFrom;

export function orgRoutes(api: ApiRouter, { ctx, orgs, orgQueries, names }: RegistryServices): void {
  const tags = ['Organisations 组织'];
  api
    .route(
      {
        method: 'post',
        path: '/orgs',
        summary: 'Register an organisation unit',
        tags,
        roles: managers,
        request: { body: CreateOrg },
        responses: {
          201: { description: 'Created', schema: OrgView },
          409: { description: 'Id or credit code taken' },
          422: { description: 'Rule violated (parent kind, county…)' },
        },
      },
      async ({ body, principal }) => ({
        status: 201,
        body: await names.org(await orgs.create(body, principal), ofVersion),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/orgs',
        summary: 'List units (filter by kind, parent, county, name; cursor pagination)',
        tags,
        roles: managers,
        request: { query: OrgListQuery },
        responses: { 200: { description: 'A page of units', schema: page(OrgView) } },
      },
      async ({ query, principal }) => {
        const asOf = query.asOf ?? today(ctx);
        const found = await orgQueries.list({ ...query, asOf }, principal);
        return { body: await names.page(found, (items) => names.orgs(items, asOf)) };
      },
    )
    .route(
      {
        method: 'get',
        path: '/orgs/:id',
        summary: 'A unit as it stands (or stood on asOf)',
        tags,
        roles: managers,
        request: { params: IdParams, query: AsOfQuery },
        responses: {
          200: { description: 'The unit', schema: OrgView },
          404: { description: 'Not found or out of scope' },
        },
      },
      async ({ params, query, principal }) => {
        const day = query.asOf ?? today(ctx);
        return { body: await names.org(await orgQueries.get(params.id, day, principal), day) };
      },
    )
    .route(
      {
        method: 'patch',
        path: '/orgs/:id',
        summary: 'Change a unit from a given date (rename, move, credit code, term)',
        tags,
        roles: managers,
        request: { params: IdParams, body: ChangeOrg },
        responses: { 200: { description: 'The new version', schema: OrgView } },
      },
      async ({ params, body, principal }) => ({
        body: await names.org(await orgs.change(params.id, body, principal), ofVersion),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/orgs/:id/close',
        summary: 'Close a unit on a date (it stays in history)',
        tags,
        roles: managers,
        request: { params: IdParams, body: CloseOrg },
        responses: {
          200: { description: 'The closed unit', schema: OrgView },
          409: { description: 'Units still under it' },
        },
      },
      async ({ params, body, principal }) => ({
        body: await names.org(await orgs.close(params.id, body.closedOn, principal), ofVersion),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/orgs/:id/tree',
        summary: 'The subtree under a unit on a day',
        tags,
        roles: managers,
        request: { params: IdParams, query: TreeQuery },
        responses: { 200: { description: 'Nested units', schema: OrgTree } },
      },
      async ({ params, query, principal }) => {
        const day = query.asOf ?? today(ctx);
        return { body: await names.tree(await orgQueries.tree(params.id, query.depth, day, principal), day) };
      },
    )
    .route(
      {
        method: 'get',
        path: '/orgs/:id/history',
        summary: 'Every version of a unit',
        tags,
        roles: managers,
        request: { params: IdParams },
        responses: {
          200: {
            description: 'Versions, oldest first',
            schema: History(OrgView),
          },
        },
      },
      async ({ params, principal }) => {
        const { id, versions } = await orgQueries.history(params.id, principal);
        return { body: { id, versions: await names.orgs(versions, ofVersion) } };
      },
    );
}
