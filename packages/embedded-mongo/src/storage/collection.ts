// A collection: documents by canonical _id (insertion order is the natural
// order), its indexes, and the equality planner that turns `{field: value}`
// conditions into hash lookups instead of scans. Documents stored here are
// never mutated; updates store a new object (copy-on-write), which is what
// makes cheap transaction snapshots and safe cursors possible.
import { UUID } from 'bson';
import { err, ErrorCodes } from '../errors.js';
import { Index, normalizeIndexSpec } from '../indexes.js';
import type { UniqueEntry } from '../indexes.js';
import { isOperatorObject } from '../query/matcher.js';
import { sortDocs } from '../query/sort.js';
import type { CompiledSort } from '../query/sort.js';
import { canonicalKey, compareValues, formatValue, isPlainObject, isRegexValue } from '../values.js';
import type { Doc } from '../values.js';

export interface Metrics {
  /** documents examined (serverStatus metrics.queryExecutor.scannedObjects) */
  scannedObjects: number;
  /** index keys examined (metrics.queryExecutor.scanned) */
  scanned: number;
  /** commands run, by name (serverStatus metrics.commands.<name>.total / .failed, as mongod reports) */
  commands: Map<string, { total: number; failed: number }>;
}

let nextIncarnation = 1;

export function duplicateKeyError(coll: Collection, index: Index, keyValue: Doc): Error {
  const shown = Object.entries(keyValue)
    .map(([k, v]) => `${k}: ${formatValue(v)}`)
    .join(', ');
  return err(
    ErrorCodes.DuplicateKey,
    `E11000 duplicate key error collection: ${coll.db}.${coll.name} index: ${index.name} dup key: { ${shown} }`,
    { keyPattern: index.key, keyValue },
  );
}

export const idKeyOf = (id: unknown): string => canonicalKey(id);

export class Collection {
  db: string;
  name: string;
  readonly uuid: UUID;
  options: Doc;
  /** distinguishes a re-created collection of the same name (transactions check it) */
  readonly incarnation: number;
  readonly metrics: Metrics;
  docs = new Map<string, Doc>();
  indexes = new Map<string, Index>();

  constructor(
    db: string,
    name: string,
    metrics: Metrics,
    options: Doc = {},
    uuid?: UUID,
    incarnation?: number,
  ) {
    this.db = db;
    this.name = name;
    this.metrics = metrics;
    this.options = options;
    this.uuid = uuid ?? new UUID();
    this.incarnation = incarnation ?? nextIncarnation++;
    this.indexes.set('_id_', new Index({ v: 2, key: { _id: 1 }, name: '_id_' }));
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  /** A private copy for a transaction workspace. */
  clone(): Collection {
    const c = new Collection(this.db, this.name, this.metrics, this.options, this.uuid, this.incarnation);
    c.docs = new Map(this.docs);
    c.indexes = new Map([...this.indexes].map(([n, ix]) => [n, ix.clone()]));
    return c;
  }

  get(id: string): Doc | undefined {
    return this.docs.get(id);
  }

  /** Throw E11000 if `doc` (stored under `id`) would collide in any unique index. */
  checkUnique(doc: Doc, id: string, isNew: boolean): void {
    if (isNew && this.docs.has(id))
      throw duplicateKeyError(this, this.indexes.get('_id_') as Index, { _id: doc._id });
    for (const ix of this.indexes.values()) {
      const c = ix.conflict(doc, id);
      if (c) throw duplicateKeyError(this, ix, c.entry.keyValue);
    }
  }

  insert(doc: Doc): void {
    const id = idKeyOf(doc._id);
    this.checkUnique(doc, id, true);
    this.docs.set(id, doc);
    for (const ix of this.indexes.values()) ix.add(doc, id);
  }

  replace(oldDoc: Doc, newDoc: Doc): void {
    const id = idKeyOf(oldDoc._id);
    this.checkUnique(newDoc, id, false);
    for (const ix of this.indexes.values()) ix.remove(oldDoc, id);
    this.docs.set(id, newDoc);
    for (const ix of this.indexes.values()) ix.add(newDoc, id);
  }

  remove(doc: Doc): void {
    const id = idKeyOf(doc._id);
    for (const ix of this.indexes.values()) ix.remove(doc, id);
    this.docs.delete(id);
  }

  /** Install a document version without unique checks (commit of a validated transaction). */
  applyUnchecked(id: string, oldDoc: Doc | undefined, newDoc: Doc | undefined): void {
    if (oldDoc) for (const ix of this.indexes.values()) ix.remove(oldDoc, id);
    if (newDoc) {
      this.docs.set(id, newDoc);
      for (const ix of this.indexes.values()) ix.add(newDoc, id);
    } else this.docs.delete(id);
  }

  /** Build an index over the existing documents; E11000 leaves the collection unchanged. */
  addIndex(spec: Doc): Index {
    const ix = new Index(spec);
    const entries = new Map<string, UniqueEntry[]>();
    if (ix.uniqueKeys) {
      const seen = new Map<string, string>();
      for (const [id, doc] of this.docs) {
        if (!ix.contains(doc)) continue;
        const es = ix.uniqueEntries(doc);
        for (const e of es) {
          const owner = seen.get(e.key);
          if (owner !== undefined && owner !== id) {
            const base = duplicateKeyError(this, ix, e.keyValue);
            throw err(
              ErrorCodes.DuplicateKey,
              `Index build failed: ${this.uuid.toHexString()}: Collection ${this.ns} ( ${this.uuid.toHexString()} ) :: caused by :: ${base.message}`,
              {
                keyPattern: ix.key,
                keyValue: e.keyValue,
              },
            );
          }
          seen.set(e.key, id);
        }
        entries.set(id, es);
      }
    }
    for (const [id, doc] of this.docs) ix.add(doc, id, entries.get(id));
    this.indexes.set(ix.name, ix);
    return ix;
  }

  createIndexFromRaw(raw: unknown): Index {
    return this.addIndex(normalizeIndexSpec(raw));
  }

  /**
   * Candidate documents for `filter`: a superset of the matches, from an
   * index when the filter has an equality (or $in) on an indexed first field,
   * else every document. Callers still apply the full filter.
   */
  candidates(filter: unknown, hint?: Index): Doc[] | IterableIterator<Doc> {
    const plan = hint ? undefined : this.plan(filter);
    if (!plan) {
      this.metrics.scannedObjects += this.docs.size;
      if (hint && (hint.sparse || hint.isPartial))
        return [...this.docs.values()].filter((d) => hint.contains(d));
      return this.docs.values();
    }
    const out: Doc[] = [];
    const seen = new Set<string>();
    for (const id of plan) {
      this.metrics.scanned++;
      if (seen.has(id)) continue;
      seen.add(id);
      const d = this.docs.get(id);
      if (d) out.push(d);
    }
    this.metrics.scannedObjects += out.length;
    return out;
  }

  /** Ids from the most selective usable equality index, or undefined for a scan. */
  plan(filter: unknown): string[] | undefined {
    if (!isPlainObject(filter)) return undefined;
    const eqs = new Map<string, unknown[]>();
    collectEqualities(filter, eqs);
    let best: string[] | undefined;
    for (const [path, values] of eqs) {
      const ids = this.lookupIds(path, values);
      if (ids && (!best || ids.length < best.length)) best = ids;
      if (best && best.length <= 1) return best;
    }
    for (const ix of this.indexes.values()) {
      const ids = ix.lookupFull(eqs);
      if (ids && (!best || ids.length < best.length)) best = ids;
    }
    return best;
  }

  /**
   * The candidates of `filter` in `sort` order when an equality on one value of an indexed
   * first field narrows them (the most selective such index), else undefined. The order is
   * cached on the index per key until a document of that key changes.
   */
  sortedCandidates(filter: unknown, sort: CompiledSort): Doc[] | undefined {
    if (!isPlainObject(filter) || sort.fields.length === 0) return undefined;
    const eqs = new Map<string, unknown[]>();
    collectEqualities(filter, eqs);
    if (eqs.has('_id')) return undefined; // one document at most: the plain plan is better
    let best: { ix: Index; key: string; size: number } | undefined;
    for (const [path, values] of eqs) {
      if (values.length !== 1) continue;
      const ix = this.equalityIndex(path, values);
      if (!ix) continue;
      const key = canonicalKey(values[0]);
      const size = ix.lookup.get(key)?.size ?? 0;
      if (!best || size < best.size) best = { ix, key, size };
    }
    if (!best) return undefined;
    const signature = sort.fields.map((f) => `${f.dir}${f.parts.join('.')}`).join('\u0000');
    return best.ix.sortedDocs(best.key, signature, (ids) => {
      const docs: Doc[] = [];
      for (const id of ids) {
        const d = this.docs.get(id);
        if (d) docs.push(d);
      }
      return sortDocs(docs, sort);
    });
  }

  /** The index an equality on `path` (with these values) can use: its first field, not partial. */
  private equalityIndex(path: string, values: unknown[]): Index | undefined {
    for (const ix of this.indexes.values()) {
      if (ix.isId || ix.isPartial || (ix.fields[0] as { path: string }).path !== path) continue;
      if (ix.sparse && values.some((v) => v === null || v === undefined)) continue;
      return ix;
    }
    return undefined;
  }

  private lookupIds(path: string, values: unknown[]): string[] | undefined {
    // index order: ascending key, insertion order within a key
    const sorted = [...values].sort(compareValues);
    if (path === '_id') {
      const out: string[] = [];
      for (const v of sorted) {
        const id = idKeyOf(v);
        if (this.docs.has(id)) out.push(id);
      }
      return out;
    }
    const chosen = this.equalityIndex(path, sorted);
    if (!chosen) return undefined;
    const out: string[] = [];
    for (const v of sorted) for (const id of chosen.lookup.get(canonicalKey(v)) ?? []) out.push(id);
    return out;
  }

  findIndexByNameOrKey(hint: unknown): Index | undefined {
    if (typeof hint === 'string') return this.indexes.get(hint);
    if (isPlainObject(hint))
      for (const ix of this.indexes.values()) if (ix.sameKeyPattern({ key: hint })) return ix;
    return undefined;
  }
}

/** Equality conditions usable for an index lookup: field: literal, {$eq}, {$in} (no regexes). */
function collectEqualities(filter: Doc, out: Map<string, unknown[]>): void {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const c of v) if (isPlainObject(c)) collectEqualities(c, out);
      continue;
    }
    if (k.startsWith('$')) continue;
    let values: unknown[] | undefined;
    if (isOperatorObject(v)) {
      if ('$eq' in v) values = [v.$eq];
      else if (Array.isArray(v.$in)) values = v.$in;
    } else values = [v];
    if (!values || values.some((x) => isRegexValue(x) || isOperatorObject(x))) continue;
    if (!out.has(k)) out.set(k, values);
  }
}
