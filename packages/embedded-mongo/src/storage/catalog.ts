// The committed state: databases -> collections. Also tracks, while any
// transaction is open, the sequence number of the last committed write of
// each document so transactions can detect write conflicts.
import { err, ErrorCodes } from '../errors.js';
import type { Doc } from '../values.js';
import { Collection } from './collection.js';
import type { Metrics } from './collection.js';

const MAX_NS = 255;

export function validateCollectionName(db: string, name: unknown): string {
  if (typeof name !== 'string' || name === '')
    throw err(ErrorCodes.InvalidNamespace, `Invalid namespace specified '${db}.${String(name)}'`);
  if (name.includes('$') || name.includes('\0') || name.startsWith('.') || name.startsWith('system.'))
    throw err(ErrorCodes.InvalidNamespace, `Invalid collection name: ${name}`);
  if (db.length + 1 + name.length > MAX_NS)
    throw err(ErrorCodes.InvalidNamespace, `Fully qualified namespace is too long. Namespace: ${db}.${name}`);
  return name;
}

export function validateDbName(db: unknown): string {
  if (typeof db !== 'string' || db === '' || /[/\\. "$*<>:|?\0]/.test(db) || db.length > 63)
    throw err(ErrorCodes.InvalidNamespace, `Invalid database name: '${String(db)}'`);
  return db;
}

export class Catalog {
  readonly dbs = new Map<string, Map<string, Collection>>();
  readonly metrics: Metrics = { scannedObjects: 0, scanned: 0 };
  /** Committed write sequence; bumped by every write. */
  seq = 0;
  /** ns -> idKey -> seq of last committed write, recorded only while transactions are open. */
  private writeSeqs = new Map<string, Map<string, number>>();
  /** ns -> seq of the last create/drop of that namespace. */
  private ddlSeqs = new Map<string, number>();
  openTransactions = 0;

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  create(db: string, name: string, options: Doc = {}): Collection {
    validateDbName(db);
    validateCollectionName(db, name);
    let d = this.dbs.get(db);
    if (!d) {
      d = new Map();
      this.dbs.set(db, d);
    }
    const c = new Collection(db, name, this.metrics, options);
    d.set(name, c);
    this.recordDdl(`${db}.${name}`);
    return c;
  }

  /** Install a collection object (transaction commit, snapshot load, rename). */
  install(c: Collection): void {
    let d = this.dbs.get(c.db);
    if (!d) {
      d = new Map();
      this.dbs.set(c.db, d);
    }
    d.set(c.name, c);
    this.recordDdl(c.ns);
  }

  drop(db: string, name: string): Collection | undefined {
    const d = this.dbs.get(db);
    const c = d?.get(name);
    if (!d || !c) return undefined;
    d.delete(name);
    if (d.size === 0) this.dbs.delete(db);
    this.recordDdl(c.ns);
    return c;
  }

  dropDatabase(db: string): void {
    const d = this.dbs.get(db);
    if (!d) return;
    for (const c of d.values()) this.recordDdl(c.ns);
    this.dbs.delete(db);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  private recordDdl(ns: string): void {
    this.seq++;
    if (this.openTransactions > 0) this.ddlSeqs.set(ns, this.seq);
  }

  /** Record a committed write of one document. */
  recordWrite(ns: string, id: string): void {
    this.seq++;
    if (this.openTransactions === 0) return;
    let m = this.writeSeqs.get(ns);
    if (!m) {
      m = new Map();
      this.writeSeqs.set(ns, m);
    }
    m.set(id, this.seq);
  }

  lastWrite(ns: string, id: string): number {
    return this.writeSeqs.get(ns)?.get(id) ?? 0;
  }

  lastDdl(ns: string): number {
    return this.ddlSeqs.get(ns) ?? 0;
  }

  transactionOpened(): void {
    this.openTransactions++;
  }

  /** With no transaction open nobody needs the write history. */
  transactionClosed(): void {
    this.openTransactions = Math.max(0, this.openTransactions - 1);
    if (this.openTransactions === 0) {
      this.writeSeqs.clear();
      this.ddlSeqs.clear();
    }
  }
}
