// Aggregation: stages, expressions, cursors, and that stages never change
// stored documents.
import { Long } from 'mongodb';
import type { Document } from 'mongodb';
import mongoose from 'mongoose';
import { openDriver, openMongoose, serverError } from './helpers.js';
import type { DriverFixture } from './helpers.js';

let fx: DriverFixture;
beforeAll(async () => {
  fx = await openDriver();
  await fx.coll('orders').insertMany([
    {
      _id: 1,
      user: 'ann',
      amount: 10,
      status: 'paid',
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 2 },
      ],
    },
    { _id: 2, user: 'ann', amount: 15, status: 'paid', items: [{ sku: 'a', qty: 3 }] },
    { _id: 3, user: 'bob', amount: 7, status: 'new', items: [] },
    { _id: 4, user: 'cid', amount: 30, status: 'shipped' },
  ]);
  await fx.coll('users').insertMany([
    { _id: 'ann', city: 'Oslo' },
    { _id: 'bob', city: 'Rome' },
  ]);
});
afterAll(async () => {
  await fx.close();
});

const agg = (pipeline: Document[], coll = 'orders'): Promise<Document[]> =>
  fx.coll(coll).aggregate(pipeline).toArray();

test('$match + $group accumulators + $sort', async () => {
  const r = await agg([
    { $match: { status: { $in: ['paid', 'new'] } } },
    {
      $group: {
        _id: '$user',
        total: { $sum: '$amount' },
        n: { $sum: 1 },
        avg: { $avg: '$amount' },
        min: { $min: '$amount' },
        max: { $max: '$amount' },
        first: { $first: '$_id' },
        last: { $last: '$_id' },
        ids: { $push: '$_id' },
        statuses: { $addToSet: '$status' },
      },
    },
    { $sort: { total: -1 } },
  ]);
  expect(r).toEqual([
    {
      _id: 'ann',
      total: 25,
      n: 2,
      avg: 12.5,
      min: 10,
      max: 15,
      first: 1,
      last: 2,
      ids: [1, 2],
      statuses: ['paid'],
    },
    { _id: 'bob', total: 7, n: 1, avg: 7, min: 7, max: 7, first: 3, last: 3, ids: [3], statuses: ['new'] },
  ]);
});

test('$group by null and by compound keys; $count; $sortByCount', async () => {
  expect(await agg([{ $group: { _id: null, total: { $sum: '$amount' } } }])).toEqual([
    { _id: null, total: 62 },
  ]);
  const byKey = await agg([
    { $group: { _id: { u: '$user', s: '$status' }, c: { $count: {} } } },
    { $sort: { '_id.u': 1 } },
  ]);
  expect(byKey.map((d) => d._id)).toEqual([
    { u: 'ann', s: 'paid' },
    { u: 'bob', s: 'new' },
    { u: 'cid', s: 'shipped' },
  ]);
  expect(await agg([{ $match: { amount: { $gt: 8 } } }, { $count: 'big' }])).toEqual([{ big: 3 }]);
  expect(await agg([{ $match: { amount: { $gt: 1000 } } }, { $count: 'none' }])).toEqual([]);
  expect(await agg([{ $sortByCount: '$user' }, { $limit: 1 }])).toEqual([{ _id: 'ann', count: 2 }]);
});

test('$project (inclusion, exclusion, computed), $addFields / $set, $unset', async () => {
  expect(
    await agg([{ $match: { _id: 1 } }, { $project: { user: 1, double: { $multiply: ['$amount', 2] } } }]),
  ).toEqual([{ _id: 1, user: 'ann', double: 20 }]);
  expect(await agg([{ $match: { _id: 3 } }, { $project: { items: 0, status: 0 } }])).toEqual([
    { _id: 3, user: 'bob', amount: 7 },
  ]);
  expect(
    await agg([
      { $match: { _id: 3 } },
      { $addFields: { 'meta.tax': { $multiply: ['$amount', 0.5] } } },
      { $set: { label: { $concat: ['$user', '-', '$status'] } } },
      { $unset: ['items', 'status'] },
    ]),
  ).toEqual([{ _id: 3, user: 'bob', amount: 7, meta: { tax: 3.5 }, label: 'bob-new' }]);
});

test('$unwind (with options) and $lookup (fields and pipeline forms)', async () => {
  const unwound = await agg([{ $unwind: '$items' }, { $project: { sku: '$items.sku', _id: 1 } }]);
  expect(unwound).toEqual([
    { _id: 1, sku: 'a' },
    { _id: 1, sku: 'b' },
    { _id: 2, sku: 'a' },
  ]);
  const preserved = await agg([
    { $unwind: { path: '$items', preserveNullAndEmptyArrays: true, includeArrayIndex: 'i' } },
    { $match: { _id: { $gte: 3 } } },
  ]);
  expect(preserved.map((d) => [d._id, d.i])).toEqual([
    [3, null],
    [4, null],
  ]);
  const joined = await agg([
    { $lookup: { from: 'users', localField: 'user', foreignField: '_id', as: 'u' } },
    { $project: { city: { $first: '$u.city' } } },
    { $sort: { _id: 1 } },
  ]);
  expect(joined).toEqual([
    { _id: 1, city: 'Oslo' },
    { _id: 2, city: 'Oslo' },
    { _id: 3, city: 'Rome' },
    { _id: 4 },
  ]);
  const piped = await agg(
    [
      {
        $lookup: {
          from: 'orders',
          let: { uid: '$_id' },
          pipeline: [
            { $match: { $expr: { $eq: ['$user', '$$uid'] } } },
            { $group: { _id: null, spent: { $sum: '$amount' } } },
          ],
          as: 'spent',
        },
      },
      { $project: { spent: { $ifNull: [{ $first: '$spent.spent' }, 0] } } },
      { $sort: { _id: 1 } },
    ],
    'users',
  );
  expect(piped).toEqual([
    { _id: 'ann', spent: 25 },
    { _id: 'bob', spent: 7 },
  ]);
});

test('$facet, $replaceRoot / $replaceWith, $skip / $limit', async () => {
  const [facets] = await agg([
    {
      $facet: {
        top: [{ $sort: { amount: -1 } }, { $limit: 1 }, { $project: { _id: 1 } }],
        count: [{ $count: 'n' }],
        paged: [{ $sort: { _id: 1 } }, { $skip: 1 }, { $limit: 2 }, { $project: { _id: 1 } }],
      },
    },
  ]);
  expect(facets).toEqual({ top: [{ _id: 4 }], count: [{ n: 4 }], paged: [{ _id: 2 }, { _id: 3 }] });
  expect(await agg([{ $match: { _id: 1 } }, { $replaceRoot: { newRoot: { $first: '$items' } } }])).toEqual([
    { sku: 'a', qty: 1 },
  ]);
  expect(await agg([{ $match: { _id: 2 } }, { $replaceWith: { id: '$_id', s: '$status' } }])).toEqual([
    { id: 2, s: 'paid' },
  ]);
  const e = await serverError(agg([{ $replaceRoot: { newRoot: '$status' } }]));
  expect(e.code).toBe(40228);
});

test('expressions: $cond, $switch, $map, $filter, $reduce, $let, string and date operators', async () => {
  const [r] = await agg([
    { $match: { _id: 1 } },
    {
      $project: {
        _id: 0,
        big: { $cond: [{ $gte: ['$amount', 10] }, 'yes', 'no'] },
        kind: { $switch: { branches: [{ case: { $eq: ['$status', 'paid'] }, then: 'P' }], default: '?' } },
        skus: { $map: { input: '$items', as: 'it', in: { $toUpper: '$$it.sku' } } },
        many: { $filter: { input: '$items', cond: { $gt: ['$$this.qty', 1] } } },
        qty: { $reduce: { input: '$items', initialValue: 0, in: { $add: ['$$value', '$$this.qty'] } } },
        lets: { $let: { vars: { x: 2 }, in: { $multiply: ['$$x', '$amount'] } } },
        size: { $size: '$items' },
        year: { $year: { $toDate: '2024-05-06T00:00:00Z' } },
        str: { $toString: '$amount' },
      },
    },
  ]);
  expect(r).toEqual({
    big: 'yes',
    kind: 'P',
    skus: ['A', 'B'],
    many: [{ sku: 'b', qty: 2 }],
    qty: 3,
    lets: 20,
    size: 2,
    year: 2024,
    str: '10',
  });
});

test('aggregate cursor batches with getMore', async () => {
  const c = fx.coll('agg_many');
  await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
  const r = await fx.db.command({
    aggregate: 'agg_many',
    pipeline: [{ $sort: { i: 1 } }],
    cursor: { batchSize: 100 },
  });
  expect(r.cursor.firstBatch).toHaveLength(100);
  const all = await c.aggregate([{ $sort: { i: -1 } }], { batchSize: 30 }).toArray();
  expect(all).toHaveLength(250);
  expect(all[0]?.i).toBe(249);
});

test('$out replaces the target collection', async () => {
  await agg([{ $match: { status: 'paid' } }, { $project: { amount: 1 } }, { $out: 'paid_orders' }]);
  expect(await fx.coll('paid_orders').find().sort({ _id: 1 }).toArray()).toEqual([
    { _id: 1, amount: 10 },
    { _id: 2, amount: 15 },
  ]);
});

test('invalid stages and expressions fail with mongod codes', async () => {
  expect((await serverError(agg([{ $bogus: {} }]))).code).toBe(40324);
  expect((await serverError(agg([{ $project: { x: { $bogusOp: 1 } } }]))).code).toBe(168);
  expect((await serverError(agg([{ $group: { total: { $sum: 1 } } }]))).code).toBe(15955);
  expect((await serverError(agg([{ $limit: 0 }]))).code).toBe(15958);
});

test('projection and pipelines never mutate stored documents', async () => {
  const m = await openMongoose();
  try {
    const M = m.conn.model(
      'Doc',
      new mongoose.Schema({ address: { city: String, zip: String }, tags: [String] }),
    );
    const d = await M.create({ address: { city: 'Paris', zip: '75001' }, tags: ['a', 'b'] });
    await M.findById(d._id).select('-address.zip').lean();
    await M.aggregate([{ $match: { _id: d._id } }, { $project: { 'address.city': 0 } }]);
    await M.aggregate([
      { $match: { _id: d._id } },
      { $set: { 'address.zip': 'changed' } },
      { $unwind: '$tags' },
    ]);
    await M.aggregate([{ $match: { _id: d._id } }, { $addFields: { address: { extra: 1 } } }]);
    await M.find({ _id: d._id }, { tags: { $slice: 1 } }).lean();
    const back = await M.findById(d._id).lean();
    expect(back?.address).toEqual({ city: 'Paris', zip: '75001' });
    expect(back?.tags).toEqual(['a', 'b']);
  } finally {
    await m.close();
  }
});

test('mongoose aggregate with $lookup / $unwind and countDocuments', async () => {
  const m = await openMongoose();
  try {
    const User = m.conn.model('U', new mongoose.Schema({ name: String }));
    const Order = m.conn.model(
      'O',
      new mongoose.Schema({ user: { type: mongoose.Schema.Types.ObjectId, ref: 'U' }, amount: Number }),
    );
    const [a, b] = await User.create([{ name: 'a' }, { name: 'b' }]);
    await Order.create([
      { user: a?._id, amount: 1 },
      { user: a?._id, amount: 2 },
      { user: b?._id, amount: 5 },
    ]);
    const r = await Order.aggregate([
      { $group: { _id: '$user', total: { $sum: '$amount' } } },
      { $lookup: { from: User.collection.name, localField: '_id', foreignField: '_id', as: 'u' } },
      { $unwind: '$u' },
      { $project: { _id: 0, name: '$u.name', total: 1 } },
      { $sort: { total: 1 } },
    ]);
    expect(r).toEqual([
      { total: 3, name: 'a' },
      { total: 5, name: 'b' },
    ]);
    const populated = await Order.find({ amount: { $gt: 1 } })
      .populate<{ user: { name: string } }>('user')
      .sort({ amount: 1 });
    expect(populated.map((o) => o.user.name)).toEqual(['a', 'b']);
    expect(await Order.countDocuments({ amount: { $lt: 5 } })).toBe(2);
  } finally {
    await m.close();
  }
});

test('$dateDiff returns a Long, as on mongod', async () => {
  const c = fx.coll('agg_datediff');
  await c.insertOne({ _id: 1, a: new Date('2024-01-01'), b: new Date('2024-03-01') });
  const [r] = await c
    .aggregate([{ $project: { d: { $dateDiff: { startDate: '$a', endDate: '$b', unit: 'day' } } } }], {
      promoteLongs: false,
    })
    .toArray();
  expect(r?.d).toBeInstanceOf(Long);
  expect((r?.d as Long).toNumber()).toBe(60);
});
