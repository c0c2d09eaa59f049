// Shared setup for the conformance suite: a fresh database per test file on
// the embedded server, or on a real MongoDB when MONGO_URL is set (to compare).
import { MongoClient } from 'mongodb';
import type { Collection, Db, Document, ObjectId } from 'mongodb';
import mongoose from 'mongoose';
import { connectTestDatabase } from '../src/index.js';

export const EXTERNAL = Boolean(process.env.MONGO_URL);

type TestFn = (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;

/** A skipped test says why, on stderr, not only in the skipped count. */
function skippedBecause(reason: string): TestFn {
  return (name, fn, timeout) => {
    process.stderr.write(`skipped: "${name}" (${reason})\n`);
    test.skip(`${name} [skipped: ${reason}]`, fn, timeout);
  };
}

/** Tests of embedded-only behaviour (error wording for unsupported features, persistence, the server API). */
export const embeddedOnly: TestFn = EXTERNAL
  ? skippedBecause('tests the embedded server itself; MONGO_URL points at a real MongoDB')
  : test;

/**
 * Tests of mongod behaviour the embedded server knowingly differs from (see
 * "Known gaps" in the README): they run only against a real server, so the
 * gap stays documented by an executable test.
 */
export function realServerOnly(gap: string): TestFn {
  return EXTERNAL ? test : skippedBecause(`real MongoDB only, set MONGO_URL to run: ${gap}`);
}

/** Documents with any _id type (the driver's default schema assumes ObjectId). */
export interface Loose extends Document {
  _id?: string | number | boolean | ObjectId | Date | Document | null;
}

export interface DriverFixture {
  client: MongoClient;
  db: Db;
  uri: string;
  coll(name: string): Collection<Loose>;
  close(): Promise<void>;
}

export async function openDriver(): Promise<DriverFixture> {
  const t = await connectTestDatabase();
  const client = new MongoClient(t.uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  return {
    client,
    db: client.db(),
    uri: t.uri,
    coll: (name) => client.db().collection<Loose>(name),
    close: async () => {
      await client.close();
      await t.stop();
    },
  };
}

export interface MongooseFixture {
  conn: mongoose.Connection;
  uri: string;
  close(): Promise<void>;
}

export async function openMongoose(): Promise<MongooseFixture> {
  const t = await connectTestDatabase();
  const conn = await mongoose.createConnection(t.uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
  return {
    conn,
    uri: t.uri,
    close: async () => {
      await conn.close();
      await t.stop();
    },
  };
}

/** The server error a promise rejects with (fails the test if it resolves). */
export async function serverError(
  p: Promise<unknown>,
): Promise<{ code?: number; codeName?: string; message: string } & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as { code?: number; codeName?: string; message: string } & Record<string, unknown>;
  }
  throw new Error('expected the operation to fail');
}

/** Documents the server examined while `run` ran (serverStatus metrics.queryExecutor.scannedObjects). */
export async function examinedBy(fx: DriverFixture, run: () => Promise<unknown>): Promise<number> {
  const status = () => fx.client.db('admin').command({ serverStatus: 1 });
  const before = await status();
  await run();
  const after = await status();
  return (
    Number(after.metrics.queryExecutor.scannedObjects) - Number(before.metrics.queryExecutor.scannedObjects)
  );
}
