// Secondary indexes: a hash map from the canonical value of the index's first
// field to document ids (for equality lookups without a collection scan), and
// for unique indexes a map from the full (compound) key to the owning id.
import { Int32 } from 'bson';
import { badValue, err, ErrorCodes, unsupported } from './errors.js';
import { numKind, toDouble } from './numeric.js';
import { indexValuesAtPath, splitPath, valuesAtPath } from './paths.js';
import { compileFilter, isOperatorObject } from './query/matcher.js';
import type { Predicate } from './query/matcher.js';
import { canonicalKey, formatValue, isPlainObject, MISSING } from './values.js';
import type { Doc } from './values.js';

export interface IndexField {
  path: string;
  parts: readonly string[];
}

export interface UniqueEntry {
  key: string;
  keyValue: Doc;
}

const ALLOWED_OPTIONS = new Set([
  'key',
  'name',
  'v',
  'unique',
  'sparse',
  'partialFilterExpression',
  'background',
  'hidden',
  'ns',
]);

const UNSUPPORTED_OPTIONS: Record<string, string> = {
  expireAfterSeconds: 'TTL indexes (expireAfterSeconds)',
  collation: 'index collation',
  weights: 'text indexes (weights)',
  default_language: 'text indexes (default_language)',
  language_override: 'text indexes (language_override)',
  textIndexVersion: 'text indexes (textIndexVersion)',
  '2dsphereIndexVersion': 'geospatial (2dsphere) indexes',
  bits: 'geospatial (2d) indexes',
  min: 'geospatial (2d) indexes',
  max: 'geospatial (2d) indexes',
  bucketSize: 'geoHaystack indexes',
  wildcardProjection: 'wildcard indexes',
  storageEngine: 'index storageEngine options',
  clustered: 'clustered indexes',
  prepareUnique: 'prepareUnique indexes',
};

const PARTIAL_OPERATORS = new Set(['$eq', '$exists', '$gt', '$gte', '$lt', '$lte', '$type', '$in']);

function validatePartialFilter(f: unknown): void {
  if (!isPlainObject(f)) throw err(ErrorCodes.CannotCreateIndex, 'partialFilterExpression must be an object');
  for (const [k, v] of Object.entries(f)) {
    if (k === '$and' || k === '$or') {
      if (!Array.isArray(v)) throw badValue(`${k} must be an array`);
      for (const c of v) validatePartialFilter(c);
    } else if (k.startsWith('$')) {
      throw err(ErrorCodes.CannotCreateIndex, `Expression not supported in partial index: ${k}`);
    } else if (isOperatorObject(v)) {
      for (const [op, arg] of Object.entries(v)) {
        if (!PARTIAL_OPERATORS.has(op))
          throw err(
            ErrorCodes.CannotCreateIndex,
            `Expression not supported in partial index: ${k}: { ${op}: ${formatValue(arg)} }`,
          );
        if (op === '$exists' && arg !== true && !(numKind(arg) && toDouble(arg) !== 0))
          throw err(
            ErrorCodes.CannotCreateIndex,
            `Expression not supported in partial index: ${k}: { $exists: false }`,
          );
      }
    }
  }
}

/** Validate a createIndexes spec and return the normalised stored spec. */
export function normalizeIndexSpec(raw: unknown): Doc {
  if (!isPlainObject(raw)) throw err(ErrorCodes.TypeMismatch, 'index specification must be an object');
  const key = raw.key;
  if (!isPlainObject(key) || Object.keys(key).length === 0)
    throw err(ErrorCodes.CannotCreateIndex, 'Index keys cannot be empty.');
  for (const [field, dir] of Object.entries(key)) {
    if (typeof dir === 'string') {
      if (dir === 'text') throw unsupported('text indexes');
      if (dir === '2dsphere' || dir === '2d' || dir === 'geoHaystack')
        throw unsupported(`geospatial (${dir}) indexes`);
      if (dir === 'hashed') throw unsupported('hashed indexes');
      throw err(ErrorCodes.CannotCreateIndex, `Unknown index plugin '${dir}'`);
    }
    if (field.includes('$**')) throw unsupported('wildcard indexes');
    if (field === '' || field.split('.').some((p) => p === '' || p.startsWith('$')))
      throw err(
        ErrorCodes.CannotCreateIndex,
        `Index key contains an illegal field name: field name starts with '$' or is empty: ${field}`,
      );
    if (!numKind(dir) || toDouble(dir) === 0 || Number.isNaN(toDouble(dir)))
      throw err(
        ErrorCodes.CannotCreateIndex,
        `Values in the index key pattern can only be non-zero numbers or strings, found ${field}: ${formatValue(dir)}`,
      );
  }
  for (const opt of Object.keys(raw)) {
    if (UNSUPPORTED_OPTIONS[opt]) throw unsupported(UNSUPPORTED_OPTIONS[opt] as string);
    if (!ALLOWED_OPTIONS.has(opt))
      throw err(
        ErrorCodes.InvalidIndexSpecificationOption,
        `The field '${opt}' is not valid for an index specification. Specification: ${formatValue(raw)}`,
      );
  }
  const name =
    raw.name ??
    Object.entries(key)
      .map(([k, v]) => `${k}_${formatIndexDir(v)}`)
      .join('_');
  if (typeof name !== 'string' || name === '')
    throw err(ErrorCodes.CannotCreateIndex, 'index name must be a non-empty string');
  if (name === '*') throw badValue("The index name '*' is not valid.");
  const spec: Doc = { v: new Int32(2), key, name };
  const isId = Object.keys(key).length === 1 && Object.keys(key)[0] === '_id';
  if (raw.unique !== undefined && truthyOption(raw.unique)) {
    if (isId) throw badValue("The field 'unique' is not valid for an _id index specification.");
    spec.unique = true;
  }
  if (raw.sparse !== undefined && truthyOption(raw.sparse)) spec.sparse = true;
  if (raw.hidden !== undefined && truthyOption(raw.hidden)) spec.hidden = true;
  if (raw.partialFilterExpression !== undefined) {
    if (spec.sparse)
      throw err(ErrorCodes.CannotCreateIndex, 'cannot mix "partialFilterExpression" and "sparse" options');
    validatePartialFilter(raw.partialFilterExpression);
    compileFilter(raw.partialFilterExpression);
    spec.partialFilterExpression = raw.partialFilterExpression;
  }
  return spec;
}

function truthyOption(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (numKind(v)) return toDouble(v) !== 0;
  throw err(ErrorCodes.TypeMismatch, `index option must be a boolean, found ${formatValue(v)}`);
}

function formatIndexDir(v: unknown): string {
  return numKind(v) ? String(toDouble(v)) : String(v);
}

/** Index key of an empty array: mongod indexes it as `undefined`, distinct from null. */
const EMPTY_ARRAY_KEY = 'U';

function indexKeyOf(v: unknown): string {
  if (v === undefined) return EMPTY_ARRAY_KEY;
  return canonicalKey(v === MISSING ? null : v);
}

export class Index {
  readonly spec: Doc;
  readonly name: string;
  readonly key: Doc;
  readonly fields: IndexField[];
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly isId: boolean;
  private readonly partial: Predicate | undefined;
  /** canonical first-field value -> ids (not maintained for _id_: the collection map serves). */
  lookup = new Map<string, Set<string>>();
  /** full key -> id, for unique indexes */
  uniqueKeys: Map<string, string> | undefined;
  /**
   * First-field key -> sort signature -> that key's documents in that order, built by a sorted
   * query with a limit and dropped whenever a document joins or leaves the key (a replaced
   * document leaves and joins), so `find({county}).sort(...).limit(n)` reads n documents.
   */
  private sorted = new Map<string, Map<string, Doc[]>>();
  /**
   * Compound indexes: full key (every field) -> ids, so an equality on all the fields (a
   * processed-event check on {groupId, eventId}) is one lookup, not a walk through everything
   * under a low-cardinality first field. Off (undefined) once a document had parallel arrays,
   * which have no full key here.
   */
  private full: Map<string, Set<string>> | undefined;

  constructor(spec: Doc) {
    this.spec = spec;
    this.name = spec.name as string;
    this.key = spec.key as Doc;
    this.fields = Object.keys(this.key).map((path) => ({ path, parts: splitPath(path) }));
    this.unique = spec.unique === true;
    this.sparse = spec.sparse === true;
    this.isId = this.name === '_id_';
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : undefined;
    if (this.unique) this.uniqueKeys = new Map();
    if (this.fields.length > 1) this.full = new Map();
  }

  get isPartial(): boolean {
    return this.partial !== undefined;
  }

  /** Is the document in this index (sparse / partial filters)? */
  contains(doc: Doc): boolean {
    if (this.partial && !this.partial(doc)) return false;
    if (this.sparse) return this.fields.some((f) => valuesAtPath(doc, f.parts).some((v) => v !== MISSING));
    return true;
  }

  lookupKeys(doc: Doc): string[] {
    const first = this.fields[0] as IndexField;
    const keys = new Set<string>();
    for (const v of valuesAtPath(doc, first.parts)) keys.add(canonicalKey(v));
    return [...keys];
  }

  /** Full keys of a document for `full`, or undefined for parallel arrays (no entry then). */
  private fullKeys(doc: Doc): string[] | undefined {
    try {
      return this.uniqueEntries(doc).map((e) => e.key);
    } catch {
      return undefined;
    }
  }

  /**
   * Ids under the full key of a compound index when `eqs` has one plain value (not null,
   * missing or an array, whose matching is wider than the key) for every field, else undefined.
   */
  lookupFull(eqs: ReadonlyMap<string, unknown[]>): string[] | undefined {
    if (!this.full || this.isPartial) return undefined;
    let key = '';
    for (const f of this.fields) {
      const values = eqs.get(f.path);
      if (!values || values.length !== 1) return undefined;
      const v = values[0];
      if (v === null || v === undefined || Array.isArray(v)) return undefined;
      const k = indexKeyOf(v);
      key += `${k.length}:${k}`;
    }
    return [...(this.full.get(key) ?? [])];
  }

  /** Unique-key entries of a document (one per multikey combination). */
  uniqueEntries(doc: Doc): UniqueEntry[] {
    let combos: { keys: string[]; values: unknown[] }[] = [{ keys: [], values: [] }];
    let arrays = 0;
    for (const f of this.fields) {
      const raw = indexValuesAtPath(doc, f.parts);
      const distinct = new Map<string, unknown>();
      for (const v of raw) {
        const k = indexKeyOf(v);
        if (!distinct.has(k)) distinct.set(k, v === MISSING ? null : v);
      }
      if (distinct.size > 1 && ++arrays > 1)
        throw err(171, `cannot index parallel arrays [${this.fields.map((x) => x.path).join('] [')}]`);
      const next: { keys: string[]; values: unknown[] }[] = [];
      for (const c of combos)
        for (const [k, v] of distinct) next.push({ keys: [...c.keys, k], values: [...c.values, v] });
      combos = next;
    }
    return combos.map((c) => ({
      key: c.keys.map((k) => `${k.length}:${k}`).join(''),
      keyValue: Object.fromEntries(this.fields.map((f, i) => [f.path, c.values[i]])),
    }));
  }

  add(doc: Doc, id: string, entries?: UniqueEntry[]): void {
    if (this.isId || !this.contains(doc)) return;
    for (const k of this.lookupKeys(doc)) {
      this.sorted.delete(k);
      let s = this.lookup.get(k);
      if (!s) {
        s = new Set();
        this.lookup.set(k, s);
      }
      s.add(id);
    }
    if (this.uniqueKeys) for (const e of entries ?? this.uniqueEntries(doc)) this.uniqueKeys.set(e.key, id);
    if (this.full) {
      const keys = entries ? entries.map((e) => e.key) : this.fullKeys(doc);
      if (!keys) this.full = undefined;
      else
        for (const k of keys) {
          let s = this.full.get(k);
          if (!s) {
            s = new Set();
            this.full.set(k, s);
          }
          s.add(id);
        }
    }
  }

  remove(doc: Doc, id: string): void {
    if (this.isId || !this.contains(doc)) return;
    for (const k of this.lookupKeys(doc)) {
      this.sorted.delete(k);
      const s = this.lookup.get(k);
      if (s) {
        s.delete(id);
        if (s.size === 0) this.lookup.delete(k);
      }
    }
    if (this.uniqueKeys)
      for (const e of this.uniqueEntries(doc))
        if (this.uniqueKeys.get(e.key) === id) this.uniqueKeys.delete(e.key);
    if (this.full)
      for (const k of this.fullKeys(doc) ?? []) {
        const s = this.full.get(k);
        if (s) {
          s.delete(id);
          if (s.size === 0) this.full.delete(k);
        }
      }
  }

  /** The first unique entry of `doc` owned by another document. */
  conflict(doc: Doc, id: string): { entry: UniqueEntry; owner: string } | undefined {
    if (!this.uniqueKeys || !this.contains(doc)) return undefined;
    for (const entry of this.uniqueEntries(doc)) {
      const owner = this.uniqueKeys.get(entry.key);
      if (owner !== undefined && owner !== id) return { entry, owner };
    }
    return undefined;
  }

  /** The documents of one first-field key in a sort order, from the cache or built now. */
  sortedDocs(key: string, signature: string, build: (ids: ReadonlySet<string>) => Doc[]): Doc[] {
    let bySort = this.sorted.get(key);
    let docs = bySort?.get(signature);
    if (!docs) {
      docs = build(this.lookup.get(key) ?? new Set());
      if (!bySort) {
        bySort = new Map();
        this.sorted.set(key, bySort);
      }
      bySort.set(signature, docs);
    }
    return docs;
  }

  clone(): Index {
    const c = new Index(this.spec);
    for (const [k, s] of this.lookup) c.lookup.set(k, new Set(s));
    if (this.uniqueKeys) c.uniqueKeys = new Map(this.uniqueKeys);
    c.full = this.full && new Map([...this.full].map(([k, ids]) => [k, new Set(ids)]));
    return c;
  }

  sameKeyPattern(other: Doc): boolean {
    return (
      canonicalKey(this.key) === canonicalKey(other.key) && keyOrder(this.key) === keyOrder(other.key as Doc)
    );
  }
}

const keyOrder = (k: Doc): string => Object.keys(k).join('\u0000');
