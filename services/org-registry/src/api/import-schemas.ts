import { z } from 'zod';
import { IMPORT_KINDS, type ImportKind } from '../imports/types.js';

// The answers of the import routes (api/import-routes.ts), split from schemas.ts.

const Label = z.object({ zh: z.string(), en: z.string() });
/** An instant as JSON carries it (`Date#toISOString`). */
const Instant = z.iso.datetime();

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
