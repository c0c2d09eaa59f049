// A transaction's view of a collection others keep writing to: the snapshot as of its first
// read, by index and by scan, plus its own writes (read through indexes of their own).
import type { ClientSession } from 'mongodb';
import { examinedBy, openDriver } from './helpers.js';
import type { DriverFixture } from './helpers.js';

let fx: DriverFixture;
beforeAll(async () => {
  fx = await openDriver();
});
afterAll(async () => {
  await fx.close();
});

async function inTransaction(fn: (session: ClientSession) => Promise<void>): Promise<void> {
  const session = fx.client.startSession();
  try {
    session.startTransaction();
    await fn(session);
    if (session.inTransaction()) await session.abortTransaction();
  } finally {
    await session.endSession();
  }
}

const ids = (docs: { _id?: unknown }[]) => docs.map((d) => d._id);

test('reads ignore what others commit after the snapshot, through indexes and scans alike', async () => {
  const c = fx.coll('snap_reads');
  await c.createIndex({ county: 1 });
  await c.insertMany([
    { _id: 'a', county: 'x' },
    { _id: 'b', county: 'x' },
    { _id: 'd', county: 'y' },
  ]);
  await inTransaction(async (session) => {
    await c.findOne({ _id: 'a' }, { session }); // the snapshot starts here
    await c.updateOne({ _id: 'a' }, { $set: { county: 'z' } });
    await c.deleteOne({ _id: 'b' });
    await c.insertOne({ _id: 'e', county: 'x' });
    expect(ids(await c.find({ county: 'x' }, { session }).sort({ _id: 1 }).toArray())).toEqual(['a', 'b']);
    expect(await c.find({ county: 'z' }, { session }).toArray()).toEqual([]);
    expect(ids(await c.find({}, { session }).sort({ _id: 1 }).toArray())).toEqual(['a', 'b', 'd']);
    expect(await c.findOne({ _id: 'e' }, { session })).toBeNull();
    expect((await c.findOne({ _id: 'b' }, { session }))?.county).toBe('x');
    expect(
      ids(
        await c
          .find({ _id: { $in: ['a', 'b', 'e'] } }, { session })
          .sort({ _id: 1 })
          .toArray(),
      ),
    ).toEqual(['a', 'b']);
  });
  expect(ids(await c.find({ county: 'x' }).sort({ _id: 1 }).toArray())).toEqual(['e']);
});

test('own writes next to others’ later commits: own versions win, the rest stays at the snapshot', async () => {
  const c = fx.coll('snap_own');
  await c.createIndex({ county: 1 });
  await c.insertMany([
    { _id: 'a', county: 'x' },
    { _id: 'd', county: 'y' },
  ]);
  const session = fx.client.startSession();
  try {
    session.startTransaction();
    await c.updateOne({ _id: 'd' }, { $set: { county: 'x' } }, { session });
    await c.insertOne({ _id: 'f', county: 'x' }, { session });
    await c.updateOne({ _id: 'a' }, { $set: { county: 'w' } }); // someone else, after the snapshot
    expect(ids(await c.find({ county: 'x' }, { session }).sort({ _id: 1 }).toArray())).toEqual([
      'a',
      'd',
      'f',
    ]);
    expect(await c.find({ county: 'y' }, { session }).toArray()).toEqual([]);
    await c.deleteOne({ _id: 'f' }, { session });
    expect(await c.findOne({ _id: 'f' }, { session })).toBeNull();
    await c.insertOne({ _id: 'f', county: 'v' }, { session });
    expect((await c.findOne({ county: 'v' }, { session }))?._id).toBe('f');
    await session.commitTransaction();
  } finally {
    await session.endSession();
  }
  expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
    { _id: 'a', county: 'w' },
    { _id: 'd', county: 'x' },
    { _id: 'f', county: 'v' },
  ]);
});

test('natural order: committed documents in insertion order, a replaced one in place, own inserts last', async () => {
  const c = fx.coll('snap_order');
  await c.insertMany([{ _id: 3 }, { _id: 1 }, { _id: 2 }]);
  await inTransaction(async (session) => {
    await c.insertOne({ _id: 0 }, { session });
    await c.updateOne({ _id: 1 }, { $set: { v: 1 } }, { session });
    expect(await c.find({}, { session }).toArray()).toEqual([
      { _id: 3 },
      { _id: 1, v: 1 },
      { _id: 2 },
      { _id: 0 },
    ]);
  });
});

test('unique keys: a key held in the snapshot or by an own write is refused', async () => {
  const c = fx.coll('snap_unique');
  await c.createIndex({ code: 1 }, { unique: true });
  await c.insertMany([
    { _id: 1, code: 'k1' },
    { _id: 2, code: 'k2' },
  ]);
  await inTransaction(async (session) => {
    await c.insertOne({ _id: 3, code: 'k3' }, { session });
    expect((await c.insertOne({ _id: 4, code: 'k3' }, { session }).catch((e) => e)).code).toBe(11000);
  });
  await inTransaction(async (session) => {
    expect((await c.insertOne({ _id: 4, code: 'k1' }, { session }).catch((e) => e)).code).toBe(11000);
  });
  await inTransaction(async (session) => {
    // the holder of k2 gives it up in this transaction: the key is free here
    await c.updateOne({ _id: 2 }, { $set: { code: 'k2-old' } }, { session });
    await c.insertOne({ _id: 5, code: 'k2' }, { session });
    expect(
      ids(
        await c
          .find({ code: { $in: ['k2', 'k2-old'] } }, { session })
          .sort({ _id: 1 })
          .toArray(),
      ),
    ).toEqual([2, 5]);
  });
  await inTransaction(async (session) => {
    await c.findOne({}, { session });
    await c.deleteOne({ _id: 1 }); // someone else frees k1 after the snapshot
    const e = await c.insertOne({ _id: 6, code: 'k1' }, { session }).catch((x) => x);
    // the snapshot still holds k1 (mongod reports the clash as a write conflict)
    expect([11000, 112]).toContain(e.code);
  });
});

test('a transaction that writes many documents still reads them through indexes', async () => {
  const c = fx.coll('snap_many');
  await c.createIndex({ code: 1 });
  await c.insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: i, code: `c${i}` })));
  const examined = (run: () => Promise<unknown>) => examinedBy(fx, run);
  await inTransaction(async (session) => {
    await c.insertMany(
      Array.from({ length: 500 }, (_, i) => ({ _id: 1000 + i, code: `t${i}` })),
      { session },
    );
    expect(await examined(() => c.findOne({ code: 't250' }, { session }))).toBeLessThanOrEqual(1);
    expect(await examined(() => c.findOne({ code: 'c250' }, { session }))).toBeLessThanOrEqual(1);
    expect(await examined(() => c.findOne({ _id: 1499 }, { session }))).toBeLessThanOrEqual(1);
    expect(await c.countDocuments({}, { session })).toBe(1000);
  });
});
