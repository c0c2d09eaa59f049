// Sessions, retryable writes and multi-document transactions.
//
// A transaction reads the committed state as of its first statement (its
// snapshot): each collection it touches is seen through a SnapshotCollection
// (the committed documents, with the versions of those others committed since
// read back from the catalog's write history, plus its own writes), so reads
// across collections are consistent and nothing is copied. It takes a write
// lock per document. A second transaction writing a locked or
// since-changed document gets WriteConflict (112) with the
// TransientTransactionError label, as on mongod, so the driver's
// withTransaction retries. Commit re-validates against the committed state
// (concurrent non-transactional writes, unique keys) and then installs the
// changed documents.
import { err, ErrorCodes, noSuchTransaction, snapshotUnavailable, writeConflict } from './errors.js';
import type { Catalog } from './storage/catalog.js';
import { Collection, idKeyOf } from './storage/collection.js';
import { SnapshotCollection } from './storage/snapshot.js';
import type { Doc } from './values.js';

export const TRANSACTION_LIFETIME_MS = 60_000;

interface Workspace {
  ns: string;
  db: string;
  name: string;
  coll: Collection | undefined;
  /** incarnation of the committed collection when snapshotted (undefined: absent) */
  baseIncarnation: number | undefined;
  snapSeq: number;
  created: boolean;
  written: Set<string>;
}

export class Transaction {
  state: 'active' | 'committed' | 'aborted' = 'active';
  readonly workspaces = new Map<string, Workspace>();
  readonly startedAt = Date.now();
  abortReason: string | undefined;

  constructor(
    readonly sessionKey: string,
    readonly txnNumber: bigint,
    /** committed write sequence the transaction reads at */
    readonly snapshotSeq: number,
  ) {}
}

export interface SessionState {
  key: string;
  lastUse: number;
  txn: Transaction | undefined;
  /** highest txnNumber seen (transactions and retryable writes) */
  highestTxnNumber: bigint;
  /** reply of the last retryable write, replayed if the driver retries it */
  retry: { txnNumber: bigint; command: string; reply: Doc } | undefined;
}

/** Storage access for one command: committed state, or a transaction's workspace. */
export interface StorageView {
  readonly inTransaction: boolean;
  collection(db: string, name: string): Collection | undefined;
  ensureCollection(db: string, name: string): Collection;
  collections(db: string): Collection[];
  insert(coll: Collection, doc: Doc): void;
  replace(coll: Collection, oldDoc: Doc, newDoc: Doc): void;
  remove(coll: Collection, doc: Doc): void;
}

export class CommittedView implements StorageView {
  readonly inTransaction = false;
  constructor(private readonly catalog: Catalog) {}

  collection(db: string, name: string): Collection | undefined {
    return this.catalog.get(db, name);
  }
  ensureCollection(db: string, name: string): Collection {
    return this.catalog.get(db, name) ?? this.catalog.create(db, name);
  }
  collections(db: string): Collection[] {
    return this.catalog.collections(db);
  }
  insert(coll: Collection, doc: Doc): void {
    coll.insert(doc);
    this.catalog.recordWrite(coll.ns, idKeyOf(doc._id), undefined);
  }
  replace(coll: Collection, oldDoc: Doc, newDoc: Doc): void {
    coll.replace(oldDoc, newDoc);
    this.catalog.recordWrite(coll.ns, idKeyOf(oldDoc._id), oldDoc);
  }
  remove(coll: Collection, doc: Doc): void {
    coll.remove(doc);
    this.catalog.recordWrite(coll.ns, idKeyOf(doc._id), doc);
  }
}

export class TransactionView implements StorageView {
  readonly inTransaction = true;
  constructor(
    private readonly manager: TransactionManager,
    readonly txn: Transaction,
  ) {}

  private workspace(db: string, name: string): Workspace {
    const ns = `${db}.${name}`;
    let ws = this.txn.workspaces.get(ns);
    const catalog = this.manager.catalog;
    const snap = this.txn.snapshotSeq;
    // created, dropped or renamed since the snapshot: mongod cannot read it either. Checked on
    // every access, since a snapshot reads the live committed collection it was opened on.
    if (catalog.lastDdl(ns) > snap && !ws?.created) {
      this.manager.abort(this.txn, 'collection changed since the snapshot');
      throw snapshotUnavailable(ns);
    }
    if (!ws) {
      const base = catalog.get(db, name);
      const coll = base ? new SnapshotCollection(base, catalog, snap) : undefined;
      ws = {
        ns,
        db,
        name,
        coll,
        baseIncarnation: base?.incarnation,
        snapSeq: snap,
        created: false,
        written: new Set(),
      };
      this.txn.workspaces.set(ns, ws);
    }
    return ws;
  }

  collection(db: string, name: string): Collection | undefined {
    return this.workspace(db, name).coll;
  }

  ensureCollection(db: string, name: string): Collection {
    const ws = this.workspace(db, name);
    if (!ws.coll) {
      ws.coll = new Collection(db, name, this.manager.catalog.metrics);
      ws.created = true;
    }
    return ws.coll;
  }

  collections(db: string): Collection[] {
    const out = new Map<string, Collection>();
    for (const c of this.manager.catalog.collections(db)) out.set(c.name, c);
    for (const ws of this.txn.workspaces.values()) {
      if (ws.db !== db) continue;
      if (ws.coll) out.set(ws.name, ws.coll);
      else out.delete(ws.name);
    }
    return [...out.values()];
  }

  private beforeWrite(coll: Collection, id: string): Workspace {
    const ws = this.workspace(coll.db, coll.name);
    this.manager.lockForWrite(this.txn, ws, id);
    return ws;
  }

  insert(coll: Collection, doc: Doc): void {
    const id = idKeyOf(doc._id);
    const ws = this.beforeWrite(coll, id);
    coll.insert(doc);
    ws.written.add(id);
  }
  replace(coll: Collection, oldDoc: Doc, newDoc: Doc): void {
    const id = idKeyOf(oldDoc._id);
    const ws = this.beforeWrite(coll, id);
    coll.replace(oldDoc, newDoc);
    ws.written.add(id);
  }
  remove(coll: Collection, doc: Doc): void {
    const id = idKeyOf(doc._id);
    const ws = this.beforeWrite(coll, id);
    coll.remove(doc);
    ws.written.add(id);
  }

  /** Was this collection created inside the transaction (so DDL on it is allowed)? */
  createdHere(db: string, name: string): boolean {
    return this.txn.workspaces.get(`${db}.${name}`)?.created === true;
  }
}

export class TransactionManager {
  readonly sessions = new Map<string, SessionState>();
  /** ns + idKey -> transaction holding the uncommitted write */
  private readonly locks = new Map<string, Transaction>();
  private readonly lockedBy = new Map<Transaction, string[]>();
  private readonly active = new Set<Transaction>();
  private lastSweep = Date.now();

  constructor(readonly catalog: Catalog) {}

  session(key: string): SessionState {
    let s = this.sessions.get(key);
    if (!s) {
      s = { key, lastUse: Date.now(), txn: undefined, highestTxnNumber: -1n, retry: undefined };
      this.sessions.set(key, s);
    }
    s.lastUse = Date.now();
    return s;
  }

  begin(session: SessionState, txnNumber: bigint): Transaction {
    if (txnNumber < session.highestTxnNumber)
      throw err(
        ErrorCodes.TransactionTooOld,
        `Cannot start transaction ${txnNumber} on session because a newer transaction ${session.highestTxnNumber} has already started`,
      );
    if (session.txn?.state === 'active') {
      if (session.txn.txnNumber === txnNumber)
        throw err(
          ErrorCodes.ConflictingOperationInProgress,
          `Cannot start a transaction with txnNumber ${txnNumber}: it has already started`,
        );
      this.abort(session.txn, 'a newer transaction started');
    }
    session.highestTxnNumber = txnNumber;
    const txn = new Transaction(session.key, txnNumber, this.catalog.seq);
    session.txn = txn;
    this.active.add(txn);
    this.catalog.transactionOpened();
    return txn;
  }

  /** The active transaction a statement (autocommit:false, no startTransaction) belongs to. */
  continue(session: SessionState, txnNumber: bigint, command: string): Transaction {
    const txn = session.txn;
    if (!txn || txn.txnNumber !== txnNumber) {
      if (txnNumber < session.highestTxnNumber)
        throw err(
          ErrorCodes.TransactionTooOld,
          `txnNumber ${txnNumber} is less than last txnNumber ${session.highestTxnNumber} seen in session`,
        );
      throw noSuchTransaction(txnNumber, 'has been aborted');
    }
    if (txn.state === 'aborted')
      throw noSuchTransaction(
        txnNumber,
        txn.abortReason ? `has been aborted: ${txn.abortReason}` : 'has been aborted',
      );
    if (txn.state === 'committed' && command !== 'commitTransaction')
      throw err(
        ErrorCodes.TransactionCommitted,
        `Transaction with { txnNumber: ${txnNumber} } has been committed.`,
      );
    return txn;
  }

  lockForWrite(txn: Transaction, ws: Workspace, id: string): void {
    const key = `${ws.ns}\u0000${id}`;
    const holder = this.locks.get(key);
    if (holder && holder !== txn) {
      if (holder.state === 'active' && Date.now() - holder.startedAt > TRANSACTION_LIFETIME_MS)
        this.abort(holder, 'exceeded transactionLifetimeLimitSeconds');
      else if (holder.state === 'active') this.conflict(txn);
    }
    if (this.catalog.lastWrite(ws.ns, id) > ws.snapSeq || this.catalog.lastDdl(ws.ns) > ws.snapSeq)
      this.conflict(txn);
    if (holder !== txn) {
      this.locks.set(key, txn);
      let list = this.lockedBy.get(txn);
      if (!list) {
        list = [];
        this.lockedBy.set(txn, list);
      }
      list.push(key);
    }
  }

  private conflict(txn: Transaction): never {
    this.abort(txn, 'write conflict');
    throw writeConflict();
  }

  commit(txn: Transaction): void {
    if (txn.state === 'committed') return;
    if (txn.state === 'aborted') throw noSuchTransaction(txn.txnNumber);
    for (const ws of txn.workspaces.values()) {
      if (ws.written.size === 0 && !ws.created) continue;
      if (!this.validate(ws)) this.conflict(txn);
    }
    for (const ws of txn.workspaces.values()) {
      if (ws.written.size === 0 && !ws.created) continue;
      const coll = ws.coll as Collection;
      if (ws.created) {
        this.catalog.install(coll);
        continue;
      }
      const base = this.catalog.get(ws.db, ws.name) as Collection;
      for (const id of ws.written) {
        const before = base.docs.get(id);
        base.applyUnchecked(id, before, coll.get(id));
        this.catalog.recordWrite(ws.ns, id, before);
      }
    }
    txn.state = 'committed';
    this.release(txn);
  }

  /** Can the workspace's writes be applied to the committed state? */
  private validate(ws: Workspace): boolean {
    const base = this.catalog.get(ws.db, ws.name);
    if (ws.created) return base === undefined;
    if (!base || base.incarnation !== ws.baseIncarnation || !ws.coll) return false;
    for (const id of ws.written) if (this.catalog.lastWrite(ws.ns, id) > ws.snapSeq) return false;
    // unique keys against documents others committed meanwhile (and indexes built meanwhile)
    for (const ix of base.indexes.values()) {
      if (!ix.uniqueKeys) continue;
      const mine = new Map<string, string>();
      for (const id of ws.written) {
        const doc = ws.coll.get(id);
        if (!doc || !ix.contains(doc)) continue;
        for (const e of ix.uniqueEntries(doc)) {
          const owner = ix.uniqueKeys.get(e.key);
          if (owner !== undefined && owner !== id && !ws.written.has(owner)) return false;
          const other = mine.get(e.key);
          if (other !== undefined && other !== id) return false;
          mine.set(e.key, id);
        }
      }
    }
    return true;
  }

  abort(txn: Transaction, reason?: string): void {
    if (txn.state !== 'active') return;
    txn.state = 'aborted';
    txn.abortReason = reason;
    this.release(txn);
  }

  private release(txn: Transaction): void {
    for (const key of this.lockedBy.get(txn) ?? []) if (this.locks.get(key) === txn) this.locks.delete(key);
    this.lockedBy.delete(txn);
    this.active.delete(txn);
    this.catalog.transactionClosed();
    let oldest = Infinity;
    for (const t of this.active) oldest = Math.min(oldest, t.snapshotSeq);
    if (oldest !== Infinity) this.catalog.pruneHistory(oldest);
  }

  endSession(key: string): void {
    const s = this.sessions.get(key);
    if (!s) return;
    if (s.txn) this.abort(s.txn, 'session ended');
    this.sessions.delete(key);
  }

  /** Abort transactions past their lifetime and forget idle sessions (lazy, at most once a second). */
  sweep(now = Date.now()): void {
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const s of this.sessions.values()) {
      if (s.txn?.state === 'active' && now - s.txn.startedAt > TRANSACTION_LIFETIME_MS)
        this.abort(s.txn, 'exceeded transactionLifetimeLimitSeconds');
      if (now - s.lastUse > 30 * 60_000 && s.txn?.state !== 'active') this.sessions.delete(s.key);
    }
  }

  abortAll(): void {
    for (const s of this.sessions.values()) if (s.txn) this.abort(s.txn, 'server shutting down');
  }
}
