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
import type { OrgDoc, RelationDoc } from '../data/models.js';
import type { CreateContract, CreateOrg, CreatePairing, RegisterMember } from '../domain/commands.js';
import { versionOn } from '../domain/effective.js';
import { normaliseIdNumber } from '../domain/identifiers.js';
import {
  ImportFileError,
  parseImport,
  type ImportFormat,
  type ImportKind,
  type ParsedRow,
  type RowError,
} from '../imports/index.js';
import { actorOf, type RegistryContext } from './context.js';
import type { MemberService } from './members.js';
import type { OrgService } from './orgs.js';
import type { RelationService } from './relations.js';

export interface ImportReport {
  importId: string | null;
  kind: ImportKind;
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
}

const MAX_REPORTED_ERRORS = 1000;
/** Rows per transaction when applying; validation of rows that reference each other (orgs) runs in one. */
const CHUNK = 1000;

type Outcome = 'created' | 'unchanged';

/** What could go wrong with a row that only the database can tell, phrased for the report. */
function rowErrorOf(row: number, err: unknown): RowError | undefined {
  if (err instanceof HttpProblem && err.status < 500) {
    const reason = (err.extensions.reason as { zh: string; en: string } | undefined) ?? {
      zh: err.message,
      en: err.message,
    };
    const field = err.extensions.field as string | undefined;
    return { row, column: field ?? '', reason };
  }
  return undefined;
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
    private readonly uc: { orgs: OrgService; relations: RelationService; members: MemberService },
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
    kind: ImportKind,
    upload: { file: string; hash: string },
    format: ImportFormat,
    dryRun: boolean,
    principal: Principal,
  ): Promise<ImportReport> {
    const importId = `import-${upload.hash.slice(0, 24)}-${kind}`;
    const previous = await this.ctx.models.Import.findById(importId).lean();
    const validation = await this.pass(kind, upload.file, format, principal, 'validate');
    const report: ImportReport = {
      importId: dryRun ? null : importId,
      kind,
      dryRun,
      status: validation.errorCount > 0 ? 'invalid' : 'valid',
      rows: validation.rows,
      created: validation.created,
      unchanged: validation.unchanged,
      errorCount: validation.errorCount,
      errors: validation.errors,
    };
    if (dryRun || validation.errorCount > 0) return { ...report, importId: null };
    if (previous?.status === 'applied') return { ...report, status: 'applied' };
    await this.ctx.models.Import.updateOne(
      { _id: importId },
      {
        $set: {
          kind,
          fileHash: upload.hash,
          county: principal.county ?? null,
          status: 'applying',
          startedAt: this.ctx.clock.now(),
          actor: actorOf(principal),
        },
      },
      { upsert: true },
    );
    const applied = await this.pass(kind, upload.file, format, principal, 'apply');
    if (applied.errorCount > 0) {
      // Only a concurrent change can fail a validated file; the import resumes when sent again.
      throw conflict(
        'The registry changed while the file was being applied; send the same file again to finish.',
        {
          errors: applied.errors.slice(0, 20),
        },
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
    return { ...report, status: 'applied', created: applied.created, unchanged: applied.unchanged };
  }

  /** One read of the file: validate (every transaction rolled back) or apply (committed chunk by chunk). */
  private async pass(
    kind: ImportKind,
    file: string,
    format: ImportFormat,
    principal: Principal,
    mode: 'validate' | 'apply',
  ) {
    const tally = { rows: 0, created: 0, unchanged: 0, errorCount: 0, errors: [] as RowError[] };
    const note = (e: RowError) => {
      tally.errorCount++;
      if (tally.errors.length < MAX_REPORTED_ERRORS) tally.errors.push(e);
    };
    // Orgs may reference units created earlier in the same file: validate them in one transaction.
    const chunkSize = kind === 'orgs' && mode === 'validate' ? Number.POSITIVE_INFINITY : CHUNK;
    let chunk: ParsedRow<ImportKind>[] = [];
    const flush = async () => {
      const rows = chunk;
      chunk = [];
      if (rows.length === 0) return;
      const outcomes: { row: number; outcome?: Outcome; error?: RowError }[] = [];
      try {
        await withOutbox(this.ctx.conn, async (session, outbox) => {
          outcomes.length = 0;
          for (const r of rows) {
            if (!('command' in r)) continue;
            try {
              outcomes.push({
                row: r.row,
                outcome: await this.applyRow(kind, r.command, session, outbox, principal),
              });
            } catch (err) {
              const error = rowErrorOf(r.row, err);
              if (!error) throw err;
              outcomes.push({ row: r.row, error });
              if (mode === 'apply') throw new DryRunRollback();
            }
          }
          if (mode === 'validate' || outcomes.some((o) => o.error)) throw new DryRunRollback();
        });
      } catch (err) {
        if (!(err instanceof DryRunRollback)) throw err;
      }
      for (const o of outcomes) {
        if (o.error) note(o.error);
        else if (o.outcome) tally[o.outcome]++;
      }
    };
    try {
      for await (const parsed of parseImport(kind, createReadStream(file), format)) {
        tally.rows++;
        if ('errors' in parsed) parsed.errors.forEach(note);
        else chunk.push(parsed);
        if (chunk.length >= chunkSize) await flush();
      }
      await flush();
    } catch (err) {
      if (err instanceof ImportFileError) {
        throw new HttpProblem(422, err.reason.en, { extensions: { reason: err.reason } });
      }
      throw err;
    }
    return tally;
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
        if (await this.sameRelation(session, id, 'contract', cmd.firmId, cmd.compoundId, cmd))
          return 'unchanged';
        await this.uc.relations.createContractIn(session, outbox, { ...cmd, id }, principal);
        return 'created';
      }
      case 'pairings': {
        const cmd = command as CreatePairing;
        const id = cmd.id ?? stableId('pairing', cmd.agencyOrgId, cmd.targetId, cmd.validFrom);
        if (await this.sameRelation(session, id, 'pairing', cmd.agencyOrgId, cmd.targetId, cmd))
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
          .lean();
        if (existing) {
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

  private async sameRelation(
    session: ClientSession,
    id: string,
    type: RelationDoc['type'],
    fromId: string,
    toId: string,
    period: { validFrom: string; validTo: string | null },
  ): Promise<boolean> {
    const doc = await this.ctx.models.Relation.findById(id).session(session).lean<RelationDoc>();
    return (
      !!doc &&
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
