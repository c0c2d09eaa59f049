import { z } from 'zod';
import type { ApiRouter } from '@honglian/service-kit';
import { Day, OrgId } from '../domain/commands.js';
import {
  ChangeMember,
  ChangeOrg,
  CloseOrg,
  CreateAppointment,
  CreateContract,
  CreateOrg,
  CreatePairing,
  EndRelation,
  JoinAlliance,
  RegisterMember,
  TransferMember,
} from '../domain/commands.js';
import { REGISTRY_MANAGERS } from '../domain/scope.js';
import { today, type RegistryContext } from '../app/context.js';
import type { OrgService } from '../app/orgs.js';
import type { OrgQueries } from '../app/org-queries.js';
import type { RelationService } from '../app/relations.js';
import type { RelationQueries } from '../app/relation-queries.js';
import type { IdentityReviews } from '../app/identity-reviews.js';
import type { MemberService } from '../app/members.js';
import { REVEAL_ROLES, type MemberQueries } from '../app/member-queries.js';
import type { RelationType } from '../domain/relations.js';
import {
  AsOfQuery,
  History,
  IdParams,
  IdentityReview,
  MemberListQuery,
  MemberView,
  OrgListQuery,
  OrgTree,
  OrgView,
  PageQuery,
  RelationView,
  type RelationView as RelationViewT,
  Reveal,
  RevealLogEntry,
  RevealLogQuery,
  TreeQuery,
  page,
} from './schemas.js';

export interface RegistryServices {
  ctx: RegistryContext;
  orgs: OrgService;
  orgQueries: OrgQueries;
  relations: RelationService;
  relationQueries: RelationQueries;
  members: MemberService;
  memberQueries: MemberQueries;
  reviews: IdentityReviews;
}

const managers = REGISTRY_MANAGERS;

export function orgRoutes(api: ApiRouter, { ctx, orgs, orgQueries }: RegistryServices): void {
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
      async ({ body, principal }) => ({ status: 201, body: await orgs.create(body, principal) }),
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
      async ({ query, principal }) => ({
        body: await orgQueries.list({ ...query, asOf: query.asOf ?? today(ctx) }, principal),
      }),
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
      async ({ params, query, principal }) => ({
        body: await orgQueries.get(params.id, query.asOf ?? today(ctx), principal),
      }),
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
      async ({ params, body, principal }) => ({ body: await orgs.change(params.id, body, principal) }),
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
        body: await orgs.close(params.id, body.closedOn, principal),
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
      async ({ params, query, principal }) => ({
        body: await orgQueries.tree(params.id, query.depth, query.asOf ?? today(ctx), principal),
      }),
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
      async ({ params, principal }) => ({ body: await orgQueries.history(params.id, principal) }),
    );
}

/** Contracts, pairings, alliance memberships and appointments share one shape: two sides and a period. */
function relationRoutes(
  api: ApiRouter,
  services: RegistryServices,
  spec: {
    type: RelationType;
    path: string;
    tag: string;
    sides: [string, string];
    create?: {
      schema: z.ZodType;
      run: (body: never, principal: Parameters<RelationQueries['list']>[2]) => Promise<RelationViewT>;
    };
    decorate?: (items: RelationViewT[], day: string) => Promise<RelationViewT[]>;
  },
): void {
  const { ctx, relationQueries } = services;
  const tags = [spec.tag];
  const [from, to] = spec.sides;
  if (spec.create) {
    const create = spec.create;
    api.route(
      {
        method: 'post',
        path: spec.path,
        summary: `Record a ${spec.type}`,
        tags,
        roles: managers,
        request: { body: create.schema },
        responses: {
          201: { description: 'Created', schema: RelationView },
          409: { description: 'Overlaps an existing one' },
        },
      },
      async ({ body, principal }) => ({ status: 201, body: await create.run(body as never, principal) }),
    );
  }
  const ListQuery = z.strictObject({
    [from]: z.string().max(64).optional(),
    [to]: z.string().max(64).optional(),
    asOf: Day.optional(),
    ...PageQuery,
  });
  api
    .route(
      {
        method: 'get',
        path: spec.path,
        summary: `List ${spec.type}s (asOf: only those in force that day)`,
        tags,
        roles: managers,
        request: { query: ListQuery },
        responses: { 200: { description: 'A page', schema: page(RelationView) } },
      },
      async ({ query, principal }) => {
        const q = query as Record<string, string | number | undefined>;
        const result = await relationQueries.list(
          spec.type,
          {
            fromId: q[from] as string | undefined,
            toId: q[to] as string | undefined,
            asOf: q.asOf as string | undefined,
            limit: q.limit as number,
            cursor: q.cursor as string | undefined,
          },
          principal,
        );
        const day = (q.asOf as string | undefined) ?? today(ctx);
        return {
          body: { ...result, items: spec.decorate ? await spec.decorate(result.items, day) : result.items },
        };
      },
    )
    .route(
      {
        method: 'get',
        path: `${spec.path}/:id`,
        summary: `One ${spec.type}`,
        tags,
        roles: managers,
        request: { params: IdParams, query: AsOfQuery },
        responses: { 200: { description: 'The relation', schema: RelationView } },
      },
      async ({ params, query, principal }) => {
        const day = query.asOf ?? today(ctx);
        const item = await relationQueries.get(spec.type, params.id, day, principal);
        return { body: spec.decorate ? (await spec.decorate([item], day))[0] : item };
      },
    )
    .route(
      {
        method: 'post',
        path: `${spec.path}/:id/end`,
        summary: `End a ${spec.type} on a day`,
        tags,
        roles: managers,
        request: { params: IdParams, body: EndRelation },
        responses: { 200: { description: 'The ended relation', schema: RelationView } },
      },
      async ({ params, body, principal }) => ({
        body: await services.relations.end(spec.type, params.id, body.endedOn, principal),
      }),
    );
}

export function relationsRoutes(api: ApiRouter, services: RegistryServices): void {
  const { relations, relationQueries } = services;
  relationRoutes(api, services, {
    type: 'contract',
    path: '/contracts',
    tag: 'Service contracts 物业服务合同',
    sides: ['firmId', 'compoundId'],
    create: { schema: CreateContract, run: (body, p) => relations.createContract(body, p) },
  });
  relationRoutes(api, services, {
    type: 'pairing',
    path: '/pairings',
    tag: 'Pairings 结对共建',
    sides: ['agencyOrgId', 'targetId'],
    create: { schema: CreatePairing, run: (body, p) => relations.createPairing(body, p) },
  });
  relationRoutes(api, services, {
    type: 'appointment',
    path: '/appointments',
    tag: 'Appointments 任职',
    sides: ['memberId', 'orgId'],
    create: { schema: CreateAppointment, run: (body, p) => relations.appoint(body, p) },
    // 交叉任职: one person holding posts in more than one organisation on the day.
    decorate: async (items, day) => {
      const orgsByMember = await relationQueries.appointedOrgs(
        items.map((a) => a.fromId),
        day,
      );
      return items.map((a) => ({
        ...a,
        crossAppointment: a.active && (orgsByMember.get(a.fromId)?.size ?? 0) > 1,
      }));
    },
  });
  relationRoutes(api, services, {
    type: 'alliance-membership',
    path: '/alliance-memberships',
    tag: 'Alliances 联盟',
    sides: ['allianceId', 'memberOrgId'],
  });
  api.route(
    {
      method: 'post',
      path: '/alliances/:id/members',
      summary: 'Add a member organisation to an alliance',
      tags: ['Alliances 联盟'],
      roles: managers,
      request: { params: z.object({ id: OrgId }), body: JoinAlliance },
      responses: { 201: { description: 'Membership', schema: RelationView } },
    },
    async ({ params, body, principal }) => ({
      status: 201,
      body: await relations.joinAlliance(
        params.id,
        body.memberOrgId,
        { validFrom: body.validFrom, validTo: body.validTo },
        principal,
      ),
    }),
  );
}

export function memberRoutes(
  api: ApiRouter,
  { ctx, members, memberQueries, reviews }: RegistryServices,
): void {
  const tags = ['Members 党员'];
  api
    .route(
      {
        method: 'post',
        path: '/members',
        summary: 'Register a party member (the four clears 四清楚)',
        tags,
        roles: managers,
        request: { body: RegisterMember },
        responses: {
          201: { description: 'Registered (personal data masked)', schema: MemberView },
          409: { description: 'ID number already registered' },
        },
      },
      async ({ body, principal, res }) => ({
        status: 201,
        body: await members.register(body, principal, res.getHeader('x-request-id') as string | undefined),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/members',
        summary: 'List members in scope',
        tags,
        roles: managers,
        request: { query: MemberListQuery },
        responses: { 200: { description: 'A page of members', schema: page(MemberView) } },
      },
      async ({ query, principal }) => ({
        body: await memberQueries.list({ ...query, asOf: query.asOf ?? today(ctx) }, principal),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/members/:id',
        summary: 'A member (masked); members may read their own record',
        tags,
        roles: [...managers, 'member'],
        request: { params: IdParams, query: AsOfQuery },
        responses: { 200: { description: 'The member', schema: MemberView } },
      },
      async ({ params, query, principal }) => ({
        body: await memberQueries.get(params.id, query.asOf ?? today(ctx), principal),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/members/:id/history',
        summary: 'Every version of a member (transfers, moves)',
        tags,
        roles: [...managers, 'member'],
        request: { params: IdParams },
        responses: {
          200: {
            description: 'Versions',
            schema: History(MemberView),
          },
        },
      },
      async ({ params, principal }) => ({ body: await memberQueries.history(params.id, principal) }),
    )
    .route(
      {
        method: 'get',
        path: '/members/:id/reveal',
        summary: `Full ID number and phone, for ${REVEAL_ROLES.join(', ')}; every attempt is audit-logged, refused ones too`,
        description:
          'The role check is made by the use case, not the router, so a refused attempt (403) is audit-logged as well.',
        tags,
        request: { params: IdParams },
        responses: { 200: { description: 'Unmasked personal data', schema: Reveal } },
      },
      async ({ params, principal, res }) => ({
        headers: { 'cache-control': 'no-store' },
        body: await memberQueries.reveal(
          params.id,
          principal,
          res.getHeader('x-request-id') as string | undefined,
        ),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/reveals',
        summary: 'The reveal log: who asked for members’ personal data and how it ended',
        description:
          'City admins read every entry; county admins the entries about members of their county, whoever asked.',
        tags,
        roles: ['city-admin', 'county-admin'],
        request: { query: RevealLogQuery },
        responses: { 200: { description: 'A page of entries, oldest first', schema: page(RevealLogEntry) } },
      },
      async ({ query, principal }) => ({ body: await memberQueries.revealLog(principal, query) }),
    )
    .route(
      {
        method: 'patch',
        path: '/members/:id',
        summary: 'Change a member from a given date',
        tags,
        roles: managers,
        request: { params: IdParams, body: ChangeMember },
        responses: { 200: { description: 'The new version', schema: MemberView } },
      },
      async ({ params, body, principal }) => ({ body: await members.change(params.id, body, principal) }),
    )
    .route(
      {
        method: 'post',
        path: '/members/:id/transfer',
        summary: 'Transfer a member to another party organisation (history kept)',
        tags,
        roles: managers,
        request: { params: IdParams, body: TransferMember },
        responses: { 200: { description: 'The new version', schema: MemberView } },
      },
      async ({ params, body, principal }) => ({
        body: await members.transfer(params.id, body.toPartyOrgId, body.effectiveFrom, principal),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/identity-reviews',
        summary:
          'Attempts to register an ID number already on file outside the caller’s scope (refused neutrally), for the city admin to review',
        tags,
        roles: ['city-admin'],
        request: { query: z.strictObject(PageQuery) },
        responses: {
          200: { description: 'A page of review cases, oldest first', schema: page(IdentityReview) },
        },
      },
      async ({ query }) => ({ body: await reviews.list(query) }),
    );
}
