// Dotted-path traversal with MongoDB's array semantics. Query matching, index
// keys, sort keys and distinct all use `someAtPath`/`valuesAtPath` so an
// index lookup finds exactly the documents the matcher would accept.
import { arrayIndex, isPlainObject, MISSING } from './values.js';
import type { Doc } from './values.js';

const splitCache = new Map<string, string[]>();

export function splitPath(path: string): string[] {
  let parts = splitCache.get(path);
  if (!parts) {
    parts = path.split('.');
    if (splitCache.size > 10000) splitCache.clear();
    splitCache.set(path, parts);
  }
  return parts;
}

const own = (o: Doc, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : MISSING);

/**
 * True when `pred` holds for some value reachable at `parts`. Arrays on the
 * way are traversed (a numeric component also indexes into the array); a
 * leaf array is offered both as a whole and, when `expandLeaf`, element by
 * element. An absent path is offered as MISSING.
 */
export function someAtPath(
  value: unknown,
  parts: readonly string[],
  pred: (v: unknown) => boolean,
  expandLeaf = true,
  i = 0,
): boolean {
  if (i === parts.length) {
    if (pred(value)) return true;
    if (expandLeaf && Array.isArray(value)) {
      for (const e of value) if (pred(e)) return true;
    }
    return false;
  }
  const part = parts[i] as string;
  if (Array.isArray(value)) {
    let produced = false;
    const idx = arrayIndex(part);
    if (idx !== undefined && idx < value.length) {
      produced = true;
      if (someAtPath(value[idx], parts, pred, expandLeaf, i + 1)) return true;
    }
    for (const e of value) {
      if (isPlainObject(e)) {
        produced = true;
        if (someAtPath(own(e, part), parts, pred, expandLeaf, i + 1)) return true;
      }
    }
    return produced ? false : pred(MISSING);
  }
  if (isPlainObject(value)) return someAtPath(own(value, part), parts, pred, expandLeaf, i + 1);
  return pred(MISSING);
}

/** Every value `someAtPath` would offer to its predicate (MISSING included). */
export function valuesAtPath(value: unknown, parts: readonly string[], expandLeaf = true): unknown[] {
  const out: unknown[] = [];
  someAtPath(
    value,
    parts,
    (v) => {
      out.push(v);
      return false;
    },
    expandLeaf,
  );
  return out;
}

/**
 * Values for index keys: like valuesAtPath, but a leaf array contributes its
 * elements only (an empty array contributes `undefined`), as mongod's
 * multikey indexes do.
 */
export function indexValuesAtPath(doc: unknown, parts: readonly string[]): unknown[] {
  const out: unknown[] = [];
  const visit = (value: unknown, i: number): void => {
    if (i === parts.length) {
      if (Array.isArray(value)) {
        if (value.length === 0) out.push(undefined);
        else for (const e of value) out.push(e);
      } else out.push(value);
      return;
    }
    const part = parts[i] as string;
    if (Array.isArray(value)) {
      let produced = false;
      const idx = arrayIndex(part);
      if (idx !== undefined && idx < value.length) {
        produced = true;
        visit(value[idx], i + 1);
      }
      for (const e of value) {
        if (isPlainObject(e)) {
          produced = true;
          visit(own(e, part), i + 1);
        }
      }
      if (!produced) out.push(MISSING);
      return;
    }
    if (isPlainObject(value)) visit(own(value, part), i + 1);
    else out.push(MISSING);
  };
  visit(doc, 0);
  return out;
}

/**
 * Aggregation field-path semantics ("$a.b"): through arrays the result is the
 * array of the elements' values (missing ones skipped); numeric components
 * are field names, not indexes.
 */
export function resolveFieldPath(value: unknown, parts: readonly string[], i = 0): unknown {
  if (i === parts.length) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const e of value) {
      if (isPlainObject(e) || Array.isArray(e)) {
        const r = resolveFieldPath(e, parts, i);
        if (r !== MISSING) out.push(r);
      }
    }
    return out;
  }
  if (isPlainObject(value)) return resolveFieldPath(own(value, parts[i] as string), parts, i + 1);
  return MISSING;
}

/** Plain lookup without array traversal (numeric components index arrays). */
export function getPathExact(value: unknown, parts: readonly string[]): unknown {
  let cur = value;
  for (const part of parts) {
    if (Array.isArray(cur)) {
      const idx = arrayIndex(part);
      if (idx === undefined || idx >= cur.length) return MISSING;
      cur = cur[idx];
    } else if (isPlainObject(cur)) cur = own(cur, part);
    else return MISSING;
  }
  return cur;
}
