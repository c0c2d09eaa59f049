import request from 'supertest';
import { createKeycloakAuthenticator } from '@honglian/service-kit';
import { bearer, startTestService } from '@honglian/testkit';
import { backendService, startGateway } from './support.js';

/**
 * Against a real Keycloak with deploy/keycloak/realm-honglian.json imported
 * (e.g. `docker compose up keycloak`, then KEYCLOAK_URL=http://localhost:8180).
 */
const KEYCLOAK_URL = process.env.KEYCLOAK_URL?.replace(/\/+$/, '');
const describeWithKeycloak = KEYCLOAK_URL ? describe : describe.skip;
if (!KEYCLOAK_URL) {
  // Straight to stderr: jest hides console output of files whose tests are all skipped.
  process.stderr.write(
    'gateway: KEYCLOAK_URL is not set, so the tests against a real Keycloak (realm honglian) are skipped\n',
  );
}

describeWithKeycloak('with a real Keycloak (realm honglian; needs KEYCLOAK_URL)', () => {
  const realmUrl = `${KEYCLOAK_URL}/realms/honglian`;
  let gatewayUrl: string;
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
