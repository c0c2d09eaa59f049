import { refuse } from '@honglian/service-kit/domain';
import type { Principal } from '@honglian/service-kit';
import type { ClientSession } from 'mongoose';
import type { OrgRecordView, Page } from '../api/schemas.js';
import { versionOn } from '../domain/effective.js';
import { orgListed, type OrgCriteria } from '../domain/listing.js';
import type { OrgDoc, OrgVersion } from '../domain/records.js';
import type { FoundOrg } from '../domain/references.js';
import { managesPlacement } from '../domain/scope.js';
import { refusalError, type RegistryContext } from './context.js';
import type { OrgRecordTree } from './names.js';
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

  async get(id: string, day: string, principal: Principal): Promise<OrgRecordView> {
    const { doc, version } = await this.managed(principal, id, day);
    return orgView(doc, version);
  }

  async history(id: string, principal: Principal): Promise<{ id: string; versions: OrgRecordView[] }> {
    const doc = await this.ctx.orgs.findById(id);
    if (!doc || !managesPlacement(principal, { county: doc.county, paths: doc.paths })) throw notFound(id);
    return { id, versions: doc.versions.map((v) => orgView(doc, v)) };
  }

  /**
   * A page of units by the version in force on `asOf` (domain/listing.ts), and how many match in
   * all (`total`: one more streamed pass over the candidates; `withTotal: false` skips it, as an
   * export does).
   */
  async list(
    q: OrgCriteria & { limit: number; cursor?: string; withTotal?: boolean },
    principal: Principal,
  ): Promise<Page<OrgRecordView>> {
    const criteria = { county: q.county, kind: q.kind, parentId: q.parentId, name: q.q };
    const listed = (doc: OrgDoc) => orgListed(principal, doc, q);
    const total =
      q.withTotal === false ? 0 : await this.ctx.orgs.count(principal, criteria, (d) => !!listed(d));
    const items: OrgRecordView[] = [];
    let after = q.cursor;
    // Versions are filtered by day in code, so read in pages until the page is full.
    for (;;) {
      const batch = await this.ctx.orgs.searchPage(principal, criteria, after, q.limit * 2);
      for (const doc of batch) {
        after = doc._id;
        const v = listed(doc);
        if (!v) continue;
        items.push(orgView(doc, v));
        if (items.length === q.limit) return { items, nextCursor: doc._id, total };
      }
      if (batch.length < q.limit * 2) return { items, nextCursor: null, total };
    }
  }

  async tree(id: string, depth: number, day: string, principal: Principal): Promise<OrgRecordTree> {
    const { doc, version } = await this.managed(principal, id, day);
    const root: OrgRecordTree = { ...orgView(doc, version), children: [] };
    const rootDepth = version.path.split('/').length;
    const docs = await this.ctx.orgs.descendantsOf(version.path);
    const nodes = new Map<string, OrgRecordTree>([[id, root]]);
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
      const node: OrgRecordTree = { ...orgView(d, v), children: [] };
      nodes.set(d._id, node);
      nodes.get(v.parentId!)?.children.push(node);
    }
    return root;
  }
}
