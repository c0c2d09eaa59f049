import { z } from 'zod';
import { CountyCode } from '../cloudevent.js';
import { Colour } from '../enums.js';
import { defineEvent } from '../events.js';
import { codesOf, type LabelTable } from '../labels.js';

/**
 * Events of the assessment service (红黄灰三色管理, DOMAIN.md §5) on `TOPICS.assessment`:
 * a period rating assigned (published) or changed, the consequences it opens and closes, and
 * the organisational items recorded by hand for a member (and their withdrawal).
 */
const PREFIX = 'honglian.assessment';
const Id = z.string().min(1).max(160);
const Instant = z.iso.datetime({ offset: true });
const Day = z.iso.date();

/** Who is rated: a member (先锋指数), a community (堡垒指数), a street (服务指数), a county roll-up. */
export const RatingLevel = z.enum(['member', 'community', 'street', 'county']);
/** Red → priority list; yellow → remediation; grey → exit; a second yellow escalates. */
export const ConsequenceKind = z.enum(['priority', 'remediation', 'exit', 'escalation']);

const RatingFacts = z.object({
  ratingId: Id,
  county: CountyCode,
  period: z.string().min(1),
  level: RatingLevel,
  subjectId: Id,
  colour: Colour,
  score: z.number(),
  /** True when a reset item (清零) made it grey. */
  reset: z.boolean(),
  /** The rule version it was computed with, e.g. `city-1+331003-2`. */
  ruleVersion: z.string().min(1),
});

/** A period rating was published (the period closed). */
export const RatingAssigned = defineEvent(
  `${PREFIX}.rating.assigned.v1`,
  RatingFacts.extend({ assignedAt: Instant }),
);
/** A published rating differs in colour from the subject's previous published one. */
export const RatingChanged = defineEvent(
  `${PREFIX}.rating.changed.v1`,
  RatingFacts.extend({
    previousPeriod: z.string().min(1),
    previousColour: Colour,
    previousScore: z.number(),
    changedAt: Instant,
  }),
);

export const ConsequenceOpened = defineEvent(
  `${PREFIX}.consequence.opened.v1`,
  z.object({
    consequenceId: Id,
    county: CountyCode,
    level: RatingLevel,
    subjectId: Id,
    kind: ConsequenceKind,
    ratingId: Id,
    period: z.string().min(1),
    /** Remediation or exit deadline; null for the priority list. */
    deadline: Day.nullable(),
    openedAt: Instant,
  }),
);
export const ConsequenceClosed = defineEvent(
  `${PREFIX}.consequence.closed.v1`,
  z.object({
    consequenceId: Id,
    county: CountyCode,
    level: RatingLevel,
    subjectId: Id,
    kind: ConsequenceKind,
    outcome: z.enum(['completed', 'failed', 'withdrawn']),
    closedAt: Instant,
  }),
);

/**
 * Organisational items recorded by hand for a member's pioneer index (先锋指数): an award, a
 * deduction, or the reset item (清零) that makes the member grey at once.
 */
export const MANUAL_ITEM_CODES = {
  'manual-bonus': { zh: '表彰奖励加分', en: 'Award (bonus points)' },
  'manual-deduction': { zh: '违纪违规扣分', en: 'Deduction' },
  'absent-no-dues': {
    zh: '连续六个月不参加组织生活且不交党费（清零）',
    en: 'Six months absent from organisational life and no dues (reset)',
  },
} as const satisfies LabelTable<string>;
export type ManualItemCode = keyof typeof MANUAL_ITEM_CODES;
export const ManualItemCode = z.enum(codesOf(MANUAL_ITEM_CODES));

/** A manual item was recorded for a member (the reason text stays in the service: it may be personal). */
export const ManualItemRecorded = defineEvent(
  `${PREFIX}.manual-item.recorded.v1`,
  z.object({
    itemId: Id,
    county: CountyCode,
    memberId: Id,
    communityId: Id.nullable(),
    code: ManualItemCode,
    /** Points of an award or deduction; null for the reset item. */
    points: z.number().positive().nullable(),
    /** The day it counts on (China time). */
    on: Day,
    recordedAt: Instant,
  }),
);
/** A manual item was withdrawn: it no longer counts (the record stays for audit). */
export const ManualItemWithdrawn = defineEvent(
  `${PREFIX}.manual-item.withdrawn.v1`,
  z.object({
    itemId: Id,
    county: CountyCode,
    memberId: Id,
    code: ManualItemCode,
    on: Day,
    withdrawnAt: Instant,
  }),
);

export type RatingAssignedData = z.infer<typeof RatingAssigned.data>;
export type RatingChangedData = z.infer<typeof RatingChanged.data>;
export type ConsequenceOpenedData = z.infer<typeof ConsequenceOpened.data>;
export type ConsequenceClosedData = z.infer<typeof ConsequenceClosed.data>;
export type ManualItemRecordedData = z.infer<typeof ManualItemRecorded.data>;
export type ManualItemWithdrawnData = z.infer<typeof ManualItemWithdrawn.data>;
