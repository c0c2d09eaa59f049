// MongoDB-style command errors. Every failure the server reports goes through
// MongoCommandError so replies carry the same `code`/`codeName`/`errmsg`
// (and labels) a real mongod would send; drivers key retry logic off them.

export type Doc = Record<string, unknown>;

export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  Overflow: 15,
  InvalidLength: 16,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  DollarPrefixedFieldName: 52,
  NotSingleValueField: 54,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  UnknownReplWriteConcern: 79,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  UnsatisfiableWriteConcern: 100,
  WriteConflict: 112,
  CommandNotSupported: 115,
  ConflictingOperationInProgress: 117,
  InvalidPipelineOperator: 168,
  InvalidIndexSpecificationOption: 197,
  TransactionTooOld: 225,
  NoSuchTransaction: 251,
  TransactionCommitted: 256,
  SnapshotUnavailable: 246,
  OperationNotSupportedInTransaction: 263,
  UnsupportedOpQueryCommand: 352,
  DuplicateKey: 11000,
  BSONObjectTooLarge: 10334,
  UnknownBSONField: 40415,
  UnrecognizedPipelineStage: 40324,
} as const;

const codeNames: Record<number, string> = Object.fromEntries(
  Object.entries(ErrorCodes).map(([name, code]) => [code, name]),
);
codeNames[40415] = 'Location40415';
codeNames[40324] = 'Location40324';

export function codeNameOf(code: number): string {
  return codeNames[code] ?? `Location${code}`;
}

export class MongoCommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  /** Extra reply fields, e.g. keyPattern/keyValue for E11000. */
  readonly extra: Doc;
  readonly errorLabels: string[];

  constructor(code: number, message: string, extra: Doc = {}, errorLabels: string[] = []) {
    super(message);
    this.name = 'MongoCommandError';
    this.code = code;
    this.codeName = codeNameOf(code);
    this.extra = extra;
    this.errorLabels = errorLabels;
  }

  /** The error as the fields of a command reply (`ok: 0` added by the caller). */
  toReply(): Doc {
    const reply: Doc = { errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
    if (this.errorLabels.length) reply.errorLabels = this.errorLabels;
    return reply;
  }

  /** The error as an entry of a write command's `writeErrors`. */
  toWriteError(index: number): Doc {
    return { index, code: this.code, codeName: this.codeName, errmsg: this.message, ...this.extra };
  }
}

export const err = (code: number, message: string, extra?: Doc, labels?: string[]): MongoCommandError =>
  new MongoCommandError(code, message, extra, labels);

export const badValue = (message: string): MongoCommandError => err(ErrorCodes.BadValue, message);
export const failedToParse = (message: string): MongoCommandError => err(ErrorCodes.FailedToParse, message);
export const typeMismatch = (message: string): MongoCommandError => err(ErrorCodes.TypeMismatch, message);

/**
 * A feature MongoDB has but this server deliberately does not implement.
 * The message always names the feature so a failing test says what to change.
 */
export function unsupported(feature: string): MongoCommandError {
  return err(
    ErrorCodes.CommandNotSupported,
    `${feature} is not supported by the embedded MongoDB server (@honglian/embedded-mongo); use a real MongoDB (MONGO_URL) for this feature`,
  );
}

export const TRANSIENT = 'TransientTransactionError';

export function writeConflict(): MongoCommandError {
  return err(
    ErrorCodes.WriteConflict,
    'WriteConflict error: this operation conflicted with another operation. Please retry your operation or multi-document transaction.',
    {},
    [TRANSIENT],
  );
}

export function noSuchTransaction(txnNumber: bigint, reason = 'has been aborted'): MongoCommandError {
  return err(ErrorCodes.NoSuchTransaction, `Transaction with { txnNumber: ${txnNumber} } ${reason}.`, {}, [
    TRANSIENT,
  ]);
}

export function snapshotUnavailable(ns: string): MongoCommandError {
  return err(
    ErrorCodes.SnapshotUnavailable,
    `Unable to read from a snapshot due to pending collection catalog changes to ${ns}; please retry the operation.`,
    {},
    [TRANSIENT],
  );
}
