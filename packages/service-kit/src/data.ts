import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import { ConfigError, type BaseConfig } from './config.js';
import type { CheckResult } from './health.js';

/** Where databases live: a real MongoDB (MONGO_URL) or the embedded server. */
export interface DatabaseServer {
  /** A connection to this service's own database. */
  connect(dbName: string): Promise<Connection>;
  /** Closes every connection it opened, and the embedded server if it started one. */
  close(): Promise<void>;
  readonly kind: 'mongodb' | 'embedded' | 'memory-server';
}

export type MongoImpl = 'embedded' | 'memory-server';

function connectionsTo(
  kind: DatabaseServer['kind'],
  uriFor: (dbName: string) => { uri: string; dbName?: string },
  stop: () => Promise<unknown> = async () => {},
): DatabaseServer {
  const connections: Connection[] = [];
  return {
    kind,
    async connect(dbName) {
      const { uri, dbName: name } = uriFor(dbName);
      const conn = await mongoose.createConnection(uri, name ? { dbName: name } : {}).asPromise();
      connections.push(conn);
      return conn;
    },
    async close() {
      await Promise.all(connections.map((c) => c.close()));
      await stop();
    },
  };
}

/**
 * MONGO_URL when set; otherwise the embedded MongoDB-compatible server
 * (development and the all-in-one run only: production must name its
 * MongoDB). `dataDir` makes the embedded server keep its data across
 * restarts.
 */
export async function openDatabaseServer(opts: {
  url?: string;
  /** Which server to start when `url` is unset. Default embedded. */
  impl?: MongoImpl;
  production: boolean;
  logger: Logger;
  dataDir?: string;
}): Promise<DatabaseServer> {
  if (opts.url) {
    const base = opts.url;
    return connectionsTo('mongodb', (dbName) => ({ uri: base, dbName }));
  }
  if (opts.production) {
    throw new ConfigError([{ variable: 'MONGO_URL', message: 'required when NODE_ENV=production' }]);
  }
  const { EmbeddedMongo, startMemoryServer } = await import('@honglian/embedded-mongo');
  if (opts.impl === 'memory-server') {
    let server;
    try {
      server = await startMemoryServer();
    } catch (err) {
      throw new ConfigError([{ variable: 'MONGO_IMPL', message: (err as Error).message }]);
    }
    opts.logger.info({ uri: server.uri }, 'mongodb-memory-server replica set started');
    return connectionsTo(
      'memory-server',
      (dbName) => ({ uri: server.uriFor(dbName) }),
      () => server.stop(),
    );
  }
  const server = await EmbeddedMongo.start(
    opts.dataDir
      ? {
          dataDir: opts.dataDir,
          // Snapshots while data changes (every 2 s at most), so a crash loses seconds, not the run.
          onSnapshotError: (err: unknown) =>
            opts.logger.error({ err, dataDir: opts.dataDir }, 'embedded MongoDB snapshot failed; retrying'),
        }
      : {},
  );
  opts.logger.info(
    { uri: server.uri, dataDir: opts.dataDir ?? null },
    'embedded MongoDB-compatible server started',
  );
  return connectionsTo(
    'embedded',
    (dbName) => ({ uri: server.uriFor(dbName) }),
    () => server.stop(),
  );
}

/** The database settings of a service's environment (MONGO_URL, MONGO_IMPL, NODE_ENV). */
export function databaseOptionsOf(
  config: Pick<BaseConfig, 'MONGO_URL' | 'MONGO_IMPL' | 'NODE_ENV'>,
  logger: Logger,
): Parameters<typeof openDatabaseServer>[0] {
  return {
    ...(config.MONGO_URL ? { url: config.MONGO_URL } : {}),
    impl: config.MONGO_IMPL,
    production: config.NODE_ENV === 'production',
    logger,
  };
}

/** Readiness of a database connection: a ping answered. */
export function databaseCheck(conn: Connection): () => Promise<CheckResult> {
  return async () => {
    if (conn.readyState !== 1) return { ok: false, detail: `connection state ${conn.readyState}` };
    await conn.db!.admin().ping();
    return { ok: true };
  };
}
