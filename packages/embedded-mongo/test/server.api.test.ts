// The embedded server itself: lifecycle, connection strings, wire protocol
// details, limits, persistence, admin commands and connectTestDatabase().
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Decimal128, Int32, Long, MongoClient, ObjectId, UUID } from 'mongodb';
import { serialize } from 'bson';
import mongoose from 'mongoose';
import { connectTestDatabase, EmbeddedMongo, startEmbeddedMongo, startMemoryServer } from '../src/index.js';
import { embeddedOnly, openDriver, serverError } from './helpers.js';
import type { Loose } from './helpers.js';
import { RawClient } from './wire-client.js';

describe('lifecycle and connection strings', () => {
  let server: EmbeddedMongo;
  beforeAll(async () => {
    server = await startEmbeddedMongo();
  });
  afterAll(async () => {
    await server.stop();
  });

  test('uri and uriFor select a replica set and a database', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.uri).toBe(`mongodb://127.0.0.1:${server.port}/?replicaSet=rs0`);
    expect(server.uriFor('shop')).toBe(`mongodb://127.0.0.1:${server.port}/shop?replicaSet=rs0`);
  });

  test('mongoose.connect with uriFor works, including transactions', async () => {
    const m = new mongoose.Mongoose();
    await m.connect(server.uriFor('appdb'), { serverSelectionTimeoutMS: 3000 });
    try {
      expect(m.connection.db?.databaseName).toBe('appdb');
      const Item = m.model('Item', new m.Schema({ n: Number }));
      await m.connection.transaction(async (session) => {
        await Item.create([{ n: 1 }, { n: 2 }], { session, ordered: true });
      });
      expect(await Item.countDocuments()).toBe(2);
    } finally {
      await m.disconnect();
    }
  });

  test('localhost and directConnection=true URIs work too', async () => {
    for (const uri of [
      `mongodb://localhost:${server.port}/x`,
      `mongodb://127.0.0.1:${server.port}/x?directConnection=true`,
    ]) {
      const c = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 3000 }).asPromise();
      const M = c.model('M', new mongoose.Schema({ a: Number }));
      await M.create({ a: 1 });
      expect(await M.countDocuments()).toBe(1);
      await M.deleteMany({});
      await c.close();
    }
  });

  test('two servers in one process are isolated', async () => {
    const other = await startEmbeddedMongo();
    try {
      const a = new MongoClient(server.uriFor('iso'));
      const b = new MongoClient(other.uriFor('iso'));
      await a.db().collection('c').insertOne({ from: 'a' });
      expect(await b.db().collection('c').countDocuments()).toBe(0);
      await a.close();
      await b.close();
    } finally {
      await other.stop();
    }
  });
});

test('stop() closes every socket, frees the port and is idempotent', async () => {
  const s = await EmbeddedMongo.start();
  const raw = await RawClient.connect(s.port);
  expect((await raw.command({ ping: 1, $db: 'admin' })).ok).toBe(1);
  await Promise.all([s.stop(), s.stop()]);
  await raw.closed;
  const again = await EmbeddedMongo.start({ port: s.port });
  expect(again.port).toBe(s.port);
  await again.stop();
});

test('a standalone server (replSetName: "") rejects transactions', async () => {
  const s = await EmbeddedMongo.start({ replSetName: '' });
  try {
    expect(s.uri).toBe(`mongodb://127.0.0.1:${s.port}/`);
    const client = new MongoClient(s.uriFor('solo'));
    await client.db().collection('c').insertOne({ a: 1 });
    const session = client.startSession();
    session.startTransaction();
    await expect(client.db().collection('c').insertOne({ a: 2 }, { session })).rejects.toThrow();
    await session.endSession();
    await client.close();
  } finally {
    await s.stop();
  }
});

describe('wire protocol', () => {
  let server: EmbeddedMongo;
  let raw: RawClient;
  beforeAll(async () => {
    server = await EmbeddedMongo.start();
    raw = await RawClient.connect(server.port);
  });
  afterAll(async () => {
    raw.close();
    await server.stop();
  });

  test('legacy isMaster over OP_QUERY gets an OP_REPLY describing a replica set primary', async () => {
    const r = await raw.query('admin.$cmd', { isMaster: 1, helloOk: true });
    expect(r.opCode).toBe(1);
    expect(r.doc).toMatchObject({
      ok: 1,
      ismaster: true,
      helloOk: true,
      setName: 'rs0',
      secondary: false,
      maxWireVersion: 21,
      maxBsonObjectSize: 16777216,
      maxMessageSizeBytes: 48000000,
      logicalSessionTimeoutMinutes: 30,
    });
    expect(r.doc.hosts).toEqual([`127.0.0.1:${server.port}`]);
  });

  test('hello over OP_MSG', async () => {
    const r = await raw.command({ hello: 1, $db: 'admin' });
    expect(r).toMatchObject({ ok: 1, isWritablePrimary: true, primary: `127.0.0.1:${server.port}` });
    expect(r).not.toHaveProperty('topologyVersion');
  });

  test('OP_QUERY is refused for anything but the handshake (352)', async () => {
    const r = await raw.query('db.$cmd', { find: 'c' });
    expect(r.flags & 2).toBe(2);
    expect(r.doc.code).toBe(352);
  });

  test('retryable writes: a retried txnNumber returns the first result without re-executing', async () => {
    const lsid = { id: new UUID() };
    const cmd = { insert: 'retry', documents: [{ _id: 1 }], lsid, txnNumber: Long.fromNumber(1), $db: 'rw' };
    expect(await raw.command(cmd)).toMatchObject({ ok: 1, n: 1 });
    expect(await raw.command(cmd)).toMatchObject({ ok: 1, n: 1 });
    const count = await raw.command({ count: 'retry', $db: 'rw' });
    expect(count.n).toBe(1);
    const next = await raw.command({ ...cmd, txnNumber: Long.fromNumber(2) });
    expect(next.writeErrors[0].code).toBe(11000);
    const old = await raw.command({ ...cmd, txnNumber: Long.fromNumber(1), documents: [{ _id: 5 }] });
    expect(old.code).toBe(225);
  });

  test("endSessions aborts the session's open transaction and releases its locks", async () => {
    const a = { id: new UUID() };
    const b = { id: new UUID() };
    // the command name must be the first field
    const txn = (lsid: { id: UUID }, cmd: Record<string, unknown>) => ({
      ...cmd,
      $db: cmd.$db ?? 'sess',
      lsid,
      txnNumber: Long.fromNumber(1),
      autocommit: false,
    });
    expect(
      await raw.command(txn(a, { insert: 't', documents: [{ _id: 1, by: 'a' }], startTransaction: true })),
    ).toMatchObject({ ok: 1 });
    expect(await raw.command({ endSessions: [a], $db: 'admin' })).toMatchObject({ ok: 1 });
    expect(
      await raw.command(txn(b, { insert: 't', documents: [{ _id: 1, by: 'b' }], startTransaction: true })),
    ).toMatchObject({ ok: 1, n: 1 });
    expect(await raw.command(txn(b, { commitTransaction: 1, $db: 'admin' }))).toMatchObject({ ok: 1 });
    const found = await raw.command({ find: 't', filter: {}, $db: 'sess' });
    expect(found.cursor.firstBatch).toEqual([{ _id: 1, by: 'b' }]);
    const stale = await raw.command(txn(a, { find: 't' }));
    expect(stale.code).toBe(251);
  });

  test('commands need $db and unknown generic misuse is rejected', async () => {
    expect((await raw.command({ ping: 1 })).code).toBe(40571);
    expect((await raw.command({ find: 'c', autocommit: true, $db: 'x' })).ok).toBe(0);
  });

  test('unsatisfiable write concern is reported as writeConcernError', async () => {
    const r = await raw.command({ insert: 'wc', documents: [{ a: 1 }], writeConcern: { w: 3 }, $db: 'wcdb' });
    expect(r.ok).toBe(1);
    expect(r.writeConcernError.code).toBe(100);
  });

  test('moreToCome (w: 0) messages are executed and get no reply', async () => {
    const body = Buffer.from(serialize({ insert: 'fire', documents: [{ _id: 1 }], $db: 'm2c' }));
    const msg = Buffer.alloc(21 + body.length);
    msg.writeInt32LE(msg.length, 0);
    msg.writeInt32LE(77, 4);
    msg.writeInt32LE(2013, 12);
    msg.writeUInt32LE(2, 16); // moreToCome
    body.copy(msg, 21);
    raw.writeRaw(msg);
    // the next reply on the connection answers the next command, not the w:0 insert
    const count = await raw.command({ count: 'fire', $db: 'm2c' });
    expect(count).toMatchObject({ ok: 1, n: 1 });

    const client = new MongoClient(server.uriFor('m2c'), { maxPoolSize: 1 }); // one socket: ordered
    try {
      await client
        .db()
        .collection<Loose>('fire')
        .insertOne({ _id: 2 }, { writeConcern: { w: 0 } });
      expect(await client.db().collection('fire').countDocuments()).toBe(2);
    } finally {
      await client.close();
    }
  });

  test('a message larger than maxMessageSizeBytes closes the connection', async () => {
    const victim = await RawClient.connect(server.port);
    const header = Buffer.alloc(16);
    header.writeInt32LE(60_000_000, 0);
    header.writeInt32LE(1, 4);
    header.writeInt32LE(2013, 12);
    victim.writeRaw(header);
    await victim.closed;
  });
});

describe('limits', () => {
  let server: EmbeddedMongo;
  let client: MongoClient;
  beforeAll(async () => {
    server = await EmbeddedMongo.start();
    client = new MongoClient(server.uriFor('limits'));
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  test('an update producing a document over 16 MB fails with BSONObjectTooLarge (10334)', async () => {
    const c = client.db().collection<Loose>('big');
    const chunk = 'x'.repeat(9 * 1024 * 1024);
    await c.insertOne({ _id: 1, a: chunk });
    const e = await serverError(c.updateOne({ _id: 1 }, { $set: { b: chunk } }));
    expect(e.code).toBe(10334);
    expect((await c.findOne({ _id: 1 }, { projection: { b: 1 } }))?.b).toBeUndefined();
  });

  test('batches stay under 16 MB: large documents are split across getMore', async () => {
    const c = client.db().collection('bigmany');
    const chunk = 'y'.repeat(5 * 1024 * 1024);
    await c.insertMany([{ a: chunk }, { a: chunk }, { a: chunk }, { a: chunk }]);
    const r = await client.db().command({ find: 'bigmany', filter: {} });
    expect(r.cursor.firstBatch.length).toBeLessThan(4);
    expect(await c.find().toArray()).toHaveLength(4);
  });
});

describe('persistence', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'embedded-mongo-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('stop() snapshots and start() restores documents (exact types) and indexes', async () => {
    const oid = new ObjectId();
    const s1 = await EmbeddedMongo.start({ dataDir: dir });
    const c1 = new MongoClient(s1.uriFor('persist'));
    const coll = c1.db().collection('things');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.createIndex({ tag: 1 }, { partialFilterExpression: { tag: { $exists: true } } });
    await coll.insertMany([
      {
        _id: oid,
        email: 'a@x',
        n: Long.fromString('9007199254740993'),
        price: Decimal128.fromString('9.99'),
        i: new Int32(4),
        at: new Date(5),
        nested: { arr: [1, 'two'] },
      },
      { email: 'b@x', tag: 't' },
    ]);
    await c1.db('other').collection('x').insertOne({ k: 1 });
    await c1.close();
    await s1.stop();
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const s2 = await EmbeddedMongo.start({ dataDir: dir });
    const c2 = new MongoClient(s2.uriFor('persist'));
    try {
      const back = c2.db().collection('things');
      const doc = await back.findOne({ _id: oid }, { promoteValues: false, promoteLongs: false });
      expect((doc?.n as Long).toString()).toBe('9007199254740993');
      expect((doc?.price as Decimal128).toString()).toBe('9.99');
      expect(doc?.i).toBeInstanceOf(Int32);
      expect(doc?.at).toEqual(new Date(5));
      expect((await back.findOne({ _id: oid }))?.nested).toEqual({ arr: [1, 'two'] });
      expect((await back.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'email_1', 'tag_1']);
      expect((await serverError(back.insertOne({ email: 'a@x' }))).code).toBe(11000);
      expect(await c2.db('other').collection('x').countDocuments()).toBe(1);
    } finally {
      await c2.close();
      await s2.stop();
    }
  });

  test('first start on a missing directory; uncommitted transactions are not persisted', async () => {
    const fresh = path.join(dir, 'not-yet', 'created');
    const s1 = await EmbeddedMongo.start({ dataDir: fresh });
    const c1 = new MongoClient(s1.uriFor('demo'));
    const coll = c1.db().collection<Loose>('orgs');
    await coll.insertOne({ _id: 'committed' });
    const session = c1.startSession();
    session.startTransaction();
    await coll.insertOne({ _id: 'pending' }, { session });
    await coll.updateOne({ _id: 'committed' }, { $set: { touched: true } }, { session });
    await s1.stop(); // clean shutdown while the transaction is still open
    await c1.close(true).catch(() => undefined);

    const s2 = await EmbeddedMongo.start({ dataDir: fresh });
    const c2 = new MongoClient(s2.uriFor('demo'));
    try {
      expect(await c2.db().collection('orgs').find().toArray()).toEqual([{ _id: 'committed' }]);
    } finally {
      await c2.close();
      await s2.stop();
    }
  });

  test('a corrupt snapshot makes start() fail with a clear error', async () => {
    const bad = await mkdtemp(path.join(os.tmpdir(), 'embedded-mongo-bad-'));
    try {
      await writeFile(path.join(bad, 'embedded-mongo.snapshot'), Buffer.from('not bson at all'));
      await expect(EmbeddedMongo.start({ dataDir: bad })).rejects.toThrow(/snapshot/);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });

  test('without dataDir nothing is written', async () => {
    const before = await readdir(dir);
    const s = await EmbeddedMongo.start();
    const client = new MongoClient(s.uriFor('volatile'));
    await client.db().collection('x').insertOne({ a: 1 });
    await client.close();
    await s.stop();
    expect(await readdir(dir)).toEqual(before);
    expect(await readdir(process.cwd())).not.toContain('embedded-mongo.snapshot');
  });
});

describe('admin commands', () => {
  test('ping, buildInfo, hostInfo, listDatabases, dropDatabase, collections', async () => {
    const fx = await openDriver();
    try {
      const admin = fx.client.db('admin');
      expect((await admin.command({ ping: 1 })).ok).toBe(1);
      const info = await admin.command({ buildInfo: 1 });
      expect(typeof info.version).toBe('string');
      expect(info.versionArray[0]).toBeGreaterThanOrEqual(7);
      expect((await admin.command({ hostInfo: 1 })).system).toBeDefined();
      const fcv = await admin.command({ getParameter: 1, featureCompatibilityVersion: 1 });
      expect(fcv.featureCompatibilityVersion.version).toMatch(/^\d+\.\d+$/);

      await fx.db.createCollection('alpha');
      await fx.db.collection('beta').insertOne({ x: 1 });
      // MongoDB 7.0+: re-creating with identical options is a no-op success
      await fx.db.createCollection('alpha');
      const names = (await fx.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
      expect(names).toEqual(['alpha', 'beta']);
      expect((await fx.db.listCollections({ name: 'beta' }).toArray())[0]).toMatchObject({
        name: 'beta',
        type: 'collection',
      });

      await admin.command({
        renameCollection: `${fx.db.databaseName}.beta`,
        to: `${fx.db.databaseName}.gamma`,
      });
      expect(await fx.db.collection('gamma').countDocuments()).toBe(1);
      expect(await fx.db.collection('alpha').drop()).toBe(true);

      const dbs = (await admin.command({ listDatabases: 1, nameOnly: true })).databases.map(
        (d: { name: string }) => d.name,
      );
      expect(dbs).toContain(fx.db.databaseName);
      await fx.db.dropDatabase();
      const after = (await admin.command({ listDatabases: 1, nameOnly: true })).databases.map(
        (d: { name: string }) => d.name,
      );
      expect(after).not.toContain(fx.db.databaseName);
      expect((await serverError(fx.db.command({ listDatabases: 1 }))).code).toBe(13);
    } finally {
      await fx.close();
    }
  });
});

describe('connectTestDatabase', () => {
  test('each call gets a fresh, isolated database; stop() drops it', async () => {
    const a = await connectTestDatabase();
    const b = await connectTestDatabase();
    expect(a.uri).not.toBe(b.uri);
    const client = new MongoClient(a.uri);
    await client.db().collection('c').insertOne({ a: 1 });
    const other = new MongoClient(b.uri);
    expect(await other.db().collection('c').countDocuments()).toBe(0);
    await a.stop();
    expect(await client.db().collection('c').countDocuments()).toBe(0);
    await client.close();
    await other.close();
    await b.stop();
  });

  embeddedOnly('MONGO_IMPL=memory-server without the package fails with an install hint', async () => {
    const previous = process.env.MONGO_IMPL;
    process.env.MONGO_IMPL = 'memory-server';
    try {
      await expect(connectTestDatabase()).rejects.toThrow(/mongodb-memory-server/);
      // the same switch for the all-in-one run (service-kit)
      await expect(startMemoryServer()).rejects.toThrow(/npm install -D mongodb-memory-server/);
    } finally {
      if (previous === undefined) delete process.env.MONGO_IMPL;
      else process.env.MONGO_IMPL = previous;
    }
  });
});
