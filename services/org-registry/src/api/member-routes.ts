import { z } from 'zod';
import type { ApiRouter } from '@honglian/service-kit';
import { ChangeMember, RegisterMember, TransferMember } from '../domain/commands.js';
import { REGISTRY_MANAGERS } from '../domain/scope.js';
import { today } from '../app/context.js';
import { REVEAL_ROLES } from '../app/member-queries.js';
import type { RegistryServices } from './routes.js';
import {
  AsOfQuery,
  History,
  IdParams,
  IdentityReview,
  MemberListQuery,
  MemberSearch,
  MemberView,
  PageQuery,
  Reveal,
  RevealLogEntry,
  RevealLogQuery,
  page,
} from './schemas.js';

const managers = REGISTRY_MANAGERS;
/** A version written or listed in a history is named as of its own first day (README, Names beside ids). */
const ofVersion = (v: { validFrom: string }) => v.validFrom;

export function memberRoutes(
  api: ApiRouter,
  { ctx, members, memberQueries, reviews, names }: RegistryServices,
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
      async ({ body, principal, res }) => {
        const requestId = res.getHeader('x-request-id') as string | undefined;
        return {
          status: 201,
          body: await names.member(await members.register(body, principal, requestId), ofVersion),
        };
      },
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
      async ({ query, principal }) => {
        const asOf = query.asOf ?? today(ctx);
        const found = await memberQueries.list({ ...query, asOf }, principal);
        return { body: await names.page(found, (items) => names.members(items, asOf)) };
      },
    )
    .route(
      {
        method: 'post',
        path: '/members/search',
        summary: 'Search members in scope by ID number and/or phone (and the list’s filters)',
        description:
          'A read: the ID number and phone go in the JSON body, never in the URL (proxies and access logs keep URLs), and are matched by their keyed hash after the same normalisation as when stored. Members outside the caller’s scope are not found: an empty page.',
        tags,
        roles: managers,
        request: { body: MemberSearch },
        responses: { 200: { description: 'A page of members', schema: page(MemberView) } },
      },
      async ({ body, principal }) => {
        const asOf = body.asOf ?? today(ctx);
        const found = await memberQueries.search({ ...body, asOf }, principal);
        return { body: await names.page(found, (items) => names.members(items, asOf)) };
      },
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
      async ({ params, query, principal }) => {
        const day = query.asOf ?? today(ctx);
        return { body: await names.member(await memberQueries.get(params.id, day, principal), day) };
      },
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
      async ({ params, principal }) => {
        const { id, versions } = await memberQueries.history(params.id, principal);
        return { body: { id, versions: await names.members(versions, ofVersion) } };
      },
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
      async ({ query, principal }) => {
        const found = await memberQueries.revealLog(principal, query);
        return { body: await names.page(found, (items) => names.revealLog(items, today(ctx), principal)) };
      },
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
      async ({ params, body, principal }) => ({
        body: await names.member(await members.change(params.id, body, principal), ofVersion),
      }),
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
        body: await names.member(
          await members.transfer(params.id, body.toPartyOrgId, body.effectiveFrom, principal),
          ofVersion,
        ),
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
