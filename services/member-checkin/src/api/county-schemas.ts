import { z } from 'zod';
import { ReportKind } from '@honglian/contracts';
import { Id, Instant, PageQuery, Period, page } from './schemas.js';

/** County views (README "County views"): filters, paging, and `format` for a file of every row. */
const Format = z.enum(['json', 'csv', 'xlsx']).default('json');
/** Computed lists page by position: the cursor is the offset of the next row. */
const Offset = z.string().regex(/^\d{1,9}$/, 'the nextCursor of the previous page');
const ViewQuery = {
  county: Id.optional(),
  limit: PageQuery.limit,
  cursor: Offset.optional(),
  format: Format,
};

export const NoShowQuery = z.strictObject({
  county: Id.optional(),
  communityId: Id.optional(),
  kind: ReportKind.optional(),
  ...PageQuery,
  format: Format,
});
export const OverdueQuery = z.strictObject({ kind: ReportKind.optional(), ...ViewQuery });
export const LowHoursQuery = z.strictObject({ period: Period.optional(), ...ViewQuery });
export const UnitSheetsQuery = z.strictObject({
  period: Period.optional(),
  /** `true`: every unit, not only red-flagged ones. */
  all: z.enum(['true', 'false']).default('false'),
  ...ViewQuery,
});

const Label = z.object({ zh: z.string(), en: z.string() });
const Who = {
  memberId: z.string(),
  memberName: z.string(),
  county: z.string(),
  workUnitId: z.string().nullable(),
  workUnitName: z.string().nullable(),
};

export const NoShowRowView = z
  .object({
    reportId: z.string(),
    memberId: z.string(),
    memberName: z.string(),
    county: z.string(),
    kind: ReportKind,
    kindLabel: Label,
    communityId: z.string(),
    communityName: z.string(),
    activatedAt: Instant.nullable(),
    lastAttendanceAt: Instant.nullable(),
    noShowSince: Instant.nullable(),
    daysWithoutAttendance: z.number().int(),
  })
  .meta({ id: 'CheckinNoShowRow' });

export const OverdueRowView = z
  .object({
    ...Who,
    kind: ReportKind,
    kindLabel: Label,
    /** Where the member may report: the residence community, or each community paired with the unit. */
    communities: z.array(z.object({ id: z.string(), name: z.string().nullable() })),
    since: z.string(),
    dueOn: z.string(),
    daysOverdue: z.number().int(),
  })
  .meta({ id: 'CheckinOverdueReportRow' });

export const LowHoursRowView = z
  .object({
    ...Who,
    hours: z.number(),
    attendances: z.number().int(),
    expected: z.number(),
    shortfall: z.number(),
  })
  .meta({ id: 'CheckinLowHoursRow' });

export const UnitSheetRowView = z
  .object({
    unitId: z.string(),
    unitName: z.string().nullable(),
    members: z.number().int(),
    reported: z.number().int(),
    completed: z.number().int(),
    reportRate: z.number().nullable(),
    completionRate: z.number().nullable(),
    attendances: z.number().int(),
    hours: z.number(),
    redFlag: z.boolean(),
    redFlags: z.array(z.object({ code: z.string(), zh: z.string(), en: z.string() })),
  })
  .meta({ id: 'CheckinUnitSheetRow' });

const periodOf = { period: z.object({ label: z.string(), from: Instant, to: Instant }) };
export const NoShowList = page(NoShowRowView).meta({ id: 'CheckinNoShowList' });
export const OverdueList = page(OverdueRowView).meta({ id: 'CheckinOverdueReportList' });
export const LowHoursList = page(LowHoursRowView)
  .extend({ ...periodOf, expectedHours: z.number(), yearlyHours: z.number() })
  .meta({ id: 'CheckinLowHoursList' });
export const UnitSheetList = page(UnitSheetRowView)
  .extend({ ...periodOf, threshold: z.number() })
  .meta({ id: 'CheckinUnitSheetList' });
