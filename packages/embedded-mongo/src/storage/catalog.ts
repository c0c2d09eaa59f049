// The committed state: databases -> collections. Also keeps, while any
// transaction is open, the committed writes of each document (sequence
// number and the version they replaced) so transactions can detect write
// conflicts and read the state as of their snapshot.
import { err, ErrorCodes } from '../errors.js';
import type { Doc } from '../values.js';
import { Collection } from './collection.js';
import type { Metrics } from './collection.js';

const MAX_NS = 255;

/** What `changedSince` answers for a document no write touched after the given sequence number. */
export const UNCHANGED = Symbol('unchanged');

/** One committed write: its sequence number and the document version it replaced. */
interface Version {
  seq: number;
  before: Doc | undefined;
}

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
  readonly metrics: Metrics = { scannedObjects: 0, scanned: 0, commands: new Map() };
  /** Committed write sequence; bumped by every write. */
  seq = 0;
  /** ns -> idKey -> committed writes in order, recorded only while transactions are open. */
  private writes = new Map<string, Map<string, Version[]>>();
  /** ns -> its recorded writes in commit order (seq, id), so a snapshot finds what changed after it quickly. */
  private logs = new Map<string, { seq: number; id: string }[]>();
  private versionCount = 0;
  private pruneAt = 1000;
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

  /** Record a committed write of one document; `before` is the version it replaced (undefined: none). */
  recordWrite(ns: string, id: string, before: Doc | undefined): void {
    this.seq++;
    if (this.openTransactions === 0) return;
    let m = this.writes.get(ns);
    if (!m) {
      m = new Map();
      this.writes.set(ns, m);
    }
    let list = m.get(id);
    if (!list) {
      list = [];
      m.set(id, list);
    }
    list.push({ seq: this.seq, before });
    let log = this.logs.get(ns);
    if (!log) {
      log = [];
      this.logs.set(ns, log);
    }
    log.push({ seq: this.seq, id });
    this.versionCount++;
  }

  /** Has any document of `ns` been written after `seq`? (Only meaningful while a transaction is open.) */
  changedAfter(ns: string, seq: number): boolean {
    const log = this.logs.get(ns);
    return !!log && log.length > 0 && (log[log.length - 1] as { seq: number }).seq > seq;
  }

  /** The version of one document as of `seq` when a later write changed it (undefined: absent then), else UNCHANGED. */
  changedSince(ns: string, id: string, seq: number): Doc | undefined | typeof UNCHANGED {
    if (!this.changedAfter(ns, seq)) return UNCHANGED;
    const list = this.writes.get(ns)?.get(id);
    if (!list || (list[list.length - 1] as Version).seq <= seq) return UNCHANGED;
    return (list.find((v) => v.seq > seq) as Version).before;
  }

  lastWrite(ns: string, id: string): number {
    const list = this.writes.get(ns)?.get(id);
    return list ? (list[list.length - 1] as Version).seq : 0;
  }

  /**
   * The writes of `ns` logged after `after` (a log sequence at or past `seq`), in order, each with
   * its document's version as of `seq` and the write's own sequence: a transaction reads the
   * versions others committed since its snapshot incrementally, each write once.
   */
  *writesLoggedAfter(ns: string, seq: number, after: number): Generator<[string, Doc | undefined, number]> {
    const log = this.logs.get(ns);
    if (!log || log.length === 0 || (log[log.length - 1] as { seq: number }).seq <= after) return;
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((log[mid] as { seq: number }).seq <= after) lo = mid + 1;
      else hi = mid;
    }
    const byId = this.writes.get(ns);
    for (let i = lo; i < log.length; i++) {
      const { id, seq: at } = log[i] as { id: string; seq: number };
      const first = byId?.get(id)?.find((v) => v.seq > seq);
      if (first) yield [id, first.before, at];
    }
  }

  /** Forget writes no open snapshot can need (all at or before `minSeq`); amortised. */
  pruneHistory(minSeq: number): void {
    if (this.versionCount < this.pruneAt) return;
    let kept = 0;
    for (const [ns, m] of this.writes) {
      for (const [id, list] of m) {
        const rest = list.filter((v) => v.seq > minSeq);
        if (rest.length === 0) m.delete(id);
        else m.set(id, rest);
        kept += rest.length;
      }
      if (m.size === 0) this.writes.delete(ns);
    }
    for (const [ns, log] of this.logs) {
      const rest = log.filter((w) => w.seq > minSeq);
      if (rest.length === 0) this.logs.delete(ns);
      else this.logs.set(ns, rest);
    }
    for (const [ns, seq] of this.ddlSeqs) if (seq <= minSeq) this.ddlSeqs.delete(ns);
    this.versionCount = kept;
    this.pruneAt = Math.max(1000, 2 * kept);
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
      this.writes.clear();
      this.logs.clear();
      this.ddlSeqs.clear();
      this.versionCount = 0;
      this.pruneAt = 1000;
    }
  }
}
