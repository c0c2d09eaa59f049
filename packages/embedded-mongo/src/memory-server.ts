// MONGO_IMPL=memory-server: a real one-node mongod replica set from the
// optional `mongodb-memory-server` package (it downloads a mongod binary, so
// it is never a dependency here; install it where downloads work).
import { withDatabase } from './uri.js';

/** What the embedded server and a memory-server replica set have in common. */
export interface MongoServerHandle {
  /** connection string without a database */
  readonly uri: string;
  /** connection string selecting `dbName` */
  uriFor(dbName: string): string;
  stop(): Promise<void>;
}

interface MemoryReplSet {
  getUri(dbName?: string): string;
  stop(): Promise<unknown>;
}

interface MemoryServerModule {
  MongoMemoryReplSet: { create(opts: { replSet: { count: number } }): Promise<MemoryReplSet> };
}

export async function importOptional(specifier: string, hint: string): Promise<unknown> {
  try {
    return (await import(specifier)) as unknown;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') throw new Error(hint);
    throw e;
  }
}

/** Start a one-node replica set with mongodb-memory-server (transactions work). */
export async function startMemoryServer(): Promise<MongoServerHandle> {
  const mod = (await importOptional(
    'mongodb-memory-server',
    "MONGO_IMPL=memory-server needs the 'mongodb-memory-server' package, which is not installed: npm install -D mongodb-memory-server",
  )) as MemoryServerModule;
  const rs = await mod.MongoMemoryReplSet.create({ replSet: { count: 1 } });
  const uri = rs.getUri();
  return {
    uri,
    uriFor: (dbName) => withDatabase(uri, dbName),
    stop: async () => {
      await rs.stop();
    },
  };
}
