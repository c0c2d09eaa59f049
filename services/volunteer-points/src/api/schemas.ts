import { z } from 'zod';
import { plainText } from '@honglian/contracts';
import { EntryKind, OrderStatus, RecordStatus, YearEnd } from './view-schemas.js';

/** Ids (division codes, registry codes, generated ids). */
export const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _, at most 64 characters');
/** Ledger entry ids are derived from their cause (`award:attendance:att-…`). */
export const EntryId = z
  .string()
  .regex(/^[a-z-]+(:[A-Za-z0-9_-]{1,64}){1,3}$/, 'an entry id, e.g. award:attendance:att-1');
export const Day = z.iso.date();
const Text = (max: number) => plainText(max);
const OptionalText = (max: number) => plainText(max, 0);
const Points = z.number().min(0).max(100_000).multipleOf(0.01);
const Hours = z.number().positive().max(24).multipleOf(0.01);
export const Period = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2]))?$/, 'a year (2026) or a month (2026-03)');

export const IdParams = z.object({ id: Id });
export const MemberParams = z.object({ memberId: Id });
export const EntryParams = z.object({ id: EntryId });
export const CodeParams = z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{8,32}$/) });
export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
};
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable(), total: z.number().int() });

/* ---------- requests ---------- */

export const EntryListQuery = z.strictObject({ kind: EntryKind.optional(), ...PageQuery });
export const Reason = z.strictObject({ reason: Text(500) });
export const OptionalNote = z.strictObject({ note: OptionalText(500).optional() });
export const LeaderboardQuery = z.strictObject({
  by: z.enum(['member', 'team']).default('member'),
  period: Period,
  communityId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});
export const StarsQuery = z.strictObject({ level: z.coerce.number().int().min(1).max(10).default(1) });
export const RulesQuery = z.strictObject({
  county: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
});
export const RulesPatch = z
  .strictObject({
    pointsPerHour: z.number().positive().max(100).optional(),
    capPerActivity: Points.optional(),
    capPerDay: Points.optional(),
    bonusOrderDone: Points.optional(),
    bonusFiveStar: Points.optional(),
    bonusCapPerMonth: Points.optional(),
    approvalRequired: z.boolean().optional(),
  })
  .refine((r) => Object.keys(r).length > 0, 'at least one rule');
export const PutRules = z.strictObject({
  /** `city` or a county's division code. */
  scope: z.union([z.literal('city'), z.string().regex(/^\d{6}$/)]),
  rules: RulesPatch,
});
export const CreateRecord = z.strictObject({
  memberId: Id,
  communityId: Id,
  content: Text(200),
  date: Day,
  hours: Hours,
  organiserName: Text(100),
  training: OptionalText(200).optional(),
  evaluation: OptionalText(200).optional(),
  teamId: Id.optional(),
});
export const RecordListQuery = z.strictObject({
  memberId: Id.optional(),
  status: RecordStatus.optional(),
  ...PageQuery,
});
export const PostOrderBody = z.strictObject({
  kind: z.enum(['request', 'wish']).default('request'),
  communityId: Id,
  title: Text(100),
  description: OptionalText(1000).default(''),
  /** Yuan, micro-wishes only. */
  budget: z.number().positive().max(100_000).multipleOf(0.01).optional(),
  residentName: Text(50).optional(),
});
export const OrderListQuery = z.strictObject({
  status: OrderStatus.optional(),
  communityId: Id.optional(),
  ...PageQuery,
});
export const DispatchBody = z.strictObject({ memberId: Id });
export const ClaimBody = z
  .strictObject({ memberId: Id.optional(), unitId: Id.optional() })
  .refine((b) => !(b.memberId && b.unitId), 'a member or a unit, not both');
export const CompleteBody = z.strictObject({ hours: Hours, proof: Text(500) });
export const RateBody = z.strictObject({
  rating: z.number().int().min(1).max(5),
  comment: OptionalText(500).default(''),
});
export const NewItemBody = z.strictObject({
  communityId: Id,
  name: Text(100),
  price: z.number().positive().max(10_000).multipleOf(0.01),
  stock: z.number().int().min(0).max(1_000_000),
});
export const ItemPatch = z
  .strictObject({
    addStock: z.number().int().min(1).max(1_000_000).optional(),
    price: z.number().positive().max(10_000).multipleOf(0.01).optional(),
    active: z.boolean().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'at least one change');
export const ItemListQuery = z.strictObject({ communityId: Id.optional(), ...PageQuery });
export const RedeemBody = z.strictObject({
  itemId: Id,
  quantity: z.number().int().min(1).max(100).default(1),
  memberId: Id.optional(),
});
export const RedemptionListQuery = z.strictObject({ memberId: Id.optional(), ...PageQuery });
export const YearEndBody = z.strictObject({ yearEnd: YearEnd });
export const CreateCertificate = z.strictObject({
  memberId: Id,
  from: Day,
  to: Day,
  issuer: Text(100).optional(),
});
export const PlainPageQuery = z.strictObject({ ...PageQuery });

export * from './view-schemas.js';
export const RecordExportQuery = z.strictObject({
  period: Period,
  communityId: Id.optional(),
  format: z.enum(['csv', 'xlsx']).default('xlsx'),
});
