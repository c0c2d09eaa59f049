// Update documents: operator updates (with positional `$`, `$[]`,
// `$[id]` + arrayFilters), replacements and pipeline updates. Implemented
// natively so $inc/$mul keep BSON number types and errors match mongod's
// codes (40 ConflictingUpdateOperators, 14 TypeMismatch, 28 PathNotViable,
// 66 ImmutableField, ...). The input document is never mutated.
import { Int32, Long, Timestamp } from 'bson';
import { runPipeline } from './aggregate/pipeline.js';
import type { PipelineEnv } from './aggregate/pipeline.js';
import { badValue, err, ErrorCodes, failedToParse, typeMismatch } from './errors.js';
import { add, multiply, numKind, toDouble, zeroLike } from './numeric.js';
import { splitPath } from './paths.js';
import { compileElementPredicate, compileFilter, isOperatorObject } from './query/matcher.js';
import type { Predicate } from './query/matcher.js';
import { positionalIndex, positionalNotFound } from './query/positional.js';
import { compileSort, sortDocs } from './query/sort.js';
import {
  arrayIndex,
  bsonTypeName,
  cloneValue,
  compareValues,
  formatValue,
  identical,
  isPlainObject,
  isRegexValue,
  MISSING,
} from './values.js';
import type { Doc } from './values.js';

const OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$setOnInsert',
  '$currentDate',
  '$push',
  '$addToSet',
  '$pop',
  '$pull',
  '$pullAll',
  '$bit',
]);

const PIPELINE_UPDATE_STAGES = new Set([
  '$addFields',
  '$set',
  '$project',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
]);

export interface ApplyOptions {
  /** Upsert insert: $setOnInsert applies, positional `$` is an error. */
  isInsert: boolean;
  /** The update's query (for positional `$`). */
  filter?: Doc;
  now: Date;
  pipelineEnv?: Omit<PipelineEnv, 'now'>;
}

export interface UpdateResult {
  doc: Doc;
  modified: boolean;
}

export interface CompiledUpdate {
  kind: 'operators' | 'replacement' | 'pipeline';
  apply(doc: Doc, opts: ApplyOptions): UpdateResult;
}

interface OpEntry {
  op: string;
  path: string;
  parts: string[];
  arg: unknown;
}

interface ArrayFilter {
  id: string;
  pred: Predicate;
  used: boolean;
}

let timestampIncrement = 0;

export function compileUpdate(update: unknown, arrayFiltersSpec?: unknown): CompiledUpdate {
  if (Array.isArray(update)) return compilePipelineUpdate(update);
  if (!isPlainObject(update)) throw failedToParse('Update argument must be either an object or an array');
  const keys = Object.keys(update);
  if (keys.length === 0 || !(keys[0] as string).startsWith('$')) {
    if (arrayFiltersSpec !== undefined && Array.isArray(arrayFiltersSpec) && arrayFiltersSpec.length)
      throw failedToParse('arrayFilters may not be specified for replacement-style updates');
    return compileReplacement(update);
  }
  return compileOperatorUpdate(update, arrayFiltersSpec);
}

// ---------- replacement ----------

function compileReplacement(replacement: Doc): CompiledUpdate {
  for (const k of Object.keys(replacement)) {
    if (k.startsWith('$'))
      throw err(
        ErrorCodes.DollarPrefixedFieldName,
        `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
      );
  }
  return {
    kind: 'replacement',
    apply(doc) {
      const { _id: newId, ...rest } = replacement;
      const out: Doc = {};
      if (doc._id !== undefined) {
        if (newId !== undefined && compareValues(newId, doc._id) !== 0)
          throw err(
            ErrorCodes.ImmutableField,
            `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${formatValue(newId)}`,
          );
        out._id = doc._id;
      } else if (newId !== undefined) out._id = newId;
      Object.assign(out, cloneValue(rest));
      return { doc: out, modified: !identical(doc, out) };
    },
  };
}

// ---------- pipeline ----------

function compilePipelineUpdate(stages: unknown[]): CompiledUpdate {
  for (const s of stages) {
    if (!isPlainObject(s)) throw failedToParse('Each element of the update pipeline must be an object');
    const name = Object.keys(s)[0] ?? '';
    if (!PIPELINE_UPDATE_STAGES.has(name))
      throw err(ErrorCodes.InvalidOptions, `${name} is not allowed to be used within an update`);
  }
  return {
    kind: 'pipeline',
    apply(doc, opts) {
      const env: PipelineEnv = { ...(opts.pipelineEnv ?? defaultEnv()), now: opts.now };
      const [produced] = runPipeline(stages as Doc[], [doc], env);
      if (!produced) throw failedToParse('update pipeline produced no document');
      // a pipeline that drops _id keeps the original one; changing it is an error
      const out =
        produced._id === undefined && doc._id !== undefined ? { _id: doc._id, ...produced } : produced;
      if (doc._id !== undefined && compareValues(out._id, doc._id) !== 0)
        throw err(
          ErrorCodes.ImmutableField,
          `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${formatValue(out._id ?? null)}`,
        );
      let result = out;
      if (doc._id !== undefined && Object.keys(out)[0] !== '_id') {
        const { _id, ...rest } = out;
        result = { _id, ...rest };
      }
      return { doc: result, modified: !identical(doc, result) };
    },
  };
}

function defaultEnv(): Omit<PipelineEnv, 'now'> {
  return { variables: {}, resolveCollection: () => [], mode: 'update' };
}

// ---------- operators ----------

const POSITIONAL = /^\$(\[[^\]]*\])?$/;

function validatePath(op: string, path: string): string[] {
  if (path === '') throw badValue('An empty update path is not valid.');
  const parts = splitPath(path);
  for (const p of parts) {
    if (p === '')
      throw badValue(`The update path '${path}' contains an empty field name, which is not allowed.`);
    if (p.startsWith('$') && !POSITIONAL.test(p))
      throw badValue(`The dollar ($) prefixed field '${p}' in '${path}' is not valid for storage.`);
  }
  if (op === '$rename' && parts.some((p) => p.startsWith('$')))
    throw badValue(`The source field for $rename may not be dynamic: ${path}`);
  return parts;
}

function isPrefix(a: string[], b: string[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function parseArrayFilters(spec: unknown): Map<string, ArrayFilter> {
  const out = new Map<string, ArrayFilter>();
  if (spec === undefined || spec === null) return out;
  if (!Array.isArray(spec))
    throw typeMismatch("BSON field 'arrayFilters' is the wrong type, expected type 'array'");
  for (const f of spec) {
    if (!isPlainObject(f))
      throw failedToParse('Cannot use an expression without a top-level field name in arrayFilters');
    const ids = new Set<string>();
    const collect = (o: Doc): void => {
      for (const [k, v] of Object.entries(o)) {
        if (k === '$and' || k === '$or' || k === '$nor') {
          if (Array.isArray(v)) for (const c of v) if (isPlainObject(c)) collect(c);
        } else if (!k.startsWith('$')) ids.add(k.split('.')[0] as string);
      }
    };
    collect(f);
    if (ids.size === 0)
      throw failedToParse('Cannot use an expression without a top-level field name in arrayFilters');
    if (ids.size > 1)
      throw failedToParse(
        `Error parsing array filter :: caused by :: Expected a single top-level field name, found '${[...ids][0]}' and '${[...ids][1]}'`,
      );
    const id = [...ids][0] as string;
    if (!/^[a-z][a-zA-Z0-9]*$/.test(id))
      throw badValue(
        `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`,
      );
    if (out.has(id))
      throw failedToParse(`Found multiple array filters with the same top-level field name ${id}`);
    out.set(id, { id, pred: compileFilter(f), used: false });
  }
  return out;
}

function compileOperatorUpdate(update: Doc, arrayFiltersSpec: unknown): CompiledUpdate {
  const entries: OpEntry[] = [];
  for (const op of Object.keys(update)) {
    if (!OPERATORS.has(op))
      throw failedToParse(
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    const arg = update[op];
    if (!isPlainObject(arg))
      throw failedToParse(
        `Modifiers operate on fields but we found type ${bsonTypeName(arg)} instead. For example: {$mod: {<field>: ...}} not {${op}: ${formatValue(arg)}}`,
      );
    for (const path of Object.keys(arg)) {
      const parts = validatePath(op, path);
      const value = arg[path];
      validateArgument(op, path, value);
      entries.push({ op, path, parts, arg: value });
      if (op === '$rename') {
        if (typeof value !== 'string')
          throw badValue(`The 'to' field for $rename must be a string: ${path}: ${formatValue(value)}`);
        if (value === path)
          throw badValue(`The source and target field for $rename must differ: ${path}: "${value}"`);
        const toParts = validatePath(op, value);
        if (isPrefix(parts, toParts) || isPrefix(toParts, parts))
          throw badValue(
            `The source and target field for $rename must not be on the same path: ${path}: "${value}"`,
          );
        entries.push({ op: '$rename:to', path: value, parts: toParts, arg: path });
      }
    }
  }
  // two operators (or one twice) touching overlapping paths
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const a = entries[i] as OpEntry;
      const b = entries[j] as OpEntry;
      const [short, long] = a.parts.length <= b.parts.length ? [a, b] : [b, a];
      if (isPrefix(short.parts, long.parts))
        throw err(
          ErrorCodes.ConflictingUpdateOperators,
          `Updating the path '${long.path}' would create a conflict at '${short.path}'`,
        );
    }
  }
  const filters = parseArrayFilters(arrayFiltersSpec);
  for (const e of entries)
    for (const p of e.parts) {
      const m = /^\$\[([^\]]+)\]$/.exec(p);
      if (m) {
        const f = filters.get(m[1] as string);
        if (!f) throw badValue(`No array filter found for identifier '${m[1]}' in path '${e.path}'`);
        f.used = true;
      }
    }
  for (const f of filters.values())
    if (!f.used)
      throw failedToParse(
        `The array filter for identifier '${f.id}' was not used in the update ${formatValue(update)}`,
      );
  // mongod creates new fields in field-name order
  const ordered = entries
    .filter((e) => e.op !== '$rename:to')
    .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return {
    kind: 'operators',
    apply(doc, opts) {
      const out = cloneValue(doc);
      const touched = new Set<string>();
      for (const e of ordered) {
        if (e.op === '$setOnInsert' && !opts.isInsert) continue;
        for (const concrete of expandPositional(out, doc, e, filters, opts)) {
          const key = concrete.join('.');
          for (const t of touched) {
            if (t === key || t.startsWith(key + '.') || key.startsWith(t + '.'))
              throw err(ErrorCodes.ConflictingUpdateOperators, `Update created a conflict at '${key}'`);
          }
          touched.add(key);
          applyOp(out, e, concrete, opts, doc);
        }
      }
      if (doc._id !== undefined && (out._id === undefined || compareValues(out._id, doc._id) !== 0))
        throw err(
          ErrorCodes.ImmutableField,
          "Performing an update on the path '_id' would modify the immutable field '_id'",
        );
      return { doc: out, modified: !identical(doc, out) };
    },
  };
}

function validateArgument(op: string, path: string, v: unknown): void {
  switch (op) {
    case '$inc':
    case '$mul':
      if (!numKind(v))
        throw typeMismatch(
          `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${formatValue(v)}}`,
        );
      break;
    case '$pop': {
      const n = numKind(v) ? toDouble(v) : NaN;
      if (n !== 1 && n !== -1) throw failedToParse(`$pop expects 1 or -1, found: ${formatValue(v)}`);
      break;
    }
    case '$pullAll':
      if (!Array.isArray(v))
        throw badValue(`$pullAll requires an array argument but was given a ${bsonTypeName(v)}`);
      break;
    case '$currentDate':
      if (typeof v === 'boolean') break;
      if (isPlainObject(v) && Object.keys(v).length === 1 && (v.$type === 'date' || v.$type === 'timestamp'))
        break;
      throw badValue(
        `The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}`,
      );
    case '$bit': {
      if (!isPlainObject(v))
        throw badValue(
          `The $bit modifier is not compatible with a ${bsonTypeName(v)}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}`,
        );
      for (const [k, x] of Object.entries(v)) {
        if (k !== 'and' && k !== 'or' && k !== 'xor')
          throw badValue(
            `The $bit modifier only supports 'and', 'or', and 'xor', not '${k}' which is an unknown operator: {${k}: ${formatValue(x)}}`,
          );
        const kind = numKind(x);
        if (kind !== 'int' && kind !== 'long')
          throw badValue(
            `The $bit modifier field must be an Integer(32/64 bit); a '${bsonTypeName(x)}' is not supported here: {${k}: ${formatValue(x)}}`,
          );
      }
      break;
    }
    case '$push':
    case '$addToSet':
      if (isPlainObject(v) && '$each' in v) {
        if (!Array.isArray(v.$each))
          throw badValue(
            `The argument to $each in ${op} must be an array but it was of type: ${bsonTypeName(v.$each)}`,
          );
        const allowed = op === '$push' ? ['$each', '$slice', '$sort', '$position'] : ['$each'];
        for (const k of Object.keys(v))
          if (!allowed.includes(k))
            throw badValue(
              op === '$push'
                ? `Unrecognized clause in $push: ${k}`
                : `Found unexpected fields after $each in $addToSet: ${formatValue(v)}`,
            );
      }
      break;
    default:
      break;
  }
}

/** Resolve `$`, `$[]` and `$[id]` components to concrete array indexes. */
function expandPositional(
  out: Doc,
  original: Doc,
  e: OpEntry,
  filters: Map<string, ArrayFilter>,
  opts: ApplyOptions,
): string[][] {
  if (!e.parts.some((p) => p.startsWith('$'))) return [e.parts];
  const results: string[][] = [];
  const walk = (value: unknown, i: number, prefix: string[]): void => {
    if (i === e.parts.length) {
      results.push(prefix);
      return;
    }
    const part = e.parts[i] as string;
    if (!part.startsWith('$')) {
      let next: unknown = MISSING;
      if (isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, part)) next = value[part];
      else if (Array.isArray(value)) {
        const idx = arrayIndex(part);
        if (idx !== undefined && idx < value.length) next = value[idx];
      }
      walk(next, i + 1, [...prefix, part]);
      return;
    }
    if (part === '$') {
      if (opts.isInsert) throw positionalNotFound();
      const arrayPath = prefix.join('.');
      const idx = positionalIndex(original, opts.filter, arrayPath);
      if (idx === undefined) throw positionalNotFound();
      const arr = Array.isArray(value) ? value : [];
      walk(arr[idx], i + 1, [...prefix, String(idx)]);
      return;
    }
    if (value === MISSING)
      throw badValue(
        `The path '${prefix.join('.')}' must exist in the document in order to apply array updates.`,
      );
    if (!Array.isArray(value))
      throw badValue(
        `Cannot apply array updates to non-array element ${prefix[prefix.length - 1]}: ${formatValue(value)}`,
      );
    const id = part === '$[]' ? undefined : part.slice(2, -1);
    const filter = id === undefined ? undefined : filters.get(id);
    value.forEach((elem, idx) => {
      if (filter && !filter.pred({ [filter.id]: elem })) return;
      walk(elem, i + 1, [...prefix, String(idx)]);
    });
  };
  walk(out, 0, []);
  return results;
}

type Container = Doc | unknown[];

interface Slot {
  parent: Container;
  key: string;
}

function fieldDesc(key: string, value: unknown): string {
  return `{${key}: ${formatValue(value)}}`;
}

/** Find (or, with create, make) the container holding the last path component. */
function locate(doc: Doc, parts: readonly string[], create: boolean): Slot | undefined {
  let cur: Container = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    let next: unknown;
    if (Array.isArray(cur)) {
      const idx = arrayIndex(part);
      if (idx === undefined) {
        if (!create) return undefined;
        throw err(
          ErrorCodes.PathNotViable,
          `Cannot create field '${part}' in element {${parts[i - 1] ?? ''}: ${formatValue(cur)}}`,
        );
      }
      next = idx < cur.length ? cur[idx] : MISSING;
      if (next === MISSING || next === undefined) {
        if (!create) return undefined;
        while (cur.length < idx) cur.push(null);
        next = {};
        cur[idx] = next;
      }
    } else {
      next = Object.prototype.hasOwnProperty.call(cur, part) ? cur[part] : MISSING;
      if (next === MISSING) {
        if (!create) return undefined;
        next = {};
        cur[part] = next;
      }
    }
    if (!isPlainObject(next) && !Array.isArray(next)) {
      if (!create) return undefined;
      throw err(
        ErrorCodes.PathNotViable,
        `Cannot create field '${parts[i + 1]}' in element ${fieldDesc(part, next)}`,
      );
    }
    cur = next;
  }
  const last = parts[parts.length - 1] as string;
  if (Array.isArray(cur) && arrayIndex(last) === undefined) {
    if (!create) return undefined;
    throw err(
      ErrorCodes.PathNotViable,
      `Cannot create field '${last}' in element {${parts[parts.length - 2] ?? ''}: ${formatValue(cur)}}`,
    );
  }
  return { parent: cur, key: last };
}

function getSlot(s: Slot): unknown {
  if (Array.isArray(s.parent)) {
    const idx = Number(s.key);
    return idx < s.parent.length ? s.parent[idx] : MISSING;
  }
  return Object.prototype.hasOwnProperty.call(s.parent, s.key) ? s.parent[s.key] : MISSING;
}

function setSlot(s: Slot, v: unknown): void {
  if (Array.isArray(s.parent)) {
    const idx = Number(s.key);
    while (s.parent.length < idx) s.parent.push(null);
    s.parent[idx] = v;
  } else s.parent[s.key] = v;
}

function idDesc(doc: Doc): string {
  return `{_id: ${formatValue(doc._id ?? null)}}`;
}

function applyOp(out: Doc, e: OpEntry, parts: string[], opts: ApplyOptions, original: Doc): void {
  const path = parts.join('.');
  const last = parts[parts.length - 1] as string;
  switch (e.op) {
    case '$set':
    case '$setOnInsert': {
      const slot = locate(out, parts, true) as Slot;
      const cur = getSlot(slot);
      if (cur === MISSING || !identical(cur, e.arg)) setSlot(slot, cloneValue(e.arg));
      return;
    }
    case '$unset': {
      const slot = locate(out, parts, false);
      if (!slot) return;
      if (Array.isArray(slot.parent)) {
        if (Number(slot.key) < slot.parent.length) slot.parent[Number(slot.key)] = null;
      } else delete slot.parent[slot.key];
      return;
    }
    case '$inc':
    case '$mul': {
      const slot = locate(out, parts, true) as Slot;
      const cur = getSlot(slot);
      if (cur === MISSING) {
        setSlot(slot, e.op === '$inc' ? e.arg : zeroLike(e.arg));
        return;
      }
      if (!numKind(cur))
        throw typeMismatch(
          `Cannot apply ${e.op} to a value of non-numeric type. ${idDesc(original)} has the field '${last}' of non-numeric type ${bsonTypeName(cur)}`,
        );
      try {
        setSlot(slot, e.op === '$inc' ? add(cur, e.arg, 'error') : multiply(cur, e.arg, 'error'));
      } catch (x) {
        if (x instanceof RangeError)
          throw badValue(
            `Failed to apply ${e.op} operations to current value (${formatValue(cur)}) for document ${idDesc(original)}`,
          );
        throw x;
      }
      return;
    }
    case '$min':
    case '$max': {
      const slot = locate(out, parts, true) as Slot;
      const cur = getSlot(slot);
      const c = cur === MISSING ? 0 : compareValues(e.arg, cur);
      if (cur === MISSING || (e.op === '$min' ? c < 0 : c > 0)) setSlot(slot, cloneValue(e.arg));
      return;
    }
    case '$currentDate': {
      const slot = locate(out, parts, true) as Slot;
      const asTimestamp = isPlainObject(e.arg) && e.arg.$type === 'timestamp';
      setSlot(
        slot,
        asTimestamp
          ? new Timestamp({ t: Math.floor(opts.now.getTime() / 1000), i: ++timestampIncrement })
          : new Date(opts.now.getTime()),
      );
      return;
    }
    case '$rename': {
      const from = locate(out, parts, false);
      if (!from || Array.isArray(from.parent)) {
        if (from && Array.isArray(from.parent))
          throw badValue(
            `The source field cannot be an array element, '${path}' in doc with ${formatValue(original)}`,
          );
        return;
      }
      const value = getSlot(from);
      if (value === MISSING) return;
      assertNoArrayOnPath(out, parts, 'source', path);
      const toParts = splitPath(e.arg as string);
      assertNoArrayOnPath(out, toParts, 'destination', e.arg as string);
      delete from.parent[from.key];
      const to = locate(out, toParts, true) as Slot;
      setSlot(to, value);
      return;
    }
    case '$push': {
      const slot = locate(out, parts, true) as Slot;
      const cur = getSlot(slot);
      if (cur !== MISSING && !Array.isArray(cur))
        throw badValue(
          `The field '${path}' must be an array but is of type ${bsonTypeName(cur)} in document ${idDesc(original)}`,
        );
      const arr = cur === MISSING ? [] : [...(cur as unknown[])];
      const mods = isPlainObject(e.arg) && '$each' in e.arg ? e.arg : { $each: [e.arg] };
      const each = (mods.$each as unknown[]).map(cloneValue);
      if (mods.$position !== undefined) {
        if (!numKind(mods.$position)) throw badValue('The value for $position must be an integer value');
        let pos = Math.trunc(toDouble(mods.$position));
        if (pos < 0) pos = Math.max(arr.length + pos, 0);
        arr.splice(Math.min(pos, arr.length), 0, ...each);
      } else arr.push(...each);
      let result: unknown[] = arr;
      if (mods.$sort !== undefined) result = sortArray(result, mods.$sort);
      if (mods.$slice !== undefined) {
        if (!numKind(mods.$slice)) throw badValue('The value for $slice must be an integer value');
        const n = Math.trunc(toDouble(mods.$slice));
        result = n >= 0 ? result.slice(0, n) : result.slice(Math.max(result.length + n, 0));
      }
      setSlot(slot, result);
      return;
    }
    case '$addToSet': {
      const slot = locate(out, parts, true) as Slot;
      const cur = getSlot(slot);
      if (cur !== MISSING && !Array.isArray(cur))
        throw badValue(
          `Cannot apply $addToSet to non-array field. Field named '${last}' has non-array type ${bsonTypeName(cur)}`,
        );
      const arr = cur === MISSING ? [] : [...(cur as unknown[])];
      const values = isPlainObject(e.arg) && '$each' in e.arg ? (e.arg.$each as unknown[]) : [e.arg];
      for (const v of values) if (!arr.some((x) => compareValues(x, v) === 0)) arr.push(cloneValue(v));
      if (cur === MISSING || arr.length !== (cur as unknown[]).length) setSlot(slot, arr);
      return;
    }
    case '$pop': {
      const slot = locate(out, parts, false);
      if (!slot) return;
      const cur = getSlot(slot);
      if (cur === MISSING) return;
      if (!Array.isArray(cur))
        throw typeMismatch(`Path '${path}' contains an element of non-array type '${bsonTypeName(cur)}'`);
      if (cur.length === 0) return;
      setSlot(slot, toDouble(e.arg) === 1 ? cur.slice(0, -1) : cur.slice(1));
      return;
    }
    case '$pull':
    case '$pullAll': {
      const slot = locate(out, parts, false);
      if (!slot) return;
      const cur = getSlot(slot);
      if (cur === MISSING) return;
      if (!Array.isArray(cur)) throw badValue(`Cannot apply ${e.op} to a non-array value`);
      const remove =
        e.op === '$pull'
          ? compileElementPredicate(e.arg)
          : (x: unknown): boolean => (e.arg as unknown[]).some((v) => compareValues(x, v) === 0);
      const kept = cur.filter((x) => !remove(x));
      if (kept.length !== cur.length) setSlot(slot, kept);
      return;
    }
    case '$bit': {
      const slot = locate(out, parts, true) as Slot;
      const cur = getSlot(slot);
      const kind = cur === MISSING ? 'int' : numKind(cur);
      if (kind !== 'int' && kind !== 'long')
        throw badValue(
          `Cannot apply $bit to a value of non-integral type.${idDesc(original)} has the field ${last} of non-integer type ${bsonTypeName(cur)}`,
        );
      let value = cur === MISSING ? 0n : BigInt(kind === 'long' ? (cur as Long).toString() : toDouble(cur));
      let isLong = kind === 'long';
      for (const [k, x] of Object.entries(e.arg as Doc)) {
        const operand = numKind(x) === 'long' ? (x as Long).toBigInt() : BigInt(toDouble(x));
        if (numKind(x) === 'long') isLong = true;
        value = k === 'and' ? value & operand : k === 'or' ? value | operand : value ^ operand;
      }
      setSlot(
        slot,
        isLong ? Long.fromBigInt(BigInt.asIntN(64, value)) : new Int32(Number(BigInt.asIntN(32, value))),
      );
      return;
    }
    default:
      return;
  }
}

function assertNoArrayOnPath(doc: Doc, parts: readonly string[], which: string, path: string): void {
  let cur: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!isPlainObject(cur)) return;
    cur = cur[parts[i] as string];
    if (Array.isArray(cur))
      throw badValue(
        `The ${which} field cannot be an array element, '${path}' in doc with ${parts[i]}: ${formatValue(cur)}`,
      );
  }
}

function sortArray(arr: unknown[], spec: unknown): unknown[] {
  if (numKind(spec)) {
    const d = toDouble(spec);
    if (d !== 1 && d !== -1) throw badValue('The $sort element value must be either 1 or -1');
    return [...arr].sort((a, b) => compareValues(a, b) * d);
  }
  if (!isPlainObject(spec) || Object.keys(spec).length === 0)
    throw badValue(
      'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields',
    );
  const sort = compileSort(spec);
  const wrapped = arr.map((v) => ({ v, d: (isPlainObject(v) ? v : {}) as Doc }));
  const sorted = sortDocs(
    wrapped.map((w) => w.d),
    sort,
  );
  const byDoc = new Map<Doc, unknown[]>();
  for (const w of wrapped) {
    const list = byDoc.get(w.d) ?? [];
    list.push(w.v);
    byDoc.set(w.d, list);
  }
  return sorted.map((d) => (byDoc.get(d) as unknown[]).shift());
}

// ---------- upsert ----------

/** The document an upsert starts from: the query's equality fields. */
export function upsertSeed(filter: Doc | undefined): Doc {
  const seed: Doc = {};
  const setSeed = (path: string, value: unknown): void => {
    const parts = splitPath(path);
    let cur = seed;
    for (let i = 0; i < parts.length - 1; i++) {
      const k = parts[i] as string;
      const next = cur[k];
      if (next === undefined) cur[k] = {};
      else if (!isPlainObject(next))
        throw err(
          ErrorCodes.NotSingleValueField,
          `cannot infer query fields to set, both paths '${parts.slice(0, i + 1).join('.')}' and '${path}' are matched`,
        );
      cur = cur[k] as Doc;
    }
    const last = parts[parts.length - 1] as string;
    if (last in cur)
      throw err(
        ErrorCodes.NotSingleValueField,
        `cannot infer query fields to set, path '${path}' is matched twice`,
      );
    cur[last] = cloneValue(value);
  };
  const walk = (f: Doc): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const c of v) if (isPlainObject(c)) walk(c);
      } else if (k === '$or' && Array.isArray(v) && v.length === 1 && isPlainObject(v[0])) walk(v[0]);
      else if (k.startsWith('$')) continue;
      else if (isOperatorObject(v)) {
        if ('$eq' in v && !isRegexValue(v.$eq)) setSeed(k, v.$eq);
        else if (Array.isArray(v.$in) && v.$in.length === 1 && !isRegexValue(v.$in[0])) setSeed(k, v.$in[0]);
      } else if (!isRegexValue(v)) setSeed(k, v);
    }
  };
  if (filter) walk(filter);
  return seed;
}

/** Build the document an upsert inserts. */
export function buildUpsertDocument(
  filter: Doc | undefined,
  update: CompiledUpdate,
  opts: Omit<ApplyOptions, 'isInsert'>,
): Doc {
  let doc: Doc;
  if (update.kind === 'replacement') {
    const seed = upsertSeed(filter);
    const base: Doc = seed._id !== undefined ? { _id: seed._id } : {};
    doc = update.apply(base, { ...opts, isInsert: true }).doc;
    if (doc._id === undefined && seed._id !== undefined) doc = { _id: seed._id, ...doc };
  } else {
    const seed = upsertSeed(filter);
    doc = update.apply(seed, { ...opts, isInsert: true }).doc;
    if (seed._id !== undefined && compareValues(doc._id, seed._id) !== 0 && doc._id !== undefined)
      throw err(
        ErrorCodes.ImmutableField,
        "Performing an update on the path '_id' would modify the immutable field '_id'",
      );
  }
  if (doc._id !== undefined && Object.keys(doc)[0] !== '_id') {
    const { _id, ...rest } = doc;
    doc = { _id, ...rest };
  }
  return doc;
}
