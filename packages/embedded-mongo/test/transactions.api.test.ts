// Sessions and transactions on the one-node replica set: commit, abort,
// isolation, write conflicts and withTransaction retries.
import type { Document } from 'mongodb';
import mongoose from 'mongoose';
import { openDriver, openMongoose, serverError } from './helpers.js';
import type { DriverFixture, MongooseFixture } from './helpers.js';

let fx: DriverFixture;
beforeAll(async () => {
  fx = await openDriver();
});
afterAll(async () => {
  await fx.close();
});

test('commit: read-your-writes inside, invisible outside until commit', async () => {
  const c = fx.coll('tx_commit');
  await c.insertOne({ _id: 'base', v: 0 });
  const session = fx.client.startSession();
  try {
    session.startTransaction();
    await c.insertOne({ _id: 'in', v: 1 }, { session });
    await c.updateOne({ _id: 'base' }, { $inc: { v: 5 } }, { session });
    expect(await c.countDocuments({}, { session })).toBe(2);
    expect((await c.findOne({ _id: 'base' }, { session }))?.v).toBe(5);
    expect(await c.countDocuments({})).toBe(1);
    expect((await c.findOne({ _id: 'base' }))?.v).toBe(0);
    await session.commitTransaction();
  } finally {
    await session.endSession();
  }
  expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
    { _id: 'base', v: 5 },
    { _id: 'in', v: 1 },
  ]);
});

test('abort rolls back inserts, updates and deletes', async () => {
  const c = fx.coll('tx_abort');
  await c.insertMany([
    { _id: 1, v: 1 },
    { _id: 2, v: 2 },
  ]);
  const session = fx.client.startSession();
  try {
    session.startTransaction();
    await c.insertOne({ _id: 3 }, { session });
    await c.updateOne({ _id: 1 }, { $set: { v: 100 } }, { session });
    await c.deleteOne({ _id: 2 }, { session });
    await session.abortTransaction();
  } finally {
    await session.endSession();
  }
  expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
    { _id: 1, v: 1 },
    { _id: 2, v: 2 },
  ]);
});

test('a transaction reads a snapshot: later commits by others are not visible', async () => {
  const c = fx.coll('tx_snapshot');
  await c.insertOne({ _id: 1, v: 1 });
  const session = fx.client.startSession();
  try {
    session.startTransaction();
    expect((await c.findOne({ _id: 1 }, { session }))?.v).toBe(1);
    await c.updateOne({ _id: 1 }, { $set: { v: 2 } });
    expect((await c.findOne({ _id: 1 }, { session }))?.v).toBe(1);
    await session.commitTransaction();
  } finally {
    await session.endSession();
  }
  expect((await c.findOne({ _id: 1 }))?.v).toBe(2);
});

test('conflicting transactions: WriteConflict (112) with TransientTransactionError', async () => {
  const c = fx.coll('tx_conflict');
  await c.insertOne({ _id: 1, v: 0 });
  const s1 = fx.client.startSession();
  const s2 = fx.client.startSession();
  try {
    s1.startTransaction();
    s2.startTransaction();
    await c.updateOne({ _id: 1 }, { $inc: { v: 1 } }, { session: s1 });
    const e = (await serverError(
      c.updateOne({ _id: 1 }, { $inc: { v: 10 } }, { session: s2 }),
    )) as unknown as {
      code: number;
      errorLabels?: string[];
      hasErrorLabel(l: string): boolean;
    };
    expect(e.code).toBe(112);
    expect(e.hasErrorLabel('TransientTransactionError')).toBe(true);
    await s1.commitTransaction();
    await s2.abortTransaction().catch(() => undefined);
  } finally {
    await s1.endSession();
    await s2.endSession();
  }
  expect((await c.findOne({ _id: 1 }))?.v).toBe(1);
});

test('withTransaction retries after a write conflict and applies exactly once', async () => {
  const c = fx.coll('tx_retry');
  await c.insertOne({ _id: 1, v: 0 });
  const session = fx.client.startSession();
  let attempts = 0;
  try {
    await session.withTransaction(async () => {
      attempts++;
      const doc = await c.findOne({ _id: 1 }, { session });
      // a concurrent committed write to the same document after our snapshot
      if (attempts === 1) await c.updateOne({ _id: 1 }, { $inc: { v: 100 } });
      await c.updateOne({ _id: 1 }, { $set: { v: (doc?.v as number) + 1 } }, { session });
    });
  } finally {
    await session.endSession();
  }
  expect(attempts).toBe(2);
  expect((await c.findOne({ _id: 1 }))?.v).toBe(101);
});

test('writes to different documents of one collection do not conflict', async () => {
  const c = fx.coll('tx_disjoint');
  await c.insertMany([
    { _id: 1, v: 0 },
    { _id: 2, v: 0 },
  ]);
  const session = fx.client.startSession();
  let attempts = 0;
  try {
    await session.withTransaction(async () => {
      attempts++;
      await c.updateOne({ _id: 1 }, { $inc: { v: 1 } }, { session });
      if (attempts === 1) await c.updateOne({ _id: 2 }, { $inc: { v: 1 } });
    });
  } finally {
    await session.endSession();
  }
  expect(attempts).toBe(1);
  expect((await c.find().sort({ _id: 1 }).toArray()).map((d) => d.v)).toEqual([1, 1]);
});

test('duplicate key inside a transaction aborts it; later statements get NoSuchTransaction', async () => {
  const c = fx.coll('tx_dup');
  await c.insertOne({ _id: 1 });
  const session = fx.client.startSession();
  try {
    session.startTransaction();
    await c.insertOne({ _id: 2 }, { session });
    expect(((await serverError(c.insertOne({ _id: 1 }, { session }))) as { code?: number }).code).toBe(11000);
    const e = (await serverError(c.insertOne({ _id: 3 }, { session }))) as { code?: number };
    expect(e.code).toBe(251);
    await session.abortTransaction().catch(() => undefined);
  } finally {
    await session.endSession();
  }
  expect(await c.countDocuments()).toBe(1);
});

test('commands not allowed in a transaction fail with 263', async () => {
  const session = fx.client.startSession();
  try {
    session.startTransaction();
    await fx.coll('tx_ddl').insertOne({ a: 1 }, { session });
    const e = (await serverError(fx.coll('tx_ddl').estimatedDocumentCount({ session } as Document))) as {
      code?: number;
    };
    expect(e.code).toBe(263);
    await session.abortTransaction().catch(() => undefined);
  } finally {
    await session.endSession();
  }
});

describe('mongoose', () => {
  let m: MongooseFixture;
  interface AccountDoc {
    name: string;
    balance: number;
  }
  let Account: mongoose.Model<AccountDoc>;
  beforeAll(async () => {
    m = await openMongoose();
    Account = m.conn.model<AccountDoc>(
      'Account',
      new mongoose.Schema<AccountDoc>({ name: { type: String, unique: true }, balance: Number }),
    );
    await Account.init();
    await Account.create([
      { name: 'a', balance: 100 },
      { name: 'b', balance: 0 },
    ]);
  });
  afterAll(async () => {
    await m.close();
  });

  test('connection.transaction() commits; a thrown error rolls back', async () => {
    await m.conn.transaction(async (session) => {
      await Account.updateOne({ name: 'a' }, { $inc: { balance: -30 } }, { session });
      await Account.updateOne({ name: 'b' }, { $inc: { balance: 30 } }, { session });
    });
    await expect(
      m.conn.transaction(async (session) => {
        await Account.updateOne({ name: 'a' }, { $inc: { balance: -1000 } }, { session });
        await Account.create([{ name: 'c', balance: 1 }], { session });
        throw new Error('insufficient funds');
      }),
    ).rejects.toThrow('insufficient funds');
    const balances = await Account.find().sort({ name: 1 }).lean();
    expect(balances.map((x) => [x.name, x.balance])).toEqual([
      ['a', 70],
      ['b', 30],
    ]);
  });

  test('concurrent read-modify-write transactions all land (no lost updates)', async () => {
    const transfer = async (): Promise<void> => {
      const session = await m.conn.startSession();
      try {
        await session.withTransaction(async () => {
          const acc = await Account.findOne({ name: 'b' }).session(session);
          await new Promise((r) => setTimeout(r, 5));
          await Account.updateOne({ name: 'b' }, { $set: { balance: (acc?.balance ?? 0) + 1 } }, { session });
        });
      } finally {
        await session.endSession();
      }
    };
    await Promise.all([transfer(), transfer(), transfer(), transfer()]);
    expect((await Account.findOne({ name: 'b' }).lean())?.balance).toBe(34);
  });

  test('manual startTransaction / abortTransaction', async () => {
    const session = await m.conn.startSession();
    session.startTransaction();
    await Account.create([{ name: 'temp', balance: 5 }], { session });
    expect(await Account.countDocuments({ name: 'temp' }).session(session)).toBe(1);
    expect(await Account.countDocuments({ name: 'temp' })).toBe(0);
    await session.abortTransaction();
    await session.endSession();
    expect(await Account.countDocuments({ name: 'temp' })).toBe(0);
  });
});

describe('snapshot isolation', () => {
  test('reads across collections come from one snapshot (no read skew)', async () => {
    const a = fx.coll('snap_a');
    const b = fx.coll('snap_b');
    await a.insertOne({ _id: 1, v: 1 });
    await b.insertOne({ _id: 1, v: 1 });
    const session = fx.client.startSession();
    try {
      session.startTransaction();
      expect((await a.findOne({ _id: 1 }, { session }))?.v).toBe(1);
      // committed by others after our first read, in a collection we have not read yet
      await b.updateOne({ _id: 1 }, { $set: { v: 2 } });
      await b.insertOne({ _id: 2, v: 2 });
      await b.deleteOne({ _id: 1 });
      await b.insertOne({ _id: 1, v: 3 });
      expect(await b.find({}, { session }).sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, v: 1 }]);
      expect(await b.countDocuments({ v: 1 }, { session })).toBe(1);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await b.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, v: 3 },
      { _id: 2, v: 2 },
    ]);
  });

  test('writing a document committed by others after the snapshot is a WriteConflict', async () => {
    const a = fx.coll('snap_wc_a');
    const b = fx.coll('snap_wc_b');
    await a.insertOne({ _id: 1 });
    await b.insertOne({ _id: 1, v: 0 });
    const session = fx.client.startSession();
    try {
      session.startTransaction();
      await a.findOne({ _id: 1 }, { session });
      await b.updateOne({ _id: 1 }, { $inc: { v: 1 } });
      const e = (await serverError(b.updateOne({ _id: 1 }, { $inc: { v: 10 } }, { session }))) as unknown as {
        code: number;
        hasErrorLabel(l: string): boolean;
      };
      expect(e.code).toBe(112);
      expect(e.hasErrorLabel('TransientTransactionError')).toBe(true);
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
    expect((await b.findOne({ _id: 1 }))?.v).toBe(1);
  });

  test('a long transaction keeps its snapshot while many others commit', async () => {
    const a = fx.coll('snap_long_a');
    const b = fx.coll('snap_long_b');
    await a.insertOne({ _id: 1 });
    await b.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, v: 0 })));
    const long = fx.client.startSession();
    try {
      long.startTransaction();
      await a.findOne({ _id: 1 }, { session: long });
      // enough committed writes (inside and outside short transactions) to trigger history pruning
      for (let round = 1; round <= 30; round++) {
        const s = fx.client.startSession();
        try {
          await s.withTransaction(async () => {
            await b.updateMany({}, { $set: { v: round } }, { session: s });
          });
        } finally {
          await s.endSession();
        }
        await b.updateMany({}, { $inc: { w: 1 } });
      }
      expect(await b.countDocuments({ v: 0, w: { $exists: false } }, { session: long })).toBe(50);
      await long.commitTransaction();
    } finally {
      await long.endSession();
    }
    expect(await b.countDocuments({ v: 30, w: 30 })).toBe(50);
  });

  test("one transaction's uncommitted writes are invisible to another", async () => {
    const c = fx.coll('snap_two');
    await c.insertOne({ _id: 1, v: 0 });
    const s1 = fx.client.startSession();
    const s2 = fx.client.startSession();
    try {
      s1.startTransaction();
      s2.startTransaction();
      await c.insertOne({ _id: 2, v: 1 }, { session: s1 });
      await c.updateOne({ _id: 1 }, { $set: { v: 1 } }, { session: s1 });
      expect(await c.find({}, { session: s2 }).toArray()).toEqual([{ _id: 1, v: 0 }]);
      await s1.commitTransaction();
      // s2 still reads its own snapshot after s1 committed
      expect(await c.find({}, { session: s2 }).toArray()).toEqual([{ _id: 1, v: 0 }]);
      await s2.commitTransaction();
    } finally {
      await s1.endSession();
      await s2.endSession();
    }
    expect(await c.countDocuments()).toBe(2);
  });

  test('withTransaction retries when a collection is created after the snapshot', async () => {
    const a = fx.coll('snap_new_a');
    await a.insertOne({ _id: 1 });
    const session = fx.client.startSession();
    let attempts = 0;
    try {
      await session.withTransaction(async () => {
        attempts++;
        await a.findOne({ _id: 1 }, { session });
        if (attempts === 1) await fx.coll('snap_new_b').insertOne({ _id: 'made-outside' });
        await fx.coll('snap_new_b').insertOne({ _id: attempts }, { session });
      });
    } finally {
      await session.endSession();
    }
    const ids = (await fx.coll('snap_new_b').find().toArray()).map((d) => d._id);
    expect(ids).toContain('made-outside');
    expect(ids).toContain(attempts);
    expect(ids).toHaveLength(2);
  });

  test('an aborted transaction releases its unique keys', async () => {
    const c = fx.coll('snap_unique');
    await c.createIndex({ email: 1 }, { unique: true });
    const session = fx.client.startSession();
    try {
      session.startTransaction();
      await c.insertOne({ email: 'a@x' }, { session });
      expect(await c.findOne({ email: 'a@x' })).toBeNull();
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    await c.insertOne({ email: 'a@x' });
    expect(await c.countDocuments({ email: 'a@x' })).toBe(1);
  });
});
