import { z } from 'zod';
import type { ApiRouter } from '@honglian/service-kit';
import type { ActivityService } from '../app/activities.js';
import type { CheckIn } from '../app/check-in.js';
import type { CheckOut } from '../app/check-out.js';
import type { CheckinContext } from '../app/context.js';
import type { FeedbackService } from '../app/feedback.js';
import type { ReportService } from '../app/reports.js';
import type { Sessions } from '../app/sessions.js';
import type { SweepService } from '../app/sweep.js';
import { halfYearOf, parsePeriod } from '../domain/period.js';
import { MANAGERS, MANAGERS_AND_MEMBERS } from '../domain/scope.js';
import { feedbackCsv, feedbackXlsx } from './export.js';
import {
  ActivityListQuery,
  ActivityView,
  AttendanceBody,
  AttendanceListQuery,
  AttendanceView,
  CloseReport,
  ConfirmBody,
  CreateActivity,
  FeedbackQuery,
  FeedbackSheetView,
  IdParams,
  MemberSummaryView,
  PlacementBody,
  PledgeBody,
  QrView,
  ReportListQuery,
  ReportView,
  RespondBody,
  ResponseView,
  SubmitReport,
  SummaryQuery,
  SweepView,
  UnitParams,
  page,
} from './schemas.js';
import {
  activityView,
  attendanceView,
  feedbackSheetView,
  memberSummaryView,
  pageView,
  qrView,
  reportView,
  responseView,
  sweepView,
} from './views.js';

export interface CheckinServices {
  ctx: CheckinContext;
  reports: ReportService;
  activities: ActivityService;
  checkIn: CheckIn;
  checkOut: CheckOut;
  sessions: Sessions;
  feedback: FeedbackService;
  sweep: SweepService;
}

const refusal = { description: 'Refused: the reason in zh-CN and English (`reason`)' };

export function reportRoutes(api: ApiRouter, { reports }: CheckinServices): void {
  const tags = ['Reports 双报到'];
  api
    .route(
      {
        method: 'post',
        path: '/reports',
        summary: 'Report to the residence community or the community paired with the work unit',
        description:
          'Checked against the registry: a residence report goes to the community of the member’s compound, a work report to a community paired with the member’s work unit; one open report per kind.',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { body: SubmitReport },
        responses: {
          201: { description: 'Submitted', schema: ReportView },
          404: { description: 'A member naming anyone but themself' },
          409: refusal,
          422: { description: 'Refused; an unknown or out-of-scope community or member (`field`)' },
        },
      },
      async ({ body, principal }) => ({
        status: 201,
        body: reportView(await reports.submit(body, principal)),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/reports',
        summary: 'Reports in scope (members: their own)',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { query: ReportListQuery },
        responses: { 200: { description: 'A page of reports', schema: page(ReportView) } },
      },
      async ({ query, principal }) => ({ body: pageView(await reports.list(query, principal), reportView) }),
    )
    .route(
      {
        method: 'get',
        path: '/reports/:id',
        summary: 'One report',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { params: IdParams },
        responses: {
          200: { description: 'The report', schema: ReportView },
          404: { description: 'Not found' },
        },
      },
      async ({ params, principal }) => ({ body: reportView(await reports.get(params.id, principal)) }),
    )
    .route(
      {
        method: 'post',
        path: '/reports/:id/confirm',
        summary: 'The community confirms the report: it becomes active',
        tags,
        roles: MANAGERS,
        request: { params: IdParams },
        responses: { 200: { description: 'Active', schema: ReportView }, 409: refusal },
      },
      async ({ params, principal }) => ({ body: reportView(await reports.confirm(params.id, principal)) }),
    )
    .route(
      {
        method: 'post',
        path: '/reports/:id/reject',
        summary: 'The community turns the report down, with a reason',
        tags,
        roles: MANAGERS,
        request: { params: IdParams, body: CloseReport },
        responses: { 200: { description: 'Rejected', schema: ReportView }, 409: refusal },
      },
      async ({ params, body, principal }) => ({
        body: reportView(await reports.reject(params.id, body.reason, principal)),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/reports/:id/end',
        summary: 'End a report (moved, changed job…); the member or the community',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { params: IdParams, body: CloseReport },
        responses: { 200: { description: 'Ended', schema: ReportView }, 409: refusal },
      },
      async ({ params, body, principal }) => ({
        body: reportView(await reports.end(params.id, body.reason, principal)),
      }),
    )
    .route(
      {
        method: 'put',
        path: '/reports/:id/pledge',
        summary: 'Sign the service pledge (承诺书, 亮诺)',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { params: IdParams, body: PledgeBody },
        responses: { 200: { description: 'Pledged', schema: ReportView }, 409: refusal },
      },
      async ({ params, body, principal }) => ({
        body: reportView(await reports.pledge(params.id, body.items, principal)),
      }),
    )
    .route(
      {
        method: 'put',
        path: '/reports/:id/placement',
        summary: 'Place the member (一编三定): grid, post such as 楼栋长, duties, service slots',
        tags,
        roles: MANAGERS,
        request: { params: IdParams, body: PlacementBody },
        responses: { 200: { description: 'Placed', schema: ReportView }, 409: refusal, 422: refusal },
      },
      async ({ params, body, principal }) => ({
        body: reportView(await reports.place(params.id, body, principal)),
      }),
    );
}

export function activityRoutes(api: ApiRouter, { activities }: CheckinServices): void {
  const tags = ['Activities 活动与吹哨'];
  api
    .route(
      {
        method: 'post',
        path: '/activities',
        summary: 'Publish an activity or blow the whistle (kind: call)',
        tags,
        roles: MANAGERS,
        request: { body: CreateActivity },
        responses: { 201: { description: 'Published', schema: ActivityView }, 422: refusal },
      },
      async ({ body, principal }) => ({
        status: 201,
        body: activityView(
          await activities.create(
            { ...body, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt) },
            principal,
          ),
        ),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/activities',
        summary: 'Activities in scope (members: of the communities they reported to)',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { query: ActivityListQuery },
        responses: { 200: { description: 'A page of activities', schema: page(ActivityView) } },
      },
      async ({ query, principal }) => ({
        body: pageView(
          await activities.list(
            {
              limit: query.limit,
              ...(query.cursor ? { cursor: query.cursor } : {}),
              ...(query.communityId ? { communityId: query.communityId } : {}),
              ...(query.kind ? { kind: query.kind } : {}),
              ...(query.from ? { from: new Date(query.from) } : {}),
              ...(query.to ? { to: new Date(query.to) } : {}),
            },
            principal,
          ),
          activityView,
        ),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/activities/:id',
        summary: 'One activity',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { params: IdParams },
        responses: { 200: { description: 'The activity', schema: ActivityView } },
      },
      async ({ params, principal }) => ({ body: activityView(await activities.get(params.id, principal)) }),
    )
    .route(
      {
        method: 'post',
        path: '/activities/:id/responses',
        summary: 'Sign up for an activity or answer a whistle call (response time recorded)',
        tags,
        roles: ['member'],
        request: { params: IdParams, body: RespondBody },
        responses: {
          201: { description: 'Recorded', schema: ResponseView },
          404: { description: 'Not found or not theirs' },
          409: refusal,
          422: refusal,
        },
      },
      async ({ params, body, principal }) => ({
        status: 201,
        body: responseView(await activities.respond(params.id, body.note, principal)),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/activities/:id/responses',
        summary: 'Who signed up or answered, with response times',
        tags,
        roles: MANAGERS,
        request: { params: IdParams },
        responses: {
          200: { description: 'Responses', schema: z.object({ items: z.array(ResponseView) }) },
          404: { description: 'Not found or out of scope' },
        },
      },
      async ({ params, principal }) => ({
        body: {
          items: (await activities.responses(params.id, principal)).map((x) =>
            responseView(x.response, x.arrived),
          ),
        },
      }),
    )
    .route(
      {
        method: 'get',
        path: '/activities/:id/qr',
        summary: 'The QR token to show now; it rotates (default every 30 s) and is bound to the activity',
        tags,
        roles: MANAGERS,
        request: { params: IdParams },
        responses: { 200: { description: 'The current token', schema: QrView }, 409: refusal },
      },
      async ({ params, principal }) => ({
        headers: { 'cache-control': 'no-store' },
        body: qrView(await activities.qr(params.id, principal)),
      }),
    );
}

export function attendanceRoutes(api: ApiRouter, { checkIn, checkOut, sessions }: CheckinServices): void {
  const tags = ['Attendance 签到'];
  const body = AttendanceBody;
  api
    .route(
      {
        method: 'post',
        path: '/attendances/check-in',
        summary:
          'Check in: a member scans the QR code (token, location), or staff witness ({activityId, memberId})',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { body },
        responses: {
          201: { description: 'Checked in', schema: AttendanceView },
          404: { description: 'Witness: the activity is unknown or not theirs (`field: activityId`)' },
          409: { description: 'Replayed token, overlapping session, activity closed' },
          422: {
            description:
              'Expired or forged token, outside the geofence; witness: a member without a report at the community (answered as unknown)',
          },
        },
      },
      async ({ body, principal }) => ({
        status: 201,
        body: attendanceView(await checkIn.run(body, principal)),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/attendances/check-out',
        summary: 'Check out (scan again, or staff witness); credits the hours',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { body },
        responses: {
          200: { description: 'Closed and credited', schema: AttendanceView },
          404: { description: 'Witness: the activity is unknown or not theirs (`field: activityId`)' },
          409: { description: 'No open check-in, replayed token' },
          422: refusal,
        },
      },
      async ({ body, principal }) => ({ body: attendanceView(await checkOut.run(body, principal)) }),
    )
    .route(
      {
        method: 'get',
        path: '/attendances',
        summary: 'Attendance in scope (members: their own)',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { query: AttendanceListQuery },
        responses: { 200: { description: 'A page', schema: page(AttendanceView) } },
      },
      async ({ query, principal }) => ({
        body: pageView(await sessions.list(query, principal), attendanceView),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/attendances/:id',
        summary: 'One attendance',
        tags,
        roles: MANAGERS_AND_MEMBERS,
        request: { params: IdParams },
        responses: { 200: { description: 'The attendance', schema: AttendanceView } },
      },
      async ({ params, principal }) => ({ body: attendanceView(await sessions.get(params.id, principal)) }),
    )
    .route(
      {
        method: 'post',
        path: '/attendances/:id/confirm',
        summary:
          'Staff confirm an auto-closed session with the check-out they witnessed; only then is it credited',
        tags,
        roles: MANAGERS,
        request: { params: IdParams, body: ConfirmBody },
        responses: { 200: { description: 'Credited', schema: AttendanceView }, 409: refusal, 422: refusal },
      },
      async ({ params, body, principal }) => ({
        body: attendanceView(await sessions.confirm(params.id, new Date(body.checkOutAt), principal)),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/attendances/:id/dismiss',
        summary: 'Staff decide an auto-closed session earns nothing',
        tags,
        roles: MANAGERS,
        request: { params: IdParams },
        responses: { 200: { description: 'Dismissed', schema: AttendanceView }, 409: refusal },
      },
      async ({ params, principal }) => ({
        body: attendanceView(await sessions.dismiss(params.id, principal)),
      }),
    );
}

export function feedbackRoutes(api: ApiRouter, { ctx, feedback, sweep }: CheckinServices): void {
  api
    .route(
      {
        method: 'get',
        path: '/units/:unitId/feedback',
        summary:
          'Work-unit feedback sheet (反馈单位): per member reports, attendance, hours, flags; rates vs 95 %',
        tags: ['Feedback 反馈'],
        roles: MANAGERS,
        request: { params: UnitParams, query: FeedbackQuery },
        responses: {
          // One content type per status here: the JSON sheet; format=csv|xlsx answers it as a file instead.
          200: {
            description:
              'The sheet as JSON; with format=csv, text/csv (UTF-8 with BOM); with format=xlsx, an XLSX workbook',
            schema: FeedbackSheetView,
          },
          404: { description: 'Unit not found or out of scope' },
        },
      },
      async ({ params, query, principal, res }) => {
        const sheet = await feedback.unitSheet(params.unitId, parsePeriod(query.period)!, principal);
        if (query.format === 'json') return { body: feedbackSheetView(sheet) };
        const name = `feedback-${params.unitId}-${query.period}`;
        if (query.format === 'csv') {
          res
            .status(200)
            .type('text/csv; charset=utf-8')
            .setHeader('content-disposition', `attachment; filename="${name}.csv"`)
            .send(feedbackCsv(sheet));
        } else {
          res
            .status(200)
            .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
            .setHeader('content-disposition', `attachment; filename="${name}.xlsx"`)
            .send(await feedbackXlsx(sheet));
        }
        return undefined;
      },
    )
    .route(
      {
        method: 'get',
        path: '/members/:id/summary',
        summary: 'A member’s reports, attendance and hours in a period (default: the current half-year)',
        tags: ['Feedback 反馈'],
        roles: MANAGERS_AND_MEMBERS,
        request: { params: IdParams, query: SummaryQuery },
        responses: {
          200: { description: 'The summary', schema: MemberSummaryView },
          404: { description: 'Not found or out of scope' },
        },
      },
      async ({ params, query, principal }) => ({
        body: memberSummaryView(
          await feedback.memberSummary(
            params.id,
            parsePeriod(query.period ?? halfYearOf(ctx.clock.now()))!,
            principal,
          ),
        ),
      }),
    )
    .route(
      {
        method: 'post',
        path: '/scans',
        summary: 'Run the scheduled sweep now: auto-close open sessions, flag and clear 报而不到',
        tags: ['Maintenance 维护'],
        roles: ['city-admin'],
        request: { body: z.strictObject({}).optional() },
        responses: { 200: { description: 'What the sweep did', schema: SweepView } },
      },
      async () => ({ body: sweepView(await sweep.run()) }),
    );
}
