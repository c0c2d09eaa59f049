// find / getMore / killCursors / count / distinct / aggregate.
import { Int32, Long } from 'bson';
import { compilePipeline } from '../aggregate/pipeline.js';
import type { OutTarget, PipelineEnv } from '../aggregate/pipeline.js';
import { badValue, err, ErrorCodes, unsupported } from '../errors.js';
import { numKind, toDouble } from '../numeric.js';
import { indexValuesAtPath, splitPath } from '../paths.js';
import { runQuery, resolveHint } from '../query/execute.js';
import { compileProjection } from '../query/projection.js';
import { validateCollectionName, validateDbName } from '../storage/catalog.js';
import { Collection } from '../storage/collection.js';
import { canonicalKey, compareValues, isPlainObject, MISSING } from '../values.js';
import type { Doc } from '../values.js';
import { boolArg, collectionArg, docArg, intArg, letVariables, rejectCollation } from './context.js';
import type { CommandContext, CommandSpec } from './context.js';
import { prepareForStorage } from './write.js';

const COLLECTIONLESS_FIRST_STAGES = new Set([
  '$documents',
  '$currentOp',
  '$listLocalSessions',
  '$changeStream',
]);

const find: CommandSpec = {
  fields: [
    'filter',
    'sort',
    'projection',
    'hint',
    'skip',
    'limit',
    'batchSize',
    'singleBatch',
    'max',
    'min',
    'returnKey',
    'showRecordId',
    'tailable',
    'oplogReplay',
    'noCursorTimeout',
    'awaitData',
    'allowPartialResults',
    'collation',
    'allowDiskUse',
    'let',
    'readOnce',
    'ntoreturn',
  ],
  inTransaction: true,
  handler(ctx) {
    const cmd = ctx.cmd;
    const name = collectionArg(ctx);
    const filter = docArg(cmd, 'filter', 'find');
    const skip = intArg(cmd, 'skip', 'find');
    const limit = intArg(cmd, 'limit', 'find');
    const batchSize = intArg(cmd, 'batchSize', 'find');
    if (skip !== undefined && skip < 0)
      throw badValue(`Skip value must be non-negative, but received: ${skip}`);
    if (limit !== undefined && limit < 0)
      throw badValue(`Limit value must be non-negative, but received: ${limit}`);
    if (batchSize !== undefined && batchSize < 0)
      throw badValue(`BatchSize value must be non-negative, but received: ${batchSize}`);
    rejectCollation(cmd.collation);
    if (boolArg(cmd, 'tailable') || boolArg(cmd, 'awaitData') || boolArg(cmd, 'oplogReplay'))
      throw unsupported('tailable cursors (tailable / awaitData)');
    if (boolArg(cmd, 'returnKey')) throw unsupported('find option returnKey');
    if (boolArg(cmd, 'showRecordId')) throw unsupported('find option showRecordId');
    if (cmd.min !== undefined || cmd.max !== undefined) throw unsupported('find options min / max');
    const variables = letVariables(cmd, 'find');
    const projection = compileProjection(docArg(cmd, 'projection', 'find'), {
      mode: 'find',
      filter,
      variables,
      now: ctx.now,
    });
    const coll = ctx.view.collection(ctx.db, name);
    let docs = runQuery(coll, filter, {
      sort: docArg(cmd, 'sort', 'find'),
      skip,
      limit,
      hint: cmd.hint,
      variables,
      now: ctx.now,
    });
    if (projection) docs = docs.map(projection);
    const singleBatch = boolArg(cmd, 'singleBatch') ?? false;
    return ctx.state.cursors.open(`${ctx.db}.${name}`, docs, {
      batchSize: batchSize ?? (limit && limit < 101 ? limit : undefined),
      singleBatch,
      noTimeout: boolArg(cmd, 'noCursorTimeout'),
      sessionKey: ctx.session?.key,
    });
  },
};

function cursorIdArg(v: unknown): bigint {
  if (
    v instanceof Long ||
    (typeof v === 'object' && v !== null && (v as { _bsontype?: string })._bsontype === 'Long')
  )
    return (v as Long).toBigInt();
  if (numKind(v)) return BigInt(Math.trunc(toDouble(v)));
  throw err(ErrorCodes.TypeMismatch, "BSON field 'getMore.getMore' is the wrong type, expected type 'long'");
}

const getMore: CommandSpec = {
  fields: ['collection', 'batchSize', 'term', 'lastKnownCommittedOpTime'],
  inTransaction: true,
  handler(ctx) {
    const coll = ctx.cmd.collection;
    if (typeof coll !== 'string')
      throw err(ErrorCodes.TypeMismatch, "BSON field 'getMore.collection' is missing but a required field");
    const batchSize = intArg(ctx.cmd, 'batchSize', 'getMore');
    return ctx.state.cursors.getMore(cursorIdArg(ctx.cmd.getMore), `${ctx.db}.${coll}`, batchSize);
  },
};

const killCursors: CommandSpec = {
  fields: ['cursors'],
  inTransaction: true,
  handler(ctx) {
    const ids = ctx.cmd.cursors;
    if (!Array.isArray(ids))
      throw err(ErrorCodes.TypeMismatch, "BSON field 'killCursors.cursors' is missing but a required field");
    const { killed, notFound } = ctx.state.cursors.kill(ids.map(cursorIdArg));
    return {
      cursorsKilled: killed.map((i) => Long.fromBigInt(i)),
      cursorsNotFound: notFound.map((i) => Long.fromBigInt(i)),
      cursorsAlive: [],
      cursorsUnknown: [],
    };
  },
};

const count: CommandSpec = {
  fields: ['query', 'limit', 'skip', 'hint', 'collation', 'fields'],
  handler(ctx) {
    const name = collectionArg(ctx);
    const query = docArg(ctx.cmd, 'query', 'count');
    rejectCollation(ctx.cmd.collation);
    const skip = intArg(ctx.cmd, 'skip', 'count');
    if (skip !== undefined && skip < 0) throw badValue('skip value is negative in count query');
    const limit = Math.abs(intArg(ctx.cmd, 'limit', 'count') ?? 0);
    const coll = ctx.view.collection(ctx.db, name);
    if (coll && (!query || Object.keys(query).length === 0) && ctx.cmd.hint === undefined) {
      let n = Math.max(coll.docs.size - (skip ?? 0), 0);
      if (limit) n = Math.min(n, limit);
      return { n: new Int32(n) };
    }
    return { n: new Int32(runQuery(coll, query, { skip, limit, hint: ctx.cmd.hint, now: ctx.now }).length) };
  },
};

const distinct: CommandSpec = {
  fields: ['key', 'query', 'collation', 'hint'],
  inTransaction: true,
  handler(ctx) {
    const name = collectionArg(ctx);
    const key = ctx.cmd.key;
    if (typeof key !== 'string')
      throw err(ErrorCodes.TypeMismatch, "BSON field 'distinct.key' is missing but a required field");
    if (key === '') throw badValue('FieldPath cannot be constructed with empty string');
    rejectCollation(ctx.cmd.collation);
    const coll = ctx.view.collection(ctx.db, name);
    const docs = runQuery(coll, docArg(ctx.cmd, 'query', 'distinct'), { hint: ctx.cmd.hint, now: ctx.now });
    const parts = splitPath(key);
    const seen = new Map<string, unknown>();
    for (const d of docs)
      for (const v of indexValuesAtPath(d, parts)) {
        if (v === MISSING || v === undefined) continue;
        const k = canonicalKey(v);
        if (!seen.has(k)) seen.set(k, v);
      }
    return { values: [...seen.values()].sort(compareValues) };
  },
};

const aggregate: CommandSpec = {
  fields: [
    'pipeline',
    'cursor',
    'explain',
    'allowDiskUse',
    'bypassDocumentValidation',
    'collation',
    'hint',
    'let',
    'fromMongos',
    'needsMerge',
    'isMapReduceCommand',
  ],
  inTransaction: true,
  handler(ctx) {
    const cmd = ctx.cmd;
    if (cmd.explain !== undefined && boolArg(cmd, 'explain')) throw unsupported('explain');
    const cursorSpec = docArg(cmd, 'cursor', 'aggregate');
    if (!cursorSpec)
      throw failed("The 'cursor' option is required, except for aggregate with the explain argument");
    rejectCollation(cmd.collation);
    const collectionless = numKind(cmd.aggregate) !== undefined && toDouble(cmd.aggregate) === 1;
    const name = collectionless ? undefined : collectionArg(ctx, 'aggregate');
    const variables = letVariables(cmd, 'aggregate');
    const pipeline = cmd.pipeline;
    if (!Array.isArray(pipeline))
      throw err(ErrorCodes.TypeMismatch, "'pipeline' option must be specified as an array");
    const hasOut = pipeline.some((s) => isPlainObject(s) && ('$out' in s || '$merge' in s));
    if (hasOut && ctx.txn)
      throw err(ErrorCodes.OperationNotSupportedInTransaction, '$out cannot be used in a transaction');
    const first = pipeline[0];
    // $changeStream is allowed here so that db/client watch() fail as unsupported, naming it
    const firstName = isPlainObject(first) ? Object.keys(first)[0] : undefined;
    if (collectionless && !COLLECTIONLESS_FIRST_STAGES.has(firstName ?? ''))
      throw err(
        ErrorCodes.InvalidNamespace,
        `{aggregate: 1} is not valid for '${firstName ?? '(empty pipeline)'}'; a collection is required.`,
      );
    const env: PipelineEnv = {
      variables,
      now: ctx.now,
      mode: 'aggregate',
      collectionless,
      resolveCollection: (other) => {
        validateCollectionName(ctx.db, other);
        const coll = ctx.view.collection(ctx.db, other);
        if (!coll) return [];
        // a full read of the foreign collection: count it, so serverStatus tells the truth
        coll.metrics.scannedObjects += coll.docs.size;
        return [...coll.docs.values()];
      },
      out: (target, docs) => writeOut(ctx, target, docs),
    };
    // The first $match runs through the index-aware query path.
    const coll = name ? ctx.view.collection(ctx.db, name) : undefined;
    if (coll && cmd.hint !== undefined) resolveHint(coll, cmd.hint);
    let input: Doc[];
    const fns = compilePipeline(pipeline, env);
    if (name && isPlainObject(first) && isPlainObject(first.$match)) {
      input = runQuery(coll, first.$match, { variables, now: ctx.now, hint: cmd.hint });
      fns.shift();
    } else input = coll ? [...coll.candidates(undefined)] : [];
    let docs = input;
    for (const f of fns) docs = f(docs);
    const batchSize = intArg(cursorSpec, 'batchSize', 'aggregate.cursor');
    const ns = name ? `${ctx.db}.${name}` : `${ctx.db}.$cmd.aggregate`;
    return ctx.state.cursors.open(ns, docs, { batchSize, sessionKey: ctx.session?.key });
  },
};

function failed(message: string): Error {
  return err(ErrorCodes.FailedToParse, message);
}

/** $out: replace the target collection's documents, keeping its indexes; all or nothing. */
function writeOut(ctx: CommandContext, target: OutTarget, docs: Doc[]): void {
  const db = target.db ?? ctx.db;
  validateDbName(db);
  validateCollectionName(db, target.coll);
  const catalog = ctx.state.catalog;
  const existing = catalog.get(db, target.coll);
  const fresh = new Collection(db, target.coll, catalog.metrics, existing?.options ?? {});
  if (existing) for (const ix of existing.indexes.values()) if (!ix.isId) fresh.addIndex(ix.spec);
  for (const d of docs) fresh.insert(prepareForStorage(d, 'insert'));
  if (existing) catalog.drop(db, target.coll);
  catalog.install(fresh);
}

export const readCommands: Record<string, CommandSpec> = {
  find,
  getMore,
  killCursors,
  count,
  distinct,
  aggregate,
};
