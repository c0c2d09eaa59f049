import {
  DEMO_DIRECTORY,
  OrderStateChanged,
  OrgCreated,
  PairingCreated,
  TOPICS,
  createEvent,
} from '@honglian/contracts';
import type { CloudEvent } from '@honglian/contracts';
import type { TestUser } from '@honglian/testkit';
import { demoPairing } from '../src/app/demo.js';
import { dayOf } from '../src/domain/rules.js';
import { ids, pairingCreated, pairingEnded, startPoints, users, type Harness } from './support.js';

// The demo check runs every service's seed: a generous bound on a loaded machine, never a measure.
jest.setTimeout(180_000);

/**
 * Issue 14 item 5: a micro-wish is claimable by a unit only when a pairing (结对共建) in force
 * on the claim day links the unit with the wish's community; the pairings come from the
 * registry's events (read model, events/handlers.ts). Anything else is answered like an
 * unknown unit: 422 naming `unitId`, nothing recorded.
 */
describe('micro-wishes claimed by paired units', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startPoints();
  });
  afterEach(() => h.close());

  const day = (d: string) => new Date(`${d}T08:00:00+08:00`);

  /** A micro-wish at `communityId`, opened by `staff`. */
  const openWish = async (staff: TestUser = users.staff331003, communityId: string = ids.cm1) => {
    const wish = await h.http.post('/orders', staff, {
      communityId,
      kind: 'wish',
      budget: 200,
      title: '助行器',
      residentName: '张奶奶',
    });
    expect(wish.status).toBe(201);
    expect((await h.http.post(`/orders/${wish.body.id}/open`, staff, {})).status).toBe(200);
    return wish.body.id as string;
  };
  const claim = (id: string, unitId: string, staff: TestUser = users.staff331003) =>
    h.http.post(`/orders/${id}/claim`, staff, { unitId });
  const stepEvents = async (id: string) =>
    (await h.events(TOPICS.volunteerPoints)).filter(
      (e) => e.type === OrderStateChanged.type && e.subject === id,
    );

  /** The claim is refused like an unknown unit, and the wish is as it was: open, no claimant, no new event. */
  const expectRefused = async (id: string, unitId: string, staff: TestUser = users.staff331003) => {
    await h.settle();
    const before = await h.http.get(`/orders/${id}`, staff);
    const events = (await stepEvents(id)).length;
    const res = await claim(id, unitId, staff);
    expect([unitId, res.status, res.body.field]).toEqual([unitId, 422, 'unitId']);
    const unknown = await claim(id, 'no-such-unit', staff);
    expect(res.body).toEqual(unknown.body); // not told apart from a unit that does not exist
    await h.settle();
    const after = await h.http.get(`/orders/${id}`, staff);
    expect(after.body).toEqual(before.body);
    expect(after.body).toMatchObject({ status: 'open', claimant: null });
    expect(await stepEvents(id)).toHaveLength(events);
  };

  it('lets staff claim a wish for a unit paired with its community, by the unit or its party organisation', async () => {
    await h.publishTo(
      TOPICS.orgRegistry,
      pairingCreated('jd-1', { unitId: ids.bureau, targetId: ids.cm1, creatorLevel: 'county' }),
    );
    const id = await openWish();
    const claimed = await claim(id, ids.bureau);
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({
      status: 'claimed',
      claimant: { kind: 'unit', id: ids.bureau },
      memberId: null,
    });
    expect((await stepEvents(id)).map((e) => (e.data as { to: string }).to)).toEqual([
      'posted',
      'open',
      'claimed',
    ]);
    const byParty = await openWish();
    expect((await claim(byParty, `${ids.bureau}-dw`)).body).toMatchObject({
      status: 'claimed',
      claimant: { kind: 'unit', id: `${ids.bureau}-dw` },
    });
    // Claimed already: the state machine answers first (409), whatever the unit.
    expect((await claim(id, ids.hospital)).status).toBe(409);
  });

  it('honours a pairing with a compound of the community (through the org tree), not with another community', async () => {
    await h.publishTo(
      TOPICS.orgRegistry,
      pairingCreated('jd-cp', { unitId: ids.bureau, targetId: ids.cp2, targetKind: 'compound' }),
    );
    const atCm2 = await openWish(users.staff2, ids.cm2);
    expect((await claim(atCm2, ids.bureau, users.staff2)).body).toMatchObject({ status: 'claimed' });
    const atCm1 = await openWish();
    await expectRefused(atCm1, ids.bureau);
  });

  it('refuses an unpaired unit, and a unit paired with another community, like an unknown one', async () => {
    await h.publishTo(TOPICS.orgRegistry, pairingCreated('jd-2', { unitId: ids.bureau, targetId: ids.cm2 }));
    const id = await openWish();
    await expectRefused(id, ids.hospital);
    await expectRefused(id, ids.bureau);
    // A request (not a wish) is never a unit's to claim.
    const request = await h.http.post('/orders', users.staff331003, { communityId: ids.cm1, title: '修灯' });
    await h.http.post(`/orders/${request.body.id}/open`, users.staff331003, {});
    expect((await claim(request.body.id, ids.hospital)).body).toMatchObject({ status: 422, field: 'unitId' });
  });

  it('counts a pairing only while in force on the claim day: ended, not begun yet, or past its end are refused', async () => {
    // The clock is at 2026-03-02.
    const ended = pairingCreated('jd-ended', { unitId: ids.bureau, targetId: ids.cm1 });
    await h.publishTo(TOPICS.orgRegistry, ended, pairingEnded(ended, '2026-02-15', day('2026-02-15')));
    const id = await openWish();
    await expectRefused(id, ids.bureau);

    await h.publishTo(
      TOPICS.orgRegistry,
      pairingCreated('jd-later', { unitId: ids.hospital, targetId: ids.cm1, validFrom: '2026-04-01' }),
      pairingCreated('jd-over', {
        unitId: `${ids.jjBureau}`,
        county: '331003',
        creatorLevel: 'city',
        targetId: ids.cm1,
        validFrom: '2025-01-01',
        validTo: '2026-03-02', // exclusive: its last day was yesterday
      }),
    );
    await expectRefused(id, ids.hospital);
    await expectRefused(id, ids.jjBureau);

    // Ended later than the claim day: still in force today.
    const endsLater = pairingCreated('jd-ends-later', { unitId: ids.hospital, targetId: ids.cm1 });
    await h.publishTo(
      TOPICS.orgRegistry,
      endsLater,
      pairingEnded(endsLater, '2026-03-10', day('2026-03-01')),
    );
    expect((await claim(id, ids.hospital)).body).toMatchObject({ status: 'claimed' });
  });

  it('honours a cross-county pairing only when the city recorded it, and never tells another county’s unit apart', async () => {
    const id = await openWish();
    // No pairing at all: 椒江's unit is answered exactly like a unit that does not exist.
    await expectRefused(id, ids.jjBureau);
    // Filed under the target's county (黄岩) by a county, or by an event that does not say who.
    await h.publishTo(
      TOPICS.orgRegistry,
      pairingCreated('jd-x-county', { unitId: ids.jjBureau, targetId: ids.cm1, creatorLevel: 'county' }),
      pairingCreated('jd-x-old', { unitId: `${ids.jjBureau}`, targetId: ids.cm1, validFrom: '2026-02-01' }),
    );
    await expectRefused(id, ids.jjBureau);
    await expectRefused(id, `${ids.jjBureau}-dw`);
    // The same link recorded by the city counts.
    await h.publishTo(
      TOPICS.orgRegistry,
      pairingCreated('jd-x-city', { unitId: ids.jjBureau, targetId: ids.cm1, creatorLevel: 'city' }),
    );
    expect((await claim(id, ids.jjBureau)).body).toMatchObject({
      status: 'claimed',
      claimant: { kind: 'unit', id: ids.jjBureau },
    });
  });

  it('keeps the pairing read model as it is when the registry’s events arrive again, late or out of order', async () => {
    const { Pairing } = h.service.services.ctx.data.models;
    const created = pairingCreated('jd-r', { unitId: ids.bureau, targetId: ids.cm1, creatorLevel: 'county' });
    await h.publishTo(TOPICS.orgRegistry, created);
    const held = await Pairing.findById('jd-r').lean();
    expect(held).toMatchObject({ validTo: null, endedOn: null, creatorLevel: 'county' });

    // The same event again, and the same state under another event id (a replay).
    await h.publishTo(TOPICS.orgRegistry, created, created, { ...created, id: crypto.randomUUID() });
    expect(await Pairing.findById('jd-r').lean()).toEqual(held);

    const ended = pairingEnded(created, '2026-02-20', day('2026-02-20'));
    await h.publishTo(TOPICS.orgRegistry, ended);
    const endedDoc = await Pairing.findById('jd-r').lean();
    expect(endedDoc).toMatchObject({ validTo: '2026-02-20', endedOn: '2026-02-20' });
    // The end again, and the creation replayed after it: still ended, nothing changed.
    await h.publishTo(TOPICS.orgRegistry, ended, { ...ended, id: crypto.randomUUID() });
    await h.publishTo(TOPICS.orgRegistry, created, { ...created, id: crypto.randomUUID() });
    expect(await Pairing.findById('jd-r').lean()).toEqual(endedDoc);
    expect(await Pairing.countDocuments()).toBe(1);
    await expectRefused(await openWish(), ids.bureau);

    // An older state of another pairing arriving after a newer one is ignored.
    const newer = pairingCreated('jd-s', {
      unitId: ids.hospital,
      targetId: ids.cm1,
      time: day('2026-02-01'),
      validTo: '2026-12-31',
    });
    const older = pairingCreated('jd-s', {
      unitId: ids.hospital,
      targetId: ids.cm2,
      time: day('2026-01-15'),
    });
    await h.publishTo(TOPICS.orgRegistry, newer, older);
    expect(await Pairing.findById('jd-s').lean()).toMatchObject({ targetId: ids.cm1, validTo: '2026-12-31' });
  });

  it('keeps the demo valid: its unit-claimed wish sits at the community the demo pairing links, its open wish is not that unit’s', async () => {
    // The demo world's orgs and pairing for the points read model, as the registry's seed publishes them.
    const t = new Date('2025-01-01T08:00:00+08:00');
    const org = (orgId: string, kind: string, parentId: string, path: string, county: string) =>
      createEvent({
        type: OrgCreated.type,
        source: '/honglian/org-registry',
        subject: orgId,
        county,
        time: t,
        data: { orgId, county, kind, name: orgId, parentId, path, effectiveFrom: '2025-01-01' },
      });
    const world: CloudEvent[] = [];
    for (const c of DEMO_DIRECTORY.counties) {
      const p = demoPairing(c);
      const unitPath = `${c.county.path}/${p.unitId}`;
      world.push(
        org(c.county.orgId, 'county', DEMO_DIRECTORY.city.orgId, c.county.path, c.code),
        org(c.street.orgId, 'street', c.county.orgId, c.street.path, c.code),
        org(c.community.orgId, 'community', c.street.orgId, c.community.path, c.code),
        org(p.communityId, 'community', c.street.orgId, p.communityPath, c.code),
        org(p.unitId, 'agency-unit', c.county.orgId, unitPath, c.code),
        org(p.agencyOrgId, 'agency-party-organisation', p.unitId, `${unitPath}/${p.agencyOrgId}`, c.code),
        createEvent({
          type: PairingCreated.type,
          source: '/honglian/org-registry',
          subject: p.pairingId,
          county: c.code,
          time: t,
          data: {
            pairingId: p.pairingId,
            county: c.code,
            agencyOrgId: p.agencyOrgId,
            agencyUnitId: p.unitId,
            targetId: p.communityId,
            targetKind: 'community',
            validFrom: p.validFrom,
            validTo: null,
            needs: [],
            resources: [],
            projects: [],
            creatorLevel: 'city',
          },
        }),
      );
    }
    await h.publishTo(TOPICS.orgRegistry, ...world);
    expect(await h.service.seedDemo(DEMO_DIRECTORY)).toMatchObject({ orders: 10 });
    await h.settle();

    const { readModel, models } = h.service.services.ctx.data;
    const unitClaimed = await models.Order.find({ 'claimant.kind': 'unit' }).lean();
    expect(unitClaimed).toHaveLength(DEMO_DIRECTORY.counties.length);
    for (const o of unitClaimed) {
      const claimedAt = o.history.find((s) => s.to === 'claimed')!.at;
      expect([o._id, await readModel.pairsUnitWith(o.claimant!.id, o.communityId, dayOf(claimedAt))]).toEqual(
        [o._id, true],
      );
    }
    // The open demo wish is at the demo community, which the demo unit is not paired with.
    const demoWish = `demo-331003-ord-2`;
    const admin = users.countyAdmin331003;
    expect((await h.http.get(`/orders/${demoWish}`, admin)).body).toMatchObject({
      kind: 'wish',
      status: 'open',
      communityId: '331003-community-01',
    });
    const refused = await h.http.post(`/orders/${demoWish}/claim`, admin, { unitId: '331003-agency-01' });
    expect([refused.status, refused.body.field]).toEqual([422, 'unitId']);
    // A wish at the paired community is the demo unit's to claim through the API.
    const wish = await h.http.post('/orders', admin, {
      communityId: '331003-community-02',
      kind: 'wish',
      budget: 100,
      title: '书包',
    });
    await h.http.post(`/orders/${wish.body.id}/open`, admin, {});
    expect(
      (await h.http.post(`/orders/${wish.body.id}/claim`, admin, { unitId: '331003-agency-01' })).body,
    ).toMatchObject({ status: 'claimed', claimant: { kind: 'unit', id: '331003-agency-01' } });
  });
});
