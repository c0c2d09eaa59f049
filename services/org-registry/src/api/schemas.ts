import { z } from 'zod';
import { CountyCode, MemberCategory, OrgKind } from '@honglian/contracts';
import { Day, OrgId } from '../domain/commands.js';

const Label = z.object({ zh: z.string(), en: z.string() });

export const OrgView = z
  .object({
    id: z.string(),
    county: z.string(),
    kind: OrgKind,
    kindLabel: Label,
    name: z.string(),
    parentId: z.string().nullable(),
    path: z.string(),
    creditCode: z.string().optional(),
    term: z.object({ start: z.string(), end: z.string() }).optional(),
    validFrom: z.string(),
    validTo: z.string().nullable(),
  })
  .meta({ id: 'Org' });

type TreeNode = z.infer<typeof OrgView> & { children: TreeNode[] };
export const OrgTree: z.ZodType<TreeNode> = OrgView.extend({
  get children() {
    return z.array(OrgTree);
  },
}).meta({ id: 'OrgTree' });

export const RelationView = z
  .object({
    id: z.string(),
    type: z.enum(['contract', 'pairing', 'alliance-membership', 'appointment']),
    county: z.string(),
    fromId: z.string(),
    toId: z.string(),
    validFrom: z.string(),
    validTo: z.string().nullable(),
    endedOn: z.string().nullable(),
    active: z.boolean(),
    agencyUnitId: z.string().nullable().optional(),
    targetKind: z.string().optional(),
    needs: z.array(z.string()).optional(),
    resources: z.array(z.string()).optional(),
    projects: z.array(z.string()).optional(),
    creatorLevel: z
      .enum(['city', 'county', 'community'])
      .optional()
      .meta({ description: 'A pairing: who recorded it; only the city pairs across counties' }),
    post: z.string().optional(),
    crossAppointment: z.boolean().optional(),
  })
  .meta({ id: 'Relation' });

export const MemberView = z
  .object({
    id: z.string(),
    county: z.string(),
    name: z.string(),
    idNumber: z.string().meta({ description: 'Masked, e.g. 3310**********1234' }),
    phone: z.string().meta({ description: 'Masked, e.g. 138****5678' }),
    category: MemberCategory,
    categoryLabel: Label,
    status: z.enum(['active', 'inactive']),
    partyOrgId: z.string(),
    workUnitId: z.string().nullable(),
    residenceCompoundId: z.string().nullable(),
    residenceBuildingId: z.string().nullable(),
    validFrom: z.string(),
    validTo: z.string().nullable(),
  })
  .meta({ id: 'Member' });

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const IdParams = z.object({ id: z.string().min(1).max(64) });
export const AsOfQuery = z.strictObject({ asOf: Day.optional() });
export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
};

export const OrgListQuery = z.strictObject({
  kind: OrgKind.optional(),
  parentId: OrgId.optional(),
  county: CountyCode.optional(),
  q: z.string().trim().min(1).max(50).optional(),
  asOf: Day.optional(),
  ...PageQuery,
});

export const TreeQuery = z.strictObject({
  asOf: Day.optional(),
  depth: z.coerce.number().int().min(0).max(10).default(3),
});

export const RelationListQuery = z.strictObject({
  fromId: z.string().max(64).optional(),
  toId: z.string().max(64).optional(),
  asOf: Day.optional(),
  ...PageQuery,
});

export const MemberListQuery = z.strictObject({
  partyOrgId: OrgId.optional(),
  compoundId: OrgId.optional(),
  workUnitId: OrgId.optional(),
  q: z.string().trim().min(1).max(50).optional(),
  asOf: Day.optional(),
  ...PageQuery,
});

export const Reveal = z
  .object({ id: z.string(), idNumber: z.string(), phone: z.string() })
  .meta({ id: 'MemberReveal' });

export const IdentityReview = z
  .object({
    id: z.string(),
    at: z.date(),
    actor: z.string(),
    actorRoles: z.array(z.string()),
    actorCounty: z.string().nullable(),
    actorOrgPath: z.string().nullable(),
    idMasked: z.string().meta({ description: 'Masked, e.g. 3310**********1234' }),
    existingMemberId: z.string(),
    attemptedMemberId: z.string().nullable(),
    attemptedName: z.string(),
    attemptedPartyOrgId: z.string(),
    via: z.enum(['api', 'import', 'import-dry-run']),
    requestId: z.string().optional(),
  })
  .meta({ id: 'IdentityReview' });
