// Public server handle: start / stop, connection strings, persistence.
import { loadSnapshot, removeUnfinishedSnapshots, saveSnapshot } from './persistence.js';
import { WireServer } from './server.js';
import { Catalog } from './storage/catalog.js';

export interface EmbeddedMongoOptions {
  /** TCP port; 0 or undefined picks a free port. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Snapshot directory: loaded on start, written while data changes and on stop(). Off when undefined. */
  dataDir?: string;
  /**
   * With `dataDir`: snapshot this often while the data changes, so a crash (kill -9, power loss)
   * loses at most about this much. Default 2000 ms; 0 = only on stop(). The pause between two
   * snapshots is at least 4× the last one's duration, so a large database spends at most about a
   * fifth of its time on them.
   */
  snapshotEveryMs?: number;
  /** Called when a periodic snapshot fails (the previous one stays); the next one tries again. */
  onSnapshotError?: (error: unknown) => void;
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
  private autosaveTimer: NodeJS.Timeout | undefined;
  private autosaving: Promise<void> | undefined;

  private constructor(
    private readonly server: WireServer,
    private readonly options: EmbeddedMongoOptions,
  ) {
    this.port = server.port;
    this.host = server.address.slice(0, server.address.lastIndexOf(':'));
    this.uri = this.uriFor('');
    this.startAutosave();
  }

  /** Periodic snapshots of a changed database (see `snapshotEveryMs`). */
  private startAutosave(): void {
    const every = this.options.snapshotEveryMs ?? 2000;
    const dir = this.options.dataDir;
    if (dir === undefined || every <= 0 || this.stopped) return;
    const catalog = this.server.catalog;
    let savedSeq = catalog.seq;
    const tick = (): void => {
      this.autosaveTimer = undefined;
      if (this.stopped) return;
      if (catalog.seq === savedSeq) return this.arm(tick, every);
      const seq = catalog.seq;
      const t0 = performance.now();
      this.autosaving = saveSnapshot(catalog, dir).then(
        () => {
          savedSeq = seq;
        },
        (error: unknown) => this.options.onSnapshotError?.(error),
      );
      void this.autosaving.then(() => {
        this.autosaving = undefined;
        this.arm(tick, Math.max(every, 4 * (performance.now() - t0)));
      });
    };
    this.arm(tick, every);
  }

  private arm(tick: () => void, ms: number): void {
    if (this.stopped) return;
    this.autosaveTimer = setTimeout(tick, ms);
    this.autosaveTimer.unref();
  }

  static async start(
    opts: EmbeddedMongoOptions = {},
    internal: InternalOptions = {},
  ): Promise<EmbeddedMongo> {
    const catalog = new Catalog();
    if (opts.dataDir !== undefined) {
      await removeUnfinishedSnapshots(opts.dataDir);
      await loadSnapshot(catalog, opts.dataDir);
    }
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
      clearTimeout(this.autosaveTimer);
      await this.autosaving;
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
