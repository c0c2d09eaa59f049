import type { ApiRouter } from '@honglian/service-kit';
import { MANAGERS, MANAGERS_AND_MEMBERS } from '../domain/scope.js';
import {
  CertificateView,
  CodeParams,
  CreateCertificate,
  CreateRecord,
  IdParams,
  OptionalNote,
  PlainPageQuery,
  PublicCertificateView,
  RecordExportQuery,
  RecordListQuery,
  RecordView,
  page,
} from './schemas.js';
import { sendTable } from '@honglian/service-kit/tables';
import { notFound, refusal, type PointsServices } from './services.js';
import { certificateView, pageView, publicCertificateView, recordView } from './views.js';

export function recordRoutes(api: ApiRouter, { records }: PointsServices): void {
  const tags = ['Records 服务记录'];
  api
    .route(
      {
        method: 'get',
        path: '/exports/records',
        summary: 'Approved service records of a period, as CSV or XLSX (for funders)',
        tags: ['Leaderboards 排行'],
        roles: MANAGERS,
        request: { query: RecordExportQuery },
        responses: {
          200: {
            description: 'text/csv (UTF-8 with BOM) or an XLSX workbook',
            contentType: 'application/octet-stream',
          },
          422: refusal,
        },
      },
      async ({ query, principal, res }) => {
        const { from, to } = periodDays(query.period);
        const rows = await records.inPeriod(principal, from, to, query.communityId);
        const table = {
          sheet: '志愿服务记录',
          headers: [
            '日期 Date',
            '党员 Member',
            '姓名 Name',
            '社区 Community',
            '服务内容 Content',
            '时长 Hours',
            '组织者 Organiser',
            '培训 Training',
            '评价 Evaluation',
            '来源 Source',
          ],
          rows: rows.map((r) => [
            r.date,
            r.memberId,
            r.memberName ?? '',
            r.communityId,
            r.content,
            r.hours,
            r.organiserName,
            r.training ?? '',
            r.evaluation ?? '',
            r.source,
          ]),
        };
        await sendTable(res, table, `records-${query.period}`, query.format);
        return undefined;
      },
    )
    .route(
      {
        method: 'post',
        path: '/records',
        summary: 'Record service outside an activity (pending until the community approves)',
        tags,
        roles: MANAGERS,
        request: { body: CreateRecord },
        responses: { 201: { description: 'Pending', schema: RecordView }, 422: refusal },
      },
      async ({ body, principal }) => ({
        status: 201,
        body: recordView(await records.create(body, principal)),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/records',
        summary: 'Service records in scope (members: their own)',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { query: RecordListQuery },
        responses: { 200: { description: 'A page of records', schema: page(RecordView) } },
      },
      async ({ query, principal }) => ({ body: pageView(await records.list(query, principal), recordView) }),
    )
    .route(
      {
        method: 'get',
        path: '/records/:id',
        summary: 'One service record',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { params: IdParams },
        responses: { 200: { description: 'The record', schema: RecordView }, 404: notFound },
      },
      async ({ params, principal }) => ({ body: recordView(await records.get(params.id, principal)) }),
    )
    .route(
      {
        method: 'post',
        path: '/records/:id/approve',
        summary: 'The recording community certifies the record: it earns points',
        tags,
        roles: MANAGERS,
        request: { params: IdParams, body: OptionalNote },
        responses: { 200: { description: 'Approved', schema: RecordView }, 404: notFound, 409: refusal },
      },
      async ({ params, body, principal }) => ({
        body: recordView(await records.review(params.id, true, body.note || null, principal)),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/records/:id/reject',
        summary: 'The recording community turns the record down',
        tags,
        roles: MANAGERS,
        request: { params: IdParams, body: OptionalNote },
        responses: { 200: { description: 'Rejected', schema: RecordView }, 404: notFound, 409: refusal },
      },
      async ({ params, body, principal }) => ({
        body: recordView(await records.review(params.id, false, body.note || null, principal)),
      }),
    );
}

export function certificateRoutes(api: ApiRouter, { certificates }: PointsServices): void {
  const tags = ['Certificates 服务证明'];
  api
    .route(
      {
        method: 'post',
        path: '/certificates',
        summary: 'Draw up a certificate: posted publicly for 7 days before issue',
        tags,
        roles: MANAGERS,
        request: { body: CreateCertificate },
        responses: { 201: { description: 'In public notice', schema: CertificateView }, 422: refusal },
      },
      async ({ body, principal }) => ({
        status: 201,
        body: certificateView(await certificates.create(body, principal)),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/certificates',
        summary: 'Certificates in scope (members: their own)',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { query: PlainPageQuery },
        responses: { 200: { description: 'A page of certificates', schema: page(CertificateView) } },
      },
      async ({ query, principal }) => ({
        body: pageView(await certificates.list(principal, query), certificateView),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/certificates/:id',
        summary: 'One certificate',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { params: IdParams },
        responses: { 200: { description: 'The certificate', schema: CertificateView }, 404: notFound },
      },
      async ({ params, principal }) => ({
        body: certificateView(await certificates.get(params.id, principal)),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/certificates/:id/issue',
        summary: 'Issue it once the public notice has ended',
        tags,
        roles: MANAGERS,
        request: { params: IdParams },
        responses: { 200: { description: 'Issued', schema: CertificateView }, 404: notFound, 409: refusal },
      },
      async ({ params, principal }) => ({
        body: certificateView(await certificates.issue(params.id, principal)),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/verify/:code',
        public: true,
        summary: 'Anyone checks a certificate by its code (no token)',
        tags,
        description:
          'Answers only what the certificate states: number, name, issuer, hours, period, status. No ID number, no phone.',
        request: { params: CodeParams },
        responses: {
          200: { description: 'What the certificate states', schema: PublicCertificateView },
          404: notFound,
        },
      },
      async ({ params }) => ({ body: publicCertificateView(await certificates.verify(params.code)) }),
    );
}

/** First and last day of a period `2026` or `2026-03`. */
function periodDays(period: string): { from: string; to: string } {
  if (period.length === 4) return { from: `${period}-01-01`, to: `${period}-12-31` };
  const [y, m] = period.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${period}-01`, to: `${period}-${String(last).padStart(2, '0')}` };
}
