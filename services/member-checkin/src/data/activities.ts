import { tenantFilter, type Principal } from '@honglian/service-kit';
import type { ClientSession } from 'mongoose';
import type { Activity, ActivityKind, ActivityResponse } from '../domain/activities.js';
import type { Notice } from '../domain/activity-changes.js';
import type { CheckinModels } from './models.js';
import { pageOf, type Page, type PageRequest } from './page.js';

export interface ActivityQuery extends PageRequest {
  communityId?: string | undefined;
  kind?: ActivityKind | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** Activities and whistle calls, and the members' responses to them. */
export class ActivityStore {
  constructor(private readonly m: CheckinModels) {}

  byId(id: string, session?: ClientSession): Promise<Activity | null> {
    return this.m.Activity.findById(id, null, { session }).lean<Activity>();
  }

  async insert(activity: Activity, session: ClientSession): Promise<void> {
    await this.m.Activity.create([activity], { session });
  }

  /** Activities of the communities the caller manages, or (`reportedTo`, members) reported to. */
  page(principal: Principal, reportedTo: string[] | null, q: ActivityQuery): Promise<Page<Activity>> {
    const scopes: Record<string, unknown>[] = [tenantFilter(principal, { orgPathField: 'communityPath' })];
    if (reportedTo) scopes.push({ communityId: { $in: reportedTo } });
    const filter: Record<string, unknown> = { $or: scopes };
    if (q.communityId) filter.communityId = q.communityId;
    if (q.kind) filter.kind = q.kind;
    if (q.from || q.to)
      filter.startsAt = { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) };
    return pageOf(this.m.Activity, filter, q);
  }

  async responded(responseId: string, session: ClientSession): Promise<boolean> {
    return !!(await this.m.Response.exists({ _id: responseId }).session(session));
  }

  /** Counts the response against the capacity, atomically; false when the activity is full. */
  async claimPlace(activity: Activity, session: ClientSession): Promise<boolean> {
    const res = await this.m.Activity.updateOne(
      {
        _id: activity._id,
        status: 'published',
        ...(activity.capacity !== null ? { responses: { $lt: activity.capacity } } : {}),
      },
      { $inc: { responses: 1 } },
      { session },
    );
    return res.matchedCount > 0;
  }

  async insertResponse(response: ActivityResponse, session: ClientSession): Promise<void> {
    await this.m.Response.create([response], { session });
  }

  /**
   * Marks the activity checked in to (the first check-in only: later ones write nothing), if it is
   * still published; false when it was cancelled. A cancel committed meanwhile conflicts with it.
   */
  async markCheckedIn(id: string, session: ClientSession): Promise<boolean> {
    const res = await this.m.Activity.updateOne(
      { _id: id, status: 'published' },
      { $set: { checkedIn: true } },
      { session },
    );
    return res.matchedCount > 0;
  }

  /** Applies an edit or a cancellation if the activity is still published. */
  async updateIfPublished(id: string, set: Partial<Activity>, session: ClientSession): Promise<boolean> {
    const res = await this.m.Activity.updateOne({ _id: id, status: 'published' }, { $set: set }, { session });
    return res.matchedCount > 0;
  }

  /** Who responded to the activity (every one of them gets its notices). */
  async responderIds(activityId: string, session: ClientSession): Promise<string[]> {
    const docs = await this.m.Response.find({ activityId }, { memberId: 1 })
      .session(session)
      .lean<Pick<ActivityResponse, 'memberId'>[]>();
    return docs.map((d) => d.memberId).sort();
  }

  async insertNotices(notices: Notice[], session: ClientSession): Promise<void> {
    if (notices.length > 0) await this.m.Notice.insertMany(notices, { session });
  }

  /** A member's notices, oldest first. */
  noticesOf(memberId: string, q: PageRequest): Promise<Page<Notice>> {
    return pageOf(this.m.Notice, { memberId }, q);
  }

  responsesTo(activityId: string): Promise<ActivityResponse[]> {
    return this.m.Response.find({ activityId })
      .sort({ respondedAt: 1 })
      .limit(2000)
      .lean<ActivityResponse[]>();
  }
}
