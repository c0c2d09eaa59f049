import { createHash } from 'node:crypto';
import { HttpProblem, RefusalError, type Principal } from '@honglian/service-kit';
import type { EventDraft, Refusal } from '@honglian/service-kit/domain';
import { emitAll, type OutboxWriter } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { CreateContract, CreateOrg, CreatePairing, RegisterMember } from '../domain/commands.js';
import { versionOn } from '../domain/effective.js';
import { decideMemberRows, holderOf, type MemberRow } from '../domain/import-members.js';
import type { MemberDoc, RelationDoc } from '../domain/records.js';
import { managesPlacement } from '../domain/scope.js';
import { IMPORT_TEMPLATES, type ImportKind, type RowError } from '../imports/index.js';
import { newId, stampOf, type RegistryContext } from './context.js';
import { IdentityClash } from './identity-reviews.js';
import type { MemberService } from './members.js';
import type { OrgService } from './orgs.js';
import { loadUnits } from './placement.js';
import type { RelationService } from './relations.js';

export type Outcome = 'created' | 'unchanged';

/**
 * Members decided earlier in the same transaction. Validation rolls its transaction back, so it
 * does not write them: later rows see them through this instead (as apply sees them written).
 */
export interface MemberCarry {
  holders: Map<string, MemberDoc>;
  taken: Set<string>;
}
export const newCarry = (): MemberCarry => ({ holders: new Map(), taken: new Set() });
export type RowResult = { outcome: Outcome } | { error: RowError; clash?: IdentityClash };

/** The zh header of the column a command field comes from ('' when no column holds it). */
function columnOf(kind: ImportKind, field: string): string {
  // A firm's county is also its parent.
  const f = kind === 'firms' && field === 'parentId' ? 'county' : field;
  return IMPORT_TEMPLATES[kind].columns.find((c) => c.field === f)?.header ?? '';
}

/** A refusal of a row, phrased for the report. */
export function rowErrorOf(
  kind: ImportKind,
  row: number,
  refusal: Pick<Refusal, 'reason' | 'field'>,
): RowError {
  return { row, column: refusal.field ? columnOf(kind, refusal.field) : '', reason: refusal.reason };
}

/** What could go wrong with a row that only the database can tell, from a use case's problem. */
function thrownRowError(kind: ImportKind, row: number, err: unknown): RowError | undefined {
  if (err instanceof RefusalError) return rowErrorOf(kind, row, err.refusal);
  if (err instanceof HttpProblem && err.status < 500) {
    const reason = (err.extensions.reason as { zh: string; en: string } | undefined) ?? {
      zh: err.message,
      en: err.message,
    };
    return rowErrorOf(kind, row, { reason, field: err.extensions.field as string | undefined });
  }
  return undefined;
}

/** Rows without an id get one from what identifies them, so the same row always lands on the same record. */
export function stableId(prefix: string, ...parts: string[]): string {
  return `${prefix}-${createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 16)}`;
}

/**
 * Applies import rows inside a caller's transaction. Units, firms, contracts and pairings depend
 * on the rows before them and go one by one through the API's use cases; members are independent
 * of each other and go a chunk at a time: load, decide every row, save in bulk.
 */
export class ImportRows {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly uc: { orgs: OrgService; relations: RelationService; members: MemberService },
  ) {}

  async one(
    kind: Exclude<ImportKind, 'members'>,
    row: number,
    command: unknown,
    session: ClientSession,
    outbox: OutboxWriter,
    principal: Principal,
  ): Promise<RowResult> {
    try {
      return { outcome: await this.apply(kind, command, session, outbox, principal) };
    } catch (err) {
      const error = thrownRowError(kind, row, err);
      if (!error) throw err;
      return { error };
    }
  }

  private async apply(
    kind: Exclude<ImportKind, 'members'>,
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
    }
  }

  private async orgRow(cmd: CreateOrg, session: ClientSession, outbox: OutboxWriter, principal: Principal) {
    if (cmd.id) {
      const existing = await this.ctx.orgs.findById(cmd.id, session);
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
    const doc = await this.ctx.relations.findById(id, session);
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

  /**
   * A chunk of member rows: load (members by ID-number hash, codes in use, the units named and
   * the communities above them: four queries), decide every row (domain/import-members.ts), then
   * save the new members and their events in one bulk write each. `write: false` (validation,
   * whose transaction is rolled back anyway) decides the same and saves nothing.
   */
  async members(
    rows: readonly { row: number; command: RegisterMember }[],
    session: ClientSession,
    outbox: OutboxWriter,
    principal: Principal,
    opts: { write: boolean; carry: MemberCarry },
  ): Promise<RowResult[]> {
    const prepared: MemberRow[] = rows.map(({ command: cmd }) => ({
      cmd,
      id: cmd.id ?? newId('m'),
      sealed: this.uc.members.seal(cmd.idNumber, cmd.phone),
    }));
    // One session serves one operation at a time: the loads run in turn.
    // By every key's hash (during a key rotation some holders still carry the previous key's).
    const loaded = await this.ctx.members.byIdHashes(
      prepared.flatMap((r) => r.sealed.idHashes),
      session,
    );
    const asked = rows.flatMap((r) => (r.command.id ? [r.command.id] : []));
    for (const { sealed } of prepared) {
      const carried = holderOf(opts.carry.holders, sealed.idHashes);
      if (carried) loaded.set(carried.idHash, carried);
    }
    const takenIds = await this.ctx.members.takenIds(asked, session);
    for (const id of asked) if (opts.carry.taken.has(id)) takenIds.add(id);
    const units = await loadUnits(
      this.ctx.orgs,
      rows.map((r) => r.command),
      session,
    );
    const outcomes = decideMemberRows(
      prepared,
      { holders: loaded, takenIds, units },
      stampOf(this.ctx, principal),
    );
    const created = outcomes.flatMap((o) => ('outcome' in o && o.outcome === 'created' ? [o] : []));
    for (const { doc } of created) {
      opts.carry.holders.set(doc.idHash, doc);
      opts.carry.taken.add(doc._id);
    }
    if (opts.write) await this.save(created, session, outbox);
    return outcomes.map((o, i): RowResult => {
      if ('outcome' in o) return { outcome: o.outcome };
      const { cmd } = prepared[i]!;
      const error = rowErrorOf('members', rows[i]!.row, o.refusal);
      if (!o.clash) return { error };
      const clash = new IdentityClash({
        idMasked: o.clash.idMasked,
        existingMemberId: o.clash._id,
        attemptedMemberId: cmd.id ?? null,
        attemptedName: cmd.name,
        attemptedPartyOrgId: cmd.partyOrgId,
      });
      return { error, clash };
    });
  }

  /** The new members and their events, in the transaction: one insert, one outbox write. */
  private async save(
    created: readonly { doc: MemberDoc; events: readonly EventDraft[] }[],
    session: ClientSession,
    outbox: OutboxWriter,
  ): Promise<void> {
    await this.ctx.members.insertMany(
      created.map((o) => o.doc),
      session,
    );
    emitAll(
      outbox,
      created.flatMap((o) => o.events),
      { time: this.ctx.clock.now() },
    );
  }
}
