import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import { ConfigError } from './config.js';
import type { CheckResult } from './health.js';

/** Where databases live: a real MongoDB (MONGO_URL) or the embedded server. */
export interface DatabaseServer {
  /** A connection to this service's own database. */
  connect(dbName: string): Promise<Connection>;
  /** Closes every connection it opened, and the embedded server if it started one. */
  close(): Promise<void>;
  readonly kind: 'mongodb' | 'embedded';
}

/**
 * MONGO_URL when set; otherwise the embedded MongoDB-compatible server
 * (development and the all-in-one run only: production must name its
 * MongoDB). `dataDir` makes the embedded server keep its data across
 * restarts.
 */
export async function openDatabaseServer(opts: {
  url?: string;
  production: boolean;
  logger: Logger;
  dataDir?: string;
}): Promise<DatabaseServer> {
  const connections: Connection[] = [];
  if (opts.url) {
    const base = opts.url;
    return {
      kind: 'mongodb',
      async connect(dbName) {
        const conn = await mongoose.createConnection(base, { dbName }).asPromise();
        connections.push(conn);
        return conn;
      },
      async close() {
        await Promise.all(connections.map((c) => c.close()));
      },
    };
  }
  if (opts.production) {
    throw new ConfigError([{ variable: 'MONGO_URL', message: 'required when NODE_ENV=production' }]);
  }
  const { EmbeddedMongo } = await import('@honglian/embedded-mongo');
  const server = await EmbeddedMongo.start(opts.dataDir ? { dataDir: opts.dataDir } : {});
  opts.logger.info(
    { uri: server.uri, dataDir: opts.dataDir ?? null },
    'embedded MongoDB-compatible server started',
  );
  return {
    kind: 'embedded',
    async connect(dbName) {
      const conn = await mongoose.createConnection(server.uriFor(dbName)).asPromise();
      connections.push(conn);
      return conn;
    },
    async close() {
      await Promise.all(connections.map((c) => c.close()));
      await server.stop();
    },
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
