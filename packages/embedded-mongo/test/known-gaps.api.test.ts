// mongod behaviour the embedded server knowingly does not reproduce (README,
// "Known gaps"). These run only against a real server (MONGO_URL); against
// the embedded server they are skipped with the reason printed.
import type { Document } from 'mongodb';
import { openDriver, realServerOnly } from './helpers.js';
import type { DriverFixture } from './helpers.js';

let fx: DriverFixture;
beforeAll(async () => {
  fx = await openDriver();
});
afterAll(async () => {
  await fx.close();
});

realServerOnly('a plain write to a document an open transaction wrote fails its commit here')(
  'a non-transactional write waits for the transaction holding the document, which then commits',
  async () => {
    const c = fx.coll('gap_lock');
    await c.insertOne({ _id: 1, log: [] });
    const session = fx.client.startSession();
    try {
      session.startTransaction();
      await c.updateOne({ _id: 1 }, { $push: { log: 'txn' } } as Document, { session });
      const plain = c.updateOne({ _id: 1 }, { $push: { log: 'plain' } } as Document);
      await session.commitTransaction();
      await plain;
    } finally {
      await session.endSession();
    }
    expect((await c.findOne({ _id: 1 }))?.log).toEqual(['txn', 'plain']);
  },
);
