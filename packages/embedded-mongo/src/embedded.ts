// Public server handle: start / stop, connection strings, persistence.
import { loadSnapshot, saveSnapshot } from './persistence.js';
import { WireServer } from './server.js';
import { Catalog } from './storage/catalog.js';

export interface EmbeddedMongoOptions {
  /** TCP port; 0 or undefined picks a free port. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Snapshot directory: loaded on start, written on stop(). Off when undefined. */
  dataDir?: string;
  /** Replica set name advertised to drivers. Default 'rs0'; '' runs as a standalone (no transactions). */
  replSetName?: string;
}

/** @internal options not part of the public contract */
export interface InternalOptions {
  /** don't keep the process alive (the shared per-worker test server) */
  unref?: boolean;
}

export class EmbeddedMongo {
  readonly uri: string;
  readonly port: number;
  readonly host: string;
  private stopped: Promise<void> | undefined;

  private constructor(
    private readonly server: WireServer,
    private readonly options: EmbeddedMongoOptions,
  ) {
    this.port = server.port;
    this.host = server.address.slice(0, server.address.lastIndexOf(':'));
    this.uri = this.uriFor('');
  }

  static async start(
    opts: EmbeddedMongoOptions = {},
    internal: InternalOptions = {},
  ): Promise<EmbeddedMongo> {
    const catalog = new Catalog();
    if (opts.dataDir !== undefined) await loadSnapshot(catalog, opts.dataDir);
    const replSetName = opts.replSetName ?? 'rs0';
    const server = await WireServer.listen(
      {
        port: opts.port ?? 0,
        host: opts.host ?? '127.0.0.1',
        replSetName: replSetName === '' ? undefined : replSetName,
        unref: internal.unref,
      },
      catalog,
    );
    return new EmbeddedMongo(server, opts);
  }

  /** Connection string selecting `dbName` (works with mongoose.connect / createConnection, incl. transactions). */
  uriFor(dbName: string): string {
    const query = this.server.replSetName ? `?replicaSet=${encodeURIComponent(this.server.replSetName)}` : '';
    return `mongodb://${this.server.address}/${encodeURIComponent(dbName)}${query}`;
  }

  /** Close the listener and every client socket; snapshot to dataDir if configured. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.server.close();
      if (this.options.dataDir !== undefined) await saveSnapshot(this.server.catalog, this.options.dataDir);
    })();
    return this.stopped;
  }

  /** @internal drop a database without a client round trip (test helper). */
  dropDatabase(name: string): void {
    this.server.catalog.dropDatabase(name);
  }
}

export async function startEmbeddedMongo(opts?: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  return EmbeddedMongo.start(opts);
}
