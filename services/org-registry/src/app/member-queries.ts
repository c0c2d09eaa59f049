import { refuse } from '@honglian/service-kit/domain';
import type { Principal } from '@honglian/service-kit';
import type { MemberRecordView, Page, RevealLogRecordView, RevealView } from '../api/schemas.js';
import { normaliseTypedIdNumber, normaliseTypedPhone } from '../domain/identifiers.js';
import { memberListed, type MemberCriteria } from '../domain/listing.js';
import { versionOn } from '../domain/effective.js';
import type { AuditDoc, MemberDoc } from '../domain/records.js';
import { managesMember, managesVersion } from '../domain/members.js';
import { actorOf, refusalError, type RegistryContext } from './context.js';
import { memberView, revealLogEntryView } from './views.js';

/** Roles allowed to read a member's full ID number and phone (to contact or verify them). */
export const REVEAL_ROLES = ['city-admin', 'county-admin', 'community-staff'] as const;

const notFound = (id: string) => refusalError(refuse.notFound(), `Member ${id} was not found.`);

/** How a reveal ends: the role first (403), then "not found" whether missing or out of scope (404). */
function revealOutcome(principal: Principal, doc: MemberDoc | null): AuditDoc['outcome'] {
  if (!REVEAL_ROLES.some((r) => principal.roles.includes(r))) return 'denied';
  if (!doc) return 'not-found';
  if (!managesMember(principal, doc)) return 'out-of-scope';
  return 'revealed';
}

/** Reading members (masked), and the audited reveal of their personal data. */
export class MemberQueries {
  constructor(private readonly ctx: RegistryContext) {}

  /**
   * The member's versions the principal may read: each version by the managers of its own placement
   * (a move leaves the old county its past and gives the new county the present, README Moves and
   * transfers); the member themselves all. 404 when none.
   */
  private async visible(principal: Principal, id: string) {
    const doc = await this.ctx.members.findById(id);
    const self = principal.roles.includes('member') && principal.memberId === id;
    const versions = doc ? doc.versions.filter((v) => self || managesVersion(principal, doc, v)) : [];
    if (!doc || versions.length === 0) throw notFound(id);
    return { doc, versions };
  }

  async get(id: string, day: string, principal: Principal): Promise<MemberRecordView> {
    const { doc, versions } = await this.visible(principal, id);
    // A version in force that day but filed elsewhere answers like no version at all.
    const v = versionOn(versions, day);
    if (!v) throw refusalError(refuse.notFound(), `Member ${id} was not registered on ${day}.`);
    return memberView(doc, v);
  }

  async history(id: string, principal: Principal): Promise<{ id: string; versions: MemberRecordView[] }> {
    const { doc, versions } = await this.visible(principal, id);
    return { id, versions: versions.map((v) => memberView(doc, v)) };
  }

  /**
   * Full ID number and phone, for roles that need them. Every attempt is audit-logged with its
   * outcome, refused ones too (probing is what an audit is for); the value never is.
   */
  async reveal(id: string, principal: Principal, requestId?: string): Promise<RevealView> {
    const doc = await this.ctx.members.findById(id);
    const outcome = revealOutcome(principal, doc);
    await this.ctx.audit.record({
      at: this.ctx.clock.now(),
      actor: actorOf(principal),
      roles: principal.roles,
      action: 'member.reveal',
      memberId: id,
      county: doc?.county ?? null,
      outcome,
      ...(requestId ? { requestId } : {}),
    });
    this.ctx.logger.info(
      { audit: 'member.reveal', memberId: id, actor: actorOf(principal), outcome, requestId },
      outcome === 'revealed' ? 'personal data revealed' : 'personal data reveal refused',
    );
    if (outcome === 'denied') {
      throw refusalError(refuse.forbidden('您的角色无权查看', 'Your role does not allow this.'));
    }
    if (outcome !== 'revealed' || !doc) throw notFound(id);
    const latest = doc.versions.at(-1)!;
    return {
      id,
      idNumber: this.ctx.vault.decrypt(doc.idEnc, doc.piiKeyId),
      phone: this.ctx.vault.decrypt(latest.phoneEnc, latest.piiKeyId),
    };
  }

  /**
   * A page of members by the version in force on `asOf` (domain/listing.ts: in the caller's
   * scope by that version's own placement, matching the filters), and how many match in all
   * (`total`: one more streamed pass over the candidates, reading only the fields the rule looks
   * at; `withTotal: false` skips it, as an export does).
   */
  async list(
    q: MemberCriteria & { limit: number; cursor?: string; withTotal?: boolean },
    principal: Principal,
  ): Promise<Page<MemberRecordView>> {
    const criteria = {
      partyOrgId: q.partyOrgId,
      compoundId: q.compoundId,
      workUnitId: q.workUnitId,
      idHash: q.idHash,
      phoneHash: q.phoneHash,
    };
    const total =
      q.withTotal === false
        ? 0
        : await this.ctx.members.count(principal, criteria, (d) => !!memberListed(principal, d, q));
    const items: MemberRecordView[] = [];
    let after = q.cursor;
    // Candidates from the store; the version in force on `asOf` decides, by its own placement.
    for (;;) {
      const batch = await this.ctx.members.searchPage(principal, criteria, after, q.limit * 2);
      for (const doc of batch) {
        after = doc._id;
        const v = memberListed(principal, doc, q);
        if (!v) continue;
        items.push(memberView(doc, v));
        if (items.length === q.limit) return { items, nextCursor: doc._id, total };
      }
      if (batch.length < q.limit * 2) return { items, nextCursor: null, total };
    }
  }

  /**
   * The list searched by ID number and/or phone: each normalised as when it was stored (as an import
   * cell is: full-width characters, spaces inside an ID number) and matched
   * by its keyed hash (never in clear, never logged). Out of the caller's scope answers nothing.
   */
  search(
    q: Omit<MemberCriteria, 'idHash' | 'phoneHash'> & {
      idNumber?: string;
      phone?: string;
      limit: number;
      cursor?: string;
    },
    principal: Principal,
  ): Promise<Page<MemberRecordView>> {
    const { idNumber, phone, ...rest } = q;
    const { vault } = this.ctx;
    return this.list(
      {
        ...rest,
        // Under every key held: during a key rotation some members still carry the previous key's hashes.
        ...(idNumber !== undefined ? { idHash: vault.hashes(normaliseTypedIdNumber(idNumber)) } : {}),
        ...(phone !== undefined ? { phoneHash: vault.hashes(normaliseTypedPhone(phone)) } : {}),
      },
      principal,
    );
  }

  /**
   * The reveal log: the city admin reads every entry, a county admin those about the members of
   * the county (who looked, from anywhere, and how it ended).
   */
  async revealLog(
    principal: Principal,
    q: { memberId?: string; limit: number; cursor?: string },
  ): Promise<Page<RevealLogRecordView>> {
    const county = principal.roles.includes('city-admin') ? null : (principal.county ?? '');
    const where = { county, ...(q.memberId ? { memberId: q.memberId } : {}) };
    const docs = await this.ctx.audit.page(where, q.cursor, q.limit + 1);
    const page = docs.slice(0, q.limit);
    return {
      items: page.map(revealLogEntryView),
      nextCursor: docs.length > q.limit ? page.at(-1)!._id.toString() : null,
      total: await this.ctx.audit.count(where),
    };
  }
}
