import type { ClientSession } from 'mongoose';
import { escapeRegex, type Principal } from '@honglian/service-kit/domain';
import type { RegistryModels, RelationDoc } from './models.js';
import { placementFilter } from './scope.js';

type Session = ClientSession | undefined;

/** The queries and writes the use cases need over relations (contracts, pairings, memberships, appointments). */
export class RelationRepository {
  constructor(private readonly models: RegistryModels) {}

  private get Relation() {
    return this.models.Relation;
  }

  findById(id: string, session?: Session): Promise<RelationDoc | null> {
    return this.Relation.findById(id, null, { session }).lean<RelationDoc>().exec();
  }

  findOne(id: string, type: RelationDoc['type'], session?: Session): Promise<RelationDoc | null> {
    return this.Relation.findOne({ _id: id, type }, null, { session }).lean<RelationDoc>().exec();
  }

  async exists(id: string, session?: Session): Promise<boolean> {
    return (await this.Relation.exists({ _id: id }).session(session ?? null)) !== null;
  }

  /** Relations of a type between the given sides (either may be left open). */
  between(
    type: RelationDoc['type'],
    sides: { fromId?: string; toId?: string; post?: string },
    session?: Session,
  ): Promise<RelationDoc[]> {
    return this.Relation.find({ type, ...sides }, null, { session })
      .lean<RelationDoc[]>()
      .exec();
  }

  /**
   * The relations of a type the principal may see, from one side or to the other, in force on
   * `asOf` when given; null when the principal sees nothing.
   */
  private listed(
    principal: Principal,
    type: RelationDoc['type'],
    q: { fromId?: string; toId?: string; asOf?: string },
  ): Record<string, unknown> | null {
    const scope = placementFilter(principal, 'path');
    if (!scope) return null;
    const filter: Record<string, unknown> = { ...scope, type };
    if (q.fromId) filter.fromId = q.fromId;
    if (q.toId) filter.toId = q.toId;
    if (q.asOf) {
      filter.validFrom = { $lte: q.asOf };
      // Beside the scope, never in its place: a caller with several roles is scoped by an `$or`.
      return { $and: [filter, { $or: [{ validTo: null }, { validTo: { $gt: q.asOf } }] }] };
    }
    return filter;
  }

  /** A page of the listed relations (see `listed`) by id after `cursor`. */
  listPage(
    principal: Principal,
    type: RelationDoc['type'],
    q: { fromId?: string; toId?: string; asOf?: string; cursor?: string },
    limit: number,
  ): Promise<RelationDoc[]> {
    const filter = this.listed(principal, type, q);
    if (!filter) return Promise.resolve([]);
    if (q.cursor) filter._id = { $gt: q.cursor };
    return this.sorted(filter, limit);
  }

  /** How many relations the list answers in all (every page). */
  async count(
    principal: Principal,
    type: RelationDoc['type'],
    q: { fromId?: string; toId?: string; asOf?: string },
  ): Promise<number> {
    const filter = this.listed(principal, type, q);
    return filter ? this.Relation.countDocuments(filter) : 0;
  }

  /** Relations (any type, any day) filed at `path` or under it; every relation when path is empty. */
  within(path: string): Promise<RelationDoc[]> {
    return this.sorted({ path: path ? { $regex: `^${escapeRegex(path)}(/|$)` } : { $exists: true } });
  }

  /** Pairings (any day) naming one of these units as their agency, or its party organisation. */
  pairingsOfAgencies(ids: readonly string[]): Promise<RelationDoc[]> {
    const agencyIds = [...ids];
    return this.sorted({
      type: 'pairing',
      $or: [{ fromId: { $in: agencyIds } }, { agencyUnitId: { $in: agencyIds } }],
    });
  }

  private sorted(filter: Record<string, unknown>, limit?: number): Promise<RelationDoc[]> {
    const q = this.Relation.find(filter).sort({ _id: 1 });
    return (limit ? q.limit(limit) : q).lean<RelationDoc[]>().exec();
  }

  /** Appointments held by these members, any day. */
  appointmentsOf(memberIds: readonly string[]): Promise<RelationDoc[]> {
    return this.Relation.find({ type: 'appointment', fromId: { $in: [...new Set(memberIds)] } })
      .select({ fromId: 1, toId: 1, validFrom: 1, validTo: 1 })
      .lean<RelationDoc[]>()
      .exec();
  }

  async insert(doc: RelationDoc, session: ClientSession): Promise<void> {
    await this.Relation.create([doc], { session });
  }

  async end(id: string, endedOn: string, session: ClientSession): Promise<void> {
    await this.Relation.updateOne(
      { _id: id, endedOn: null },
      { $set: { validTo: endedOn, endedOn } },
      { session },
    );
  }
}
