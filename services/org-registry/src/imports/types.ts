import type { CreateContract, CreateOrg, CreatePairing, RegisterMember } from '../domain/commands.js';
import type { Reason } from '../domain/identifiers.js';

export type { Reason } from '../domain/identifiers.js';

/** What a spreadsheet holds: the tree (组织), property firms, service contracts, pairings (结对共建), members (党员). */
export type ImportKind = 'orgs' | 'firms' | 'contracts' | 'pairings' | 'members';
export const IMPORT_KINDS: readonly ImportKind[] = ['orgs', 'firms', 'contracts', 'pairings', 'members'];

export type ImportFormat = 'csv' | 'xlsx';

/** The command one valid row becomes: the same request the HTTP API accepts. */
export interface CommandMap {
  orgs: CreateOrg;
  firms: CreateOrg;
  contracts: CreateContract;
  pairings: CreatePairing;
  members: RegisterMember;
}
export type CommandOf<K extends ImportKind> = CommandMap[K];

/**
 * One problem in one row. `row` is the spreadsheet row number a user sees
 * (the header is row 1); `column` is the zh header of the offending column,
 * or '' when the problem is not one column's.
 */
export interface RowError {
  /** The worksheet, when one workbook holds several kinds. */
  sheet?: string;
  row: number;
  column: string;
  reason: Reason;
}

export type ParsedRow<K extends ImportKind> =
  { row: number; command: CommandOf<K> } | { row: number; errors: RowError[] };

export type ImportFileErrorCode =
  | 'empty'
  | 'not-utf8'
  | 'not-csv'
  | 'not-xlsx'
  | 'legacy-xls'
  | 'malformed'
  | 'no-worksheet'
  | 'header-not-first-row'
  | 'duplicate-headers'
  | 'missing-headers'
  | 'unknown-headers'
  | 'too-many-rows'
  | 'too-large';

/**
 * The file as a whole cannot be imported: nothing in it should be applied.
 * Thrown by the parser; may arrive after some rows were already yielded
 * (e.g. too many rows), so a consumer must treat it as voiding the file.
 */
export class ImportFileError extends Error {
  readonly reason: Reason;
  readonly code: ImportFileErrorCode;
  /** Headers concerned (missing, unknown or duplicated), for error reports and tests. */
  readonly headers: readonly string[];

  constructor(
    code: ImportFileErrorCode,
    reason: Reason,
    headers: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(reason.en, options);
    this.name = 'ImportFileError';
    this.code = code;
    this.reason = reason;
    this.headers = headers;
  }
}
