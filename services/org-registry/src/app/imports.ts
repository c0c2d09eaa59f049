import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { HttpProblem, conflict, type Principal } from '@honglian/service-kit';
import { withOutbox, type OutboxWriter } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { MemberDoc, OrgDoc, RelationDoc, UploadPlacement } from '../data/models.js';
import type { CreateContract, CreateOrg, CreatePairing, RegisterMember } from '../domain/commands.js';
import { versionOn } from '../domain/effective.js';
import { normaliseIdNumber } from '../domain/identifiers.js';
import { managesPlacement } from '../domain/scope.js';
import { MAX_WORKBOOK_ROWS, SINGLE_TRANSACTION_ROWS } from '../imports/docs.js';
import {
  IMPORT_TEMPLATES,
  ImportFileError,
  listWorksheets,
  parseImport,
  planWorkbook,
  type ImportFormat,
  type ImportKind,
  type ParsedRow,
  type RowError,
} from '../imports/index.js';
import { actorOf, type RegistryContext } from './context.js';
import { IdentityClash, type IdentityReviews } from './identity-reviews.js';
import type { MemberService } from './members.js';
import type { OrgService } from './orgs.js';
import type { RelationService } from './relations.js';

/** What one request imports: one kind from a CSV or XLSX file, or a whole workbook with a sheet per kind. */
export type ImportTarget = ImportKind | 'workbook';

export interface SheetTally {
  sheet: string | null;
  kind: ImportKind;
  rows: number;
  created: number;
  unchanged: number;
  errorCount: number;
}

export interface ImportReport {
  importId: string | null;
  kind: ImportTarget;
  dryRun: boolean;
  status: 'valid' | 'invalid' | 'applied';
  rows: number;
  /** Rows that would create (dry run) or created (apply) a record. */
  created: number;
  /** Rows identical to what is already registered: re-importing a file changes nothing. */
  unchanged: number;
  errorCount: number;
  /** The first errors, row by row (capped). */
  errors: RowError[];
  /** Per worksheet (one entry for a single-kind file). */
  sheets: SheetTally[];
}

const MAX_REPORTED_ERRORS = 1000;
/** Larger member files are validated and applied in transactions of this many rows (see IMPORT.md). */
const CHUNK = 1000;

type Outcome = 'created' | 'unchanged';
interface Segment {
  kind: ImportKind;
  /** Worksheet name, for a workbook. */
  sheet?: string;
}

/** What could go wrong with a row that only the database can tell, phrased for the report. */
function rowErrorOf(kind: ImportKind, row: number, err: unknown): RowError | undefined {
  if (err instanceof HttpProblem && err.status < 500) {
    const reason = (err.extensions.reason as { zh: string; en: string } | undefined) ?? {
      zh: err.message,
      en: err.message,
    };
    const field = err.extensions.field as string | undefined;
    return { row, column: field ? columnOf(kind, field) : '', reason };
  }
  return undefined;
}

/** The zh header of the column a command field comes from ('' when no column holds it). */
function columnOf(kind: ImportKind, field: string): string {
  // A firm's county is also its parent.
  const f = kind === 'firms' && field === 'parentId' ? 'county' : field;
  return IMPORT_TEMPLATES[kind].columns.find((c) => c.field === f)?.header ?? '';
}

/** A file that cannot be imported as a whole: 422 with the reason in both languages. */
function fileProblem(reason: { zh: string; en: string }): HttpProblem {
  return new HttpProblem(422, reason.en, { extensions: { reason } });
}

/** Rolls a validation transaction back on purpose. */
class DryRunRollback extends Error {}

/**
 * Bulk import (DOMAIN.md §1): every row goes through the same use case as
 * the API. Validation runs first and writes nothing; apply runs only when the
 * whole file is valid, in chunks, and is idempotent: a row identical to what
 * is registered counts as unchanged, so re-importing a file (or resuming an
 * interrupted one) changes nothing.
 */
export class ImportService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly uc: {
      orgs: OrgService;
      relations: RelationService;
      members: MemberService;
      reviews: IdentityReviews;
    },
  ) {}

  /** Spools an upload to a temporary file (two passes read it) while hashing it. */
  async spool(
    body: Readable,
    maxBytes: number,
  ): Promise<{ file: string; hash: string; bytes: number; head: Buffer; cleanup(): Promise<void> }> {
    const dir = await mkdtemp(path.join(tmpdir(), 'honglian-import-'));
    const file = path.join(dir, 'upload');
    const hash = createHash('sha256');
    let bytes = 0;
    let head = Buffer.alloc(0);
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > maxBytes) return done(new HttpProblem(413, `The file is larger than ${maxBytes} bytes.`));
        if (head.length < 8) head = Buffer.concat([head, chunk.subarray(0, 8 - head.length)]);
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const cleanup = () => rm(dir, { recursive: true, force: true });
    try {
      await pipeline(body, meter, createWriteStream(file));
    } catch (err) {
      await cleanup();
      throw err;
    }
    return { file, hash: hash.digest('hex'), bytes: (await stat(file)).size, head, cleanup };
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
    const previous = await this.ctx.models.Import.findById(importId).lean();
    // Rows of one file may depend on each other (orgs on earlier orgs, contracts must not overlap
    // each other, members on a workbook's orgs): they are validated together in one transaction.
    // Only a single-kind member file, whose rows are independent, is validated chunk by chunk.
    const validateChunk = target === 'members' ? CHUNK : Number.POSITIVE_INFINITY;
    const maxRows = target === 'workbook' ? MAX_WORKBOOK_ROWS : undefined;
    const validation = await this.pass(
      segments,
      upload.file,
      format,
      principal,
      dryRun ? 'dry-run' : 'validate',
      validateChunk,
      maxRows,
    );
    const report: ImportReport = {
      importId: null,
      kind: target,
      dryRun,
      status: validation.errorCount > 0 ? 'invalid' : 'valid',
      ...validation.totals,
    };
    if (dryRun || validation.errorCount > 0) return report;
    if (previous?.status === 'applied') return { ...report, importId, status: 'applied' };
    await this.ctx.models.Import.updateOne(
      { _id: importId },
      {
        $set: {
          kind: target,
          fileHash: upload.hash,
          ...placed,
          status: 'applying',
          startedAt: this.ctx.clock.now(),
          actor: actorOf(principal),
        },
      },
      { upsert: true },
    );
    const applyChunk =
      target === 'workbook' || validation.rows <= SINGLE_TRANSACTION_ROWS ? Number.POSITIVE_INFINITY : CHUNK;
    const applied = await this.pass(segments, upload.file, format, principal, 'apply', applyChunk, maxRows);
    if (applied.errorCount > 0) {
      // Only a concurrent change can fail a validated file. A file applied in one transaction left
      // nothing behind; a chunked one resumes where it stopped when sent again.
      throw conflict(
        'The registry changed while the file was being applied; send the same file again to finish.',
        { errors: applied.errors.slice(0, 20) },
      );
    }
    await this.ctx.models.Import.updateOne(
      { _id: importId },
      {
        $set: {
          status: 'applied',
          rows: applied.rows,
          created: applied.created,
          unchanged: applied.unchanged,
          finishedAt: this.ctx.clock.now(),
        },
      },
    );
    return { ...report, ...applied.totals, importId, status: 'applied' };
  }

  /** The kinds a request imports, in order: one, or a workbook's sheets in dependency order. */
  private async segments(target: ImportTarget, file: string, format: ImportFormat): Promise<Segment[]> {
    if (target !== 'workbook') return [{ kind: target }];
    if (format !== 'xlsx') {
      throw new HttpProblem(415, 'A workbook import needs an .xlsx file with one worksheet per kind.');
    }
    let names: string[];
    try {
      names = await listWorksheets(createReadStream(file));
    } catch (err) {
      if (err instanceof ImportFileError) throw fileProblem(err.reason);
      throw err;
    }
    const plan = planWorkbook(names);
    if (plan.problem) throw fileProblem(plan.problem);
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
    const sheets: SheetTally[] = segments.map((s) => ({
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
    let chunk: { seg: number; parsed: ParsedRow<ImportKind> }[] = [];
    const flush = async () => {
      const rows = chunk;
      chunk = [];
      if (rows.length === 0) return;
      const outcomes: { seg: number; outcome?: Outcome; error?: RowError }[] = [];
      // ID numbers on file outside the caller's scope: review cases, filed once the rows are done.
      const clashes: IdentityClash[] = [];
      try {
        await withOutbox(this.ctx.conn, async (session, outbox) => {
          outcomes.length = 0;
          clashes.length = 0;
          // Memoised org lookups for this attempt only: a retry reads what the database holds now.
          this.uc.members.beginBatch(session);
          for (const { seg, parsed: r } of rows) {
            if (!('command' in r)) continue;
            try {
              const kind = segments[seg]!.kind;
              outcomes.push({
                seg,
                outcome: await this.applyRow(kind, r.command, session, outbox, principal),
              });
            } catch (err) {
              const error = rowErrorOf(segments[seg]!.kind, r.row, err);
              if (!error) throw err;
              if (err instanceof IdentityClash) clashes.push(err);
              outcomes.push({ seg, error });
              if (mode === 'apply') throw new DryRunRollback();
            }
          }
          if (mode !== 'apply' || outcomes.some((o) => o.error)) throw new DryRunRollback();
        });
      } catch (err) {
        if (!(err instanceof DryRunRollback)) throw err;
      }
      await this.uc.reviews.record(clashes, principal, mode === 'dry-run' ? 'import-dry-run' : 'import');
      for (const o of outcomes) {
        if (o.error) note(o.seg, o.error);
        else if (o.outcome) sheets[o.seg]![o.outcome]++;
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
          if (maxRows !== undefined && rows > maxRows) {
            throw fileProblem({
              zh: `工作簿超过${maxRows}行，请按类型拆分成多个文件导入`,
              en: `the workbook holds more than ${maxRows} rows; import each kind as a file of its own`,
            });
          }
          if ('errors' in parsed) parsed.errors.forEach((e) => note(seg, e));
          else chunk.push({ seg, parsed });
          if (chunk.length >= chunkSize) await flush();
        }
      }
      await flush();
    } catch (err) {
      if (err instanceof ImportFileError) {
        const sheet = segments[current]?.sheet;
        throw fileProblem(
          sheet === undefined
            ? err.reason
            : { zh: `工作表“${sheet}”：${err.reason.zh}`, en: `worksheet ${sheet}: ${err.reason.en}` },
        );
      }
      throw err;
    }
    const sum = (k: 'rows' | 'created' | 'unchanged' | 'errorCount') => sheets.reduce((n, s) => n + s[k], 0);
    const totals = {
      rows: sum('rows'),
      created: sum('created'),
      unchanged: sum('unchanged'),
      errorCount: sum('errorCount'),
      errors,
      sheets,
    };
    return { ...totals, totals };
  }

  private async applyRow(
    kind: ImportKind,
    command: unknown,
    session: ClientSession,
    outbox: OutboxWriter,
    principal: Principal,
  ): Promise<Outcome> {
    switch (kind) {
      case 'orgs':
      case 'firms':
        return this.orgRow(command as CreateOrg, session, outbox, principal);
      case 'contracts': {
        const cmd = command as CreateContract;
        const id = cmd.id ?? stableId('contract', cmd.firmId, cmd.compoundId, cmd.validFrom);
        if (await this.sameRelation(session, principal, id, 'contract', cmd.firmId, cmd.compoundId, cmd))
          return 'unchanged';
        await this.uc.relations.createContractIn(session, outbox, { ...cmd, id }, principal);
        return 'created';
      }
      case 'pairings': {
        const cmd = command as CreatePairing;
        const id = cmd.id ?? stableId('pairing', cmd.agencyOrgId, cmd.targetId, cmd.validFrom);
        if (await this.sameRelation(session, principal, id, 'pairing', cmd.agencyOrgId, cmd.targetId, cmd))
          return 'unchanged';
        await this.uc.relations.createPairingIn(session, outbox, { ...cmd, id }, principal);
        return 'created';
      }
      case 'members': {
        const cmd = command as RegisterMember;
        const existing = await this.ctx.models.Member.findOne({
          idHash: this.ctx.vault.hash(normaliseIdNumber(cmd.idNumber)),
        })
          .session(session)
          .lean<MemberDoc>();
        // "Unchanged" only for a record the caller manages: anything else goes through the use
        // case, which refuses it as it would refuse the same request.
        if (
          existing &&
          managesPlacement(principal, { county: existing.county, paths: existing.scopePaths })
        ) {
          const v = versionOn(existing.versions, cmd.effectiveFrom);
          if (v && v.name === cmd.name && v.partyOrgId === cmd.partyOrgId) return 'unchanged';
        }
        await this.uc.members.registerIn(session, outbox, cmd, principal);
        return 'created';
      }
    }
  }

  private async orgRow(
    cmd: CreateOrg,
    session: ClientSession,
    outbox: OutboxWriter,
    principal: Principal,
  ): Promise<Outcome> {
    if (cmd.id) {
      const existing = await this.ctx.models.Org.findById(cmd.id).session(session).lean<OrgDoc>();
      const v = existing && versionOn(existing.versions, cmd.effectiveFrom);
      if (
        existing &&
        v &&
        managesPlacement(principal, { county: existing.county, paths: [v.path] }) &&
        existing.kind === cmd.kind &&
        v.name === cmd.name &&
        v.parentId === (cmd.parentId ?? null)
      ) {
        return 'unchanged';
      }
    }
    await this.uc.orgs.createIn(session, outbox, cmd, principal);
    return 'created';
  }

  /** Whether the row is a relation already registered, as the caller may see it. */
  private async sameRelation(
    session: ClientSession,
    principal: Principal,
    id: string,
    type: RelationDoc['type'],
    fromId: string,
    toId: string,
    period: { validFrom: string; validTo: string | null },
  ): Promise<boolean> {
    const doc = await this.ctx.models.Relation.findById(id).session(session).lean<RelationDoc>();
    return (
      !!doc &&
      managesPlacement(principal, { county: doc.county, paths: [doc.path] }) &&
      doc.type === type &&
      doc.fromId === fromId &&
      doc.toId === toId &&
      doc.validFrom === period.validFrom &&
      (doc.endedOn !== null || doc.validTo === period.validTo)
    );
  }
}

/** Rows without an id get one from what identifies them, so the same row always lands on the same record. */
function stableId(prefix: string, ...parts: string[]): string {
  return `${prefix}-${createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 16)}`;
}

/** Where an upload comes from: its import record and job are placed there (README, Imports). */
export function uploadPlacement(principal: Principal): UploadPlacement {
  return { county: principal.county ?? null, orgPath: principal.orgPath ?? null };
}

/** Whether the caller may see an import record or job: the read rule over where it was uploaded. */
export function seesUpload(principal: Principal, upload: UploadPlacement): boolean {
  return managesPlacement(principal, {
    county: upload.county ?? '',
    paths: upload.orgPath ? [upload.orgPath] : [],
  });
}
