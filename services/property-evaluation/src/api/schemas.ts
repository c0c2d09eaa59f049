import { z } from 'zod';
import { EvaluationBand, RaterRole, plainText } from '@honglian/contracts';
import { PERIOD_PATTERN } from '../domain/period.js';

/** Ids the registry uses (division codes, its own codes, generated ids). */
export const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _, at most 64 characters');
/** Codes of indicators, veto and bonus items. */
const Code = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and -, at most 40');
const County = z.string().regex(/^\d{6}$/, 'a six-digit division code');
const Instant = z.string();
const Label = z.object({ zh: z.string(), en: z.string() });
const Text = (max: number) => plainText(max);
const Url = z.url({ protocol: /^https?$/ }).max(500);
const Points = z.number().min(0).max(1000);

/** Ids in a path: ours may join two (a result is `<cycleId>_<firmId>`). */
const PathId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,139}$/, 'letters, digits, - and _, at most 140 characters');
export const IdParams = z.object({ id: PathId });
export const VersionParams = z.object({ id: PathId, version: z.coerce.number().int().min(1).max(10_000) });
export const CreditParams = z.object({
  creditCode: z.string().regex(/^[0-9A-Z]{18}$/, '18-character credit code'),
});
export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Id.optional(),
};
export * from './result-schemas.js';
export const PageOnly = z.strictObject(PageQuery);
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable(), total: z.number().int() });

/* ---------- templates ---------- */

const Indicator = z.strictObject({
  code: Code,
  name: Text(100),
  maxPoints: Points.positive(),
  role: RaterRole,
});
const Group = z.strictObject({ code: Code, name: Text(100), indicators: z.array(Indicator).min(1).max(50) });
const Item = { code: Code, name: Text(100), raisedBy: z.array(RaterRole).min(1).max(7) };
const Weight = z.number().min(0).max(100);

export const TemplateBody = z.strictObject({
  code: Code,
  /** City admins: a county's template (absent or null: the city's). Others: their county's. */
  county: County.nullable().optional(),
  name: Text(100),
  groups: z.array(Group).min(1).max(30),
  roleWeights: z.partialRecord(RaterRole, Weight),
  requiredRoles: z.array(RaterRole).max(7),
  vetoItems: z.array(z.strictObject(Item)).max(20),
  bonusItems: z.array(z.strictObject({ ...Item, maxPoints: z.number().min(0).max(100) })).max(20),
  bonusCap: z.number().min(0).max(100),
  bands: z.strictObject({ AAA: Weight, AA: Weight, A: Weight, B: Weight }),
  tenderBonus: z.partialRecord(EvaluationBand, z.number().min(0).max(100)),
  tenderBarred: z.array(EvaluationBand).max(5),
  minResidentSample: z.number().int().min(1).max(100_000),
  blacklistMonths: z.number().int().min(1).max(120),
});

export const TemplateView = TemplateBody.omit({ county: true }).extend({
  id: z.string(),
  county: z.string().nullable(),
  version: z.number().int(),
  createdAt: Instant,
  createdBy: z.string(),
  /** When the first cycle took it: from then on it is immutable. */
  usedAt: Instant.nullable(),
});

/* ---------- cycles ---------- */

const CycleStatus = z.enum(['open', 'collecting', 'computed', 'notice', 'published']);

export const CreateCycle = z.strictObject({
  /** City admins name the county; county admins run their own. */
  county: County.optional(),
  period: z.string().regex(PERIOD_PATTERN, 'a period such as 2026, 2026-H1 or 2026-Q2'),
  /** Absent: the default template's latest version. */
  templateId: Id.optional(),
  noticeDays: z.number().int().min(1).max(90).optional(),
});
export const CycleListQuery = z.strictObject({ status: CycleStatus.optional(), ...PageQuery });
export const HouseholdsBody = z.strictObject({
  compounds: z
    .array(z.strictObject({ compoundId: Id, households: z.number().int().min(1).max(100_000) }))
    .min(1)
    .max(1000),
});

export const CycleView = z.object({
  id: z.string(),
  county: z.string(),
  period: z.string(),
  kind: z.enum(['year', 'half-year', 'quarter']),
  templateId: z.string(),
  status: CycleStatus,
  statusLabel: Label,
  noticeDays: z.number().int(),
  households: z.record(z.string(), z.number().int()),
  createdAt: Instant,
  computedAt: Instant.nullable(),
  noticeEndsAt: Instant.nullable(),
  publishedAt: Instant.nullable(),
  log: z.array(z.object({ action: z.string(), at: Instant, by: z.string() })),
});

/* ---------- submissions ---------- */

const Survey = z
  .strictObject({ respondents: z.number().int().min(0).max(1_000_000), satisfied: z.number().int().min(0) })
  .nullable();
const Bonuses = z.array(z.strictObject({ code: Code, points: z.number().min(0).max(100) })).max(10);
const Scores = z.record(Code, Points);

export const SubmitBody = z.strictObject({
  firmId: Id,
  compoundId: Id,
  raterRole: RaterRole,
  /** Points per indicator of the role (every indicator of the role, within its maximum). */
  scores: Scores.default({}),
  /** Residents only: the survey's answers, aggregated (satisfied of respondents). */
  survey: Survey.default(null),
  vetoes: z.array(Code).max(10).default([]),
  bonuses: Bonuses.default([]),
  /** Links to photos, minutes, inspection reports. */
  evidence: z.array(Url).max(20).default([]),
  comment: plainText(1000, 0).default(''),
});
export const SubmissionListQuery = z.strictObject({
  firmId: Id.optional(),
  compoundId: Id.optional(),
  raterRole: RaterRole.optional(),
  ...PageQuery,
});

const Content = {
  scores: z.record(z.string(), z.number()),
  survey: z.object({ respondents: z.number(), satisfied: z.number() }).nullable(),
  vetoes: z.array(z.string()),
  bonuses: z.array(z.object({ code: z.string(), points: z.number() })),
};
export const SubmissionView = z.object({
  id: z.string(),
  county: z.string(),
  cycleId: z.string(),
  firmId: z.string(),
  compoundId: z.string(),
  raterRole: RaterRole,
  raterRoleLabel: Label,
  ...Content,
  evidence: z.array(z.string()),
  comment: z.string(),
  revision: z.number().int(),
  submittedBy: z.string(),
  submittedAt: Instant,
  updatedAt: Instant,
  revisions: z.array(
    z.object({
      ...Content,
      revision: z.number().int(),
      evidence: z.array(z.string()),
      comment: z.string(),
      by: z.string(),
      at: Instant,
      source: z.string(),
    }),
  ),
});

/* ---------- appeals and revisions ---------- */

const CorrectionBody = z.strictObject({
  submissionId: Id,
  scores: Scores.optional(),
  survey: Survey.optional(),
  vetoes: z.array(Code).max(10).optional(),
  bonuses: Bonuses.optional(),
});
export const AppealBody = z.strictObject({
  reasons: plainText(2000, 1, { multiline: true }),
  evidence: z.array(Url).max(20).default([]),
  submissionId: Id.optional(),
});
export const AppealDecisionBody = z.strictObject({
  outcome: z.enum(['upheld', 'rejected']),
  note: Text(1000),
  corrections: z.array(CorrectionBody).max(50).default([]),
});
export const RevisionBody = z.strictObject({
  reason: Text(500),
  corrections: z.array(CorrectionBody).min(1).max(50),
});
export const AppealView = z.object({
  id: z.string(),
  county: z.string(),
  cycleId: z.string(),
  firmId: z.string(),
  resultId: z.string(),
  submissionId: z.string().nullable(),
  reasons: z.string(),
  evidence: z.array(z.string()),
  status: z.enum(['pending', 'upheld', 'rejected']),
  filedBy: z.string(),
  filedAt: Instant,
  decidedBy: z.string().nullable(),
  decidedAt: Instant.nullable(),
  decisionNote: z.string().nullable(),
  corrections: z.array(
    z.object({
      submissionId: z.string(),
      scores: z.record(z.string(), z.number()).optional(),
      survey: Content.survey.optional(),
      vetoes: z.array(z.string()).optional(),
      bonuses: Content.bonuses.optional(),
    }),
  ),
});
