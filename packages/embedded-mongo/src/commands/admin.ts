// Collection, index and database management commands.
import { Int32 } from 'bson';
import { bsonSize } from '../cursors.js';
import { badValue, err, ErrorCodes, unsupported } from '../errors.js';
import { normalizeIndexSpec } from '../indexes.js';
import type { Index } from '../indexes.js';
import { numKind, toDouble } from '../numeric.js';
import { compileFilter } from '../query/matcher.js';
import { validateCollectionName, validateDbName } from '../storage/catalog.js';
import type { Collection } from '../storage/collection.js';
import { TransactionView } from '../transactions.js';
import { canonicalKey, compareStrings, isPlainObject } from '../values.js';
import type { Doc } from '../values.js';
import { boolArg, collectionArg, docArg, intArg, rejectCollation, requireArray } from './context.js';
import type { CommandSpec } from './context.js';

const CREATE_UNSUPPORTED: Record<string, string> = {
  capped: 'capped collections',
  size: 'capped collections (size)',
  max: 'capped collections (max)',
  timeseries: 'time series collections',
  expireAfterSeconds: 'TTL collections (expireAfterSeconds)',
  clusteredIndex: 'clustered collections',
  changeStreamPreAndPostImages: 'change stream pre- and post-images',
  validator: 'collection validators ($jsonSchema)',
  validationLevel: 'collection validators (validationLevel)',
  validationAction: 'collection validators (validationAction)',
  viewOn: 'views (viewOn)',
  pipeline: 'views (pipeline)',
  encryptedFields: 'queryable encryption (encryptedFields)',
  storageEngine: 'storageEngine options',
  indexOptionDefaults: 'indexOptionDefaults',
};

/** Is an option actually requested (not absent, false, 0 or {})? */
function isTruthyOption(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  if (numKind(v)) return toDouble(v) !== 0;
  return true;
}

const create: CommandSpec = {
  fields: [...Object.keys(CREATE_UNSUPPORTED), 'autoIndexId', 'collation', 'idIndex', 'flags', 'temp'],
  inTransaction: true,
  handler(ctx) {
    const name = collectionArg(ctx);
    for (const [opt, what] of Object.entries(CREATE_UNSUPPORTED))
      if (opt in ctx.cmd && isTruthyOption(ctx.cmd[opt])) throw unsupported(what);
    rejectCollation(ctx.cmd.collation);
    if (ctx.cmd.autoIndexId === false)
      throw unsupported('collections without an _id index (autoIndexId: false)');
    // MongoDB 7.0: creating an existing collection with identical options succeeds
    const requested = Object.keys(ctx.cmd).filter(
      (k) => create.fields.includes(k) && isTruthyOption(ctx.cmd[k]),
    );
    const existing = ctx.view.collection(ctx.db, name);
    if (existing) {
      if (requested.length === 0 && Object.keys(existing.options).length === 0) return {};
      throw err(ErrorCodes.NamespaceExists, `Collection ${ctx.db}.${name} already exists.`);
    }
    ctx.view.ensureCollection(ctx.db, name);
    return {};
  },
};

const drop: CommandSpec = {
  fields: [],
  handler(ctx) {
    const name = collectionArg(ctx);
    const dropped = ctx.state.catalog.drop(ctx.db, name);
    if (!dropped) return {};
    return { nIndexesWas: new Int32(dropped.indexes.size), ns: `${ctx.db}.${name}` };
  },
};

function collectionInfo(c: Collection): Doc {
  return {
    name: c.name,
    type: 'collection',
    options: c.options,
    info: { readOnly: false, uuid: c.uuid },
    idIndex: { v: new Int32(2), key: { _id: new Int32(1) }, name: '_id_' },
  };
}

const listCollections: CommandSpec = {
  fields: ['filter', 'nameOnly', 'authorizedCollections', 'cursor', 'includePendingDrops'],
  handler(ctx) {
    const filter = docArg(ctx.cmd, 'filter', 'listCollections');
    const pred = compileFilter(filter ?? {});
    const nameOnly = boolArg(ctx.cmd, 'nameOnly') ?? false;
    const infos = ctx.view
      .collections(ctx.db)
      .map(collectionInfo)
      .filter((i) => pred(i))
      .sort((a, b) => compareStrings(a.name as string, b.name as string))
      .map((i) => (nameOnly ? { name: i.name, type: i.type } : i));
    const cursor = docArg(ctx.cmd, 'cursor', 'listCollections') ?? {};
    return ctx.state.cursors.open(`${ctx.db}.$cmd.listCollections`, infos, {
      batchSize: intArg(cursor, 'batchSize', 'listCollections.cursor'),
    });
  },
};

const createIndexes: CommandSpec = {
  fields: ['indexes', 'commitQuorum', 'ignoreUnknownIndexOptions'],
  inTransaction: true,
  handler(ctx) {
    const name = collectionArg(ctx);
    const raw = requireArray(ctx.cmd, 'indexes', 'createIndexes');
    if (raw.length === 0) throw badValue('Must specify at least one index to create');
    const specs = raw.map((r) => normalizeIndexSpec(r));
    const existed = ctx.view.collection(ctx.db, name) !== undefined;
    if (ctx.view instanceof TransactionView && existed && !ctx.view.createdHere(ctx.db, name))
      throw err(
        ErrorCodes.OperationNotSupportedInTransaction,
        `Cannot create new indexes on existing collection ${ctx.db}.${name} in a multi-document transaction.`,
      );
    const coll = ctx.view.ensureCollection(ctx.db, name);
    const before = coll.indexes.size;
    const toBuild: Doc[] = [];
    for (const spec of specs) {
      if (spec.name === '_id_' || Object.keys(spec.key as Doc).join() === '_id') {
        if (canonicalKey(spec.key) !== canonicalKey({ _id: 1 }) || spec.name !== '_id_') {
          if (Object.keys(spec.key as Doc).join() !== '_id')
            throw err(
              ErrorCodes.IndexKeySpecsConflict,
              `An existing index has the same name as the requested index but different key specs. Requested index: ${JSON.stringify(spec.key)}, existing index: { _id: 1 }`,
            );
        }
        continue;
      }
      const sameName = coll.indexes.get(spec.name as string) ?? toBuildIndex(toBuild, spec.name as string);
      if (sameName) {
        const existing = 'spec' in sameName ? (sameName as Index).spec : (sameName as Doc);
        if (canonicalKey(existing.key) !== canonicalKey(spec.key))
          throw err(
            ErrorCodes.IndexKeySpecsConflict,
            `An existing index has the same name as the requested index but different key specs. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`,
          );
        if (!sameDefinition(existing, spec))
          throw err(
            ErrorCodes.IndexOptionsConflict,
            `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`,
          );
        continue;
      }
      const sameKey = [...coll.indexes.values()].find((ix) => ix.sameKeyPattern(spec));
      if (sameKey) {
        if (sameDefinition(sameKey.spec, spec) || sameKey.isId)
          throw err(
            ErrorCodes.IndexOptionsConflict,
            `Index already exists with a different name: ${sameKey.name}`,
          );
        throw err(
          ErrorCodes.IndexOptionsConflict,
          `An existing index has the same key pattern as the requested index but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameKey.spec)}`,
        );
      }
      toBuild.push(spec);
    }
    const built: string[] = [];
    try {
      for (const spec of toBuild) {
        coll.addIndex(spec);
        built.push(spec.name as string);
      }
    } catch (e) {
      for (const n of built) coll.indexes.delete(n);
      throw e;
    }
    const reply: Doc = {
      numIndexesBefore: new Int32(before),
      numIndexesAfter: new Int32(coll.indexes.size),
      createdCollectionAutomatically: !existed,
    };
    if (toBuild.length === 0) reply.note = 'all indexes already exist';
    return reply;
  },
};

function toBuildIndex(list: Doc[], name: string): Doc | undefined {
  return list.find((s) => s.name === name);
}

function sameDefinition(a: Doc, b: Doc): boolean {
  const norm = (s: Doc): string =>
    canonicalKey({
      unique: s.unique === true,
      sparse: s.sparse === true,
      partialFilterExpression: s.partialFilterExpression ?? null,
      hidden: s.hidden === true,
    });
  return norm(a) === norm(b);
}

const listIndexes: CommandSpec = {
  fields: ['cursor', 'includeBuildUUIDs', 'includeIndexBuildInfo'],
  handler(ctx) {
    const name = collectionArg(ctx);
    const coll = ctx.view.collection(ctx.db, name);
    if (!coll) throw err(ErrorCodes.NamespaceNotFound, `ns does not exist: ${ctx.db}.${name}`);
    const specs = [...coll.indexes.values()].map((ix) => ({ ...ix.spec }));
    const cursor = docArg(ctx.cmd, 'cursor', 'listIndexes') ?? {};
    return ctx.state.cursors.open(`${ctx.db}.$cmd.listIndexes.${name}`, specs, {
      batchSize: intArg(cursor, 'batchSize', 'listIndexes.cursor'),
    });
  },
};

const dropIndexes: CommandSpec = {
  fields: ['index'],
  handler(ctx) {
    const name = collectionArg(ctx);
    const coll = ctx.state.catalog.get(ctx.db, name);
    if (!coll) throw err(ErrorCodes.NamespaceNotFound, `ns not found ${ctx.db}.${name}`);
    const before = coll.indexes.size;
    const index = ctx.cmd.index;
    let names: string[];
    if (index === '*') names = [...coll.indexes.keys()].filter((n) => n !== '_id_');
    else if (typeof index === 'string') names = [index];
    else if (Array.isArray(index)) names = index.map(String);
    else if (isPlainObject(index)) {
      const ix = coll.findIndexByNameOrKey(index);
      if (!ix) throw err(ErrorCodes.IndexNotFound, `can't find index with key: ${JSON.stringify(index)}`);
      names = [ix.name];
    } else
      throw err(ErrorCodes.TypeMismatch, "BSON field 'dropIndexes.index' is missing but a required field");
    for (const n of names) {
      if (n === '_id_') throw err(ErrorCodes.InvalidOptions, 'cannot drop _id index');
      if (!coll.indexes.has(n)) throw err(ErrorCodes.IndexNotFound, `index not found with name [${n}]`);
    }
    for (const n of names) coll.indexes.delete(n);
    return { nIndexesWas: new Int32(before) };
  },
};

const dropDatabase: CommandSpec = {
  fields: [],
  handler(ctx) {
    const existed = ctx.state.catalog.dbs.has(ctx.db);
    ctx.state.catalog.dropDatabase(ctx.db);
    return existed ? { dropped: ctx.db } : {};
  },
};

function collectionSize(c: Collection): number {
  let size = 0;
  for (const d of c.docs.values()) size += bsonSize(d);
  return size;
}

const listDatabases: CommandSpec = {
  fields: ['filter', 'nameOnly', 'authorizedDatabases'],
  adminOnly: true,
  handler(ctx) {
    const filter = docArg(ctx.cmd, 'filter', 'listDatabases');
    const nameOnly = boolArg(ctx.cmd, 'nameOnly') ?? false;
    const pred = compileFilter(filter ?? {});
    let totalSize = 0;
    const databases: Doc[] = [];
    for (const [name, colls] of [...ctx.state.catalog.dbs].sort((a, b) => compareStrings(a[0], b[0]))) {
      const size = [...colls.values()].reduce((s, c) => s + collectionSize(c), 0);
      const info: Doc = nameOnly ? { name } : { name, sizeOnDisk: size, empty: size === 0 };
      if (!pred(info)) continue;
      totalSize += size;
      databases.push(info);
    }
    return nameOnly ? { databases } : { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1048576) };
  },
};

const renameCollection: CommandSpec = {
  fields: ['to', 'dropTarget', 'stayTemp'],
  adminOnly: true,
  handler(ctx) {
    const from = ctx.cmd.renameCollection;
    const to = ctx.cmd.to;
    if (typeof from !== 'string' || typeof to !== 'string')
      throw err(ErrorCodes.TypeMismatch, 'renameCollection and to must be strings');
    const split = (ns: string): [string, string] => {
      const i = ns.indexOf('.');
      if (i <= 0) throw err(ErrorCodes.InvalidNamespace, `Invalid namespace specified '${ns}'`);
      const db = validateDbName(ns.slice(0, i));
      return [db, validateCollectionName(db, ns.slice(i + 1))];
    };
    const [fdb, fname] = split(from);
    const [tdb, tname] = split(to);
    const catalog = ctx.state.catalog;
    const source = catalog.get(fdb, fname);
    if (!source) throw err(ErrorCodes.NamespaceNotFound, `Source collection ${from} does not exist`);
    if (from === to) throw err(ErrorCodes.IllegalOperation, "Can't rename a collection to itself");
    if (catalog.get(tdb, tname)) {
      if (!(boolArg(ctx.cmd, 'dropTarget') ?? false))
        throw err(ErrorCodes.NamespaceExists, 'target namespace exists');
      catalog.drop(tdb, tname);
    }
    catalog.drop(fdb, fname);
    const moved = source.clone();
    moved.db = tdb;
    moved.name = tname;
    catalog.install(moved);
    return {};
  },
};

const collMod: CommandSpec = {
  fields: [
    'validator',
    'validationLevel',
    'validationAction',
    'index',
    'expireAfterSeconds',
    'viewOn',
    'pipeline',
    'changeStreamPreAndPostImages',
    'timeseries',
    'recordPreImages',
    'cappedSize',
    'cappedMax',
    'comment',
  ],
  handler(ctx) {
    const name = collectionArg(ctx);
    if (!ctx.state.catalog.get(ctx.db, name))
      throw err(ErrorCodes.NamespaceNotFound, `ns does not exist: ${ctx.db}.${name}`);
    for (const k of Object.keys(ctx.cmd)) {
      if (
        k === 'collMod' ||
        k.startsWith('$') ||
        [
          'lsid',
          'comment',
          'writeConcern',
          'maxTimeMS',
          'txnNumber',
          'apiVersion',
          'apiStrict',
          'apiDeprecationErrors',
        ].includes(k)
      )
        continue;
      if (k.startsWith('validat')) throw unsupported(`collection validators (collMod ${k}, $jsonSchema)`);
      throw unsupported(`collMod option '${k}'`);
    }
    return {};
  },
};

const dbStats: CommandSpec = {
  fields: ['scale', 'freeStorage'],
  handler(ctx) {
    const colls = ctx.state.catalog.collections(ctx.db);
    const objects = colls.reduce((s, c) => s + c.docs.size, 0);
    const dataSize = colls.reduce((s, c) => s + collectionSize(c), 0);
    return {
      db: ctx.db,
      collections: new Int32(colls.length),
      views: new Int32(0),
      objects,
      avgObjSize: objects ? dataSize / objects : 0,
      dataSize,
      storageSize: dataSize,
      indexes: new Int32(colls.reduce((s, c) => s + c.indexes.size, 0)),
      indexSize: 0,
      totalSize: dataSize,
      scaleFactor: new Int32(1),
    };
  },
};

const collStats: CommandSpec = {
  fields: ['scale', 'verbose'],
  handler(ctx) {
    const name = collectionArg(ctx);
    const coll = ctx.state.catalog.get(ctx.db, name);
    if (!coll) throw err(ErrorCodes.NamespaceNotFound, `Collection [${ctx.db}.${name}] not found.`);
    const size = collectionSize(coll);
    return {
      ns: coll.ns,
      count: coll.docs.size,
      size,
      avgObjSize: coll.docs.size ? size / coll.docs.size : 0,
      storageSize: size,
      nindexes: new Int32(coll.indexes.size),
      totalIndexSize: 0,
      indexSizes: Object.fromEntries([...coll.indexes.keys()].map((n) => [n, 0])),
      capped: false,
    };
  },
};

export const adminCommands: Record<string, CommandSpec> = {
  create,
  drop,
  listCollections,
  createIndexes,
  listIndexes,
  dropIndexes,
  dropDatabase,
  listDatabases,
  renameCollection,
  collMod,
  dbStats,
  collStats,
};
