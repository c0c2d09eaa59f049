import { ActivityPublished, CallIssued, CallResponded } from '@honglian/contracts';
import {
  accept,
  draftEvent,
  refuse,
  type Decision,
  type Principal,
  type Refusal,
} from '@honglian/service-kit/domain';
import type { Geofence } from './geofence.js';
import { attendanceWindowOpen, issueToken, type IssuedToken } from './qr.js';
import { DAY, type CheckinRules } from './rules.js';
import { isSelf } from './scope.js';

export type ActivityKind = 'activity' | 'call';

export const ACTIVITY_KIND_LABELS = {
  activity: { zh: '活动', en: 'Activity' },
  call: { zh: '吹哨召集', en: 'Whistle call' },
} as const;

/** An activity or a whistle call (吹哨) of one community. */
export interface Activity {
  _id: string;
  county: string;
  communityId: string;
  communityName: string;
  communityPath: string;
  kind: ActivityKind;
  title: string;
  description: string;
  place: string;
  startsAt: Date;
  endsAt: Date;
  geofence: Geofence | null;
  capacity: number | null;
  skills: string[];
  capMinutes: number | null;
  arrivalWithinMinutes: number | null;
  issuedAt: Date;
  status: 'published' | 'cancelled';
  responses: number;
  createdBy: string;
  /**
   * Set (once) by the first check-in, in its transaction: a cancel racing that check-in writes the
   * same document, so one of the two sees the other (absent on activities nobody checked in to).
   */
  checkedIn?: boolean;
  /** Set when cancelled (activity-changes.ts); absent on activities never cancelled. */
  cancelledAt?: Date | null;
  cancelledBy?: string | null;
  cancelReason?: string | null;
}

/** A member's sign-up or answer to a call. */
export interface ActivityResponse {
  /** `<activityId>:<memberId>`: one response per member and activity. */
  _id: string;
  activityId: string;
  county: string;
  communityPath: string;
  memberId: string;
  respondedAt: Date;
  responseSeconds: number;
  note: string;
}

export interface PublishActivity {
  activityId: string;
  now: Date;
  actor: string;
  kind: ActivityKind;
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

/** Publishes at a community the caller manages (resolved already): the activity and its event. */
export function decidePublish(
  cmd: PublishActivity,
  community: { id: string; county: string; name: string; path: string },
  rules: Pick<CheckinRules, 'callArrivalMinutes' | 'activityHorizonDays'>,
): Decision<{ activity: Activity }> {
  if (cmd.endsAt.getTime() <= cmd.startsAt.getTime())
    return refuse.invalid('活动结束时间须晚于开始时间', 'endsAt must be after startsAt', { field: 'endsAt' });
  if (cmd.endsAt.getTime() <= cmd.now.getTime())
    return refuse.invalid('活动结束时间已过', 'the activity would end in the past', { field: 'endsAt' });
  if (cmd.startsAt.getTime() > cmd.now.getTime() + rules.activityHorizonDays * DAY)
    return refuse.invalid(
      `活动开始时间不能晚于${rules.activityHorizonDays}天之后`,
      `an activity may start at most ${rules.activityHorizonDays} days ahead`,
      { field: 'startsAt' },
    );
  const activity: Activity = {
    _id: cmd.activityId,
    county: community.county,
    communityId: community.id,
    communityName: community.name,
    communityPath: community.path,
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
    arrivalWithinMinutes: cmd.kind === 'call' ? (cmd.arrivalWithinMinutes ?? rules.callArrivalMinutes) : null,
    issuedAt: cmd.now,
    status: 'published',
    responses: 0,
    createdBy: cmd.actor,
  };
  const subject = { subject: activity._id, county: activity.county };
  const common = {
    activityId: activity._id,
    county: activity.county,
    communityId: activity.communityId,
    title: activity.title,
    startsAt: activity.startsAt.toISOString(),
    endsAt: activity.endsAt.toISOString(),
    capacity: activity.capacity,
    skills: activity.skills,
  };
  const event =
    activity.kind === 'call'
      ? draftEvent(CallIssued, {
          ...subject,
          data: {
            ...common,
            issuedAt: cmd.now.toISOString(),
            arrivalWithinMinutes: activity.arrivalWithinMinutes!,
          },
        })
      : draftEvent(ActivityPublished, { ...subject, data: common });
  return accept({ activity }, [event]);
}

/** Only a member answers for themself. */
export function responder(principal: Principal): Decision<string> {
  const memberId = principal.memberId;
  if (!memberId || !isSelf(principal, memberId))
    return refuse.invalid('只有党员本人可以响应', 'only the member themself can respond');
  return accept(memberId);
}

/** Signs a member up (an activity) or records their answer and its delay (a call). */
export function decideRespond(
  cmd: { memberId: string; note: string; now: Date },
  state: { activity: Activity; responded: boolean },
): Decision<{ response: ActivityResponse }> {
  const { activity } = state;
  if (activity.status !== 'published' || cmd.now >= activity.endsAt)
    return refuse.conflict('活动已结束或已取消', 'the activity is over or cancelled');
  if (state.responded) return refuse.conflict('已响应过该活动', 'you already responded to this activity');
  if (activity.capacity !== null && activity.responses >= activity.capacity) return ACTIVITY_FULL();
  const response: ActivityResponse = {
    _id: `${activity._id}:${cmd.memberId}`,
    activityId: activity._id,
    county: activity.county,
    communityPath: activity.communityPath,
    memberId: cmd.memberId,
    respondedAt: cmd.now,
    responseSeconds: Math.max(0, Math.floor((cmd.now.getTime() - activity.issuedAt.getTime()) / 1000)),
    note: cmd.note,
  };
  const events =
    activity.kind === 'call'
      ? [
          draftEvent(CallResponded, {
            subject: activity._id,
            county: activity.county,
            data: {
              activityId: activity._id,
              county: activity.county,
              communityId: activity.communityId,
              memberId: cmd.memberId,
              respondedAt: cmd.now.toISOString(),
              responseSeconds: response.responseSeconds,
            },
          }),
        ]
      : [];
  return accept({ response }, events);
}

/** The places were taken between load and save (the count is claimed atomically). */
export const ACTIVITY_FULL = (): Refusal => refuse.conflict('报名人数已满', 'the activity is full');

/** Why attendance (or, with `forCheckout`, check-out) cannot be taken at the activity now; null when it can. */
export function closedFor(
  activity: Pick<Activity, 'status' | 'startsAt' | 'endsAt'>,
  now: Date,
  rules: Pick<CheckinRules, 'opensMinutesBefore' | 'checkoutGraceMinutes'>,
  forCheckout: boolean,
): Refusal | null {
  if (activity.status !== 'published') return refuse.conflict('活动已取消', 'the activity is cancelled');
  const closed = attendanceWindowOpen(activity, now, rules, forCheckout);
  return closed ? refuse.conflict(closed) : null;
}

/** The QR token the staff screen shows now, while check-in or check-out is open. */
export function decideQr(
  activity: Activity,
  secret: Buffer,
  now: Date,
  rules: CheckinRules,
): Decision<{ issued: IssuedToken }> {
  const closed = closedFor(activity, now, rules, true);
  if (closed) return closed;
  const issued = issueToken(
    secret,
    { id: activity._id, startsAt: activity.startsAt, endsAt: activity.endsAt },
    now,
    rules,
  );
  return accept({ issued });
}
