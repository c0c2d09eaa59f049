// BSON types: numeric kinds preserved through storage, cross-type numeric
// comparison, the BSON type order for sorting, dates and ObjectIds.
import { Binary, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'mongodb';
import type { Document } from 'mongodb';
import mongoose from 'mongoose';
import { openDriver, openMongoose } from './helpers.js';
import type { DriverFixture } from './helpers.js';

let fx: DriverFixture;
beforeAll(async () => {
  fx = await openDriver();
});
afterAll(async () => {
  await fx.close();
});

const exact = { promoteValues: false, promoteLongs: false } as const;

test('Int32, Double, Long and Decimal128 round-trip with their types', async () => {
  const c = fx.coll('num_roundtrip');
  await c.insertOne({
    _id: 1,
    i: new Int32(7),
    d: new Double(7),
    l: Long.fromString('9007199254740993'),
    small: Long.fromNumber(5),
    dec: Decimal128.fromString('1.10'),
    plainInt: 3,
    plainFloat: 2.5,
  });
  const doc = await c.findOne({ _id: 1 }, exact);
  expect(doc?.i).toBeInstanceOf(Int32);
  expect(doc?.d).toBeInstanceOf(Double);
  expect((doc?.d as Double).value).toBe(7);
  expect(doc?.l).toBeInstanceOf(Long);
  expect((doc?.l as Long).toString()).toBe('9007199254740993');
  expect(doc?.small).toBeInstanceOf(Long);
  expect(doc?.dec).toBeInstanceOf(Decimal128);
  expect((doc?.dec as Decimal128).toString()).toBe('1.10');
  expect(doc?.plainInt).toBeInstanceOf(Int32);
  expect(doc?.plainFloat).toBeInstanceOf(Double);
  // the driver's default promotion still gives JS numbers where exact
  const promoted = await c.findOne({ _id: 1 });
  expect(promoted?.small).toBe(5);
  expect(promoted?.i).toBe(7);
});

test('numbers of different types compare by value (1 == 1.0 == Long(1) == Decimal("1.0"))', async () => {
  const c = fx.coll('num_compare');
  await c.insertMany([
    { _id: 'int', v: new Int32(1) },
    { _id: 'double', v: new Double(1) },
    { _id: 'long', v: Long.fromNumber(1) },
    { _id: 'dec', v: Decimal128.fromString('1.0') },
    { _id: 'two', v: new Int32(2) },
    { _id: 'half', v: new Double(1.5) },
    { _id: 'str', v: '1' },
  ]);
  const ids = async (f: Document): Promise<string[]> =>
    (await c.find(f).toArray()).map((d) => String(d._id)).sort();
  expect(await ids({ v: 1 })).toEqual(['dec', 'double', 'int', 'long']);
  expect(await ids({ v: Long.fromNumber(1) })).toEqual(['dec', 'double', 'int', 'long']);
  expect(await ids({ v: Decimal128.fromString('1') })).toEqual(['dec', 'double', 'int', 'long']);
  expect(await ids({ v: { $gt: 1 } })).toEqual(['half', 'two']);
  expect(await ids({ v: { $gte: Decimal128.fromString('1.5') } })).toEqual(['half', 'two']);
  expect(await ids({ v: { $lt: Long.fromNumber(2) } })).toEqual(['dec', 'double', 'half', 'int', 'long']);
  expect(await ids({ v: { $in: [2, '1'] } })).toEqual(['str', 'two']);
  // comparisons do not cross types: a string is never > a number
  expect(await ids({ v: { $gt: 0 } })).not.toContain('str');
  expect(await ids({ v: { $type: 'number' } })).toEqual(['dec', 'double', 'half', 'int', 'long', 'two']);
  expect(await ids({ v: { $type: 'long' } })).toEqual(['long']);
  expect(await ids({ v: { $type: 'decimal' } })).toEqual(['dec']);
});

test('large Longs and Decimal128 compare exactly (no double rounding)', async () => {
  const c = fx.coll('num_exact');
  await c.insertMany([
    { _id: 'a', v: Long.fromString('9007199254740992') },
    { _id: 'b', v: Long.fromString('9007199254740993') },
    { _id: 'c', v: Decimal128.fromString('0.1') },
    { _id: 'd', v: new Double(0.1) },
  ]);
  expect((await c.find({ v: Long.fromString('9007199254740993') }).toArray()).map((d) => d._id)).toEqual([
    'b',
  ]);
  expect(
    (await c.find({ v: { $gt: Long.fromString('9007199254740992') } }).toArray()).map((d) => d._id),
  ).toEqual(['b']);
  // double 0.1 is not exactly decimal 0.1
  expect((await c.find({ v: Decimal128.fromString('0.1') }).toArray()).map((d) => d._id)).toEqual(['c']);
  expect((await c.find({ v: 0.1 }).toArray()).map((d) => d._id)).toEqual(['d']);
  const sorted = await c
    .find({ _id: { $in: ['c', 'd'] } })
    .sort({ v: 1 })
    .toArray();
  expect(sorted.map((d) => d._id)).toEqual(['c', 'd']); // 0.1 (decimal) < 0.1000000000000000055 (double)
});

test('$inc/$mul keep or promote numeric types like mongod', async () => {
  const c = fx.coll('num_inc');
  await c.insertOne({
    _id: 1,
    i: new Int32(2147483647),
    small: new Int32(1),
    l: Long.fromNumber(10),
    d: new Double(1.5),
    dec: Decimal128.fromString('0.10'),
  });
  await c.updateOne({ _id: 1 }, { $inc: { i: 1, small: 1, l: 1, d: 1, dec: Decimal128.fromString('0.20') } });
  const doc = await c.findOne({ _id: 1 }, exact);
  expect(doc?.i).toBeInstanceOf(Long); // int32 overflow promotes to long
  expect((doc?.i as Long).toString()).toBe('2147483648');
  expect(doc?.small).toBeInstanceOf(Int32);
  expect((doc?.small as Int32).value).toBe(2);
  expect(doc?.l).toBeInstanceOf(Long);
  expect((doc?.l as Long).toNumber()).toBe(11);
  expect((doc?.d as Double).value).toBe(2.5);
  expect((doc?.dec as Decimal128).toString()).toBe('0.30');
  await c.updateOne({ _id: 1 }, { $mul: { small: 2.5 } });
  const mul = await c.findOne({ _id: 1 }, exact);
  expect(mul?.small).toBeInstanceOf(Double);
  expect((mul?.small as Double).value).toBe(5);
});

test('$sum keeps integer types; Decimal128 sums are exact', async () => {
  const c = fx.coll('num_sum');
  await c.insertMany([
    { g: 'i', v: new Int32(1) },
    { g: 'i', v: new Int32(2) },
    { g: 'dec', v: Decimal128.fromString('0.1') },
    { g: 'dec', v: Decimal128.fromString('0.2') },
  ]);
  const r = await c
    .aggregate([{ $group: { _id: '$g', s: { $sum: '$v' } } }, { $sort: { _id: 1 } }], exact)
    .toArray();
  expect(r[0]?._id).toBe('dec');
  expect((r[0]?.s as Decimal128).toString()).toBe('0.3');
  expect(r[1]?.s).toBeInstanceOf(Int32);
  expect((r[1]?.s as Int32).value).toBe(3);
});

test('sort follows the BSON type order', async () => {
  const c = fx.coll('type_order');
  const oid = new ObjectId('0123456789abcdef01234567');
  const values: [string, unknown][] = [
    ['maxkey', new MaxKey()],
    ['regex', /abc/],
    ['timestamp', new Timestamp({ t: 1, i: 1 })],
    ['date', new Date(0)],
    ['bool', true],
    ['oid', oid],
    ['bin', new Binary(Buffer.from('x'))],
    ['array', [9]],
    ['object', { a: 1 }],
    ['string', 'a'],
    ['number', 5],
    ['null', null],
    ['minkey', new MinKey()],
  ];
  await c.insertMany(values.map(([k, v]) => ({ _id: k, v })));
  const asc = (await c.find({}).sort({ v: 1 }).toArray()).map((d) => d._id);
  // an array sorts by its smallest element (9: a number), so it sits with the numbers
  expect(asc).toEqual([
    'minkey',
    'null',
    'number',
    'array',
    'string',
    'object',
    'bin',
    'oid',
    'bool',
    'date',
    'timestamp',
    'regex',
    'maxkey',
  ]);
});

test('numbers, strings, dates and ObjectIds sort by value', async () => {
  const c = fx.coll('value_order');
  await c.insertMany([
    {
      _id: 1,
      n: Long.fromNumber(10),
      s: 'b',
      d: new Date('2024-01-02'),
      o: new ObjectId('000000000000000000000002'),
    },
    {
      _id: 2,
      n: new Double(2.5),
      s: 'a',
      d: new Date('1969-12-31'),
      o: new ObjectId('000000000000000000000010'),
    },
    {
      _id: 3,
      n: new Int32(-3),
      s: 'B',
      d: new Date('2024-01-01'),
      o: new ObjectId('000000000000000000000001'),
    },
    {
      _id: 4,
      n: Decimal128.fromString('2.25'),
      s: 'ä',
      d: new Date('2030-01-01'),
      o: new ObjectId('00000000000000000000000a'),
    },
  ]);
  const order = async (field: string, dir: 1 | -1 = 1): Promise<unknown[]> =>
    (
      await c
        .find({})
        .sort({ [field]: dir })
        .toArray()
    ).map((d) => d._id);
  expect(await order('n')).toEqual([3, 4, 2, 1]);
  expect(await order('n', -1)).toEqual([1, 2, 4, 3]);
  expect(await order('s')).toEqual([3, 2, 1, 4]); // binary (UTF-8) order: 'B' < 'a' < 'b' < 'ä'
  expect(await order('d')).toEqual([2, 3, 1, 4]);
  expect(await order('o')).toEqual([3, 1, 4, 2]);
  expect(
    (
      await c
        .find({ d: { $gte: new Date('2024-01-01') } })
        .sort({ d: 1 })
        .toArray()
    ).map((x) => x._id),
  ).toEqual([3, 1, 4]);
});

test('arrays sort by their minimum ascending and maximum descending', async () => {
  const c = fx.coll('array_sort');
  await c.insertMany([
    { _id: 'a', v: [1, 10] },
    { _id: 'b', v: [5] },
    { _id: 'c', v: 3 },
  ]);
  expect((await c.find().sort({ v: 1 }).toArray()).map((d) => d._id)).toEqual(['a', 'c', 'b']);
  expect((await c.find().sort({ v: -1 }).toArray()).map((d) => d._id)).toEqual(['a', 'b', 'c']);
});

test('mongoose Decimal128, BigInt, Int32 and Double schema types', async () => {
  const m = await openMongoose();
  try {
    const P = m.conn.model(
      'Price',
      new mongoose.Schema({
        amount: mongoose.Schema.Types.Decimal128,
        big: BigInt,
        qty: mongoose.Schema.Types.Int32,
        ratio: mongoose.Schema.Types.Double,
      }),
    );
    await P.create({ amount: '19.99', big: 9007199254740993n, qty: 3, ratio: 2 });
    const found = await P.findOne({
      big: 9007199254740993n,
      amount: { $gt: mongoose.Types.Decimal128.fromString('19.98') },
    });
    expect(found?.amount?.toString()).toBe('19.99');
    expect(found?.big).toBe(9007199254740993n);
    const raw = await P.collection.findOne({}, exact);
    expect(raw?.qty).toBeInstanceOf(Int32);
    expect(raw?.ratio).toBeInstanceOf(Double);
    expect(raw?.big).toBeInstanceOf(Long);
  } finally {
    await m.close();
  }
});
