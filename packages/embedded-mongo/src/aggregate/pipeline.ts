// Aggregation pipeline stages. Every stage is parsed before any document
// flows, so an invalid or unsupported stage fails even on an empty
// collection. Stages build new documents (copy-on-write along changed
// paths) and never mutate their input, which may be stored data.
import { Int32, Long } from 'bson';
import { err, ErrorCodes, unsupported } from '../errors.js';
import { numKind, toDouble } from '../numeric.js';
import { indexValuesAtPath, splitPath, valuesAtPath } from '../paths.js';
import { compileFilter, isOperatorObject } from '../query/matcher.js';
import { compileProjection, compileUnset } from '../query/projection.js';
import { compileSort, sortDocs } from '../query/sort.js';
import { bsonTypeName, canonicalKey, formatValue, isPlainObject, MISSING } from '../values.js';
import type { Doc } from '../values.js';
import { accumulatorFactory } from './accumulators.js';
import type { AccumulatorFactory } from './accumulators.js';
import { evaluate, groupKey, newExprContext } from './expressions.js';

export interface OutTarget {
  db?: string;
  coll: string;
}

export interface PipelineEnv {
  variables: Doc;
  now: Date;
  /**
   * 'update' pipelines only allow the reshaping stages; 'sub' ($lookup /
   * $unionWith pipelines) and 'facet' forbid $out, 'facet' also forbids $facet.
   */
  mode: 'aggregate' | 'update' | 'facet' | 'sub';
  /** Documents of another collection of the same database (for $lookup, $unionWith). */
  resolveCollection(name: string): Doc[];
  /** Writes the pipeline's output for $out (supplied by the aggregate command). */
  out?(target: OutTarget, docs: Doc[]): void;
  /** Set for `aggregate: 1` (collection-less) pipelines. */
  collectionless?: boolean;
}

type StageFn = (docs: Doc[]) => Doc[];

const UNSUPPORTED_STAGES: Record<string, string> = {
  $changeStream: '$changeStream (change streams)',
  $changeStreamSplitLargeEvent: '$changeStreamSplitLargeEvent (change streams)',
  $geoNear: '$geoNear (geospatial queries)',
  $search: '$search (Atlas Search)',
  $searchMeta: '$searchMeta (Atlas Search)',
  $vectorSearch: '$vectorSearch (Atlas Vector Search)',
  $listSearchIndexes: '$listSearchIndexes (Atlas Search)',
  $graphLookup: '$graphLookup',
  $bucket: '$bucket',
  $bucketAuto: '$bucketAuto',
  $redact: '$redact',
  $setWindowFields: '$setWindowFields',
  $densify: '$densify',
  $fill: '$fill',
  $merge: '$merge',
  $collStats: '$collStats',
  $indexStats: '$indexStats',
  $currentOp: '$currentOp',
  $listSessions: '$listSessions',
  $listLocalSessions: '$listLocalSessions',
  $planCacheStats: '$planCacheStats',
  $shardedDataDistribution: '$shardedDataDistribution',
  $listSampledQueries: '$listSampledQueries',
  $queryStats: '$queryStats',
};

export function runPipeline(stages: unknown, input: Doc[], env: PipelineEnv): Doc[] {
  const fns = compilePipeline(stages, env);
  let docs = input;
  for (const f of fns) docs = f(docs);
  return docs;
}

export function compilePipeline(stages: unknown, env: PipelineEnv): StageFn[] {
  if (!Array.isArray(stages))
    throw err(ErrorCodes.TypeMismatch, "'pipeline' option must be specified as an array");
  return stages.map((s, i) => compileStage(s, env, i, stages.length));
}

function stageName(stage: unknown): string {
  if (!isPlainObject(stage))
    throw err(40323, 'A pipeline stage specification object must contain exactly one field.');
  const keys = Object.keys(stage);
  if (keys.length !== 1)
    throw err(40323, 'A pipeline stage specification object must contain exactly one field.');
  return keys[0] as string;
}

function positiveInt(stage: string, v: unknown, allowZero: boolean): number {
  if (!numKind(v) || !Number.isInteger(toDouble(v)))
    throw err(
      stage === '$limit' ? 15957 : 15972,
      `invalid argument to ${stage} stage: Expected an integer: ${stage}: ${formatValue(v)}`,
    );
  const n = toDouble(v);
  if (n < 0 || (!allowZero && n === 0))
    throw err(
      stage === '$limit' ? 15958 : 15956,
      `invalid argument to ${stage} stage: Expected a ${allowZero ? 'non-negative' : 'positive'} number in: ${stage}: ${n}`,
    );
  return n;
}

/** Copy-on-write set of a dotted path; through arrays the field is set on every element. */
export function setField(doc: Doc, parts: readonly string[], value: unknown, i = 0): Doc {
  const out: Doc = { ...doc };
  const k = parts[i] as string;
  if (i === parts.length - 1) {
    if (value === MISSING) delete out[k];
    else out[k] = value;
    return out;
  }
  const child = doc[k];
  if (isPlainObject(child)) out[k] = setField(child, parts, value, i + 1);
  else if (Array.isArray(child))
    out[k] = child.map((e) =>
      isPlainObject(e)
        ? setField(e, parts, value, i + 1)
        : value === MISSING
          ? e
          : setField({}, parts, value, i + 1),
    );
  else if (value !== MISSING) out[k] = setField({}, parts, value, i + 1);
  return out;
}

function getNested(doc: Doc, parts: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const p of parts) {
    if (!isPlainObject(cur)) return MISSING;
    cur = Object.prototype.hasOwnProperty.call(cur, p) ? cur[p] : MISSING;
  }
  return cur;
}

function compileAddFields(spec: unknown, env: PipelineEnv, name: string): StageFn {
  if (!isPlainObject(spec))
    throw err(40272, `${name} specification stage must be an object, got ${bsonTypeName(spec)}`);
  const entries = Object.entries(spec);
  for (const [k] of entries)
    if (k.startsWith('$')) throw err(16410, `FieldPath field names may not start with '$', given '${k}'.`);
  return (docs) =>
    docs.map((doc) => {
      const ctx = newExprContext(doc, env.variables, env.now);
      return applyAddFields(doc, doc, entries, ctx);
    });
}

function applyAddFields(
  target: Doc,
  root: Doc,
  entries: [string, unknown][],
  ctx: ReturnType<typeof newExprContext>,
): Doc {
  let out = target;
  for (const [key, expr] of entries) {
    const parts = splitPath(key);
    if (isPlainObject(expr) && !isOperatorObject(expr) && Object.keys(expr).length > 0) {
      // nested field specs merge into the existing embedded document
      const existing = getNested(out, parts);
      const sub = Object.entries(expr);
      const merge = (e: unknown): Doc => applyAddFields(isPlainObject(e) ? e : {}, root, sub, ctx);
      out = setField(out, parts, Array.isArray(existing) ? existing.map(merge) : merge(existing));
    } else out = setField(out, parts, evaluate(expr, root, ctx));
  }
  return out;
}

function compileGroup(spec: unknown, env: PipelineEnv): StageFn {
  if (!isPlainObject(spec)) throw err(15947, "a group's fields must be specified in an object");
  if (!('_id' in spec)) throw err(15955, 'a group specification must include an _id');
  const idExpr = spec._id;
  const fields: { name: string; factory: AccumulatorFactory; expr: unknown }[] = [];
  for (const [name, acc] of Object.entries(spec)) {
    if (name === '_id') continue;
    if (name.includes('.')) throw err(40235, `The field name '${name}' cannot contain '.'`);
    if (name.startsWith('$')) throw err(40236, `The field name '${name}' cannot be an operator name`);
    if (!isPlainObject(acc) || Object.keys(acc).length !== 1)
      throw err(40238, `The field '${name}' must specify one accumulator`);
    const op = Object.keys(acc)[0] as string;
    fields.push({ name, factory: accumulatorFactory(op, name), expr: acc[op] });
  }
  return (docs) => {
    const groups = new Map<string, { id: unknown; accs: ReturnType<AccumulatorFactory>[] }>();
    for (const doc of docs) {
      const ctx = newExprContext(doc, env.variables, env.now);
      const idv = evaluate(idExpr, doc, ctx);
      const id = idv === MISSING ? null : idv;
      const key = groupKey(id);
      let g = groups.get(key);
      if (!g) {
        g = { id, accs: fields.map((f) => f.factory()) };
        groups.set(key, g);
      }
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i] as (typeof fields)[number];
        (g.accs[i] as ReturnType<AccumulatorFactory>).add(evaluate(f.expr, doc, ctx));
      }
    }
    const out: Doc[] = [];
    for (const g of groups.values()) {
      const d: Doc = { _id: g.id };
      fields.forEach((f, i) => {
        d[f.name] = (g.accs[i] as ReturnType<AccumulatorFactory>).result();
      });
      out.push(d);
    }
    return out;
  };
}

function compileUnwind(spec: unknown): StageFn {
  let path: unknown;
  let includeArrayIndex: string | undefined;
  let preserve = false;
  if (typeof spec === 'string') path = spec;
  else if (isPlainObject(spec)) {
    for (const k of Object.keys(spec))
      if (k !== 'path' && k !== 'includeArrayIndex' && k !== 'preserveNullAndEmptyArrays')
        throw err(28811, `unrecognized option to $unwind stage: ${k}`);
    path = spec.path;
    if (spec.includeArrayIndex !== undefined) {
      if (typeof spec.includeArrayIndex !== 'string' || spec.includeArrayIndex.startsWith('$'))
        throw err(28822, "includeArrayIndex option to $unwind stage should not be prefixed with a '$'");
      includeArrayIndex = spec.includeArrayIndex;
    }
    if (spec.preserveNullAndEmptyArrays !== undefined) {
      if (typeof spec.preserveNullAndEmptyArrays !== 'boolean')
        throw err(28809, 'expected a boolean for the preserveNullAndEmptyArrays option to $unwind stage');
      preserve = spec.preserveNullAndEmptyArrays;
    }
  } else
    throw err(
      15981,
      `expected either a string or an object as specification for $unwind stage, got ${bsonTypeName(spec)}`,
    );
  if (typeof path !== 'string') throw err(28808, 'expected a string as the path for $unwind stage');
  if (!path.startsWith('$')) throw err(28818, "path option to $unwind stage should be prefixed with a '$'");
  const parts = splitPath(path.slice(1));
  const idxParts = includeArrayIndex ? splitPath(includeArrayIndex) : undefined;
  return (docs) => {
    const out: Doc[] = [];
    for (const doc of docs) {
      const v = getNested(doc, parts);
      if (Array.isArray(v) && v.length > 0) {
        v.forEach((e, i) => {
          let d = setField(doc, parts, e);
          if (idxParts) d = setField(d, idxParts, Long.fromNumber(i));
          out.push(d);
        });
      } else if (Array.isArray(v) || v === MISSING || v === null || v === undefined) {
        if (!preserve) continue;
        let d = Array.isArray(v) ? setField(doc, parts, MISSING) : doc;
        if (idxParts) d = setField(d, idxParts, null);
        out.push(d);
      } else {
        out.push(idxParts ? setField(doc, idxParts, null) : doc);
      }
    }
    return out;
  };
}

function compileLookup(spec: unknown, env: PipelineEnv): StageFn {
  if (!isPlainObject(spec))
    throw err(ErrorCodes.FailedToParse, 'the $lookup specification must be an Object');
  const allowed = new Set(['from', 'localField', 'foreignField', 'as', 'let', 'pipeline']);
  for (const k of Object.keys(spec))
    if (!allowed.has(k)) throw err(ErrorCodes.FailedToParse, `unknown argument to $lookup: ${k}`);
  const { from, localField, foreignField, as } = spec;
  if (isPlainObject(from)) throw unsupported('$lookup from another database ({from: {db, coll}})');
  if (typeof from !== 'string')
    throw err(ErrorCodes.FailedToParse, "missing 'from' option to $lookup stage specification");
  if (typeof as !== 'string') throw err(ErrorCodes.FailedToParse, "must specify 'as' field for a $lookup");
  const hasFields = localField !== undefined || foreignField !== undefined;
  if (hasFields && (typeof localField !== 'string' || typeof foreignField !== 'string'))
    throw err(
      ErrorCodes.FailedToParse,
      "$lookup requires both or neither of 'localField' and 'foreignField' to be specified",
    );
  if (!hasFields && spec.pipeline === undefined)
    throw err(
      ErrorCodes.FailedToParse,
      "must specify 'pipeline' when 'localField' and 'foreignField' are not specified",
    );
  const asParts = splitPath(as);
  const letSpec = spec.let;
  if (letSpec !== undefined && !isPlainObject(letSpec))
    throw err(ErrorCodes.FailedToParse, "$lookup argument 'let' must be an object");
  const pipeline = spec.pipeline;
  if (pipeline !== undefined) compilePipeline(pipeline, { ...env, mode: 'sub' }); // validate once
  const localParts = hasFields ? splitPath(localField as string) : [];
  const foreignParts = hasFields ? splitPath(foreignField as string) : [];

  return (docs) => {
    const foreign = env.resolveCollection(from);
    let byKey: Map<string, Set<number>> | undefined;
    if (hasFields) {
      byKey = new Map();
      foreign.forEach((f, i) => {
        for (const v of valuesAtPath(f, foreignParts)) {
          const k = canonicalKey(v);
          let s = byKey?.get(k);
          if (!s) {
            s = new Set();
            byKey?.set(k, s);
          }
          s.add(i);
        }
      });
    }
    return docs.map((doc) => {
      let matched: Doc[] = foreign;
      if (byKey) {
        const hits = new Set<number>();
        for (const v of indexValuesAtPath(doc, localParts)) {
          if (v === undefined) continue; // empty local array matches nothing
          for (const i of byKey.get(canonicalKey(v)) ?? []) hits.add(i);
        }
        matched = [...hits].sort((a, b) => a - b).map((i) => foreign[i] as Doc);
      }
      if (pipeline !== undefined) {
        const ctx = newExprContext(doc, env.variables, env.now);
        const variables: Doc = { ...env.variables };
        if (letSpec) for (const [k, e] of Object.entries(letSpec)) variables[k] = evaluate(e, doc, ctx);
        matched = runPipeline(pipeline, matched, { ...env, variables, mode: 'sub' });
      }
      return setField(doc, asParts, matched);
    });
  };
}

function compileFacet(spec: unknown, env: PipelineEnv): StageFn {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0)
    throw err(40169, 'the $facet specification must be a non-empty object');
  const facets = Object.entries(spec).map(([name, p]) => {
    if (!Array.isArray(p))
      throw err(40170, `arguments to $facet must be arrays, ${name} is type ${bsonTypeName(p)}`);
    for (const s of p) {
      const n = stageName(s);
      if (n === '$facet' || n === '$out' || n === '$merge' || n === '$documents')
        throw err(40600, `${n} is not allowed to be used within a $facet stage`);
    }
    return { name, fns: compilePipeline(p, { ...env, mode: 'facet' }) };
  });
  return (docs) => {
    const out: Doc = {};
    for (const f of facets) {
      let d = docs;
      for (const fn of f.fns) d = fn(d);
      out[f.name] = d;
    }
    return [out];
  };
}

function compileStage(stage: unknown, env: PipelineEnv, index: number, total: number): StageFn {
  const name = stageName(stage);
  const spec = (stage as Doc)[name];
  if (
    env.mode === 'update' &&
    !['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith'].includes(name)
  )
    throw err(ErrorCodes.InvalidOptions, `${name} is not allowed to be used within an update`);
  switch (name) {
    case '$match': {
      if (!isPlainObject(spec)) throw err(15959, 'the match filter must be an expression in an object');
      const pred = compileFilter(spec, { variables: env.variables, now: env.now });
      return (docs) => docs.filter((d) => pred(d));
    }
    case '$project': {
      const proj = compileProjection(spec, { mode: 'aggregate', variables: env.variables, now: env.now });
      if (!proj) throw err(51272, 'projection specification must have at least one field');
      return (docs) => docs.map(proj);
    }
    case '$addFields':
    case '$set':
      return compileAddFields(spec, env, name);
    case '$unset': {
      const proj = compileUnset(spec);
      return (docs) => docs.map(proj);
    }
    case '$replaceRoot':
    case '$replaceWith': {
      let expr: unknown = spec;
      if (name === '$replaceRoot') {
        if (!isPlainObject(spec) || !('newRoot' in spec))
          throw err(40231, 'no newRoot specified for the $replaceRoot stage');
        expr = spec.newRoot;
      }
      return (docs) =>
        docs.map((doc) => {
          const v = evaluate(expr, doc, newExprContext(doc, env.variables, env.now));
          if (!isPlainObject(v))
            throw err(
              40228,
              `'newRoot' expression must evaluate to an object, but resulting value was: ${formatValue(v)}. Type of resulting value: '${bsonTypeName(v)}'. Input document: ${formatValue(doc)}`,
            );
          return v;
        });
    }
    case '$group':
      return compileGroup(spec, env);
    case '$sort': {
      const sort = compileSort(spec, true);
      return (docs) => sortDocs(docs, sort);
    }
    case '$limit': {
      const n = positiveInt(name, spec, false);
      return (docs) => docs.slice(0, n);
    }
    case '$skip': {
      const n = positiveInt(name, spec, true);
      return (docs) => docs.slice(n);
    }
    case '$count': {
      if (typeof spec !== 'string' || spec === '')
        throw err(40156, 'the count field must be a non-empty string');
      if (spec.startsWith('$')) throw err(40158, 'the count field cannot be a $-prefixed path');
      if (spec.includes('.')) throw err(40160, "the count field cannot contain '.'");
      return (docs) => (docs.length ? [{ [spec]: new Int32(docs.length) }] : []);
    }
    case '$unwind':
      return compileUnwind(spec);
    case '$lookup':
      return compileLookup(spec, env);
    case '$facet':
      if (env.mode === 'facet') throw err(40600, '$facet is not allowed to be used within a $facet stage');
      return compileFacet(spec, env);
    case '$sortByCount': {
      const group = compileGroup({ _id: spec, count: { $sum: new Int32(1) } }, env);
      const sort = compileSort({ count: new Int32(-1) });
      return (docs) => sortDocs(group(docs), sort);
    }
    case '$sample': {
      if (!isPlainObject(spec) || !numKind(spec.size)) throw err(28745, 'no size specified to $sample');
      const size = toDouble(spec.size);
      if (size < 0) throw err(28747, 'size argument to $sample must not be negative');
      return (docs) => {
        const copy = [...docs];
        for (let i = copy.length - 1; i > 0; i--) {
          const j = Math.floor(Math.random() * (i + 1));
          [copy[i], copy[j]] = [copy[j] as Doc, copy[i] as Doc];
        }
        return copy.slice(0, size);
      };
    }
    case '$unionWith': {
      const coll = typeof spec === 'string' ? spec : isPlainObject(spec) ? spec.coll : undefined;
      if (typeof coll !== 'string')
        throw err(ErrorCodes.FailedToParse, '$unionWith requires a collection name');
      const pipeline = isPlainObject(spec) ? spec.pipeline : undefined;
      if (pipeline !== undefined) compilePipeline(pipeline, { ...env, mode: 'sub' });
      return (docs) => {
        const other = env.resolveCollection(coll);
        return docs.concat(pipeline ? runPipeline(pipeline, other, { ...env, mode: 'sub' }) : other);
      };
    }
    case '$documents': {
      if (index !== 0 || !env.collectionless)
        throw err(ErrorCodes.InvalidNamespace, '$documents is only valid as the first stage in a pipeline');
      return () => {
        const v = evaluate(spec, {}, newExprContext({}, env.variables, env.now));
        if (!Array.isArray(v) || !v.every(isPlainObject))
          throw err(5858203, '$documents must evaluate to an array of objects');
        return v as Doc[];
      };
    }
    case '$out': {
      if (index !== total - 1) throw err(40601, '$out can only be the final stage in the pipeline');
      if (env.mode !== 'aggregate')
        throw err(ErrorCodes.InvalidOptions, '$out is not allowed in this context');
      let target: OutTarget;
      if (typeof spec === 'string') target = { coll: spec };
      else if (isPlainObject(spec) && typeof spec.coll === 'string') {
        if (spec.timeseries !== undefined) throw unsupported('$out to a time series collection');
        target = { coll: spec.coll, db: typeof spec.db === 'string' ? spec.db : undefined };
      } else throw err(16990, `$out only supports a string or object argument, not ${bsonTypeName(spec)}`);
      if (!target.coll) throw err(ErrorCodes.InvalidNamespace, 'Invalid $out target namespace');
      return (docs) => {
        if (!env.out) throw unsupported('$out in this context');
        env.out(target, docs);
        return [];
      };
    }
    default:
      if (UNSUPPORTED_STAGES[name]) throw unsupported(`the ${UNSUPPORTED_STAGES[name]} aggregation stage`);
      throw err(ErrorCodes.UnrecognizedPipelineStage, `Unrecognized pipeline stage name: '${name}'`);
  }
}
