// Handshake, diagnostics and session commands.
import os from 'node:os';
import { Int32, Long, UUID } from 'bson';
import { MAX_BSON_SIZE } from '../cursors.js';
import { err, ErrorCodes, noSuchTransaction, unsupported } from '../errors.js';
import { canonicalKey, isPlainObject } from '../values.js';
import type { Doc } from '../values.js';
import type { CommandContext, CommandSpec } from './context.js';

export const SERVER_VERSION = '7.0.0';
/** MongoDB 7.0. Wire version 25+ would make driver 7 use the 8.0 `bulkWrite` command. */
export const MAX_WIRE_VERSION = 21;
export const MAX_MESSAGE_SIZE = 48_000_000;
export const MAX_WRITE_BATCH_SIZE = 100_000;

function hello(ctx: CommandContext, legacy: boolean): Doc {
  const { state } = ctx;
  const reply: Doc = {
    helloOk: true,
    [legacy ? 'ismaster' : 'isWritablePrimary']: true,
    maxBsonObjectSize: new Int32(MAX_BSON_SIZE),
    maxMessageSizeBytes: new Int32(MAX_MESSAGE_SIZE),
    maxWriteBatchSize: new Int32(MAX_WRITE_BATCH_SIZE),
    localTime: new Date(),
    logicalSessionTimeoutMinutes: new Int32(30),
    connectionId: new Int32(ctx.conn.id),
    minWireVersion: new Int32(0),
    maxWireVersion: new Int32(MAX_WIRE_VERSION),
    readOnly: false,
  };
  if (state.replSetName) {
    Object.assign(reply, {
      setName: state.replSetName,
      setVersion: new Int32(1),
      hosts: [state.address],
      primary: state.address,
      me: state.address,
      secondary: false,
      electionId: state.electionId,
    });
  }
  if (ctx.cmd.saslSupportedMechs !== undefined) reply.saslSupportedMechs = [];
  return reply;
}

const HELLO_FIELDS = [
  'helloOk',
  'client',
  'compression',
  'saslSupportedMechs',
  'speculativeAuthenticate',
  'topologyVersion',
  'maxAwaitTimeMS',
  'loadBalanced',
  'hostInfo',
  'internalClient',
];

const simple = (
  handler: (ctx: CommandContext) => Doc,
  fields: string[] = [],
  inTransaction = false,
): CommandSpec => ({
  handler,
  fields,
  inTransaction,
});

const sessionKeys = (list: unknown): string[] =>
  Array.isArray(list) ? list.filter(isPlainObject).map((s) => canonicalKey(s.id)) : [];

function endSessions(ctx: CommandContext, list: unknown): Doc {
  for (const key of sessionKeys(list)) {
    ctx.state.txns.endSession(key);
    ctx.state.cursors.killSession(key);
  }
  return {};
}

const KNOWN_UNSUPPORTED: Record<string, string> = {
  explain: 'explain',
  mapReduce: 'mapReduce',
  mapreduce: 'mapReduce',
  geoSearch: 'geoSearch (geospatial queries)',
  saslStart: 'authentication (saslStart)',
  saslContinue: 'authentication (saslContinue)',
  authenticate: 'authentication',
  logout: 'authentication (logout)',
  createUser: 'user management (createUser)',
  updateUser: 'user management (updateUser)',
  dropUser: 'user management (dropUser)',
  usersInfo: 'user management (usersInfo)',
  createRole: 'role management (createRole)',
  grantRolesToUser: 'role management (grantRolesToUser)',
  createSearchIndexes: 'Atlas Search indexes (createSearchIndexes)',
  listSearchIndexes: 'Atlas Search indexes (listSearchIndexes)',
  bulkWrite: 'the MongoDB 8.0 bulkWrite command',
  shutdown: 'shutdown',
  fsync: 'fsync',
  compact: 'compact',
  validate: 'validate',
  reIndex: 'reIndex',
  convertToCapped: 'capped collections (convertToCapped)',
  cloneCollectionAsCapped: 'capped collections (cloneCollectionAsCapped)',
  setFeatureCompatibilityVersion: 'setFeatureCompatibilityVersion',
  setParameter: 'setParameter',
  replSetInitiate: 'replica set configuration (replSetInitiate)',
  replSetReconfig: 'replica set configuration (replSetReconfig)',
  replSetStepDown: 'replica set configuration (replSetStepDown)',
  applyOps: 'applyOps',
  analyze: 'analyze',
  dataSize: 'dataSize',
};

export const serverCommands: Record<string, CommandSpec> = {
  hello: { ...simple((ctx) => hello(ctx, false), HELLO_FIELDS, true), acceptAnyField: true },
  isMaster: { ...simple((ctx) => hello(ctx, true), HELLO_FIELDS, true), acceptAnyField: true },
  ping: simple(() => ({}), [], true),
  buildInfo: simple(
    () => ({
      version: SERVER_VERSION,
      gitVersion: 'honglian-embedded-mongo',
      versionArray: [7, 0, 0, 0].map((n) => new Int32(n)),
      bits: new Int32(64),
      debug: false,
      maxBsonObjectSize: new Int32(MAX_BSON_SIZE),
      storageEngines: ['embedded'],
      modules: [],
      javascriptEngine: 'none',
    }),
    [],
    true,
  ),
  hostInfo: simple(() => ({
    system: {
      currentTime: new Date(),
      hostname: os.hostname(),
      cpuAddrSize: new Int32(64),
      memSizeMB: Long.fromNumber(Math.round(os.totalmem() / 1048576)),
      numCores: new Int32(os.cpus().length),
      cpuArch: os.arch(),
    },
    os: { type: os.type(), name: os.platform(), version: os.release() },
    extra: {},
  })),
  getParameter: {
    fields: [],
    acceptAnyField: true, // parameter names are the fields
    handler(ctx) {
      const known: Doc = {
        featureCompatibilityVersion: { version: '7.0' },
        authenticationMechanisms: [],
        transactionLifetimeLimitSeconds: new Int32(60),
        maxTransactionLockRequestTimeoutMillis: new Int32(5),
      };
      const all = ctx.cmd.getParameter === '*';
      const out: Doc = {};
      for (const k of Object.keys(ctx.cmd)) {
        if (k === 'getParameter' || k.startsWith('$') || k === 'lsid' || k === 'comment') continue;
        if (!(k in known)) throw err(ErrorCodes.InvalidOptions, `no option found to get: ${k}`);
        out[k] = known[k];
      }
      if (all) Object.assign(out, known);
      if (Object.keys(out).length === 0) throw err(ErrorCodes.InvalidOptions, 'no option found to get');
      return out;
    },
  },
  getCmdLineOpts: simple(() => ({ argv: ['embedded-mongo'], parsed: {} })),
  connectionStatus: simple(
    () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] } }),
    ['showPrivileges'],
  ),
  whatsmyuri: simple((ctx) => ({ you: ctx.conn.remote })),
  getLog: simple(() => ({ log: [], totalLinesWritten: new Int32(0) })),
  serverStatus: simple(
    (ctx) => {
      const { state } = ctx;
      const uptimeMs = Date.now() - state.startedAt.getTime();
      return {
        host: state.address,
        version: SERVER_VERSION,
        process: 'mongod',
        pid: Long.fromNumber(process.pid),
        uptime: uptimeMs / 1000,
        uptimeMillis: Long.fromNumber(uptimeMs),
        localTime: new Date(),
        connections: { current: new Int32(state.connections()), available: new Int32(1000) },
        metrics: {
          queryExecutor: {
            scanned: Long.fromNumber(state.catalog.metrics.scanned),
            scannedObjects: Long.fromNumber(state.catalog.metrics.scannedObjects),
          },
          cursor: { open: { total: Long.fromNumber(state.cursors.size) } },
          commands: Object.fromEntries(
            [...state.catalog.metrics.commands].map(([name, c]) => [
              name,
              { total: Long.fromNumber(c.total), failed: Long.fromNumber(c.failed) },
            ]),
          ),
        },
        storageEngine: { name: 'embedded', supportsCommittedReads: true, persistent: false },
      };
    },
    [
      'repl',
      'metrics',
      'locks',
      'wiredTiger',
      'tcmalloc',
      'opcounters',
      'asserts',
      'mirroredReads',
      'transactions',
    ],
  ),
  replSetGetStatus: simple((ctx) => {
    if (!ctx.state.replSetName) throw err(76, 'not running with --replSet');
    return {
      set: ctx.state.replSetName,
      date: new Date(),
      myState: new Int32(1),
      members: [
        {
          _id: new Int32(0),
          name: ctx.state.address,
          health: new Int32(1),
          state: new Int32(1),
          stateStr: 'PRIMARY',
          self: true,
        },
      ],
    };
  }),
  listCommands: simple(() => ({
    commands: Object.fromEntries(
      Object.keys(allCommandNames).map((n) => [n, { help: '', requiresAuth: false }]),
    ),
  })),
  endSessions: simple((ctx) => endSessions(ctx, ctx.cmd.endSessions)),
  killSessions: simple((ctx) => endSessions(ctx, ctx.cmd.killSessions)),
  killAllSessions: simple((ctx) => {
    for (const key of [...ctx.state.txns.sessions.keys()]) {
      ctx.state.txns.endSession(key);
      ctx.state.cursors.killSession(key);
    }
    return {};
  }),
  refreshSessions: simple(() => ({})),
  startSession: simple(() => ({ id: { id: new UUID() }, timeoutMinutes: new Int32(30) })),
  commitTransaction: {
    fields: ['recoveryToken'],
    inTransaction: true,
    handler(ctx) {
      if (!ctx.txn) throw noSuchTransaction(BigInt(0));
      ctx.state.txns.commit(ctx.txn);
      return {};
    },
  },
  abortTransaction: {
    fields: ['recoveryToken'],
    inTransaction: true,
    handler(ctx) {
      if (!ctx.txn) throw noSuchTransaction(BigInt(0));
      ctx.state.txns.abort(ctx.txn, 'abortTransaction');
      return {};
    },
  },
};

for (const [name, what] of Object.entries(KNOWN_UNSUPPORTED))
  serverCommands[name] = {
    fields: [],
    handler: () => {
      throw unsupported(`the ${what} command`);
    },
    acceptAnyField: true,
  };

/** filled by the dispatcher so listCommands can report everything */
export const allCommandNames: Record<string, true> = {};
