// Aggregation expressions. Operators where BSON types matter (arithmetic,
// comparison, conversion, array access, variables) are evaluated natively on
// stored values; the long tail (string, date, set operators, ...) is handed
// to mingo on a JS view of the document and its result converted back.
import { Decimal128, Double, Int32, Long, ObjectId, Timestamp } from 'bson';
import { Context, evalExpr, OpType } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import type { Options as MingoOptions } from 'mingo/types';
import { ProcessingMode } from 'mingo';
import { badValue, err, ErrorCodes, unsupported } from '../errors.js';
import {
  add,
  compareNumbers,
  decimalFromExact,
  divide,
  exactOf,
  fromJsNumber,
  isIntegral,
  multiply,
  negate,
  numKind,
  subtract,
  toDouble,
  toIntegerBig,
} from '../numeric.js';
import { resolveFieldPath, splitPath } from '../paths.js';
import {
  bsonTag,
  bsonTypeName,
  canonicalKey,
  compareValues,
  isPlainObject,
  MISSING,
  typeRank,
  truthy,
} from '../values.js';
import type { Doc } from '../values.js';

export interface ExprContext {
  root: unknown;
  variables: Doc;
  now: Date;
  /** JS view of `root` for mingo fallbacks, built at most once per document. */
  jsRoot?: unknown;
}

export function newExprContext(root: unknown, variables: Doc = {}, now = new Date()): ExprContext {
  return { root, variables, now };
}

const CONVERSION_FAILURE = 241;

// ---------- JS view for mingo ----------

/** Numbers become JS numbers; exact-only values (big Long, Decimal128) stay objects mingo cannot do maths on. */
export function toJs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toJs);
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const k of Object.keys(v)) out[k] = toJs(v[k]);
    return out;
  }
  const kind = numKind(v);
  if (kind === 'int' || kind === 'double') return toDouble(v);
  if (kind === 'long') {
    const n = toDouble(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  return v;
}

export function fromJs(v: unknown): unknown {
  if (v === undefined) return MISSING;
  if (typeof v === 'number') return fromJsNumber(v);
  if (typeof v === 'bigint') return Long.fromBigInt(v);
  if (Array.isArray(v)) return v.map((e) => (e === undefined ? null : fromJs(e)));
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const k of Object.keys(v)) if (v[k] !== undefined) out[k] = fromJs(v[k]);
    return out;
  }
  return v;
}

const MINGO_CONTEXT = Context.init({
  expression: expressionOperators as unknown as Record<`$${string}`, never>,
  accumulator: accumulatorOperators as unknown as Record<`$${string}`, never>,
});

function mingoOptions(): MingoOptions {
  return {
    idKey: '_id',
    processingMode: ProcessingMode.CLONE_INPUT,
    useStrictMode: true,
    scriptEnabled: false,
    failOnError: true,
    context: MINGO_CONTEXT,
  };
}

const SCRIPT_OPERATORS = new Set(['$function', '$accumulator', '$where']);
/** mingo-evaluated operators whose mongod result is always a Long */
const LONG_RESULT = new Set(['$dateDiff']);

function fallback(op: string, args: unknown, current: unknown, ctx: ExprContext): unknown {
  if (SCRIPT_OPERATORS.has(op)) throw unsupported(`${op} (server-side JavaScript)`);
  if (op === '$meta') throw unsupported('$meta (text search / search metadata)');
  if (!MINGO_CONTEXT.getOperator(OpType.EXPRESSION, op) && !MINGO_CONTEXT.getOperator(OpType.ACCUMULATOR, op))
    throw err(ErrorCodes.InvalidPipelineOperator, `Unrecognized expression '${op}'`);
  if (current !== ctx.root) throw unsupported(`${op} on a value other than $$ROOT`);
  ctx.jsRoot ??= toJs(ctx.root);
  // Variables are bound with $let so they shadow mingo's own $$this handling.
  const vars: Doc = {};
  for (const [k, v] of Object.entries(ctx.variables)) vars[k] = { $literal: toJs(v) };
  const expr = Object.keys(vars).length ? { $let: { vars, in: { [op]: args } } } : { [op]: args };
  try {
    const out = fromJs(evalExpr(ctx.jsRoot, expr, mingoOptions()));
    // mongod types this result as a 64-bit integer whatever its size
    if (LONG_RESULT.has(op) && (out instanceof Int32 || out instanceof Double) && Number.isInteger(out.value))
      return Long.fromNumber(out.value);
    return out;
  } catch (e) {
    if (e instanceof Error && e.constructor.name === 'MingoError') throw badValue(`${op}: ${e.message}`);
    throw e;
  }
}

// ---------- evaluation ----------

export function evaluate(expr: unknown, current: unknown, ctx: ExprContext): unknown {
  if (typeof expr === 'string') {
    if (expr.charCodeAt(0) !== 36 /* $ */) return expr;
    if (expr.charCodeAt(1) === 36) return variable(expr.slice(2), current, ctx);
    if (expr.length === 1) throw err(16872, "'$' by itself is not a valid FieldPath");
    return resolveFieldPath(current, splitPath(expr.slice(1)));
  }
  if (Array.isArray(expr)) return expr.map((e) => orNull(evaluate(e, current, ctx)));
  if (isPlainObject(expr)) {
    const keys = Object.keys(expr);
    const first = keys[0];
    if (first !== undefined && first.startsWith('$')) {
      if (keys.length !== 1)
        throw err(
          15983,
          `an expression specification must contain exactly one field, the name of the expression. Found ${keys.length} fields in ${JSON.stringify(keys)}`,
        );
      return operator(first, expr[first], current, ctx);
    }
    const out: Doc = {};
    for (const k of keys) {
      if (k.startsWith('$')) throw err(16410, `FieldPath field names may not start with '$', given '${k}'.`);
      const v = evaluate(expr[k], current, ctx);
      if (v !== MISSING) out[k] = v;
    }
    return out;
  }
  return expr;
}

const orNull = (v: unknown): unknown => (v === MISSING || v === undefined ? null : v);
const isNullish = (v: unknown): boolean => v === MISSING || v === null || v === undefined;

function variable(spec: string, current: unknown, ctx: ExprContext): unknown {
  const dot = spec.indexOf('.');
  const name = dot === -1 ? spec : spec.slice(0, dot);
  let base: unknown;
  switch (name) {
    case 'ROOT':
      base = ctx.root;
      break;
    case 'CURRENT':
      base = current;
      break;
    case 'REMOVE':
      return MISSING;
    case 'NOW':
      base = ctx.now;
      break;
    case 'CLUSTER_TIME':
      base = new Timestamp({ t: Math.floor(ctx.now.getTime() / 1000), i: 1 });
      break;
    case 'SEARCH_META':
    case 'USER_ROLES':
      throw unsupported(`$$${name}`);
    default:
      if (!Object.prototype.hasOwnProperty.call(ctx.variables, name))
        throw err(17276, `Use of undefined variable: ${name}`);
      base = ctx.variables[name];
  }
  return dot === -1 ? base : resolveFieldPath(base, splitPath(spec.slice(dot + 1)));
}

function argList(args: unknown): unknown[] {
  return Array.isArray(args) ? args : [args];
}

function evalArgs(args: unknown, current: unknown, ctx: ExprContext): unknown[] {
  return argList(args).map((a) => evaluate(a, current, ctx));
}

function fixedArgs(op: string, args: unknown, n: number, current: unknown, ctx: ExprContext): unknown[] {
  const list = argList(args);
  if (list.length !== n)
    throw err(16020, `Expression ${op} takes exactly ${n} arguments. ${list.length} were passed in.`);
  return list.map((a) => evaluate(a, current, ctx));
}

/** Aggregation comparison: like compareValues but a missing value sorts below null. */
export function aggCompare(a: unknown, b: unknown): number {
  const ma = a === MISSING || a === undefined;
  const mb = b === MISSING || b === undefined;
  if (ma || mb) {
    if (ma && mb) return 0;
    const other = ma ? b : a;
    const otherBelow = typeRank(other) < 0; // only MinKey sorts below missing
    return ma ? (otherBelow ? 1 : -1) : otherBelow ? -1 : 1;
  }
  return compareValues(a, b);
}

const typeNameForError = (v: unknown): string => bsonTypeName(v);

function numericFold(
  op: string,
  vals: unknown[],
  fn: (a: unknown, b: unknown) => unknown,
  code: number,
): unknown {
  let acc: unknown = undefined;
  for (const v of vals) {
    if (isNullish(v)) return null;
    if (!numKind(v)) throw err(code, `${op} only supports numeric types, not ${typeNameForError(v)}`);
    acc = acc === undefined ? v : fn(acc, v);
  }
  return acc ?? new Int32(op === '$multiply' ? 1 : 0);
}

function sumOf(vals: unknown[]): unknown {
  let acc: unknown = new Int32(0);
  for (const v of vals) if (numKind(v)) acc = add(acc, v);
  return acc;
}

function avgOf(vals: unknown[]): unknown {
  const nums = vals.filter((v) => numKind(v));
  if (nums.length === 0) return null;
  const total = sumOf(nums);
  if (numKind(total) === 'decimal') return divide(total, new Int32(nums.length));
  return new Double(toDouble(total) / nums.length);
}

function spreadArgs(args: unknown, current: unknown, ctx: ExprContext): unknown[] {
  const list = argList(args);
  if (list.length === 1) {
    const v = evaluate(list[0], current, ctx);
    return Array.isArray(v) ? v : [v];
  }
  return list.map((a) => evaluate(a, current, ctx));
}

function operator(op: string, args: unknown, current: unknown, ctx: ExprContext): unknown {
  switch (op) {
    case '$literal':
      return args;
    // ----- arithmetic -----
    case '$add': {
      const vals = evalArgs(args, current, ctx);
      let date: Date | undefined;
      let acc: unknown = new Int32(0);
      for (const v of vals) {
        if (isNullish(v)) return null;
        if (v instanceof Date) {
          if (date) throw err(16612, 'only one date allowed in an $add expression');
          date = v;
        } else if (numKind(v)) acc = add(acc, v);
        else
          throw err(
            ErrorCodes.TypeMismatch,
            `$add only supports numeric or date types, not ${typeNameForError(v)}`,
          );
      }
      return date ? new Date(date.getTime() + Math.round(toDouble(acc))) : acc;
    }
    case '$subtract': {
      const [a, b] = fixedArgs(op, args, 2, current, ctx);
      if (isNullish(a) || isNullish(b)) return null;
      if (a instanceof Date && b instanceof Date) return Long.fromNumber(a.getTime() - b.getTime());
      if (a instanceof Date && numKind(b)) return new Date(a.getTime() - Math.round(toDouble(b)));
      if (numKind(a) && numKind(b)) return subtract(a, b);
      throw err(16556, `can't $subtract ${typeNameForError(b)} from ${typeNameForError(a)}`);
    }
    case '$multiply':
      return numericFold(op, evalArgs(args, current, ctx), (a, b) => multiply(a, b), 16555);
    case '$divide': {
      const [a, b] = fixedArgs(op, args, 2, current, ctx);
      if (isNullish(a) || isNullish(b)) return null;
      if (!numKind(a) || !numKind(b))
        throw err(
          16609,
          `$divide only supports numeric types, not ${typeNameForError(a)} and ${typeNameForError(b)}`,
        );
      if (compareNumbers(b, new Int32(0)) === 0) throw badValue("can't $divide by zero");
      return divide(a, b);
    }
    case '$mod': {
      const [a, b] = fixedArgs(op, args, 2, current, ctx);
      if (isNullish(a) || isNullish(b)) return null;
      if (!numKind(a) || !numKind(b))
        throw err(
          16611,
          `$mod only supports numeric types, not ${typeNameForError(a)} and ${typeNameForError(b)}`,
        );
      if (compareNumbers(b, new Int32(0)) === 0) throw err(16610, "can't $mod by zero");
      return modulo(a, b);
    }
    case '$abs': {
      const [a] = fixedArgs(op, args, 1, current, ctx);
      if (isNullish(a)) return null;
      if (!numKind(a)) throw err(28765, `$abs only supports numeric types, not ${typeNameForError(a)}`);
      return compareNumbers(a, new Int32(0)) < 0 ? negate(a) : a;
    }
    case '$sum':
      return sumOf(spreadArgs(args, current, ctx));
    case '$avg':
      return avgOf(spreadArgs(args, current, ctx));
    case '$min':
    case '$max': {
      let best: unknown = null;
      for (const v of spreadArgs(args, current, ctx)) {
        if (isNullish(v)) continue;
        if (best === null || (op === '$min' ? compareValues(v, best) < 0 : compareValues(v, best) > 0))
          best = v;
      }
      return best;
    }
    // ----- comparison -----
    case '$eq':
    case '$ne':
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
    case '$cmp': {
      const [a, b] = fixedArgs(op, args, 2, current, ctx);
      const c = aggCompare(a, b);
      switch (op) {
        case '$eq':
          return c === 0;
        case '$ne':
          return c !== 0;
        case '$gt':
          return c > 0;
        case '$gte':
          return c >= 0;
        case '$lt':
          return c < 0;
        case '$lte':
          return c <= 0;
        default:
          return new Int32(c);
      }
    }
    // ----- boolean / conditional -----
    case '$and':
      return argList(args).every((a) => truthy(evaluate(a, current, ctx)));
    case '$or':
      return argList(args).some((a) => truthy(evaluate(a, current, ctx)));
    case '$not': {
      const [a] = fixedArgs(op, args, 1, current, ctx);
      return !truthy(a);
    }
    case '$cond': {
      let ifE: unknown;
      let thenE: unknown;
      let elseE: unknown;
      if (Array.isArray(args)) {
        if (args.length !== 3) throw err(16020, 'Expression $cond takes exactly 3 arguments.');
        [ifE, thenE, elseE] = args;
      } else if (isPlainObject(args)) {
        for (const k of Object.keys(args))
          if (k !== 'if' && k !== 'then' && k !== 'else')
            throw err(17083, `Unrecognized parameter to $cond: ${k}`);
        if (!('if' in args)) throw err(17080, "Missing 'if' parameter to $cond");
        if (!('then' in args)) throw err(17081, "Missing 'then' parameter to $cond");
        if (!('else' in args)) throw err(17082, "Missing 'else' parameter to $cond");
        ({ if: ifE, then: thenE, else: elseE } = args);
      } else throw err(16020, 'Expression $cond takes exactly 3 arguments.');
      return evaluate(truthy(evaluate(ifE, current, ctx)) ? thenE : elseE, current, ctx);
    }
    case '$ifNull': {
      const list = argList(args);
      if (list.length < 2) throw err(1257300, '$ifNull needs at least two arguments');
      for (let i = 0; i < list.length - 1; i++) {
        const v = evaluate(list[i], current, ctx);
        if (!isNullish(v)) return v;
      }
      return evaluate(list[list.length - 1], current, ctx);
    }
    case '$switch': {
      if (!isPlainObject(args) || !Array.isArray(args.branches))
        throw err(40060, '$switch requires at least one branch.');
      for (const b of args.branches) {
        if (!isPlainObject(b) || !('case' in b) || !('then' in b))
          throw err(40064, "$switch requires each branch have a 'case' and 'then' expression");
        if (truthy(evaluate(b.case, current, ctx))) return evaluate(b.then, current, ctx);
      }
      if (!('default' in args))
        throw err(
          40066,
          '$switch could not find a matching branch for an input, and no default was specified.',
        );
      return evaluate(args.default, current, ctx);
    }
    // ----- arrays -----
    case '$in': {
      const [v, arr] = fixedArgs(op, args, 2, current, ctx);
      if (!Array.isArray(arr))
        throw err(40081, `$in requires an array as a second argument, found: ${typeNameForError(arr)}`);
      return arr.some((e) => aggCompare(e, v) === 0);
    }
    case '$size': {
      const [a] = fixedArgs(op, args, 1, current, ctx);
      if (!Array.isArray(a))
        throw err(
          17124,
          `The argument to $size must be an array. Type of argument was: ${typeNameForError(a)}`,
        );
      return new Int32(a.length);
    }
    case '$isArray': {
      const [a] = fixedArgs(op, args, 1, current, ctx);
      return Array.isArray(a);
    }
    case '$arrayElemAt': {
      const [arr, idx] = fixedArgs(op, args, 2, current, ctx);
      if (isNullish(arr) || isNullish(idx)) return null;
      if (!Array.isArray(arr))
        throw err(28689, `$arrayElemAt's first argument must be an array, but is ${typeNameForError(arr)}`);
      if (!numKind(idx) || !isIntegral(idx))
        throw err(
          28690,
          `$arrayElemAt's second argument must be a numeric value, but is ${typeNameForError(idx)}`,
        );
      const i = toDouble(idx);
      const at = i < 0 ? arr.length + i : i;
      return at >= 0 && at < arr.length ? arr[at] : MISSING;
    }
    case '$first':
    case '$last': {
      const [arr] = fixedArgs(op, args, 1, current, ctx);
      if (isNullish(arr)) return null;
      if (!Array.isArray(arr))
        throw err(28689, `${op}'s argument must be an array, but is ${typeNameForError(arr)}`);
      if (arr.length === 0) return MISSING;
      return op === '$first' ? arr[0] : arr[arr.length - 1];
    }
    case '$concatArrays': {
      const out: unknown[] = [];
      for (const a of evalArgs(args, current, ctx)) {
        if (isNullish(a)) return null;
        if (!Array.isArray(a))
          throw err(28664, `$concatArrays only supports arrays, not ${typeNameForError(a)}`);
        out.push(...a);
      }
      return out;
    }
    case '$concat': {
      let s = '';
      for (const a of evalArgs(args, current, ctx)) {
        if (isNullish(a)) return null;
        if (typeof a !== 'string')
          throw err(16702, `$concat only supports strings, not ${typeNameForError(a)}`);
        s += a;
      }
      return s;
    }
    case '$mergeObjects': {
      const out: Doc = {};
      for (const a of spreadArgs(args, current, ctx)) {
        if (isNullish(a)) continue;
        if (!isPlainObject(a))
          throw err(
            40400,
            `$mergeObjects requires object inputs, but input ${typeNameForError(a)} is of type ${typeNameForError(a)}`,
          );
        Object.assign(out, a);
      }
      return out;
    }
    // ----- sets and array order: BSON equality / ordering, not JS -----
    case '$setUnion':
    case '$setIntersection':
    case '$setDifference':
    case '$setEquals':
    case '$setIsSubset': {
      const arrays = evalArgs(args, current, ctx);
      if (arrays.some(isNullish)) return null;
      for (const a of arrays)
        if (!Array.isArray(a))
          throw err(
            17044,
            `All operands of ${op} must be arrays. One argument is of type: ${typeNameForError(a)}`,
          );
      const sets = (arrays as unknown[][]).map((a) => new Map(a.map((v) => [canonicalKey(v), v])));
      const [first = new Map<string, unknown>(), second = new Map<string, unknown>()] = sets;
      switch (op) {
        case '$setUnion': {
          const out = new Map<string, unknown>();
          for (const s2 of sets) for (const [k, v] of s2) if (!out.has(k)) out.set(k, v);
          return [...out.values()];
        }
        case '$setIntersection':
          return [...first].filter(([k]) => sets.every((s2) => s2.has(k))).map(([, v]) => v);
        case '$setDifference':
          if (sets.length !== 2)
            throw err(
              16020,
              `Expression $setDifference takes exactly 2 arguments. ${sets.length} were passed in.`,
            );
          return [...first].filter(([k]) => !second.has(k)).map(([, v]) => v);
        case '$setIsSubset':
          if (sets.length !== 2)
            throw err(
              16020,
              `Expression $setIsSubset takes exactly 2 arguments. ${sets.length} were passed in.`,
            );
          return [...first.keys()].every((k) => second.has(k));
        default:
          if (sets.length < 2) throw err(17045, '$setEquals needs at least two arguments');
          return sets.every((s2) => s2.size === first.size && [...first.keys()].every((k) => s2.has(k)));
      }
    }
    case '$indexOfArray': {
      const list = argList(args).map((a) => evaluate(a, current, ctx));
      const [arr, needle] = list;
      if (isNullish(arr)) return null;
      if (!Array.isArray(arr))
        throw err(
          40090,
          `$indexOfArray requires an array as a first argument, found: ${typeNameForError(arr)}`,
        );
      const start = list[2] === undefined ? 0 : toDouble(list[2]);
      const end = list[3] === undefined ? arr.length : Math.min(toDouble(list[3]), arr.length);
      for (let i = start; i < end; i++) if (aggCompare(arr[i], needle) === 0) return new Int32(i);
      return new Int32(-1);
    }
    case '$reverseArray': {
      const [arr] = fixedArgs(op, args, 1, current, ctx);
      if (isNullish(arr)) return null;
      if (!Array.isArray(arr))
        throw err(
          34435,
          `The argument to $reverseArray must be an array, but was of type: ${typeNameForError(arr)}`,
        );
      return [...arr].reverse();
    }
    case '$slice': {
      const list = argList(args).map((a) => evaluate(a, current, ctx));
      if (list.length < 2 || list.length > 3)
        throw err(
          28667,
          `Expression $slice takes at least 2 arguments, and at most 3, but ${list.length} were passed in.`,
        );
      const [arr, a1, a2] = list;
      if (list.some(isNullish)) return null;
      if (!Array.isArray(arr))
        throw err(
          28724,
          `First argument to $slice must be an array, but is of type: ${typeNameForError(arr)}`,
        );
      if (list.length === 2) {
        const n = toDouble(a1);
        return n >= 0 ? arr.slice(0, n) : arr.slice(Math.max(arr.length + n, 0));
      }
      let pos = toDouble(a1);
      const n = toDouble(a2);
      if (n <= 0) throw err(28729, `Third argument to $slice must be positive: ${n}`);
      if (pos < 0) pos = Math.max(arr.length + pos, 0);
      return arr.slice(pos, pos + n);
    }
    case '$sortArray': {
      if (!isPlainObject(args) || !('input' in args) || !('sortBy' in args))
        throw err(2942500, "$sortArray requires 'input' and 'sortBy'");
      const input = evaluate(args.input, current, ctx);
      if (isNullish(input)) return null;
      if (!Array.isArray(input))
        throw err(
          2942504,
          `The input argument to $sortArray must be an array, but was of type: ${typeNameForError(input)}`,
        );
      const by = args.sortBy;
      if (numKind(by)) {
        const dir = toDouble(by) < 0 ? -1 : 1;
        return [...input].sort((a, b) => compareValues(a, b) * dir);
      }
      if (!isPlainObject(by)) throw err(2942505, '$sortArray sortBy must be 1, -1 or a sort specification');
      const fields = Object.entries(by).map(([path, d]) => ({
        parts: splitPath(path),
        dir: toDouble(d) < 0 ? -1 : 1,
      }));
      return [...input].sort((a, b) => {
        for (const f of fields) {
          const c = aggCompare(resolveFieldPath(a, f.parts), resolveFieldPath(b, f.parts)) * f.dir;
          if (c !== 0) return c;
        }
        return 0;
      });
    }
    // ----- rounding keeps the input's numeric type -----
    case '$floor':
    case '$ceil':
    case '$trunc':
    case '$round': {
      const list = argList(args).map((a) => evaluate(a, current, ctx));
      const [v, placeV] = list;
      if (isNullish(v) || (list.length > 1 && isNullish(placeV))) return null;
      if (!numKind(v)) throw err(28765, `${op} only supports numeric types, not ${typeNameForError(v)}`);
      const place = placeV === undefined ? 0 : toDouble(placeV);
      if ((op === '$floor' || op === '$ceil') && list.length > 1)
        throw err(16020, `Expression ${op} takes exactly 1 arguments.`);
      return roundNumber(v, op, place);
    }
    // ----- variables -----
    case '$let': {
      if (!isPlainObject(args) || !isPlainObject(args.vars) || !('in' in args))
        throw err(16711, "Missing 'vars' or 'in' parameter to $let");
      const variables: Doc = { ...ctx.variables };
      for (const [k, e] of Object.entries(args.vars)) variables[k] = evaluate(e, current, ctx);
      return evaluate(args.in, current, { ...ctx, variables });
    }
    case '$map': {
      if (!isPlainObject(args) || !('input' in args) || !('in' in args))
        throw err(16880, "Missing 'input' or 'in' parameter to $map");
      const input = evaluate(args.input, current, ctx);
      if (isNullish(input)) return null;
      if (!Array.isArray(input))
        throw err(16883, `input to $map must be an array not ${typeNameForError(input)}`);
      const as = typeof args.as === 'string' ? args.as : 'this';
      return input.map((e) =>
        orNull(evaluate(args.in, current, { ...ctx, variables: { ...ctx.variables, [as]: e } })),
      );
    }
    case '$filter': {
      if (!isPlainObject(args) || !('input' in args) || !('cond' in args))
        throw err(28648, "Missing 'input' or 'cond' parameter to $filter");
      const input = evaluate(args.input, current, ctx);
      if (isNullish(input)) return null;
      if (!Array.isArray(input))
        throw err(28651, `input to $filter must be an array not ${typeNameForError(input)}`);
      const as = typeof args.as === 'string' ? args.as : 'this';
      const limitV = args.limit === undefined ? undefined : evaluate(args.limit, current, ctx);
      const limit = isNullish(limitV) || limitV === undefined ? Infinity : toDouble(limitV);
      const out: unknown[] = [];
      for (const e of input) {
        if (out.length >= limit) break;
        if (truthy(evaluate(args.cond, current, { ...ctx, variables: { ...ctx.variables, [as]: e } })))
          out.push(e);
      }
      return out;
    }
    case '$reduce': {
      if (!isPlainObject(args) || !('input' in args) || !('initialValue' in args) || !('in' in args))
        throw err(40076, "Missing 'input', 'initialValue' or 'in' parameter to $reduce");
      const input = evaluate(args.input, current, ctx);
      if (isNullish(input)) return null;
      if (!Array.isArray(input))
        throw err(40080, `input to $reduce must be an array not ${typeNameForError(input)}`);
      let value = evaluate(args.initialValue, current, ctx);
      for (const e of input)
        value = evaluate(args.in, current, { ...ctx, variables: { ...ctx.variables, value, this: e } });
      return value;
    }
    // ----- types -----
    case '$type': {
      const [a] = fixedArgs(op, args, 1, current, ctx);
      return bsonTypeName(a);
    }
    case '$isNumber': {
      const [a] = fixedArgs(op, args, 1, current, ctx);
      return numKind(a) !== undefined;
    }
    case '$toInt':
    case '$toLong':
    case '$toDouble':
    case '$toDecimal':
    case '$toBool':
    case '$toString':
    case '$toObjectId':
    case '$toDate': {
      const [a] = fixedArgs(op, args, 1, current, ctx);
      return convert(a, op.slice(3).toLowerCase());
    }
    case '$convert': {
      if (!isPlainObject(args) || !('input' in args) || !('to' in args))
        throw err(ErrorCodes.FailedToParse, "Missing 'input' or 'to' parameter to $convert");
      const input = evaluate(args.input, current, ctx);
      if (isNullish(input)) return 'onNull' in args ? evaluate(args.onNull, current, ctx) : null;
      const toV = evaluate(args.to, current, ctx);
      const to = typeof toV === 'string' ? toV : numKind(toV) ? TO_CODES[toDouble(toV)] : undefined;
      if (!to) throw badValue(`Unknown type name: ${String(toV)}`);
      try {
        return convert(input, to.toLowerCase());
      } catch (e) {
        if ('onError' in args && e instanceof Error && (e as { code?: number }).code === CONVERSION_FAILURE)
          return evaluate(args.onError, current, ctx);
        throw e;
      }
    }
    default:
      return fallback(op, args, current, ctx);
  }
}

/** $floor / $ceil / $trunc / $round to `place` decimal places, keeping the numeric type. */
function roundNumber(v: unknown, op: string, place: number): unknown {
  const kind = numKind(v);
  if (kind === 'int' || kind === 'long') {
    if (place >= 0 || op === '$floor' || op === '$ceil') return v;
  }
  if (kind === 'decimal') {
    const e = exactOf(v);
    if (e.kind !== 'finite' || e.exp >= -place) return v;
    const drop = BigInt(-place - e.exp);
    const unit = 10n ** drop;
    let q = e.coef / unit; // truncates toward zero
    const r = e.coef - q * unit;
    if (r !== 0n) {
      if (op === '$floor' && e.coef < 0n) q -= 1n;
      else if (op === '$ceil' && e.coef > 0n) q += 1n;
      else if (op === '$round') {
        const twice = (r < 0n ? -r : r) * 2n;
        if (twice > unit || (twice === unit && q % 2n !== 0n)) q += e.coef < 0n ? -1n : 1n;
      }
    }
    return decimalFromExact({ kind: 'finite', coef: q, exp: -place });
  }
  const x = toDouble(v);
  const f = 10 ** place;
  let out: number;
  switch (op) {
    case '$floor':
      out = Math.floor(x);
      break;
    case '$ceil':
      out = Math.ceil(x);
      break;
    case '$trunc':
      out = Math.trunc(x * f) / f;
      break;
    default: {
      // round half to even, like mongod
      const scaled = x * f;
      const floor = Math.floor(scaled);
      const diff = scaled - floor;
      const r = diff > 0.5 ? floor + 1 : diff < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1;
      out = r / f;
    }
  }
  if (kind === 'int' || kind === 'long') {
    // negative place on an integer: result stays integral
    return kind === 'long' ? Long.fromNumber(out) : new Int32(out);
  }
  return new Double(out);
}

const TO_CODES: Record<number, string> = {
  1: 'double',
  2: 'string',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  16: 'int',
  18: 'long',
  19: 'decimal',
};

function modulo(a: unknown, b: unknown): unknown {
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka === 'decimal' || kb === 'decimal') {
    const x = exactOf(a);
    const y = exactOf(b);
    if (x.kind !== 'finite' || y.kind !== 'finite') return Decimal128.fromString('NaN');
    const m = Math.min(x.exp, y.exp);
    const cx = x.coef * 10n ** BigInt(x.exp - m);
    const cy = y.coef * 10n ** BigInt(y.exp - m);
    return decimalFromExact({ kind: 'finite', coef: cx % cy, exp: m });
  }
  if (ka === 'double' || kb === 'double') return new Double(toDouble(a) % toDouble(b));
  const r = (toIntegerBig(a) as bigint) % (toIntegerBig(b) as bigint);
  return ka === 'long' || kb === 'long' ? Long.fromBigInt(r) : new Int32(Number(r));
}

function conversionFailure(message: string): Error {
  return err(CONVERSION_FAILURE, message);
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function convert(v: unknown, to: string): unknown {
  if (isNullish(v)) return null;
  const kind = numKind(v);
  const from = bsonTypeName(v);
  const fail = (): Error =>
    conversionFailure(`Unsupported conversion from ${from} to ${to} in $convert with no onError value`);
  switch (to) {
    case 'int':
    case 'long': {
      let n: bigint;
      if (kind) {
        const x = toDouble(v);
        if (kind === 'double' || kind === 'decimal') {
          if (!Number.isFinite(x))
            throw conversionFailure(
              `Attempt to convert ${x} value to integer type in $convert with no onError value`,
            );
          n = BigInt(Math.trunc(x));
        } else n = toIntegerBig(v) as bigint;
      } else if (typeof v === 'boolean') n = v ? 1n : 0n;
      else if (typeof v === 'string') {
        if (!/^[+-]?\d+$/.test(v.trim()))
          throw conversionFailure(
            `Failed to parse number '${v}' in $convert with no onError value: Did not consume whole string.`,
          );
        n = BigInt(v.trim());
      } else if (v instanceof Date && to === 'long') n = BigInt(v.getTime());
      else throw fail();
      if (to === 'int') {
        if (n < BigInt(INT32_MIN) || n > BigInt(INT32_MAX))
          throw conversionFailure(
            `Conversion would overflow target type in $convert with no onError value: ${n}`,
          );
        return new Int32(Number(n));
      }
      return Long.fromBigInt(n);
    }
    case 'double': {
      if (kind) return new Double(toDouble(v));
      if (typeof v === 'boolean') return new Double(v ? 1 : 0);
      if (typeof v === 'string') {
        const x = Number(v.trim());
        if (v.trim() === '' || (Number.isNaN(x) && !/^[+-]?nan$/i.test(v.trim())))
          throw conversionFailure(
            `Failed to parse number '${v}' in $convert with no onError value: Did not consume whole string.`,
          );
        return new Double(x);
      }
      if (v instanceof Date) return new Double(v.getTime());
      throw fail();
    }
    case 'decimal': {
      if (kind === 'decimal') return v;
      if (kind === 'double') return Decimal128.fromString(toDouble(v).toPrecision(15));
      if (kind) return Decimal128.fromString(String(toIntegerBig(v)));
      if (typeof v === 'boolean') return Decimal128.fromString(v ? '1' : '0');
      if (typeof v === 'string') {
        try {
          return Decimal128.fromString(v.trim());
        } catch {
          throw conversionFailure(`Failed to parse number '${v}' in $convert with no onError value`);
        }
      }
      if (v instanceof Date) return Decimal128.fromString(String(v.getTime()));
      throw fail();
    }
    case 'bool':
      if (kind) return toDouble(v) !== 0;
      return v !== false;
    case 'string': {
      if (typeof v === 'string') return v;
      if (kind) return kind === 'decimal' || kind === 'long' ? String(v) : String(toDouble(v));
      if (typeof v === 'boolean') return String(v);
      if (v instanceof Date) return v.toISOString();
      if (bsonTag(v) === 'ObjectId') return (v as ObjectId).toHexString();
      throw fail();
    }
    case 'objectid': {
      if (bsonTag(v) === 'ObjectId') return v;
      if (typeof v === 'string' && /^[0-9a-fA-F]{24}$/.test(v)) return new ObjectId(v);
      if (typeof v === 'string')
        throw conversionFailure(
          `Failed to parse objectId '${v}' in $convert with no onError value: Invalid string length for parsing to OID, expected 24 but found ${v.length}`,
        );
      throw fail();
    }
    case 'date': {
      if (v instanceof Date) return v;
      if (kind === 'long' || kind === 'double' || kind === 'decimal') return new Date(toDouble(v));
      if (typeof v === 'string') {
        const t = Date.parse(v);
        if (Number.isNaN(t)) throw conversionFailure(`Error parsing date string '${v}'`);
        return new Date(t);
      }
      if (bsonTag(v) === 'ObjectId') return (v as ObjectId).getTimestamp();
      if (bsonTag(v) === 'Timestamp') return new Date((v as Timestamp).t * 1000);
      throw fail();
    }
    default:
      throw badValue(`Unknown type name: ${to}`);
  }
}

/** Evaluate to a grouping key: numerically equal values group together. */
export function groupKey(v: unknown): string {
  return canonicalKey(v === MISSING ? null : v);
}
