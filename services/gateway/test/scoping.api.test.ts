import request from 'supertest';
import { z } from 'zod';
import {
  assertInScope,
  createServiceApp,
  scopeAllows,
  tenantFilter,
  type Authenticator,
  type TenantFields,
} from '@honglian/service-kit';
import {
  TEST_USERS,
  bearer,
  startTestIssuer,
  startTestService,
  testContext,
  type TestIssuer,
} from '@honglian/testkit';
import { startGateway } from './support.js';

/** Ratings of property firms in two counties; some published. */
const RATINGS = [
  {
    id: 'r1',
    county: '331003',
    orgPath: '/331000/331003/st-1/cm-1',
    firmId: 'f-331003-1',
    status: 'published',
  },
  { id: 'r2', county: '331003', orgPath: '/331000/331003/st-2/cm-5', firmId: 'f-331003-2', status: 'draft' },
  {
    id: 'r3',
    county: '331002',
    orgPath: '/331000/331002/st-1/cm-1',
    firmId: 'f-331002-1',
    status: 'published',
  },
];
const FIELDS: TenantFields = {
  countyField: 'county',
  orgPathField: 'orgPath',
  firmField: 'firmId',
  published: { status: 'published' },
};

/** A small router built the way real services will use the tenant helpers. */
function ratingsService(auth: Authenticator) {
  return createServiceApp(testContext({ auth }), {
    name: 'property-evaluation',
    prefix: '/api/v1/evaluation',
    title: 'ratings (test)',
    routes: (api) => {
      api
        .route(
          {
            method: 'get',
            path: '/ratings',
            summary: 'Ratings in the caller’s scope',
            roles: ['city-admin', 'county-admin', 'community-staff', 'property-firm'],
            responses: { 200: { description: 'list' } },
          },
          ({ principal }) => ({
            // Real services pass the filter to mongoose; here it is checked on the records in memory.
            body: RATINGS.filter((r) => scopeAllows(principal, r, FIELDS)).map((r) => r.id),
          }),
        )
        .route(
          {
            method: 'get',
            path: '/ratings/:id',
            summary: 'One rating',
            roles: ['city-admin', 'county-admin', 'community-staff', 'property-firm'],
            request: { params: z.object({ id: z.string() }) },
            responses: { 200: { description: 'the rating' } },
          },
          ({ principal, params }) => ({
            body: assertInScope(
              principal,
              RATINGS.find((r) => r.id === params.id),
              FIELDS,
            ),
          }),
        )
        .route(
          {
            method: 'get',
            path: '/published/ratings',
            summary: 'Published ratings, for outside systems',
            roles: ['api-consumer', 'city-admin', 'county-admin'],
            responses: { 200: { description: 'list' } },
          },
          ({ principal }) => ({
            body: {
              filter: tenantFilter(principal, FIELDS),
              ids: RATINGS.filter((r) => scopeAllows(principal, r, FIELDS)).map((r) => r.id),
            },
          }),
        );
    },
  });
}

let issuer: TestIssuer;
let gatewayUrl: string;
let close: () => Promise<void>;

beforeAll(async () => {
  issuer = await startTestIssuer();
  const service = await startTestService(ratingsService(issuer.authenticator()));
  const gateway = await startGateway({
    auth: issuer.authenticator(),
    services: { 'property-evaluation': service.url },
  });
  gatewayUrl = gateway.url;
  close = async () => {
    await gateway.close();
    await service.close();
    await issuer.close();
  };
});
afterAll(() => close());

const get = async (path: string, user: Parameters<TestIssuer['token']>[0]) =>
  request(gatewayUrl)
    .get(`/api/v1/evaluation${path}`)
    .set(bearer(await issuer.token(user)));

describe('county scoping through the gateway', () => {
  it('shows a county admin of 黄岩区 its county only: another county’s record is 404, not 403', async () => {
    const admin = TEST_USERS.countyAdmin331003;
    expect((await get('/ratings', admin)).body).toEqual(['r1', 'r2']);
    expect((await get('/ratings/r1', admin)).status).toBe(200);
    const other = await get('/ratings/r3', admin);
    expect(other.status).toBe(404);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    // Out of scope reads exactly like "does not exist".
    const missing = await get('/ratings/r404', admin);
    expect({ status: missing.status, detail: missing.body.detail }).toEqual({
      status: other.status,
      detail: other.body.detail,
    });
  });

  it('shows the city admin both counties', async () => {
    expect((await get('/ratings', TEST_USERS.cityAdmin)).body).toEqual(['r1', 'r2', 'r3']);
    expect((await get('/ratings/r3', TEST_USERS.cityAdmin)).status).toBe(200);
  });

  it('shows community staff their subtree and a firm its own ratings', async () => {
    expect(
      (await get('/ratings', { ...TEST_USERS.staff331003, orgPath: '/331000/331003/st-1' })).body,
    ).toEqual(['r1']);
    expect((await get('/ratings', { ...TEST_USERS.firm331003, firmId: 'f-331003-2' })).body).toEqual(['r2']);
    expect((await get('/ratings/r1', { ...TEST_USERS.firm331003, firmId: 'f-331003-2' })).status).toBe(404);
  });

  it('lets an api-consumer call only the read endpoints meant for it, and see published data only', async () => {
    const consumer = TEST_USERS.apiConsumer;
    const published = await get('/published/ratings', consumer);
    expect(published.status).toBe(200);
    expect(published.body).toEqual({ filter: { status: 'published' }, ids: ['r1', 'r3'] });
    expect((await get('/ratings', consumer)).status).toBe(403);
    expect((await get('/ratings/r1', consumer)).status).toBe(403);
  });
});
