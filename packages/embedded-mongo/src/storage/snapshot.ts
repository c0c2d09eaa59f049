// A transaction's view of one existing collection: the committed collection as of the
// transaction's snapshot, plus the transaction's own writes. Nothing is copied up front (a
// transaction used to clone the whole collection and its indexes on first touch, so every
// transaction cost O(collection size)): reads go to the live committed collection, and the few
// documents committed by others since the snapshot are read at their snapshot version from the
// catalog's write history. The transaction's own versions live in a small collection of their
// own with the same indexes, so lookups stay indexed however much a transaction writes.
import type { Index } from '../indexes.js';
import type { Doc } from '../values.js';
import { UNCHANGED } from './catalog.js';
import type { Catalog } from './catalog.js';
import { Collection, duplicateKeyError, idKeyOf } from './collection.js';

export class SnapshotCollection extends Collection {
  /** Documents this transaction inserted or replaced (their current version), indexed like the base. */
  private readonly own: Collection;
  /** Documents this transaction removed (and did not insert again). */
  private readonly removed = new Set<string>();
  /**
   * Documents others changed since the snapshot, with their snapshot version, in the order of
   * their first later write; read from the catalog's log incrementally (`seenUpTo`), so a
   * transaction that writes a lot beside busy writers (an import beside the outbox relay) does not
   * rescan every change for every statement.
   */
  private readonly changed: [string, Doc | undefined][] = [];
  private readonly changedIds = new Set<string>();
  private seenUpTo: number;
  /** Per unique index: the snapshot versions' keys (key → id) over `changed[0..n)`. */
  private readonly beforeKeys = new Map<string, { n: number; keys: Map<string, string> }>();

  constructor(
    private readonly base: Collection,
    private readonly catalog: Catalog,
    private readonly snapSeq: number,
  ) {
    super(base.db, base.name, base.metrics, base.options, base.uuid, base.incarnation);
    this.seenUpTo = snapSeq;
    // The committed index set: hints, listIndexes and unique checks read it.
    this.indexes = base.indexes;
    this.own = new Collection(base.db, base.name, base.metrics, base.options, base.uuid, base.incarnation);
    for (const ix of base.indexes.values()) if (!ix.isId) this.own.addIndex(ix.spec);
    this.docs = new SnapshotDocs(this);
  }

  /** The snapshot versions of documents others changed since the snapshot (see `changed`). */
  private changedSinceSnapshot(): readonly [string, Doc | undefined][] {
    for (const [id, before, at] of this.catalog.writesLoggedAfter(this.ns, this.snapSeq, this.seenUpTo)) {
      this.seenUpTo = at;
      if (this.changedIds.has(id)) continue;
      this.changedIds.add(id);
      this.changed.push([id, before]);
    }
    return this.changed;
  }

  /** The committed version as of the snapshot (undefined: it did not exist then). */
  private committed(id: string): Doc | undefined {
    const v = this.catalog.changedSince(this.ns, id, this.snapSeq);
    return v === UNCHANGED ? this.base.docs.get(id) : v;
  }

  override get(id: string): Doc | undefined {
    const mine = this.own.docs.get(id);
    if (mine) return mine;
    if (this.removed.has(id)) return undefined;
    return this.committed(id);
  }

  /** Every visible document, in natural order (committed ones first, then this transaction's inserts). */
  *visible(): Generator<Doc> {
    const changed = this.catalog.changedAfter(this.ns, this.snapSeq);
    for (const [id, doc] of this.base.docs) {
      const mine = this.own.docs.get(id);
      if (mine) yield mine;
      else if (this.removed.has(id)) continue;
      else if (!changed) yield doc;
      else {
        const d = this.committed(id);
        if (d) yield d;
      }
    }
    for (const [id, before] of this.changedSinceSnapshot())
      if (before && !this.base.docs.has(id) && !this.own.docs.has(id) && !this.removed.has(id)) yield before;
    for (const [id, doc] of this.own.docs) if (!this.base.docs.has(id)) yield doc;
  }

  override candidates(filter: unknown, hint?: Index): Doc[] | IterableIterator<Doc> {
    if (hint && (hint.sparse || hint.isPartial)) {
      this.metrics.scannedObjects += this.base.docs.size;
      return [...this.visible()].filter((d) => hint.contains(d));
    }
    const ids = hint ? undefined : this.base.plan(filter);
    if (!ids) {
      this.metrics.scannedObjects += this.base.docs.size + this.own.docs.size;
      return this.visible();
    }
    // A superset of the matches (callers apply the filter): what the committed indexes list, the
    // snapshot versions of documents others changed since (the indexes list their new values),
    // and this transaction's own versions from its own indexes.
    const out: Doc[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      this.metrics.scanned++;
      if (seen.has(id)) continue;
      seen.add(id);
      const d = this.get(id);
      if (d) out.push(d);
    }
    for (const [id, before] of this.changedSinceSnapshot()) {
      if (!before || seen.has(id) || this.own.docs.has(id) || this.removed.has(id)) continue;
      seen.add(id);
      out.push(before);
    }
    if (this.own.docs.size > 0) {
      const mine = this.own.plan(filter) ?? this.own.docs.keys();
      for (const id of mine) {
        const d = this.own.docs.get(id);
        if (!d || seen.has(id)) continue;
        seen.add(id);
        out.push(d);
      }
    }
    this.metrics.scannedObjects += out.length;
    return out;
  }

  /** E11000 when another document visible to the transaction holds one of `doc`'s unique keys. */
  override checkUnique(doc: Doc, id: string, isNew: boolean): void {
    if (isNew && this.get(id) !== undefined)
      throw duplicateKeyError(this, this.indexes.get('_id_') as Index, { _id: doc._id });
    for (const ix of this.indexes.values()) {
      if (!ix.uniqueKeys || !ix.contains(doc)) continue;
      for (const entry of ix.uniqueEntries(doc)) {
        if (this.holder(ix, entry.key, id) !== undefined) throw duplicateKeyError(this, ix, entry.keyValue);
      }
    }
  }

  /** A document other than `self` that holds unique key `key` of `ix` in this transaction's view. */
  private holder(ix: Index, key: string, self: string): string | undefined {
    const ownIx = this.own.indexes.get(ix.name);
    if (ownIx) {
      const mine = ownIx.uniqueKeys?.get(key);
      if (mine !== undefined && mine !== self) return mine;
    } else {
      // an index built after the snapshot: this transaction's documents are not in it
      for (const [id, d] of this.own.docs)
        if (id !== self && ix.contains(d) && ix.uniqueEntries(d).some((e) => e.key === key)) return id;
    }
    const owner = ix.uniqueKeys?.get(key);
    if (
      owner !== undefined &&
      owner !== self &&
      !this.own.docs.has(owner) &&
      !this.removed.has(owner) &&
      this.catalog.changedSince(this.ns, owner, this.snapSeq) === UNCHANGED
    )
      return owner;
    // a document that held the key at the snapshot and was changed by others since
    const changed = this.changedSinceSnapshot();
    let held = this.beforeKeys.get(ix.name);
    if (!held) {
      held = { n: 0, keys: new Map() };
      this.beforeKeys.set(ix.name, held);
    }
    for (; held.n < changed.length; held.n++) {
      const [id, before] = changed[held.n] as [string, Doc | undefined];
      if (!before || !ix.contains(before)) continue;
      for (const e of ix.uniqueEntries(before)) held.keys.set(e.key, id);
    }
    const id = held.keys.get(key);
    if (id !== undefined && id !== self && !this.own.docs.has(id) && !this.removed.has(id)) return id;
    return undefined;
  }

  override insert(doc: Doc): void {
    const id = idKeyOf(doc._id);
    this.checkUnique(doc, id, true);
    this.own.insert(doc);
    this.removed.delete(id);
  }

  override replace(oldDoc: Doc, newDoc: Doc): void {
    const id = idKeyOf(oldDoc._id);
    this.checkUnique(newDoc, id, false);
    const mine = this.own.docs.get(id);
    if (mine) this.own.replace(mine, newDoc);
    else this.own.insert(newDoc);
  }

  override remove(doc: Doc): void {
    const id = idKeyOf(doc._id);
    const mine = this.own.docs.get(id);
    if (mine) this.own.remove(mine);
    this.removed.add(id);
  }

  /** Cached orders are of the committed documents; the snapshot sorts its candidates itself. */
  override sortedCandidates(): undefined {
    return undefined;
  }

  override applyUnchecked(): void {
    throw new Error('a transaction snapshot is not written to directly');
  }

  override addIndex(): Index {
    throw new Error('indexes are not built on a transaction snapshot');
  }

  override clone(): Collection {
    const c = new Collection(this.db, this.name, this.metrics, this.options, this.uuid, this.incarnation);
    for (const ix of this.indexes.values()) if (!ix.isId) c.addIndex(ix.spec);
    for (const d of this.visible()) c.insert(d);
    return c;
  }
}

/** `docs` of a snapshot: the visible documents by id, read-only (writes go through the collection). */
class SnapshotDocs extends Map<string, Doc> {
  constructor(private readonly coll: SnapshotCollection) {
    super();
  }
  override get(id: string): Doc | undefined {
    return this.coll.get(id);
  }
  override has(id: string): boolean {
    return this.coll.get(id) !== undefined;
  }
  override get size(): number {
    let n = 0;
    for (const _ of this.coll.visible()) n++;
    return n;
  }
  override *values(): MapIterator<Doc> {
    yield* this.coll.visible();
  }
  override *entries(): MapIterator<[string, Doc]> {
    for (const d of this.coll.visible()) yield [idKeyOf(d._id), d];
  }
  override *keys(): MapIterator<string> {
    for (const d of this.coll.visible()) yield idKeyOf(d._id);
  }
  override [Symbol.iterator](): MapIterator<[string, Doc]> {
    return this.entries();
  }
  override forEach(fn: (value: Doc, key: string, map: Map<string, Doc>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
  override set(): this {
    throw new Error('a transaction snapshot is not written to directly');
  }
  override delete(): boolean {
    throw new Error('a transaction snapshot is not written to directly');
  }
  override clear(): void {
    throw new Error('a transaction snapshot is not written to directly');
  }
}
