import { z } from 'zod';
import { Colour, ManualItemCode, plainText } from '@honglian/contracts';
import { PERIOD_PATTERN, parsePeriod } from '../domain/periods.js';

export const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _, at most 64 characters');
export const Period = z
  .string()
  .regex(PERIOD_PATTERN, 'a period such as 2026, 2026-Q2 or 2026-03')
  .refine((p) => parsePeriod(p) !== null, 'a period between 2000 and 2100');
export const County = z.string().regex(/^\d{6}$/, 'a six-digit division code');
const Label = z.object({ zh: z.string(), en: z.string() });
const Level = z.enum(['member', 'community', 'street', 'county']);

export const Contribution = z.object({
  code: z.string(),
  label: Label,
  effect: z.enum(['bonus', 'deduction', 'reset', 'backward']),
  units: z.number(),
  points: z.number(),
  uncapped: z.number(),
  capped: z.boolean(),
  events: z.array(z.string()),
});

export const RatingView = z.object({
  id: z.string(),
  period: z.string(),
  level: Level,
  subjectId: z.string(),
  name: z.string(),
  county: z.string(),
  parentId: z.string().nullable(),
  colour: Colour,
  colourLabel: Label,
  score: z.number(),
  base: z.number(),
  bonus: z.number(),
  deduction: z.number(),
  reset: z.boolean(),
  backward: z.boolean(),
  bonusCapped: z.boolean(),
  deductionCapped: z.boolean(),
  ruleVersion: z.string(),
  status: z.enum(['provisional', 'published']),
  computedAt: z.string(),
  publishedAt: z.string().nullable(),
  contributions: z.array(Contribution),
  /** Every event (and rolled-up rating) behind it. */
  sources: z.array(z.string()),
});
export type RatingView = z.infer<typeof RatingView>;

export const RatingPage = z.object({
  items: z.array(RatingView),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
});
export const RatingQuery = z.strictObject({
  period: Period.optional(),
  level: Level.optional(),
  colour: Colour.optional(),
  county: County.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export const RatingParams = z.object({ period: Period, subjectId: Id });
export const SubjectParams = z.object({ subjectId: Id });
export const PeriodParams = z.object({ period: Period });
export const CountyBody = z.strictObject({ county: County.optional() });
export const PublishBody = z.strictObject({ county: County });

export const ComputeResult = z.object({
  period: z.string(),
  counties: z.array(z.object({ county: z.string(), ratings: z.number().int(), ruleVersion: z.string() })),
  /** Counties whose period is closed (published): left as they are. */
  skipped: z.array(z.string()),
});
export const ApplyResult = z.object({
  period: z.literal('open'),
  counties: z.array(
    z.object({ county: z.string(), period: z.string(), ratings: z.number().int(), ruleVersion: z.string() }),
  ),
});
export const PublishResult = z.object({
  period: z.string(),
  county: z.string(),
  published: z.number().int(),
  consequences: z.number().int(),
});
export const JobView = z.object({
  id: z.string(),
  what: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  result: z.record(z.string(), z.unknown()).nullable(),
  problem: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

const ItemChange = z.strictObject({
  points: z.number().min(0).max(100).optional(),
  cap: z.number().min(0).max(100).nullable().optional(),
});
const IndexChange = z.strictObject({
  base: z.number().min(0).max(100).optional(),
  bonusCap: z.number().min(0).max(100).optional(),
  deductionCap: z.number().min(0).max(100).optional(),
  items: z.record(z.string().max(40), ItemChange).optional(),
});
export const RuleOverrideBody = z
  .strictObject({
    indices: z
      .strictObject({
        member: IndexChange.optional(),
        community: IndexChange.optional(),
        street: IndexChange.optional(),
      })
      .optional(),
    thresholds: z
      .strictObject({
        red: z.number().min(0).max(100).optional(),
        yellow: z.number().min(0).max(100).optional(),
      })
      .optional(),
    communityQuotaPercent: z.number().min(0).max(100).nullable().optional(),
    remediationMonths: z.number().int().min(1).max(24).optional(),
    exitMonths: z.number().int().min(1).max(24).optional(),
  })
  .refine(
    (o) =>
      o.thresholds?.red === undefined ||
      o.thresholds.yellow === undefined ||
      o.thresholds.red > o.thresholds.yellow,
    'red must be above yellow',
  );
export const NewRuleVersion = z.strictObject({
  county: County,
  note: plainText(500),
  override: RuleOverrideBody,
});
export const NewCityVersion = z.strictObject({ note: plainText(500), override: RuleOverrideBody });
export const RulesQuery = z.strictObject({ county: County.optional() });
export const PreviewBody = z.strictObject({ county: County, override: RuleOverrideBody });
export const RulesView = z.object({
  county: z.string(),
  version: z.string(),
  rules: z.record(z.string(), z.unknown()),
});

const RuleVersionEntry = z.object({
  version: z.string(),
  number: z.number().int(),
  note: z.string(),
  override: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string().nullable(),
  createdBy: z.string().nullable(),
  current: z.boolean(),
});
export const RulesOverview = z.object({
  county: z.string().nullable(),
  version: z.string(),
  rules: z.record(z.string(), z.unknown()),
  history: z.object({ city: z.array(RuleVersionEntry), county: z.array(RuleVersionEntry) }),
});
export const CityRulesView = z.object({
  version: z.string(),
  note: z.string(),
  override: z.record(z.string(), z.unknown()),
  rules: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  createdBy: z.string(),
});

const Side = z.object({ score: z.number(), colour: Colour, ruleVersion: z.string() });
export const PreviewView = z.object({
  period: z.string(),
  county: z.string(),
  changed: z.number().int(),
  lines: z.array(
    z.object({
      subjectId: z.string(),
      level: Level,
      name: z.string(),
      from: Side.nullable(),
      to: Side,
      colourChanged: z.boolean(),
      scoreChange: z.number(),
    }),
  ),
});

export const DashboardQuery = z.strictObject({ period: Period.optional(), county: County.optional() });
const Counts = z.object({ red: z.number().int(), yellow: z.number().int(), grey: z.number().int() });
export const DashboardView = z.object({
  levels: z.record(z.string(), Counts),
  trend: z.array(z.object({ period: z.string(), level: z.string(), counts: Counts })),
});

export const ConsequenceView = z.object({
  id: z.string(),
  county: z.string(),
  level: Level,
  subjectId: z.string(),
  name: z.string(),
  kind: z.enum(['priority', 'remediation', 'exit', 'escalation']),
  ratingId: z.string(),
  period: z.string(),
  deadline: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  outcome: z.enum(['completed', 'failed', 'withdrawn']).nullable(),
  followUps: z.array(z.object({ at: z.string(), by: z.string(), note: z.string() })),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
});
export const ConsequenceQuery = z.strictObject({
  status: z.enum(['open', 'closed']).optional(),
  kind: z.enum(['priority', 'remediation', 'exit', 'escalation']).optional(),
  period: Period.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The id of the last consequence of the previous page (the list is in id order). */
  cursor: z.string().max(200).optional(),
});
export const IdParams = z.object({ id: z.string().regex(/^cq:[\w:-]{1,200}$/, 'a consequence id') });
export const FollowUpBody = z.strictObject({ note: plainText(1000) });
export const CloseBody = z.strictObject({ outcome: z.enum(['completed', 'failed', 'withdrawn']) });
export const RebuildView = z.object({ events: z.number().int() });

/* ---------- manual organisational items ---------- */

const Day = z.iso.date('a day as YYYY-MM-DD');
const ManualCommon = {
  /** Client-chosen id: a retry with the same id and content gives the same item back. */
  itemId: Id.optional(),
  memberId: Id,
  on: Day,
  reason: plainText(500),
};
const Points = z.number().positive().max(100).multipleOf(0.01);
export const NewManualItem = z.discriminatedUnion('code', [
  z.strictObject({
    ...ManualCommon,
    code: z.enum(['manual-bonus', 'manual-deduction']),
    points: Points,
  }),
  z.strictObject({ ...ManualCommon, code: z.literal('absent-no-dues') }),
]);
export const ManualItemQuery = z.strictObject({
  memberId: Id.optional(),
  county: County.optional(),
  code: ManualItemCode.optional(),
  status: z.enum(['active', 'withdrawn']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export const ManualItemParams = z.object({ id: Id });
export const WithdrawBody = z.strictObject({ reason: plainText(500) });
export const ManualItemView = z.object({
  id: z.string(),
  county: z.string(),
  memberId: z.string(),
  memberName: z.string(),
  communityId: z.string().nullable(),
  code: ManualItemCode,
  codeLabel: Label,
  points: z.number().nullable(),
  on: z.string(),
  reason: z.string(),
  status: z.enum(['active', 'withdrawn']),
  recordedBy: z.string(),
  recordedAt: z.string(),
  withdrawnBy: z.string().nullable(),
  withdrawnAt: z.string().nullable(),
  withdrawReason: z.string().nullable(),
});
export type ManualItemView = z.infer<typeof ManualItemView>;
export const ManualItemPage = z.object({
  items: z.array(ManualItemView),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
});

export const ScheduleRunView = z.object({
  at: z.string(),
  periods: z.array(z.string()),
  computed: z.array(
    z.object({ county: z.string(), period: z.string(), ratings: z.number().int(), ruleVersion: z.string() }),
  ),
  skipped: z.array(z.object({ county: z.string(), period: z.string() })),
  failed: z.array(z.object({ county: z.string(), period: z.string(), problem: z.string() })),
  interrupted: z.boolean(),
});
