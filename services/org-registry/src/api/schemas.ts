import { z } from 'zod';
import { CountyCode, MemberCategory, OrgKind } from '@honglian/contracts';
import { Day, OrgId } from '../domain/commands.js';
import { GAP_LABELS, type GapName } from '../domain/coverage.js';
import { IMPORT_KINDS, type ImportKind } from '../imports/types.js';

// One schema per answer: the OpenAPI document is generated from these, the TypeScript view types
// are inferred from them (`z.output`), and the mappers in app/views.ts return exactly those types.
// Instants are documented as ISO 8601 strings: JSON carries them so.

const Label = z.object({ zh: z.string(), en: z.string() });
/** An instant as JSON carries it (`Date#toISOString`). */
const Instant = z.iso.datetime();

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
export type OrgView = z.output<typeof OrgView>;

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
export type RelationView = z.output<typeof RelationView>;

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
export type MemberView = z.output<typeof MemberView>;

export const History = <T extends z.ZodType>(item: T) =>
  z.object({ id: z.string(), versions: z.array(item) });

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
    county: z.string().nullable().meta({ description: 'The member’s county; null when no such member' }),
    outcome: z.enum(['revealed', 'not-found', 'out-of-scope', 'denied']),
    requestId: z.string().optional(),
  })
  .meta({ id: 'RevealLogEntry' });
export type RevealLogEntryView = z.output<typeof RevealLogEntry>;
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
          }),
        ]),
      ) as Record<
        GapName,
        z.ZodObject<{ label: typeof Label; count: z.ZodNumber; ids: z.ZodArray<z.ZodString> }>
      >,
    ),
  })
  .meta({ id: 'Coverage' });
export type CoverageView = z.output<typeof Coverage>;

const KINDS = IMPORT_KINDS as [ImportKind, ...ImportKind[]];
export const IMPORT_TARGETS = [...KINDS, 'workbook'] as const;

export const RowError = z.object({
  sheet: z.string().optional(),
  row: z.number().int(),
  column: z.string(),
  reason: Label,
});
/** What a file would do, whether or not it was applied (a dry run, a rejected file, an applied one). */
export const PlannedCounts = z
  .object({
    /** Rows that would create a record. */
    created: z.number().int(),
    /** Rows identical to what is already registered. */
    unchanged: z.number().int(),
  })
  .meta({ id: 'ImportPlanned' });
export const SheetTally = z.object({
  sheet: z.string().nullable(),
  kind: z.enum(KINDS),
  rows: z.number().int(),
  /** Rows this request created (0 unless applied). */
  created: z.number().int(),
  unchanged: z.number().int(),
  planned: PlannedCounts,
  errorCount: z.number().int(),
});
export type SheetTally = z.output<typeof SheetTally>;
export const ImportReport = z
  .object({
    importId: z.string().nullable(),
    kind: z.enum(IMPORT_TARGETS),
    dryRun: z.boolean(),
    status: z.enum(['valid', 'invalid', 'applied']),
    /** Whether the file is applied (status `applied`); false for a dry run and a rejected file. */
    applied: z.boolean(),
    rows: z.number().int(),
    /** Rows this request created: 0 for a dry run or a rejected file (see `planned`). */
    created: z.number().int(),
    /** Rows identical to what is already registered: re-importing a file changes nothing. */
    unchanged: z.number().int(),
    /** What the file would do (dry run, rejected file) or was planned to do (applied). */
    planned: PlannedCounts,
    errorCount: z.number().int(),
    /** The first errors, row by row (capped). */
    errors: z.array(RowError),
    /** Per worksheet (one entry for a single-kind file). */
    sheets: z.array(SheetTally),
  })
  .meta({ id: 'ImportReport' });
export type ImportReport = z.output<typeof ImportReport>;

export const ImportJob = z
  .object({
    id: z.string(),
    kind: z.enum(IMPORT_TARGETS),
    dryRun: z.boolean(),
    status: z.enum(['running', 'done', 'failed', 'interrupted']),
    report: ImportReport.optional(),
    problem: z.record(z.string(), z.unknown()).optional(),
    county: z.string().nullable(),
    orgPath: z.string().nullable(),
    actor: z.string(),
    createdAt: Instant,
    heartbeatAt: Instant,
    finishedAt: Instant.optional(),
  })
  .meta({ id: 'ImportJob' });
export type ImportJobView = z.output<typeof ImportJob>;

export const ImportRecord = z
  .object({
    id: z.string(),
    kind: z.enum(IMPORT_TARGETS),
    status: z.enum(['applying', 'applied']),
    county: z.string().nullable(),
    orgPath: z.string().nullable(),
    actor: z.string(),
    fileHash: z.string().meta({ description: 'SHA-256 of the file (hex)' }),
    rows: z.number().int().optional(),
    created: z.number().int().optional(),
    unchanged: z.number().int().optional(),
    startedAt: Instant,
    finishedAt: Instant.optional(),
  })
  .meta({ id: 'ImportRecord' });
export type ImportRecordView = z.output<typeof ImportRecord>;
