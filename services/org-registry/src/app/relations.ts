import type { Principal } from '@honglian/service-kit';
import { emitAll, withOutbox, type OutboxWriter } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { RelationRecordView } from '../api/schemas.js';
import type { CreateAppointment, CreateContract, CreatePairing } from '../domain/commands.js';
import type { Period } from '../domain/effective.js';
import { resolveMember, resolveOrg, type RefSpec } from '../domain/references.js';
import {
  RELATION_REFS as REFS,
  decideAppointment,
  decideContract,
  decideEnd,
  decideJoinAlliance,
  decidePairing,
  type RelationType,
} from '../domain/relations.js';
import { managesPlacement } from '../domain/scope.js';
import { checkDates, newId, orThrowAs, stampOf, type RegistryContext } from './context.js';
import { relationView } from './views.js';

/** The level a write is made at: the city, a county, or a community (README, Cross-county links). */
export function levelOf(principal: Principal): 'city' | 'county' | 'community' {
  if (principal.roles.includes('city-admin')) return 'city';
  if (principal.roles.includes('county-admin')) return 'county';
  return 'community';
}

/** Recording and ending contracts, pairings, alliance memberships and appointments: load → decide → save. */
export class RelationService {
  constructor(private readonly ctx: RegistryContext) {}

  /** The unit `id` names on `day`, resolved in the caller's reach (or the refusal). */
  private async ref(principal: Principal, id: string, day: string, spec: RefSpec, session: ClientSession) {
    return resolveOrg(principal, await this.ctx.orgs.versionOn(id, day, session), spec, id, day);
  }

  async createContract(cmd: CreateContract, principal: Principal): Promise<RelationRecordView> {
    return withOutbox(this.ctx.conn, (session, outbox) =>
      this.createContractIn(session, outbox, cmd, principal),
    );
  }

  async createContractIn(
    session: ClientSession,
    outbox: OutboxWriter,
    cmd: CreateContract,
    principal: Principal,
  ) {
    checkDates(this.ctx, [
      { field: 'validFrom', day: cmd.validFrom },
      { field: 'validTo', day: cmd.validTo, end: true },
    ]);
    const id = cmd.id ?? newId('contract');
    const compound = await this.ref(principal, cmd.compoundId, cmd.validFrom, REFS.compound, session);
    const firm = await this.ref(principal, cmd.firmId, cmd.validFrom, REFS.firm, session);
    const idTaken = await this.ctx.relations.exists(id, session);
    // Serialises contracts of one compound: two concurrent ones cannot both find no overlap.
    await this.ctx.orgs.lock(cmd.compoundId, session);
    const contracts = await this.ctx.relations.between('contract', { toId: cmd.compoundId }, session);
    const { changes, events } = orThrowAs(
      decideContract({ ...cmd, id }, { compound, firm, idTaken, contracts }, stampOf(this.ctx, principal)),
    );
    return this.save(session, outbox, changes.doc, events, cmd.validFrom);
  }

  async createPairing(cmd: CreatePairing, principal: Principal): Promise<RelationRecordView> {
    return withOutbox(this.ctx.conn, (session, outbox) =>
      this.createPairingIn(session, outbox, cmd, principal),
    );
  }

  async createPairingIn(
    session: ClientSession,
    outbox: OutboxWriter,
    cmd: CreatePairing,
    principal: Principal,
  ) {
    checkDates(this.ctx, [
      { field: 'validFrom', day: cmd.validFrom },
      { field: 'validTo', day: cmd.validTo, end: true },
    ]);
    const id = cmd.id ?? newId('pairing');
    const target = await this.ref(principal, cmd.targetId, cmd.validFrom, REFS.target, session);
    const agency = await this.ref(principal, cmd.agencyOrgId, cmd.validFrom, REFS.agency, session);
    const idTaken = await this.ctx.relations.exists(id, session);
    const same = await this.ctx.relations.between(
      'pairing',
      { fromId: cmd.agencyOrgId, toId: cmd.targetId },
      session,
    );
    const { changes, events } = orThrowAs(
      decidePairing(
        { ...cmd, id },
        { target, agency, idTaken, same },
        levelOf(principal),
        stampOf(this.ctx, principal),
      ),
    );
    return this.save(session, outbox, changes.doc, events, cmd.validFrom);
  }

  async joinAlliance(allianceId: string, memberOrgId: string, period: Period, principal: Principal) {
    checkDates(this.ctx, [
      { field: 'validFrom', day: period.validFrom },
      { field: 'validTo', day: period.validTo, end: true },
    ]);
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      // The alliance is the resource the URL names: out of scope reads as 404, like a read.
      const found = await this.ctx.orgs.versionOn(allianceId, period.validFrom, session);
      const alliance =
        found &&
        found.doc.kind === 'alliance' &&
        managesPlacement(principal, { county: found.doc.county, paths: [found.version.path] })
          ? found
          : null;
      const member = await this.ref(principal, memberOrgId, period.validFrom, REFS.allianceMember, session);
      const memberships = await this.ctx.relations.between(
        'alliance-membership',
        { fromId: allianceId, toId: memberOrgId },
        session,
      );
      const { changes, events } = orThrowAs(
        decideJoinAlliance(
          { id: newId('membership'), allianceId, memberOrgId },
          period,
          { alliance, member, memberships },
          stampOf(this.ctx, principal),
        ),
        `Alliance ${allianceId} was not found on ${period.validFrom}.`,
      );
      return this.save(session, outbox, changes.doc, events, period.validFrom);
    });
  }

  async appoint(cmd: CreateAppointment, principal: Principal): Promise<RelationRecordView> {
    checkDates(this.ctx, [
      { field: 'validFrom', day: cmd.validFrom },
      { field: 'validTo', day: cmd.validTo, end: true },
    ]);
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const org = await this.ref(principal, cmd.orgId, cmd.validFrom, REFS.appointmentOrg, session);
      const member = resolveMember(
        principal,
        await this.ctx.members.findById(cmd.memberId, session),
        REFS.member,
        cmd.memberId,
      );
      const same = await this.ctx.relations.between(
        'appointment',
        { fromId: cmd.memberId, toId: cmd.orgId, post: cmd.post },
        session,
      );
      const { changes, events } = orThrowAs(
        decideAppointment(
          { ...cmd, id: newId('appointment') },
          { org, member, same },
          stampOf(this.ctx, principal),
        ),
      );
      return this.save(session, outbox, changes.doc, events, cmd.validFrom);
    });
  }

  /** Ends a contract, pairing, membership or appointment on a day (never deletes it). */
  async end(
    type: RelationType,
    id: string,
    endedOn: string,
    principal: Principal,
  ): Promise<RelationRecordView> {
    checkDates(this.ctx, [{ field: 'endedOn', day: endedOn }]);
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const found = await this.ctx.relations.findOne(id, type, session);
      const doc =
        found && managesPlacement(principal, { county: found.county, paths: [found.path] }) ? found : null;
      const { changes, events } = orThrowAs(
        decideEnd(type, id, endedOn, doc),
        `${type} ${id} was not found.`,
      );
      await this.ctx.relations.end(id, endedOn, session);
      emitAll(outbox, events, { time: this.ctx.clock.now() });
      return relationView(changes.doc, endedOn);
    });
  }

  private async save(
    session: ClientSession,
    outbox: OutboxWriter,
    doc: Parameters<typeof relationView>[0],
    events: Parameters<typeof emitAll>[1],
    day: string,
  ): Promise<RelationRecordView> {
    await this.ctx.relations.insert(doc, session);
    emitAll(outbox, events, { time: this.ctx.clock.now() });
    return relationView(doc, day);
  }
}
