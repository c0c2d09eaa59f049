import ExcelJS from 'exceljs';
import {
  AttendanceRecorded,
  NoShowCleared,
  NoShowFlagged,
  ReportActivated,
  ReportSubmitted,
  type AttendanceRecordedData,
} from '@honglian/contracts';
import { DAY, HOUR } from '../src/domain/rules.js';
import {
  START,
  expectValidEvents,
  fixtureEvents,
  ids,
  startCheckin,
  users,
  type Harness,
} from './support.js';

/**
 * DOMAIN.md scenarios 1 and 2, end to end over HTTP: Li of the county housing
 * bureau lives in community X; the bureau is paired with community Y.
 */
describe('scenarios 1–2: dual report, six months of attendance, 报而不到 at Y', () => {
  let h: Harness;
  const report: { residence?: string; work?: string } = {};
  beforeAll(async () => {
    h = await startCheckin();
    await h.publishRegistry(...fixtureEvents());
  });
  afterAll(() => h.close());

  const attend = async (staff: object, activityId: string, from: string, hours: number) => {
    h.clock.set(from);
    const qrIn = await h.http.get(`/activities/${activityId}/qr`, staff);
    expect(qrIn.status).toBe(200);
    const checkIn = await h.http.post('/attendances/check-in', users.li, { token: qrIn.body.token });
    expect(checkIn.status).toBe(201);
    h.clock.advance(hours * HOUR);
    const qrOut = await h.http.get(`/activities/${activityId}/qr`, staff);
    const checkOut = await h.http.post('/attendances/check-out', users.li, { token: qrOut.body.token });
    expect(checkOut.status).toBe(200);
    return checkOut.body;
  };

  const activity = async (
    staff: object,
    communityId: string,
    title: string,
    startsAt: string,
    endsAt: string,
  ) => {
    const res = await h.http.post('/activities', staff, {
      communityId,
      title,
      startsAt,
      endsAt,
      place: '党群服务中心',
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it('scenario 1: Li reports to X and Y, both confirm, she pledges and is placed in grid X-3 as 楼栋长', async () => {
    const home = await h.http.post('/reports', users.li, {
      kind: 'residence',
      communityId: ids.X,
      specialties: ['政策宣讲'],
      preferences: ['环境整治'],
    });
    expect(home.status).toBe(201);
    expect(home.body).toMatchObject({
      status: 'submitted',
      kind: 'residence',
      communityId: ids.X,
      memberId: ids.li,
    });
    const work = await h.http.post('/reports', users.li, { kind: 'work', communityId: ids.Y });
    expect(work.status).toBe(201);
    expect(work.body.pairingId).toBe(ids.pairing);
    report.residence = home.body.id;
    report.work = work.body.id;

    // Each community confirms its own report only.
    expect((await h.http.post(`/reports/${report.residence}/confirm`, users.staffY)).status).toBe(404);
    const okX = await h.http.post(`/reports/${report.residence}/confirm`, users.staffX);
    expect(okX.body).toMatchObject({
      status: 'active',
      statusLabel: { zh: '已报到' },
      activatedAt: new Date(START).toISOString(),
    });
    expect((await h.http.post(`/reports/${report.work}/confirm`, users.staffY)).body.status).toBe('active');

    const pledge = await h.http.put(`/reports/${report.residence}/pledge`, users.li, {
      items: ['每季度参加一次社区活动', '担任楼栋长，收集居民诉求'],
    });
    expect(pledge.status).toBe(200);
    expect(pledge.body.pledge.items).toHaveLength(2);
    // Members do not place themselves.
    expect(
      (await h.http.put(`/reports/${report.residence}/placement`, users.li, { post: '楼栋长' })).status,
    ).toBe(403);
    const placed = await h.http.put(`/reports/${report.residence}/placement`, users.staffX, {
      gridId: ids.gridX3,
      post: '楼栋长',
      duties: ['收集民情', '政策宣传'],
      slots: ['周六上午'],
    });
    expect(placed.status).toBe(200);
    expect(placed.body.placement).toMatchObject({
      gridId: ids.gridX3,
      gridName: '双江三网格',
      post: '楼栋长',
    });

    const mine = await h.http.get('/reports', users.li);
    expect(mine.body.items.map((r: { id: string }) => r.id).sort()).toEqual(
      [report.residence, report.work].sort(),
    );
  });

  it('scenario 2: three QR check-ins at X (2 h, 1.5 h, 3 h) make 6.5 h', async () => {
    const a1 = await activity(
      users.staffX,
      ids.X,
      '小区环境整治',
      '2026-02-07T09:00:00+08:00',
      '2026-02-07T12:00:00+08:00',
    );
    const a2 = await activity(
      users.staffX,
      ids.X,
      '反诈宣传',
      '2026-03-14T14:00:00+08:00',
      '2026-03-14T16:00:00+08:00',
    );
    const a3 = await activity(
      users.staffX,
      ids.X,
      '助老服务',
      '2026-05-09T08:00:00+08:00',
      '2026-05-09T12:00:00+08:00',
    );
    const r1 = await attend(users.staffX, a1, '2026-02-07T09:00:00+08:00', 2);
    const r2 = await attend(users.staffX, a2, '2026-03-14T14:00:00+08:00', 1.5);
    const r3 = await attend(users.staffX, a3, '2026-05-09T08:00:00+08:00', 3);
    expect([r1.hours, r2.hours, r3.hours]).toEqual([2, 1.5, 3]);
    expect(r1).toMatchObject({ method: 'qr', status: 'closed', reportIds: [report.residence] });
    const summary = await h.http.get(`/members/${ids.li}/summary?period=2026-H1`, users.li);
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({
      hours: 6.5,
      attendances: 3,
      communities: [{ communityId: ids.X, hours: 6.5 }],
    });
  });

  it('day 180: zero check-ins at Y → 报而不到 at Y, visible on the bureau’s feedback sheet', async () => {
    h.clock.set(new Date(new Date(START).getTime() + 180 * DAY - 60_000));
    expect(await h.service.scan()).toMatchObject({ noShowFlagged: 0 });
    h.clock.set(new Date(new Date(START).getTime() + 180 * DAY));
    expect(await h.service.scan()).toMatchObject({ noShowFlagged: 1, autoClosed: 0 });
    expect(await h.service.scan()).toMatchObject({ noShowFlagged: 0 }); // once
    expect((await h.http.get(`/reports/${report.work}`, users.li)).body).toMatchObject({ noShow: true });
    expect((await h.http.get(`/reports/${report.residence}`, users.li)).body).toMatchObject({
      noShow: false,
    });

    const sheet = await h.http.get(`/units/${ids.unit}/feedback?period=2026-H1`, users.countyAdmin331003);
    expect(sheet.status).toBe(200);
    const li = sheet.body.members.find((m: { memberId: string }) => m.memberId === ids.li);
    expect(li).toMatchObject({
      hours: 6.5,
      attendances: 3,
      reported: true,
      completed: false,
      noShow: true,
      ratingCeiling: null,
    });
    expect(li.reports).toEqual([
      expect.objectContaining({
        kind: 'residence',
        communityId: ids.X,
        attendances: 3,
        hours: 6.5,
        noShow: false,
      }),
      expect.objectContaining({ kind: 'work', communityId: ids.Y, attendances: 0, hours: 0, noShow: true }),
    ]);
    expect(li.flags.map((f: { code: string }) => f.code)).toContain(`no-show:${ids.Y}`);
    const wang = sheet.body.members.find((m: { memberId: string }) => m.memberId === ids.wang);
    expect(wang).toMatchObject({ reported: false, ratingCeiling: 'basic', hours: 0 });
    expect(sheet.body.totals).toEqual({
      members: 3,
      reported: 1,
      completed: 0,
      reportRate: 0.3333,
      completionRate: 0,
      attendances: 3,
      hours: 6.5,
    });
    expect(sheet.body.redFlag).toBe(true);
    // Y's staff see the sheet of the unit paired with them; another county does not.
    expect((await h.http.get(`/units/${ids.unit}/feedback?period=2026-H1`, users.staffY)).status).toBe(200);
    expect(
      (await h.http.get(`/units/${ids.unit}/feedback?period=2026-H1`, users.countyAdmin331002)).status,
    ).toBe(404);
  });

  it('exports the sheet as CSV (formula-safe) and XLSX', async () => {
    const csv = await h.http.get(
      `/units/${ids.unit}/feedback?period=2026-H1&format=csv`,
      users.countyAdmin331003,
    );
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain(`feedback-${ids.unit}-2026-H1.csv`);
    expect(csv.text.startsWith('\uFEFF')).toBe(true);
    expect(csv.text).toContain('李红');
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example"",""点我"")"`);
    expect(csv.text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    expect(csv.text).toContain('33.3%');

    const xlsx = await h.http.binary(
      `/units/${ids.unit}/feedback?period=2026-H1&format=xlsx`,
      users.countyAdmin331003,
    );
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as never);
    const ws = wb.getWorksheet('反馈单')!;
    const rows = ws.getSheetValues().filter(Boolean) as unknown[][];
    const liRow = rows.find((r) => r.includes('李红'))!;
    expect(liRow).toContain(6.5);
    const evilRow = rows.find((r) => r.includes(ids.evil))!;
    // A plain string cell, never a formula.
    expect(evilRow[2]).toBe('=HYPERLINK("http://evil.example","点我")');
  });

  it('she then checks in at Y: the flag clears', async () => {
    const y1 = await activity(
      users.staffY,
      ids.Y,
      '结对共建：楼道清理',
      '2026-07-11T09:00:00+08:00',
      '2026-07-11T11:00:00+08:00',
    );
    const rec = await attend(users.staffY, y1, '2026-07-11T09:00:00+08:00', 2);
    expect(rec).toMatchObject({ hours: 2, reportIds: [report.work] });
    expect((await h.http.get(`/reports/${report.work}`, users.li)).body).toMatchObject({
      noShow: false,
      lastAttendanceAt: new Date('2026-07-11T09:00:00+08:00').toISOString(),
    });
    const h2 = await h.http.get(`/members/${ids.li}/summary?period=2026-H2`, users.staffY);
    expect(h2.body).toMatchObject({
      hours: 2,
      noShow: false,
      communities: [{ communityId: ids.Y, hours: 2 }],
    });
    const year = await h.http.get(`/members/${ids.li}/summary?period=2026`, users.li);
    expect(year.body.hours).toBe(8.5);
  });

  it('published exactly the expected events, all valid', async () => {
    const events = await h.events();
    expectValidEvents(events);
    const of = (type: string) => events.filter((e) => e.type === type);
    expect(of(ReportSubmitted.type)).toHaveLength(2);
    expect(of(ReportActivated.type)).toHaveLength(2);
    // The bus keeps order per key (aggregate), not across keys: sort by time.
    const recorded = of(AttendanceRecorded.type)
      .map((e) => e.data as AttendanceRecordedData)
      .sort((a, b) => a.checkInAt.localeCompare(b.checkInAt));
    expect(recorded.map((r) => r.hours)).toEqual([2, 1.5, 3, 2]);
    expect(recorded.map((r) => r.communityId)).toEqual([ids.X, ids.X, ids.X, ids.Y]);
    expect(recorded.every((r) => r.method === 'qr' && r.memberId === ids.li)).toBe(true);
    expect(of(NoShowFlagged.type).map((e) => (e.data as { reportId: string }).reportId)).toEqual([
      report.work,
    ]);
    expect(of(NoShowCleared.type).map((e) => (e.data as { attendanceId: string }).attendanceId)).toEqual([
      recorded[3]!.attendanceId,
    ]);
  });
});
