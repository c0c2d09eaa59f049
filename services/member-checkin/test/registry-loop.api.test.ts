import {
  MemberChanged,
  MemberTransferred,
  PairingEnded,
  ReportEnded,
  createEvent,
  type CloudEvent,
} from '@honglian/contracts';
import { HOUR } from '../src/domain/rules.js';
import {
  fixtureEvents,
  ids,
  member,
  other,
  otherCountyEvents,
  otherUsers,
  startCheckin,
  users,
  type Harness,
} from './support.js';

/**
 * Registry and check-in as one loop: the registry's member and pairing changes end the reports
 * they no longer support, as of their effective day, with a reason; the old county keeps its past,
 * the new county gets the present; redelivered events change nothing.
 */
const REG = '/honglian/org-registry';
const D = '2026-03-01';
const D_START = new Date(`${D}T00:00:00+08:00`).toISOString();

/** Li moves to 椒江区 on D: lives in Z's compound, works at its civil-affairs bureau (paired with Z). */
function liTransferred(id = '00000000-0000-4000-8000-000000000001'): CloudEvent {
  return createEvent({
    id,
    type: MemberTransferred.type,
    source: REG,
    subject: ids.li,
    county: other.county,
    time: new Date('2026-02-20T10:00:00+08:00'),
    data: {
      memberId: ids.li,
      county: other.county,
      name: '李红',
      category: 'in-service',
      status: 'active',
      partyOrgId: other.unitParty,
      fromPartyOrgId: ids.unitParty,
      workUnitId: other.unit,
      residenceCompoundId: other.compound,
      residenceBuildingId: null,
      residenceCommunityId: other.Z,
      effectiveFrom: D,
    },
  });
}

function pairingYEnded(id = '00000000-0000-4000-8000-000000000002'): CloudEvent {
  return createEvent({
    id,
    type: PairingEnded.type,
    source: REG,
    subject: ids.pairing,
    county: ids.county,
    time: new Date('2026-03-25T10:00:00+08:00'),
    data: {
      pairingId: ids.pairing,
      county: ids.county,
      agencyOrgId: ids.unitParty,
      agencyUnitId: ids.unit,
      targetId: ids.Y,
      targetKind: 'community',
      validFrom: '2026-01-01',
      validTo: null,
      needs: [],
      resources: [],
      projects: [],
      endedOn: '2026-04-01',
    },
  });
}

describe('registry changes flow to check-in', () => {
  let h: Harness;
  const report = { liX: '', liY: '', wangX: '', wangY: '', liZ: '' };
  let pastAttendance = '';
  let activityX = '';

  const file = async (user: object, body: object, staff: object) => {
    const res = await h.http.post('/reports', user, body);
    expect(res.status).toBe(201);
    expect((await h.http.post(`/reports/${res.body.id}/confirm`, staff)).status).toBe(200);
    return res.body.id as string;
  };
  const endedEvents = async () => (await h.events()).filter((e) => e.type === ReportEnded.type);

  beforeAll(async () => {
    h = await startCheckin();
    await h.publishRegistry(...fixtureEvents(), ...otherCountyEvents());
    report.liX = await file(users.li, { kind: 'residence', communityId: ids.X }, users.staffX);
    report.liY = await file(users.li, { kind: 'work', communityId: ids.Y }, users.staffY);
    report.wangX = await file(users.wang, { kind: 'residence', communityId: ids.X }, users.staffX);
    report.wangY = await file(users.wang, { kind: 'work', communityId: ids.Y }, users.staffY);
    // Before the move Li served at X for an hour (witnessed): X's past.
    h.clock.set('2026-02-10T09:00:00+08:00');
    const act = await h.http.post('/activities', users.staffX, {
      communityId: ids.X,
      title: '环境整治',
      startsAt: '2026-02-10T09:00:00+08:00',
      endsAt: '2026-02-10T12:00:00+08:00',
    });
    const witness = { activityId: act.body.id, memberId: ids.li };
    pastAttendance = (await h.http.post('/attendances/check-in', users.staffX, witness)).body.id;
    h.clock.advance(HOUR);
    expect((await h.http.post('/attendances/check-out', users.staffX, witness)).body.hours).toBe(1);
  });
  afterAll(() => h.close());

  it('a transfer to another county ends both old reports as of D with the reason, and the new county takes a new residence report', async () => {
    h.clock.set('2026-02-20T10:00:00+08:00');
    await h.publishRegistry(liTransferred());
    for (const id of [report.liX, report.liY]) {
      const r = (await h.http.get(`/reports/${id}`, users.cityAdmin)).body;
      expect(r).toMatchObject({
        status: 'ended',
        endedAt: D_START,
        closeReason: 'transferred',
        closeReasonLabel: { zh: '党员组织关系已转接', en: 'The member was transferred' },
        closedBy: 'org-registry',
        noShow: false,
      });
    }
    const ended = await endedEvents();
    expect(ended.map((e) => e.subject).sort()).toEqual([report.liX, report.liY].sort());
    for (const e of ended)
      expect(e.data).toMatchObject({
        memberId: ids.li,
        endedAt: D_START,
        endedBy: 'org-registry',
        reason: 'transferred',
      });
    // Wang did not move: his reports stay.
    expect((await h.http.get(`/reports/${report.wangX}`, users.staffX)).body.status).toBe('active');

    // The new residence report at Z is no longer refused as "already has an active residence report".
    const z = await h.http.post('/reports', users.li, { kind: 'residence', communityId: other.Z });
    expect(z.status).toBe(201);
    expect(z.body).toMatchObject({ county: other.county, communityId: other.Z, status: 'submitted' });
    report.liZ = z.body.id;
    expect((await h.http.post(`/reports/${report.liZ}/confirm`, otherUsers.staffZ)).body.status).toBe(
      'active',
    );
    // And the work report at Z, the community her new unit is paired with.
    expect((await h.http.post('/reports', users.li, { kind: 'work', communityId: other.Z })).status).toBe(
      201,
    );
  });

  it('the old county keeps its past and loses the present; the new county sees the present', async () => {
    h.clock.set('2026-03-05T09:00:00+08:00');
    // The past: X's managers still list Li's ended report and her attendance before D.
    const reports = (await h.http.get(`/reports?memberId=${ids.li}`, users.staffX)).body.items;
    expect(reports.map((r: { id: string }) => r.id)).toEqual([report.liX]);
    expect(reports[0]).toMatchObject({ status: 'ended', county: ids.county });
    const att = (await h.http.get(`/attendances?memberId=${ids.li}`, users.staffX)).body.items;
    expect(att.map((a: { id: string }) => a.id)).toEqual([pastAttendance]);
    expect((await h.http.get(`/attendances/${pastAttendance}`, users.countyAdmin331003)).status).toBe(200);
    const pastSummary = await h.http.get(
      `/members/${ids.li}/summary?period=2026-H1`,
      users.countyAdmin331003,
    );
    expect(pastSummary.body).toMatchObject({ view: 'community', member: { county: null }, hours: 1 });
    expect(pastSummary.body.reports.map((r: { id: string }) => r.id).sort()).toEqual(
      [report.liX, report.liY].sort(),
    );

    // The present: X cannot witness her any more, answered exactly like a member who does not exist.
    const act = await h.http.post('/activities', users.staffX, {
      communityId: ids.X,
      title: '楼道清理',
      startsAt: '2026-03-05T09:00:00+08:00',
      endsAt: '2026-03-05T11:00:00+08:00',
    });
    activityX = act.body.id;
    const before = await h.conn.db!.collection('attendances').countDocuments();
    const li = await h.http.post('/attendances/check-in', users.staffX, {
      activityId: activityX,
      memberId: ids.li,
    });
    const nobody = await h.http.post('/attendances/check-in', users.staffX, {
      activityId: activityX,
      memberId: '331003-member-99',
    });
    expect(li.status).toBe(422);
    expect(li.body).toEqual(nobody.body);
    expect(await h.conn.db!.collection('attendances').countDocuments()).toBe(before);
    // …nor does it see her new reports at Z.
    expect(
      (await h.http.get(`/reports?memberId=${ids.li}`, users.countyAdmin331003)).body.items.map(
        (r: { id: string }) => r.id,
      ),
    ).not.toContain(report.liZ);
    expect((await h.http.get(`/reports/${report.liZ}`, users.countyAdmin331003)).status).toBe(404);

    // The new county sees the whole member now, the new reports and (her record) the old ones.
    const whole = await h.http.get(`/members/${ids.li}/summary?period=2026-H1`, users.countyAdmin331002);
    expect(whole.body).toMatchObject({ view: 'whole', member: { county: other.county } });
    const statuses = Object.fromEntries(
      whole.body.reports.map((r: { id: string; status: string }) => [r.id, r.status]),
    );
    expect(statuses).toMatchObject({ [report.liX]: 'ended', [report.liY]: 'ended', [report.liZ]: 'active' });
  });

  it('a pairing that ends ends the work reports resting on it as of its end date', async () => {
    h.clock.set('2026-03-25T10:00:00+08:00');
    await h.publishRegistry(pairingYEnded());
    expect((await h.http.get(`/reports/${report.wangY}`, users.staffY)).body).toMatchObject({
      status: 'ended',
      endedAt: new Date('2026-04-01T00:00:00+08:00').toISOString(),
      closeReason: 'pairing-ended',
      closeReasonLabel: { en: 'The pairing of the unit with the community ended' },
      closedBy: 'org-registry',
    });
    // His residence report does not rest on the pairing.
    expect((await h.http.get(`/reports/${report.wangX}`, users.staffX)).body.status).toBe('active');
    const e = (await endedEvents()).find((x) => x.subject === report.wangY);
    expect(e?.data).toMatchObject({ reason: 'pairing-ended', endedBy: 'org-registry' });
  });

  it('a residence move within the county ends only the residence report, reason moved', async () => {
    // Wang moves to a compound of Y's on D; his work at the bureau is unchanged (its pairing ended already).
    await h.publishRegistry(
      member(
        ids.wang,
        '王刚',
        { residenceCompoundId: null, residenceCommunityId: ids.Y },
        {
          id: '00000000-0000-4000-8000-000000000003',
          type: MemberChanged.type,
          effectiveFrom: D,
          changed: ['residenceCommunityId'],
        },
      ),
    );
    expect((await h.http.get(`/reports/${report.wangX}`, users.staffX)).body).toMatchObject({
      status: 'ended',
      closeReason: 'moved',
      endedAt: D_START,
    });
  });

  it('duplicate and replayed registry events change nothing', async () => {
    const snapshot = async () => ({
      reports: await h.conn.db!.collection('reports').find({}).sort({ _id: 1 }).toArray(),
      ended: (await endedEvents()).length,
    });
    const before = await snapshot();
    await h.publishRegistry(
      liTransferred(), // the same delivery again
      liTransferred('00000000-0000-4000-8000-000000000004'), // the same fact under a new id (a replayed topic)
      pairingYEnded(),
      pairingYEnded('00000000-0000-4000-8000-000000000005'),
      member(ids.li, '李红', {}, { id: '00000000-0000-4000-8000-000000000006' }), // an older state arriving late
    );
    const after = await snapshot();
    expect(after).toEqual(before);
    expect((await h.http.get(`/reports/${report.liZ}`, otherUsers.staffZ)).body.status).toBe('active');
  });
});
