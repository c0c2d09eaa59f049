import { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { TestUser } from '@honglian/testkit';
import { idNumberCheckChar } from '../src/domain/identifiers.js';
import { buildFixtureCity, startRegistry } from './support.js';

/**
 * Search by ID number and phone (README, Search by ID number and phone): `POST /members/search`
 * with the values in the body, matched by their keyed hash after the same normalisation as when
 * stored; scoped like the list (out of scope: an empty page); the values never reach a log.
 */

type Registry = Awaited<ReturnType<typeof startRegistry>>;

/** An ID number of 黄岩 whose check character is X (the case people type in lower case). */
function idNumberEndingInX(): string {
  for (let seq = 1; ; seq++) {
    const first17 = `33100319850612${String(seq).padStart(3, '0')}`;
    if (idNumberCheckChar(first17) === 'X') return `${first17}X`;
  }
}
function plainIdNumber(seq: number): string {
  const first17 = `33100319900101${String(seq).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}
const ID_X = idNumberEndingInX();
const ID_2 = plainIdNumber(7);

/** The pino logger the module was given (the request log is its child): its lines, at info. */
function captureLogs(reg: Registry): { lines: string[]; stop: () => void } {
  const logger = reg.service.services.ctx.logger as unknown as Record<symbol, unknown> & { level: string };
  const streamSym = Object.getOwnPropertySymbols(logger).find((s) => s.description === 'pino.stream')!;
  const lines: string[] = [];
  const saved = { stream: logger[streamSym], level: logger.level };
  logger[streamSym] = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  logger.level = 'trace';
  return {
    lines,
    stop: () => {
      logger[streamSym] = saved.stream;
      logger.level = saved.level;
    },
  };
}

describe('member search by ID number and phone', () => {
  let reg: Registry;
  const u = () => reg.users;
  const search = async (body: object, user: TestUser = u().countyAdmin331003) => {
    const res = await reg.http.post('/members/search', user, body);
    expect(res.status).toBe(200);
    return { ids: (res.body.items as { id: string }[]).map((m) => m.id), total: res.body.total as number };
  };

  beforeAll(async () => {
    reg = await startRegistry();
    await buildFixtureCity(reg.http);
    const admin = u().countyAdmin331003;
    const register = async (body: object) => {
      const res = await reg.http.post('/members', admin, {
        category: 'retired',
        partyOrgId: 'cp-1-branch',
        residenceCompoundId: 'cp-1',
        effectiveFrom: '2026-01-01',
        ...body,
      });
      if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    };
    await register({ id: 'm-x', name: '周敏', idNumber: ID_X.toLowerCase(), phone: '138 1234 5678' });
    await register({ id: 'm-2', name: '王芳', idNumber: ID_2, phone: '13900000002' });
    // 王芳 changes her phone from May: the old number is hers until then.
    const changed = await reg.http.patch('/members/m-2', admin, {
      phone: '13900000003',
      effectiveFrom: '2026-05-01',
    });
    expect(changed.status).toBe(200);
  });
  afterAll(() => reg.close());

  it('finds a member by ID number, typed as people type it (lower-case x, spaces)', async () => {
    expect(await search({ idNumber: `  ${ID_X.toLowerCase()} ` })).toEqual({ ids: ['m-x'], total: 1 });
    expect(await search({ idNumber: ID_X })).toEqual({ ids: ['m-x'], total: 1 });
    expect(await search({ idNumber: ID_2 })).toEqual({ ids: ['m-2'], total: 1 });
    expect(await search({ idNumber: plainIdNumber(8) })).toEqual({ ids: [], total: 0 });
    // Combined with the list's filters: all must hold.
    expect(await search({ idNumber: ID_X, compoundId: 'cp-1' })).toEqual({ ids: ['m-x'], total: 1 });
    expect(await search({ idNumber: ID_X, q: '王' })).toEqual({ ids: [], total: 0 });
  });

  it('finds a member by the phone they had on the day asked (+86, spaces and dashes as stored)', async () => {
    expect(await search({ phone: '+86 138-1234-5678' })).toEqual({ ids: ['m-x'], total: 1 });
    expect(await search({ phone: '13812345678', idNumber: ID_X })).toEqual({ ids: ['m-x'], total: 1 });
    expect(await search({ phone: '13900000003' })).toEqual({ ids: ['m-2'], total: 1 });
    expect(await search({ phone: '13900000002' })).toEqual({ ids: [], total: 0 });
    expect(await search({ phone: '13900000002', asOf: '2026-04-01' })).toEqual({ ids: ['m-2'], total: 1 });
    expect(await search({ phone: '13900000003', asOf: '2026-04-01' })).toEqual({ ids: [], total: 0 });
  });

  it('finds members registered by an import, by phone and ID number', async () => {
    const idNumber = plainIdNumber(9);
    const csv = stringify(
      [
        {
          党员编号: 'm-imported',
          姓名: '陈晓',
          身份证号: idNumber,
          手机号: '137-0000-0009',
          党员类别: '退休党员',
          所属党组织编码: 'cp-1-branch',
          居住小区编码: 'cp-1',
          生效日期: '2026-01-01',
        },
      ],
      { header: true, bom: true },
    );
    const res = await reg.http.upload(
      '/imports?kind=members&dryRun=false',
      u().countyAdmin331003,
      csv,
      'text/csv',
    );
    expect(res.body).toMatchObject({ status: 'applied', created: 1 });
    expect(await search({ phone: '13700000009' })).toEqual({ ids: ['m-imported'], total: 1 });
    expect(await search({ idNumber })).toEqual({ ids: ['m-imported'], total: 1 });
  });

  it('normalises a typed ID number and phone as an import cell does (spaces inside, full-width)', async () => {
    const fullWidth = (v: string) =>
      v.replace(/[0-9X+]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    const grouped = `${ID_X.slice(0, 6)} ${ID_X.slice(6, 14)} ${ID_X.slice(14).toLowerCase()}`;
    expect(await search({ idNumber: grouped })).toEqual({ ids: ['m-x'], total: 1 });
    expect(await search({ idNumber: fullWidth(ID_X) })).toEqual({ ids: ['m-x'], total: 1 });
    expect(await search({ phone: fullWidth('+86 138 1234 5678') })).toEqual({ ids: ['m-x'], total: 1 });
    // The same ID number imported as typed (grouped, full-width) is found by its plain form.
    const idNumber = plainIdNumber(10);
    const csv = stringify(
      [
        {
          党员编号: 'm-typed',
          姓名: '林岚',
          身份证号: fullWidth(`${idNumber.slice(0, 6)} ${idNumber.slice(6, 14)} ${idNumber.slice(14)}`),
          手机号: fullWidth('137 0000 0010'),
          党员类别: '退休党员',
          所属党组织编码: 'cp-1-branch',
          居住小区编码: 'cp-1',
          生效日期: '2026-01-01',
        },
      ],
      { header: true, bom: true },
    );
    const res = await reg.http.upload(
      '/imports?kind=members&dryRun=false',
      u().countyAdmin331003,
      csv,
      'text/csv',
    );
    expect(res.body).toMatchObject({ status: 'applied', created: 1 });
    expect(await search({ idNumber })).toEqual({ ids: ['m-typed'], total: 1 });
    expect(await search({ idNumber: `${idNumber.slice(0, 6)} ${idNumber.slice(6)}` })).toEqual({
      ids: ['m-typed'],
      total: 1,
    });
    expect(await search({ phone: '13700000010' })).toEqual({ ids: ['m-typed'], total: 1 });
  });

  it('answers the masked member with names, like the list', async () => {
    const res = await reg.http.post('/members/search', u().countyAdmin331003, { idNumber: ID_X });
    expect(res.body.items[0]).toMatchObject({
      id: 'm-x',
      idNumber: `${ID_X.slice(0, 4)}**********${ID_X.slice(-4)}`,
      phone: '138****5678',
      residenceCompoundName: '锦江花园',
    });
    expect(JSON.stringify(res.body)).not.toContain(ID_X);
  });

  it('is scoped like the list: out of scope is an empty page, not a refusal', async () => {
    expect(await search({ idNumber: ID_X }, u().countyAdmin331002)).toEqual({ ids: [], total: 0 });
    expect(await search({ phone: '13812345678' }, u().countyAdmin331002)).toEqual({ ids: [], total: 0 });
    expect(await search({ idNumber: ID_X }, u().staff331003)).toEqual({ ids: ['m-x'], total: 1 });
    expect(await search({ idNumber: ID_X }, u().cityAdmin)).toEqual({ ids: ['m-x'], total: 1 });
    expect((await reg.http.post('/members/search', u().member331003, { idNumber: ID_X })).status).toBe(403);
  });

  it('takes personal data only in the body: GET /members refuses idNumber and phone in the URL', async () => {
    expect((await reg.http.get(`/members?idNumber=${ID_X}`, u().countyAdmin331003)).status).toBe(400);
    expect((await reg.http.get('/members?phone=13812345678', u().countyAdmin331003)).status).toBe(400);
    expect(
      (await reg.http.post('/members/search', u().countyAdmin331003, { idNumber: 'x'.repeat(40) })).status,
    ).toBe(400);
  });

  it('logs neither the ID number nor the phone searched for', async () => {
    const capture = captureLogs(reg);
    try {
      await search({ idNumber: ID_X.toLowerCase(), phone: '138-1234-5678' });
      await reg.http.post('/members/search', u().countyAdmin331003, { idNumber: ID_X, limit: 'many' });
    } finally {
      capture.stop();
    }
    const text = capture.lines.join('');
    // The request log was captured (the search's own line), so its silence about the values means something.
    expect(text).toContain('/members/search');
    for (const value of [ID_X, ID_X.toLowerCase(), ID_X.slice(0, 17), '1381234', '1234-5678']) {
      expect(text).not.toContain(value);
    }
  });

  it('members recorded before phones were hashed are found once the start-up backfill ran', async () => {
    const members = reg.conn.db!.collection('members');
    await members.updateMany({}, { $unset: { 'versions.$[].phoneHash': '' } });
    expect(await search({ phone: '13812345678' })).toEqual({ ids: [], total: 0 });
    expect(await reg.service.backfillPhoneHashes()).toBe(4);
    expect(await reg.service.backfillPhoneHashes()).toBe(0);
    expect(await search({ phone: '13812345678' })).toEqual({ ids: ['m-x'], total: 1 });
    expect(await search({ phone: '13900000002', asOf: '2026-04-01' })).toEqual({ ids: ['m-2'], total: 1 });
    expect(await search({ phone: '13900000003' })).toEqual({ ids: ['m-2'], total: 1 });
  });
});
