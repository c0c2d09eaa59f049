// Command dispatch: argument checks common to every command, sessions,
// transactions and retryable writes, then the handler; errors become
// `{ok: 0, code, codeName, errmsg}` replies.
import type { Long } from 'bson';
import { err, ErrorCodes, MongoCommandError, unsupported } from '../errors.js';
import { numKind, toDouble } from '../numeric.js';
import { validateDbName } from '../storage/catalog.js';
import { CommittedView, TransactionView } from '../transactions.js';
import type { SessionState, Transaction } from '../transactions.js';
import { canonicalKey, isPlainObject } from '../values.js';
import type { Doc } from '../values.js';
import { adminCommands } from './admin.js';
import type { CommandContext, CommandSpec, ConnectionInfo, ServerState } from './context.js';
import { readCommands } from './read.js';
import { allCommandNames, serverCommands } from './server.js';
import { writeCommands } from './write.js';

const GENERIC_FIELDS = new Set([
  '$db',
  'lsid',
  'txnNumber',
  'autocommit',
  'startTransaction',
  '$clusterTime',
  'readConcern',
  'writeConcern',
  '$readPreference',
  'comment',
  'maxTimeMS',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  '$audit',
  '$client',
  'mayBypassWriteBlocking',
]);

const TABLE = new Map<string, CommandSpec>();
for (const group of [serverCommands, readCommands, writeCommands, adminCommands])
  for (const [name, spec] of Object.entries(group)) {
    TABLE.set(name, spec);
    allCommandNames[name] = true;
  }
const ALIASES: Record<string, string> = {
  ismaster: 'isMaster',
  findandmodify: 'findAndModify',
  buildinfo: 'buildInfo',
  dropIndex: 'dropIndexes',
  deleteIndexes: 'dropIndexes',
};
for (const [alias, target] of Object.entries(ALIASES)) TABLE.set(alias, TABLE.get(target) as CommandSpec);

const READ_CONCERN_LEVELS = new Set(['local', 'majority', 'linearizable', 'available', 'snapshot']);

function checkReadConcern(rc: unknown, inTransactionStart: boolean): void {
  if (rc === undefined) return;
  if (!isPlainObject(rc))
    throw err(ErrorCodes.TypeMismatch, "BSON field 'readConcern' is the wrong type, expected type 'object'");
  for (const k of Object.keys(rc)) {
    if (k === 'level') {
      if (typeof rc.level !== 'string' || !READ_CONCERN_LEVELS.has(rc.level))
        throw err(
          ErrorCodes.FailedToParse,
          "readConcern.level must be either 'local', 'majority', 'linearizable', 'available', or 'snapshot'",
        );
      if (inTransactionStart && !['local', 'majority', 'snapshot'].includes(rc.level))
        throw err(
          ErrorCodes.InvalidOptions,
          `The readConcern level must be either 'local' (default), 'majority' or 'snapshot' in order to run in a transaction`,
        );
    } else if (k === 'atClusterTime') throw unsupported('readConcern atClusterTime (point-in-time reads)');
    else if (k !== 'afterClusterTime' && k !== 'afterOpTime' && k !== 'provenance')
      throw err(ErrorCodes.UnknownBSONField, `BSON field 'readConcern.${k}' is an unknown field.`);
  }
}

function writeConcernError(wc: unknown): Doc | undefined {
  if (!isPlainObject(wc)) return undefined;
  const w = wc.w;
  if (numKind(w) && toDouble(w) > 1)
    return {
      code: ErrorCodes.UnsatisfiableWriteConcern,
      codeName: 'UnsatisfiableWriteConcern',
      errmsg: 'Not enough data-bearing nodes',
    };
  if (typeof w === 'string' && w !== 'majority')
    return {
      code: ErrorCodes.UnknownReplWriteConcern,
      codeName: 'UnknownReplWriteConcern',
      errmsg: `No write concern mode named '${w}' found in replica set configuration`,
    };
  return undefined;
}

function toBigInt(v: unknown): bigint {
  if (typeof v === 'object' && v !== null && (v as { _bsontype?: string })._bsontype === 'Long')
    return (v as Long).toBigInt();
  if (numKind(v)) return BigInt(Math.trunc(toDouble(v)));
  throw err(ErrorCodes.TypeMismatch, "BSON field 'txnNumber' is the wrong type, expected type 'long'");
}

function errorReply(e: unknown): Doc {
  if (e instanceof MongoCommandError) return { ok: 0, ...e.toReply() };
  const message = e instanceof Error ? e.message : String(e);
  return {
    ok: 0,
    errmsg: `internal error in the embedded MongoDB server: ${message}`,
    code: 1,
    codeName: 'InternalError',
  };
}

/** Execute one command document and return its reply document. */
export function runCommand(state: ServerState, conn: ConnectionInfo, cmd: Doc): Doc {
  const name = Object.keys(cmd)[0] ?? '';
  let txn: Transaction | undefined;
  let session: SessionState | undefined;
  let retryNumber: bigint | undefined;
  let counted: { total: number; failed: number } | undefined;
  try {
    const spec = TABLE.get(name);
    if (!spec) throw err(ErrorCodes.CommandNotFound, `no such command: '${name}'`);
    const commands = state.catalog.metrics.commands;
    counted = commands.get(name) ?? { total: 0, failed: 0 };
    commands.set(name, counted);
    counted.total++;
    const db = cmd.$db;
    if (typeof db !== 'string') throw err(40571, 'OP_MSG requests require a $db argument');
    validateDbName(db);
    if (spec.adminOnly && db !== 'admin')
      throw err(ErrorCodes.Unauthorized, `${name} may only be run against the admin database.`);
    if (!spec.acceptAnyField)
      for (const k of Object.keys(cmd))
        if (k !== name && !GENERIC_FIELDS.has(k) && !spec.fields.includes(k))
          throw err(ErrorCodes.UnknownBSONField, `BSON field '${name}.${k}' is an unknown field.`);
    state.txns.sweep();

    if (isPlainObject(cmd.lsid)) session = state.txns.session(canonicalKey(cmd.lsid.id));
    const txnNumber = cmd.txnNumber === undefined ? undefined : toBigInt(cmd.txnNumber);
    if (cmd.autocommit !== undefined) {
      if (cmd.autocommit !== false)
        throw err(ErrorCodes.InvalidOptions, 'autocommit field can only be specified as false');
      if (!state.replSetName)
        throw err(
          ErrorCodes.IllegalOperation,
          'Transaction numbers are only allowed on a replica set member or mongos',
        );
      if (!session || txnNumber === undefined)
        throw err(
          ErrorCodes.InvalidOptions,
          'Multi-document transactions require a session id (lsid) and txnNumber',
        );
      if (cmd.startTransaction !== undefined) {
        if (cmd.startTransaction !== true)
          throw err(ErrorCodes.InvalidOptions, 'startTransaction can only be specified as true');
        checkReadConcern(cmd.readConcern, true);
        txn = state.txns.begin(session, txnNumber);
      } else {
        txn = state.txns.continue(session, txnNumber, name);
        if (cmd.readConcern !== undefined)
          throw err(
            ErrorCodes.InvalidOptions,
            'Only the first command in a transaction may specify a readConcern',
          );
      }
      if (!spec.inTransaction)
        throw err(
          ErrorCodes.OperationNotSupportedInTransaction,
          `Cannot run '${name}' in a multi-document transaction.`,
        );
      if (cmd.writeConcern !== undefined && name !== 'commitTransaction' && name !== 'abortTransaction')
        throw err(ErrorCodes.InvalidOptions, 'Cannot set write concern after starting a transaction.');
    } else {
      if (cmd.startTransaction !== undefined)
        throw err(ErrorCodes.InvalidOptions, 'Specifying startTransaction=true requires autocommit=false');
      checkReadConcern(cmd.readConcern, false);
      if (txnNumber !== undefined) {
        if (!state.replSetName)
          throw err(
            ErrorCodes.IllegalOperation,
            'Transaction numbers are only allowed on a replica set member or mongos',
          );
        if (!session) throw err(ErrorCodes.InvalidOptions, 'Transaction number requires a session id (lsid)');
        if (!spec.retryableWrite)
          throw err(
            50768,
            `txnNumber may only be provided for multi-document transactions and retryable write commands. autocommit:false was not provided, and ${name} is not a retryable write command.`,
          );
        if (txnNumber < session.highestTxnNumber)
          throw err(
            ErrorCodes.TransactionTooOld,
            `Retryable write with txnNumber ${txnNumber} is prohibited on session because a newer retryable write with txnNumber ${session.highestTxnNumber} has already started on this session.`,
          );
        // A retry of a write that already ran: answer with the original reply.
        if (session.retry && session.retry.txnNumber === txnNumber && session.retry.command === name)
          return { ...session.retry.reply, retriedStmtIds: [] };
        if (session.txn?.state === 'active') state.txns.abort(session.txn, 'a newer retryable write started');
        session.highestTxnNumber = txnNumber;
        retryNumber = txnNumber;
      }
    }

    const view = txn ? new TransactionView(state.txns, txn) : new CommittedView(state.catalog);
    const ctx: CommandContext = { state, conn, db, cmd, name, view, txn, session, now: new Date() };
    const reply = spec.handler(ctx);
    // mongod aborts a transaction whose statement failed
    if (txn?.state === 'active' && reply.writeErrors) state.txns.abort(txn, 'a statement failed');
    const wce = writeConcernError(cmd.writeConcern);
    if (wce) reply.writeConcernError = wce;
    const full = { ...reply, ok: 1 };
    if (retryNumber !== undefined && session && !reply.writeErrors)
      session.retry = { txnNumber: retryNumber, command: name, reply: full };
    return full;
  } catch (e) {
    if (counted) counted.failed++;
    if (txn?.state === 'active') state.txns.abort(txn, 'a statement failed');
    return errorReply(e);
  }
}
