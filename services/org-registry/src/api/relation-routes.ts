import { z } from 'zod';
import type { ApiRouter, Principal } from '@honglian/service-kit';
import {
  CreateAppointment,
  CreateContract,
  CreatePairing,
  Day,
  EndRelation,
  JoinAlliance,
  OrgId,
} from '../domain/commands.js';
import { REGISTRY_MANAGERS } from '../domain/scope.js';
import type { RelationType } from '../domain/relations.js';
import { today } from '../app/context.js';
import type { RegistryServices } from './routes.js';
import { AsOfQuery, IdParams, PageQuery, RelationView, type RelationRecordView, page } from './schemas.js';

const managers = REGISTRY_MANAGERS;

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
      run: (body: never, principal: Principal) => Promise<RelationRecordView>;
    };
    decorate?: (items: RelationRecordView[], day: string) => Promise<RelationRecordView[]>;
  },
): void {
  const { ctx, relationQueries, names } = services;
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
      async ({ body, principal }) => {
        const made = await create.run(body as never, principal);
        return { status: 201, body: await names.relation(made, made.validFrom, principal) };
      },
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
        const items = spec.decorate ? await spec.decorate(result.items, day) : result.items;
        return { body: { ...result, items: await names.relations(items, day, principal) } };
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
        const decorated = spec.decorate ? (await spec.decorate([item], day))[0]! : item;
        return { body: await names.relation(decorated, day, principal) };
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
        body: await names.relation(
          await services.relations.end(spec.type, params.id, body.endedOn, principal),
          body.endedOn,
          principal,
        ),
      }),
    );
}

export function relationsRoutes(api: ApiRouter, services: RegistryServices): void {
  const { relations, relationQueries, names } = services;
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
    async ({ params, body, principal }) => {
      const period = { validFrom: body.validFrom, validTo: body.validTo };
      const made = await relations.joinAlliance(params.id, body.memberOrgId, period, principal);
      return { status: 201, body: await names.relation(made, body.validFrom, principal) };
    },
  );
}
