import request from 'supertest';
import { createKeycloakAuthenticator } from '@honglian/service-kit';
import { bearer, keycloakTokens, requireRealServer, startTestService } from '@honglian/testkit';
import { backendService, startGateway } from './support.js';

/**
 * Against a real Keycloak with deploy/keycloak/realm-honglian.json imported
 * (e.g. `docker compose up keycloak`, then KEYCLOAK_URL=http://localhost:8180).
 */
const KEYCLOAK_URL = requireRealServer('KEYCLOAK_URL', 'gateway: tests against a real Keycloak')?.replace(
  /\/+$/,
  '',
);
const describeWithKeycloak = KEYCLOAK_URL ? describe : describe.skip;

describeWithKeycloak('with a real Keycloak (realm honglian; needs KEYCLOAK_URL)', () => {
  const realmUrl = `${KEYCLOAK_URL}/realms/honglian`;
  let gatewayUrl: string;
  let serviceUrl: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    // The issuer is whatever Keycloak says it is (KC_HOSTNAME), which may differ from KEYCLOAK_URL.
    const { issuer } = (await (await fetch(`${realmUrl}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    const auth = () => createKeycloakAuthenticator({ serverUrl: KEYCLOAK_URL!, issuer });
    const service = await startTestService(backendService('org-registry', '/api/v1/registry', auth()));
    const gateway = await startGateway({ auth: auth(), services: { 'org-registry': service.url } });
    gatewayUrl = gateway.url;
    serviceUrl = service.url;
    close = async () => {
      await gateway.close();
      await service.close();
    };
  });
  afterAll(() => close?.());

  const token = async (fields: Record<string, string>) => {
    const res = await fetch(`${realmUrl}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams(fields),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };

  it('accepts a demo user’s password-grant token and reads its county', async () => {
    const access = await token({
      grant_type: 'password',
      client_id: 'honglian-web',
      username: 'county-admin-331003',
      password: 'honglian-demo',
    });
    const res = await request(gatewayUrl).get('/api/v1/registry/whoami').set(bearer(access));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ roles: ['county-admin'], county: '331003', orgPath: '/331000/331003' });
    expect((await request(gatewayUrl).get('/api/v1/registry/county-only').set(bearer(access))).status).toBe(
      200,
    );
  });

  it('refuses Keycloak’s expired, other-audience and other-realm tokens (401), and a token without the role (403), at the gateway and at the service', async () => {
    // Generous: the expired token waits out its one-second life.
    const kc = keycloakTokens(KEYCLOAK_URL!);
    const cases: [string, string, number][] = [
      ['expired', await kc.expired('county-admin-331003'), 401],
      ['other audience (admin-cli)', await kc.wrongAudience('county-admin-331003'), 401],
      ['other realm’s key (master)', await kc.otherRealm(), 401],
      ['no county-admin role (resident)', await kc.user('resident-331003'), 403],
      ['county admin', await kc.user('county-admin-331003'), 200],
    ];
    for (const base of [gatewayUrl, serviceUrl]) {
      const got = [];
      for (const [name, access] of cases) {
        // The service serves the same path the gateway routes to it.
        const res = await request(base).get('/api/v1/registry/county-only').set(bearer(access));
        got.push([name, res.status, res.status === 401 ? res.headers['www-authenticate'] : undefined]);
      }
      expect(got).toEqual(
        cases.map(([name, , status]) => [
          name,
          status,
          status === 401 ? expect.stringContaining('error="invalid_token"') : undefined,
        ]),
      );
    }
  }, 120_000);

  it('accepts the example API consumer’s client_credentials token', async () => {
    const access = await token({
      grant_type: 'client_credentials',
      client_id: 'api-consumer-demo',
      client_secret: 'honglian-demo-secret',
    });
    const res = await request(gatewayUrl).get('/api/v1/registry/whoami').set(bearer(access));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ roles: ['api-consumer'], clientId: 'api-consumer-demo' });
  });
});
