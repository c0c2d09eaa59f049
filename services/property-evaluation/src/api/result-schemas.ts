import { z } from 'zod';
import { EvaluationBand, RaterRole } from '@honglian/contracts';

const Instant = z.string();
const Label = z.object({ zh: z.string(), en: z.string() });
const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _, at most 64 characters');
const County = z.string().regex(/^\d{6}$/, 'a six-digit division code');
const PageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Id.optional(),
};

/* ---------- results ---------- */

const RoleLine = z.object({
  role: RaterRole,
  weight: z.number(),
  score: z.number().nullable(),
  submissionId: z.string().nullable(),
  revision: z.number().int().nullable(),
  points: z.record(z.string(), z.number()),
  respondents: z.number().nullable(),
});
export const CompoundLine = z.object({
  compoundId: z.string(),
  compoundName: z.string(),
  households: z.number().nullable(),
  scored: z.boolean(),
  notScored: z.array(
    z.object({
      code: z.enum(['missing-role', 'resident-sample', 'households-unknown']),
      role: RaterRole.optional(),
      respondents: z.number().optional(),
      minimum: z.number().optional(),
    }),
  ),
  roles: z.array(RoleLine),
  base: z.number().nullable(),
  bonus: z.number(),
  score: z.number().nullable(),
  vetoes: z.array(z.object({ code: z.string(), submissionId: z.string() })),
});
const Tender = z.object({ bonus: z.number(), barred: z.boolean() });
const Households = z.object({ scored: z.number(), total: z.number() });

export const ResultView = z.object({
  id: z.string(),
  county: z.string(),
  cycleId: z.string(),
  period: z.string(),
  firmId: z.string(),
  firmName: z.string(),
  creditCode: z.string().nullable(),
  templateId: z.string(),
  templateVersion: z.number().int(),
  status: z.enum(['computed', 'published']),
  computedAt: Instant,
  score: z.number().nullable(),
  band: EvaluationBand.nullable(),
  bandLabel: Label.nullable(),
  vetoes: z.array(z.string()),
  tender: Tender,
  households: Households,
  compounds: z.array(CompoundLine),
  version: z.number().int(),
});

export const PublishedBodyView = z.object({
  resultId: z.string(),
  version: z.number().int(),
  cycle: z.object({
    id: z.string(),
    county: z.string(),
    period: z.string(),
    templateId: z.string(),
    templateVersion: z.number().int(),
  }),
  firm: z.object({ id: z.string(), name: z.string(), creditCode: z.string().nullable() }),
  score: z.number().nullable(),
  band: EvaluationBand.nullable(),
  blacklist: z
    .object({ vetoes: z.array(z.string()), reason: z.string(), from: z.string(), until: z.string() })
    .nullable(),
  tender: Tender,
  households: Households,
  compounds: z.array(CompoundLine),
  publishedAt: z.string(),
  reason: z.string().nullable(),
  supersedesVersion: z.number().int().nullable(),
});
export const PublishedView = z.object({
  resultId: z.string(),
  version: z.number().int(),
  current: z.boolean(),
  supersededBy: z.number().int().nullable(),
  /** sha256 (hex) of the canonical JSON of `body` (keys sorted at every level, no whitespace). */
  contentHash: z.string(),
  body: PublishedBodyView,
});
export const PublishedQuery = z.strictObject({
  cycleId: Id.optional(),
  county: County.optional(),
  band: EvaluationBand.optional(),
  ...PageQuery,
});

/* ---------- webhooks ---------- */

const WebhookEvent = z.enum(['result.published', 'result.revised']);
export const SubscribeBody = z.strictObject({
  /** Must be on the allow-list (EVALUATION_WEBHOOK_ALLOWLIST). */
  url: z.url({ protocol: /^https?$/ }).max(500),
  events: z.array(WebhookEvent).min(1).max(2),
});
const SubscriptionFields = {
  id: z.string(),
  url: z.string(),
  events: z.array(WebhookEvent),
  active: z.boolean(),
  createdAt: Instant,
};
export const SubscriptionView = z.object(SubscriptionFields);
/** Answered once, on creation: the secret payloads are signed with. */
export const NewSubscriptionView = z.object({ ...SubscriptionFields, secret: z.string() });
export const DeliveryView = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  eventId: z.string(),
  event: WebhookEvent,
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: Instant.nullable(),
  log: z.array(
    z.object({
      attempt: z.number().int(),
      at: Instant,
      status: z.number().int().nullable(),
      error: z.string().nullable(),
    }),
  ),
  createdAt: Instant,
});
export const DeliveryParams = z.object({ id: z.string().regex(/^dlv-[A-Za-z0-9_-]{1,116}$/) });
