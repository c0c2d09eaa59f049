import type { OrgKind } from '@honglian/contracts';
import { escapeRegex, refuse } from '@honglian/service-kit/domain';
import type { Principal } from '@honglian/service-kit';
import type { ClientSession } from 'mongoose';
import type { OrgTreeNode, OrgView } from '../api/schemas.js';
import { versionOn } from '../domain/effective.js';
import type { OrgVersion } from '../domain/records.js';
import type { FoundOrg } from '../domain/references.js';
import { managesPlacement } from '../domain/scope.js';
import { refusalError, type RegistryContext } from './context.js';
import { orgView } from './views.js';

const notFound = (id: string) => refusalError(refuse.notFound(), `Organisation ${id} was not found.`);

/** Reading units: as they stand on a day, their history, lists and subtrees, within the caller's scope. */
export class OrgQueries {
  constructor(private readonly ctx: RegistryContext) {}

  /** A unit as it stood on `day`, or undefined when it did not exist then. */
  versionOn(id: string, day: string, session?: ClientSession): Promise<FoundOrg | undefined> {
    return this.ctx.orgs.versionOn(id, day, session);
  }

  /** Loads a unit the principal manages (on `day`), else 404 whether or not it exists. */
  async managed(principal: Principal, id: string, day: string): Promise<FoundOrg> {
    const found = await this.versionOn(id, day);
    if (!found || !managesPlacement(principal, { county: found.doc.county, paths: [found.version.path] })) {
      throw notFound(id);
    }
    return found;
  }

  async get(id: string, day: string, principal: Principal): Promise<OrgView> {
    const { doc, version } = await this.managed(principal, id, day);
    return orgView(doc, version);
  }

  async history(id: string, principal: Principal): Promise<{ id: string; versions: OrgView[] }> {
    const doc = await this.ctx.orgs.findById(id);
    if (!doc || !managesPlacement(principal, { county: doc.county, paths: doc.paths })) throw notFound(id);
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
    const criteria = { county: q.county, kind: q.kind, parentId: q.parentId, name: q.q };
    const nameMatch = q.q ? new RegExp(escapeRegex(q.q), 'i') : undefined;
    const items: OrgView[] = [];
    let after = q.cursor;
    // Versions are filtered by day in code, so read in pages until the page is full.
    for (;;) {
      const batch = await this.ctx.orgs.searchPage(principal, criteria, after, q.limit * 2);
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
    const docs = await this.ctx.orgs.descendantsOf(version.path);
    const nodes = new Map<string, OrgTreeNode>([[id, root]]);
    const placed = docs
      .map((d) => ({ d, v: versionOn(d.versions, day) }))
      .filter(
        (x): x is { d: (typeof docs)[number]; v: OrgVersion } =>
          !!x.v && x.v.path.startsWith(version.path + '/'),
      )
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
