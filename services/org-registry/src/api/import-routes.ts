import { z } from 'zod';
import { throwRefusal, type ApiRouter } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import {
  detectFormat,
  IMPORT_TEMPLATES,
  templateCsv,
  templateWorkbookXlsx,
  templateXlsx,
  type ImportKind,
} from '../imports/index.js';
import { asyncPreferred, type ImportJobs } from '../app/import-jobs.js';
import { seesUpload, type ImportService } from '../app/imports.js';
import { refusalError, type RegistryContext } from '../app/context.js';
import { importRecordView } from '../app/views.js';
import { importRefusals } from '../domain/import-refusals.js';
import { IMPORT_TARGETS as TARGETS, ImportJob, ImportRecord, ImportReport, page } from './schemas.js';
import { REGISTRY_MANAGERS } from '../domain/scope.js';

const KINDS = Object.keys(IMPORT_TEMPLATES) as [ImportKind, ...ImportKind[]];
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const declaredCsv = (type: string | undefined) =>
  /^(text\/csv|application\/csv|text\/comma-separated-values|text\/x-csv)\b/i.test(type ?? '');
/** Zip (XLSX) or OLE2 (legacy .xls) magic. */
const isBinary = (head: Buffer) =>
  head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])) ||
  head.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]));

export function importRoutes(
  api: ApiRouter,
  deps: { ctx: RegistryContext; imports: ImportService; jobs: ImportJobs; maxBytes: number },
): void {
  const tags = ['Imports 批量导入'];
  api
    .route(
      {
        method: 'get',
        path: '/imports/templates/:file',
        summary:
          'Download an import template (e.g. members.xlsx, orgs.csv, workbook.xlsx for a whole city) with the Chinese column headers',
        tags,
        roles: REGISTRY_MANAGERS,
        request: {
          params: z.object({
            file: z
              .string()
              .regex(
                new RegExp(`^((${KINDS.join('|')})\\.(csv|xlsx)|workbook\\.xlsx)$`),
                `one of ${KINDS.join(', ')} with .csv or .xlsx, or workbook.xlsx`,
              ),
          }),
        },
        responses: {
          200: { description: 'The template', contentType: XLSX_TYPE },
        },
      },
      async ({ params, res }) => {
        const [kind, format] = params.file.split('.') as [ImportKind | 'workbook', 'csv' | 'xlsx'];
        res.setHeader('content-disposition', `attachment; filename="${params.file}"`);
        if (kind === 'workbook') res.type(XLSX_TYPE).send(await templateWorkbookXlsx());
        else if (format === 'csv') res.type('text/csv; charset=utf-8').send(templateCsv(kind));
        else res.type(XLSX_TYPE).send(await templateXlsx(kind));
        return undefined;
      },
    )
    .route(
      {
        method: 'post',
        path: '/imports',
        summary:
          'Import a CSV or XLSX file (body = the file), or with kind=workbook an XLSX with one sheet per kind. dryRun=true (default) reports every row error and writes nothing; dryRun=false applies the file only when it has no error, idempotently, and refuses a file with errors (422 with the report; see IMPORT.md). With `Prefer: respond-async` the import runs as a job: 202 with its Location, to poll.',
        tags,
        roles: REGISTRY_MANAGERS,
        request: {
          query: z.strictObject({
            kind: z.enum(TARGETS),
            dryRun: z
              .enum(['true', 'false'])
              .default('true')
              .transform((v) => v === 'true'),
          }),
        },
        responses: {
          200: { description: 'The report', schema: ImportReport },
          202: {
            description: 'Accepted as a job (Prefer: respond-async); poll its Location',
            schema: ImportJob,
          },
          413: { description: 'File too large' },
          415: { description: 'Not CSV or XLSX' },
          422: {
            description:
              'The file cannot be read (headers, encoding), or (dryRun=false) it has row errors: nothing is applied and the problem carries the `report` (applied: false, created: 0, planned counts)',
          },
        },
      },
      async ({ query, req, principal }) => {
        const upload = await deps.imports.spool(req, deps.maxBytes);
        let background = false;
        try {
          if (upload.bytes === 0) throwRefusal(importRefusals.emptyBody());
          // A declared CSV that is not UTF-8 goes to the CSV reader, which says how to save it as UTF-8.
          const format =
            detectFormat(req.headers['content-type'], upload.head) ??
            (declaredCsv(req.headers['content-type']) && !isBinary(upload.head) ? 'csv' : null);
          if (!format) throwRefusal(importRefusals.notCsvOrXlsx());
          if (asyncPreferred(req.headers.prefer)) {
            // The job owns the upload from here and cleans it up when it ends.
            const job = await deps.jobs.start(query.kind, upload, format, query.dryRun, principal);
            background = true;
            return {
              status: 202,
              headers: {
                location: `${req.baseUrl}/imports/jobs/${job.id}`,
                'preference-applied': 'respond-async',
              },
              body: job,
            };
          }
          const report = await deps.imports.run(query.kind, upload, format, query.dryRun, principal);
          return { body: report };
        } finally {
          if (!background) await upload.cleanup();
        }
      },
    )
    .route(
      {
        method: 'get',
        path: '/imports/jobs/:jobId',
        summary:
          'An import job: running, done (with the report), failed (with the problem) or interrupted (its process stopped; send the file again)',
        tags,
        roles: REGISTRY_MANAGERS,
        request: { params: z.object({ jobId: z.string().regex(/^job-[0-9a-f-]{36}$/, 'a job id') }) },
        responses: { 200: { description: 'The job', schema: ImportJob } },
      },
      async ({ params, principal }) => ({ body: await deps.jobs.get(params.jobId, principal) }),
    )
    .route(
      {
        method: 'get',
        path: '/imports',
        summary:
          'Imports applied (or applying) where the caller manages, newest first: kind, place, who sent it, rows created and unchanged',
        tags,
        roles: REGISTRY_MANAGERS,
        request: {
          query: z.strictObject({
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().max(200).optional(),
          }),
        },
        responses: { 200: { description: 'A page of import records', schema: page(ImportRecord) } },
      },
      async ({ query, principal }) => {
        const found = await deps.imports.list(principal, query);
        return { body: { ...found, items: found.items.map(importRecordView) } };
      },
    )
    .route(
      {
        method: 'get',
        path: '/imports/:id',
        summary: 'An applied import',
        tags,
        roles: REGISTRY_MANAGERS,
        request: { params: z.object({ id: z.string().max(80) }) },
        responses: { 200: { description: 'The import record', schema: ImportRecord } },
      },
      async ({ params, principal }) => {
        const doc = await deps.ctx.imports.record(params.id);
        if (!doc || !seesUpload(principal, doc)) {
          throw refusalError(refuse.notFound(), `Import ${params.id} was not found.`);
        }
        return { body: importRecordView(doc) };
      },
    );
}
