import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { throwRefusal, type Principal } from '@honglian/service-kit';
import { withOutbox } from '@honglian/messaging';
import type { ImportReport, SheetTally } from '../api/schemas.js';
import type { RegisterMember } from '../domain/commands.js';
import { importRefusals } from '../domain/import-refusals.js';
import { MAX_WORKBOOK_ROWS, SINGLE_TRANSACTION_ROWS } from '../imports/docs.js';
import {
  ImportFileError,
  listWorksheets,
  parseImport,
  planWorkbook,
  type ImportFormat,
  type ImportKind,
  type ParsedRow,
  type RowError,
} from '../imports/index.js';
import { placementFilter } from '../data/scope.js';
import { actorOf, type RegistryContext } from './context.js';
import { spool, uploadPlacement, type Upload } from './uploads.js';
import type { Readable } from 'node:stream';
import type { IdentityClash, IdentityReviews } from './identity-reviews.js';
import { newCarry, type ImportRows, type RowResult } from './import-rows.js';

export type { ImportReport, SheetTally } from '../api/schemas.js';
import { nothingApplied } from '../domain/import-report.js';
export { seesUpload, uploadPlacement, type Upload } from './uploads.js';

/** What one request imports: one kind from a CSV or XLSX file, or a whole workbook with a sheet per kind. */
export type ImportTarget = ImportKind | 'workbook';

const MAX_REPORTED_ERRORS = 1000;
/** Larger member files are validated and applied in transactions of this many rows (see IMPORT.md). */
const CHUNK = 1000;

interface Segment {
  kind: ImportKind;
  /** Worksheet name, for a workbook. */
  sheet?: string;
}
type Pending = { seg: number; parsed: Extract<ParsedRow<ImportKind>, { command: unknown }> };

type Tally = Omit<SheetTally, 'planned'>;

/** Rolls a validation transaction back on purpose. */
class DryRunRollback extends Error {}

/**
 * Bulk import (DOMAIN.md §1): every row is decided by the same rules as the API. Validation runs
 * first and writes nothing; apply runs only when the whole file is valid, in chunks, and is
 * idempotent: a row identical to what is registered counts as unchanged, so re-importing a file
 * (or resuming an interrupted one) changes nothing.
 */
export class ImportService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly rows: ImportRows,
    private readonly reviews: IdentityReviews,
  ) {}

  /**
   * The imports applied (or applying) where the caller manages, newest first: who sent which
   * kind of file where, and what it did. The cursor is the last record's start time and id.
   */
  async list(principal: Principal, q: { limit: number; cursor?: string | undefined }) {
    const filter = placementFilter(principal, 'orgPath');
    if (!filter) return { items: [], nextCursor: null, total: 0 };
    const [at, id] = (q.cursor ?? '').split('|');
    const after = at && id && !Number.isNaN(Date.parse(at)) ? { at: new Date(at), id } : null;
    const docs = await this.ctx.imports.page(filter, after, q.limit + 1);
    const items = docs.slice(0, q.limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor: docs.length > q.limit && last ? `${last.startedAt.toISOString()}|${last._id}` : null,
      total: await this.ctx.imports.count(filter),
    };
  }

  /** Spools an upload to a temporary file (two passes read it) while hashing it. */
  spool(body: Readable, maxBytes: number): Promise<Upload> {
    return spool(body, maxBytes);
  }

  async run(
    target: ImportTarget,
    upload: { file: string; hash: string },
    format: ImportFormat,
    dryRun: boolean,
    principal: Principal,
  ): Promise<ImportReport> {
    const segments = await this.segments(target, upload.file, format);
    const placed = uploadPlacement(principal);
    // One record per file, kind and place of upload: the same file sent from another county or
    // community is another import, never one whose record (or "already applied") it could read.
    const importId = `import-${createHash('sha256')
      .update([upload.hash, target, placed.county ?? '', placed.orgPath ?? ''].join('|'))
      .digest('hex')
      .slice(0, 24)}-${target}`;
    const previous = await this.ctx.imports.record(importId);
    // Rows of one file may depend on each other (orgs on earlier orgs, contracts must not overlap
    // each other, members on a workbook's orgs): they are validated together in one transaction.
    // Only a single-kind member file, whose rows are independent, is validated chunk by chunk.
    const validateChunk = target === 'members' ? CHUNK : Number.POSITIVE_INFINITY;
    const maxRows = target === 'workbook' ? MAX_WORKBOOK_ROWS : undefined;
    const pass = (mode: 'dry-run' | 'validate' | 'apply', chunk: number) =>
      this.pass(segments, upload.file, format, principal, mode, chunk, maxRows);
    const validation = await pass(dryRun ? 'dry-run' : 'validate', validateChunk);
    // The report says what this request applied (`created`, `applied`); what the file would do
    // is `planned`. A file with errors applies nothing: a dry run reports it (200, `invalid`), an
    // apply is refused with the report (422 problem+json, IMPORT.md).
    const report: ImportReport = {
      importId: null,
      kind: target,
      dryRun,
      status: validation.errorCount > 0 ? 'invalid' : 'valid',
      applied: false,
      ...nothingApplied(validation),
    };
    if (dryRun) return report;
    if (validation.errorCount > 0) throwRefusal(importRefusals.rejected(report));
    if (previous?.status === 'applied') return { ...report, importId, status: 'applied', applied: true };
    await this.ctx.imports.applying(importId, {
      kind: target,
      fileHash: upload.hash,
      ...placed,
      startedAt: this.ctx.clock.now(),
      actor: actorOf(principal),
    });
    const applyChunk =
      target === 'workbook' || validation.rows <= SINGLE_TRANSACTION_ROWS ? Number.POSITIVE_INFINITY : CHUNK;
    const applied = await pass('apply', applyChunk);
    if (applied.errorCount > 0) {
      // A file applied in one transaction left nothing behind; a chunked one resumes where it
      // stopped when sent again.
      throwRefusal(importRefusals.changedWhileApplying(applied.errors.slice(0, 20)));
    }
    await this.ctx.imports.applied(importId, {
      rows: applied.rows,
      created: applied.created,
      unchanged: applied.unchanged,
      finishedAt: this.ctx.clock.now(),
    });
    return {
      ...report,
      importId,
      status: 'applied',
      applied: true,
      created: applied.created,
      unchanged: applied.unchanged,
      sheets: applied.sheets.map((sheet, i) => ({ ...sheet, planned: report.sheets[i]!.planned })),
    };
  }

  /** The kinds a request imports, in order: one, or a workbook's sheets in dependency order. */
  private async segments(target: ImportTarget, file: string, format: ImportFormat): Promise<Segment[]> {
    if (target !== 'workbook') return [{ kind: target }];
    if (format !== 'xlsx') throwRefusal(importRefusals.workbookNeedsXlsx());
    let names: string[];
    try {
      names = await listWorksheets(createReadStream(file));
    } catch (err) {
      if (err instanceof ImportFileError) throwRefusal(importRefusals.file(err.reason));
      throw err;
    }
    const plan = planWorkbook(names);
    if (plan.problem) throwRefusal(importRefusals.file(plan.problem));
    return plan.sheets.map((s) => ({ kind: s.kind, sheet: s.name }));
  }

  /** One read of the file: validate (every transaction rolled back) or apply (committed chunk by chunk). */
  private async pass(
    segments: readonly Segment[],
    file: string,
    format: ImportFormat,
    principal: Principal,
    mode: 'dry-run' | 'validate' | 'apply',
    chunkSize: number,
    maxRows?: number,
  ) {
    const sheets: Tally[] = segments.map((s) => ({
      sheet: s.sheet ?? null,
      kind: s.kind,
      rows: 0,
      created: 0,
      unchanged: 0,
      errorCount: 0,
    }));
    const errors: RowError[] = [];
    const note = (seg: number, e: RowError) => {
      sheets[seg]!.errorCount++;
      const sheet = segments[seg]!.sheet;
      if (errors.length < MAX_REPORTED_ERRORS) errors.push(sheet ? { sheet, ...e } : e);
    };
    let chunk: Pending[] = [];
    const flush = async () => {
      const pending = chunk;
      chunk = [];
      if (pending.length === 0) return;
      let results: { seg: number; result: RowResult }[] = [];
      try {
        await withOutbox(this.ctx.conn, async (session, outbox) => {
          // A retried attempt starts over from what the database holds now.
          results = await this.applyRows(pending, segments, session, outbox, principal, mode);
          if (mode !== 'apply' || results.some((r) => 'error' in r.result)) throw new DryRunRollback();
        });
      } catch (err) {
        if (!(err instanceof DryRunRollback)) throw err;
      }
      // ID numbers on file outside the caller's scope: review cases, filed once the rows are done.
      const clashes = results.flatMap((r) => ('clash' in r.result && r.result.clash ? [r.result.clash] : []));
      await this.reviews.record(
        clashes as IdentityClash[],
        principal,
        mode === 'dry-run' ? 'import-dry-run' : 'import',
      );
      for (const { seg, result } of results) {
        if ('error' in result) note(seg, result.error);
        else sheets[seg]![result.outcome]++;
      }
    };
    let rows = 0;
    let current = 0;
    try {
      for (const [seg, segment] of segments.entries()) {
        current = seg;
        const opts = segment.sheet === undefined ? {} : { sheet: segment.sheet };
        for await (const parsed of parseImport(segment.kind, createReadStream(file), format, opts)) {
          rows++;
          sheets[seg]!.rows++;
          if (maxRows !== undefined && rows > maxRows) throwRefusal(importRefusals.workbookTooLong(maxRows));
          if ('errors' in parsed) parsed.errors.forEach((e) => note(seg, e));
          else chunk.push({ seg, parsed });
          if (chunk.length >= chunkSize) await flush();
        }
      }
      await flush();
    } catch (err) {
      if (err instanceof ImportFileError)
        throwRefusal(importRefusals.sheet(segments[current]?.sheet, err.reason));
      throw err;
    }
    const sum = (k: 'rows' | 'created' | 'unchanged' | 'errorCount') => sheets.reduce((n, s) => n + s[k], 0);
    return {
      rows: sum('rows'),
      created: sum('created'),
      unchanged: sum('unchanged'),
      errorCount: sum('errorCount'),
      errors,
      sheets,
    };
  }

  /**
   * The rows of one transaction, in order: a run of member rows is decided in batches of CHUNK
   * (load → decide → save), any other row by itself. Apply stops at the first error (the
   * transaction is rolled back and the file refused), validation goes on to report every row.
   */
  private async applyRows(
    pending: readonly Pending[],
    segments: readonly Segment[],
    session: Parameters<ImportRows['one']>[3],
    outbox: Parameters<ImportRows['one']>[4],
    principal: Principal,
    mode: 'dry-run' | 'validate' | 'apply',
  ): Promise<{ seg: number; result: RowResult }[]> {
    const out: { seg: number; result: RowResult }[] = [];
    const carry = newCarry();
    let failed = false;
    const push = (seg: number, result: RowResult) => {
      out.push({ seg, result });
      if ('error' in result) failed = true;
    };
    const stop = () => mode === 'apply' && failed;
    for (let i = 0; i < pending.length && !stop();) {
      const { seg, parsed } = pending[i]!;
      const kind = segments[seg]!.kind;
      if (kind !== 'members') {
        push(seg, await this.rows.one(kind, parsed.row, parsed.command, session, outbox, principal));
        i++;
        continue;
      }
      let end = i;
      while (end < pending.length && end - i < CHUNK && pending[end]!.seg === seg) end++;
      const batch = pending.slice(i, end);
      const results = await this.rows.members(
        batch.map((p) => ({ row: p.parsed.row, command: p.parsed.command as RegisterMember })),
        session,
        outbox,
        principal,
        { write: mode === 'apply', carry },
      );
      for (const result of results) {
        push(seg, result);
        if (stop()) break;
      }
      i = end;
    }
    return out;
  }
}
