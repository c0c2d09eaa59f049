import { ContractEnded, ContractStarted, PairingCreated, PairingEnded } from '@honglian/contracts';
import { conflict, notFound, unprocessable, type Principal } from '@honglian/service-kit';
import { withOutbox, type OutboxWriter } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { RelationDoc } from '../data/models.js';
import type { CreateAppointment, CreateContract, CreatePairing } from '../domain/commands.js';
import { holdsOn, overlaps } from '../domain/effective.js';
import { managesPlacement, placementFilter } from '../domain/scope.js';
import { TOPIC, actorOf, newId, registryEvent, today, type RegistryContext } from './context.js';
import type { References, RefSpec } from './references.js';

/**
 * The ids each relation names, and how far each may reach (README, Cross-county links). The side
 * that files the relation (its `path`) is `placed`; the other side of a link is `linked`.
 */
const REFS = {
  firm: {
    field: 'firmId',
    label: { zh: '物业企业', en: 'property firm' },
    kinds: ['property-firm'],
    reach: 'city',
  },
  compound: { field: 'compoundId', label: { zh: '小区', en: 'compound' }, kinds: ['compound'] },
  agency: {
    field: 'agencyOrgId',
    label: { zh: '单位党组织', en: 'agency party organisation' },
    kinds: ['agency-party-organisation', 'agency-unit'],
    reach: 'linked',
  },
  target: {
    field: 'targetId',
    label: { zh: '结对社区或小区', en: 'community or compound' },
    kinds: ['community', 'compound'],
  },
  allianceMember: {
    field: 'memberOrgId',
    label: { zh: '成员单位', en: 'member organisation' },
    reach: 'linked',
  },
  appointmentOrg: { field: 'orgId', label: { zh: '组织', en: 'organisation' } },
  member: { field: 'memberId', label: { zh: '党员', en: 'member' } },
} as const satisfies Record<string, RefSpec>;

export type RelationType = RelationDoc['type'];

export interface RelationView {
  id: string;
  type: RelationType;
  county: string;
  fromId: string;
  toId: string;
  validFrom: string;
  validTo: string | null;
  active: boolean;
  [field: string]: unknown;
}

/** The level a write is made at: the city, a county, or a community (README, Cross-county links). */
export function levelOf(principal: Principal): 'city' | 'county' | 'community' {
  if (principal.roles.includes('city-admin')) return 'city';
  if (principal.roles.includes('county-admin')) return 'county';
  return 'community';
}

const reason = (zh: string, en: string, field?: string) =>
  unprocessable(en, { reason: { zh, en }, ...(field ? { field } : {}) });

export class RelationService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly refs: References,
  ) {}

  private get Relation() {
    return this.ctx.models.Relation;
  }

  view(doc: RelationDoc, day: string): RelationView {
    const { _id, recordedAt: _r, recordedBy: _b, path: _p, ...rest } = doc;
    return { id: _id, ...rest, active: holdsOn(doc, day) };
  }

  /** Serialises writes that must not overlap (e.g. two contracts for one compound). */
  private async lockUnit(session: ClientSession, id: string): Promise<void> {
    await this.ctx.models.Org.updateOne({ _id: id }, { $inc: { lock: 1 } }, { session });
  }

  private async ensureNew(session: ClientSession, id: string): Promise<void> {
    if (await this.Relation.exists({ _id: id }).session(session))
      throw conflict(`Relation ${id} already exists.`, {
        id,
        field: 'id',
        reason: { zh: `编号${id}已被使用`, en: `number ${id} is already in use` },
      });
  }

  async createContract(cmd: CreateContract, principal: Principal): Promise<RelationView> {
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
    const compound = await this.refs.org(principal, cmd.compoundId, cmd.validFrom, REFS.compound, {
      session,
    });
    await this.refs.org(principal, cmd.firmId, cmd.validFrom, REFS.firm, { session });
    const id = cmd.id ?? newId('contract');
    await this.ensureNew(session, id);
    await this.lockUnit(session, cmd.compoundId);
    const existing = await this.Relation.find({ type: 'contract', toId: cmd.compoundId })
      .session(session)
      .lean<RelationDoc[]>();
    const clash = existing.find((c) => overlaps(c, cmd));
    if (clash) {
      throw conflict(
        `Compound ${cmd.compoundId} already has contract ${clash._id} (${clash.validFrom} – ${clash.validTo ?? 'open'}) overlapping this one; a compound has at most one active contract.`,
        {
          conflictingContract: clash._id,
          field: 'compoundId',
          reason: { zh: '该小区在此期间已有物业服务合同', en: 'overlapping contract' },
        },
      );
    }
    const doc: RelationDoc = {
      _id: id,
      county: compound.doc.county,
      type: 'contract',
      fromId: cmd.firmId,
      toId: cmd.compoundId,
      path: compound.version.path,
      validFrom: cmd.validFrom,
      validTo: cmd.validTo,
      endedOn: null,
      recordedAt: this.ctx.clock.now(),
      recordedBy: actorOf(principal),
    };
    await this.Relation.create([doc], { session });
    outbox.add(
      TOPIC,
      registryEvent(this.ctx, ContractStarted.type, id, doc.county, {
        contractId: id,
        county: doc.county,
        firmId: doc.fromId,
        compoundId: doc.toId,
        validFrom: doc.validFrom,
        validTo: doc.validTo,
      }),
    );
    return this.view(doc, cmd.validFrom);
  }

  async createPairing(cmd: CreatePairing, principal: Principal): Promise<RelationView> {
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
    const target = await this.refs.org(principal, cmd.targetId, cmd.validFrom, REFS.target, { session });
    const agency = await this.refs.org(principal, cmd.agencyOrgId, cmd.validFrom, REFS.agency, {
      session,
    });
    const id = cmd.id ?? newId('pairing');
    await this.ensureNew(session, id);
    const agencyUnitId = agency.doc.kind === 'agency-unit' ? agency.doc._id : agency.version.parentId;
    const same = await this.Relation.find({ type: 'pairing', fromId: cmd.agencyOrgId, toId: cmd.targetId })
      .session(session)
      .lean<RelationDoc[]>();
    if (same.some((p) => overlaps(p, cmd)))
      throw conflict(`${cmd.agencyOrgId} is already paired with ${cmd.targetId} in that period.`, {
        field: 'targetId',
        reason: { zh: '该单位党组织在此期间已与该对象结对', en: 'already paired in that period' },
      });
    const doc: RelationDoc = {
      _id: id,
      county: target.doc.county,
      type: 'pairing',
      fromId: cmd.agencyOrgId,
      toId: cmd.targetId,
      path: target.version.path,
      validFrom: cmd.validFrom,
      validTo: cmd.validTo,
      endedOn: null,
      agencyUnitId,
      targetKind: target.doc.kind,
      needs: cmd.needs,
      resources: cmd.resources,
      projects: cmd.projects,
      creatorLevel: levelOf(principal),
      recordedAt: this.ctx.clock.now(),
      recordedBy: actorOf(principal),
    };
    await this.Relation.create([doc], { session });
    outbox.add(TOPIC, registryEvent(this.ctx, PairingCreated.type, id, doc.county, this.pairingData(doc)));
    return this.view(doc, cmd.validFrom);
  }

  private pairingData(doc: RelationDoc) {
    return {
      pairingId: doc._id,
      county: doc.county,
      agencyOrgId: doc.fromId,
      agencyUnitId: doc.agencyUnitId ?? null,
      targetId: doc.toId,
      targetKind: doc.targetKind as 'community' | 'compound',
      validFrom: doc.validFrom,
      validTo: doc.validTo,
      needs: doc.needs ?? [],
      resources: doc.resources ?? [],
      projects: doc.projects ?? [],
      ...(doc.creatorLevel ? { creatorLevel: doc.creatorLevel } : {}),
    };
  }

  async joinAlliance(
    allianceId: string,
    memberOrgId: string,
    period: { validFrom: string; validTo: string | null },
    principal: Principal,
  ) {
    return withOutbox(this.ctx.conn, async (session) => {
      // The alliance is the resource the URL names: out of scope reads as 404, like a read.
      const alliance = await this.refs.versionOn(allianceId, period.validFrom, session);
      if (
        !alliance ||
        alliance.doc.kind !== 'alliance' ||
        !managesPlacement(principal, { county: alliance.doc.county, paths: [alliance.version.path] })
      ) {
        throw notFound(`Alliance ${allianceId} was not found on ${period.validFrom}.`);
      }
      await this.refs.org(principal, memberOrgId, period.validFrom, REFS.allianceMember, { session });
      const existing = await this.Relation.find({
        type: 'alliance-membership',
        fromId: allianceId,
        toId: memberOrgId,
      })
        .session(session)
        .lean<RelationDoc[]>();
      if (existing.some((m) => overlaps(m, period)))
        throw conflict(`${memberOrgId} is already in alliance ${allianceId} then.`);
      const doc: RelationDoc = {
        _id: newId('membership'),
        county: alliance.doc.county,
        type: 'alliance-membership',
        fromId: allianceId,
        toId: memberOrgId,
        path: alliance.version.path,
        ...period,
        endedOn: null,
        recordedAt: this.ctx.clock.now(),
        recordedBy: actorOf(principal),
      };
      await this.Relation.create([doc], { session });
      return this.view(doc, period.validFrom);
    });
  }

  async appoint(cmd: CreateAppointment, principal: Principal): Promise<RelationView> {
    return withOutbox(this.ctx.conn, async (session) => {
      const org = await this.refs.org(principal, cmd.orgId, cmd.validFrom, REFS.appointmentOrg, { session });
      await this.refs.member(principal, cmd.memberId, REFS.member, session);
      const same = await this.Relation.find({
        type: 'appointment',
        fromId: cmd.memberId,
        toId: cmd.orgId,
        post: cmd.post,
      })
        .session(session)
        .lean<RelationDoc[]>();
      if (same.some((a) => overlaps(a, cmd)))
        throw conflict(`${cmd.memberId} already holds ${cmd.post} at ${cmd.orgId} then.`);
      const doc: RelationDoc = {
        _id: newId('appointment'),
        county: org.doc.county,
        type: 'appointment',
        fromId: cmd.memberId,
        toId: cmd.orgId,
        path: org.version.path,
        validFrom: cmd.validFrom,
        validTo: cmd.validTo,
        endedOn: null,
        post: cmd.post,
        recordedAt: this.ctx.clock.now(),
        recordedBy: actorOf(principal),
      };
      await this.Relation.create([doc], { session });
      return this.view(doc, cmd.validFrom);
    });
  }

  /** The organisations each member holds a post in on `day` (all of them, whoever asks: a fact about the person). */
  async appointedOrgs(memberIds: readonly string[], day: string): Promise<Map<string, Set<string>>> {
    const docs = await this.Relation.find({ type: 'appointment', fromId: { $in: [...new Set(memberIds)] } })
      .select({ fromId: 1, toId: 1, validFrom: 1, validTo: 1 })
      .lean<RelationDoc[]>();
    const byMember = new Map<string, Set<string>>();
    for (const a of docs.filter((d) => holdsOn(d, day))) {
      byMember.set(a.fromId, (byMember.get(a.fromId) ?? new Set()).add(a.toId));
    }
    return byMember;
  }

  /** Ends a contract, pairing, membership or appointment on a day (never deletes it). */
  async end(type: RelationType, id: string, endedOn: string, principal: Principal): Promise<RelationView> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const doc = await this.Relation.findOne({ _id: id, type }).session(session).lean<RelationDoc>();
      if (!doc || !managesPlacement(principal, { county: doc.county, paths: [doc.path] }))
        throw notFound(`${type} ${id} was not found.`);
      if (doc.endedOn) throw conflict(`${type} ${id} already ended on ${doc.endedOn}.`);
      if (endedOn <= doc.validFrom || (doc.validTo !== null && endedOn > doc.validTo)) {
        throw reason(
          '结束日期须在有效期内',
          `endedOn must fall after ${doc.validFrom}${doc.validTo ? ` and not after ${doc.validTo}` : ''}`,
        );
      }
      const ended: RelationDoc = { ...doc, validTo: endedOn, endedOn };
      await this.Relation.updateOne(
        { _id: id, endedOn: null },
        { $set: { validTo: endedOn, endedOn } },
        { session },
      );
      if (type === 'contract') {
        outbox.add(
          TOPIC,
          registryEvent(this.ctx, ContractEnded.type, id, doc.county, {
            contractId: id,
            county: doc.county,
            firmId: doc.fromId,
            compoundId: doc.toId,
            validFrom: doc.validFrom,
            validTo: endedOn,
            endedOn,
          }),
        );
      } else if (type === 'pairing') {
        outbox.add(
          TOPIC,
          registryEvent(this.ctx, PairingEnded.type, id, doc.county, { ...this.pairingData(ended), endedOn }),
        );
      }
      return this.view(ended, endedOn);
    });
  }

  async get(type: RelationType, id: string, day: string, principal: Principal): Promise<RelationView> {
    const doc = await this.Relation.findOne({ _id: id, type }).lean<RelationDoc>();
    if (!doc || !managesPlacement(principal, { county: doc.county, paths: [doc.path] }))
      throw notFound(`${type} ${id} was not found.`);
    return this.view(doc, day);
  }

  async list(
    type: RelationType,
    q: { fromId?: string; toId?: string; asOf?: string; limit: number; cursor?: string },
    principal: Principal,
  ): Promise<{ items: RelationView[]; nextCursor: string | null }> {
    const scope = placementFilter(principal, 'path');
    if (!scope) return { items: [], nextCursor: null };
    const filter: Record<string, unknown> = { ...scope, type };
    if (q.fromId) filter.fromId = q.fromId;
    if (q.toId) filter.toId = q.toId;
    if (q.asOf) {
      filter.validFrom = { $lte: q.asOf };
      filter.$or = [{ validTo: null }, { validTo: { $gt: q.asOf } }];
    }
    if (q.cursor) filter._id = { $gt: q.cursor };
    const docs = await this.Relation.find(filter)
      .sort({ _id: 1 })
      .limit(q.limit + 1)
      .lean<RelationDoc[]>();
    const page = docs.slice(0, q.limit);
    const day = q.asOf ?? today(this.ctx);
    return {
      items: page.map((d) => this.view(d, day)),
      nextCursor: docs.length > q.limit ? page.at(-1)!._id : null,
    };
  }
}
