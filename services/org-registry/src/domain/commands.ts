import { z } from 'zod';
import { CountyCode, MemberCategory, OrgKind, plainText } from '@honglian/contracts';
import { isValidDay } from './effective.js';
import { validateCreditCode, validateIdNumber, validatePhone } from './identifiers.js';

/**
 * What a client (an API call or one import row) asks the registry to do.
 * One schema each, shared by the HTTP API and the bulk import, so a row is
 * accepted exactly when the same request would be.
 */
export const OrgId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _, at most 64 characters');
export const Day = z.string().refine(isValidDay, 'a date YYYY-MM-DD');

const withReason = (check: (v: string) => { en: string } | null) => (v: string, ctx: z.RefinementCtx) => {
  const reason = check(v);
  if (reason) ctx.addIssue({ code: 'custom', message: reason.en });
};

export const CreditCode = z.string().trim().toUpperCase().superRefine(withReason(validateCreditCode));
export const IdNumber = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine(withReason((v) => validateIdNumber(v)));
export const Phone = z.string().trim().superRefine(withReason(validatePhone));

// Every free-text field a command carries (names, posts, pairing lists, reasons) is `plainText`
// (@honglian/contracts): trimmed, bounded, no control characters or bidi overrides, never a
// formula. Ids, dates and identifiers have stricter schemas of their own.

const Term = z
  .strictObject({ start: Day, end: Day })
  .refine((t) => t.start < t.end, 'term must end after it starts');

export const CreateOrg = z.strictObject({
  /** Stable code the city uses (division code, or its own); becomes the id. Generated when absent. */
  id: OrgId.optional(),
  kind: OrgKind,
  name: plainText(100),
  parentId: OrgId.nullable(),
  /** County the unit belongs to; taken from the parent when absent. Required for a county itself. */
  county: CountyCode.optional(),
  creditCode: CreditCode.optional(),
  term: Term.optional(),
  effectiveFrom: Day,
});
export type CreateOrg = z.infer<typeof CreateOrg>;

export const ChangeOrg = z
  .strictObject({
    name: plainText(100).optional(),
    parentId: OrgId.optional(),
    creditCode: CreditCode.optional(),
    term: Term.optional(),
    effectiveFrom: Day,
  })
  .refine((c) => Object.keys(c).some((k) => k !== 'effectiveFrom'), 'nothing to change');
export type ChangeOrg = z.infer<typeof ChangeOrg>;

export const CloseOrg = z.strictObject({ closedOn: Day, reason: plainText(500).optional() });

const PeriodFields = { validFrom: Day, validTo: Day.nullable().default(null) };
const periodOrdered = (p: { validFrom: string; validTo: string | null }) =>
  p.validTo === null || p.validFrom < p.validTo;

export const CreateContract = z
  .strictObject({ id: OrgId.optional(), firmId: OrgId, compoundId: OrgId, ...PeriodFields })
  .refine(periodOrdered, { message: 'validTo must be after validFrom', path: ['validTo'] });
export type CreateContract = z.infer<typeof CreateContract>;

const ListItems = z.array(plainText(200)).max(100).default([]);
export const CreatePairing = z
  .strictObject({
    id: OrgId.optional(),
    agencyOrgId: OrgId,
    targetId: OrgId,
    needs: ListItems,
    resources: ListItems,
    projects: ListItems,
    ...PeriodFields,
  })
  .refine(periodOrdered, { message: 'validTo must be after validFrom', path: ['validTo'] });
export type CreatePairing = z.infer<typeof CreatePairing>;

export const EndRelation = z.strictObject({ endedOn: Day });

export const CreateAppointment = z
  .strictObject({
    memberId: OrgId,
    orgId: OrgId,
    /** Post such as 书记, 业委会主任, 楼栋长, 红管家. */
    post: plainText(50),
    ...PeriodFields,
  })
  .refine(periodOrdered, { message: 'validTo must be after validFrom', path: ['validTo'] });
export type CreateAppointment = z.infer<typeof CreateAppointment>;

export const JoinAlliance = z.strictObject({ memberOrgId: OrgId, ...PeriodFields });

export const RegisterMember = z.strictObject({
  /** The member's code (党员编号) when the city has one; generated otherwise. */
  id: OrgId.optional(),
  name: plainText(50),
  idNumber: IdNumber,
  phone: Phone,
  category: MemberCategory,
  partyOrgId: OrgId,
  /** Agency unit the member works for (in-service members). */
  workUnitId: OrgId.nullable().default(null),
  residenceCompoundId: OrgId.nullable().default(null),
  residenceBuildingId: OrgId.nullable().default(null),
  effectiveFrom: Day,
});
export type RegisterMember = z.infer<typeof RegisterMember>;

export const ChangeMember = z
  .strictObject({
    name: plainText(50).optional(),
    phone: Phone.optional(),
    category: MemberCategory.optional(),
    status: z.enum(['active', 'inactive']).optional(),
    workUnitId: OrgId.nullable().optional(),
    residenceCompoundId: OrgId.nullable().optional(),
    residenceBuildingId: OrgId.nullable().optional(),
    effectiveFrom: Day,
  })
  .refine((c) => Object.keys(c).some((k) => k !== 'effectiveFrom'), 'nothing to change');
export type ChangeMember = z.infer<typeof ChangeMember>;

export const TransferMember = z.strictObject({ toPartyOrgId: OrgId, effectiveFrom: Day });
