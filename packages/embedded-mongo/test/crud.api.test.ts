// CRUD commands through the mongodb driver and mongoose: insert, find /
// getMore / killCursors options, update operators, delete, findAndModify,
// count, distinct, bulk writes.
import { ObjectId } from 'mongodb';
import type { Collection, Document } from 'mongodb';
import mongoose from 'mongoose';
import { openDriver, openMongoose, serverError } from './helpers.js';
import type { DriverFixture, Loose, MongooseFixture } from './helpers.js';

let fx: DriverFixture;
beforeAll(async () => {
  fx = await openDriver();
});
afterAll(async () => {
  await fx.close();
});

async function seeded(name: string, n = 10): Promise<Collection<Loose>> {
  const c = fx.coll(name);
  await c.insertMany(
    Array.from({ length: n }, (_, i) => ({ _id: i, n: i, even: i % 2 === 0, tag: `t${i % 3}` })),
  );
  return c;
}

describe('insert', () => {
  test('assigns an ObjectId _id first and returns inserted ids', async () => {
    const c = fx.coll('ins');
    const r = await c.insertOne({ a: 1 });
    expect(r.insertedId).toBeInstanceOf(ObjectId);
    const raw = await c.findOne({ a: 1 });
    expect(Object.keys(raw ?? {})).toEqual(['_id', 'a']);
    const many = await c.insertMany([{ b: 1 }, { b: 2 }]);
    expect(many.insertedCount).toBe(2);
  });

  test('moves a client-supplied _id to the front', async () => {
    const c = fx.coll('ins_order');
    await c.insertOne({ x: 1, _id: 'k' } as Document);
    expect(Object.keys((await c.findOne({ _id: 'k' } as Document)) ?? {})).toEqual(['_id', 'x']);
  });

  test('rejects an array _id', async () => {
    const e = await serverError(fx.coll('ins_bad').insertOne({ _id: [1, 2] } as Document));
    expect(e.code).toBe(2);
  });
});

describe('find', () => {
  let c: Collection<Loose>;
  beforeAll(async () => {
    c = await seeded('find', 25);
  });

  test('filter, sort, skip, limit', async () => {
    const docs = await c
      .find({ n: { $gte: 5 } })
      .sort({ n: -1 })
      .skip(2)
      .limit(3)
      .toArray();
    expect(docs.map((d) => d.n)).toEqual([22, 21, 20]);
  });

  test('projection inclusion / exclusion / nested', async () => {
    await c.insertOne({ _id: 'p', n: 100, sub: { a: 1, b: 2 }, arr: [{ a: 1, b: 2 }, 3] });
    expect(await c.findOne({ _id: 'p' }, { projection: { 'sub.a': 1, _id: 0 } })).toEqual({ sub: { a: 1 } });
    expect(await c.findOne({ _id: 'p' }, { projection: { sub: 0, arr: 0, n: 0 } })).toEqual({ _id: 'p' });
    expect(await c.findOne({ _id: 'p' }, { projection: { 'arr.a': 1 } })).toEqual({
      _id: 'p',
      arr: [{ a: 1 }],
    });
    expect(await c.findOne({ _id: 'p' }, { projection: { 'arr.b': 0, sub: 0, n: 0 } })).toEqual({
      _id: 'p',
      arr: [{ a: 1 }, 3],
    });
    const mixed = await serverError(c.findOne({ _id: 'p' }, { projection: { a: 1, b: 0 } }));
    expect(mixed.code).toBe(31254);
    await c.deleteOne({ _id: 'p' });
  });

  test('$slice and $elemMatch projections, computed fields', async () => {
    await c.insertOne({ _id: 'q', items: [{ k: 1 }, { k: 2 }, { k: 3 }], n: 7 });
    expect(await c.findOne({ _id: 'q' }, { projection: { items: { $slice: 2 }, n: 0 } })).toEqual({
      _id: 'q',
      items: [{ k: 1 }, { k: 2 }],
    });
    expect(await c.findOne({ _id: 'q' }, { projection: { items: { $slice: [1, 1] } } })).toEqual({
      _id: 'q',
      items: [{ k: 2 }],
      n: 7,
    });
    expect(
      await c.findOne({ _id: 'q' }, { projection: { items: { $elemMatch: { k: { $gt: 1 } } } } }),
    ).toEqual({
      _id: 'q',
      items: [{ k: 2 }],
    });
    expect(await c.findOne({ 'items.k': 3 }, { projection: { 'items.$': 1 } })).toEqual({
      _id: 'q',
      items: [{ k: 3 }],
    });
    expect(
      await c.findOne({ _id: 'q' }, { projection: { twice: { $multiply: ['$n', 2] }, _id: 0 } }),
    ).toEqual({ twice: 14 });
    await c.deleteOne({ _id: 'q' });
  });

  test('batchSize drives getMore; the cursor walks every document once', async () => {
    const cursor = c.find({}).batchSize(4);
    const seen: number[] = [];
    for await (const d of cursor) seen.push(d.n as number);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  test('singleBatch / negative limit return one batch and close the cursor', async () => {
    const docs = await c.find({}, { limit: -3 }).toArray();
    expect(docs).toHaveLength(3);
    const r = await fx.db.command({ find: 'find', filter: {}, batchSize: 2, singleBatch: true });
    expect(r.cursor.firstBatch).toHaveLength(2);
    expect(Number(r.cursor.id)).toBe(0);
  });

  test('killCursors and getMore on a killed cursor (CursorNotFound 43)', async () => {
    const r = await fx.db.command({ find: 'find', filter: {}, batchSize: 2 });
    const id = r.cursor.id;
    expect(Number(id)).not.toBe(0);
    const more = await fx.db.command({ getMore: id, collection: 'find', batchSize: 3 });
    expect(more.cursor.nextBatch).toHaveLength(3);
    const killed = await fx.db.command({ killCursors: 'find', cursors: [id] });
    expect(killed.cursorsKilled.map(Number)).toEqual([Number(id)]);
    const e = await serverError(fx.db.command({ getMore: id, collection: 'find' }));
    expect(e.code).toBe(43);
  });

  test('query operators', async () => {
    const ids = async (f: Document): Promise<unknown[]> =>
      (await c.find(f).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ n: { $in: [1, 3, 99] } })).toEqual([1, 3]);
    expect(await ids({ n: { $nin: [0, 1, 2], $lt: 5 } })).toEqual([3, 4]);
    expect(await ids({ $or: [{ n: 1 }, { n: 2 }] })).toEqual([1, 2]);
    expect(await ids({ $nor: [{ n: { $gt: 1 } }] })).toEqual([0, 1]);
    expect(await ids({ n: { $not: { $gt: 1 } } })).toEqual([0, 1]);
    expect(await ids({ tag: /^t2/ })).toEqual([2, 5, 8, 11, 14, 17, 20, 23]);
    expect(await ids({ tag: { $regex: 'T1', $options: 'i' }, n: { $lt: 5 } })).toEqual([1, 4]);
    expect(await ids({ n: { $mod: [10, 3] } })).toEqual([3, 13, 23]);
    expect(await ids({ missing: { $exists: true } })).toEqual([]);
    expect(await ids({ n: { $type: 'int' }, _id: { $lt: 2 } })).toEqual([0, 1]);
    expect(await ids({ $expr: { $gt: ['$n', 22] } })).toEqual([23, 24]);
  });

  test('array matching: elements, $all, $size, $elemMatch, dotted paths through arrays', async () => {
    const a = fx.coll('arrays');
    await a.insertMany([
      {
        _id: 1,
        tags: ['x', 'y'],
        pts: [
          { x: 1, y: 5 },
          { x: 3, y: 1 },
        ],
      },
      { _id: 2, tags: ['y'], pts: [{ x: 2, y: 2 }] },
      { _id: 3, tags: [], pts: [] },
    ]);
    const ids = async (f: Document): Promise<unknown[]> =>
      (await a.find(f).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ tags: 'y' })).toEqual([1, 2]);
    expect(await ids({ tags: ['y'] })).toEqual([2]);
    expect(await ids({ tags: { $all: ['x', 'y'] } })).toEqual([1]);
    expect(await ids({ tags: { $size: 0 } })).toEqual([3]);
    expect(await ids({ 'pts.x': 3 })).toEqual([1]);
    // without $elemMatch the two conditions may hold on different elements
    expect(await ids({ 'pts.x': 1, 'pts.y': 1 })).toEqual([1]);
    expect(await ids({ pts: { $elemMatch: { x: 1, y: 1 } } })).toEqual([]);
    expect(await ids({ pts: { $elemMatch: { x: { $gte: 2 }, y: { $gte: 2 } } } })).toEqual([2]);
    expect(await ids({ 'pts.0.x': 1 })).toEqual([1]);
    expect(await ids({ 'pts.x': { $gt: 2 } })).toEqual([1]);
  });

  test('$elemMatch (value form) tests each element whole: nested arrays are not expanded', async () => {
    const n = fx.coll('nested_arrays');
    await n.insertMany([
      { _id: 1, a: [[1, 2]] },
      { _id: 2, a: [2] },
      { _id: 3, a: [[]] },
    ]);
    const ids = async (f: Document): Promise<unknown[]> =>
      (await n.find(f).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ a: { $elemMatch: { $gt: 1, $lt: 3 } } })).toEqual([2]);
    expect(await ids({ a: { $elemMatch: { $size: 2 } } })).toEqual([1]);
    expect(await ids({ a: { $elemMatch: { $in: [[]] } } })).toEqual([3]);
    expect(await ids({ a: { $elemMatch: { $not: { $gt: 1 } } } })).toEqual([1, 3]);
    // a plain comparison expands the leaf array one level only
    expect(await ids({ a: { $gt: 1 } })).toEqual([2]);
  });

  test('regex semantics are PCRE: $ also matches before a final newline', async () => {
    const r = fx.coll('regex');
    await r.insertMany([
      { _id: 1, s: 'abc\n' },
      { _id: 2, s: 'abc\nd' },
      { _id: 3, s: 'ABC' },
    ]);
    expect((await r.find({ s: /abc$/ }).toArray()).map((d) => d._id)).toEqual([1]);
    expect((await r.find({ s: /^abc$/im }).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2, 3]);
  });

  test('null matches missing fields and explicit null', async () => {
    const n = fx.coll('nulls');
    await n.insertMany([{ _id: 1, a: null }, { _id: 2 }, { _id: 3, a: 0 }]);
    expect((await n.find({ a: null }).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2]);
    expect((await n.find({ a: { $ne: null } }).toArray()).map((d) => d._id)).toEqual([3]);
    expect((await n.find({ a: { $exists: false } }).toArray()).map((d) => d._id)).toEqual([2]);
  });

  test('find on a missing collection returns nothing', async () => {
    expect(await fx.coll('does_not_exist').find({}).toArray()).toEqual([]);
  });

  test('unknown fields are rejected (40415)', async () => {
    const e = await serverError(fx.db.command({ find: 'find', filter: {}, bogusOption: 1 }));
    expect(e.code).toBe(40415);
  });
});

describe('update', () => {
  test('$set $unset $inc $mul $min $max $rename $currentDate', async () => {
    const c = fx.coll('upd_ops');
    await c.insertOne({ _id: 1, a: 1, b: 2, c: 10, d: 5, e: 'x', nested: { k: 1 } });
    const r = await c.updateOne(
      { _id: 1 },
      {
        $set: { 'nested.k': 2, 'nested.new': true },
        $unset: { b: '' },
        $inc: { a: 5, fresh: 1 },
        $mul: { c: 3 },
        $min: { d: 2 },
        $max: { top: 9 },
        $rename: { e: 'renamed' },
        $currentDate: { when: true },
      },
    );
    expect(r.matchedCount).toBe(1);
    expect(r.modifiedCount).toBe(1);
    const doc = await c.findOne({ _id: 1 });
    expect(doc).toMatchObject({
      a: 6,
      c: 30,
      d: 2,
      top: 9,
      renamed: 'x',
      fresh: 1,
      nested: { k: 2, new: true },
    });
    expect(doc).not.toHaveProperty('b');
    expect(doc).not.toHaveProperty('e');
    expect(doc?.when).toBeInstanceOf(Date);
  });

  test('a no-op $set reports modifiedCount 0', async () => {
    const c = fx.coll('upd_noop');
    await c.insertOne({ _id: 1, a: 1 });
    const r = await c.updateOne({ _id: 1 }, { $set: { a: 1 } });
    expect(r.matchedCount).toBe(1);
    expect(r.modifiedCount).toBe(0);
  });

  test('array operators $push (modifiers) $addToSet $pull $pullAll $pop', async () => {
    const c = fx.coll('upd_arrays');
    await c.insertOne({
      _id: 1,
      xs: [3, 1],
      set: ['a'],
      scores: [1, 5, 8, 9],
      objs: [{ k: 1 }, { k: 2 }],
      q: [1, 2, 3],
    });
    await c.updateOne({ _id: 1 }, {
      $push: { xs: { $each: [5, 2], $sort: 1, $slice: 3 } },
      $addToSet: { set: { $each: ['a', 'b', 'b'] } },
      $pull: { scores: { $gte: 8 }, objs: { k: 2 } },
      $pullAll: { q: [1, 3] },
    } as Document);
    expect(await c.findOne({ _id: 1 })).toEqual({
      _id: 1,
      xs: [1, 2, 3],
      set: ['a', 'b'],
      scores: [1, 5],
      objs: [{ k: 1 }],
      q: [2],
    });
    await c.updateOne({ _id: 1 }, {
      $pop: { xs: -1 },
      $push: { q: { $each: [0], $position: 0 } },
    } as Document);
    expect(await c.findOne({ _id: 1 }, { projection: { xs: 1, q: 1, _id: 0 } })).toEqual({
      xs: [2, 3],
      q: [0, 2],
    });
  });

  test('positional $, $[] and $[identifier] with arrayFilters', async () => {
    const c = fx.coll('upd_positional');
    await c.insertOne({
      _id: 1,
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 5 },
        { sku: 'c', qty: 9 },
      ],
    });
    await c.updateOne({ _id: 1, 'items.sku': 'b' }, { $inc: { 'items.$.qty': 10 } });
    await c.updateOne({ _id: 1 }, { $set: { 'items.$[].seen': true } });
    await c.updateOne(
      { _id: 1 },
      { $set: { 'items.$[big].big': true } },
      { arrayFilters: [{ 'big.qty': { $gt: 8 } }] },
    );
    expect((await c.findOne({ _id: 1 }))?.items).toEqual([
      { sku: 'a', qty: 1, seen: true },
      { sku: 'b', qty: 15, seen: true, big: true },
      { sku: 'c', qty: 9, seen: true, big: true },
    ]);
    const e = await serverError(c.updateOne({ _id: 1 }, { $set: { 'items.$.x': 1 } }));
    expect(e.code).toBe(2);
  });

  test('error codes: conflicting operators 40, type mismatch 14, immutable _id 66, path not viable 28', async () => {
    const c = fx.coll('upd_errors');
    await c.insertOne({ _id: 1, s: 'str', n: 1, tags: ['a'] });
    expect(
      (await serverError(c.updateOne({ _id: 1 }, { $set: { tags: [] }, $push: { tags: 'b' } } as Document)))
        .code,
    ).toBe(40);
    expect((await serverError(c.updateOne({ _id: 1 }, { $set: { 'a.b': 1, a: 2 } }))).code).toBe(40);
    expect((await serverError(c.updateOne({ _id: 1 }, { $inc: { s: 1 } }))).code).toBe(14);
    expect((await serverError(c.updateOne({ _id: 1 }, { $set: { _id: 2 } }))).code).toBe(66);
    expect((await serverError(c.updateOne({ _id: 1 }, { $set: { 'n.x': 1 } }))).code).toBe(28);
    expect((await serverError(c.updateOne({ _id: 1 }, { $push: { s: 1 } } as Document))).code).toBe(2);
    expect((await serverError(c.updateOne({ _id: 1 }, { $foo: { a: 1 } } as Document))).code).toBe(9);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, s: 'str', n: 1, tags: ['a'] });
  });

  test('updateMany, upsert with $setOnInsert, replacement documents', async () => {
    const c = fx.coll('upd_many');
    await c.insertMany([
      { k: 1, v: 0 },
      { k: 1, v: 0 },
      { k: 2, v: 0 },
    ]);
    const many = await c.updateMany({ k: 1 }, { $inc: { v: 1 } });
    expect([many.matchedCount, many.modifiedCount]).toEqual([2, 2]);
    const up = await c.updateOne(
      { k: 3, 'sub.z': 'q' },
      { $set: { v: 7 }, $setOnInsert: { created: true } },
      { upsert: true },
    );
    expect(up.upsertedCount).toBe(1);
    expect(await c.findOne({ _id: up.upsertedId as ObjectId }, { projection: { _id: 0 } })).toEqual({
      k: 3,
      sub: { z: 'q' },
      v: 7,
      created: true,
    });
    const again = await c.updateOne(
      { k: 3 },
      { $set: { v: 8 }, $setOnInsert: { created: false } },
      { upsert: true },
    );
    expect(again.upsertedCount).toBe(0);
    expect((await c.findOne({ k: 3 }))?.created).toBe(true);
    const rep = await c.replaceOne({ k: 2 }, { k: 2, replaced: true });
    expect(rep.modifiedCount).toBe(1);
    expect(await c.findOne({ k: 2 }, { projection: { _id: 0 } })).toEqual({ k: 2, replaced: true });
    const rUp = await c.replaceOne({ _id: 'fixed' } as Document, { only: 1 }, { upsert: true });
    expect(rUp.upsertedId).toBe('fixed');
    expect(await c.findOne({ _id: 'fixed' } as Document)).toEqual({ _id: 'fixed', only: 1 });
  });

  test('pipeline-style updates', async () => {
    const c = fx.coll('upd_pipeline');
    await c.insertOne({ _id: 1, a: 2, b: 3 });
    await c.updateOne({ _id: 1 }, [
      { $set: { sum: { $add: ['$a', '$b'] }, label: { $concat: ['x', 'y'] } } },
      { $unset: 'b' },
    ]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, a: 2, sum: 5, label: 'xy' });
  });
});

describe('delete', () => {
  test('deleteOne (limit 1) and deleteMany (limit 0)', async () => {
    const c = await seeded('del', 6);
    expect((await c.deleteOne({ even: true })).deletedCount).toBe(1);
    expect((await c.deleteMany({ even: true })).deletedCount).toBe(2);
    expect(await c.countDocuments()).toBe(3);
    expect((await c.deleteOne({ n: 999 })).deletedCount).toBe(0);
    const e = await serverError(fx.db.command({ delete: 'del', deletes: [{ q: {}, limit: 2 }] }));
    expect(e.code).toBe(9);
  });
});

describe('findAndModify', () => {
  test('new, upsert, remove, fields, sort', async () => {
    const c = await seeded('fam', 5);
    const before = await c.findOneAndUpdate({ even: true }, { $inc: { n: 100 } }, { sort: { n: -1 } });
    expect(before?.n).toBe(4);
    const after = await c.findOneAndUpdate(
      { _id: 0 } as Document,
      { $set: { x: 1 } },
      { returnDocument: 'after', projection: { x: 1, _id: 0 } },
    );
    expect(after).toEqual({ x: 1 });
    const upserted = await c.findOneAndUpdate(
      { _id: 'new' } as Document,
      { $set: { made: true } },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true },
    );
    expect(upserted.value).toEqual({ _id: 'new', made: true });
    expect(upserted.lastErrorObject?.updatedExisting).toBe(false);
    const removed = await c.findOneAndDelete({ _id: 'new' } as Document);
    expect(removed).toEqual({ _id: 'new', made: true });
    expect(await c.findOneAndDelete({ _id: 'new' } as Document)).toBeNull();
    const replaced = await c.findOneAndReplace({ _id: 1 } as Document, { r: 1 }, { returnDocument: 'after' });
    expect(replaced).toEqual({ _id: 1, r: 1 });
  });
});

describe('count / distinct / estimatedDocumentCount', () => {
  test('count with query, skip, limit; distinct flattens arrays and dedupes numerically', async () => {
    const c = fx.coll('cnt');
    await c.insertMany([{ v: 1, t: ['a', 'b'] }, { v: 1.0, t: ['b'] }, { v: 2, t: 'c' }, { v: null }]);
    expect(await c.countDocuments({ v: 1 })).toBe(2);
    expect(await c.estimatedDocumentCount()).toBe(4);
    const r = await fx.db.command({ count: 'cnt', query: { v: { $gte: 1 } }, skip: 1, limit: 5 });
    expect(r.n).toBe(2);
    expect((await c.distinct('t')).sort()).toEqual(['a', 'b', 'c']);
    expect((await c.distinct('v', { v: { $ne: null } })).sort()).toEqual([1, 2]);
  });
});

describe('bulkWrite', () => {
  test('ordered bulk stops at the first error; unordered continues', async () => {
    const c = fx.coll('bulk');
    await c.insertOne({ _id: 2 });
    const e = await serverError(c.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }] as Document[]));
    expect(e.code).toBe(11000);
    expect((e as unknown as { writeErrors: { index: number }[] }).writeErrors.map((w) => w.index)).toEqual([
      1,
    ]);
    expect(await c.countDocuments()).toBe(2);
    await c.deleteMany({});
    await c.insertOne({ _id: 2 });
    const e2 = await serverError(
      c.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }] as Document[], { ordered: false }),
    );
    expect((e2 as unknown as { insertedCount: number }).insertedCount).toBe(2);
    expect(await c.countDocuments()).toBe(3);
  });

  test('mixed operations report counts', async () => {
    const c = fx.coll('bulk_mixed');
    const r = await c.bulkWrite([
      { insertOne: { document: { _id: 1, v: 1 } } },
      { insertOne: { document: { _id: 2, v: 2 } } },
      { updateOne: { filter: { _id: 1 }, update: { $inc: { v: 10 } } } },
      { updateOne: { filter: { _id: 9 }, update: { $set: { v: 9 } }, upsert: true } },
      { replaceOne: { filter: { _id: 2 }, replacement: { v: 20 } } },
      { deleteOne: { filter: { _id: 9 } } },
    ] as never);
    expect([r.insertedCount, r.matchedCount, r.modifiedCount, r.upsertedCount, r.deletedCount]).toEqual([
      2, 2, 2, 1, 1,
    ]);
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, v: 11 },
      { _id: 2, v: 20 },
    ]);
  });
});

describe('mongoose models', () => {
  let m: MooseFixtureWithModels;
  interface MooseFixtureWithModels extends MongooseFixture {
    User: mongoose.Model<{ email: string; name?: string; age?: number; tags: string[]; logins: number }>;
  }
  beforeAll(async () => {
    const base = await openMongoose();
    const schema = new mongoose.Schema(
      {
        email: { type: String, required: true, unique: true },
        name: String,
        age: Number,
        tags: [String],
        logins: { type: Number, default: 0 },
      },
      { timestamps: true },
    );
    const User = base.conn.model('User', schema) as MooseFixtureWithModels['User'];
    await User.init();
    m = { ...base, User };
  });
  afterAll(async () => {
    await m.close();
  });

  test('create, find, save, populate-style lookups, exists, lean', async () => {
    const { User } = m;
    await User.create([
      { email: 'a@x', name: 'Ann', age: 31, tags: ['admin'] },
      { email: 'b@x', name: 'Bob', age: 25 },
      { email: 'c@x', name: 'Cid', age: 40 },
    ]);
    const sorted = await User.find().sort({ age: -1 }).lean();
    expect(sorted.map((u) => u.name)).toEqual(['Cid', 'Ann', 'Bob']);
    const bob = await User.findOne({ email: 'b@x' });
    expect(bob).not.toBeNull();
    if (!bob) return;
    bob.tags.push('new');
    bob.logins += 1;
    await bob.save();
    const again = await User.findById(bob._id).lean();
    expect(again?.tags).toEqual(['new']);
    expect(again?.logins).toBe(1);
    expect(await User.exists({ email: 'zzz' })).toBeNull();
    expect(await User.countDocuments({ age: { $gt: 26 } })).toBe(2);
    const cursorNames: string[] = [];
    await User.find()
      .sort({ email: 1 })
      .batchSize(1)
      .cursor()
      .eachAsync((u) => {
        cursorNames.push(u.email);
      });
    expect(cursorNames).toEqual(['a@x', 'b@x', 'c@x']);
    const upd = await User.findOneAndUpdate(
      { email: 'd@x' },
      { $set: { name: 'Dee' } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(upd?.name).toBe('Dee');
    expect((await User.deleteMany({ age: { $exists: false } })).deletedCount).toBe(1);
  });

  test('collections, distinct, populate, bulkWrite, arrayFilters and dropDatabase through mongoose', async () => {
    const m2 = await openMongoose();
    try {
      const Community = m2.conn.model('Community', new mongoose.Schema({ name: String, county: String }));
      const Member = m2.conn.model(
        'Member',
        new mongoose.Schema({
          name: String,
          community: { type: mongoose.Schema.Types.ObjectId, ref: 'Community' },
          pledges: [{ title: String, done: Boolean }],
          active: Boolean,
        }),
      );
      await Community.createCollection();
      expect((await m2.conn.listCollections()).map((c) => c.name)).toEqual(['communities']);
      const [east, west] = await Community.create([
        { name: 'East', county: 'c1' },
        { name: 'West', county: 'c2' },
      ]);
      await Member.create([
        {
          name: 'm1',
          community: east?._id,
          pledges: [
            { title: 'a', done: false },
            { title: 'b', done: false },
          ],
        },
        { name: 'm2', community: west?._id, pledges: [] },
      ]);
      const m1 = await Member.findOne({ name: 'm1' }).populate<{ community: { name: string } }>('community');
      expect(m1?.community.name).toBe('East');
      expect((await Community.distinct('county')).sort()).toEqual(['c1', 'c2']);
      await Member.updateOne(
        { name: 'm1' },
        { $set: { 'pledges.$[p].done': true } },
        { arrayFilters: [{ 'p.title': 'b' }] },
      );
      expect((await Member.findOne({ name: 'm1' }).lean())?.pledges.map((p) => p.done)).toEqual([
        false,
        true,
      ]);
      const bulk = await Member.bulkWrite([
        { updateMany: { filter: {}, update: { $set: { active: true } } } },
        { updateOne: { filter: { name: 'm3' }, update: { $set: { name: 'm3' } }, upsert: true } },
        { deleteOne: { filter: { name: 'm2' } } },
      ]);
      expect([bulk.matchedCount, bulk.upsertedCount, bulk.deletedCount]).toEqual([2, 1, 1]);
      const [facet] = await Member.aggregate<{ total: { n: number }[]; names: { _id: string }[] }>([
        {
          $facet: { total: [{ $count: 'n' }], names: [{ $group: { _id: '$name' } }, { $sort: { _id: 1 } }] },
        },
      ]);
      expect(facet).toEqual({ total: [{ n: 2 }], names: [{ _id: 'm1' }, { _id: 'm3' }] });
      expect((await Member.findOneAndDelete({ name: 'm3' }).lean())?.name).toBe('m3');
      expect(await Community.collection.drop()).toBe(true);
      expect((await m2.conn.listCollections()).map((c) => c.name)).toEqual(['members']);
      await m2.conn.dropDatabase();
      expect(await m2.conn.listCollections()).toEqual([]);
    } finally {
      await m2.close();
    }
  });
});
