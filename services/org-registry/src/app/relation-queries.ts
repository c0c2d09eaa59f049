import { refuse } from '@honglian/service-kit/domain';
import type { Principal } from '@honglian/service-kit';
import type { Page, RelationRecordView } from '../api/schemas.js';
import { holdsOn } from '../domain/effective.js';
import type { RelationType } from '../domain/relations.js';
import { managesPlacement } from '../domain/scope.js';
import { refusalError, today, type RegistryContext } from './context.js';
import { relationView } from './views.js';

/** Reading relations within the caller's scope. */
export class RelationQueries {
  constructor(private readonly ctx: RegistryContext) {}

  async get(type: RelationType, id: string, day: string, principal: Principal): Promise<RelationRecordView> {
    const doc = await this.ctx.relations.findOne(id, type);
    if (!doc || !managesPlacement(principal, { county: doc.county, paths: [doc.path] })) {
      throw refusalError(refuse.notFound(), `${type} ${id} was not found.`);
    }
    return relationView(doc, day);
  }

  async list(
    type: RelationType,
    q: { fromId?: string; toId?: string; asOf?: string; limit: number; cursor?: string },
    principal: Principal,
  ): Promise<Page<RelationRecordView>> {
    const docs = await this.ctx.relations.listPage(principal, type, q, q.limit + 1);
    const total = await this.ctx.relations.count(principal, type, q);
    const page = docs.slice(0, q.limit);
    const day = q.asOf ?? today(this.ctx);
    return {
      items: page.map((d) => relationView(d, day)),
      nextCursor: docs.length > q.limit ? page.at(-1)!._id : null,
      total,
    };
  }

  /** The organisations each member holds a post in on `day` (all of them, whoever asks: a fact about the person). */
  async appointedOrgs(memberIds: readonly string[], day: string): Promise<Map<string, Set<string>>> {
    const docs = await this.ctx.relations.appointmentsOf(memberIds);
    const byMember = new Map<string, Set<string>>();
    for (const a of docs.filter((d) => holdsOn(d, day))) {
      byMember.set(a.fromId, (byMember.get(a.fromId) ?? new Set()).add(a.toId));
    }
    return byMember;
  }
}
