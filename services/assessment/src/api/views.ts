import { COLOURS, MANUAL_ITEM_CODES } from '@honglian/contracts';
import type { Consequence } from '../domain/consequences.js';
import type { Rating } from '../domain/ratings.js';
import type { JobDoc } from '../data/models.js';
import type { ManualItem } from '../domain/manual-items.js';
import type { ConsequenceView, JobView, ManualItemView, RatingView } from './schemas.js';
import type { z } from 'zod';

export function ratingView(r: Rating): RatingView {
  const s = r.result;
  return {
    id: r._id,
    period: r.period,
    level: r.level,
    subjectId: r.subjectId,
    name: r.name,
    county: r.county,
    parentId: r.parentId,
    colour: s.colour,
    colourLabel: COLOURS[s.colour],
    score: s.score,
    base: s.base,
    bonus: s.bonus,
    deduction: s.deduction,
    reset: s.reset,
    backward: s.backward,
    bonusCapped: s.bonusCapped,
    deductionCapped: s.deductionCapped,
    ruleVersion: r.ruleVersion,
    status: r.status,
    computedAt: r.computedAt,
    publishedAt: r.publishedAt,
    contributions: s.contributions.map((c) => ({
      ...c,
      label: { zh: c.label.zh, en: c.label.en },
      events: [...c.events],
    })),
    sources: r.sources,
  };
}

/**
 * A rating as a reader outside the officials sees it (an api-consumer reads published community
 * and street ratings): a community's roll-up lines name its members' ratings (its grey members,
 * its pioneers' average); those member-level references are left out, the points stay.
 */
export function publicRatingView(r: Rating): RatingView {
  const view = ratingView(r);
  if (r.level !== 'community') return view;
  const memberRating = (id: string) => id.startsWith(`${r.period}:`);
  return {
    ...view,
    contributions: view.contributions.map((c) => ({
      ...c,
      events: c.events.filter((e) => !memberRating(e)),
    })),
    sources: view.sources.filter((e) => !memberRating(e)),
  };
}

export function consequenceView(c: Consequence): z.infer<typeof ConsequenceView> {
  return {
    id: c._id,
    county: c.county,
    level: c.level,
    subjectId: c.subjectId,
    name: c.name,
    kind: c.kind,
    ratingId: c.ratingId,
    period: c.period,
    deadline: c.deadline,
    status: c.status,
    outcome: c.outcome,
    followUps: c.followUps.map((f) => ({ at: f.at, by: f.by, note: f.note })),
    openedAt: c.openedAt,
    closedAt: c.closedAt,
  };
}

export function jobView(j: JobDoc): z.infer<typeof JobView> {
  return {
    id: j._id,
    what: j.what,
    status: j.status,
    result: j.result,
    problem: j.problem,
    createdAt: j.createdAt,
    finishedAt: j.finishedAt,
  };
}

export function manualItemView(i: ManualItem): ManualItemView {
  const label = MANUAL_ITEM_CODES[i.code];
  return {
    id: i._id,
    county: i.county,
    memberId: i.memberId,
    memberName: i.memberName,
    communityId: i.communityId,
    code: i.code,
    codeLabel: { zh: label.zh, en: label.en },
    points: i.points,
    on: i.on,
    reason: i.reason,
    status: i.status,
    recordedBy: i.recordedBy,
    recordedAt: i.recordedAt,
    withdrawnBy: i.withdrawnBy,
    withdrawnAt: i.withdrawnAt,
    withdrawReason: i.withdrawReason,
  };
}
