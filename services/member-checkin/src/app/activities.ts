import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { refuse, type Decision } from '@honglian/service-kit/domain';
import { emitAll, withOutbox } from '@honglian/messaging';
import type { ActivityQuery } from '../data/activities.js';
import type { Page, PageRequest } from '../data/page.js';
import {
  ACTIVITY_FULL,
  decidePublish,
  decideQr,
  decideRespond,
  responder,
  type Activity,
  type ActivityResponse,
  type PublishActivity,
} from '../domain/activities.js';
import {
  decideCancel,
  decideEdit,
  type ActivityEdit,
  type ChangeState,
  type Notice,
} from '../domain/activity-changes.js';
import type { Attendance } from '../domain/attendance.js';
import type { IssuedToken } from '../domain/qr.js';
import { actorOf, dayOf, newId, type CheckinContext } from './context.js';
import type { References } from './references.js';

/** What staff publish: an activity or a whistle call (the rest of the command is filled in here). */
export type CreateActivity = Omit<PublishActivity, 'activityId' | 'now' | 'actor'> & { communityId: string };

/** The token a staff screen shows for an activity. */
export interface ShownToken {
  activityId: string;
  issued: IssuedToken;
  rotationSeconds: number;
}

/** Activities and whistle calls: publish, list, respond, the rotating QR code. */
export class ActivityService {
  constructor(
    private readonly ctx: CheckinContext,
    private readonly refs: References,
  ) {}

  private get store() {
    return this.ctx.data.activities;
  }

  async create(cmd: CreateActivity, principal: Principal): Promise<Activity> {
    const now = this.ctx.clock.now();
    const community = await this.refs.managedCommunity(principal, cmd.communityId, dayOf(now));
    const { changes, events } = orThrow(
      decidePublish(
        { ...cmd, activityId: newId('act'), now, actor: actorOf(principal) },
        { id: community.id, county: community.county, name: community.doc.name, path: community.doc.path },
        this.ctx.rules,
      ),
    );
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      await this.store.insert(changes.activity, session);
      emitAll(outbox, events, { time: this.ctx.clock.now() });
      return changes.activity;
    });
  }

  get(id: string, principal: Principal): Promise<Activity> {
    return this.refs.activity(principal, id);
  }

  async list(q: ActivityQuery, principal: Principal): Promise<Page<Activity>> {
    const reportedTo =
      principal.roles.includes('member') && principal.memberId
        ? await this.ctx.data.reports.reportedCommunities(principal.memberId)
        : null;
    return this.store.page(principal, reportedTo, q);
  }

  /** A member signs up for an activity or answers a whistle call; a call records the response time. */
  async respond(id: string, note: string, principal: Principal): Promise<ActivityResponse> {
    const memberId = orThrow(responder(principal)).changes;
    await this.refs.activity(principal, id);
    const now = this.ctx.clock.now();
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      // Read inside the transaction: a cancel or change (capacity) committed since the scope check is seen.
      const activity = (await this.store.byId(id, session))!;
      const responded = await this.store.responded(`${id}:${memberId}`, session);
      const { changes, events } = orThrow(decideRespond({ memberId, note, now }, { activity, responded }));
      if (!(await this.store.claimPlace(activity, session))) throwRefusal(ACTIVITY_FULL());
      await this.store.insertResponse(changes.response, session);
      emitAll(outbox, events, { time: this.ctx.clock.now() });
      return changes.response;
    });
  }

  /** Staff change an activity they manage; every responder gets a notice of what changed. */
  async edit(id: string, edit: ActivityEdit, principal: Principal): Promise<Activity> {
    return this.change(id, principal, (activity, state) => decideEdit(activity, edit, state, this.ctx.rules));
  }

  /** Staff cancel an activity nobody attended yet; every responder gets a notice with the reason. */
  async cancel(id: string, reason: string, principal: Principal): Promise<Activity> {
    return this.change(id, principal, (activity, state) =>
      decideCancel(activity, { reason, actor: actorOf(principal) }, state),
    );
  }

  private async change(
    id: string,
    principal: Principal,
    decide: (
      activity: Activity,
      state: ChangeState,
    ) => Decision<{ set: Partial<Activity>; notices: Notice[] }>,
  ): Promise<Activity> {
    await this.refs.activity(principal, id, { manageOnly: true });
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      // Read inside the transaction: a response or check-in racing the change conflicts with it.
      const activity = (await this.store.byId(id, session))!;
      const now = this.ctx.clock.now();
      const state: ChangeState = {
        now,
        attended: activity.checkedIn === true || (await this.ctx.data.attendance.anyAt(id, session)),
        responders: await this.store.responderIds(id, session),
        noticeId: () => `ntc-${now.getTime().toString(36)}-${newId('').slice(1)}`,
      };
      const { changes, events } = orThrow(decide(activity, state));
      if (Object.keys(changes.set).length === 0) return activity;
      if (!(await this.store.updateIfPublished(id, changes.set, session)))
        throwRefusal(refuse.conflict('活动已取消', 'the activity is cancelled'));
      await this.store.insertNotices(changes.notices, session);
      emitAll(outbox, events, { time: now });
      return { ...activity, ...changes.set };
    });
  }

  /** The member's notices of changed and cancelled activities they responded to. */
  notices(principal: Principal, q: PageRequest): Promise<Page<Notice>> {
    const memberId = orThrow(responder(principal)).changes;
    return this.store.noticesOf(memberId, q);
  }

  /** Who answered, how fast, and (each member's first check-in there) when they arrived. */
  async responses(
    id: string,
    principal: Principal,
  ): Promise<{ response: ActivityResponse; arrived: Attendance | null }[]> {
    await this.refs.activity(principal, id, { manageOnly: true });
    const responses = await this.store.responsesTo(id);
    const first = new Map<string, Attendance>();
    for (const a of await this.ctx.data.attendance.atActivity(id))
      if (!first.has(a.memberId)) first.set(a.memberId, a);
    return responses.map((response) => ({ response, arrived: first.get(response.memberId) ?? null }));
  }

  /** The QR token to show now (staff screen); it rotates every `qrRotationSeconds`. */
  async qr(id: string, principal: Principal): Promise<ShownToken> {
    const activity = await this.refs.activity(principal, id, { manageOnly: true });
    const now = this.ctx.clock.now();
    const { issued } = orThrow(decideQr(activity, this.ctx.qrSecret, now, this.ctx.rules)).changes;
    return { activityId: activity._id, issued, rotationSeconds: this.ctx.rules.qrRotationSeconds };
  }
}
