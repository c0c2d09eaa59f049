// connectTestDatabase(): a fresh, isolated database per call for tests in
// any package. Embedded by default (one shared server per jest worker that
// never keeps the process alive), or MONGO_URL, or mongodb-memory-server
// with MONGO_IMPL=memory-server.
import { randomBytes } from 'node:crypto';
import { EmbeddedMongo } from './embedded.js';

export interface TestDatabase {
  /** connection string selecting the fresh database */
  uri: string;
  dbName: string;
  /** Drops the database. Close your own connections first. */
  stop(): Promise<void>;
}

let sharedEmbedded: Promise<EmbeddedMongo> | undefined;
let sharedMemoryServer: Promise<MemoryReplSet> | undefined;
let counter = 0;

interface MemoryReplSet {
  getUri(dbName?: string): string;
}

interface MemoryServerModule {
  MongoMemoryReplSet: { create(opts: { replSet: { count: number } }): Promise<MemoryReplSet> };
}

interface MongoClientLike {
  connect(): Promise<unknown>;
  db(name: string): { dropDatabase(): Promise<unknown> };
  close(): Promise<void>;
}

function freshDbName(): string {
  counter++;
  return `test_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`;
}

/** Put `dbName` into a mongodb:// URI, keeping credentials' auth database unchanged. */
export function withDatabase(url: string, dbName: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/)([^/?]*)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new Error(`MONGO_URL is not a mongodb:// connection string: ${url}`);
  const [, scheme, hosts, pathPart, queryPart] = m as unknown as [
    string,
    string,
    string,
    string | undefined,
    string | undefined,
  ];
  const params = new URLSearchParams((queryPart ?? '').slice(1));
  if (hosts.includes('@') && !params.has('authSource')) {
    const original = (pathPart ?? '').slice(1);
    params.set('authSource', original === '' ? 'admin' : decodeURIComponent(original));
  }
  const query = params.toString();
  return `${scheme}${hosts}/${encodeURIComponent(dbName)}${query ? `?${query}` : ''}`;
}

async function importOptional(specifier: string, hint: string): Promise<unknown> {
  try {
    return (await import(specifier)) as unknown;
  } catch (e) {
    if (
      (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ||
      (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND'
    )
      throw new Error(hint);
    throw e;
  }
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

function memoryServer(): Promise<MemoryReplSet> {
  sharedMemoryServer ??= (async () => {
    const mod = (await importOptional(
      'mongodb-memory-server',
      "MONGO_IMPL=memory-server needs the 'mongodb-memory-server' package, which is not installed: npm install -D mongodb-memory-server",
    )) as MemoryServerModule;
    return mod.MongoMemoryReplSet.create({ replSet: { count: 1 } });
  })();
  return sharedMemoryServer;
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
    const rs = await memoryServer();
    const uri = withDatabase(rs.getUri(), dbName);
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
