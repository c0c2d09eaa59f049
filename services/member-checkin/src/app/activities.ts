import { ActivityPublished, CallIssued, CallResponded } from '@honglian/contracts';
import { tenantFilter, type Principal } from '@honglian/service-kit';
import { withOutbox } from '@honglian/messaging';
import type { ActivityDoc, Geofence, ResponseDoc } from '../data/models.js';
import { attendanceWindowOpen, issueToken } from '../domain/qr.js';
import { reason } from '../domain/rules.js';
import { isSelf } from '../domain/scope.js';
import { TOPIC, actorOf, checkinEvent, dayOf, newId, refused, type CheckinContext } from './context.js';
import type { References } from './references.js';

export interface CreateActivity {
  kind: 'activity' | 'call';
  communityId: string;
  title: string;
  description: string;
  place: string;
  startsAt: Date;
  endsAt: Date;
  geofence?: Geofence | null | undefined;
  capacity?: number | null | undefined;
  skills: string[];
  capHours?: number | null | undefined;
  arrivalWithinMinutes?: number | null | undefined;
}

export const ACTIVITY_KIND_LABELS = {
  activity: { zh: '活动', en: 'Activity' },
  call: { zh: '吹哨召集', en: 'Whistle call' },
} as const;

export function activityView(a: ActivityDoc) {
  return {
    id: a._id,
    county: a.county,
    communityId: a.communityId,
    communityName: a.communityName,
    kind: a.kind,
    kindLabel: ACTIVITY_KIND_LABELS[a.kind],
    title: a.title,
    description: a.description,
    place: a.place,
    startsAt: a.startsAt.toISOString(),
    endsAt: a.endsAt.toISOString(),
    geofence: a.geofence,
    capacity: a.capacity,
    responses: a.responses,
    skills: a.skills,
    capMinutes: a.capMinutes,
    arrivalWithinMinutes: a.arrivalWithinMinutes,
    issuedAt: a.issuedAt.toISOString(),
    status: a.status,
    createdBy: a.createdBy,
  };
}
export type ActivityView = ReturnType<typeof activityView>;

function responseView(r: ResponseDoc) {
  return {
    activityId: r.activityId,
    memberId: r.memberId,
    respondedAt: r.respondedAt.toISOString(),
    responseSeconds: r.responseSeconds,
    note: r.note,
  };
}

export class ActivityService {
  constructor(
    private readonly ctx: CheckinContext,
    private readonly refs: References,
  ) {}

  private get Activity() {
    return this.ctx.models.Activity;
  }

  async create(cmd: CreateActivity, principal: Principal): Promise<ActivityView> {
    const now = this.ctx.clock.now();
    const community = await this.refs.managedCommunity(principal, cmd.communityId, dayOf(now));
    if (cmd.endsAt.getTime() <= now.getTime())
      throw refused(422, reason('活动结束时间已过', 'the activity would end in the past'), {
        field: 'endsAt',
      });
    const doc: ActivityDoc = {
      _id: newId('act'),
      county: community.county,
      communityId: community.id,
      communityName: community.doc.name,
      communityPath: community.doc.path,
      kind: cmd.kind,
      title: cmd.title,
      description: cmd.description,
      place: cmd.place,
      startsAt: cmd.startsAt,
      endsAt: cmd.endsAt,
      geofence: cmd.geofence ?? null,
      capacity: cmd.capacity ?? null,
      skills: cmd.skills,
      capMinutes: cmd.capHours ? Math.round(cmd.capHours * 60) : null,
      arrivalWithinMinutes:
        cmd.kind === 'call' ? (cmd.arrivalWithinMinutes ?? this.ctx.rules.callArrivalMinutes) : null,
      issuedAt: now,
      status: 'published',
      responses: 0,
      createdBy: actorOf(principal),
    };
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      await this.Activity.create([doc], { session });
      const common = {
        activityId: doc._id,
        county: doc.county,
        communityId: doc.communityId,
        title: doc.title,
        startsAt: doc.startsAt.toISOString(),
        endsAt: doc.endsAt.toISOString(),
        capacity: doc.capacity,
        skills: doc.skills,
      };
      outbox.add(
        TOPIC,
        doc.kind === 'call'
          ? checkinEvent(this.ctx, CallIssued.type, doc._id, doc.county, {
              ...common,
              issuedAt: now.toISOString(),
              arrivalWithinMinutes: doc.arrivalWithinMinutes!,
            })
          : checkinEvent(this.ctx, ActivityPublished.type, doc._id, doc.county, common),
      );
      return activityView(doc);
    });
  }

  async get(id: string, principal: Principal): Promise<ActivityView> {
    return activityView(await this.refs.activity(principal, id));
  }

  async list(
    q: { communityId?: string; kind?: string; from?: Date; to?: Date; limit: number; cursor?: string },
    principal: Principal,
  ): Promise<{ items: ActivityView[]; nextCursor: string | null }> {
    const scopes: Record<string, unknown>[] = [tenantFilter(principal, { orgPathField: 'communityPath' })];
    if (principal.roles.includes('member') && principal.memberId)
      scopes.push({ communityId: { $in: await this.refs.reportedCommunities(principal.memberId) } });
    const filter: Record<string, unknown> = { $or: scopes };
    if (q.communityId) filter.communityId = q.communityId;
    if (q.kind) filter.kind = q.kind;
    if (q.from || q.to)
      filter.startsAt = { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) };
    if (q.cursor) filter._id = { $gt: q.cursor };
    const docs = await this.Activity.find(filter)
      .sort({ _id: 1 })
      .limit(q.limit + 1)
      .lean<ActivityDoc[]>();
    const page = docs.slice(0, q.limit);
    return { items: page.map(activityView), nextCursor: docs.length > q.limit ? page.at(-1)!._id : null };
  }

  /** A member signs up for an activity or answers a whistle call; a call records the response time. */
  async respond(id: string, note: string, principal: Principal) {
    const memberId = principal.memberId;
    if (!memberId || !isSelf(principal, memberId))
      throw refused(422, reason('只有党员本人可以响应', 'only the member themself can respond'));
    const doc = await this.refs.activity(principal, id);
    const now = this.ctx.clock.now();
    if (doc.status !== 'published' || now >= doc.endsAt)
      throw refused(409, reason('活动已结束或已取消', 'the activity is over or cancelled'));
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const key = `${id}:${memberId}`;
      if (await this.ctx.models.Response.exists({ _id: key }).session(session))
        throw refused(409, reason('已响应过该活动', 'you already responded to this activity'));
      const res = await this.Activity.updateOne(
        { _id: id, ...(doc.capacity !== null ? { responses: { $lt: doc.capacity } } : {}) },
        { $inc: { responses: 1 } },
        { session },
      );
      if (res.matchedCount === 0) throw refused(409, reason('报名人数已满', 'the activity is full'));
      const r: ResponseDoc = {
        _id: key,
        activityId: id,
        county: doc.county,
        communityPath: doc.communityPath,
        memberId,
        respondedAt: now,
        responseSeconds: Math.max(0, Math.floor((now.getTime() - doc.issuedAt.getTime()) / 1000)),
        note,
      };
      await this.ctx.models.Response.create([r], { session });
      if (doc.kind === 'call')
        outbox.add(
          TOPIC,
          checkinEvent(this.ctx, CallResponded.type, id, doc.county, {
            activityId: id,
            county: doc.county,
            communityId: doc.communityId,
            memberId,
            respondedAt: now.toISOString(),
            responseSeconds: r.responseSeconds,
          }),
        );
      return responseView(r);
    });
  }

  async responses(id: string, principal: Principal) {
    await this.refs.activity(principal, id, { manageOnly: true });
    const docs = await this.ctx.models.Response.find({ activityId: id })
      .sort({ respondedAt: 1 })
      .limit(2000)
      .lean<ResponseDoc[]>();
    return { items: docs.map(responseView) };
  }

  /** The QR token to show now (staff screen); it rotates every `qrRotationSeconds`. */
  async qr(id: string, principal: Principal) {
    const doc = await this.refs.activity(principal, id, { manageOnly: true });
    const now = this.ctx.clock.now();
    if (doc.status !== 'published') throw refused(409, reason('活动已取消', 'the activity is cancelled'));
    const closed = attendanceWindowOpen(doc, now, this.ctx.rules, true);
    if (closed) throw refused(409, closed);
    const issued = issueToken(
      this.ctx.qrSecret,
      { id: doc._id, startsAt: doc.startsAt, endsAt: doc.endsAt },
      now,
      this.ctx.rules,
    );
    return {
      activityId: doc._id,
      token: issued.token,
      rotatesAt: issued.rotatesAt.toISOString(),
      expiresAt: issued.expiresAt.toISOString(),
      rotationSeconds: this.ctx.rules.qrRotationSeconds,
    };
  }
}
