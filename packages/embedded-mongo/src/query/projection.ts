// Projections for find (incl. $slice, $elemMatch, positional `$`) and for the
// $project / $unset stages. Output documents are always new objects, so
// stored documents are never mutated.
import { badValue, err, unsupported } from '../errors.js';
import { evaluate, newExprContext } from '../aggregate/expressions.js';
import { numKind, toDouble } from '../numeric.js';
import { splitPath } from '../paths.js';
import { isPlainObject, MISSING } from '../values.js';
import type { Doc } from '../values.js';
import { compileFilter } from './matcher.js';
import type { Predicate } from './matcher.js';
import { positionalIndex } from './positional.js';

type PNode =
  | { kind: 'include' }
  | { kind: 'exclude' }
  | { kind: 'expr'; expr: unknown }
  | { kind: 'slice'; skip: number; limit: number | undefined }
  | { kind: 'elemMatch'; pred: Predicate }
  | { kind: 'positional'; path: string }
  | { kind: 'nested'; children: Map<string, PNode> };

export interface ProjectionOptions {
  mode: 'find' | 'aggregate';
  variables?: Doc;
  /** The query, for the positional `$` projection. */
  filter?: Doc;
  now?: Date;
}

export type Projector = (doc: Doc) => Doc;

const isFlag = (v: unknown): boolean => typeof v === 'boolean' || numKind(v) !== undefined;
const flagValue = (v: unknown): boolean => (typeof v === 'boolean' ? v : toDouble(v) !== 0);

export function compileProjection(spec: unknown, opts: ProjectionOptions): Projector | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainObject(spec)) throw err(14, 'projection must be an object');
  const keys = Object.keys(spec);
  if (keys.length === 0) {
    if (opts.mode === 'aggregate') throw err(51272, 'projection specification must have at least one field');
    return undefined;
  }
  const root = new Map<string, PNode>();
  let inclusion: boolean | undefined;
  let idExcluded = false;
  let idSet = false;

  const setMode = (incl: boolean, path: string): void => {
    if (inclusion === undefined) inclusion = incl;
    else if (inclusion !== incl)
      throw incl
        ? err(31253, `Cannot do inclusion on field ${path} in exclusion projection`)
        : err(31254, `Cannot do exclusion on field ${path} in inclusion projection`);
  };

  const insert = (path: string, node: PNode): void => {
    const parts = splitPath(path);
    let map = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i] as string;
      let next = map.get(p);
      if (!next) {
        next = { kind: 'nested', children: new Map() };
        map.set(p, next);
      } else if (next.kind !== 'nested') throw err(31250, `Path collision at ${path}`);
      map = next.children;
    }
    const last = parts[parts.length - 1] as string;
    if (map.has(last)) throw err(31250, `Path collision at ${path}`);
    map.set(last, node);
  };

  const walk = (obj: Doc, prefix: string): void => {
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      const path = prefix ? `${prefix}.${key}` : key;
      if (opts.mode === 'find' && key.endsWith('.$')) {
        const arrayPath = path.slice(0, -2);
        setMode(true, path);
        insert(arrayPath, { kind: 'positional', path: arrayPath });
        continue;
      }
      if (key.startsWith('$'))
        throw err(16410, `FieldPath field names may not start with '$', given '${key}'.`);
      if (isFlag(v)) {
        const incl = flagValue(v);
        if (path === '_id') {
          idSet = true;
          idExcluded = !incl;
          if (incl) insert(path, { kind: 'include' });
          continue;
        }
        setMode(incl, path);
        insert(path, { kind: incl ? 'include' : 'exclude' });
      } else if (isPlainObject(v)) {
        const first = Object.keys(v)[0];
        if (first === undefined)
          throw err(
            51270,
            `An empty sub-projection is not a valid value. Found empty object at path ${path}`,
          );
        if (first.startsWith('$')) {
          if (first === '$meta') throw unsupported(`$meta projection ({$meta: ${JSON.stringify(v.$meta)}})`);
          if (opts.mode === 'find' && first === '$slice') {
            insert(path, parseSlice(v.$slice));
            continue;
          }
          if (opts.mode === 'find' && first === '$elemMatch') {
            if (!isPlainObject(v.$elemMatch)) throw badValue('elemMatch: Invalid argument, object required.');
            setMode(true, path);
            const pred = compileFilter(v.$elemMatch);
            insert(path, { kind: 'elemMatch', pred });
            continue;
          }
          if (path === '_id') idSet = true;
          else setMode(true, path);
          insert(path, { kind: 'expr', expr: v });
        } else walk(v, path);
      } else {
        // literals and "$field" strings are computed fields
        if (path === '_id') idSet = true;
        else setMode(true, path);
        insert(path, { kind: 'expr', expr: v });
      }
    }
  };
  walk(spec, '');

  let exclusionMode: boolean;
  if (inclusion !== undefined) exclusionMode = !inclusion;
  else {
    // only _id flags and/or $slice: {_id: 0} and {a: {$slice: 1}} keep every other field
    exclusionMode = ![...root.entries()].some(
      ([k, n]) =>
        n.kind === 'expr' ||
        n.kind === 'positional' ||
        n.kind === 'elemMatch' ||
        (k === '_id' && n.kind === 'include'),
    );
  }
  if (!exclusionMode && !idSet) root.set('_id', { kind: 'include' });
  if (idExcluded) root.set('_id', { kind: 'exclude' });
  const variables = opts.variables ?? {};
  const now = opts.now ?? new Date();

  return (doc: Doc): Doc => {
    const ctx = newExprContext(doc, variables, now);
    const state: ApplyState = { doc, filter: opts.filter, ctx };
    return exclusionMode ? applyExclusion(root, doc, state) : applyInclusion(root, doc, state);
  };
}

function parseSlice(arg: unknown): PNode {
  if (numKind(arg)) {
    const n = Math.trunc(toDouble(arg));
    return n >= 0 ? { kind: 'slice', skip: 0, limit: n } : { kind: 'slice', skip: n, limit: undefined };
  }
  if (Array.isArray(arg) && arg.length === 2 && numKind(arg[0]) && numKind(arg[1])) {
    const limit = Math.trunc(toDouble(arg[1]));
    if (limit <= 0) throw badValue('$slice limit must be positive');
    return { kind: 'slice', skip: Math.trunc(toDouble(arg[0])), limit };
  }
  throw badValue('$slice only supports numbers and [skip, limit] arrays');
}

function slice(arr: unknown[], skip: number, limit: number | undefined): unknown[] {
  if (limit === undefined) return skip < 0 ? arr.slice(Math.max(arr.length + skip, 0)) : arr.slice(0, skip);
  const start = skip < 0 ? Math.max(arr.length + skip, 0) : Math.min(skip, arr.length);
  return arr.slice(start, start + limit);
}

interface ApplyState {
  doc: Doc;
  filter: Doc | undefined;
  ctx: ReturnType<typeof newExprContext>;
}

function applySpecial(node: PNode, value: unknown, state: ApplyState): unknown {
  switch (node.kind) {
    case 'slice':
      return Array.isArray(value) ? slice(value, node.skip, node.limit) : value;
    case 'elemMatch': {
      if (!Array.isArray(value)) return MISSING;
      const hit = value.find((e) => (isPlainObject(e) || Array.isArray(e)) && node.pred(e));
      return hit === undefined ? MISSING : [hit];
    }
    case 'positional': {
      if (!Array.isArray(value)) return value;
      const i = positionalIndex(state.doc, state.filter, node.path);
      if (i === undefined)
        throw badValue(
          "Executor error during find command :: caused by :: positional operator '.$' couldn't find a matching element in the array",
        );
      return [value[i]];
    }
    case 'expr':
      return evaluate(node.expr, state.doc, state.ctx);
    default:
      return value;
  }
}

function applyInclusion(children: Map<string, PNode>, value: Doc, state: ApplyState): Doc {
  const out: Doc = {};
  for (const key of Object.keys(value)) {
    const node = children.get(key);
    if (!node || node.kind === 'exclude' || node.kind === 'expr') continue;
    const v = value[key];
    if (node.kind === 'include') out[key] = v;
    else if (node.kind === 'nested') {
      const r = includeNested(node.children, v, state);
      if (r !== MISSING) out[key] = r;
    } else {
      const r = applySpecial(node, v, state);
      if (r !== MISSING) out[key] = r;
    }
  }
  // computed fields follow the copied ones, in specification order
  for (const [key, node] of children) {
    if (node.kind === 'expr') {
      const r = evaluate(node.expr, state.doc, state.ctx);
      if (r !== MISSING) out[key] = r;
    } else if (node.kind === 'nested' && !(key in out) && hasComputed(node.children)) {
      const r = includeNested(node.children, {}, state);
      if (r !== MISSING) out[key] = r;
    }
  }
  return out;
}

function hasComputed(children: Map<string, PNode>): boolean {
  for (const n of children.values())
    if (n.kind === 'expr' || (n.kind === 'nested' && hasComputed(n.children))) return true;
  return false;
}

function includeNested(children: Map<string, PNode>, v: unknown, state: ApplyState): unknown {
  if (isPlainObject(v)) return applyInclusion(children, v, state);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const e of v) {
      if (isPlainObject(e) || Array.isArray(e)) out.push(includeNested(children, e, state));
      else if (hasComputed(children)) out.push(applyInclusion(children, {}, state));
    }
    return out;
  }
  return hasComputed(children) ? applyInclusion(children, {}, state) : MISSING;
}

function applyExclusion(children: Map<string, PNode>, value: Doc, state: ApplyState): Doc {
  const out: Doc = {};
  for (const key of Object.keys(value)) {
    const node = children.get(key);
    const v = value[key];
    if (!node || node.kind === 'include') out[key] = v;
    else if (node.kind === 'exclude') continue;
    else if (node.kind === 'nested') out[key] = excludeNested(node.children, v, state);
    else {
      const r = applySpecial(node, v, state);
      if (r !== MISSING) out[key] = r;
    }
  }
  return out;
}

function excludeNested(children: Map<string, PNode>, v: unknown, state: ApplyState): unknown {
  if (isPlainObject(v)) return applyExclusion(children, v, state);
  if (Array.isArray(v))
    return v.map((e) => (isPlainObject(e) || Array.isArray(e) ? excludeNested(children, e, state) : e));
  return v;
}

/** $unset stage / exclusion of a list of paths. */
export function compileUnset(fields: unknown): Projector {
  const list = typeof fields === 'string' ? [fields] : fields;
  if (!Array.isArray(list) || list.length === 0 || !list.every((f) => typeof f === 'string'))
    throw err(31002, '$unset specification must be a string or an array containing only string values');
  const spec: Doc = {};
  for (const f of list) spec[f as string] = 0;
  return compileProjection(spec, { mode: 'aggregate' }) as Projector;
}
