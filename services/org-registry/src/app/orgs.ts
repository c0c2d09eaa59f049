import {
  ORG_KINDS,
  OrgChanged,
  OrgClosed,
  OrgCreated,
  TERMED_ORG_KINDS,
  type OrgKind,
} from '@honglian/contracts';
import { conflict, notFound, unprocessable, type Principal } from '@honglian/service-kit';
import type { ClientSession } from 'mongoose';
import { withOutbox, type OutboxWriter } from '@honglian/messaging';
import type { OrgDoc, OrgVersion } from '../data/models.js';
import type { ChangeOrg, CreateOrg } from '../domain/commands.js';
import { versionOn } from '../domain/effective.js';
import {
  CREDIT_CODE_KINDS,
  childPath,
  isWithin,
  parentRuleViolation,
  wouldCreateCycle,
} from '../domain/org-rules.js';
import { managesPlacement, placementFilter } from '../domain/scope.js';
import { TOPIC, actorOf, newId, registryEvent, type RegistryContext } from './context.js';
import type { References, RefSpec } from './references.js';

/** A unit's parent: the side that files it, so the read rule applies as it is. */
const PARENT: RefSpec = { field: 'parentId', label: { zh: '上级组织', en: 'parent' } };

export interface OrgView {
  id: string;
  county: string;
  kind: OrgKind;
  kindLabel: { zh: string; en: string };
  name: string;
  parentId: string | null;
  path: string;
  creditCode?: string;
  term?: { start: string; end: string };
  validFrom: string;
  validTo: string | null;
}

export function orgView(doc: Pick<OrgDoc, '_id' | 'county' | 'kind'>, v: OrgVersion): OrgView {
  return {
    id: doc._id,
    county: doc.county,
    kind: doc.kind,
    kindLabel: ORG_KINDS[doc.kind],
    name: v.name,
    parentId: v.parentId,
    path: v.path,
    ...(v.creditCode ? { creditCode: v.creditCode } : {}),
    ...(v.term?.start ? { term: { start: v.term.start, end: v.term.end } } : {}),
    validFrom: v.validFrom,
    validTo: v.validTo,
  };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A rule the request breaks, in both languages; `field` names the input at fault (an import maps it to its column). */
const reason = (r: { zh: string; en: string }, field?: string) =>
  unprocessable(r.en, { reason: r, ...(field ? { field } : {}) });

function stateEvent(ctx: RegistryContext, doc: OrgDoc, v: OrgVersion) {
  return {
    orgId: doc._id,
    county: doc.county,
    kind: doc.kind,
    name: v.name,
    parentId: v.parentId,
    path: v.path,
    ...(v.creditCode ? { code: v.creditCode } : {}),
    ...(v.term?.start ? { term: { start: v.term.start, end: v.term.end } } : {}),
    effectiveFrom: v.validFrom,
  };
}

export class OrgService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly refs: References,
  ) {}

  private get Org() {
    return this.ctx.models.Org;
  }

  /** A unit as it stood on `day`, or undefined when it did not exist then. */
  versionOn(id: string, day: string, session?: ClientSession) {
    return this.refs.versionOn(id, day, session);
  }

  /** Loads a unit the principal manages (on `day`), else 404 whether or not it exists. */
  private async managed(principal: Principal, id: string, day: string, session?: ClientSession) {
    const found = await this.versionOn(id, day, session);
    if (!found || !managesPlacement(principal, { county: found.doc.county, paths: [found.version.path] })) {
      throw notFound(`Organisation ${id} was not found.`);
    }
    return found;
  }

  /** The unit with its latest version (which may start in the future), if the principal manages it. */
  private async managedLatest(principal: Principal, id: string, session: ClientSession): Promise<OrgDoc> {
    const doc = await this.Org.findById(id).session(session).lean<OrgDoc>();
    const latest = doc?.versions.at(-1);
    if (!doc || !latest || !managesPlacement(principal, { county: doc.county, paths: [latest.path] })) {
      throw notFound(`Organisation ${id} was not found.`);
    }
    return doc;
  }

  async create(cmd: CreateOrg, principal: Principal): Promise<OrgView> {
    return withOutbox(this.ctx.conn, async (session, outbox) =>
      this.createIn(session, outbox, cmd, principal),
    );
  }

  /** Creation inside a caller's transaction (the bulk import applies many in one). */
  async createIn(
    session: ClientSession,
    outbox: OutboxWriter,
    cmd: CreateOrg,
    principal: Principal,
  ): Promise<OrgView> {
    const day = cmd.effectiveFrom;
    let parent: { doc: OrgDoc; version: OrgVersion } | undefined;
    if (cmd.parentId) {
      parent = await this.refs.org(principal, cmd.parentId, day, PARENT, { session });
    } else if (!principal.roles.includes('city-admin')) {
      throw notFound('Only city administrators create root units.');
    }
    const parentNode = parent && {
      id: parent.doc._id,
      kind: parent.doc.kind,
      county: parent.doc.county,
      path: parent.version.path,
    };
    const violation = parentRuleViolation(cmd.kind, parentNode ?? null);
    if (violation) throw reason(violation, 'parentId');

    const id = cmd.id ?? newId(cmd.kind === 'property-firm' ? 'firm' : 'org');
    const county = this.countyOf(cmd, id, parent?.doc);
    if (cmd.kind === 'property-firm' && !cmd.creditCode) {
      throw reason(
        {
          zh: '物业服务企业须填写统一社会信用代码',
          en: 'a property firm needs its unified social credit code',
        },
        'creditCode',
      );
    }
    if (cmd.creditCode && !CREDIT_CODE_KINDS.includes(cmd.kind)) {
      throw reason(
        {
          zh: `${ORG_KINDS[cmd.kind].zh}没有统一社会信用代码`,
          en: `a ${cmd.kind} has no unified social credit code`,
        },
        'creditCode',
      );
    }
    if (cmd.term && !TERMED_ORG_KINDS.includes(cmd.kind)) {
      throw reason(
        { zh: '只有业委会、监事会有任期', en: `a ${cmd.kind} has no term of office` },
        'term.start',
      );
    }
    if (await this.Org.exists({ _id: id }).session(session))
      throw conflict(`Organisation ${id} already exists.`, {
        id,
        field: 'id',
        reason: { zh: `编码${id}已被使用`, en: `code ${id} is already in use` },
      });
    if (cmd.creditCode) await this.ensureCreditCodeFree(session, cmd.creditCode, id, principal);
    const version: OrgVersion = {
      validFrom: day,
      validTo: null,
      name: cmd.name,
      parentId: cmd.parentId ?? null,
      path: childPath(parentNode ?? null, id),
      ...(cmd.creditCode ? { creditCode: cmd.creditCode } : {}),
      ...(cmd.term ? { term: cmd.term } : {}),
      recordedAt: this.ctx.clock.now(),
      recordedBy: actorOf(principal),
    };
    const doc: OrgDoc = {
      _id: id,
      county,
      kind: cmd.kind,
      versions: [version],
      paths: [version.path],
      lock: 0,
      createdAt: this.ctx.clock.now(),
    };
    await this.Org.create([doc], { session });
    outbox.add(
      TOPIC,
      registryEvent(this.ctx, OrgCreated.type, id, county, stateEvent(this.ctx, doc, version)),
    );
    return orgView(doc, version);
  }

  /**
   * A unified social credit code identifies one organisation, city-wide. The holder is named only
   * to a caller who manages it: a code is public, whose record holds it is not.
   */
  private async ensureCreditCodeFree(
    session: ClientSession,
    code: string,
    self: string,
    principal: Principal,
  ): Promise<void> {
    const holder = await this.Org.findOne(
      { 'versions.creditCode': code, _id: { $ne: self } },
      { _id: 1, county: 1, paths: 1 },
    )
      .session(session)
      .lean<Pick<OrgDoc, '_id' | 'county' | 'paths'>>();
    if (!holder) return;
    if (managesPlacement(principal, { county: holder.county, paths: holder.paths })) {
      throw conflict(`Credit code ${code} is already registered to ${holder._id}.`, {
        id: holder._id,
        field: 'creditCode',
        reason: { zh: `统一社会信用代码已登记给${holder._id}`, en: 'credit code already registered' },
      });
    }
    throw conflict(`Credit code ${code} is already registered.`, {
      field: 'creditCode',
      reason: { zh: '统一社会信用代码已登记', en: 'credit code already registered' },
    });
  }

  private countyOf(cmd: CreateOrg, id: string, parent?: OrgDoc): string {
    if (cmd.kind === 'city' || cmd.kind === 'county') {
      const code = cmd.county ?? (/^\d{6}$/.test(id) ? id : undefined);
      if (!code)
        throw reason(
          { zh: '须填写区划代码', en: `a ${cmd.kind} needs its 6-digit division code (county)` },
          'county',
        );
      return code;
    }
    if (parent && parent.kind !== 'city') {
      if (cmd.county && cmd.county !== parent.county) {
        throw reason(
          {
            zh: '所属区县与上级组织不一致',
            en: `county ${cmd.county} differs from the parent's ${parent.county}`,
          },
          'county',
        );
      }
      return parent.county;
    }
    if (!cmd.county)
      throw reason(
        { zh: '须填写所属区县', en: 'county is required for a unit directly under the city' },
        'county',
      );
    return cmd.county;
  }

  async change(id: string, cmd: ChangeOrg, principal: Principal): Promise<OrgView> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const doc = await this.managedLatest(principal, id, session);
      const latest = doc.versions.at(-1)!;
      if (latest.validTo !== null) throw conflict(`Organisation ${id} was closed on ${latest.validTo}.`);
      if (cmd.effectiveFrom < latest.validFrom) {
        throw conflict(
          `Organisation ${id} has a version from ${latest.validFrom}; changes must take effect on or after it.`,
        );
      }
      const next: OrgVersion = {
        ...latest,
        validFrom: cmd.effectiveFrom,
        validTo: null,
        recordedAt: this.ctx.clock.now(),
        recordedBy: actorOf(principal),
      };
      const changed: string[] = [];
      if (cmd.name !== undefined && cmd.name !== latest.name) {
        next.name = cmd.name;
        changed.push('name');
      }
      if (cmd.creditCode !== undefined && cmd.creditCode !== latest.creditCode) {
        if (!CREDIT_CODE_KINDS.includes(doc.kind)) {
          throw reason({ zh: '该类组织没有统一社会信用代码', en: `a ${doc.kind} has no credit code` });
        }
        await this.ensureCreditCodeFree(session, cmd.creditCode, id, principal);
        next.creditCode = cmd.creditCode;
        changed.push('creditCode');
      }
      if (cmd.term !== undefined) {
        if (!TERMED_ORG_KINDS.includes(doc.kind))
          throw reason({ zh: '该类组织没有任期', en: `a ${doc.kind} has no term of office` });
        next.term = cmd.term;
        changed.push('term');
      }
      const moves = cmd.parentId !== undefined && cmd.parentId !== latest.parentId;
      if (moves) {
        const parent = await this.refs.org(principal, cmd.parentId!, cmd.effectiveFrom, PARENT, { session });
        const parentNode = {
          id: parent.doc._id,
          kind: parent.doc.kind,
          county: parent.doc.county,
          path: parent.version.path,
        };
        const violation = parentRuleViolation(doc.kind, parentNode);
        if (violation) throw reason(violation, 'parentId');
        if (wouldCreateCycle({ id, kind: doc.kind, county: doc.county, path: latest.path }, parentNode)) {
          throw reason({ zh: '不能移到自己的下级之下', en: 'a unit cannot move under its own descendant' });
        }
        if (parent.doc.county !== doc.county && doc.kind !== 'county') {
          throw reason({ zh: '不能跨区县移动', en: 'a unit cannot move to another county' });
        }
        next.parentId = cmd.parentId!;
        next.path = childPath(parentNode, id);
        changed.push('parentId', 'path');
      }
      if (changed.length === 0) return orgView(doc, latest);
      await this.writeVersion(session, doc, next);
      outbox.add(
        TOPIC,
        registryEvent(this.ctx, OrgChanged.type, id, doc.county, {
          ...stateEvent(this.ctx, doc, next),
          changed,
        }),
      );
      if (moves)
        await this.repathDescendants(session, outbox, latest.path, next.path, cmd.effectiveFrom, principal);
      return orgView(doc, next);
    });
  }

  /** Ends the latest version on the new one's first day (or replaces it when both start the same day). */
  private async writeVersion(session: ClientSession, doc: OrgDoc, next: OrgVersion): Promise<void> {
    const versions = [...doc.versions];
    const latest = versions.at(-1)!;
    if (latest.validFrom === next.validFrom) versions[versions.length - 1] = next;
    else versions.splice(versions.length - 1, 1, { ...latest, validTo: next.validFrom }, next);
    const paths = [...new Set(versions.map((v) => v.path))];
    const res = await this.Org.updateOne(
      { _id: doc._id, lock: doc.lock },
      { $set: { versions, paths }, $inc: { lock: 1 } },
      { session },
    );
    if (res.matchedCount === 0)
      throw conflict(`Organisation ${doc._id} was changed concurrently; try again.`);
  }

  private async repathDescendants(
    session: ClientSession,
    outbox: OutboxWriter,
    from: string,
    to: string,
    day: string,
    principal: Principal,
  ): Promise<void> {
    const descendants = await this.Org.find({ paths: { $regex: `^${escapeRegex(from)}/` } })
      .session(session)
      .lean<OrgDoc[]>();
    for (const doc of descendants) {
      const latest = doc.versions.at(-1)!;
      if (latest.validTo !== null && latest.validTo <= day) continue;
      if (!isWithin(latest.path, from)) continue;
      if (latest.validFrom > day) {
        throw conflict(`Descendant ${doc._id} has a change scheduled on ${latest.validFrom}; move it first.`);
      }
      const next: OrgVersion = {
        ...latest,
        validFrom: day,
        path: to + latest.path.slice(from.length),
        recordedAt: this.ctx.clock.now(),
        recordedBy: actorOf(principal),
      };
      await this.writeVersion(session, doc, next);
      outbox.add(
        TOPIC,
        registryEvent(this.ctx, OrgChanged.type, doc._id, doc.county, {
          ...stateEvent(this.ctx, doc, next),
          changed: ['path'],
        }),
      );
    }
  }

  async close(id: string, closedOn: string, principal: Principal): Promise<OrgView> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const doc = await this.managedLatest(principal, id, session);
      const latest = doc.versions.at(-1)!;
      if (latest.validTo !== null)
        throw conflict(`Organisation ${id} was already closed on ${latest.validTo}.`);
      if (closedOn <= latest.validFrom) {
        throw conflict(
          `Organisation ${id} has a version from ${latest.validFrom}; it can close only after that day.`,
        );
      }
      const children = await this.Org.find({ 'versions.parentId': id }).session(session).lean<OrgDoc[]>();
      // Units under it on the closing day or at any time after (a child registered for later counts too).
      const open = children
        .filter((c) =>
          c.versions.some((v) => v.parentId === id && (v.validTo === null || v.validTo > closedOn)),
        )
        .map((c) => c._id);
      if (open.length > 0) {
        throw conflict(
          `Organisation ${id} still has ${open.length} active unit(s) under it on ${closedOn}.`,
          {
            children: open.slice(0, 20),
          },
        );
      }
      const versions = [...doc.versions.slice(0, -1), { ...latest, validTo: closedOn }];
      const res = await this.Org.updateOne(
        { _id: id, lock: doc.lock },
        { $set: { versions }, $inc: { lock: 1 } },
        { session },
      );
      if (res.matchedCount === 0) throw conflict(`Organisation ${id} was changed concurrently; try again.`);
      outbox.add(
        TOPIC,
        registryEvent(this.ctx, OrgClosed.type, id, doc.county, {
          orgId: id,
          county: doc.county,
          kind: doc.kind,
          path: latest.path,
          closedOn,
        }),
      );
      return orgView(doc, { ...latest, validTo: closedOn });
    });
  }

  async get(id: string, day: string, principal: Principal): Promise<OrgView> {
    const { doc, version } = await this.managed(principal, id, day);
    return orgView(doc, version);
  }

  async history(id: string, principal: Principal): Promise<{ id: string; versions: OrgView[] }> {
    const doc = await this.Org.findById(id).lean<OrgDoc>();
    if (!doc || !managesPlacement(principal, { county: doc.county, paths: doc.paths })) {
      throw notFound(`Organisation ${id} was not found.`);
    }
    return { id, versions: doc.versions.map((v) => orgView(doc, v)) };
  }

  async list(
    q: {
      kind?: OrgKind;
      parentId?: string;
      county?: string;
      q?: string;
      asOf: string;
      limit: number;
      cursor?: string;
    },
    principal: Principal,
  ): Promise<{ items: OrgView[]; nextCursor: string | null }> {
    const scope = placementFilter(principal, 'paths');
    if (!scope) return { items: [], nextCursor: null };
    const filter: Record<string, unknown> = { ...scope };
    if (q.county) {
      if (filter.county && filter.county !== q.county) return { items: [], nextCursor: null };
      filter.county = q.county;
    }
    if (q.kind) filter.kind = q.kind;
    if (q.parentId) filter['versions.parentId'] = q.parentId;
    const nameMatch = q.q ? new RegExp(escapeRegex(q.q), 'i') : undefined;
    if (nameMatch) filter['versions.name'] = { $regex: escapeRegex(q.q!), $options: 'i' };
    const items: OrgView[] = [];
    let after = q.cursor;
    // Versions are filtered by day in code, so read in pages until the page is full.
    for (;;) {
      const batch = await this.Org.find(after ? { ...filter, _id: { $gt: after } } : filter)
        .sort({ _id: 1 })
        .limit(q.limit * 2)
        .lean<OrgDoc[]>();
      for (const doc of batch) {
        after = doc._id;
        const v = versionOn(doc.versions, q.asOf);
        if (!v || !managesPlacement(principal, { county: doc.county, paths: [v.path] })) continue;
        if (q.parentId && v.parentId !== q.parentId) continue;
        if (nameMatch && !nameMatch.test(v.name)) continue;
        items.push(orgView(doc, v));
        if (items.length === q.limit) return { items, nextCursor: doc._id };
      }
      if (batch.length < q.limit * 2) return { items, nextCursor: null };
    }
  }

  async tree(id: string, depth: number, day: string, principal: Principal): Promise<OrgTreeNode> {
    const { doc, version } = await this.managed(principal, id, day);
    const root: OrgTreeNode = { ...orgView(doc, version), children: [] };
    const rootDepth = version.path.split('/').length;
    const docs = await this.Org.find({ paths: { $regex: `^${escapeRegex(version.path)}/` } }).lean<
      OrgDoc[]
    >();
    const nodes = new Map<string, OrgTreeNode>([[id, root]]);
    const placed = docs
      .map((d) => ({ d, v: versionOn(d.versions, day) }))
      .filter((x): x is { d: OrgDoc; v: OrgVersion } => !!x.v && x.v.path.startsWith(version.path + '/'))
      .filter((x) => x.v.path.split('/').length - rootDepth <= depth)
      .sort(
        (a, b) => a.v.path.split('/').length - b.v.path.split('/').length || a.d._id.localeCompare(b.d._id),
      );
    for (const { d, v } of placed) {
      const node: OrgTreeNode = { ...orgView(d, v), children: [] };
      nodes.set(d._id, node);
      nodes.get(v.parentId!)?.children.push(node);
    }
    return root;
  }
}

export interface OrgTreeNode extends OrgView {
  children: OrgTreeNode[];
}
