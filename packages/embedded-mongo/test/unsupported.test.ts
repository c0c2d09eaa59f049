// Features the embedded server does not implement must fail loudly, with a
// MongoDB-style error that names the feature, never silently misbehave.
import type { Document } from 'mongodb';
import { embeddedOnly, openDriver, serverError } from './helpers.js';
import type { DriverFixture } from './helpers.js';

let fx: DriverFixture;
beforeAll(async () => {
  fx = await openDriver();
  await fx.coll('u').insertMany([{ _id: 1, name: 'a', loc: [0, 0] }]);
});
afterAll(async () => {
  await fx.close();
});

const NOT_SUPPORTED = 115;

async function expectUnsupported(p: Promise<unknown>, name: string): Promise<void> {
  const e = await serverError(p);
  expect(e.code).toBe(NOT_SUPPORTED);
  expect(e.message).toContain(name);
}

embeddedOnly('$text query and text indexes', async () => {
  await expectUnsupported(
    fx
      .coll('u')
      .find({ $text: { $search: 'a' } })
      .toArray(),
    '$text',
  );
  await expectUnsupported(fx.coll('u').createIndex({ name: 'text' }), 'text indexes');
});

embeddedOnly('geospatial queries and indexes', async () => {
  await expectUnsupported(
    fx
      .coll('u')
      .find({ loc: { $near: [0, 0] } })
      .toArray(),
    '$near',
  );
  await expectUnsupported(
    fx
      .coll('u')
      .find({ loc: { $geoWithin: { $centerSphere: [[0, 0], 1] } } })
      .toArray(),
    '$geoWithin',
  );
  await expectUnsupported(fx.coll('u').createIndex({ loc: '2dsphere' }), '2dsphere');
  await expectUnsupported(
    fx
      .coll('u')
      .aggregate([{ $geoNear: { near: [0, 0], distanceField: 'd' } }])
      .toArray(),
    '$geoNear',
  );
});

embeddedOnly('change streams', async () => {
  const stream = fx.coll('u').watch();
  try {
    await expectUnsupported(stream.next(), '$changeStream');
  } finally {
    await stream.close();
  }
});

embeddedOnly('TTL indexes and TTL collections', async () => {
  await expectUnsupported(
    fx.coll('u').createIndex({ at: 1 }, { expireAfterSeconds: 60 }),
    'expireAfterSeconds',
  );
  await expectUnsupported(
    fx.db.createCollection('ttl', { expireAfterSeconds: 5 } as Document),
    'expireAfterSeconds',
  );
});

embeddedOnly('$jsonSchema and validators', async () => {
  await expectUnsupported(
    fx
      .coll('u')
      .find({ $jsonSchema: { required: ['name'] } })
      .toArray(),
    '$jsonSchema',
  );
  await expectUnsupported(
    fx.db.createCollection('validated', { validator: { $jsonSchema: { required: ['x'] } } }),
    '$jsonSchema',
  );
  await expectUnsupported(
    fx.db.command({ collMod: 'u', validator: { x: { $exists: true } } }),
    '$jsonSchema',
  );
});

embeddedOnly('$where, $function and $accumulator (server-side JavaScript)', async () => {
  await expectUnsupported(fx.coll('u').find({ $where: 'true' }).toArray(), '$where');
  await expectUnsupported(
    fx
      .coll('u')
      .aggregate([{ $project: { x: { $function: { body: 'function(){return 1}', args: [], lang: 'js' } } } }])
      .toArray(),
    '$function',
  );
});

embeddedOnly('explain', async () => {
  await expectUnsupported(fx.coll('u').find({}).explain(), 'explain');
  await expectUnsupported(
    fx
      .coll('u')
      .aggregate([{ $match: {} }])
      .explain(),
    'explain',
  );
});

embeddedOnly('collation', async () => {
  await expectUnsupported(
    fx
      .coll('u')
      .find({}, { collation: { locale: 'fr' } })
      .toArray(),
    'collation',
  );
  await expectUnsupported(
    fx.coll('u').createIndex({ name: 1 }, { collation: { locale: 'fr' } }),
    'collation',
  );
  await expectUnsupported(
    fx.coll('u').updateOne({}, { $set: { a: 1 } }, { collation: { locale: 'fr', strength: 2 } }),
    'collation',
  );
  // the simple collation is what the server implements, so it is accepted
  expect(
    await fx
      .coll('u')
      .find({}, { collation: { locale: 'simple' } })
      .toArray(),
  ).toHaveLength(1);
});

embeddedOnly('capped, time series and views', async () => {
  await expectUnsupported(fx.db.createCollection('capped', { capped: true, size: 4096 }), 'capped');
  await expectUnsupported(fx.db.createCollection('ts', { timeseries: { timeField: 't' } }), 'time series');
  await expectUnsupported(fx.db.createCollection('view', { viewOn: 'u', pipeline: [] }), 'views');
});

embeddedOnly('unsupported aggregation stages and accumulators', async () => {
  await expectUnsupported(
    fx
      .coll('u')
      .aggregate([{ $merge: { into: 'x' } }])
      .toArray(),
    '$merge',
  );
  await expectUnsupported(
    fx
      .coll('u')
      .aggregate([
        { $graphLookup: { from: 'u', startWith: '$a', connectFromField: 'a', connectToField: 'b', as: 'g' } },
      ])
      .toArray(),
    '$graphLookup',
  );
  await expectUnsupported(
    fx
      .coll('u')
      .aggregate([{ $group: { _id: null, t: { $topN: { n: 1, sortBy: { a: 1 }, output: '$a' } } } }])
      .toArray(),
    '$topN',
  );
  await expectUnsupported(fx.coll('u').createIndex({ name: 'hashed' }), 'hashed');
});

test('unknown query operators are BadValue (2) naming the operator', async () => {
  const e = await serverError(
    fx
      .coll('u')
      .find({ name: { $foo: 1 } })
      .toArray(),
  );
  expect(e.code).toBe(2);
  expect(e.message).toContain('$foo');
  const top = await serverError(
    fx
      .coll('u')
      .find({ $foo: 1 } as Document)
      .toArray(),
  );
  expect(top.code).toBe(2);
  expect(top.message).toContain('$foo');
});

test('unknown commands are CommandNotFound (59) naming the command', async () => {
  const e = await serverError(fx.db.command({ definitelyNotACommand: 1 }));
  expect(e.code).toBe(59);
  expect(e.message).toContain('definitelyNotACommand');
});

test('unknown update operators are FailedToParse (9)', async () => {
  const e = await serverError(fx.coll('u').updateOne({}, { $frobnicate: { a: 1 } } as Document));
  expect(e.code).toBe(9);
  expect(e.message).toContain('$frobnicate');
});

test('unknown aggregation stage (40324) and expression (168)', async () => {
  expect(
    (
      await serverError(
        fx
          .coll('u')
          .aggregate([{ $nope: {} }])
          .toArray(),
      )
    ).message,
  ).toContain('$nope');
  expect(
    (
      await serverError(
        fx
          .coll('u')
          .aggregate([{ $project: { a: { $nope: 1 } } }])
          .toArray(),
      )
    ).message,
  ).toContain('$nope');
});
