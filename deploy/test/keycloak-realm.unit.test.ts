import fs from 'node:fs';
import path from 'node:path';
import { ROLES } from '@honglian/contracts';

/** The realm `docker compose` imports, checked for what the services rely on. */
const realm = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'keycloak', 'realm-honglian.json'), 'utf8'),
) as {
  realm: string;
  enabled: boolean;
  accessTokenLifespan: number;
  roles: { realm: { name: string; description?: string }[] };
  clientScopes?: unknown;
  clients: {
    clientId: string;
    enabled?: boolean;
    bearerOnly?: boolean;
    secret?: string;
    clientAuthenticatorType?: string;
    standardFlowEnabled?: boolean;
    implicitFlowEnabled?: boolean;
    publicClient?: boolean;
    directAccessGrantsEnabled?: boolean;
    serviceAccountsEnabled?: boolean;
    defaultClientScopes?: string[];
    protocolMappers?: { protocolMapper: string; config: Record<string, string> }[];
  }[];
  users: {
    username: string;
    enabled?: boolean;
    credentials?: { type: string; value: string; temporary?: boolean }[];
    realmRoles?: string[];
    serviceAccountClientId?: string;
    attributes?: Record<string, string[]>;
  }[];
  components: Record<string, { providerId: string; config: Record<string, string[]> }[]>;
};
const client = (id: string) => realm.clients.find((c) => c.clientId === id)!;
const SCOPE_CLAIMS = ['county', 'org_path', 'firm_id', 'member_id'];

describe('Keycloak realm honglian', () => {
  it('is the realm honglian with exactly the suite’s eight realm roles', () => {
    expect(realm).toMatchObject({ realm: 'honglian', enabled: true, accessTokenLifespan: 900 });
    expect(realm.roles.realm.map((r) => r.name).sort()).toEqual(Object.keys(ROLES).sort());
    for (const role of realm.roles.realm)
      expect(role.description).toContain(ROLES[role.name as keyof typeof ROLES].zh);
  });

  it('carries the demo users with the documented password and the demo client secret', () => {
    const expected = [
      'city-admin',
      ...['331003', '331002'].flatMap((c) =>
        ['county-admin', 'staff', 'member', 'firm', 'committee', 'resident'].map((r) => `${r}-${c}`),
      ),
    ];
    const people = realm.users.filter((u) => !u.serviceAccountClientId);
    expect(people.map((u) => u.username)).toEqual(expected);
    for (const user of people) {
      expect({ user: user.username, enabled: user.enabled, credentials: user.credentials }).toEqual({
        user: user.username,
        enabled: true,
        credentials: [{ type: 'password', value: 'honglian-demo', temporary: false }],
      });
      expect(user.realmRoles).toHaveLength(1);
      expect(Object.keys(ROLES)).toContain(user.realmRoles![0]);
    }
    expect(client('api-consumer-demo')).toMatchObject({
      enabled: true,
      clientAuthenticatorType: 'client-secret',
      secret: 'honglian-demo-secret',
      standardFlowEnabled: false,
    });
    expect(client('honglian-web').secret).toBeUndefined();
    expect(client('honglian-web').implicitFlowEnabled).toBe(false);
    expect(client('honglian-gateway')).toMatchObject({
      directAccessGrantsEnabled: false,
      standardFlowEnabled: false,
    });
  });

  it('keeps Keycloak’s built-in client scopes (roles → realm_access, basic → sub)', () => {
    // Declaring `clientScopes` in an imported realm replaces the built-in ones.
    expect(realm.clientScopes).toBeUndefined();
    for (const id of ['honglian-web', 'api-consumer-demo']) {
      expect(client(id).defaultClientScopes).toEqual(expect.arrayContaining(['roles', 'basic', 'profile']));
    }
  });

  it('has the bearer-only audience, the public web client and a confidential API consumer', () => {
    expect(client('honglian-gateway')).toMatchObject({ bearerOnly: true, publicClient: false });
    expect(client('honglian-web')).toMatchObject({ publicClient: true, directAccessGrantsEnabled: true });
    expect(client('api-consumer-demo')).toMatchObject({
      publicClient: false,
      serviceAccountsEnabled: true,
      directAccessGrantsEnabled: false,
    });
    const account = realm.users.find((u) => u.serviceAccountClientId === 'api-consumer-demo');
    expect(account?.realmRoles).toEqual(['api-consumer']);
  });

  it('maps the scope attributes and the audience into access tokens of every client', () => {
    for (const id of ['honglian-web', 'api-consumer-demo']) {
      const mappers = client(id).protocolMappers!;
      for (const claim of SCOPE_CLAIMS) {
        expect(mappers).toContainEqual(
          expect.objectContaining({
            protocolMapper: 'oidc-usermodel-attribute-mapper',
            config: expect.objectContaining({
              'user.attribute': claim,
              'claim.name': claim,
              'access.token.claim': 'true',
            }),
          }),
        );
      }
      expect(mappers).toContainEqual(
        expect.objectContaining({
          protocolMapper: 'oidc-audience-mapper',
          config: expect.objectContaining({
            'included.client.audience': 'honglian-gateway',
            'access.token.claim': 'true',
          }),
        }),
      );
    }
  });

  it('declares the scope attributes in the user profile, editable by administrators only', () => {
    const [provider] = realm.components['org.keycloak.userprofile.UserProfileProvider']!;
    const profile = JSON.parse(provider!.config['kc.user.profile.config']![0]!) as {
      attributes: { name: string; required?: unknown; permissions: { edit: string[] } }[];
    };
    for (const claim of SCOPE_CLAIMS) {
      const attribute = profile.attributes.find((a) => a.name === claim);
      expect(attribute?.permissions.edit).toEqual(['admin']);
    }
    // Required attributes the demo users lack would block their password grant ("account not set up").
    expect(profile.attributes.filter((a) => a.required)).toEqual([]);
  });

  it('only sets attributes the profile declares', () => {
    for (const user of realm.users) {
      for (const name of Object.keys(user.attributes ?? {})) expect(SCOPE_CLAIMS).toContain(name);
    }
  });
});
