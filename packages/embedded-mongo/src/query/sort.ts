// Sort specifications. Keys are extracted once per document; an array field
// sorts by its smallest element ascending and its largest descending, and an
// empty array sorts before null, as in mongod.
import { badValue, err, unsupported } from '../errors.js';
import { numKind, toDouble } from '../numeric.js';
import { indexValuesAtPath, splitPath } from '../paths.js';
import { compareValues, isPlainObject, MISSING } from '../values.js';
import type { Doc } from '../values.js';

interface SortField {
  parts: readonly string[];
  dir: 1 | -1;
}

export interface CompiledSort {
  fields: SortField[];
  /** {$natural: -1} */
  natural?: 1 | -1;
}

const EMPTY_ARRAY = Symbol('emptyArray');

function sortCompare(a: unknown, b: unknown): number {
  if (a === EMPTY_ARRAY || b === EMPTY_ARRAY) return a === b ? 0 : a === EMPTY_ARRAY ? -1 : 1;
  return compareValues(a, b);
}

export function compileSort(spec: unknown, stage = false): CompiledSort | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainObject(spec)) throw err(14, 'sort must be an object');
  const keys = Object.keys(spec);
  if (keys.length === 0) {
    if (stage) throw err(15976, '$sort stage must have at least one sort key');
    return undefined;
  }
  const fields: SortField[] = [];
  let natural: 1 | -1 | undefined;
  for (const k of keys) {
    const v = spec[k];
    if (isPlainObject(v)) {
      if ('$meta' in v) throw unsupported(`sort by {$meta: ${JSON.stringify(v.$meta)}}`);
      throw badValue(`Illegal key in $sort specification: ${k}: ${JSON.stringify(v)}`);
    }
    const d = numKind(v) ? toDouble(v) : NaN;
    if (d !== 1 && d !== -1)
      throw err(15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    if (k === '$natural') natural = d;
    else fields.push({ parts: splitPath(k), dir: d });
  }
  return { fields, natural };
}

function sortKey(doc: unknown, f: SortField): unknown {
  const values = indexValuesAtPath(doc, f.parts);
  let best: unknown = MISSING;
  for (let v of values) {
    if (v === MISSING) v = null;
    else if (v === undefined) v = EMPTY_ARRAY;
    if (best === MISSING) best = v;
    else {
      const c = sortCompare(v, best);
      if (f.dir === 1 ? c < 0 : c > 0) best = v;
    }
  }
  return best === MISSING ? null : best;
}

/** A document's sort keys, for compareSortKeys. */
export function sortKeysOf(doc: Doc, sort: CompiledSort): unknown[] {
  return sort.fields.map((f) => sortKey(doc, f));
}

/** Compares two documents' sort keys in the sort's order (0: equal). */
export function compareSortKeys(a: unknown[], b: unknown[], sort: CompiledSort): number {
  for (let j = 0; j < sort.fields.length; j++) {
    const c = sortCompare(a[j], b[j]);
    if (c !== 0) return c * (sort.fields[j] as SortField).dir;
  }
  return 0;
}

export function sortDocs<T extends Doc>(docs: T[], sort: CompiledSort | undefined): T[] {
  if (!sort) return docs;
  if (sort.fields.length === 0) return sort.natural === -1 ? [...docs].reverse() : docs;
  const decorated = docs.map((d, i) => ({ d, i, keys: sort.fields.map((f) => sortKey(d, f)) }));
  decorated.sort((x, y) => {
    for (let j = 0; j < sort.fields.length; j++) {
      const c = sortCompare(x.keys[j], y.keys[j]);
      if (c !== 0) return c * (sort.fields[j] as SortField).dir;
    }
    return x.i - y.i;
  });
  return decorated.map((x) => x.d);
}
