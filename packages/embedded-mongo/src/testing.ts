// connectTestDatabase(): a fresh, isolated database per call for tests in
// any package. Embedded by default (one shared server per jest worker that
// never keeps the process alive), or MONGO_URL, or mongodb-memory-server
// with MONGO_IMPL=memory-server.
import { randomBytes } from 'node:crypto';
import { EmbeddedMongo } from './embedded.js';
import { importOptional, startMemoryServer } from './memory-server.js';
import type { MongoServerHandle } from './memory-server.js';
import { withDatabase } from './uri.js';

export interface TestDatabase {
  /** connection string selecting the fresh database */
  uri: string;
  dbName: string;
  /** Drops the database. Close your own connections first. */
  stop(): Promise<void>;
}

let sharedEmbedded: Promise<EmbeddedMongo> | undefined;
let sharedMemoryServer: Promise<MongoServerHandle> | undefined;
let counter = 0;

interface MongoClientLike {
  connect(): Promise<unknown>;
  db(name: string): { dropDatabase(): Promise<unknown> };
  close(): Promise<void>;
}

function freshDbName(): string {
  counter++;
  return `test_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`;
}

async function dropWithDriver(uri: string, dbName: string): Promise<void> {
  const mod = (await importOptional(
    'mongodb',
    "connectTestDatabase(): dropping a database on MONGO_URL needs the 'mongodb' driver package; install it (npm install -D mongodb)",
  )) as { MongoClient: new (uri: string) => MongoClientLike };
  const client = new mod.MongoClient(uri);
  try {
    await client.connect();
    await client.db(dbName).dropDatabase();
  } finally {
    await client.close();
  }
}

export async function connectTestDatabase(): Promise<TestDatabase> {
  const dbName = freshDbName();
  const external = process.env.MONGO_URL;
  if (external) {
    const uri = withDatabase(external, dbName);
    return { uri, dbName, stop: () => dropWithDriver(uri, dbName) };
  }
  const impl = process.env.MONGO_IMPL;
  if (impl === 'memory-server') {
    sharedMemoryServer ??= startMemoryServer();
    const uri = (await sharedMemoryServer).uriFor(dbName);
    return { uri, dbName, stop: () => dropWithDriver(uri, dbName) };
  }
  if (impl !== undefined && impl !== '' && impl !== 'embedded')
    throw new Error(`MONGO_IMPL must be 'embedded' (default) or 'memory-server', got '${impl}'`);
  sharedEmbedded ??= EmbeddedMongo.start({}, { unref: true });
  const server = await sharedEmbedded;
  return {
    uri: server.uriFor(dbName),
    dbName,
    stop: async () => server.dropDatabase(dbName),
  };
}
