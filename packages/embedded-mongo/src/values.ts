// BSON value semantics: type order, comparison, equality, canonical keys and
// formatting, all as mongod does them. Every query, sort, index and group in
// the server goes through these functions, so they are the single source of
// truth for "is a equal to / less than b".
import type { Binary, BSONRegExp, Decimal128, Long, ObjectId, Timestamp } from 'bson';
import { compareNumbers, numKind, numberKey, toDouble } from './numeric.js';

export type Doc = Record<string, unknown>;

/** A path that does not exist in a document (distinct from an explicit null). */
export const MISSING: unique symbol = Symbol('missing');
export type Missing = typeof MISSING;

export function isPlainObject(v: unknown): v is Doc {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export const bsonTag = (v: unknown): string | undefined =>
  typeof v === 'object' && v !== null ? (v as { _bsontype?: string })._bsontype : undefined;

export function isRegexValue(v: unknown): v is BSONRegExp | RegExp {
  return v instanceof RegExp || bsonTag(v) === 'BSONRegExp';
}

export function regexParts(v: BSONRegExp | RegExp): { pattern: string; options: string } {
  if (v instanceof RegExp) return { pattern: v.source, options: v.flags.replace(/[gyd]/g, '') };
  return { pattern: v.pattern, options: v.options };
}

// Canonical type ranks (mongod's canonicalizeBSONType).
export const Rank = {
  MinKey: -1,
  Null: 5,
  Number: 10,
  String: 15,
  Object: 20,
  Array: 25,
  BinData: 30,
  ObjectId: 35,
  Bool: 40,
  Date: 45,
  Timestamp: 47,
  Regex: 50,
  DBPointer: 55,
  Code: 60,
  CodeWithScope: 65,
  MaxKey: 100,
} as const;

export function typeRank(v: unknown): number {
  if (v === null || v === undefined || v === MISSING) return Rank.Null;
  switch (typeof v) {
    case 'string':
      return Rank.String;
    case 'boolean':
      return Rank.Bool;
    case 'number':
    case 'bigint':
      return Rank.Number;
    case 'object':
      break;
    default:
      return Rank.Null;
  }
  if (Array.isArray(v)) return Rank.Array;
  if (v instanceof Date) return Rank.Date;
  if (v instanceof RegExp) return Rank.Regex;
  switch ((v as { _bsontype?: string })._bsontype) {
    case undefined:
      return Rank.Object;
    case 'Int32':
    case 'Double':
    case 'Long':
    case 'Decimal128':
      return Rank.Number;
    case 'ObjectId':
      return Rank.ObjectId;
    case 'Binary':
      return Rank.BinData;
    case 'BSONRegExp':
      return Rank.Regex;
    case 'Timestamp':
      return Rank.Timestamp;
    case 'MinKey':
      return Rank.MinKey;
    case 'MaxKey':
      return Rank.MaxKey;
    case 'BSONSymbol':
      return Rank.String;
    case 'Code':
      return (v as { scope?: unknown }).scope ? Rank.CodeWithScope : Rank.Code;
    case 'DBRef':
      return Rank.Object;
    default:
      return Rank.Object;
  }
}

/** The `$type` name of a value ('missing' for an absent path). */
export function bsonTypeName(v: unknown): string {
  if (v === MISSING) return 'missing';
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  const k = numKind(v);
  if (k) return k;
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'object':
      break;
    default:
      return 'undefined';
  }
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  switch (bsonTag(v)) {
    case 'ObjectId':
      return 'objectId';
    case 'Binary':
      return 'binData';
    case 'BSONRegExp':
      return 'regex';
    case 'Timestamp':
      return 'timestamp';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'BSONSymbol':
      return 'symbol';
    case 'Code':
      return (v as { scope?: unknown }).scope ? 'javascriptWithScope' : 'javascript';
    default:
      return 'object';
  }
}

export const TYPE_ALIASES: Record<number, string> = {
  1: 'double',
  2: 'string',
  3: 'object',
  4: 'array',
  5: 'binData',
  6: 'undefined',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  10: 'null',
  11: 'regex',
  12: 'dbPointer',
  13: 'javascript',
  14: 'symbol',
  15: 'javascriptWithScope',
  16: 'int',
  17: 'timestamp',
  18: 'long',
  19: 'decimal',
  [-1]: 'minKey',
  127: 'maxKey',
};
export const TYPE_NAMES = new Set([...Object.values(TYPE_ALIASES), 'number']);

/** UTF-8 byte order (mongod's simple collation), not UTF-16 code-unit order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // surrogates encode code points above U+FFFF: they sort after U+E000..U+FFFF
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

const stringOf = (v: unknown): string =>
  typeof v === 'string' ? v : String((v as { value: unknown }).value);

function bytesOf(v: Binary | ObjectId): Uint8Array {
  if (bsonTag(v) === 'ObjectId') return (v as ObjectId).id;
  const b = v as Binary;
  return b.buffer.subarray(0, b.position);
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
}

function entriesOf(v: unknown): [string, unknown][] {
  if (bsonTag(v) === 'DBRef') return Object.entries((v as { toJSON(): Doc }).toJSON());
  return Object.entries(v as Doc);
}

/** Total order over BSON values (mongod's woCompare without collation). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case Rank.Null:
    case Rank.MinKey:
    case Rank.MaxKey:
      return 0;
    case Rank.Number:
      return compareNumbers(a, b);
    case Rank.String:
      return compareStrings(stringOf(a), stringOf(b));
    case Rank.Object: {
      const ea = entriesOf(a);
      const eb = entriesOf(b);
      const n = Math.min(ea.length, eb.length);
      for (let i = 0; i < n; i++) {
        const [ka, va] = ea[i] as [string, unknown];
        const [kb, vb] = eb[i] as [string, unknown];
        const ta = typeRank(va);
        const tb = typeRank(vb);
        if (ta !== tb) return ta < tb ? -1 : 1;
        const kc = compareStrings(ka, kb);
        if (kc !== 0) return kc;
        const vc = compareValues(va, vb);
        if (vc !== 0) return vc;
      }
      return ea.length < eb.length ? -1 : ea.length > eb.length ? 1 : 0;
    }
    case Rank.Array: {
      const xa = a as unknown[];
      const xb = b as unknown[];
      const n = Math.min(xa.length, xb.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(xa[i], xb[i]);
        if (c !== 0) return c;
      }
      return xa.length < xb.length ? -1 : xa.length > xb.length ? 1 : 0;
    }
    case Rank.BinData: {
      // length first, then subtype, then bytes
      const x = bytesOf(a as Binary);
      const y = bytesOf(b as Binary);
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      const sa = (a as Binary).sub_type;
      const sb = (b as Binary).sub_type;
      if (sa !== sb) return sa < sb ? -1 : 1;
      return compareBytes(x, y);
    }
    case Rank.ObjectId:
      return compareBytes(bytesOf(a as ObjectId), bytesOf(b as ObjectId));
    case Rank.Bool:
      return a === b ? 0 : a ? 1 : -1;
    case Rank.Date: {
      const x = (a as Date).getTime();
      const y = (b as Date).getTime();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Rank.Timestamp: {
      const x = a as Timestamp;
      const y = b as Timestamp;
      if (x.t !== y.t) return x.t < y.t ? -1 : 1;
      return x.i < y.i ? -1 : x.i > y.i ? 1 : 0;
    }
    case Rank.Regex: {
      const x = regexParts(a as BSONRegExp);
      const y = regexParts(b as BSONRegExp);
      return compareStrings(x.pattern, y.pattern) || compareStrings(x.options, y.options);
    }
    case Rank.Code:
    case Rank.CodeWithScope:
      return compareStrings(String((a as { code: string }).code), String((b as { code: string }).code));
    default:
      return 0;
  }
}

/**
 * A string that is equal for two values exactly when mongod considers them
 * equal (1, 1.0 and Long(1) share a key). Used for hash indexes, $in sets,
 * $group and distinct.
 */
export function canonicalKey(v: unknown): string {
  if (v === null || v === undefined || v === MISSING) return 'z';
  switch (typeof v) {
    case 'string':
      return 's' + v;
    case 'boolean':
      return v ? 'bt' : 'bf';
    case 'number':
      return 'n' + numberKey(v);
    case 'object':
      break;
    default:
      return 'z';
  }
  if (Array.isArray(v)) {
    let s = '[';
    for (const e of v) {
      const ck = canonicalKey(e);
      s += ck.length + ':' + ck;
    }
    return s + ']';
  }
  if (v instanceof Date) return 'd' + v.getTime();
  if (v instanceof RegExp) return 'r' + JSON.stringify([v.source, regexParts(v).options]);
  switch ((v as { _bsontype?: string })._bsontype) {
    case undefined:
    case 'DBRef': {
      let s = '{';
      for (const [k, x] of entriesOf(v)) {
        const ck = canonicalKey(x);
        s += k.length + ':' + k + ck.length + ':' + ck;
      }
      return s + '}';
    }
    case 'Int32':
    case 'Double':
    case 'Long':
    case 'Decimal128':
      return 'n' + numberKey(v);
    case 'ObjectId':
      return 'o' + (v as ObjectId).toHexString();
    case 'Binary': {
      const b = v as Binary;
      return 'x' + b.sub_type + ':' + Buffer.from(bytesOf(b)).toString('base64');
    }
    case 'BSONRegExp': {
      const r = v as BSONRegExp;
      return 'r' + JSON.stringify([r.pattern, r.options]);
    }
    case 'Timestamp': {
      const t = v as Timestamp;
      return 'T' + t.t + ':' + t.i;
    }
    case 'MinKey':
      return 'm';
    case 'MaxKey':
      return 'M';
    case 'BSONSymbol':
      return 's' + String((v as { value: unknown }).value);
    case 'Code':
      return 'c' + JSON.stringify([(v as { code: string }).code, (v as { scope?: unknown }).scope ?? null]);
    default:
      return 'u' + String(v);
  }
}

/** Exact (binary) equality: types, field order and numeric kinds must all match. */
export function identical(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!identical(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ta = bsonTag(a);
  if (ta !== bsonTag(b)) return false;
  if (ta === undefined) {
    if (a instanceof Date || b instanceof Date)
      return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (let i = 0; i < ka.length; i++) {
      const k = ka[i] as string;
      if (k !== kb[i] || !identical((a as Doc)[k], (b as Doc)[k])) return false;
    }
    return true;
  }
  switch (ta) {
    case 'Int32':
    case 'Double':
      return Object.is((a as { value: number }).value, (b as { value: number }).value);
    case 'Long':
      return (a as Long).equals(b as Long);
    case 'Decimal128':
      return (a as Decimal128).toString() === (b as Decimal128).toString();
    case 'Binary':
      return (a as Binary).sub_type === (b as Binary).sub_type && compareValues(a, b) === 0;
    default:
      return compareValues(a, b) === 0 && canonicalKey(a) === canonicalKey(b);
  }
}

/** Deep copy of the mutable parts (plain objects, arrays); BSON values are shared. */
export function cloneValue<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneValue) as T;
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const k of Object.keys(v)) out[k] = cloneValue(v[k]);
    return out as T;
  }
  return v;
}

/** mongod-style rendering used inside error messages (dup key, type errors). */
export function formatValue(v: unknown): string {
  if (v === MISSING || v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.length ? `[ ${v.map(formatValue).join(', ')} ]` : '[]';
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
  switch (bsonTag(v)) {
    case undefined:
    case 'DBRef': {
      const entries = entriesOf(v);
      return entries.length ? `{ ${entries.map(([k, x]) => `${k}: ${formatValue(x)}`).join(', ')} }` : '{}';
    }
    case 'Int32':
      return String((v as { value: number }).value);
    case 'Double': {
      const x = toDouble(v);
      return Number.isInteger(x) ? x.toFixed(1) : String(x);
    }
    case 'Long':
      return (v as Long).toString();
    case 'Decimal128':
      return `Decimal128("${(v as Decimal128).toString()}")`;
    case 'ObjectId':
      return `ObjectId('${(v as ObjectId).toHexString()}')`;
    case 'Binary': {
      const b = v as Binary;
      return `BinData(${b.sub_type}, ${Buffer.from(bytesOf(b)).toString('hex').toUpperCase()})`;
    }
    case 'BSONRegExp': {
      const r = v as BSONRegExp;
      return `/${r.pattern}/${r.options}`;
    }
    case 'Timestamp': {
      const t = v as Timestamp;
      return `Timestamp(${t.t}, ${t.i})`;
    }
    case 'MinKey':
      return 'MinKey';
    case 'MaxKey':
      return 'MaxKey';
    default:
      return String(v);
  }
}

/** Parse a non-negative array index path component ("0", "12"; not "01"). */
export function arrayIndex(part: string): number | undefined {
  if (part.length === 0 || part.length > 9) return undefined;
  const c = part.charCodeAt(0);
  if (c < 48 || c > 57 || (c === 48 && part.length > 1)) return undefined;
  for (let i = 1; i < part.length; i++) {
    const d = part.charCodeAt(i);
    if (d < 48 || d > 57) return undefined;
  }
  return Number(part);
}

export function truthy(v: unknown): boolean {
  if (v === MISSING || v === null || v === undefined || v === false) return false;
  if (numKind(v)) return toDouble(v) !== 0;
  return true;
}
