import {
  ContractEnded,
  ContractStarted,
  PairingCreated,
  PairingEnded,
  type OrgKind,
} from '@honglian/contracts';
import { conflict, notFound, unprocessable, type Principal } from '@honglian/service-kit';
import { withOutbox, type OutboxWriter } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { OrgDoc, OrgVersion, RelationDoc } from '../data/models.js';
import type { CreateAppointment, CreateContract, CreatePairing } from '../domain/commands.js';
import { holdsOn, overlaps } from '../domain/effective.js';
import { managesPlacement, placementFilter } from '../domain/scope.js';
import { TOPIC, actorOf, newId, registryEvent, today, type RegistryContext } from './context.js';
import type { OrgService } from './orgs.js';

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

const reason = (zh: string, en: string, field?: string) =>
  unprocessable(en, { reason: { zh, en }, ...(field ? { field } : {}) });

export class RelationService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly orgs: OrgService,
  ) {}

  private get Relation() {
    return this.ctx.models.Relation;
  }

  view(doc: RelationDoc, day: string): RelationView {
    const { _id, recordedAt: _r, recordedBy: _b, path: _p, ...rest } = doc;
    return { id: _id, ...rest, active: holdsOn(doc, day) };
  }

  /** A unit of one of `kinds` that exists on `day` and that the principal manages. */
  private async unit(
    session: ClientSession,
    principal: Principal,
    id: string,
    kinds: readonly OrgKind[],
    day: string,
    label: { zh: string; en: string },
    field?: string,
  ): Promise<{ doc: OrgDoc; version: OrgVersion }> {
    const found = await this.orgs.versionOn(id, day, session);
    if (!found || !kinds.includes(found.doc.kind)) {
      throw reason(
        `${label.zh}${id}不存在`,
        `${label.en} ${id} does not exist on ${day} (expected ${kinds.join(' or ')})`,
        field,
      );
    }
    if (!managesPlacement(principal, { county: found.doc.county, paths: [found.version.path] })) {
      throw reason(
        `${label.zh}${id}不存在`,
        `${label.en} ${id} does not exist on ${day} (expected ${kinds.join(' or ')})`,
        field,
      );
    }
    return found;
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
    const firm = await this.orgs.versionOn(cmd.firmId, cmd.validFrom, session);
    if (!firm || firm.doc.kind !== 'property-firm') {
      throw reason(
        `物业企业${cmd.firmId}不存在`,
        `property firm ${cmd.firmId} does not exist on ${cmd.validFrom}`,
        'firmId',
      );
    }
    const compound = await this.unit(
      session,
      principal,
      cmd.compoundId,
      ['compound'],
      cmd.validFrom,
      { zh: '小区', en: 'compound' },
      'compoundId',
    );
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
    const agency = await this.orgs.versionOn(cmd.agencyOrgId, cmd.validFrom, session);
    if (!agency || !['agency-party-organisation', 'agency-unit'].includes(agency.doc.kind)) {
      throw reason(
        `单位党组织${cmd.agencyOrgId}不存在`,
        `agency party organisation ${cmd.agencyOrgId} does not exist on ${cmd.validFrom}`,
        'agencyOrgId',
      );
    }
    const target = await this.unit(
      session,
      principal,
      cmd.targetId,
      ['community', 'compound'],
      cmd.validFrom,
      { zh: '结对社区或小区', en: 'community or compound' },
      'targetId',
    );
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
    };
  }

  async joinAlliance(
    allianceId: string,
    memberOrgId: string,
    period: { validFrom: string; validTo: string | null },
    principal: Principal,
  ) {
    return withOutbox(this.ctx.conn, async (session) => {
      const alliance = await this.unit(session, principal, allianceId, ['alliance'], period.validFrom, {
        zh: '联盟',
        en: 'alliance',
      });
      const member = await this.orgs.versionOn(memberOrgId, period.validFrom, session);
      if (!member)
        throw reason(
          `成员单位${memberOrgId}不存在`,
          `member organisation ${memberOrgId} does not exist on ${period.validFrom}`,
        );
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
      const org = await this.orgs.versionOn(cmd.orgId, cmd.validFrom, session);
      if (!org || !managesPlacement(principal, { county: org.doc.county, paths: [org.version.path] })) {
        throw reason(
          `组织${cmd.orgId}不存在`,
          `organisation ${cmd.orgId} does not exist on ${cmd.validFrom}`,
        );
      }
      if (!(await this.ctx.models.Member.exists({ _id: cmd.memberId }).session(session))) {
        throw reason(`党员${cmd.memberId}不存在`, `member ${cmd.memberId} does not exist`);
      }
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
