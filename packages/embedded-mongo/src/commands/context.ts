// Types and argument helpers shared by the command handlers.
import type { ObjectId } from 'bson';
import { err, ErrorCodes, unsupported } from '../errors.js';
import type { CursorManager } from '../cursors.js';
import { numKind, toDouble } from '../numeric.js';
import type { Catalog } from '../storage/catalog.js';
import { validateCollectionName } from '../storage/catalog.js';
import type { SessionState, StorageView, Transaction, TransactionManager } from '../transactions.js';
import { bsonTypeName, isPlainObject } from '../values.js';
import type { Doc } from '../values.js';

export interface ServerState {
  readonly catalog: Catalog;
  readonly cursors: CursorManager;
  readonly txns: TransactionManager;
  readonly replSetName: string | undefined;
  readonly address: string;
  readonly startedAt: Date;
  readonly electionId: ObjectId;
  connections(): number;
}

export interface ConnectionInfo {
  id: number;
  remote: string;
}

export interface CommandContext {
  readonly state: ServerState;
  readonly conn: ConnectionInfo;
  readonly db: string;
  readonly cmd: Doc;
  /** the command name as sent (first key) */
  readonly name: string;
  readonly view: StorageView;
  readonly txn: Transaction | undefined;
  readonly session: SessionState | undefined;
  readonly now: Date;
}

export type Handler = (ctx: CommandContext) => Doc;

export interface CommandSpec {
  handler: Handler;
  /** command-specific fields besides the command name and the generic ones */
  fields: readonly string[];
  /** may run inside a multi-document transaction */
  inTransaction?: boolean;
  adminOnly?: boolean;
  /** accepts txnNumber outside a transaction (retryable write) */
  retryableWrite?: boolean;
  /** skip the unknown-field check (handshake, unsupported-command stubs) */
  acceptAnyField?: boolean;
}

export function intArg(
  cmd: Doc,
  field: string,
  command: string,
  opts: { min?: number } = {},
): number | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!numKind(v))
    throw err(
      ErrorCodes.TypeMismatch,
      `BSON field '${command}.${field}' is the wrong type '${bsonTypeName(v)}', expected types '[long, int, decimal, double]'`,
    );
  const n = toDouble(v);
  if (!Number.isFinite(n) || !Number.isInteger(n))
    throw err(ErrorCodes.BadValue, `BSON field '${command}.${field}' must be an integer, found ${n}`);
  if (opts.min !== undefined && n < opts.min)
    throw err(ErrorCodes.BadValue, `BSON field '${field}' value must be >= ${opts.min}, actual value '${n}'`);
  return n;
}

export function docArg(cmd: Doc, field: string, command: string): Doc | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v))
    throw err(
      ErrorCodes.TypeMismatch,
      `BSON field '${command}.${field}' is the wrong type '${bsonTypeName(v)}', expected type 'object'`,
    );
  return v;
}

export function boolArg(cmd: Doc, field: string): boolean | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (numKind(v)) return toDouble(v) !== 0;
  throw err(
    ErrorCodes.TypeMismatch,
    `BSON field '${field}' is the wrong type '${bsonTypeName(v)}', expected type 'bool'`,
  );
}

export function collectionArg(ctx: CommandContext, field = ctx.name): string {
  const v = ctx.cmd[field];
  if (typeof v !== 'string')
    throw err(ErrorCodes.InvalidNamespace, `collection name has invalid type ${bsonTypeName(v)}`);
  return validateCollectionName(ctx.db, v);
}

export function requireArray(cmd: Doc, field: string, command: string): unknown[] {
  const v = cmd[field];
  if (v === undefined) throw err(40414, `BSON field '${command}.${field}' is missing but a required field`);
  if (!Array.isArray(v))
    throw err(
      ErrorCodes.TypeMismatch,
      `BSON field '${command}.${field}' is the wrong type '${bsonTypeName(v)}', expected type 'array'`,
    );
  return v;
}

/** The statements of insert / update / delete: 1 to maxWriteBatchSize of them. */
export function writeBatch(cmd: Doc, field: string, command: string): unknown[] {
  const v = requireArray(cmd, field, command);
  if (v.length < 1 || v.length > 100_000)
    throw err(
      ErrorCodes.InvalidLength,
      `Write batch sizes must be between 1 and 100000. Got ${v.length} operations.`,
    );
  return v;
}

/** Only the simple (binary) collation is implemented. */
export function rejectCollation(spec: unknown): void {
  if (spec === undefined || spec === null) return;
  if (isPlainObject(spec) && spec.locale === 'simple' && Object.keys(spec).length === 1) return;
  throw unsupported(`collation (${isPlainObject(spec) ? JSON.stringify(spec.locale) : 'non-simple'})`);
}

export const letVariables = (cmd: Doc, command: string): Doc => docArg(cmd, 'let', command) ?? {};
