import { ActivityCancelled, ActivityChanged } from '@honglian/contracts';
import { accept, draftEvent, refuse, type Decision } from '@honglian/service-kit/domain';
import type { Activity } from './activities.js';
import type { Geofence } from './geofence.js';
import { DAY, MINUTE, type CheckinRules } from './rules.js';

/**
 * Editing and cancelling an activity or whistle call (issue "Registry and check-in as one loop",
 * item 6). Every member who responded gets a notice of what changed, or that it was cancelled.
 * An activity that is over cannot change; once check-in has opened its start cannot move; once
 * anyone attended it cannot be cancelled (their hours stand; shorten it instead).
 */

export interface ActivityEdit {
  title?: string | undefined;
  description?: string | undefined;
  place?: string | undefined;
  startsAt?: Date | undefined;
  endsAt?: Date | undefined;
  geofence?: Geofence | null | undefined;
  capacity?: number | null | undefined;
  skills?: string[] | undefined;
  capHours?: number | null | undefined;
  arrivalWithinMinutes?: number | undefined;
}

/** A notice to a member who responded: the activity changed or was cancelled. */
export interface Notice {
  /** Ordered by time (ChangeState.noticeId). */
  _id: string;
  memberId: string;
  activityId: string;
  county: string;
  communityId: string;
  communityName: string;
  communityPath: string;
  kind: 'changed' | 'cancelled';
  title: string;
  /** Fields changed (`changed`); empty when cancelled. */
  changed: string[];
  startsAt: Date;
  endsAt: Date;
  place: string;
  reason: string | null;
  at: Date;
}

export interface ChangeState {
  now: Date;
  /** Someone has a session (open or closed) at the activity. */
  attended: boolean;
  /** Members who signed up or answered the call. */
  responders: readonly string[];
  /** A new notice id, in time order. */
  noticeId: () => string;
}

const same = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date
    ? a.getTime() === b.getTime()
    : JSON.stringify(a) === JSON.stringify(b);

function notices(
  activity: Activity,
  kind: Notice['kind'],
  state: ChangeState,
  changed: string[],
  reason: string | null,
) {
  return state.responders.map((memberId): Notice => ({
    _id: state.noticeId(),
    memberId,
    activityId: activity._id,
    county: activity.county,
    communityId: activity.communityId,
    communityName: activity.communityName,
    communityPath: activity.communityPath,
    kind,
    title: activity.title,
    changed,
    startsAt: activity.startsAt,
    endsAt: activity.endsAt,
    place: activity.place,
    reason,
    at: state.now,
  }));
}

const over = (activity: Activity, now: Date) => now.getTime() >= activity.endsAt.getTime();

/** The activity as edited, the fields that changed, the notices; nothing to change is a no-op. */
export function decideEdit(
  activity: Activity,
  edit: ActivityEdit,
  state: ChangeState,
  rules: Pick<CheckinRules, 'opensMinutesBefore' | 'activityHorizonDays'>,
): Decision<{ set: Partial<Activity>; notices: Notice[] }> {
  if (activity.status !== 'published') return refuse.conflict('活动已取消', 'the activity is cancelled');
  if (over(activity, state.now))
    return refuse.conflict('活动已结束，不能修改', 'the activity is over and cannot be changed');
  if (edit.arrivalWithinMinutes !== undefined && activity.kind !== 'call')
    return refuse.invalid('只有吹哨召集有到达时限', 'only a whistle call has an arrival time', {
      field: 'arrivalWithinMinutes',
    });
  const { capHours, ...rest } = edit;
  const proposed: Partial<Activity> = Object.fromEntries(
    Object.entries(rest).filter(([, v]) => v !== undefined),
  );
  if (capHours !== undefined) proposed.capMinutes = capHours === null ? null : Math.round(capHours * 60);
  const set = Object.fromEntries(
    Object.entries(proposed).filter(([k, v]) => !same(v, activity[k as keyof Activity])),
  ) as Partial<Activity>;
  const changed = Object.keys(set).sort();
  if (changed.length === 0) return accept({ set, notices: [] });
  const next = { ...activity, ...set };
  const checkInOpened =
    state.now.getTime() >= activity.startsAt.getTime() - rules.opensMinutesBefore * MINUTE;
  if (set.startsAt && (checkInOpened || state.attended))
    return refuse.conflict('签到已开始，不能修改开始时间', 'check-in has opened: the start cannot move', {
      field: 'startsAt',
    });
  if (next.endsAt.getTime() <= next.startsAt.getTime())
    return refuse.invalid('活动结束时间须晚于开始时间', 'endsAt must be after startsAt', { field: 'endsAt' });
  if (next.endsAt.getTime() - next.startsAt.getTime() > 7 * DAY)
    return refuse.invalid('活动时长不能超过7天', 'an activity lasts at most 7 days', { field: 'endsAt' });
  if (next.endsAt.getTime() <= state.now.getTime())
    return refuse.invalid('活动结束时间已过', 'the activity would end in the past', { field: 'endsAt' });
  if (set.startsAt && next.startsAt.getTime() > state.now.getTime() + rules.activityHorizonDays * DAY)
    return refuse.invalid(
      `活动开始时间不能晚于${rules.activityHorizonDays}天之后`,
      `an activity may start at most ${rules.activityHorizonDays} days ahead`,
      { field: 'startsAt' },
    );
  if (next.capacity !== null && next.capacity < activity.responses)
    return refuse.conflict(
      `已有${activity.responses}人报名，名额不能少于此数`,
      `${activity.responses} members signed up: capacity cannot be lower`,
      { field: 'capacity' },
    );
  return accept({ set, notices: notices(next, 'changed', state, changed, null) }, [
    draftEvent(ActivityChanged, {
      subject: activity._id,
      county: activity.county,
      data: {
        activityId: activity._id,
        county: activity.county,
        communityId: activity.communityId,
        title: next.title,
        startsAt: next.startsAt.toISOString(),
        endsAt: next.endsAt.toISOString(),
        changed,
        notified: [...state.responders],
      },
    }),
  ]);
}

/** Cancels an activity nobody attended yet, with the reason every responder is told. */
export function decideCancel(
  activity: Activity,
  cmd: { reason: string; actor: string },
  state: ChangeState,
): Decision<{ set: Partial<Activity>; notices: Notice[] }> {
  if (activity.status !== 'published')
    return refuse.conflict('活动已取消', 'the activity is cancelled already');
  if (over(activity, state.now))
    return refuse.conflict('活动已结束，不能取消', 'the activity is over and cannot be cancelled');
  if (state.attended)
    return refuse.conflict(
      '已有党员签到，不能取消；可修改结束时间',
      'members have checked in: it cannot be cancelled (shorten it instead)',
    );
  const set: Partial<Activity> = {
    status: 'cancelled',
    cancelledAt: state.now,
    cancelledBy: cmd.actor,
    cancelReason: cmd.reason,
  };
  return accept({ set, notices: notices(activity, 'cancelled', state, [], cmd.reason) }, [
    draftEvent(ActivityCancelled, {
      subject: activity._id,
      county: activity.county,
      data: {
        activityId: activity._id,
        county: activity.county,
        communityId: activity.communityId,
        title: activity.title,
        cancelledAt: state.now.toISOString(),
        reason: cmd.reason,
        notified: [...state.responders],
      },
    }),
  ]);
}
