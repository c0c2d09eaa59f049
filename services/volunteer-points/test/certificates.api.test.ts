import { CertificateIssued, StarReached, TOPICS } from '@honglian/contracts';
import { attendance, ids, startPoints, users, type Harness } from './support.js';

/** Issue 14 items 4 and 7, DOMAIN.md scenario 4: ★ at 100 h once; a certificate after a 7-day notice. */
describe('stars and certificates through HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startPoints();
  });
  afterEach(() => h.close());

  it('scenario 4: a retiree crosses 100 h → ★ once; the certificate has a number and issuer, verifiable without a token', async () => {
    // 33 mornings of 3 h = 99 h: no star yet.
    const days = Array.from(
      { length: 34 },
      (_, i) => new Date(Date.parse('2026-01-05T08:00:00+08:00') + i * 86_400_000),
    );
    await h.checkin(
      ...days.slice(0, 33).map((d) => attendance(ids.retiree, 3, { checkInAt: d.toISOString() })),
    );
    expect((await h.http.get(`/members/${ids.retiree}/balance`, users.retiree)).body).toMatchObject({
      hours: 99,
      stars: 0,
      nextStarHours: 1,
    });
    const crossing = attendance(ids.retiree, 3, { checkInAt: days[33]!.toISOString() });
    await h.checkin(crossing, crossing);
    await h.checkin(attendance(ids.retiree, 2, { checkInAt: '2026-02-20T08:00:00+08:00' }));
    expect((await h.http.get(`/members/${ids.retiree}/balance`, users.retiree)).body).toMatchObject({
      hours: 104,
      stars: 1,
      nextStarHours: 196,
    });
    await h.settle();
    const stars = (await h.events(TOPICS.volunteerPoints)).filter((e) => e.type === StarReached.type);
    expect(stars.map((e) => e.data)).toEqual([
      expect.objectContaining({ memberId: ids.retiree, level: 1, thresholdHours: 100, hours: 102 }),
    ]);
    expect((await h.http.get('/stars', users.countyAdmin331003)).body).toEqual([
      expect.objectContaining({ memberId: ids.retiree, level: 1 }),
    ]);
    expect((await h.http.get('/stars', users.countyAdmin331002)).body).toEqual([]);

    const cert = await h.http.post('/certificates', users.staff331003, {
      memberId: ids.retiree,
      from: '2026-01-01',
      to: '2026-02-28',
      issuer: '双江社区居委会',
    });
    expect(cert.status).toBe(201);
    expect(cert.body).toMatchObject({
      status: 'notice',
      hours: 104,
      memberName: '王老伯',
      issuer: '双江社区居委会',
      number: expect.stringMatching(/^HL-331003-2026-\d{5}$/),
    });
    const early = await h.http.post(`/certificates/${cert.body.id}/issue`, users.staff331003, {});
    expect([early.status, early.body.noticeUntil]).toEqual([409, cert.body.noticeUntil]);
    // During the notice anyone can check it, and sees that it is still in notice.
    const noticed = await h.http.get(`/verify/${cert.body.code}`, null);
    expect(noticed.body).toMatchObject({ status: 'notice', number: cert.body.number });

    h.clock.advance(7 * 86_400_000);
    const issued = await h.http.post(`/certificates/${cert.body.id}/issue`, users.staff331003, {});
    expect(issued.body).toMatchObject({ status: 'issued', issuedAt: h.clock.now().toISOString() });
    expect((await h.http.post(`/certificates/${cert.body.id}/issue`, users.staff331003, {})).status).toBe(
      409,
    );
    const check = await h.http.get(`/verify/${cert.body.code}`, null);
    expect(check.status).toBe(200);
    expect(Object.keys(check.body).sort()).toEqual([
      'hours',
      'issuedAt',
      'issuer',
      'memberName',
      'noticeUntil',
      'number',
      'periodFrom',
      'periodTo',
      'status',
    ]);
    expect(check.body).toMatchObject({
      number: cert.body.number,
      memberName: '王老伯',
      hours: 104,
      issuer: '双江社区居委会',
      status: 'issued',
    });
    expect((await h.http.get('/verify/notarealcode00', null)).status).toBe(404);
    await h.settle();
    expect(
      (await h.events(TOPICS.volunteerPoints)).filter((e) => e.type === CertificateIssued.type),
    ).toHaveLength(1);
    // The member sees their own certificate; another county's staff do not.
    expect((await h.http.get(`/certificates/${cert.body.id}`, users.retiree)).status).toBe(200);
    expect((await h.http.get(`/certificates/${cert.body.id}`, users.staff331002)).status).toBe(404);
  });

  it('refuses a certificate for a period without approved hours, and one for a member out of scope', async () => {
    const none = await h.http.post('/certificates', users.staff331003, {
      memberId: ids.li,
      from: '2026-01-01',
      to: '2026-01-31',
    });
    expect([none.status, none.body.field]).toEqual([422, 'from']);
    const away = await h.http.post('/certificates', users.staff331003, {
      memberId: ids.other,
      from: '2026-01-01',
      to: '2026-01-31',
    });
    expect([away.status, away.body.field]).toEqual([422, 'memberId']);
    expect((await h.http.get('/certificates', users.cityAdmin)).body.total).toBe(0);
  });
});
