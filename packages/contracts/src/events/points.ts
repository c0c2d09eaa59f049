import { z } from 'zod';
import { CountyCode } from '../cloudevent.js';
import { defineEvent } from '../events.js';

/**
 * Events of the volunteer points service (志愿积分, DOMAIN.md §3) on
 * `TOPICS.volunteerPoints`. The assessment service reads points, stars,
 * orders and certificates; volunteer points itself turns an order's
 * completion and rating into points (its own consumer group).
 */
const PREFIX = 'honglian.volunteer-points';
const Id = z.string().min(1).max(64);
const Instant = z.iso.datetime({ offset: true });

/** What caused a ledger entry: an event, a service record, an order, a redemption, a year end. */
export const PointsCause = z.object({
  type: z.enum(['attendance', 'record', 'order', 'rating', 'redemption', 'year-end', 'entry']),
  id: Id,
});

export const PointsAwarded = defineEvent(
  `${PREFIX}.points.awarded.v1`,
  z.object({
    entryId: z.string().min(1).max(160),
    county: CountyCode,
    memberId: Id,
    /** `award`: hours of service turned into points; `bonus`: a completed order or a 5/5 rating. */
    kind: z.enum(['award', 'bonus']),
    points: z.number(),
    hours: z.number().min(0),
    communityId: Id.nullable(),
    cause: PointsCause,
    /** The rule version the points were computed with, e.g. `city-2+331003-1`. */
    ruleVersion: z.string().min(1),
    /** Balance after the entry. */
    balance: z.number(),
    at: Instant,
  }),
);

export const PointsReversed = defineEvent(
  `${PREFIX}.points.reversed.v1`,
  z.object({
    entryId: z.string().min(1).max(160),
    reversesEntryId: z.string().min(1).max(160),
    county: CountyCode,
    memberId: Id,
    /** Signed: minus the reversed entry's points. */
    points: z.number(),
    hours: z.number(),
    reason: z.string(),
    balance: z.number(),
    at: Instant,
  }),
);

export const PointsRedeemed = defineEvent(
  `${PREFIX}.points.redeemed.v1`,
  z.object({
    entryId: z.string().min(1).max(160),
    redemptionId: Id,
    county: CountyCode,
    memberId: Id,
    communityId: Id,
    itemId: Id,
    quantity: z.number().int().positive(),
    /** Points debited (positive). */
    points: z.number().positive(),
    balance: z.number(),
    at: Instant,
  }),
);

export const PointsExpired = defineEvent(
  `${PREFIX}.points.expired.v1`,
  z.object({
    entryId: z.string().min(1).max(160),
    county: CountyCode,
    memberId: Id,
    communityId: Id.nullable(),
    /** The year whose unused points were cleared. */
    year: z.number().int(),
    points: z.number().positive(),
    balance: z.number(),
    at: Instant,
  }),
);

export const StarReached = defineEvent(
  `${PREFIX}.star.reached.v1`,
  z.object({
    county: CountyCode,
    memberId: Id,
    /** 1 (★, 100 h by default) … 5 (★★★★★, 1,500 h). */
    level: z.number().int().min(1).max(10),
    thresholdHours: z.number().positive(),
    hours: z.number(),
    at: Instant,
  }),
);

export const OrderState = z.enum([
  'posted',
  'open',
  'dispatched',
  'claimed',
  'done',
  'rated',
  'rejected',
  'cancelled',
]);

export const OrderStateChanged = defineEvent(
  `${PREFIX}.order.state-changed.v1`,
  z.object({
    orderId: Id,
    county: CountyCode,
    communityId: Id,
    /** 居民点单 (`request`) or 微心愿 (`wish`). */
    kind: z.enum(['request', 'wish']),
    from: OrderState.nullable(),
    to: OrderState,
    /** True when the step was the escalation to the street (unclaimed too long); `to` is unchanged. */
    escalated: z.boolean(),
    memberId: Id.nullable(),
    /** Hours of service reported at completion. */
    hours: z.number().min(0).nullable(),
    rating: z.number().int().min(1).max(5).nullable(),
    at: Instant,
  }),
);

export const CertificateIssued = defineEvent(
  `${PREFIX}.certificate.issued.v1`,
  z.object({
    certificateId: Id,
    number: z.string().min(1),
    county: CountyCode,
    memberId: Id,
    issuer: z.string().min(1),
    hours: z.number().min(0),
    periodFrom: z.string(),
    periodTo: z.string(),
    issuedAt: Instant,
  }),
);
