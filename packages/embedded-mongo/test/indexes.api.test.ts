// Index management and unique-index enforcement with mongod's E11000 shape,
// plus equality lookups that do not scan the collection.
import type { Document } from 'mongodb';
import mongoose from 'mongoose';
import { examinedBy, openDriver, openMongoose, serverError } from './helpers.js';
import type { DriverFixture } from './helpers.js';

let fx: DriverFixture;
beforeAll(async () => {
  fx = await openDriver();
});
afterAll(async () => {
  await fx.close();
});

type DupError = {
  code?: number;
  message: string;
  keyPattern?: Document;
  keyValue?: Document;
  errmsg?: string;
};

test('createIndexes / listIndexes / dropIndexes', async () => {
  const c = fx.coll('ix_manage');
  expect(await c.createIndex({ a: 1 })).toBe('a_1');
  expect(await c.createIndex({ b: -1, c: 1 }, { name: 'bc', unique: true })).toBe('bc');
  expect(await c.createIndex({ a: 1 })).toBe('a_1'); // same spec again: no-op
  const list = await c.listIndexes().toArray();
  expect(list.map((i) => i.name)).toEqual(['_id_', 'a_1', 'bc']);
  expect(list[2]).toMatchObject({ key: { b: -1, c: 1 }, unique: true, v: 2 });
  const conflict = await serverError(c.createIndex({ a: 1 }, { name: 'other' }));
  expect(conflict.code).toBe(85);
  const sameName = await serverError(c.createIndex({ z: 1 }, { name: 'a_1' }));
  expect(sameName.code).toBe(86);
  await c.dropIndex('a_1');
  expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'bc']);
  expect((await serverError(c.dropIndex('nope'))).code).toBe(27);
  expect((await serverError(c.dropIndex('_id_'))).code).toBe(72);
  await c.dropIndexes();
  expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  expect((await serverError(fx.coll('ix_none').listIndexes().toArray())).code).toBe(26);
});

test('unique single field: E11000 shape on insert, update, upsert and findAndModify', async () => {
  const c = fx.coll('ix_unique');
  await c.createIndex({ email: 1 }, { unique: true });
  await c.insertMany([
    { _id: 1, email: 'a@x' },
    { _id: 2, email: 'b@x' },
  ]);
  const e = (await serverError(c.insertOne({ _id: 3, email: 'a@x' }))) as DupError;
  expect(e.code).toBe(11000);
  expect(e.message).toBe(
    `E11000 duplicate key error collection: ${fx.db.databaseName}.ix_unique index: email_1 dup key: { email: "a@x" }`,
  );
  expect(e.keyPattern).toEqual({ email: 1 });
  expect(e.keyValue).toEqual({ email: 'a@x' });
  expect(((await serverError(c.updateOne({ _id: 2 }, { $set: { email: 'a@x' } }))) as DupError).code).toBe(
    11000,
  );
  expect(
    (
      (await serverError(
        c.updateOne({ email: 'z@x' }, { $set: { email: 'a@x' } }, { upsert: true }),
      )) as DupError
    ).code,
  ).toBe(11000);
  expect(
    ((await serverError(c.findOneAndUpdate({ _id: 2 }, { $set: { email: 'a@x' } }))) as DupError).keyValue,
  ).toEqual({ email: 'a@x' });
  expect(((await serverError(c.replaceOne({ _id: 2 }, { email: 'a@x' }))) as DupError).code).toBe(11000);
  // the failed writes changed nothing
  expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
    { _id: 1, email: 'a@x' },
    { _id: 2, email: 'b@x' },
  ]);
  // duplicate _id
  const idDup = (await serverError(c.insertOne({ _id: 1, email: 'q@x' }))) as DupError;
  expect(idDup.keyPattern).toEqual({ _id: 1 });
  // missing fields collide as null in a non-sparse unique index
  await c.insertOne({ _id: 10 });
  const nullDup = (await serverError(c.insertOne({ _id: 11 }))) as DupError;
  expect(nullDup.keyValue).toEqual({ email: null });
});

test('unique compound index', async () => {
  const c = fx.coll('ix_compound');
  await c.createIndex({ org: 1, email: 1 }, { unique: true });
  await c.insertMany([
    { org: 1, email: 'a' },
    { org: 2, email: 'a' },
    { org: 1, email: 'b' },
  ]);
  const e = (await serverError(c.insertOne({ org: 1, email: 'a' }))) as DupError;
  expect(e.message).toContain('index: org_1_email_1 dup key: { org: 1, email: "a" }');
  expect(e.keyValue).toEqual({ org: 1, email: 'a' });
  // numerically equal values are the same key (1 == 1.0)
  expect(((await serverError(c.insertOne({ org: 1.0, email: 'b' }))) as DupError).code).toBe(11000);
});

test('unique sparse index ignores documents without the field', async () => {
  const c = fx.coll('ix_sparse');
  await c.createIndex({ ref: 1 }, { unique: true, sparse: true });
  await c.insertMany([{ n: 1 }, { n: 2 }, { ref: 'R1' }]);
  expect(((await serverError(c.insertOne({ ref: 'R1' }))) as DupError).code).toBe(11000);
  // null is a value (not missing) for a sparse index
  await c.insertOne({ ref: null });
  expect(((await serverError(c.insertOne({ ref: null }))) as DupError).code).toBe(11000);
});

test('unique partial index only constrains matching documents', async () => {
  const c = fx.coll('ix_partial');
  await c.createIndex({ email: 1 }, { unique: true, partialFilterExpression: { active: { $eq: true } } });
  await c.insertMany([
    { email: 'a', active: false },
    { email: 'a', active: false },
    { email: 'a', active: true },
  ]);
  expect(((await serverError(c.insertOne({ email: 'a', active: true }))) as DupError).code).toBe(11000);
  expect(
    ((await serverError(c.updateMany({ active: false }, { $set: { active: true } }))) as DupError).code,
  ).toBe(11000);
  expect(await c.countDocuments({ active: true })).toBe(1);
  const bad = await serverError(c.createIndex({ x: 1 }, { partialFilterExpression: { x: { $ne: 1 } } }));
  expect(bad.code).toBe(67);
});

test('unique index on an array field: each element is a key', async () => {
  const c = fx.coll('ix_multikey');
  await c.createIndex({ tags: 1 }, { unique: true });
  await c.insertOne({ tags: ['a', 'b', 'b'] });
  expect(((await serverError(c.insertOne({ tags: ['c', 'b'] }))) as DupError).keyValue).toEqual({
    tags: 'b',
  });
  await c.insertOne({ tags: ['c'] });
});

test('building a unique index over duplicate data fails with 11000 and creates nothing', async () => {
  const c = fx.coll('ix_build');
  await c.insertMany([{ k: 1 }, { k: 2 }, { k: 1 }]);
  const e = (await serverError(c.createIndex({ k: 1 }, { unique: true }))) as DupError;
  expect(e.code).toBe(11000);
  expect(e.message).toContain('E11000 duplicate key error');
  expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  await c.deleteOne({ k: 1 });
  await c.createIndex({ k: 1 }, { unique: true });
});

test('bulk insert: ordered keeps the documents before the duplicate, unordered continues', async () => {
  const c = fx.coll('ix_bulk');
  await c.createIndex({ u: 1 }, { unique: true });
  await c.insertOne({ u: 'dup' });
  const ordered = (await serverError(c.insertMany([{ u: 'x1' }, { u: 'dup' }, { u: 'x2' }]))) as unknown as {
    code: number;
    writeErrors: { index: number; code: number }[];
  };
  expect(ordered.code).toBe(11000);
  expect(ordered.writeErrors.map((w) => [w.index, w.code])).toEqual([[1, 11000]]);
  expect(await c.countDocuments({ u: /^x/ })).toBe(1);
  const unordered = (await serverError(
    c.insertMany([{ u: 'y1' }, { u: 'dup' }, { u: 'y2' }, { u: 'y1' }], { ordered: false }),
  )) as unknown as { writeErrors: { index: number }[] };
  expect(unordered.writeErrors.map((w) => w.index)).toEqual([1, 3]);
  expect(await c.countDocuments({ u: /^y/ })).toBe(2);
});

test('mongoose unique index errors', async () => {
  const m = await openMongoose();
  try {
    const User = m.conn.model(
      'User',
      new mongoose.Schema({ email: { type: String, unique: true }, name: String }),
    );
    await User.init();
    await User.create({ email: 'a@x', name: 'A' });
    const e = (await serverError(User.create({ email: 'a@x', name: 'B' }))) as DupError & { name: string };
    expect(e.name).toBe('MongoServerError');
    expect(e.code).toBe(11000);
    expect(e.keyValue).toEqual({ email: 'a@x' });
    const docs = await serverError(
      User.insertMany([{ email: 'n1' }, { email: 'a@x' }, { email: 'n2' }], { ordered: false }),
    );
    expect((docs as unknown as { insertedDocs: unknown[] }).insertedDocs).toHaveLength(2);
    expect(await User.countDocuments()).toBe(3);
    expect((await User.listIndexes()).map((i) => i.name).sort()).toEqual(['_id_', 'email_1']);
    await User.collection.createIndex({ name: 1 });
    expect(await User.syncIndexes()).toEqual(['name_1']);
  } finally {
    await m.close();
  }
});

test('equality lookups on indexed fields examine only matching documents', async () => {
  const c = fx.coll('ix_lookup');
  await c.createIndex({ email: 1 }, { unique: true });
  await c.createIndex({ org: 1, n: 1 });
  await c.insertMany(
    Array.from({ length: 3000 }, (_, i) => ({ _id: i, email: `u${i}@x`, org: i % 100, n: i })),
  );
  const examined = (run: () => Promise<unknown>) => examinedBy(fx, run);
  expect(await examined(() => c.findOne({ email: 'u2500@x' }))).toBeLessThanOrEqual(1);
  expect(await examined(() => c.findOne({ _id: 1234 }))).toBeLessThanOrEqual(1);
  expect(await examined(() => c.find({ _id: { $in: [1, 2, 3] } }).toArray())).toBeLessThanOrEqual(3);
  expect(await examined(() => c.find({ org: 7 }).toArray())).toBeLessThanOrEqual(30);
  expect(await examined(() => c.updateOne({ email: 'u5@x' }, { $set: { seen: true } }))).toBeLessThanOrEqual(
    1,
  );
  expect(await examined(() => c.deleteOne({ email: 'u6@x' }))).toBeLessThanOrEqual(1);
  expect(await c.findOne({ email: 'u2500@x' })).toMatchObject({ _id: 2500 });
  // a predicate the index cannot answer still finds the right documents
  expect(await c.countDocuments({ n: { $gte: 2998 } })).toBe(2);
});

describe('E11000 shape (code, keyPattern, keyValue) in every write path', () => {
  const shape = (e: DupError): unknown => [e.code, e.keyPattern, e.keyValue];

  test('compound unique: insert, update, upsert, findAndModify, index build', async () => {
    const c = fx.coll('ix_shape_compound');
    await c.createIndex({ org: 1, code: 1 }, { unique: true });
    await c.insertMany([
      { _id: 1, org: 'o1', code: 'a' },
      { _id: 2, org: 'o1', code: 'b' },
    ]);
    const expected = [11000, { org: 1, code: 1 }, { org: 'o1', code: 'a' }];
    expect(shape((await serverError(c.insertOne({ org: 'o1', code: 'a' }))) as DupError)).toEqual(expected);
    expect(shape((await serverError(c.updateOne({ _id: 2 }, { $set: { code: 'a' } }))) as DupError)).toEqual(
      expected,
    );
    expect(
      shape(
        (await serverError(
          c.updateOne({ org: 'o1', code: 'zz' }, { $set: { code: 'a' } }, { upsert: true }),
        )) as DupError,
      ),
    ).toEqual(expected);
    expect(
      shape(
        (await serverError(
          c.findOneAndUpdate({ _id: 3 }, { $set: { org: 'o1', code: 'a' } }, { upsert: true }),
        )) as DupError,
      ),
    ).toEqual(expected);
    expect(await c.countDocuments()).toBe(2);

    const d = fx.coll('ix_shape_build');
    await d.insertMany([
      { org: 'o2', code: 'x' },
      { org: 'o2', code: 'x' },
    ]);
    const build = (await serverError(d.createIndex({ org: 1, code: 1 }, { unique: true }))) as DupError;
    expect(shape(build)).toEqual([11000, { org: 1, code: 1 }, { org: 'o2', code: 'x' }]);
    expect(build.message).toContain('dup key: { org: "o2", code: "x" }');
  });

  test('sparse unique: update and upsert into a taken key; absent keys never collide', async () => {
    const c = fx.coll('ix_shape_sparse');
    await c.createIndex({ ref: 1 }, { unique: true, sparse: true });
    await c.insertMany([{ _id: 1, ref: 'R1' }, { _id: 2 }, { _id: 3 }]);
    const expected = [11000, { ref: 1 }, { ref: 'R1' }];
    expect(shape((await serverError(c.updateOne({ _id: 2 }, { $set: { ref: 'R1' } }))) as DupError)).toEqual(
      expected,
    );
    expect(
      shape(
        (await serverError(c.updateOne({ _id: 9 }, { $set: { ref: 'R1' } }, { upsert: true }))) as DupError,
      ),
    ).toEqual(expected);
    // removing the field takes the document out of the index, freeing the key
    await c.updateOne({ _id: 1 }, { $unset: { ref: '' } });
    await c.updateOne({ _id: 2 }, { $set: { ref: 'R1' } });
    await c.updateMany({}, { $set: { other: 1 } });
    expect(await c.countDocuments({ ref: 'R1' })).toBe(1);
  });

  test('partial unique: upsert and update into the filter collide; outside it they do not', async () => {
    const c = fx.coll('ix_shape_partial');
    await c.createIndex({ code: 1 }, { unique: true, partialFilterExpression: { live: true } });
    await c.insertMany([
      { _id: 1, code: 'c', live: true },
      { _id: 2, code: 'c', live: false },
    ]);
    const expected = [11000, { code: 1 }, { code: 'c' }];
    expect(
      shape(
        (await serverError(
          c.updateOne({ _id: 3 }, { $set: { code: 'c', live: true } }, { upsert: true }),
        )) as DupError,
      ),
    ).toEqual(expected);
    expect(shape((await serverError(c.updateOne({ _id: 2 }, { $set: { live: true } }))) as DupError)).toEqual(
      expected,
    );
    await c.updateOne({ _id: 4 }, { $set: { code: 'c', live: false } }, { upsert: true });
    // a building index over documents that collide only outside the filter succeeds
    const d = fx.coll('ix_shape_partial_build');
    await d.insertMany([
      { code: 'x', live: false },
      { code: 'x', live: false },
      { code: 'x', live: true },
    ]);
    await d.createIndex({ code: 1 }, { unique: true, partialFilterExpression: { live: true } });
    const e = fx.coll('ix_shape_partial_build2');
    await e.insertMany(await d.find({}, { projection: { _id: 0 } }).toArray());
    const build = (await serverError(e.createIndex({ code: 1 }, { unique: true }))) as DupError;
    expect(shape(build)).toEqual([11000, { code: 1 }, { code: 'x' }]);
  });

  test('mongoose: a duplicate on save() and on findOneAndUpdate upsert', async () => {
    const m = await openMongoose();
    try {
      const Org = m.conn.model(
        'Org',
        new mongoose.Schema({ county: String, code: String }).index({ county: 1, code: 1 }, { unique: true }),
      );
      await Org.init();
      await Org.create({ county: 'c1', code: 'A' });
      const other = await Org.create({ county: 'c1', code: 'B' });
      other.code = 'A';
      const e = (await serverError(other.save())) as DupError;
      expect(shape(e)).toEqual([11000, { county: 1, code: 1 }, { county: 'c1', code: 'A' }]);
      const up = (await serverError(
        Org.findOneAndUpdate({ county: 'c1', code: 'Z' }, { $set: { code: 'A' } }, { upsert: true }),
      )) as DupError;
      expect(up.code).toBe(11000);
    } finally {
      await m.close();
    }
  });
});

describe('indexed lookups stay correct and do not scan', () => {
  const examined = (run: () => Promise<unknown>) => examinedBy(fx, run);

  beforeAll(async () => {
    const c = fx.coll('ix_maint');
    await c.createIndex({ county: 1, code: 1 }, { unique: true });
    await c.insertMany(
      Array.from({ length: 2000 }, (_, i) => ({ _id: i, county: `c${i % 20}`, code: `k${i}` })),
    );
  });

  test('after updates move a key and deletes remove one', async () => {
    const c = fx.coll('ix_maint');
    await c.updateOne({ _id: 5 }, { $set: { county: 'moved' } });
    await c.deleteOne({ _id: 6 });
    expect(
      await examined(async () =>
        expect((await c.find({ county: 'moved' }).toArray()).map((d) => d._id)).toEqual([5]),
      ),
    ).toBeLessThanOrEqual(1);
    expect(await c.countDocuments({ county: 'c5' })).toBe(99);
    expect(await c.findOne({ _id: 6 })).toBeNull();
    expect(await examined(() => c.findOne({ county: 'c6', code: 'k6' }))).toBeLessThanOrEqual(100);
  });

  test('inside a transaction, including its own uncommitted writes', async () => {
    const c = fx.coll('ix_maint');
    const session = fx.client.startSession();
    try {
      session.startTransaction();
      await c.insertOne({ _id: 'tx', county: 'txonly', code: 'k' }, { session });
      expect(await examined(() => c.findOne({ county: 'txonly' }, { session }))).toBeLessThanOrEqual(1);
      expect(await examined(() => c.findOne({ _id: 1500 }, { session }))).toBeLessThanOrEqual(1);
      expect((await c.findOne({ county: 'txonly' }, { session }))?._id).toBe('tx');
      expect(await c.findOne({ county: 'txonly' })).toBeNull();
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
  });

  test('mongoose findById / findOne by a unique field', async () => {
    const m = await openMongoose();
    try {
      const P = m.conn.model('P', new mongoose.Schema({ idNo: { type: String, unique: true } }));
      await P.init();
      const docs = await P.insertMany(Array.from({ length: 1000 }, (_, i) => ({ idNo: `id${i}` })));
      const target = docs[700];
      if (!target) throw new Error('fixture');
      const before = await m.conn.db!.admin().command({ serverStatus: 1 });
      expect((await P.findById(target._id).lean())?.idNo).toBe('id700');
      expect((await P.findOne({ idNo: 'id701' }).lean())?.idNo).toBe('id701');
      const after = await m.conn.db!.admin().command({ serverStatus: 1 });
      expect(
        Number(after.metrics.queryExecutor.scannedObjects) -
          Number(before.metrics.queryExecutor.scannedObjects),
      ).toBeLessThanOrEqual(2);
    } finally {
      await m.close();
    }
  });
});
