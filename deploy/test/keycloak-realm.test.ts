import fs from 'node:fs';
import path from 'node:path';

/** The realm `docker compose` imports, checked for what the services rely on. */
const realm = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'keycloak', 'realm-honglian.json'), 'utf8'),
) as {
  clientScopes?: unknown;
  clients: {
    clientId: string;
    bearerOnly?: boolean;
    publicClient?: boolean;
    directAccessGrantsEnabled?: boolean;
    serviceAccountsEnabled?: boolean;
    defaultClientScopes?: string[];
    protocolMappers?: { protocolMapper: string; config: Record<string, string> }[];
  }[];
  users: {
    username: string;
    realmRoles?: string[];
    serviceAccountClientId?: string;
    attributes?: Record<string, string[]>;
  }[];
  components: Record<string, { providerId: string; config: Record<string, string[]> }[]>;
};
const client = (id: string) => realm.clients.find((c) => c.clientId === id)!;
const SCOPE_CLAIMS = ['county', 'org_path', 'firm_id', 'member_id'];

describe('Keycloak realm honglian', () => {
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
