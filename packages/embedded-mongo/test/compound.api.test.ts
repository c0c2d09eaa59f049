// An equality on every field of a compound index is one lookup, however many documents share
// the first field (a consumer's processed-event check: {groupId, eventId}, one group).
import type { Collection } from 'mongodb';
import { examinedBy, openDriver } from './helpers.js';
import type { DriverFixture, Loose } from './helpers.js';

let fx: DriverFixture;
let c: Collection<Loose>;
beforeAll(async () => {
  fx = await openDriver();
  c = fx.coll('compound');
  await c.createIndex({ groupId: 1, eventId: 1 }, { unique: true });
  await c.createIndex({ status: 1, tags: 1 });
  await c.insertMany(
    Array.from({ length: 1000 }, (_, i) => ({
      _id: i,
      groupId: 'g',
      eventId: `e${i}`,
      status: i % 2 ? 'open' : 'closed',
      tags: [`t${i % 10}`, 'all'],
    })),
  );
});
afterAll(async () => {
  await fx.close();
});

const examined = (run: () => Promise<unknown>) => examinedBy(fx, run);

test('every field equal: one document examined', async () => {
  expect(await examined(() => c.findOne({ groupId: 'g', eventId: 'e700' }))).toBeLessThanOrEqual(1);
  expect((await c.findOne({ groupId: 'g', eventId: 'e700' }))?._id).toBe(700);
  expect(await c.findOne({ groupId: 'g', eventId: 'nope' })).toBeNull();
  // a multikey field: each element is a key
  const open = await c.find({ status: 'open', tags: 't3' }).sort({ _id: 1 }).toArray();
  expect(open.map((d) => d._id)).toEqual(Array.from({ length: 100 }, (_, i) => 3 + 10 * i));
  expect(await examined(() => c.find({ status: 'open', tags: 't3' }).toArray())).toBeLessThanOrEqual(100);
});

test('stays right through updates, deletes and transactions', async () => {
  await c.updateOne({ _id: 5 }, { $set: { eventId: 'moved' } });
  await c.deleteOne({ _id: 6 });
  expect((await c.findOne({ groupId: 'g', eventId: 'moved' }))?._id).toBe(5);
  expect(await c.findOne({ groupId: 'g', eventId: 'e5' })).toBeNull();
  expect(await c.findOne({ groupId: 'g', eventId: 'e6' })).toBeNull();
  const session = fx.client.startSession();
  try {
    session.startTransaction();
    await c.insertOne({ _id: 'tx', groupId: 'g', eventId: 'in-tx' }, { session });
    await c.updateOne({ _id: 7 }, { $set: { eventId: 'moved-tx' } }, { session });
    expect((await c.findOne({ groupId: 'g', eventId: 'in-tx' }, { session }))?._id).toBe('tx');
    expect((await c.findOne({ groupId: 'g', eventId: 'moved-tx' }, { session }))?._id).toBe(7);
    expect(await c.findOne({ groupId: 'g', eventId: 'e7' }, { session })).toBeNull();
    expect((await c.findOne({ groupId: 'g', eventId: 'e7' }))?._id).toBe(7);
    await session.abortTransaction();
  } finally {
    await session.endSession();
  }
});

test('values whose matching is wider than a key (null, arrays) still find every match', async () => {
  await c.insertMany([
    { _id: 'n1', groupId: 'h1', status: 'y' },
    { _id: 'n2', groupId: 'h2', status: 'y', tags: null },
    { _id: 'a1', status: 'x', tags: ['p', 'q'] },
  ]);
  const nulls = await c.find({ status: 'y', tags: null }).sort({ _id: 1 }).toArray();
  expect(nulls.map((d) => d._id)).toEqual(['n1', 'n2']);
  expect((await c.findOne({ status: 'x', tags: ['p', 'q'] }))?._id).toBe('a1');
});
