import { z } from 'zod';
export const EntryKind = z.enum(['award', 'bonus', 'redemption', 'expiry', 'reversal']);
export const RecordStatus = z.enum(['pending', 'approved', 'rejected']);
export const OrderStatus = z.enum([
  'posted',
  'open',
  'dispatched',
  'claimed',
  'done',
  'rated',
  'rejected',
  'cancelled',
]);
export const YearEnd = z.enum(['clear', 'carry-over']);

/* ---------- views ---------- */

const Instant = z.string();
export const BalanceView = z.object({
  memberId: z.string(),
  county: z.string(),
  name: z.string().nullable(),
  balance: z.number(),
  hours: z.number(),
  entries: z.number().int(),
  stars: z.number().int(),
  nextStarHours: z.number().nullable(),
});
export const EntryView = z.object({
  id: z.string(),
  county: z.string(),
  memberId: z.string(),
  communityId: z.string().nullable(),
  kind: EntryKind,
  points: z.number(),
  hours: z.number(),
  cause: z.object({ type: z.string(), id: z.string() }),
  ruleVersion: z.string(),
  reason: z.string().nullable(),
  reverses: z.string().nullable(),
  teamId: z.string().nullable(),
  at: Instant,
  by: z.string(),
});
const TotalsView = z.object({ balance: z.number(), hours: z.number(), entries: z.number().int() });
export const ExplainView = z.object({ account: TotalsView, fromEntries: TotalsView });
export const AccountView = TotalsView.extend({
  memberId: z.string(),
  county: z.string(),
  communityId: z.string().nullable(),
});
export const ReconcileView = z.object({
  members: z.number().int(),
  entries: z.number().int(),
  mismatches: z.array(z.object({ memberId: z.string(), account: z.number(), entries: z.number() })),
});
export const LeaderboardView = z.object({
  by: z.enum(['member', 'team']),
  period: z.string(),
  rows: z.array(
    z.object({
      rank: z.number().int(),
      id: z.string(),
      county: z.string(),
      points: z.number(),
      hours: z.number(),
    }),
  ),
});
export const StarView = z.object({
  memberId: z.string(),
  county: z.string(),
  level: z.number().int(),
  hours: z.number(),
  at: Instant,
});
const RulesShape = z.object({
  pointsPerHour: z.number(),
  capPerActivity: z.number(),
  capPerDay: z.number(),
  bonusOrderDone: z.number(),
  bonusFiveStar: z.number(),
  bonusCapPerMonth: z.number(),
  approvalRequired: z.boolean(),
});
export const RuleVersionView = z.object({
  id: z.string(),
  scope: z.string(),
  version: z.number().int(),
  rules: RulesShape.partial(),
  createdAt: Instant,
  createdBy: z.string(),
});
export const RulesView = z.object({
  county: z.string().nullable(),
  version: z.string(),
  rules: RulesShape,
  versions: z.array(RuleVersionView),
});
export const RecordView = z.object({
  id: z.string(),
  county: z.string(),
  memberId: z.string(),
  memberName: z.string().nullable(),
  communityId: z.string(),
  content: z.string(),
  date: z.string(),
  hours: z.number(),
  organiserId: z.string(),
  organiserName: z.string(),
  training: z.string().nullable(),
  evaluation: z.string().nullable(),
  teamId: z.string().nullable(),
  source: z.enum(['attendance', 'manual', 'order']),
  sourceId: z.string().nullable(),
  status: RecordStatus,
  recordedBy: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: Instant.nullable(),
  decisionNote: z.string().nullable(),
  createdAt: Instant,
});
export const OrderView = z.object({
  id: z.string(),
  county: z.string(),
  communityId: z.string(),
  streetId: z.string().nullable(),
  kind: z.enum(['request', 'wish']),
  title: z.string(),
  description: z.string(),
  budget: z.number().nullable(),
  residentName: z.string(),
  status: OrderStatus,
  dispatchedTo: z.string().nullable(),
  claimant: z.object({ kind: z.enum(['member', 'unit']), id: z.string() }).nullable(),
  memberId: z.string().nullable(),
  hours: z.number().nullable(),
  proof: z.string().nullable(),
  rating: z.number().int().nullable(),
  ratingComment: z.string().nullable(),
  escalated: z.boolean(),
  history: z.array(
    z.object({
      from: OrderStatus.nullable(),
      to: OrderStatus,
      at: Instant,
      by: z.string(),
      note: z.string().nullable(),
    }),
  ),
  createdAt: Instant,
  updatedAt: Instant,
});
export const ItemView = z.object({
  id: z.string(),
  county: z.string(),
  communityId: z.string(),
  name: z.string(),
  price: z.number(),
  stock: z.number().int(),
  active: z.boolean(),
});
export const RedemptionView = z.object({
  id: z.string(),
  county: z.string(),
  communityId: z.string(),
  memberId: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  quantity: z.number().int(),
  points: z.number(),
  status: z.enum(['reserved', 'cancelled']),
  entryId: z.string(),
  createdAt: Instant,
  cancelledAt: Instant.nullable(),
  cancelReason: z.string().nullable(),
});
export const YearEndView = z.object({ communityId: z.string(), yearEnd: YearEnd });
export const CertificateView = z.object({
  id: z.string(),
  county: z.string(),
  memberId: z.string(),
  memberName: z.string(),
  number: z.string(),
  issuer: z.string(),
  periodFrom: z.string(),
  periodTo: z.string(),
  hours: z.number(),
  status: z.enum(['notice', 'issued']),
  noticeFrom: Instant,
  noticeUntil: Instant,
  issuedAt: Instant.nullable(),
  code: z.string(),
});
export const PublicCertificateView = z.object({
  number: z.string(),
  memberName: z.string(),
  issuer: z.string(),
  hours: z.number(),
  periodFrom: z.string(),
  periodTo: z.string(),
  status: z.enum(['notice', 'issued']),
  noticeUntil: Instant,
  issuedAt: Instant.nullable(),
});
export const JobsView = z.object({
  escalated: z.number().int(),
  yearEnd: z.object({ year: z.number().int(), expired: z.number().int() }),
});
