import { z } from 'zod';
import { CountyCode } from '../cloudevent.js';
import { defineEvent } from '../events.js';

/**
 * Events of the property-firm evaluation service (物业服务质量评价, DOMAIN.md §4) on
 * `TOPICS.propertyEvaluation`. The assessment service reads published results, revisions and
 * blacklistings; submissions and computed cycles are facts for dashboards and audit.
 */
const PREFIX = 'honglian.property-evaluation';
const Id = z.string().min(1).max(64);
const Instant = z.iso.datetime({ offset: true });
const Day = z.iso.date();

/** Who rates: the firm itself, the compound's party branch, the owners' committee, residents, inspections. */
export const RaterRole = z.enum([
  'self',
  'branch',
  'committee',
  'residents',
  'community',
  'street',
  'bureau',
]);
export const RATER_ROLES = {
  self: { zh: '企业自评', en: 'Firm self-assessment' },
  branch: { zh: '小区党支部意见', en: 'Compound party branch opinion' },
  committee: { zh: '业主委员会评价', en: 'Owners’ committee' },
  residents: { zh: '居民满意度调查', en: 'Resident satisfaction survey' },
  community: { zh: '社区检查', en: 'Community inspection' },
  street: { zh: '街道检查', en: 'Street inspection' },
  bureau: { zh: '住建部门检查', en: 'Housing bureau inspection' },
} as const;

/** Credit bands (Yantai/Shandong scheme): AAA ≥ 85, AA 80–85, A 70–80, B 60–70, C < 60. */
export const EvaluationBand = z.enum(['AAA', 'AA', 'A', 'B', 'C']);
export const EVALUATION_BANDS = {
  AAA: { zh: 'AAA级（优秀）', en: 'AAA (excellent)' },
  AA: { zh: 'AA级（良好）', en: 'AA (good)' },
  A: { zh: 'A级（合格）', en: 'A (satisfactory)' },
  B: { zh: 'B级（基本合格）', en: 'B (fair)' },
  C: { zh: 'C级（不合格）', en: 'C (unsatisfactory)' },
} as const;

export const EvaluationSubmissionReceived = defineEvent(
  `${PREFIX}.submission.received.v1`,
  z.object({
    submissionId: Id,
    county: CountyCode,
    cycleId: Id,
    firmId: Id,
    compoundId: Id,
    raterRole: RaterRole,
    /** 1 for the first submission, then one more per edit (each kept). */
    revision: z.number().int().positive(),
    receivedAt: Instant,
  }),
);

export const EvaluationCycleComputed = defineEvent(
  `${PREFIX}.cycle.computed.v1`,
  z.object({
    cycleId: Id,
    county: CountyCode,
    period: z.string().min(1),
    templateId: Id,
    computedAt: Instant,
    firms: z.number().int().min(0),
    /** Firms that got a score (the others lack a required role or the resident sample). */
    scored: z.number().int().min(0),
  }),
);

const PublishedFacts = z.object({
  resultId: Id,
  county: CountyCode,
  cycleId: Id,
  period: z.string().min(1),
  firmId: Id,
  creditCode: z.string().nullable(),
  version: z.number().int().positive(),
  /** Null when the firm could not be scored. */
  score: z.number().nullable(),
  band: EvaluationBand.nullable(),
  blacklisted: z.boolean(),
  tenderBarred: z.boolean(),
  tenderBonus: z.number(),
  /** sha256 (hex) of the canonical JSON of the published body. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  publishedAt: Instant,
});

export const EvaluationResultPublished = defineEvent(`${PREFIX}.result.published.v1`, PublishedFacts);
export const EvaluationResultRevised = defineEvent(
  `${PREFIX}.result.revised.v1`,
  PublishedFacts.extend({ reason: z.string().min(1), supersedesVersion: z.number().int().positive() }),
);

export const FirmBlacklisted = defineEvent(
  `${PREFIX}.firm.blacklisted.v1`,
  z.object({
    firmId: Id,
    county: CountyCode,
    cycleId: Id,
    /** The veto items behind it, e.g. `major-safety-accident`. */
    vetoes: z.array(z.string()).min(1),
    reason: z.string().min(1),
    from: Day,
    until: Day,
  }),
);

export type EvaluationSubmissionReceivedData = z.infer<typeof EvaluationSubmissionReceived.data>;
export type EvaluationCycleComputedData = z.infer<typeof EvaluationCycleComputed.data>;
export type EvaluationResultPublishedData = z.infer<typeof EvaluationResultPublished.data>;
export type EvaluationResultRevisedData = z.infer<typeof EvaluationResultRevised.data>;
export type FirmBlacklistedData = z.infer<typeof FirmBlacklisted.data>;
