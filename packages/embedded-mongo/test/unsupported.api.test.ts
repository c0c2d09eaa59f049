// Features the embedded server does not implement must fail loudly, with a
// MongoDB-style error that names the feature, never silently misbehave.
import type { Document } from 'mongodb';
import mongoose from 'mongoose';
import { embeddedOnly, openDriver, openMongoose, serverError } from './helpers.js';
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

embeddedOnly('change streams on a collection, a database and the whole deployment', async () => {
  for (const stream of [fx.coll('u').watch(), fx.db.watch(), fx.client.watch()]) {
    try {
      await expectUnsupported(stream.next(), '$changeStream');
    } finally {
      await stream.close();
    }
  }
});

embeddedOnly('unsupported operators are found wherever they are nested', async () => {
  const u = fx.coll('u');
  await expectUnsupported(u.aggregate([{ $match: { $text: { $search: 'a' } } }]).toArray(), '$text');
  await expectUnsupported(u.find({ $or: [{ name: 'a' }, { $where: 'true' }] }).toArray(), '$where');
  await expectUnsupported(u.find({ $and: [{ loc: { $nearSphere: [0, 0] } }] }).toArray(), '$nearSphere');
  await expectUnsupported(
    u
      .find({
        pts: {
          $elemMatch: { loc: { $geoIntersects: { $geometry: { type: 'Point', coordinates: [0, 0] } } } },
        },
      })
      .toArray(),
    '$geoIntersects',
  );
  await expectUnsupported(
    u.aggregate([{ $lookup: { from: 'u', as: 'x', pipeline: [{ $match: { $jsonSchema: {} } }] } }]).toArray(),
    '$jsonSchema',
  );
  await expectUnsupported(
    u.aggregate([{ $facet: { a: [{ $bucketAuto: { groupBy: '$a', buckets: 2 } }] } }]).toArray(),
    '$bucketAuto',
  );
  await expectUnsupported(u.find({}, { projection: { s: { $meta: 'textScore' } } }).toArray(), '$meta');
  await expectUnsupported(
    fx.db.command({ collMod: 'u', index: { keyPattern: { _id: 1 }, expireAfterSeconds: 5 } }),
    'index',
  );
});

embeddedOnly('mongoose schemas asking for TTL or text indexes fail at init, naming the feature', async () => {
  const m = await openMongoose();
  try {
    const Ttl = m.conn.model('Ttl', new mongoose.Schema({ at: { type: Date, expires: 60 } }));
    await expectUnsupported(Ttl.init(), 'expireAfterSeconds');
    const Txt = m.conn.model('Txt', new mongoose.Schema({ body: { type: String, text: true } }));
    await expectUnsupported(Txt.init(), 'text indexes');
    const Geo = m.conn.model('Geo', new mongoose.Schema({ loc: { type: [Number], index: '2dsphere' } }));
    await expectUnsupported(Geo.init(), '2dsphere');
  } finally {
    await m.close();
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

test('unknown operators nested in $elemMatch, $not and update pipelines are rejected, naming them', async () => {
  const u = fx.coll('u');
  const nested = await serverError(u.find({ pts: { $elemMatch: { x: { $foo: 1 } } } }).toArray());
  expect([nested.code, nested.message]).toEqual([2, expect.stringContaining('$foo')]);
  const negated = await serverError(u.find({ name: { $not: { $bar: 1 } } }).toArray());
  expect([negated.code, negated.message]).toEqual([2, expect.stringContaining('$bar')]);
  const pipeline = await serverError(u.updateOne({ _id: 1 }, [{ $set: { z: { $baz: 1 } } }]));
  expect([pipeline.code, pipeline.message]).toEqual([168, expect.stringContaining('$baz')]);
  const modifier = await serverError(
    u.updateOne({ _id: 1 }, { $push: { tags: { $each: [1], $qux: 1 } } } as Document),
  );
  expect(modifier.message).toContain('$qux');
  // nothing was written by the rejected updates
  expect(await u.findOne({ _id: 1 })).toEqual({ _id: 1, name: 'a', loc: [0, 0] });
});
