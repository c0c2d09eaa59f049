import fs from 'node:fs';
import path from 'node:path';
import { ROLES } from '@honglian/contracts';
import { DEMO_DIRECTORY, DEMO_PASSWORD, demoUuid } from '../src/index.js';

const realm = JSON.parse(
  fs.readFileSync(
    path.join(__dirname, '..', '..', '..', 'deploy', 'keycloak', 'realm-honglian.json'),
    'utf8',
  ),
) as {
  users: {
    id: string;
    username: string;
    realmRoles: string[];
    serviceAccountClientId?: string;
    attributes?: Record<string, string[]>;
    credentials?: { value: string }[];
  }[];
  clients: { clientId: string; secret?: string }[];
};

describe('demo directory', () => {
  it('has city-admin and, for 331003 and 331002, one user per county role', () => {
    const names = DEMO_DIRECTORY.users.map((u) => u.username);
    expect(names).toEqual([
      'city-admin',
      ...['331003', '331002'].flatMap((c) =>
        ['county-admin', 'staff', 'member', 'firm', 'committee', 'resident'].map((r) => `${r}-${c}`),
      ),
    ]);
    const roles = new Set(DEMO_DIRECTORY.users.flatMap((u) => u.roles));
    roles.add('api-consumer');
    expect([...roles].sort()).toEqual(Object.keys(ROLES).sort());
  });

  it('points every scope claim at a demo organisation', () => {
    const orgPaths = new Set(
      [
        DEMO_DIRECTORY.city,
        ...DEMO_DIRECTORY.counties.flatMap((c) => [c.county, c.street, c.community, c.compound]),
      ].map((o) => o.path),
    );
    for (const user of DEMO_DIRECTORY.users) {
      if (user.orgPath) expect(orgPaths).toContain(user.orgPath);
      if (user.county)
        expect(user.orgPath ?? `/331000/${user.county}`).toMatch(new RegExp(`^/331000/${user.county}`));
      if (user.firmId) expect(DEMO_DIRECTORY.counties.map((c) => c.firm.firmId)).toContain(user.firmId);
      if (user.memberId)
        expect(DEMO_DIRECTORY.counties.map((c) => c.member.memberId)).toContain(user.memberId);
    }
    expect(demoUuid('city-admin')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('matches the demo users of the shipped Keycloak realm, ids and claims included', () => {
    for (const user of DEMO_DIRECTORY.users) {
      const kc = realm.users.find((u) => u.username === user.username);
      expect(kc).toMatchObject({ id: user.subject, realmRoles: user.roles });
      expect(kc!.credentials?.[0]?.value).toBe(DEMO_PASSWORD);
      const attributes = Object.fromEntries(Object.entries(kc!.attributes ?? {}).map(([k, [v]]) => [k, v]));
      expect(attributes).toEqual({
        ...(user.county ? { county: user.county } : {}),
        ...(user.orgPath ? { org_path: user.orgPath } : {}),
        ...(user.firmId ? { firm_id: user.firmId } : {}),
        ...(user.memberId ? { member_id: user.memberId } : {}),
      });
    }
    for (const client of DEMO_DIRECTORY.clients) {
      expect(realm.clients.find((c) => c.clientId === client.clientId)?.secret).toBe(client.secret);
      expect(realm.users.find((u) => u.serviceAccountClientId === client.clientId)).toMatchObject({
        id: client.serviceAccount.subject,
        username: client.serviceAccount.username,
        realmRoles: client.serviceAccount.roles,
      });
    }
  });
});
