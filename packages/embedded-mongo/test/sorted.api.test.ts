// Sorted queries with a limit: an equality on an indexed field reads only as far as the limit
// (the order is kept per index key until a document of that key changes); other sorted queries
// with a limit keep only the best documents. Results are exactly what a full sort gives.
import type { Collection } from 'mongodb';
import { embeddedOnly, examinedBy, openDriver } from './helpers.js';
import type { DriverFixture, Loose } from './helpers.js';

let fx: DriverFixture;
beforeAll(async () => {
  fx = await openDriver();
});
afterAll(async () => {
  await fx.close();
});

const examined = (run: () => Promise<unknown>) => examinedBy(fx, run);

/** What the query must answer: every document, filtered, sorted and cut in JS. */
async function expected(
  c: Collection<Loose>,
  keep: (d: Loose) => boolean,
  by: (a: Loose, b: Loose) => number,
  skip: number,
  limit: number,
) {
  const all = (await c.find({}).toArray()).filter(keep);
  return all.sort(by).slice(skip, skip + limit);
}

const ids = (docs: Loose[]) => docs.map((d) => d._id);
const pad = (i: number) => `o-${String(i).padStart(4, '0')}`;

describe('sorted queries with a limit', () => {
  let c: Collection<Loose>;
  beforeAll(async () => {
    c = fx.coll('sorted');
    await c.createIndex({ county: 1, kind: 1 });
    await c.createIndex({ status: 1, lane: 1, seq: 1 });
    // inserted out of _id order, so insertion order and _id order differ
    await c.insertMany(
      Array.from({ length: 900 }, (_, n) => {
        const i = (n * 37) % 900;
        return {
          _id: pad(i),
          county: `c${i % 3}`,
          kind: i % 2 ? 'a' : 'b',
          status: 'pending',
          lane: i % 7,
          seq: i,
        };
      }),
    );
  });

  test('a scoped page and the next one, by _id either way', async () => {
    const first = await c.find({ county: 'c1' }).sort({ _id: 1 }).limit(50).toArray();
    expect(ids(first)).toEqual(
      ids(
        await expected(
          c,
          (d) => d.county === 'c1',
          (a, b) => String(a._id).localeCompare(String(b._id)),
          0,
          50,
        ),
      ),
    );
    const cursor = first.at(-1)!._id;
    const next = async () =>
      c
        .find({ county: 'c1', _id: { $gt: cursor } })
        .sort({ _id: 1 })
        .limit(50)
        .toArray();
    expect(ids(await next())).toEqual(
      ids(
        await expected(
          c,
          (d) => d.county === 'c1' && String(d._id) > String(cursor),
          (a, b) => String(a._id).localeCompare(String(b._id)),
          0,
          50,
        ),
      ),
    );
    const desc = await c.find({ county: 'c2' }).sort({ _id: -1 }).skip(10).limit(20).toArray();
    expect(ids(desc)).toEqual(
      ids(
        await expected(
          c,
          (d) => d.county === 'c2',
          (a, b) => String(b._id).localeCompare(String(a._id)),
          10,
          20,
        ),
      ),
    );
  });

  test('follows the index’s other fields, and stays right as documents change', async () => {
    const poll = () => c.find({ status: 'pending' }).sort({ lane: 1, seq: 1 }).limit(30).toArray();
    const byLaneSeq = (a: Loose, b: Loose) =>
      Number(a.lane) - Number(b.lane) || Number(a.seq) - Number(b.seq);
    expect(ids(await poll())).toEqual(
      ids(await expected(c, (d) => d.status === 'pending', byLaneSeq, 0, 30)),
    );
    const head = await poll();
    await c.updateMany({ _id: { $in: ids(head.slice(0, 10)) } }, { $set: { status: 'sent' } });
    await c.updateOne({ _id: head[20]!._id }, { $set: { seq: -1 } });
    await c.insertOne({ _id: 'new', county: 'c0', status: 'pending', lane: 0, seq: 5 });
    await c.deleteOne({ _id: head[15]!._id });
    expect(ids(await poll())).toEqual(
      ids(await expected(c, (d) => d.status === 'pending', byLaneSeq, 0, 30)),
    );
  });

  // mongod reads the index in key order for these; the embedded server reads its cached order
  embeddedOnly('read about a page, not every document in scope', async () => {
    const page = () => c.find({ county: 'c1' }).sort({ _id: 1 }).limit(50).toArray();
    expect(await examined(page)).toBeLessThanOrEqual(50);
    const cursor = (await page()).at(-1)!._id;
    const next = () =>
      c
        .find({ county: 'c1', _id: { $gt: cursor } })
        .sort({ _id: 1 })
        .limit(50)
        .toArray();
    expect(await examined(next)).toBeLessThanOrEqual(51);
    expect(
      await examined(() => c.find({ status: 'pending' }).sort({ lane: 1, seq: 1 }).limit(30).toArray()),
    ).toBeLessThanOrEqual(30);
  });

  // mongod leaves the order of ties unspecified
  embeddedOnly('ties keep insertion order, as an unlimited sort does', async () => {
    const limited = await c.find({ county: 'c0' }).sort({ kind: 1 }).limit(40).toArray();
    const full = await c.find({ county: 'c0' }).sort({ kind: 1 }).toArray();
    expect(ids(limited)).toEqual(ids(full.slice(0, 40)));
  });

  test('without a usable index: the best k of a scan, equal to sorting everything', async () => {
    const q = { seq: { $gte: 100 } };
    const limited = await c.find(q).sort({ lane: -1, _id: 1 }).skip(5).limit(25).toArray();
    const full = await c.find(q).sort({ lane: -1, _id: 1 }).toArray();
    expect(ids(limited)).toEqual(ids(full.slice(5, 30)));
  });
});
