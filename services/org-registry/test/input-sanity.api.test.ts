import { stringify } from 'csv-stringify/sync';
import { creditCodeCheckChar, idNumberCheckChar } from '../src/domain/identifiers.js';
import { buildFixtureCity, startRegistry } from './support.js';

const csv = (rows: Record<string, string>[]) => stringify(rows, { header: true, bom: true });
const idNumber = (seq: number, birth = '19850612') => {
  const first17 = `331003${birth}${String(seq).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
};
// The harness clock is 2026-06-30; the default horizon is 366 days ahead, back to 1921-07-01.

describe('input sanity: plausible dates and ages, one owners’ committee per compound', () => {
  let reg: Awaited<ReturnType<typeof startRegistry>>;
  const u = () => reg.users;
  const member = (over: object = {}) => ({
    name: '郑华',
    idNumber: idNumber(1),
    phone: '13900000001',
    category: 'retired',
    partyOrgId: 'cp-1-branch',
    residenceCompoundId: 'cp-1',
    effectiveFrom: '2026-01-01',
    ...over,
  });
  const members = () => reg.conn.db!.collection('members').countDocuments();

  beforeAll(async () => {
    reg = await startRegistry();
    await buildFixtureCity(reg.http);
  });
  afterAll(() => reg.close());

  it('refuses a member too young to be a party member, or implausibly old, by the ID number’s birth date', async () => {
    const admin = u().countyAdmin331003;
    const young = await reg.http.post('/members', admin, member({ idNumber: idNumber(2, '20100101') }));
    expect(young.status).toBe(422);
    expect(young.headers['content-type']).toMatch(/problem\+json/);
    expect(young.body).toMatchObject({
      field: 'idNumber',
      reason: { zh: expect.stringContaining('未满18周岁') },
    });
    expect(young.body.reason.en).toMatch(/under 18 on 2026-01-01/);
    // 18 on the effective day itself is old enough.
    const eighteen = await reg.http.post(
      '/members',
      admin,
      member({ idNumber: idNumber(3, '20080101'), phone: '13900000003' }),
    );
    expect(eighteen.status).toBe(201);
    const old = await reg.http.post('/members', admin, member({ idNumber: idNumber(4, '19000101') }));
    expect(old.status).toBe(422);
    expect(old.body).toMatchObject({ field: 'idNumber', reason: { en: expect.stringMatching(/over 120/) } });
  });

  it('refuses effective dates in year 2999, beyond the horizon or before 1921, on every write', async () => {
    const admin = u().countyAdmin331003;
    const before = await members();
    for (const effectiveFrom of ['2999-01-01', '2027-07-02', '1900-01-01']) {
      const res = await reg.http.post('/members', admin, member({ idNumber: idNumber(5), effectiveFrom }));
      expect([effectiveFrom, res.status, res.body.field]).toEqual([effectiveFrom, 422, 'effectiveFrom']);
      expect(res.body.reason).toEqual({ zh: expect.any(String), en: expect.stringContaining(effectiveFrom) });
    }
    expect(await members()).toBe(before);
    // The last day of the horizon is fine.
    const edge = await reg.http.post('/orgs', admin, {
      kind: 'grid',
      name: '新网格',
      parentId: 'cm-1',
      effectiveFrom: '2027-07-01',
    });
    expect(edge.status).toBe(201);
    const far = await reg.http.post('/orgs', admin, {
      kind: 'grid',
      name: '远网格',
      parentId: 'cm-1',
      effectiveFrom: '2999-12-31',
    });
    expect(far).toMatchObject({ status: 422, body: { field: 'effectiveFrom' } });
    const rename = await reg.http.patch('/orgs/g-1', admin, { name: '改名', effectiveFrom: '2999-01-01' });
    expect(rename).toMatchObject({ status: 422, body: { field: 'effectiveFrom' } });
    const close = await reg.http.post('/orgs/b-1/close', admin, { closedOn: '2999-01-01' });
    expect(close).toMatchObject({ status: 422, body: { field: 'closedOn' } });
    const registered = await reg.http.post(
      '/members',
      admin,
      member({ idNumber: idNumber(6), phone: '13900000006' }),
    );
    expect(registered.status).toBe(201);
    const patch = await reg.http.patch(`/members/${registered.body.id}`, admin, {
      name: '郑华华',
      effectiveFrom: '2999-01-01',
    });
    expect(patch).toMatchObject({ status: 422, body: { field: 'effectiveFrom' } });
    const transfer = await reg.http.post(`/members/${registered.body.id}/transfer`, admin, {
      toPartyOrgId: 'cp-1-branch',
      effectiveFrom: '2999-01-01',
    });
    expect(transfer).toMatchObject({ status: 422, body: { field: 'effectiveFrom' } });
    // A planned end may lie further ahead (a contract's term), but not in 2999.
    await reg.http.post('/orgs', admin, {
      id: 'firm-s',
      kind: 'property-firm',
      name: '黄岩物业',
      parentId: '331003',
      creditCode: '91331003MA2ABCDE0' + creditCodeCheckChar('91331003MA2ABCDE0'),
      effectiveFrom: '2026-01-01',
    });
    const contract = await reg.http.post('/contracts', admin, {
      firmId: 'firm-s',
      compoundId: 'cp-1',
      validFrom: '2026-01-01',
      validTo: '2999-01-01',
    });
    expect(contract).toMatchObject({ status: 422, body: { field: 'validTo' } });
  });

  it('keeps one owners’ committee per compound: a second while the first is in force is a 409', async () => {
    const admin = u().countyAdmin331003;
    const committee = (id: string, effectiveFrom: string) =>
      reg.http.post('/orgs', admin, {
        id,
        kind: 'owners-committee',
        name: `锦江花园业委会${id}`,
        parentId: 'cp-1',
        term: { start: effectiveFrom, end: '2031-01-01' },
        effectiveFrom,
      });
    expect((await committee('ywh-1', '2026-01-01')).status).toBe(201);
    const second = await committee('ywh-2', '2026-06-01');
    expect(second.status).toBe(409);
    expect(second.headers['content-type']).toMatch(/problem\+json/);
    expect(second.body).toMatchObject({
      field: 'parentId',
      orgId: 'ywh-1',
      reason: { zh: expect.stringContaining('只能有一个业委会'), en: expect.stringContaining('one owners') },
    });
    // Once the first is closed, the next may start that day.
    expect((await reg.http.post('/orgs/ywh-1/close', admin, { closedOn: '2026-07-01' })).status).toBe(200);
    expect((await committee('ywh-2', '2026-06-30')).status).toBe(409);
    expect((await committee('ywh-2', '2026-07-01')).status).toBe(201);
  });

  it('reports implausible dates, ages and a second owners’ committee as row errors of an import', async () => {
    const admin = u().countyAdmin331003;
    const row = (seq: number, over: Record<string, string> = {}) => ({
      姓名: `党员${seq}`,
      身份证号: idNumber(20 + seq),
      手机号: `1380000${String(seq).padStart(4, '0')}`,
      党员类别: '退休党员',
      所属党组织编码: 'cp-1-branch',
      居住小区编码: 'cp-1',
      生效日期: '2026-01-01',
      ...over,
    });
    const file = csv([
      row(1),
      row(2, { 身份证号: idNumber(22, '20150101') }),
      row(3, { 生效日期: '2999-01-01' }),
      row(4, { 生效日期: '2027-12-31' }),
    ]);
    const dry = await reg.http.upload('/imports?kind=members', admin, file, 'text/csv');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      status: 'invalid',
      applied: false,
      created: 0,
      planned: { created: 1 },
    });
    expect(dry.body.errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([
      [3, '身份证号'],
      [4, '生效日期'],
      [5, '生效日期'],
    ]);
    expect(dry.body.errors[0].reason.zh).toContain('未满18周岁');

    const orgs = csv([
      { 编码: 'ywh-3', 名称: '第三届业委会', 类型: '业主委员会', 上级编码: 'cp-1', 生效日期: '2026-07-01' },
      { 编码: 'g-2999', 名称: '未来网格', 类型: '网格', 上级编码: 'cm-1', 生效日期: '2999-01-01' },
    ]);
    const orgRes = await reg.http.upload('/imports?kind=orgs', admin, orgs, 'text/csv');
    expect(orgRes.body.errors).toEqual([
      {
        row: 2,
        column: '上级编码',
        reason: expect.objectContaining({ zh: expect.stringContaining('业委会') }),
      },
      {
        row: 3,
        column: '生效日期',
        reason: expect.objectContaining({ en: expect.stringContaining('2999-01-01') }),
      },
    ]);
  });

  it('a rejected import says nothing was applied: 422 with the report, created 0, the would-be rows as planned', async () => {
    const admin = u().countyAdmin331003;
    const before = await members();
    const file = csv([
      {
        姓名: '王一',
        身份证号: idNumber(41),
        手机号: '13800004101',
        党员类别: '退休党员',
        所属党组织编码: 'cp-1-branch',
        居住小区编码: 'cp-1',
        生效日期: '2026-01-01',
      },
      {
        姓名: '王二',
        身份证号: idNumber(42),
        手机号: '13800004102',
        党员类别: '退休党员',
        所属党组织编码: 'nowhere',
        居住小区编码: 'cp-1',
        生效日期: '2026-01-01',
      },
    ]);
    const res = await reg.http.upload('/imports?kind=members&dryRun=false', admin, file, 'text/csv');
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.reason.en).toMatch(/nothing was imported/);
    expect(res.body.report).toMatchObject({
      importId: null,
      dryRun: false,
      status: 'invalid',
      applied: false,
      rows: 2,
      created: 0,
      unchanged: 0,
      planned: { created: 1, unchanged: 0 },
      errorCount: 1,
      sheets: [{ kind: 'members', created: 0, planned: { created: 1, unchanged: 0 }, errorCount: 1 }],
    });
    expect(await members()).toBe(before);
    // The same file without its bad row: applied, and says so.
    const good = await reg.http.upload(
      '/imports?kind=members&dryRun=false',
      admin,
      file.split('\n').slice(0, 2).join('\n') + '\n',
      'text/csv',
    );
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({
      status: 'applied',
      applied: true,
      created: 1,
      planned: { created: 1 },
    });
    expect(await members()).toBe(before + 1);
  });
});
