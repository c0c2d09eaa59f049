// insert / update / delete / findAndModify.
import { ObjectId } from 'bson';
import { bsonSize, MAX_BSON_SIZE } from '../cursors.js';
import { badValue, err, ErrorCodes, failedToParse, MongoCommandError, TRANSIENT } from '../errors.js';
import { numKind, toDouble } from '../numeric.js';
import { runQuery } from '../query/execute.js';
import { compileProjection } from '../query/projection.js';
import type { Collection } from '../storage/collection.js';
import { buildUpsertDocument, compileUpdate } from '../update.js';
import type { ApplyOptions } from '../update.js';
import { isPlainObject, isRegexValue } from '../values.js';
import type { Doc } from '../values.js';
import { boolArg, collectionArg, docArg, letVariables, rejectCollation, writeBatch } from './context.js';
import type { CommandContext, CommandSpec } from './context.js';

/** Give the document an _id (first field) and check what mongod checks before storing. */
export function prepareForStorage(doc: unknown, context: 'insert' | 'update'): Doc {
  if (!isPlainObject(doc)) throw err(ErrorCodes.TypeMismatch, 'document to insert must be an object');
  let out = doc;
  if (out._id === undefined) out = { _id: new ObjectId(), ...out };
  else if (Object.keys(out)[0] !== '_id') {
    const { _id, ...rest } = out;
    out = { _id, ...rest };
  }
  const id = out._id;
  if (Array.isArray(id)) throw badValue(`The '_id' value cannot be of type array`);
  if (isRegexValue(id)) throw badValue("can't use a regex for _id");
  if (context === 'insert')
    for (const k of Object.keys(out))
      if (k.startsWith('$')) throw badValue(`Document can't have $ prefixed field names: ${k}`);
  const size = bsonSize(out);
  if (size > MAX_BSON_SIZE)
    throw err(
      ErrorCodes.BSONObjectTooLarge,
      context === 'insert'
        ? `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_SIZE}`
        : `Resulting document after update is larger than ${MAX_BSON_SIZE}`,
    );
  return out;
}

function checkSize(doc: Doc): void {
  const size = bsonSize(doc);
  if (size > MAX_BSON_SIZE)
    throw err(
      ErrorCodes.BSONObjectTooLarge,
      `Resulting document after update is larger than ${MAX_BSON_SIZE}`,
    );
}

/** Transaction-level errors abort the whole command instead of becoming writeErrors. */
function isTransient(e: unknown): boolean {
  return e instanceof MongoCommandError && e.errorLabels.includes(TRANSIENT);
}

function statementError(e: unknown): MongoCommandError {
  if (e instanceof MongoCommandError && !isTransient(e)) return e;
  throw e;
}

function applyOptions(
  ctx: CommandContext,
  filter: Doc | undefined,
  variables: Doc,
): Omit<ApplyOptions, 'isInsert'> {
  return {
    filter,
    now: ctx.now,
    pipelineEnv: {
      variables,
      mode: 'update',
      resolveCollection: (name) => [...(ctx.view.collection(ctx.db, name)?.docs.values() ?? [])],
    },
  };
}

const insert: CommandSpec = {
  fields: ['documents', 'ordered', 'bypassDocumentValidation'],
  inTransaction: true,
  retryableWrite: true,
  handler(ctx) {
    const name = collectionArg(ctx);
    const docs = writeBatch(ctx.cmd, 'documents', 'insert');
    const ordered = boolArg(ctx.cmd, 'ordered') ?? true;
    const coll = ctx.view.ensureCollection(ctx.db, name);
    let n = 0;
    const writeErrors: Doc[] = [];
    for (let i = 0; i < docs.length; i++) {
      try {
        ctx.view.insert(coll, prepareForStorage(docs[i], 'insert'));
        n++;
      } catch (e) {
        writeErrors.push(statementError(e).toWriteError(i));
        if (ordered) break;
      }
    }
    return writeErrors.length ? { n, writeErrors } : { n };
  },
};

const UPDATE_STATEMENT_FIELDS = new Set([
  'q',
  'u',
  'upsert',
  'multi',
  'arrayFilters',
  'collation',
  'hint',
  'c',
  'upsertSupplied',
]);

const update: CommandSpec = {
  fields: ['updates', 'ordered', 'bypassDocumentValidation', 'let'],
  inTransaction: true,
  retryableWrite: true,
  handler(ctx) {
    const name = collectionArg(ctx);
    const statements = writeBatch(ctx.cmd, 'updates', 'update');
    const ordered = boolArg(ctx.cmd, 'ordered') ?? true;
    const variables = letVariables(ctx.cmd, 'update');
    let n = 0;
    let nModified = 0;
    const upserted: Doc[] = [];
    const writeErrors: Doc[] = [];
    for (const stmt of statements) validateUpdateStatement(stmt);
    for (let i = 0; i < statements.length; i++) {
      try {
        const r = runUpdateStatement(ctx, name, statements[i] as Doc, variables);
        n += r.n;
        nModified += r.nModified;
        if (r.upsertedId !== undefined) upserted.push({ index: i, _id: r.upsertedId });
      } catch (e) {
        writeErrors.push(statementError(e).toWriteError(i));
        if (ordered) break;
      }
    }
    const reply: Doc = { n, nModified };
    if (upserted.length) reply.upserted = upserted;
    if (writeErrors.length) reply.writeErrors = writeErrors;
    return reply;
  },
};

function validateUpdateStatement(stmt: unknown): void {
  if (!isPlainObject(stmt)) throw err(ErrorCodes.TypeMismatch, 'update statement must be an object');
  for (const k of Object.keys(stmt))
    if (!UPDATE_STATEMENT_FIELDS.has(k))
      throw err(ErrorCodes.UnknownBSONField, `BSON field 'update.updates.${k}' is an unknown field.`);
  if (stmt.q === undefined) throw err(40414, "BSON field 'update.updates.q' is missing but a required field");
  if (stmt.u === undefined) throw err(40414, "BSON field 'update.updates.u' is missing but a required field");
  docArg(stmt, 'q', 'update.updates');
}

function runUpdateStatement(
  ctx: CommandContext,
  name: string,
  stmt: Doc,
  cmdVariables: Doc,
): { n: number; nModified: number; upsertedId?: unknown } {
  const q = docArg(stmt, 'q', 'update.updates') ?? {};
  rejectCollation(stmt.collation);
  const multi = boolArg(stmt, 'multi') ?? false;
  const upsert = boolArg(stmt, 'upsert') ?? false;
  const variables = { ...cmdVariables, ...(docArg(stmt, 'c', 'update.updates') ?? {}) };
  const compiled = compileUpdate(stmt.u, stmt.arrayFilters);
  if (multi && compiled.kind === 'replacement')
    throw failedToParse('multi update is not supported for replacement-style update');
  const coll: Collection | undefined = upsert
    ? ctx.view.ensureCollection(ctx.db, name)
    : ctx.view.collection(ctx.db, name);
  const matches = runQuery(coll, q, { limit: multi ? 0 : 1, hint: stmt.hint, variables, now: ctx.now });
  const opts = applyOptions(ctx, q, variables);
  if (matches.length === 0) {
    if (!upsert || !coll) return { n: 0, nModified: 0 };
    const doc = prepareForStorage(buildUpsertDocument(q, compiled, opts), 'update');
    ctx.view.insert(coll, doc);
    return { n: 1, nModified: 0, upsertedId: doc._id };
  }
  let nModified = 0;
  for (const m of matches) {
    const r = compiled.apply(m, { ...opts, isInsert: false });
    if (r.modified) {
      checkSize(r.doc);
      ctx.view.replace(coll as Collection, m, r.doc);
      nModified++;
    }
  }
  return { n: matches.length, nModified };
}

const del: CommandSpec = {
  fields: ['deletes', 'ordered', 'let'],
  inTransaction: true,
  retryableWrite: true,
  handler(ctx) {
    const name = collectionArg(ctx);
    const statements = writeBatch(ctx.cmd, 'deletes', 'delete');
    const ordered = boolArg(ctx.cmd, 'ordered') ?? true;
    const variables = letVariables(ctx.cmd, 'delete');
    const coll = ctx.view.collection(ctx.db, name);
    let n = 0;
    const writeErrors: Doc[] = [];
    // statement shape is validated up front: those are command (not write) errors
    const parsed = statements.map((stmt) => {
      if (!isPlainObject(stmt)) throw err(ErrorCodes.TypeMismatch, 'delete statement must be an object');
      for (const k of Object.keys(stmt))
        if (!['q', 'limit', 'collation', 'hint'].includes(k))
          throw err(ErrorCodes.UnknownBSONField, `BSON field 'delete.deletes.${k}' is an unknown field.`);
      if (stmt.limit === undefined)
        throw err(40414, "BSON field 'delete.deletes.limit' is missing but a required field");
      const limit = numKind(stmt.limit)
        ? toDouble(stmt.limit)
        : typeof stmt.limit === 'boolean'
          ? Number(stmt.limit)
          : NaN;
      if (limit !== 0 && limit !== 1)
        throw failedToParse(`The limit field in delete objects must be 0 or 1. Got ${String(limit)}`);
      return { stmt, limit };
    });
    for (let i = 0; i < parsed.length; i++) {
      try {
        const { stmt, limit } = parsed[i] as (typeof parsed)[number];
        rejectCollation(stmt.collation);
        const q = docArg(stmt, 'q', 'delete.deletes') ?? {};
        for (const d of runQuery(coll, q, { limit, hint: stmt.hint, variables, now: ctx.now })) {
          ctx.view.remove(coll as Collection, d);
          n++;
        }
      } catch (e) {
        writeErrors.push(statementError(e).toWriteError(i));
        if (ordered) break;
      }
    }
    return writeErrors.length ? { n, writeErrors } : { n };
  },
};

const findAndModify: CommandSpec = {
  fields: [
    'query',
    'sort',
    'remove',
    'update',
    'new',
    'fields',
    'upsert',
    'bypassDocumentValidation',
    'collation',
    'arrayFilters',
    'hint',
    'let',
  ],
  inTransaction: true,
  retryableWrite: true,
  handler(ctx) {
    const name = collectionArg(ctx);
    const cmd = ctx.cmd;
    const query = docArg(cmd, 'query', 'findAndModify') ?? {};
    const remove = boolArg(cmd, 'remove') ?? false;
    const returnNew = boolArg(cmd, 'new') ?? false;
    const upsert = boolArg(cmd, 'upsert') ?? false;
    const variables = letVariables(cmd, 'findAndModify');
    rejectCollation(cmd.collation);
    if (remove && cmd.update !== undefined)
      throw failedToParse('Cannot specify both an update and remove=true');
    if (!remove && cmd.update === undefined)
      throw failedToParse('Either an update or remove=true must be specified');
    if (remove && upsert) throw failedToParse('Cannot specify both upsert=true and remove=true ');
    if (remove && returnNew)
      throw failedToParse(
        "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document",
      );
    const project = compileProjection(docArg(cmd, 'fields', 'findAndModify'), {
      mode: 'find',
      filter: query,
      variables,
      now: ctx.now,
    });
    const out = (d: Doc | undefined): Doc | null => (d ? (project ? project(d) : d) : null);
    const compiled = remove ? undefined : compileUpdate(cmd.update, cmd.arrayFilters);
    const coll = upsert ? ctx.view.ensureCollection(ctx.db, name) : ctx.view.collection(ctx.db, name);
    const [match] = runQuery(coll, query, {
      sort: cmd.sort,
      limit: 1,
      hint: cmd.hint,
      variables,
      now: ctx.now,
    });
    if (remove) {
      if (match) ctx.view.remove(coll as Collection, match);
      return { lastErrorObject: { n: match ? 1 : 0 }, value: out(match) };
    }
    const upd = compiled as NonNullable<typeof compiled>;
    const opts = applyOptions(ctx, query, variables);
    if (match) {
      const r = upd.apply(match, { ...opts, isInsert: false });
      if (r.modified) {
        checkSize(r.doc);
        ctx.view.replace(coll as Collection, match, r.doc);
      }
      return { lastErrorObject: { n: 1, updatedExisting: true }, value: out(returnNew ? r.doc : match) };
    }
    if (upsert && coll) {
      const doc = prepareForStorage(buildUpsertDocument(query, upd, opts), 'update');
      ctx.view.insert(coll, doc);
      return {
        lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
        value: returnNew ? out(doc) : null,
      };
    }
    return { lastErrorObject: { n: 0, updatedExisting: false }, value: null };
  },
};

export const writeCommands: Record<string, CommandSpec> = {
  insert,
  update,
  delete: del,
  findAndModify,
};
