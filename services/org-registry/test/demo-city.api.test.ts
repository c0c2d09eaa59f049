import { DEMO_DIRECTORY } from '@honglian/contracts';
import { startRegistry } from './support.js';

/** `honglian start` seeds the registry with the gateway's demo directory; the demo users' claims must find their data. */
describe('demo city seeded through the import path', () => {
  jest.setTimeout(120_000);
  let reg: Awaited<ReturnType<typeof startRegistry>>;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(() => reg.close());

  it('seeds an empty registry once, every file applied', async () => {
    const reports = await reg.service.seedDemoCity(DEMO_DIRECTORY);
    expect(reports?.map((r) => [r.kind, r.status, r.errorCount])).toEqual([
      ['orgs', 'applied', 0],
      ['firms', 'applied', 0],
      ['contracts', 'applied', 0],
      ['pairings', 'applied', 0],
      ['members', 'applied', 0],
    ]);
    expect(await reg.service.seedDemoCity(DEMO_DIRECTORY)).toBeNull();
  });

  it.each(DEMO_DIRECTORY.counties.map((c) => [c.code, c] as const))(
    'county %s: the orgs of the demo users sit at the paths their tokens carry',
    async (_code, c) => {
      const admin = { username: 'city-admin', roles: ['city-admin'] as const };
      for (const o of [c.county, c.street, c.community, c.compound]) {
        const res = await reg.http.get(`/orgs/${o.orgId}`, { ...admin, roles: [...admin.roles] });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ id: o.orgId, kind: o.kind, path: o.path });
      }
      const users = DEMO_DIRECTORY.users.filter((u) => u.county === c.code);
      const staff = users.find((u) => u.roles.includes('community-staff'))!;
      const staffUser = {
        username: staff.username,
        roles: [...staff.roles],
        county: staff.county,
        orgPath: staff.orgPath,
      };
      expect((await reg.http.get(`/orgs/${c.compound.orgId}`, staffUser)).status).toBe(200);
      const countyAdmin = users.find((u) => u.roles.includes('county-admin'))!;
      const adminUser = {
        username: countyAdmin.username,
        roles: [...countyAdmin.roles],
        county: countyAdmin.county,
        orgPath: countyAdmin.orgPath,
      };
      // The firm of the demo firm user serves the demo compound.
      const contracts = await reg.http.get(`/contracts?compoundId=${c.compound.orgId}`, adminUser);
      expect(contracts.body.items.map((x: { fromId: string }) => x.fromId)).toEqual([c.firm.firmId]);
      // The demo member lives in a compound of the county; their work unit is paired with another community there.
      const memberUser = users.find((u) => u.roles.includes('member'))!;
      const me = await reg.http.get(`/members/${memberUser.memberId}`, {
        username: memberUser.username,
        roles: [...memberUser.roles],
        county: memberUser.county,
        memberId: memberUser.memberId,
      });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ county: c.code, residenceCompoundId: c.compound.orgId });
      expect(me.body.idNumber).toMatch(new RegExp(`^${c.code.slice(0, 4)}\\*{10}[\\dX]{4}$`));
      const pairings = await reg.http.get('/pairings', adminUser);
      const paired = pairings.body.items.filter(
        (p: { agencyUnitId: string }) => p.agencyUnitId === me.body.workUnitId,
      );
      expect(paired).toHaveLength(1);
      expect(paired[0].toId).not.toBe(c.community.orgId);
      expect((await reg.http.get(`/orgs/${paired[0].toId}`, adminUser)).body).toMatchObject({
        kind: 'community',
        county: c.code,
      });
      // The first street's red-property alliance (红色物业联盟) has its three member organisations.
      const allianceId = `${c.street.orgId}-alliance-01`;
      expect((await reg.http.get(`/orgs/${allianceId}`, adminUser)).body).toMatchObject({
        kind: 'alliance',
        county: c.code,
      });
      const memberships = await reg.http.get(`/alliance-memberships?allianceId=${allianceId}`, adminUser);
      expect(memberships.status).toBe(200);
      expect(memberships.body.items.map((m: { toId: string }) => m.toId).sort()).toEqual([
        `${c.code}-agency-01-dw`,
        `${c.code}-community-01-ddw`,
        `${c.code}-community-02-ddw`,
      ]);
      // And another county's admin sees none of it.
      const other = DEMO_DIRECTORY.users.find(
        (u) => u.roles.includes('county-admin') && u.county !== c.code,
      )!;
      const otherUser = {
        username: other.username,
        roles: [...other.roles],
        county: other.county,
        orgPath: other.orgPath,
      };
      expect((await reg.http.get(`/members/${memberUser.memberId}`, otherUser)).status).toBe(404);
      expect((await reg.http.get(`/orgs/${c.compound.orgId}`, otherUser)).status).toBe(404);
      const theirs = await reg.http.get(`/alliance-memberships?allianceId=${allianceId}`, otherUser);
      expect(theirs.body.items ?? []).toEqual([]);
    },
  );
});
