// Query filters compiled to predicates over stored (BSON-typed) documents.
// Implemented here rather than with mingo because mingo compares JS values:
// it cannot order Long/Decimal128 or keep mongod's type bracketing.
import { badValue, err, ErrorCodes, unsupported } from '../errors.js';
import { evaluate, newExprContext } from '../aggregate/expressions.js';
import { compareNumbers, isNaNValue, numKind, toDouble, toIntegerBig } from '../numeric.js';
import { someAtPath, splitPath } from '../paths.js';
import {
  bsonTypeName,
  canonicalKey,
  compareValues,
  isPlainObject,
  isRegexValue,
  MISSING,
  Rank,
  regexParts,
  TYPE_ALIASES,
  TYPE_NAMES,
  truthy,
  typeRank,
} from '../values.js';
import type { Doc } from '../values.js';
import { compileRegex } from './regex.js';

export type Predicate = (doc: unknown) => boolean;
type ValuePred = (v: unknown) => boolean;

export interface MatchOptions {
  /** `let` variables visible to $expr. */
  variables?: Doc;
  /** $$NOW for $expr (one value per command). */
  now?: Date;
}

const ALWAYS: Predicate = () => true;
const NEVER: Predicate = () => false;

const GEO_OPERATORS = new Set([
  '$near',
  '$nearSphere',
  '$geoWithin',
  '$geoIntersects',
  '$within',
  '$box',
  '$center',
  '$centerSphere',
  '$polygon',
  '$geometry',
  '$maxDistance',
  '$minDistance',
]);

export function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  for (const k in v) return k.startsWith('$');
  return false;
}

function and(preds: Predicate[]): Predicate {
  if (preds.length === 0) return ALWAYS;
  if (preds.length === 1) return preds[0] as Predicate;
  if (preds.length === 2) {
    const [a, b] = preds as [Predicate, Predicate];
    return (d) => a(d) && b(d);
  }
  return (d) => {
    for (const p of preds) if (!p(d)) return false;
    return true;
  };
}

export function compileFilter(filter: unknown, opts: MatchOptions = {}): Predicate {
  if (filter === undefined || filter === null) return ALWAYS;
  if (!isPlainObject(filter)) throw err(ErrorCodes.TypeMismatch, 'query filter must be an object');
  const preds: Predicate[] = [];
  for (const key of Object.keys(filter)) {
    const cond = filter[key];
    if (key.startsWith('$')) {
      const p = compileTopLevel(key, cond, opts);
      if (p) preds.push(p);
    } else preds.push(compileField(key, cond, opts));
  }
  return and(preds);
}

function clauses(op: string, cond: unknown): Doc[] {
  if (!Array.isArray(cond) || cond.length === 0) throw badValue(`${op} argument must be a non-empty array`);
  return cond.map((c) => {
    if (!isPlainObject(c)) throw badValue(`${op} argument's entries must be objects`);
    return c;
  });
}

function compileTopLevel(op: string, cond: unknown, opts: MatchOptions): Predicate | undefined {
  switch (op) {
    case '$and':
      return and(clauses(op, cond).map((c) => compileFilter(c, opts)));
    case '$or': {
      const ps = clauses(op, cond).map((c) => compileFilter(c, opts));
      return (d) => ps.some((p) => p(d));
    }
    case '$nor': {
      const ps = clauses(op, cond).map((c) => compileFilter(c, opts));
      return (d) => !ps.some((p) => p(d));
    }
    case '$expr': {
      const variables = opts.variables ?? {};
      const now = opts.now ?? new Date();
      return (d) => truthy(evaluate(cond, d, newExprContext(d, variables, now)));
    }
    case '$comment':
      return undefined;
    case '$alwaysTrue':
      return ALWAYS;
    case '$alwaysFalse':
      return NEVER;
    case '$where':
      throw unsupported('$where (server-side JavaScript)');
    case '$text':
      throw unsupported('$text (text search)');
    case '$jsonSchema':
      throw unsupported('$jsonSchema');
    case '$sampleRate':
      throw unsupported('$sampleRate');
    default:
      throw badValue(
        `unknown top level operator: ${op}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.`,
      );
  }
}

function compileField(path: string, cond: unknown, opts: MatchOptions): Predicate {
  const parts = splitPath(path);
  if (isRegexValue(cond)) {
    const pred = regexPred(cond);
    return (d) => someAtPath(d, parts, pred);
  }
  if (isOperatorObject(cond)) return compileOperators(parts, cond, opts);
  const pred = eqPred(cond);
  return (d) => someAtPath(d, parts, pred);
}

// ---------- value predicates ----------

const isNullish = (v: unknown): boolean => v === MISSING || v === null || v === undefined;

export function eqPred(x: unknown): ValuePred {
  if (x === null || x === undefined) return isNullish;
  if (typeof x === 'string') {
    return (v) =>
      v === x || (typeRank(v) === Rank.String && typeof v !== 'string' && compareValues(v, x) === 0);
  }
  if (numKind(x)) {
    if (isNaNValue(x)) return (v) => numKind(v) !== undefined && isNaNValue(v);
    return (v) => numKind(v) !== undefined && compareNumbers(v, x) === 0;
  }
  const rank = typeRank(x);
  return (v) => v !== MISSING && typeRank(v) === rank && compareValues(v, x) === 0;
}

function regexPred(r: unknown): ValuePred {
  const { pattern, options } = regexParts(r as RegExp);
  return regexPredFrom(pattern, options);
}

function regexPredFrom(pattern: string, options: string): ValuePred {
  const re = compileRegex(pattern, options);
  return (v) => {
    if (typeof v === 'string') return re.test(v);
    if (typeRank(v) === Rank.String) return re.test(String((v as { value: unknown }).value));
    if (isRegexValue(v)) {
      const p = regexParts(v);
      return p.pattern === pattern && p.options === options;
    }
    return false;
  };
}

function comparisonPred(op: string, x: unknown): ValuePred {
  if (isRegexValue(x) && op !== '$eq')
    throw badValue(`Can't have RegEx as arg to predicate over field: ${op}`);
  const rank = typeRank(x);
  const test =
    op === '$gt'
      ? (c: number) => c > 0
      : op === '$gte'
        ? (c: number) => c >= 0
        : op === '$lt'
          ? (c: number) => c < 0
          : (c: number) => c <= 0;
  const inclusive = op === '$gte' || op === '$lte';
  const xNaN = isNaNValue(x);
  return (v) => {
    const val = v === MISSING || v === undefined ? null : v;
    if (rank === Rank.MinKey || rank === Rank.MaxKey) return test(compareValues(val, x));
    if (typeRank(val) !== rank) return false;
    if (rank === Rank.Number && (xNaN || isNaNValue(val))) return inclusive && xNaN && isNaNValue(val);
    return test(compareValues(val, x));
  };
}

function inPred(op: string, arr: unknown): ValuePred {
  if (!Array.isArray(arr)) throw badValue(`${op} needs an array`);
  const keys = new Set<string>();
  const regexes: ValuePred[] = [];
  let hasNaN = false;
  for (const x of arr) {
    if (isRegexValue(x)) regexes.push(regexPred(x));
    else if (isOperatorObject(x)) throw badValue(`cannot nest $ under ${op}`);
    else {
      if (isNaNValue(x)) hasNaN = true;
      keys.add(canonicalKey(x));
    }
  }
  return (v) => {
    if (keys.has(canonicalKey(v))) return true;
    if (hasNaN && isNaNValue(v)) return true;
    for (const r of regexes) if (r(v)) return true;
    return false;
  };
}

function typePred(arg: unknown): ValuePred {
  const list = Array.isArray(arg) ? arg : [arg];
  const names = new Set<string>();
  for (const t of list) {
    if (typeof t === 'string') {
      if (!TYPE_NAMES.has(t)) throw badValue(`Unknown type name alias: ${t}`);
      names.add(t);
    } else if (numKind(t)) {
      const name = TYPE_ALIASES[toDouble(t)];
      if (!name) throw badValue(`Invalid numerical type code: ${toDouble(t)}`);
      names.add(name);
    } else throw badValue('type must be represented as a number or a string');
  }
  return (v) => {
    if (v === MISSING) return false;
    const name = bsonTypeName(v);
    return names.has(name) || (names.has('number') && numKind(v) !== undefined);
  };
}

function sizePred(arg: unknown): ValuePred {
  if (!numKind(arg)) throw badValue('$size needs a number');
  const n = toDouble(arg);
  if (!Number.isInteger(n)) throw badValue(`Failed to parse $size. Expected an integer, but found ${n}`);
  if (n < 0) throw badValue(`Failed to parse $size. Expected a non-negative number in: $size: ${n}`);
  return (v) => Array.isArray(v) && v.length === n;
}

function modPred(arg: unknown): ValuePred {
  if (!Array.isArray(arg)) throw badValue('malformed mod, needs to be an array');
  if (arg.length < 2) throw badValue('malformed mod, not enough elements');
  if (arg.length > 2) throw badValue('malformed mod, too many elements');
  const d = toIntegerBig(arg[0]);
  const r = toIntegerBig(arg[1]);
  if (d === undefined || r === undefined)
    throw badValue('malformed mod, divisor and remainder must be numbers');
  if (d === 0n) throw badValue('divisor cannot be 0');
  return (v) => {
    if (!numKind(v)) return false;
    const x = toIntegerBig(v);
    return x !== undefined && x % d === r;
  };
}

function bitsPred(op: string, arg: unknown): ValuePred {
  let mask = 0n;
  if (Array.isArray(arg)) {
    for (const p of arg) {
      const b = toIntegerBig(p);
      if (b === undefined || b < 0n) throw badValue(`bit positions must be non-negative integers for ${op}`);
      mask |= 1n << b;
    }
  } else if (numKind(arg)) {
    const m = toIntegerBig(arg);
    if (m === undefined || m < 0n) throw badValue(`${op} bitmask must be a non-negative integer`);
    mask = m;
  } else throw unsupported(`${op} with a BinData bitmask`);
  return (v) => {
    if (!numKind(v)) return false;
    const x = toIntegerBig(v);
    if (x === undefined || toDouble(v) !== Number(x)) return false;
    const bits = BigInt.asUintN(64, x) & mask;
    switch (op) {
      case '$bitsAllSet':
        return bits === mask;
      case '$bitsAnySet':
        return bits !== 0n;
      case '$bitsAllClear':
        return bits === 0n;
      default:
        return bits !== mask;
    }
  };
}

// ---------- operator objects ----------

/**
 * `leafArrays: false` tests a value as a whole, never an array's elements:
 * how $elemMatch (value form) tests each element, so `[[1, 2]]` does not
 * match `{$elemMatch: {$gt: 1}}` (mongod's matchesSingleElement).
 */
function compileOperators(
  parts: readonly string[],
  ops: Doc,
  opts: MatchOptions,
  leafArrays = true,
): Predicate {
  const preds: Predicate[] = [];
  const some = (pred: ValuePred, expandLeaf = leafArrays): Predicate => {
    return (d) => someAtPath(d, parts, pred, expandLeaf);
  };
  let regexDone = false;
  for (const op of Object.keys(ops)) {
    const arg = ops[op];
    switch (op) {
      case '$eq':
        preds.push(some(isRegexValue(arg) ? regexEqPred(arg) : eqPred(arg)));
        break;
      case '$ne': {
        if (isRegexValue(arg)) throw badValue("Can't have regex as arg to $ne.");
        const p = some(eqPred(arg));
        preds.push((d) => !p(d));
        break;
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        preds.push(some(comparisonPred(op, arg)));
        break;
      case '$in':
        preds.push(some(inPred(op, arg)));
        break;
      case '$nin': {
        const p = some(inPred(op, arg));
        preds.push((d) => !p(d));
        break;
      }
      case '$exists': {
        const p = some((v) => v !== MISSING);
        preds.push(truthy(arg) ? p : (d) => !p(d));
        break;
      }
      case '$type':
        preds.push(some(typePred(arg)));
        break;
      case '$size':
        preds.push(some(sizePred(arg), false));
        break;
      case '$mod':
        preds.push(some(modPred(arg)));
        break;
      case '$all':
        preds.push(allPred(parts, arg, opts));
        break;
      case '$elemMatch':
        preds.push(some(elemMatchPred(arg, opts), false));
        break;
      case '$regex':
      case '$options': {
        if (regexDone) break;
        regexDone = true;
        const source = ops.$regex;
        const options = ops.$options;
        if (source === undefined) throw badValue('$options needs a $regex');
        if (options !== undefined && typeof options !== 'string')
          throw badValue('$options has to be a string');
        if (typeof source === 'string') preds.push(some(regexPredFrom(source, options ?? '')));
        else if (isRegexValue(source)) {
          const p = regexParts(source);
          if (options !== undefined && p.options) throw badValue('options set in both $regex and $options');
          preds.push(some(regexPredFrom(p.pattern, options ?? p.options)));
        } else throw badValue('$regex has to be a string');
        break;
      }
      case '$not': {
        let inner: Predicate;
        if (isRegexValue(arg)) inner = some(regexPred(arg));
        else if (isOperatorObject(arg)) inner = compileOperators(parts, arg, opts, leafArrays);
        else if (isPlainObject(arg) && Object.keys(arg).length === 0) throw badValue('$not cannot be empty');
        else throw badValue('$not needs a regex or a document');
        preds.push((d) => !inner(d));
        break;
      }
      case '$bitsAllSet':
      case '$bitsAnySet':
      case '$bitsAllClear':
      case '$bitsAnyClear':
        preds.push(some(bitsPred(op, arg)));
        break;
      case '$comment':
        break;
      case '$text':
        throw unsupported('$text (text search)');
      case '$where':
        throw unsupported('$where (server-side JavaScript)');
      case '$jsonSchema':
        throw unsupported('$jsonSchema');
      default:
        if (GEO_OPERATORS.has(op)) throw unsupported(`${op} (geospatial query)`);
        throw badValue(`unknown operator: ${op}`);
    }
  }
  return and(preds);
}

/** $eq with a regex operand compares regexes, it does not match strings. */
function regexEqPred(r: unknown): ValuePred {
  const x = regexParts(r as RegExp);
  return (v) => {
    if (!isRegexValue(v)) return false;
    const p = regexParts(v);
    return p.pattern === x.pattern && p.options === x.options;
  };
}

function allPred(parts: readonly string[], arg: unknown, opts: MatchOptions): Predicate {
  if (!Array.isArray(arg)) throw badValue('$all needs an array');
  if (arg.length === 0) return NEVER;
  const elemMatches = arg.filter((x) => isPlainObject(x) && Object.keys(x)[0] === '$elemMatch');
  if (elemMatches.length && elemMatches.length !== arg.length)
    throw badValue('$all/$elemMatch has to be consistent');
  const preds: Predicate[] = arg.map((x) => {
    if (elemMatches.length) {
      const p = elemMatchPred((x as Doc).$elemMatch, opts);
      return (d: unknown) => someAtPath(d, parts, p, false);
    }
    if (isOperatorObject(x)) throw badValue('no $ expressions in $all');
    const p = isRegexValue(x) ? regexPred(x) : eqPred(x);
    return (d: unknown) => someAtPath(d, parts, p);
  });
  return and(preds);
}

const LOGICAL = new Set(['$and', '$or', '$nor', '$expr', '$where', '$text', '$comment']);

function elemMatchPred(arg: unknown, opts: MatchOptions): ValuePred {
  if (!isPlainObject(arg)) throw badValue('$elemMatch needs an Object');
  const keys = Object.keys(arg);
  const valueMode = keys.length > 0 && keys.every((k) => k.startsWith('$') && !LOGICAL.has(k));
  if (valueMode) {
    const p = compileOperators([], arg, opts, false);
    return (v) => Array.isArray(v) && v.some((e) => p(e));
  }
  const p = compileFilter(arg, opts);
  return (v) => Array.isArray(v) && v.some((e) => (isPlainObject(e) || Array.isArray(e)) && p(e));
}

/**
 * Predicate over one array element for $pull: operator objects apply to the
 * element's value, plain objects are queries on element documents, anything
 * else is equality.
 */
export function compileElementPredicate(cond: unknown): ValuePred {
  if (isOperatorObject(cond) && !Object.keys(cond).some((k) => LOGICAL.has(k))) {
    const p = compileOperators([], cond, {});
    return (e) => p(e);
  }
  if (isPlainObject(cond)) {
    const p = compileFilter(cond, {});
    return (e) => isPlainObject(e) && p(e);
  }
  if (isRegexValue(cond)) return regexPred(cond);
  return (e) => compareValues(e, cond) === 0;
}
