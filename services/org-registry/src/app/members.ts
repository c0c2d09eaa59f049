import type { Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import { emitAll, withOutbox, type OutboxWriter } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { MemberRecordView } from '../api/schemas.js';
import type { ChangeMember, RegisterMember } from '../domain/commands.js';
import { maskIdNumber, maskPhone, normaliseIdNumber, normalisePhone } from '../domain/identifiers.js';
import {
  decidePlacement,
  decideRegistration,
  isIdentityClash,
  managesMember,
  type Named,
  type SealedIdentity,
} from '../domain/members.js';
import {
  changeable,
  decideNewVersion,
  memberConflict,
  proposeChange,
  proposeTransfer,
  type ProposedChange,
} from '../domain/member-changes.js';
import { isRefused } from '../domain/references.js';
import type { MemberDoc } from '../domain/records.js';
import { checkDates, newId, orThrowAs, refusalError, stampOf, type RegistryContext } from './context.js';
import { IdentityClash, type IdentityReviews } from './identity-reviews.js';
import { loadUnits } from './placement.js';
import { memberView } from './views.js';

const notFoundDetail = (id: string) => `Member ${id} was not found.`;
/** Registering, changing and transferring members: load → decide (domain/members.ts, member-changes.ts) → save. */
export class MemberService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly reviews: IdentityReviews,
  ) {}

  /** Hash, ciphertexts and masks of an ID number and a phone (the domain never holds the key). */
  seal(idNumber: string, phone: string): SealedIdentity {
    const id = normaliseIdNumber(idNumber);
    const p = normalisePhone(phone);
    const { vault } = this.ctx;
    const idHashes = vault.hashes(id);
    const phoneHashes = vault.hashes(p);
    return {
      idHash: idHashes[0]!,
      idEnc: vault.encrypt(id),
      idMasked: maskIdNumber(id),
      phoneEnc: vault.encrypt(p),
      phoneMasked: maskPhone(p),
      phoneHash: phoneHashes[0]!,
      piiKeyId: vault.keyId,
      idHashes,
      phoneHashes,
    };
  }

  async register(cmd: RegisterMember, principal: Principal, requestId?: string): Promise<MemberRecordView> {
    try {
      return await withOutbox(this.ctx.conn, (session, outbox) =>
        this.registerIn(session, outbox, cmd, principal),
      );
    } catch (err) {
      if (err instanceof IdentityClash) await this.reviews.record([err], principal, 'api', requestId);
      throw err;
    }
  }

  /**
   * Registration inside a caller's transaction. An ID number on file outside the caller's scope
   * throws the neutral IdentityClash (the caller files the review case: this transaction rolls back).
   */
  async registerIn(session: ClientSession, outbox: OutboxWriter, cmd: RegisterMember, principal: Principal) {
    const units = await loadUnits(this.ctx.orgs, [cmd], session);
    const placement = decidePlacement(principal, cmd, cmd.effectiveFrom, units.on(cmd.effectiveFrom));
    const sealed = this.seal(cmd.idNumber, cmd.phone);
    const holder = isRefused(placement) ? null : await this.ctx.members.holderOf(sealed.idHashes, session);
    const idTaken = !!cmd.id && !holder && (await this.ctx.members.exists(cmd.id, session));
    const decision = decideRegistration(
      { ...cmd, id: cmd.id ?? newId('m'), askedId: !!cmd.id },
      sealed,
      { placement, holder, idTaken },
      stampOf(this.ctx, principal),
    );
    if (!decision.ok && isIdentityClash(decision) && holder) {
      throw new IdentityClash({
        idMasked: holder.idMasked,
        existingMemberId: holder._id,
        attemptedMemberId: cmd.id ?? null,
        attemptedName: cmd.name,
        attemptedPartyOrgId: cmd.partyOrgId,
      });
    }
    const { changes, events } = orThrowAs(decision);
    await this.ctx.members.insertMany([changes.doc], session);
    emitAll(outbox, events, { time: this.ctx.clock.now() });
    return memberView(changes.doc, changes.version);
  }

  async change(id: string, cmd: ChangeMember, principal: Principal): Promise<MemberRecordView> {
    const named: Named = Object.fromEntries(
      (['workUnitId', 'residenceCompoundId', 'residenceBuildingId'] as const)
        .filter((k) => cmd[k] != null)
        .map((k) => [k, k]),
    );
    return this.newVersion(id, cmd.effectiveFrom, principal, named, (doc) => {
      const latest = doc.versions.at(-1)!;
      if (cmd.phone === undefined) return proposeChange(latest, cmd, undefined);
      const clear = normalisePhone(cmd.phone);
      return proposeChange(latest, cmd, {
        clear,
        enc: this.ctx.vault.encrypt(clear),
        masked: maskPhone(clear),
        hash: this.ctx.vault.hash(clear),
        keyId: this.ctx.vault.keyId,
        current: this.ctx.vault.decrypt(latest.phoneEnc, latest.piiKeyId),
      });
    });
  }

  async transfer(
    id: string,
    toPartyOrgId: string,
    effectiveFrom: string,
    principal: Principal,
  ): Promise<MemberRecordView> {
    return this.newVersion(id, effectiveFrom, principal, { partyOrgId: 'toPartyOrgId' }, (doc) =>
      proposeTransfer(id, doc.versions.at(-1)!, toPartyOrgId),
    );
  }

  /** Applies a change from `effectiveFrom`, keeping earlier versions as history. */
  private async newVersion(
    id: string,
    effectiveFrom: string,
    principal: Principal,
    /** The units the request names (checked against the caller's reach); the others are on record. */
    named: Named,
    propose: (doc: MemberDoc) => ReturnType<typeof proposeTransfer>,
  ): Promise<MemberRecordView> {
    checkDates(this.ctx, [{ field: 'effectiveFrom', day: effectiveFrom }]);
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const found = await this.ctx.members.findById(id, session);
      // Whoever manages where the member is filed now (the latest version) changes them.
      const doc = found && managesMember(principal, found) ? found : null;
      const refused = changeable(id, doc, effectiveFrom);
      if (refused || !doc) throw refusalError(refused ?? refuse.notFound(), notFoundDetail(id));
      const latest = doc.versions.at(-1)!;
      const proposed = propose(doc);
      if (isRefused(proposed)) throw refusalError(proposed);
      if ((proposed as ProposedChange).changed.length === 0) return memberView(doc, latest);
      const { next } = proposed;
      const units = await loadUnits(this.ctx.orgs, [next], session);
      const placement = decidePlacement(principal, next, effectiveFrom, units.on(effectiveFrom), named);
      const { changes, events } = orThrowAs(
        decideNewVersion(doc, effectiveFrom, proposed, placement, stampOf(this.ctx, principal)),
      );
      const { versions, scopePaths } = changes;
      if (
        !(await this.ctx.members.writeVersions(
          doc,
          { versions, scopePaths, county: changes.doc.county },
          session,
        ))
      ) {
        throw refusalError(memberConflict(id));
      }
      emitAll(outbox, events, { time: this.ctx.clock.now() });
      return memberView(changes.doc, changes.version);
    });
  }
}
