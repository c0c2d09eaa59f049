import { z } from 'zod';
import { CountyCode, MemberCategory, OrgKind } from '@honglian/contracts';
import { Day, OrgId } from '../domain/commands.js';
import { GAP_LABELS, type GapName } from '../domain/coverage.js';

// One schema per answer: the OpenAPI document is generated from these, the TypeScript view types
// are inferred from them (`z.output`), and the mappers in app/views.ts return exactly those types.
// Instants are documented as ISO 8601 strings: JSON carries them so.

const Label = z.object({ zh: z.string(), en: z.string() });
/** An instant as JSON carries it (`Date#toISOString`). */
const Instant = z.iso.datetime();
/**
 * The name of a unit or member an answer names by id, as it stood on the day the answer is about
 * (README, Names beside ids); null when the caller may not see it or no such record exists.
 */
const NameOf = (what: string) =>
  z
    .string()
    .nullable()
    .meta({ description: `Name of ${what} on the day the answer is about (README, Names beside ids)` });

export const OrgView = z
  .object({
    id: z.string(),
    county: z.string(),
    kind: OrgKind,
    kindLabel: Label,
    name: z.string(),
    parentId: z.string().nullable(),
    parentName: NameOf('the parent unit'),
    path: z.string(),
    creditCode: z.string().optional(),
    term: z.object({ start: z.string(), end: z.string() }).optional(),
    validFrom: z.string(),
    validTo: z.string().nullable(),
  })
  .meta({ id: 'Org' });
export type OrgView = z.output<typeof OrgView>;
/** A unit as its record says, before the names beside its ids are looked up (app/names.ts). */
export type OrgRecordView = Omit<OrgView, 'parentName'>;

type TreeNode = z.output<typeof OrgView> & { children: TreeNode[] };
export const OrgTree: z.ZodType<TreeNode> = OrgView.extend({
  get children() {
    return z.array(OrgTree);
  },
}).meta({ id: 'OrgTree' });
export type OrgTreeNode = TreeNode;

export const RelationView = z
  .object({
    id: z.string(),
    type: z.enum(['contract', 'pairing', 'alliance-membership', 'appointment']),
    county: z.string(),
    fromId: z.string(),
    fromName: NameOf('the first side (firm, agency party organisation, alliance, member)'),
    toId: z.string(),
    toName: NameOf('the second side (compound, pairing target, member unit, organisation)'),
    validFrom: z.string(),
    validTo: z.string().nullable(),
    endedOn: z.string().nullable(),
    active: z.boolean(),
    agencyUnitId: z.string().nullable().optional(),
    agencyUnitName: NameOf('a pairing’s agency unit').optional(),
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
export type RelationView = z.output<typeof RelationView>;
export type RelationRecordView = Omit<RelationView, 'fromName' | 'toName' | 'agencyUnitName'>;

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
    partyOrgName: NameOf('the party organisation'),
    workUnitId: z.string().nullable(),
    workUnitName: NameOf('the work unit'),
    residenceCompoundId: z.string().nullable(),
    residenceCompoundName: NameOf('the residence compound'),
    residenceBuildingId: z.string().nullable(),
    residenceBuildingName: NameOf('the residence building'),
    validFrom: z.string(),
    validTo: z.string().nullable(),
  })
  .meta({ id: 'Member' });
export type MemberView = z.output<typeof MemberView>;
export type MemberRecordView = Omit<
  MemberView,
  'partyOrgName' | 'workUnitName' | 'residenceCompoundName' | 'residenceBuildingName'
>;

export const History = <T extends z.ZodType>(item: T) =>
  z.object({ id: z.string(), versions: z.array(item) });

export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
    total: z
      .number()
      .int()
      .meta({ description: 'How many records match in the caller’s scope (every page, not this one)' }),
  });
/** A page as the queries answer it, before names are added. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

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

/**
 * `POST /members/search`: the list's filters plus the ID number and the phone, in the body so that
 * they never appear in a URL (proxy and access logs keep URLs); matched by their keyed hash.
 */
export const MemberSearch = z.strictObject({
  idNumber: z.string().trim().min(1).max(32).optional().meta({ description: 'Full ID number' }),
  phone: z.string().trim().min(1).max(32).optional().meta({ description: 'Full mobile number' }),
  ...MemberListQuery.shape,
});

export const Reveal = z
  .object({ id: z.string(), idNumber: z.string(), phone: z.string() })
  .meta({ id: 'MemberReveal' });
export type RevealView = z.output<typeof Reveal>;

export const IdentityReview = z
  .object({
    id: z.string(),
    at: Instant,
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
export type IdentityReviewView = z.output<typeof IdentityReview>;

/** One entry of the reveal log: who asked for a member's personal data, and how it ended. */
export const RevealLogEntry = z
  .object({
    id: z.string(),
    at: Instant,
    actor: z.string(),
    roles: z.array(z.string()),
    action: z.string(),
    memberId: z.string(),
    memberName: NameOf('the member (only a member the caller manages that day)'),
    county: z.string().nullable().meta({ description: 'The member’s county; null when no such member' }),
    outcome: z.enum(['revealed', 'not-found', 'out-of-scope', 'denied']),
    requestId: z.string().optional(),
  })
  .meta({ id: 'RevealLogEntry' });
export type RevealLogEntryView = z.output<typeof RevealLogEntry>;
export type RevealLogRecordView = Omit<RevealLogEntryView, 'memberName'>;
export const RevealLogQuery = z.strictObject({
  memberId: z.string().max(64).optional(),
  limit: PageQuery.limit,
  cursor: z
    .string()
    .regex(/^[0-9a-f]{24}$/, 'an entry id from nextCursor')
    .optional(),
});

const GapNames = Object.keys(GAP_LABELS) as [GapName, ...GapName[]];
export const Coverage = z
  .object({
    orgId: z.string().nullable().meta({ description: 'The unit reported on; null for the whole city' }),
    asOf: z.string(),
    counts: z.partialRecord(OrgKind, z.number().int()).meta({ description: 'Units per kind' }),
    gaps: z.object(
      Object.fromEntries(
        GapNames.map((name) => [
          name,
          z.object({
            label: Label,
            count: z.number().int(),
            ids: z.array(z.string()).meta({ description: 'The first 100' }),
            units: z
              .array(z.object({ id: z.string(), name: z.string() }))
              .meta({ description: 'The same units with their names on the report day' }),
          }),
        ]),
      ) as Record<
        GapName,
        z.ZodObject<{
          label: typeof Label;
          count: z.ZodNumber;
          ids: z.ZodArray<z.ZodString>;
          units: z.ZodArray<z.ZodObject<{ id: z.ZodString; name: z.ZodString }>>;
        }>
      >,
    ),
  })
  .meta({ id: 'Coverage' });
export type CoverageView = z.output<typeof Coverage>;

export * from './import-schemas.js';
