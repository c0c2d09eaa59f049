import { stringify } from 'csv-stringify/sync';
import { TEXT_MESSAGES } from '@honglian/contracts';
import type { TestUser } from '@honglian/testkit';
import { DEMO_DIRECTORY } from '@honglian/contracts';
import { demoCityFiles } from '../src/demo/demo-city.js';
import { idNumberCheckChar } from '../src/domain/identifiers.js';
import { startRegistry } from './support.js';

/**
 * Scope holes beyond references (README, Cross-county links and ID numbers): city-wide ID number
 * uniqueness without telling whose number it is, import records placed where they were
 * uploaded, refused reveals on the audit log, and free text that is plain text.
 */

type Registry = Awaited<ReturnType<typeof startRegistry>>;
type Res = Awaited<ReturnType<Registry['http']['get']>>;

const H = (s: string) => `331002-${s}`;
const O = (s: string) => `331003-${s}`;
const NEUTRAL = {
  zh: '该身份证号无法在此登记，已提交市级管理员核查',
  en: 'this ID number cannot be registered here; a city administrator has been asked to review it',
};
const csv = (rows: Record<string, string>[]) => stringify(rows, { header: true, bom: true });

function demoUser(username: string): TestUser {
  const u = DEMO_DIRECTORY.users.find((x) => x.username === username)!;
  return { username: u.username, roles: [...u.roles], county: u.county, orgPath: u.orgPath };
}
const countyAdmin = demoUser('county-admin-331002');
const staff = demoUser('staff-331002');
/** Staff of the neighbouring community of the same county (a user the demo directory does not have). */
const neighbourStaff: TestUser = {
  username: 'staff-331002-community-02',
  roles: ['community-staff'],
  county: '331002',
  orgPath: '/331000/331002/331002-street-01/331002-community-02',
};
const otherCountyAdmin = demoUser('county-admin-331003');

/** The demo members' ID numbers, as the seed registered them. */
const files = demoCityFiles(DEMO_DIRECTORY);
const idNumberOf = (memberId: string) => files.members.find((m) => m.党员编号 === memberId)!.身份证号!;
const creditCodeOf = (orgId: string) => files.orgs.find((o) => o.编码 === orgId)!.统一社会信用代码!;

let serial = 0;
function freshIdNumber(): string {
  serial += 1;
  const first17 = `33100219850101${String(500 + serial).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}

const newMember = (idNumber: string, patch: Record<string, unknown> = {}) => ({
  name: '周新',
  idNumber,
  phone: '13700000000',
  category: 'retired',
  partyOrgId: H('compound-01-branch'),
  residenceCompoundId: H('compound-01'),
  effectiveFrom: '2026-01-01',
  ...patch,
});

const memberRow = (idNumber: string, patch: Record<string, string> = {}) => ({
  姓名: '周新',
  身份证号: idNumber,
  手机号: '13700000000',
  党员类别: '退休党员',
  所属党组织编码: H('compound-01-branch'),
  居住小区编码: H('compound-01'),
  生效日期: '2026-01-01',
  ...patch,
});

/** Problem bodies without the request path. */
const problem = (res: Res): Record<string, unknown> => {
  const { instance: _i, ...rest } = res.body as Record<string, unknown>;
  return { status: res.status, type: res.headers['content-type'], ...rest };
};

describe('scope holes: what a refusal and a record may tell', () => {
  jest.setTimeout(180_000);
  let reg: Registry;
  const count = (name: string) => reg.conn.db!.collection(name).countDocuments();

  beforeAll(async () => {
    reg = await startRegistry();
    await reg.service.seedDemoCity(DEMO_DIRECTORY);
  });
  afterAll(() => reg.close());

  describe('ID numbers: unique city-wide, without telling whose', () => {
    it('refuses a number registered in another county with the neutral 409, the same for any such number', async () => {
      const before = await count('members');
      const a = await reg.http.post('/members', countyAdmin, newMember(idNumberOf(O('member-01'))));
      const b = await reg.http.post('/members', countyAdmin, newMember(idNumberOf(O('member-04'))));
      expect(a.status).toBe(409);
      expect(a.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(a.body).toMatchObject({ reason: NEUTRAL, field: 'idNumber', detail: NEUTRAL.zh });
      expect(problem(a)).toEqual(problem(b));
      const text = JSON.stringify(a.body);
      for (const leak of ['331003', O('member-01'), '黄岩', 'memberId']) expect(text).not.toContain(leak);
      expect(await count('members')).toBe(before);
    });

    it('names the member when the caller manages them (in-scope duplicate stays a plain 409)', async () => {
      const res = await reg.http.post('/members', countyAdmin, newMember(idNumberOf(H('member-01'))));
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        reason: { zh: '身份证号已登记', en: 'duplicate ID number' },
        field: 'idNumber',
        memberId: H('member-01'),
      });
    });

    it('answers community staff neutrally for a member of their county outside their subtree', async () => {
      const res = await reg.http.post('/members', staff, newMember(idNumberOf(H('member-05'))));
      expect(res.status).toBe(409);
      expect(res.body.reason).toEqual(NEUTRAL);
      expect(JSON.stringify(res.body)).not.toContain(H('member-05'));
    });

    it('answers units out of reach before the number: the ID number is never consulted', async () => {
      const known = await reg.http.post(
        '/members',
        countyAdmin,
        newMember(idNumberOf(O('member-01')), { partyOrgId: O('compound-01-branch') }),
      );
      const fresh = await reg.http.post(
        '/members',
        countyAdmin,
        newMember(freshIdNumber(), { partyOrgId: O('compound-01-branch') }),
      );
      expect(known.status).toBe(422);
      expect(problem(known)).toEqual(problem(fresh));
    });

    it('gives each row of an import (dry run and apply) the neutral refusal, never "unchanged"', async () => {
      const before = await count('members');
      // The second row copies the other county's record (name, party organisation) exactly: it
      // once read "unchanged", telling the caller the record exists. Its party organisation is out
      // of reach, so it is refused as if it did not exist, like the fresh number of the third row.
      const other = files.members.find((m) => m.党员编号 === O('member-01'))!;
      const file = csv([
        memberRow(idNumberOf(O('member-02'))),
        memberRow(other.身份证号!, {
          姓名: other.姓名!,
          所属党组织编码: other.所属党组织编码!,
          居住小区编码: '',
        }),
        memberRow(freshIdNumber(), { 所属党组织编码: other.所属党组织编码!, 居住小区编码: '' }),
        memberRow(idNumberOf(H('member-01'))),
      ]);
      for (const dryRun of [true, false]) {
        const res = await reg.http.upload(
          `/imports?kind=members&dryRun=${dryRun}`,
          countyAdmin,
          file,
          'text/csv',
        );
        // A dry run reports (200); a file sent to be applied is refused with the same report (422).
        expect(res.status).toBe(dryRun ? 200 : 422);
        const report = dryRun ? res.body : res.body.report;
        expect(report).toMatchObject({
          status: 'invalid',
          applied: false,
          created: 0,
          unchanged: 0,
          errorCount: 4,
          importId: null,
        });
        const [neutral, copied, fresh, inScope] = report.errors as {
          row: number;
          column: string;
          reason: object;
        }[];
        expect(neutral).toEqual({ row: 2, column: '身份证号', reason: NEUTRAL });
        expect({ ...copied, row: 0 }).toEqual({ ...fresh, row: 0 });
        expect(copied!.column).toBe('所属党组织编码');
        expect(inScope).toEqual({
          row: 5,
          column: '身份证号',
          reason: { zh: '身份证号已登记', en: 'duplicate ID number' },
        });
        expect(JSON.stringify(res.body)).not.toContain(O('member-02'));
      }
      expect(await count('members')).toBe(before);
    });

    it('lists every neutral refusal for the city admin to review, and to no one else', async () => {
      const res = await reg.http.get('/identity-reviews?limit=200', reg.users.cityAdmin);
      expect(res.status).toBe(200);
      const items = res.body.items as Record<string, unknown>[];
      expect(items.map((i) => [i.via, i.existingMemberId])).toEqual([
        ['api', O('member-01')],
        ['api', O('member-04')],
        ['api', H('member-05')],
        ['import-dry-run', O('member-02')],
        ['import', O('member-02')],
      ]);
      expect(items[0]).toMatchObject({
        actor: 'county-admin-331002',
        actorRoles: ['county-admin'],
        actorCounty: '331002',
        actorOrgPath: '/331000/331002',
        idMasked: `3310${'*'.repeat(10)}${idNumberOf(O('member-01')).slice(-4)}`,
        attemptedName: '周新',
        attemptedPartyOrgId: H('compound-01-branch'),
        attemptedMemberId: null,
        at: expect.any(String),
      });
      expect(items[2]).toMatchObject({ actor: 'staff-331002', actorOrgPath: staff.orgPath });
      expect(JSON.stringify(items)).not.toContain(idNumberOf(O('member-01')));
      const paged = await reg.http.get('/identity-reviews?limit=2', reg.users.cityAdmin);
      const next = await reg.http.get(
        `/identity-reviews?limit=2&cursor=${paged.body.nextCursor}`,
        reg.users.cityAdmin,
      );
      expect([...paged.body.items, ...next.body.items].map((i: { id: string }) => i.id)).toEqual(
        items.slice(0, 4).map((i) => i.id),
      );
      for (const user of [countyAdmin, staff, otherCountyAdmin]) {
        expect((await reg.http.get('/identity-reviews', user)).status).toBe(403);
      }
    });
  });

  describe('cross-county links the rule allows', () => {
    it('lets the city admin pair an agency of one county with a community of another', async () => {
      const res = await reg.http.post('/pairings', reg.users.cityAdmin, {
        agencyOrgId: O('agency-02-dw'),
        targetId: H('community-01'),
        validFrom: '2026-01-01',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ county: '331002', agencyUnitId: O('agency-02') });
      // Filed with the community: the target county sees it.
      expect((await reg.http.get(`/pairings/${res.body.id}`, countyAdmin)).status).toBe(200);
    });

    it('lets the city admin put units of several counties in one alliance', async () => {
      const alliance = await reg.http.post('/orgs', reg.users.cityAdmin, {
        id: 'city-alliance',
        kind: 'alliance',
        name: '台州市红色物业联盟',
        parentId: '331000',
        county: '331000',
        effectiveFrom: '2026-01-01',
      });
      expect(alliance.status).toBe(201);
      for (const memberOrgId of [H('firm-01'), O('firm-01')]) {
        const res = await reg.http.post('/alliances/city-alliance/members', reg.users.cityAdmin, {
          memberOrgId,
          validFrom: '2026-01-01',
        });
        expect(res.status).toBe(201);
      }
      expect(
        (
          await reg.http.post('/alliances/city-alliance/members', countyAdmin, {
            memberOrgId: H('firm-02'),
            validFrom: '2026-01-01',
          })
        ).status,
      ).toBe(404);
    });

    it('names the holder of a credit code only to a caller who manages it', async () => {
      const agency = (creditCode: string) =>
        reg.http.post('/orgs', countyAdmin, {
          kind: 'agency-unit',
          name: '椒江区某局',
          parentId: '331002',
          creditCode,
          effectiveFrom: '2026-01-01',
        });
      const other = await agency(creditCodeOf(O('agency-01')));
      expect(other.status).toBe(409);
      expect(other.body.reason).toEqual({
        zh: '统一社会信用代码已登记',
        en: 'credit code already registered',
      });
      expect(JSON.stringify(other.body)).not.toContain(O('agency-01'));
      const own = await agency(creditCodeOf(H('agency-01')));
      expect(own.status).toBe(409);
      expect(own.body.id).toBe(H('agency-01'));
    });

    it('does not read another county’s unit as "unchanged" in an import', async () => {
      const row = (code: string) => ({
        编码: code,
        名称: '第一网格',
        类型: '网格',
        上级编码: O('community-01'),
        生效日期: '2024-01-01',
      });
      const copy = await reg.http.upload(
        '/imports?kind=orgs',
        countyAdmin,
        csv([row(O('community-01-grid-01'))]),
        'text/csv',
      );
      const fresh = await reg.http.upload(
        '/imports?kind=orgs',
        countyAdmin,
        csv([row('zz-fresh-grid')]),
        'text/csv',
      );
      expect(copy.body).toMatchObject({ status: 'invalid', unchanged: 0 });
      expect(copy.body.errors).toEqual(fresh.body.errors);
      expect(copy.body.errors[0]).toMatchObject({
        column: '上级编码',
        reason: { zh: `上级组织${O('community-01')}不存在` },
      });
    });
  });

  describe('import records are placed where they were uploaded', () => {
    const file = () => csv([memberRow(freshIdNumber())]);
    let staffImport: string;
    let staffJob: string;
    let countyJob: string;

    beforeAll(async () => {
      const applied = await reg.http.upload('/imports?kind=members&dryRun=false', staff, file(), 'text/csv');
      expect(applied.body).toMatchObject({ status: 'applied', created: 1 });
      staffImport = applied.body.importId;
      const job = await reg.http.upload('/imports?kind=members', staff, file(), 'text/csv', {
        prefer: 'respond-async',
      });
      staffJob = job.body.id;
      const other = await reg.http.upload('/imports?kind=members', countyAdmin, file(), 'text/csv', {
        prefer: 'respond-async',
      });
      countyJob = other.body.id;
      await reg.service.jobs.idle();
    });

    it.each([
      ['the uploader', 200, staff],
      ['staff of another community of the county', 404, neighbourStaff],
      ['their county admin', 200, countyAdmin],
      ['another county’s admin', 404, otherCountyAdmin],
      ['the city admin', 200, demoUser('city-admin')],
    ] as const)('a community’s import record and job, read by %s: %s', async (_who, status, user) => {
      const record = await reg.http.get(`/imports/${staffImport}`, user);
      const job = await reg.http.get(`/imports/jobs/${staffJob}`, user);
      expect([record.status, job.status]).toEqual([status, status]);
      if (status === 404) {
        // Worded as for an import that never was.
        expect(record.headers['content-type']).toMatch(/application\/problem\+json/);
        // (detail in Chinese by default: the neutral text, the same for every missing record)
        expect(record.body.detail).toBe('记录不存在或不在您的管辖范围内');
        expect(job.body.detail).toBe('记录不存在或不在您的管辖范围内');
        expect(record.body.reason.en).toMatch(/does not exist or is outside your scope/);
      } else {
        expect(record.body).toMatchObject({ county: '331002', orgPath: staff.orgPath, status: 'applied' });
      }
    });

    it.each([
      ['the uploader', true, staff],
      ['staff of another community of the county', false, neighbourStaff],
      ['their county admin', true, countyAdmin],
      ['another county’s admin', false, otherCountyAdmin],
      ['the city admin', true, demoUser('city-admin')],
    ] as const)(
      'the list of imports, read by %s, holds the community’s import: %s',
      async (_who, sees, user) => {
        const ids: string[] = [];
        const started: string[] = [];
        let total = 0;
        for (let cursor: string | null = null; ;) {
          const res = await reg.http.get(
            `/imports?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
            user,
          );
          expect(res.status).toBe(200);
          ids.push(...res.body.items.map((r: { id: string }) => r.id));
          started.push(...res.body.items.map((r: { startedAt: string }) => r.startedAt));
          total = res.body.total;
          cursor = res.body.nextCursor;
          if (!cursor) break;
        }
        expect(ids.includes(staffImport)).toBe(sees);
        // Every page, newest first, nothing twice, the total counted in the same scope.
        expect(started).toEqual([...started].sort().reverse());
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toHaveLength(total);
      },
    );

    it('hides a county admin’s import from the county’s community staff', async () => {
      expect((await reg.http.get(`/imports/jobs/${countyJob}`, staff)).status).toBe(404);
      expect((await reg.http.get(`/imports/jobs/${countyJob}`, countyAdmin)).status).toBe(200);
    });

    it('keeps one record per place: the same file from elsewhere is another import', async () => {
      const same = csv([memberRow(freshIdNumber())]);
      const mine = await reg.http.upload('/imports?kind=members&dryRun=false', staff, same, 'text/csv');
      const theirs = await reg.http.upload(
        '/imports?kind=members&dryRun=false',
        countyAdmin,
        same,
        'text/csv',
      );
      expect(mine.body.status).toBe('applied');
      // Already registered by the staff, in the admin's scope too: unchanged, recorded as its own import.
      expect(theirs.body).toMatchObject({ status: 'applied', unchanged: 1 });
      expect(theirs.body.importId).not.toBe(mine.body.importId);
      expect((await reg.http.get(`/imports/${theirs.body.importId}`, staff)).status).toBe(404);
    });
  });

  describe('refused reveals are audit-logged', () => {
    it('records not-found, out-of-scope and denied attempts, with the same answer for the first two', async () => {
      const audit = reg.conn.db!.collection('audit_log');
      const before = await audit.countDocuments();
      const outOfScope = await reg.http.get(`/members/${O('member-01')}/reveal`, countyAdmin);
      const missing = await reg.http.get('/members/zz-nowhere-01/reveal', countyAdmin);
      const denied = await reg.http.get(`/members/${H('member-01')}/reveal`, {
        ...demoUser('member-331002'),
        memberId: H('member-01'),
      });
      expect([outOfScope.status, missing.status, denied.status]).toEqual([404, 404, 403]);
      expect({ ...problem(outOfScope), detail: '' }).toEqual({ ...problem(missing), detail: '' });
      expect(outOfScope.body.detail).toBe(missing.body.detail);
      const entries = await audit.find({}).sort({ _id: 1 }).skip(before).toArray();
      expect(entries.map((e) => [e.actor, e.memberId, e.outcome, e.action])).toEqual([
        ['county-admin-331002', O('member-01'), 'out-of-scope', 'member.reveal'],
        ['county-admin-331002', 'zz-nowhere-01', 'not-found', 'member.reveal'],
        ['member-331002', H('member-01'), 'denied', 'member.reveal'],
      ]);
      expect(entries.every((e) => e.at instanceof Date && Array.isArray(e.roles))).toBe(true);
      const ok = await reg.http.get(`/members/${H('member-01')}/reveal`, countyAdmin);
      expect(ok.status).toBe(200);
      const all = JSON.stringify(await audit.find({}).toArray());
      expect(all).not.toContain(ok.body.idNumber);
      expect(all).not.toContain(ok.body.phone);
    });
  });

  describe('free text is plain text: no control characters, bidi overrides or formulas', () => {
    const CONTROL = ['第一\u0000网格', '第一\r\n网格', '第一\u202E网格', '\u2066第一网格', '第一\u0007网格'];

    it.each([
      [
        'an org name',
        (v: string) =>
          reg.http.post('/orgs', countyAdmin, {
            kind: 'grid',
            name: v,
            parentId: H('community-01'),
            effectiveFrom: '2026-01-01',
          }),
        'body.name',
      ],
      [
        'a new name',
        (v: string) =>
          reg.http.patch(`/orgs/${H('community-01-grid-01')}`, countyAdmin, {
            name: v,
            effectiveFrom: '2026-05-01',
          }),
        'body.name',
      ],
      [
        'a closing reason',
        (v: string) =>
          reg.http.post(`/orgs/${H('compound-04-b02')}/close`, countyAdmin, {
            closedOn: '2026-07-01',
            reason: v,
          }),
        'body.reason',
      ],
      [
        'a pairing need',
        (v: string) =>
          reg.http.post('/pairings', countyAdmin, {
            agencyOrgId: H('agency-02-dw'),
            targetId: H('community-02'),
            needs: ['加装电梯', v],
            validFrom: '2026-01-01',
          }),
        'body.needs.1',
      ],
      [
        'a pairing resource',
        (v: string) =>
          reg.http.post('/pairings', countyAdmin, {
            agencyOrgId: H('agency-02-dw'),
            targetId: H('compound-03'),
            resources: [v],
            validFrom: '2026-01-01',
          }),
        'body.resources.0',
      ],
      [
        'a pairing project',
        (v: string) =>
          reg.http.post('/pairings', countyAdmin, {
            agencyOrgId: H('agency-02-dw'),
            targetId: H('compound-04'),
            projects: [v],
            validFrom: '2026-01-01',
          }),
        'body.projects.0',
      ],
      [
        'a post',
        (v: string) =>
          reg.http.post('/appointments', countyAdmin, {
            memberId: H('member-03'),
            orgId: H('community-01-ddw'),
            post: v,
            validFrom: '2026-01-01',
          }),
        'body.post',
      ],
      [
        'a member name',
        (v: string) => reg.http.post('/members', countyAdmin, newMember(freshIdNumber(), { name: v })),
        'body.name',
      ],
      [
        'a member’s new name',
        (v: string) =>
          reg.http.patch(`/members/${H('member-03')}`, countyAdmin, { name: v, effectiveFrom: '2026-08-01' }),
        'body.name',
      ],
    ] as const)(
      'refuses control characters and formulas in %s with 400, storing nothing',
      async (_what, send, param) => {
        const snapshot = async () => [
          await count('orgs'),
          await count('relations'),
          await count('members'),
          await count('outbox'),
        ];
        const before = await snapshot();
        for (const value of [...CONTROL, '=HYPERLINK("http://x.example")', '@SUM(A1)']) {
          const res = await send(value);
          const context = `${JSON.stringify(value)}: ${res.status}`;
          expect([context, res.status]).toEqual([context, 400]);
          expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
          expect(res.body.invalid_params).toContainEqual({
            name: param,
            reason: /^[=@]/.test(value) ? TEXT_MESSAGES.formula.en : TEXT_MESSAGES.control.en,
          });
        }
        expect(await snapshot()).toEqual(before);
        // Leading and trailing white space is trimmed, not refused.
        expect(((await send(' 正常文本 \n')) as Res).status).toBeLessThan(300);
      },
    );

    it('gives a clear per-row error for control characters in an import, in both languages', async () => {
      const res = await reg.http.upload(
        '/imports?kind=pairings',
        countyAdmin,
        csv([
          {
            结对编号: 'jd-x1',
            单位党组织编码: H('agency-02-dw'),
            结对社区或小区编码: H('community-02'),
            需求清单: '加装电梯；停车\u202E改造',
            资源清单: '',
            开始日期: '2026-01-01',
          },
          {
            结对编号: 'jd-x2',
            单位党组织编码: H('agency-02-dw'),
            结对社区或小区编码: H('community-03'),
            需求清单: '',
            资源清单: '法律\u001B咨询',
            开始日期: '2026-01-01',
          },
        ]),
        'text/csv',
      );
      const orgs = await reg.http.upload(
        '/imports?kind=orgs',
        countyAdmin,
        csv([
          {
            编码: 'g-x1',
            名称: '第\u0007一网格',
            类型: '网格',
            上级编码: H('community-01'),
            生效日期: '2026-01-01',
          },
          { 编码: 'g-x2', 名称: '-1网格', 类型: '网格', 上级编码: H('community-01'), 生效日期: '2026-01-01' },
        ]),
        'text/csv',
      );
      expect(res.body.status).toBe('invalid');
      expect(res.body.errors).toEqual([
        {
          row: 2,
          column: '需求清单',
          reason: { zh: `第2项${TEXT_MESSAGES.control.zh}`, en: `item 2 ${TEXT_MESSAGES.control.en}` },
        },
        {
          row: 3,
          column: '资源清单',
          reason: { zh: `第1项${TEXT_MESSAGES.control.zh}`, en: `item 1 ${TEXT_MESSAGES.control.en}` },
        },
      ]);
      expect(orgs.body.errors).toEqual([
        { row: 2, column: '名称', reason: TEXT_MESSAGES.control },
        { row: 3, column: '名称', reason: TEXT_MESSAGES.formula },
      ]);
    });
  });
});
