import {
  MEMBER_CATEGORIES,
  MemberChanged,
  MemberRegistered,
  MemberTransferred,
  PARTY_ORG_KINDS,
  type MemberCategory,
} from '@honglian/contracts';
import {
  HttpProblem,
  conflict,
  forbidden,
  notFound,
  unprocessable,
  type Principal,
} from '@honglian/service-kit';
import { withOutbox, type OutboxWriter } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { AuditDoc, MemberDoc, MemberVersion, OrgDoc } from '../data/models.js';
import type { ChangeMember, RegisterMember } from '../domain/commands.js';
import { versionOn } from '../domain/effective.js';
import { maskIdNumber, maskPhone, normaliseIdNumber, normalisePhone } from '../domain/identifiers.js';
import { managesPlacement, placementFilter } from '../domain/scope.js';
import { TOPIC, actorOf, newId, registryEvent, type RegistryContext } from './context.js';
import { IdentityClash, type IdentityReviews } from './identity-reviews.js';
import type { FoundOrg, References, RefSpec } from './references.js';

/**
 * The units a member record names. Its party organisation and work unit may be county-level
 * units (agency party organisations, agency units), which community staff reach county-wide;
 * the member must still end up placed (party organisation or residence) in the caller's scope.
 */
const REFS = {
  partyOrgId: {
    field: 'partyOrgId',
    label: { zh: '党组织', en: 'party organisation' },
    kinds: PARTY_ORG_KINDS,
    reach: 'linked',
  },
  workUnitId: {
    field: 'workUnitId',
    label: { zh: '工作单位', en: 'work unit' },
    kinds: ['agency-unit'],
    reach: 'linked',
  },
  residenceCompoundId: {
    field: 'residenceCompoundId',
    label: { zh: '居住小区', en: 'compound' },
    kinds: ['compound'],
    reach: 'linked',
  },
  residenceBuildingId: {
    field: 'residenceBuildingId',
    label: { zh: '楼栋', en: 'building' },
    kinds: ['building'],
    reach: 'linked',
  },
} as const satisfies Record<string, RefSpec>;
type PlacementField = keyof typeof REFS;
/** The units a request names, each with the request field that names it. */
type Named = Partial<Record<PlacementField, string>>;
const ALL_NAMED: Named = Object.fromEntries(Object.keys(REFS).map((f) => [f, f]));

export interface MemberView {
  id: string;
  county: string;
  name: string;
  /** Always masked; the full number only through the audited reveal. */
  idNumber: string;
  phone: string;
  category: MemberCategory;
  categoryLabel: { zh: string; en: string };
  status: 'active' | 'inactive';
  partyOrgId: string;
  workUnitId: string | null;
  residenceCompoundId: string | null;
  residenceBuildingId: string | null;
  validFrom: string;
  validTo: string | null;
}

function memberView(doc: MemberDoc, v: MemberVersion): MemberView {
  return {
    id: doc._id,
    county: doc.county,
    name: v.name,
    idNumber: doc.idMasked,
    phone: v.phoneMasked,
    category: v.category,
    categoryLabel: MEMBER_CATEGORIES[v.category],
    status: v.status,
    partyOrgId: v.partyOrgId,
    workUnitId: v.workUnitId,
    residenceCompoundId: v.residenceCompoundId,
    residenceBuildingId: v.residenceBuildingId,
    validFrom: v.validFrom,
    validTo: v.validTo,
  };
}

const reason = (zh: string, en: string, field?: string) =>
  unprocessable(en, { reason: { zh, en }, ...(field ? { field } : {}) });

/** Roles allowed to read a member's full ID number and phone (to contact or verify them). */
export const REVEAL_ROLES = ['city-admin', 'county-admin', 'community-staff'] as const;

/** How a reveal ends: the role first (403), then "not found" whether missing or out of scope (404). */
function revealOutcome(principal: Principal, doc: MemberDoc | null): AuditDoc['outcome'] {
  if (!REVEAL_ROLES.some((r) => principal.roles.includes(r))) return 'denied';
  if (!doc) return 'not-found';
  if (!managesPlacement(principal, { county: doc.county, paths: doc.scopePaths })) return 'out-of-scope';
  return 'revealed';
}

export class MemberService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly refs: References,
    private readonly reviews: IdentityReviews,
  ) {}

  private get Member() {
    return this.ctx.models.Member;
  }

  /**
   * Org lookups memoised per transaction attempt of a bulk import (`beginBatch`): a file of
   * thousands of members names the same party organisations, compounds and communities again
   * and again. Nothing a member use case does changes an org, and a workbook writes its orgs
   * before its members, so within one attempt an answer cannot go stale. Other callers (one
   * request, one member) read the database every time.
   */
  private readonly lookups = new WeakMap<ClientSession, Map<string, Promise<unknown>>>();

  /** Starts (or, on a retried attempt, restarts) memoising this session's org lookups. */
  beginBatch(session: ClientSession): void {
    this.lookups.set(session, new Map());
  }

  private memo<T>(session: ClientSession, key: string, load: () => Promise<T>): Promise<T> {
    const cache = this.lookups.get(session);
    if (!cache) return load();
    let hit = cache.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = load();
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
    }
    return hit;
  }
  private orgOn(id: string, day: string, session: ClientSession) {
    return this.memo(session, `org:${id}:${day}`, () => this.refs.versionOn(id, day, session));
  }

  /**
   * Resolves the member's units on `day` and derives county and scope paths from them. Units the
   * caller names now (`named`) must be within their reach; units already on the record that a
   * change leaves alone need only still exist.
   */
  private async placement(
    session: ClientSession,
    principal: Principal,
    p: Record<PlacementField, string | null> & { partyOrgId: string },
    day: string,
    named: Named = ALL_NAMED,
  ) {
    const unit = (field: PlacementField, id: string): Promise<FoundOrg> => {
      const asked = named[field];
      return this.refs.org(principal, id, day, asked ? { ...REFS[field], field: asked } : REFS[field], {
        session,
        load: (i, d) => this.orgOn(i, d, session),
        onRecord: !asked,
      });
    };
    const partyOrg = await unit('partyOrgId', p.partyOrgId);
    const paths = [partyOrg.version.path];
    let county = partyOrg.doc.county;
    if (p.workUnitId) await unit('workUnitId', p.workUnitId);
    let community: string | null = null;
    if (p.residenceCompoundId) {
      const compound = await unit('residenceCompoundId', p.residenceCompoundId);
      paths.push(compound.version.path);
      county = compound.doc.county;
      community = await this.communityOf(session, compound.version.path, day);
      if (p.residenceBuildingId) {
        // One answer whether the building is missing, out of reach or in another compound.
        const building = await unit('residenceBuildingId', p.residenceBuildingId).catch((err: unknown) => {
          if (err instanceof HttpProblem) return undefined;
          throw err;
        });
        if (building?.version.parentId !== p.residenceCompoundId) {
          throw reason(
            `楼栋${p.residenceBuildingId}不在小区${p.residenceCompoundId}内`,
            `building ${p.residenceBuildingId} is not in compound ${p.residenceCompoundId}`,
            'residenceBuildingId',
          );
        }
      }
    } else if (p.residenceBuildingId) {
      throw reason('填写楼栋时须填写小区', 'a residence building needs its compound', 'residenceCompoundId');
    }
    // Every unit is within reach, but a county-level party organisation alone would file the
    // member where the caller could not read them back.
    if (!managesPlacement(principal, { county, paths })) {
      throw reason(
        '所属党组织或居住小区须在您的管理范围内',
        'the party organisation or the residence compound must be within your scope',
        'partyOrgId',
      );
    }
    return { county, paths, community };
  }

  /** The community a path lies in (the nearest community on it). */
  private communityOf(session: ClientSession, path: string, day: string): Promise<string | null> {
    return this.memo(session, `community:${path}:${day}`, () => this.findCommunity(session, path, day));
  }

  private async findCommunity(session: ClientSession, path: string, day: string): Promise<string | null> {
    const ids = path.split('/').filter(Boolean);
    const docs = await this.ctx.models.Org.find({ _id: { $in: ids }, kind: 'community' })
      .session(session)
      .lean<OrgDoc[]>();
    const live = docs.filter((d) => versionOn(d.versions, day));
    return live.sort((a, b) => ids.indexOf(b._id) - ids.indexOf(a._id))[0]?._id ?? null;
  }

  private eventData(doc: MemberDoc, v: MemberVersion, community: string | null) {
    return {
      memberId: doc._id,
      county: doc.county,
      name: v.name,
      category: v.category,
      status: v.status,
      partyOrgId: v.partyOrgId,
      workUnitId: v.workUnitId,
      residenceCompoundId: v.residenceCompoundId,
      residenceBuildingId: v.residenceBuildingId,
      residenceCommunityId: community,
      effectiveFrom: v.validFrom,
    };
  }

  async register(cmd: RegisterMember, principal: Principal, requestId?: string): Promise<MemberView> {
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
   * Registration inside a caller's transaction. The units it names are resolved first, so a
   * request naming units out of reach learns nothing about the ID number. An ID number already
   * on file is refused naming the member when the caller manages them, and with the neutral
   * IdentityClash otherwise (the caller files the review case: this transaction rolls back).
   */
  async registerIn(session: ClientSession, outbox: OutboxWriter, cmd: RegisterMember, principal: Principal) {
    const place = await this.placement(session, principal, cmd, cmd.effectiveFrom);
    const idNumber = normaliseIdNumber(cmd.idNumber);
    const idHash = this.ctx.vault.hash(idNumber);
    const holder = await this.Member.findOne({ idHash }, { _id: 1, county: 1, scopePaths: 1, idMasked: 1 })
      .session(session)
      .lean<Pick<MemberDoc, '_id' | 'county' | 'scopePaths' | 'idMasked'>>();
    if (holder && managesPlacement(principal, { county: holder.county, paths: holder.scopePaths })) {
      throw conflict(`A member with this ID number is already registered: ${holder._id}.`, {
        reason: { zh: '身份证号已登记', en: 'duplicate ID number' },
        field: 'idNumber',
        memberId: holder._id,
      });
    }
    if (holder) {
      throw new IdentityClash({
        idMasked: holder.idMasked,
        existingMemberId: holder._id,
        attemptedMemberId: cmd.id ?? null,
        attemptedName: cmd.name,
        attemptedPartyOrgId: cmd.partyOrgId,
      });
    }
    if (cmd.id && (await this.Member.exists({ _id: cmd.id }).session(session))) {
      throw conflict(`Member code ${cmd.id} is already in use.`, {
        reason: { zh: `党员编号${cmd.id}已被使用`, en: `member code ${cmd.id} is already in use` },
        field: 'id',
      });
    }
    const phone = normalisePhone(cmd.phone);
    const version: MemberVersion = {
      validFrom: cmd.effectiveFrom,
      validTo: null,
      name: cmd.name,
      phoneEnc: this.ctx.vault.encrypt(phone),
      phoneMasked: maskPhone(phone),
      category: cmd.category,
      status: 'active',
      partyOrgId: cmd.partyOrgId,
      workUnitId: cmd.workUnitId,
      residenceCompoundId: cmd.residenceCompoundId,
      residenceBuildingId: cmd.residenceBuildingId,
      scopePaths: place.paths,
      recordedAt: this.ctx.clock.now(),
      recordedBy: actorOf(principal),
    };
    const doc: MemberDoc = {
      _id: cmd.id ?? newId('m'),
      county: place.county,
      idHash,
      idEnc: this.ctx.vault.encrypt(idNumber),
      idMasked: maskIdNumber(idNumber),
      versions: [version],
      scopePaths: place.paths,
      lock: 0,
      createdAt: this.ctx.clock.now(),
    };
    await this.Member.create([doc], { session });
    outbox.add(
      TOPIC,
      registryEvent(
        this.ctx,
        MemberRegistered.type,
        doc._id,
        doc.county,
        this.eventData(doc, version, place.community),
      ),
    );
    return memberView(doc, version);
  }

  /** The member if the principal manages them (or is them), else 404. */
  private async visible(
    principal: Principal,
    id: string,
    opts: { session?: ClientSession; allowSelf?: boolean } = {},
  ): Promise<MemberDoc> {
    const doc = await this.Member.findById(id, null, { session: opts.session }).lean<MemberDoc>();
    const self = (opts.allowSelf ?? false) && principal.roles.includes('member') && principal.memberId === id;
    if (!doc || !(self || managesPlacement(principal, { county: doc.county, paths: doc.scopePaths }))) {
      throw notFound(`Member ${id} was not found.`);
    }
    return doc;
  }

  async get(id: string, day: string, principal: Principal): Promise<MemberView> {
    const doc = await this.visible(principal, id, { allowSelf: true });
    const v = versionOn(doc.versions, day);
    if (!v) throw notFound(`Member ${id} was not registered on ${day}.`);
    return memberView(doc, v);
  }

  async history(id: string, principal: Principal): Promise<{ id: string; versions: MemberView[] }> {
    const doc = await this.visible(principal, id, { allowSelf: true });
    return { id, versions: doc.versions.map((v) => memberView(doc, v)) };
  }

  /**
   * Full ID number and phone, for roles that need them. Every attempt is audit-logged with its
   * outcome, refused ones too (probing is what an audit is for); the value never is.
   */
  async reveal(id: string, principal: Principal, requestId?: string) {
    const doc = await this.Member.findById(id).lean<MemberDoc>();
    const outcome = revealOutcome(principal, doc);
    await this.ctx.models.Audit.create({
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
    if (outcome === 'denied') throw forbidden();
    if (outcome !== 'revealed' || !doc) throw notFound(`Member ${id} was not found.`);
    const latest = doc.versions.at(-1)!;
    return {
      id,
      idNumber: this.ctx.vault.decrypt(doc.idEnc),
      phone: this.ctx.vault.decrypt(latest.phoneEnc),
    };
  }

  async list(
    q: {
      partyOrgId?: string;
      compoundId?: string;
      workUnitId?: string;
      q?: string;
      asOf: string;
      limit: number;
      cursor?: string;
    },
    principal: Principal,
  ): Promise<{ items: MemberView[]; nextCursor: string | null }> {
    const scope = placementFilter(principal, 'scopePaths');
    if (!scope) return { items: [], nextCursor: null };
    const filter: Record<string, unknown> = { ...scope };
    if (q.partyOrgId) filter['versions.partyOrgId'] = q.partyOrgId;
    if (q.compoundId) filter['versions.residenceCompoundId'] = q.compoundId;
    if (q.workUnitId) filter['versions.workUnitId'] = q.workUnitId;
    const items: MemberView[] = [];
    let after = q.cursor;
    for (;;) {
      const batch = await this.Member.find(after ? { ...filter, _id: { $gt: after } } : filter)
        .sort({ _id: 1 })
        .limit(q.limit * 2)
        .lean<MemberDoc[]>();
      for (const doc of batch) {
        after = doc._id;
        const v = versionOn(doc.versions, q.asOf);
        if (!v) continue;
        if (q.partyOrgId && v.partyOrgId !== q.partyOrgId) continue;
        if (q.compoundId && v.residenceCompoundId !== q.compoundId) continue;
        if (q.workUnitId && v.workUnitId !== q.workUnitId) continue;
        if (q.q && !v.name.includes(q.q)) continue;
        items.push(memberView(doc, v));
        if (items.length === q.limit) return { items, nextCursor: doc._id };
      }
      if (batch.length < q.limit * 2) return { items, nextCursor: null };
    }
  }

  async change(id: string, cmd: ChangeMember, principal: Principal): Promise<MemberView> {
    const named: Named = Object.fromEntries(
      (['workUnitId', 'residenceCompoundId', 'residenceBuildingId'] as const)
        .filter((k) => cmd[k] != null)
        .map((k) => [k, k]),
    );
    return this.newVersion(id, cmd.effectiveFrom, principal, named, (latest) => {
      const next = { ...latest };
      const changed: string[] = [];
      if (cmd.name !== undefined && cmd.name !== latest.name) {
        next.name = cmd.name;
        changed.push('name');
      }
      if (cmd.phone !== undefined) {
        const phone = normalisePhone(cmd.phone);
        if (maskPhone(phone) !== latest.phoneMasked || this.ctx.vault.decrypt(latest.phoneEnc) !== phone) {
          next.phoneEnc = this.ctx.vault.encrypt(phone);
          next.phoneMasked = maskPhone(phone);
          changed.push('phone');
        }
      }
      for (const key of [
        'category',
        'status',
        'workUnitId',
        'residenceCompoundId',
        'residenceBuildingId',
      ] as const) {
        if (cmd[key] !== undefined && cmd[key] !== latest[key]) {
          (next as Record<string, unknown>)[key] = cmd[key];
          changed.push(key);
        }
      }
      return { next, changed, type: MemberChanged.type };
    });
  }

  async transfer(
    id: string,
    toPartyOrgId: string,
    effectiveFrom: string,
    principal: Principal,
  ): Promise<MemberView> {
    return this.newVersion(id, effectiveFrom, principal, { partyOrgId: 'toPartyOrgId' }, (latest) => {
      if (latest.partyOrgId === toPartyOrgId) {
        throw reason('已在该党组织', `member ${id} already belongs to ${toPartyOrgId}`, 'toPartyOrgId');
      }
      return {
        next: { ...latest, partyOrgId: toPartyOrgId },
        changed: ['partyOrgId'],
        type: MemberTransferred.type,
      };
    });
  }

  /** Applies a change from `effectiveFrom`, keeping earlier versions as history. */
  private async newVersion(
    id: string,
    effectiveFrom: string,
    principal: Principal,
    /** The units the request names (checked against the caller's reach); the others are on record. */
    named: Named,
    decide: (latest: MemberVersion) => { next: MemberVersion; changed: string[]; type: string },
  ): Promise<MemberView> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const doc = await this.visible(principal, id, { session });
      const latest = doc.versions.at(-1)!;
      if (effectiveFrom < latest.validFrom) {
        throw conflict(
          `Member ${id} has a version from ${latest.validFrom}; changes must take effect on or after it.`,
        );
      }
      const { next, changed, type } = decide(latest);
      if (changed.length === 0) return memberView(doc, latest);
      const place = await this.placement(session, principal, next, effectiveFrom, named);
      const version: MemberVersion = {
        ...next,
        validFrom: effectiveFrom,
        validTo: null,
        scopePaths: place.paths,
        recordedAt: this.ctx.clock.now(),
        recordedBy: actorOf(principal),
      };
      const versions = [...doc.versions];
      if (latest.validFrom === effectiveFrom) versions[versions.length - 1] = version;
      else versions.splice(versions.length - 1, 1, { ...latest, validTo: effectiveFrom }, version);
      const scopePaths = [...new Set(versions.flatMap((v) => v.scopePaths))];
      const res = await this.Member.updateOne(
        { _id: id, lock: doc.lock },
        { $set: { versions, scopePaths, county: place.county }, $inc: { lock: 1 } },
        { session },
      );
      if (res.matchedCount === 0) throw conflict(`Member ${id} was changed concurrently; try again.`);
      const updated = { ...doc, county: place.county };
      const data = this.eventData(updated, version, place.community);
      outbox.add(
        TOPIC,
        registryEvent(
          this.ctx,
          type,
          id,
          place.county,
          type === MemberTransferred.type
            ? { ...data, fromPartyOrgId: latest.partyOrgId }
            : { ...data, changed },
        ),
      );
      return memberView(updated, version);
    });
  }
}
