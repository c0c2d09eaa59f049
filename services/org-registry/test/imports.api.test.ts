import ExcelJS from 'exceljs';
import type { TestUser } from '@honglian/testkit';
import { stringify } from 'csv-stringify/sync';
import { validateEvent } from '@honglian/contracts';
import { fixtureCity, fixtureCityWorkbook } from '../src/demo/fixture-city.js';
import { creditCodeCheckChar, idNumberCheckChar } from '../src/domain/identifiers.js';
import { startRegistry } from './support.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const csv = (rows: Record<string, string>[]) => stringify(rows, { header: true, bom: true });

type Registry = Awaited<ReturnType<typeof startRegistry>>;

/** Everything the registry holds, to show a refused import changed nothing. */
async function snapshot(reg: Registry) {
  const db = reg.conn.db!;
  const count = (name: string) => db.collection(name).countDocuments();
  return {
    orgs: await count('orgs'),
    relations: await count('relations'),
    members: await count('members'),
    outbox: await count('outbox'),
    imports: await count('imports'),
  };
}

type TreeNode = { id: string; kind: string; children: TreeNode[] };
function countKinds(node: TreeNode, into: Record<string, number> = {}): Record<string, number> {
  into[node.kind] = (into[node.kind] ?? 0) + 1;
  for (const c of node.children) countKinds(c, into);
  return into;
}

describe('acceptance: a city admin imports a fixture city from one XLSX and queries tree and coverage', () => {
  // A validation and an apply pass over 2,643 rows on the embedded MongoDB; no speed is asserted.
  jest.setTimeout(180_000);
  let reg: Registry;
  const city = fixtureCity();
  let workbook: Buffer;
  beforeAll(async () => {
    reg = await startRegistry();
    workbook = await fixtureCityWorkbook(city);
  });
  afterAll(() => reg.close());

  it('has the size the issue asks for', () => {
    expect(city.expected.counts).toMatchObject({
      county: 2,
      street: 4,
      community: 10,
      grid: 40,
      compound: 100,
    });
    expect(city.files.members).toHaveLength(2000);
  });

  it('dry-runs the workbook without writing anything', async () => {
    const before = await snapshot(reg);
    const res = await reg.http.upload('/imports?kind=workbook', reg.users.cityAdmin, workbook, XLSX);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'valid', dryRun: true, errorCount: 0, importId: null });
    const rows = Object.values(city.files).reduce((n, r) => n + r.length, 0);
    expect(res.body.rows).toBe(rows);
    // A dry run applies nothing: what the file would create is `planned`.
    expect(res.body).toMatchObject({ applied: false, created: 0, planned: { created: rows, unchanged: 0 } });
    expect(res.body.sheets.map((s: { sheet: string }) => s.sheet)).toEqual([
      '组织',
      '物业企业',
      '物业服务合同',
      '结对共建',
      '党员',
    ]);
    expect(await snapshot(reg)).toEqual(before);
  });

  it('applies it in one request, then answers the tree and the coverage report', async () => {
    const res = await reg.http.upload(
      '/imports?kind=workbook&dryRun=false',
      reg.users.cityAdmin,
      workbook,
      XLSX,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'applied', errorCount: 0, unchanged: 0 });
    expect(res.body.importId).toMatch(/^import-/);

    const tree = await reg.http.get('/orgs/331000/tree?depth=10', reg.users.cityAdmin);
    expect(tree.status).toBe(200);
    const kinds = countKinds(tree.body);
    expect(kinds).toEqual(city.expected.counts);
    const county = await reg.http.get('/orgs/331003/tree?depth=1', reg.users.countyAdmin331003);
    expect(county.body.children.filter((c: TreeNode) => c.kind === 'street')).toHaveLength(2);
    expect(county.body.children.every((c: TreeNode) => c.children.length === 0)).toBe(true);

    const coverage = await reg.http.get('/coverage', reg.users.cityAdmin);
    expect(coverage.status).toBe(200);
    expect(coverage.body.counts).toEqual(city.expected.counts);
    const gaps = Object.fromEntries(
      Object.entries(coverage.body.gaps as Record<string, { count: number }>).map(([k, v]) => [k, v.count]),
    );
    expect(gaps).toEqual(city.expected.gaps);
    expect(coverage.body.gaps.compoundsWithoutFirm.ids).toContain('331003-c1-x10');

    const countyCoverage = await reg.http.get('/coverage', reg.users.countyAdmin331003);
    expect(countyCoverage.body.counts.compound).toBe(50);
    expect(countyCoverage.body.gaps.compoundsWithoutFirm.count).toBe(5);

    const members = await reg.http.get('/members?limit=200', reg.users.countyAdmin331002);
    expect(members.body.items).toHaveLength(200);
    expect(members.body.items.every((m: { county: string }) => m.county === '331002')).toBe(true);
    expect(members.body.items[0].idNumber).toMatch(/^3310\*{10}[\dX]{4}$/);
  });

  it('emitted each fact once, each with a valid schema', async () => {
    const events = await reg.events();
    for (const e of events) expect(validateEvent(e)).toMatchObject({ ok: true });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const ofType = (t: string) => events.filter((e) => e.type === `honglian.org-registry.${t}.v1`);
    expect(ofType('org.created')).toHaveLength(city.files.orgs.length + city.files.firms.length);
    expect(ofType('contract.started')).toHaveLength(city.files.contracts.length);
    expect(ofType('pairing.created')).toHaveLength(city.files.pairings.length);
    expect(ofType('member.registered')).toHaveLength(2000);
    expect(new Set(ofType('member.registered').map((e) => e.subject)).size).toBe(2000);
  });

  it('re-importing the same workbook changes nothing and emits nothing', async () => {
    const before = await snapshot(reg);
    const eventsBefore = (await reg.events()).length;
    const res = await reg.http.upload(
      '/imports?kind=workbook&dryRun=false',
      reg.users.cityAdmin,
      workbook,
      XLSX,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'applied', created: 0, errorCount: 0 });
    expect(res.body.unchanged).toBe(res.body.rows);
    expect(await snapshot(reg)).toEqual(before);
    expect((await reg.events()).length).toBe(eventsBefore);
  });

  it('a workbook saved again (another file, same rows) is also unchanged', async () => {
    const resaved = await fixtureCityWorkbook(city);
    const before = await snapshot(reg);
    const res = await reg.http.upload(
      '/imports?kind=workbook&dryRun=false',
      reg.users.cityAdmin,
      resaved,
      XLSX,
    );
    expect(res.body).toMatchObject({ status: 'applied', created: 0 });
    const { imports: _i, ...rest } = await snapshot(reg);
    const { imports: _j, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
  });

  it('exports members as CSV with masked personal data only', async () => {
    const res = await reg.http.get(
      '/exports/members.csv?compoundId=331003-c1-x1',
      reg.users.countyAdmin331003,
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      '党员编号,姓名,身份证号,手机号,党员类别,状态,所属党组织编码,所属党组织名称,工作单位编码,工作单位名称,居住小区编码,居住小区名称,居住楼栋编码,居住楼栋名称',
    );
    expect(lines.length).toBe(1 + 20);
    expect(res.text).not.toMatch(/\d{17}[\dX]/);
    expect(res.text).not.toMatch(/139\d{8}/);
  });
});

/** A file with row errors sent to be applied: 422 problem+json carrying the report, nothing applied. */
function rejected(res: {
  status: number;
  headers: Record<string, string | undefined>;
  body: { report: Record<string, unknown> };
}) {
  expect(res.status).toBe(422);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  if (!res.body.report) console.log(JSON.stringify(res.body).slice(0, 800));
  expect(res.body.report).toMatchObject({ status: 'invalid', applied: false, created: 0 });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body, as res.body is
  return res.body.report as any;
}

describe('imports: dry run, errors per row, all or nothing, idempotence', () => {
  let reg: Registry;
  beforeAll(async () => {
    reg = await startRegistry();
    const orgs = [
      {
        编码: '331000',
        名称: '台州市',
        类型: '市',
        上级编码: '',
        所属区县: '331000',
        生效日期: '2024-01-01',
      },
      {
        编码: '331003',
        名称: '黄岩区',
        类型: '区县',
        上级编码: '331000',
        所属区县: '',
        生效日期: '2024-01-01',
      },
      {
        编码: '331002',
        名称: '椒江区',
        类型: '区县',
        上级编码: '331000',
        所属区县: '',
        生效日期: '2024-01-01',
      },
      {
        编码: 'st-1',
        名称: '东城街道',
        类型: '街道',
        上级编码: '331003',
        所属区县: '',
        生效日期: '2024-01-01',
      },
      {
        编码: 'cm-1',
        名称: '双江社区',
        类型: '社区',
        上级编码: 'st-1',
        所属区县: '',
        生效日期: '2024-01-01',
      },
      {
        编码: 'cp-1',
        名称: '锦江花园',
        类型: '小区',
        上级编码: 'cm-1',
        所属区县: '',
        生效日期: '2024-01-01',
      },
      {
        编码: 'cp-2',
        名称: '永宁家园',
        类型: '小区',
        上级编码: 'cm-1',
        所属区县: '',
        生效日期: '2024-01-01',
      },
      {
        编码: 'cp-1-dzb',
        名称: '锦江花园党支部',
        类型: '小区党支部',
        上级编码: 'cp-1',
        所属区县: '',
        生效日期: '2024-01-01',
      },
    ];
    const res = await reg.http.upload(
      '/imports?kind=orgs&dryRun=false',
      reg.users.cityAdmin,
      csv(orgs),
      'text/csv',
    );
    if (res.body.status !== 'applied') throw new Error(JSON.stringify(res.body));
  });
  afterAll(() => reg.close());

  const firm = (code: string, credit: string) => ({
    编码: code,
    企业名称: `${code}物业`,
    统一社会信用代码: credit,
    所属区县: '331003',
    生效日期: '2024-01-01',
  });
  const credit = (serial: string) => {
    const first17 = `91331003MA${serial}`;
    return first17 + creditCodeCheckChar(first17);
  };

  it('reports every bad row with row, column and reason in both languages, and writes nothing', async () => {
    const before = await snapshot(reg);
    const file = csv([
      firm('f-1', credit('0000001')),
      firm('f-2', '91331003MA00000020'),
      { ...firm('f-3', credit('0000003')), 所属区县: '33100' },
      firm('f-4', credit('0000001')),
    ]);
    const res = await reg.http.upload(
      '/imports?kind=firms&dryRun=false',
      reg.users.cityAdmin,
      file,
      'text/csv',
    );
    const report = rejected(res);
    expect(report.errors).toEqual([
      {
        row: 3,
        column: '统一社会信用代码',
        reason: { zh: '统一社会信用代码校验位错误', en: expect.any(String) },
      },
      {
        row: 4,
        column: '所属区县',
        reason: { zh: '应为6位行政区划代码（GB/T 2260）', en: expect.any(String) },
      },
      {
        row: 5,
        column: '统一社会信用代码',
        reason: { zh: '统一社会信用代码与第2行重复', en: 'same unified social credit code as row 2' },
      },
    ]);
    expect(await snapshot(reg)).toEqual(before);
  });

  it('reports what only the registry can tell (wrong parent, unknown party org) on the row', async () => {
    const before = await snapshot(reg);
    const orgs = csv([
      { 编码: 'g-1', 名称: '一网格', 类型: '网格', 上级编码: 'cm-1', 生效日期: '2024-01-01' },
      { 编码: 'b-x', 名称: '楼', 类型: '楼栋', 上级编码: 'cm-1', 生效日期: '2024-01-01' },
      { 编码: 'g-2', 名称: '二网格', 类型: '网格', 上级编码: 'nowhere', 生效日期: '2024-01-01' },
    ]);
    const res = await reg.http.upload(
      '/imports?kind=orgs&dryRun=false',
      reg.users.cityAdmin,
      orgs,
      'text/csv',
    );
    const report = rejected(res);
    expect(report.errors.map((e: { row: number }) => e.row)).toEqual([3, 4]);
    expect(report.errors[0].reason).toEqual({
      zh: '楼栋不能隶属于社区',
      en: 'a building cannot be under a community; allowed: compound',
    });
    expect(report.errors[1].reason.zh).toBe('上级组织nowhere不存在');
    expect(await snapshot(reg)).toEqual(before);
  });

  it('applies a valid file once; sending it again changes nothing', async () => {
    const file = csv([firm('f-1', credit('0000001')), firm('f-2', credit('0000002'))]);
    const first = await reg.http.upload(
      '/imports?kind=firms&dryRun=false',
      reg.users.cityAdmin,
      file,
      'text/csv',
    );
    expect(first.body).toMatchObject({ status: 'applied', created: 2, unchanged: 0 });
    const after = await snapshot(reg);
    const again = await reg.http.upload(
      '/imports?kind=firms&dryRun=false',
      reg.users.cityAdmin,
      file,
      'text/csv',
    );
    expect(again.body).toMatchObject({ status: 'applied', created: 0, unchanged: 2 });
    expect(await snapshot(reg)).toEqual(after);
    const dry = await reg.http.upload('/imports?kind=firms', reg.users.cityAdmin, file, 'text/csv');
    expect(dry.body).toMatchObject({ status: 'valid', created: 0, unchanged: 2 });
  });

  it('refuses two rows of one file whose contracts overlap for a compound', async () => {
    const before = await snapshot(reg);
    const file = csv([
      {
        合同编号: 'ht-1',
        物业企业编码: 'f-1',
        小区编码: 'cp-1',
        开始日期: '2024-01-01',
        结束日期: '2026-01-01',
      },
      { 合同编号: 'ht-2', 物业企业编码: 'f-2', 小区编码: 'cp-2', 开始日期: '2024-01-01', 结束日期: '' },
      { 合同编号: 'ht-3', 物业企业编码: 'f-2', 小区编码: 'cp-1', 开始日期: '2025-06-01', 结束日期: '' },
    ]);
    const res = await reg.http.upload(
      '/imports?kind=contracts&dryRun=false',
      reg.users.cityAdmin,
      file,
      'text/csv',
    );
    const report = rejected(res);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ row: 4, reason: { zh: '该小区在此期间已有物业服务合同' } });
    expect(await snapshot(reg)).toEqual(before);
  });

  it('imports members: duplicate ID numbers rejected, personal data protected', async () => {
    const id = (seq: number) => {
      const first17 = `33100319800101${String(seq).padStart(3, '0')}`;
      return first17 + idNumberCheckChar(first17);
    };
    const member = (code: string, seq: number) => ({
      党员编号: code,
      姓名: `党员${seq}`,
      身份证号: id(seq),
      手机号: `1380000${String(seq).padStart(4, '0')}`,
      党员类别: '退休党员',
      所属党组织编码: 'cp-1-dzb',
      居住小区编码: 'cp-1',
      生效日期: '2024-01-01',
    });
    const ok = await reg.http.upload(
      '/imports?kind=members&dryRun=false',
      reg.users.cityAdmin,
      csv([member('m-1', 1), member('m-2', 2)]),
      'text/csv',
    );
    expect(ok.body).toMatchObject({ status: 'applied', created: 2 });
    const stored = JSON.stringify(await reg.conn.db!.collection('members').find().toArray());
    expect(stored).not.toContain(id(1));
    expect(stored).not.toContain('13800000001');
    const dup = await reg.http.upload(
      '/imports?kind=members&dryRun=false',
      reg.users.cityAdmin,
      csv([member('m-3', 3), { ...member('m-4', 4), 身份证号: id(1) }]),
      'text/csv',
    );
    const dupReport = rejected(dup);
    expect(dupReport.errors).toEqual([
      { row: 3, column: '身份证号', reason: { zh: '身份证号已登记', en: 'duplicate ID number' } },
    ]);
    expect(await reg.conn.db!.collection('members').countDocuments()).toBe(2);

    // A member transferred since: the file still describes her as of its effective date.
    const branch = await reg.http.post('/orgs', reg.users.cityAdmin, {
      id: 'cp-2-dzb',
      kind: 'compound-party-branch',
      name: '永宁家园党支部',
      parentId: 'cp-2',
      effectiveFrom: '2024-01-01',
    });
    expect(branch.status).toBe(201);
    const moved = await reg.http.post('/members/m-1/transfer', reg.users.cityAdmin, {
      toPartyOrgId: 'cp-2-dzb',
      effectiveFrom: '2026-03-01',
    });
    expect(moved.status).toBe(200);
    const again = await reg.http.upload(
      '/imports?kind=members&dryRun=false',
      reg.users.cityAdmin,
      csv([member('m-1', 1), member('m-2', 2)]),
      'text/csv',
    );
    expect(again.body).toMatchObject({ status: 'applied', created: 0, unchanged: 2, errorCount: 0 });

    // The same member with a new phone or home is not "unchanged": the row is refused and reported
    // (changes go through PATCH /members/{id}), and nothing is written.
    for (const changed of [
      { ...member('m-2', 2), 手机号: '13900000002' },
      { ...member('m-2', 2), 居住小区编码: 'cp-2' },
    ]) {
      const res = await reg.http.upload(
        '/imports?kind=members&dryRun=false',
        reg.users.cityAdmin,
        csv([member('m-1', 1), changed]),
        'text/csv',
      );
      expect(rejected(res).errors).toEqual([expect.objectContaining({ row: 3, column: '身份证号' })]);
    }
    const m2 = await reg.http.get('/members/m-2', reg.users.cityAdmin);
    expect(m2.body).toMatchObject({
      residenceCompoundId: 'cp-1',
      phone: '138****0002',
    });
  });

  it('scopes imports: a county admin cannot import into another county', async () => {
    const before = await snapshot(reg);
    const file = csv([
      { 编码: 'jj-st', 名称: '白云街道', 类型: '街道', 上级编码: '331002', 生效日期: '2024-01-01' },
    ]);
    const res = await reg.http.upload(
      '/imports?kind=orgs&dryRun=false',
      reg.users.countyAdmin331003,
      file,
      'text/csv',
    );
    const report = rejected(res);
    expect(report.errors[0].reason.zh).toBe('上级组织331002不存在');
    expect(await snapshot(reg)).toEqual(before);
  });

  it('a workbook with errors names the sheet of each and writes nothing', async () => {
    const before = await snapshot(reg);
    const wb = new ExcelJS.Workbook();
    const orgs = wb.addWorksheet('组织');
    orgs.addRow(['编码', '名称', '类型', '上级编码', '生效日期']);
    orgs.addRow(['cm-9', '新社区', '社区', 'st-1', '2024-01-01']);
    orgs.addRow(['cm-9-ddw', '新社区大党委', '社区大党委', 'cm-9', '2024-01-01']);
    const members = wb.addWorksheet('党员');
    members.addRow(['姓名', '身份证号', '手机号', '党员类别', '所属党组织编码', '生效日期']);
    members.addRow(['张三', '330000000000000000', '13900000000', '在职党员', 'cm-9-ddw', '2024-01-01']);
    members.addRow(['李四', id9(), '13900000001', '在职党员', 'cm-9-ddw', '2024-01-01']);
    members.addRow(['王五', id9(1), '13900000002', '退休党员', 'nowhere', '2024-01-01']);
    wb.addWorksheet('说明').addRow(['ignored']);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await reg.http.upload('/imports?kind=workbook&dryRun=false', reg.users.cityAdmin, file, XLSX);
    const report = rejected(res);
    // Row 3 of 党员 refers to a party organisation created by the 组织 sheet of the same workbook: valid.
    expect(
      report.errors.map((e: { sheet: string; row: number; column: string }) => [e.sheet, e.row, e.column]),
    ).toEqual([
      ['党员', 2, '身份证号'],
      ['党员', 4, '所属党组织编码'],
    ]);
    expect(report.sheets.map((s: { sheet: string; errorCount: number }) => [s.sheet, s.errorCount])).toEqual([
      ['组织', 0],
      ['党员', 2],
    ]);
    expect(await snapshot(reg)).toEqual(before);
  });

  describe('as a job (Prefer: respond-async), for files longer than a request may wait', () => {
    const startJob = (path: string, file: string, user: TestUser = reg.users.cityAdmin) =>
      reg.http.upload(path, user, file, 'text/csv', { prefer: 'respond-async' });

    it('answers 202 with the job’s Location at once; the job ends with the same report the request would give', async () => {
      const file = csv([firm('f-async-1', credit('0000701')), firm('f-async-2', credit('0000702'))]);
      const res = await startJob('/imports?kind=firms&dryRun=false', file);
      expect(res.status).toBe(202);
      expect(res.headers['preference-applied']).toBe('respond-async');
      expect(res.headers.location).toBe(`/api/v1/registry/imports/jobs/${res.body.id}`);
      expect(res.body).toMatchObject({ status: 'running', kind: 'firms', dryRun: false });
      await reg.service.jobs.idle();
      const job = await reg.http.get(`/imports/jobs/${res.body.id}`, reg.users.cityAdmin);
      expect(job.status).toBe(200);
      expect(job.body).toMatchObject({
        status: 'done',
        report: { status: 'applied', created: 2, errorCount: 0 },
        finishedAt: expect.any(String),
      });
      expect((await reg.http.get('/orgs/f-async-1', reg.users.cityAdmin)).status).toBe(200);
      // The same file again, synchronously: nothing left to do.
      const again = await reg.http.upload(
        '/imports?kind=firms&dryRun=false',
        reg.users.cityAdmin,
        file,
        'text/csv',
      );
      expect(again.body).toMatchObject({ status: 'applied', created: 0, unchanged: 2 });
    });

    it('keeps row errors in the report and a refused file’s problem on the job; nothing written', async () => {
      const before = await snapshot(reg);
      const bad = await startJob('/imports?kind=firms&dryRun=false', csv([firm('f-bad', 'not-a-code')]));
      const badDry = await startJob('/imports?kind=firms', csv([firm('f-bad', 'not-a-code')]));
      const unreadable = await startJob('/imports?kind=firms', '名称\r\nx\r\n');
      await reg.service.jobs.idle();
      // A rejected file: the job fails with the problem the request answers (422, with the report).
      const badJob = await reg.http.get(`/imports/jobs/${bad.body.id}`, reg.users.cityAdmin);
      expect(badJob.body).toMatchObject({
        status: 'failed',
        problem: {
          status: 422,
          report: { status: 'invalid', applied: false, created: 0, errorCount: 1 },
        },
      });
      expect(badJob.body.report).toBeUndefined();
      const dryJob = await reg.http.get(`/imports/jobs/${badDry.body.id}`, reg.users.cityAdmin);
      expect(dryJob.body).toMatchObject({
        status: 'done',
        report: { status: 'invalid', applied: false, errorCount: 1 },
      });
      const failed = await reg.http.get(`/imports/jobs/${unreadable.body.id}`, reg.users.cityAdmin);
      expect(failed.body).toMatchObject({ status: 'failed', problem: { status: 422 } });
      expect(await snapshot(reg)).toEqual(before);
    });

    it('shows a job to its starter, a city admin and its county’s admin only; others get 404', async () => {
      const res = await startJob(
        '/imports?kind=firms',
        csv([firm('f-scope', credit('0000703'))]),
        reg.users.countyAdmin331003,
      );
      await reg.service.jobs.idle();
      const path = `/imports/jobs/${res.body.id}`;
      expect((await reg.http.get(path, reg.users.countyAdmin331003)).status).toBe(200);
      expect((await reg.http.get(path, reg.users.cityAdmin)).status).toBe(200);
      expect((await reg.http.get(path, reg.users.countyAdmin331002)).status).toBe(404);
      expect(
        (await reg.http.get('/imports/jobs/job-00000000-0000-0000-0000-000000000000', reg.users.cityAdmin))
          .status,
      ).toBe(404);
      expect((await reg.http.get('/imports/jobs/not-a-job', reg.users.cityAdmin)).status).toBe(400);
    });
  });
});

describe('imports: files that cannot be imported → 4xx problem, nothing changed', () => {
  let reg: Registry;
  beforeAll(async () => {
    reg = await startRegistry({ importMaxBytes: 64 * 1024 });
  });
  afterAll(() => reg.close());
  const admin = () => reg.users.cityAdmin;
  const header = '编码,名称,类型,上级编码,所属区县,生效日期\r\n';

  it.each([
    ['an unknown kind', '/imports?kind=castles', header, 'text/csv', 400],
    ['an empty body', '/imports?kind=orgs', '', 'text/csv', 400],
    ['a PDF', '/imports?kind=orgs', '%PDF-1.7\n...', 'application/pdf', 415],
    [
      'legacy .xls bytes',
      '/imports?kind=orgs',
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 1, 2, 3, 4]),
      'application/octet-stream',
      415,
    ],
    [
      'a damaged .xlsx',
      '/imports?kind=orgs',
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]),
      XLSX,
      422,
    ],
    ['a CSV as a workbook', '/imports?kind=workbook', header, 'text/csv', 415],
    [
      'a GBK CSV',
      '/imports?kind=orgs',
      Buffer.from([0xb1, 0xe0, 0xc2, 0xeb, 0x2c, 0x0d, 0x0a]),
      'text/csv',
      422,
    ],
    ['missing headers', '/imports?kind=orgs', '编码,名称\r\nx,y\r\n', 'text/csv', 422],
    [
      'an unclosed quote',
      '/imports?kind=orgs',
      header + '"331000,台州市,市,,331000,2024-01-01\r\n',
      'text/csv',
      422,
    ],
    [
      'a file over the size limit',
      '/imports?kind=orgs',
      header + 'x,y,市,,331000,2024-01-01\r\n'.repeat(4000),
      'text/csv',
      413,
    ],
  ])('%s', async (_what, path, body, type, status) => {
    const before = await snapshot(reg);
    const res = await reg.http.upload(`${path}&dryRun=false`, admin(), body, type);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await snapshot(reg)).toEqual(before);
  });

  it('a workbook with an unknown sheet is refused, naming it', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('组织').addRow(['编码', '名称', '类型', '上级编码', '生效日期']);
    wb.addWorksheet('Sheet2').addRow(['x']);
    const res = await reg.http.upload(
      '/imports?kind=workbook',
      admin(),
      Buffer.from(await wb.xlsx.writeBuffer()),
      XLSX,
    );
    expect(res.status).toBe(422);
    expect(res.body.reason.zh).toMatch(/无法识别的工作表：Sheet2/);
  });

  it('serves the templates as files, the whole-city workbook with a sheet per kind', async () => {
    const csvTemplate = await reg.http.get('/imports/templates/members.csv', admin());
    expect(csvTemplate.status).toBe(200);
    expect(csvTemplate.headers['content-disposition']).toBe('attachment; filename="members.csv"');
    expect(csvTemplate.text.replace(/^\uFEFF/, '').split('\r\n')[0]).toMatch(
      /^党员编号,姓名,身份证号,手机号/,
    );
    const xlsx = await reg.http.getFile('/imports/templates/workbook.xlsx', admin());
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '组织',
      '物业企业',
      '物业服务合同',
      '结对共建',
      '党员',
      '说明',
    ]);
    expect((await reg.http.get('/imports/templates/castles.xlsx', admin())).status).toBe(400);
  });
});

function id9(seq = 0): string {
  const first17 = `33100319900101${String(900 + seq).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}
