import {
  REPORT_KINDS,
  ReportActivated,
  ReportEnded,
  ReportRejected,
  ReportSubmitted,
} from '@honglian/contracts';
import { tenantFilter, type Principal } from '@honglian/service-kit';
import { withOutbox } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { ReportDoc } from '../data/models.js';
import {
  REPORT_STATUS_LABELS,
  checkReportClaim,
  transition,
  type ReportAction,
  type ReportKind,
} from '../domain/reports.js';
import { reason } from '../domain/rules.js';
import { TOPIC, actorOf, checkinEvent, dayOf, newId, refused, type CheckinContext } from './context.js';
import type { References } from './references.js';

export interface SubmitReport {
  memberId?: string | undefined;
  kind: ReportKind;
  communityId: string;
  specialties: string[];
  preferences: string[];
}

export interface PlaceMember {
  gridId?: string | null | undefined;
  post: string;
  duties: string[];
  slots: string[];
}

export function reportView(r: ReportDoc) {
  return {
    id: r._id,
    county: r.county,
    memberId: r.memberId,
    memberName: r.memberName,
    workUnitId: r.workUnitId,
    kind: r.kind,
    kindLabel: REPORT_KINDS[r.kind],
    communityId: r.communityId,
    communityName: r.communityName,
    pairingId: r.pairingId,
    status: r.status,
    statusLabel: REPORT_STATUS_LABELS[r.status],
    specialties: r.specialties,
    preferences: r.preferences,
    submittedAt: r.submittedAt.toISOString(),
    submittedBy: r.submittedBy,
    activatedAt: r.activatedAt?.toISOString() ?? null,
    confirmedBy: r.confirmedBy,
    rejectedAt: r.rejectedAt?.toISOString() ?? null,
    endedAt: r.endedAt?.toISOString() ?? null,
    closeReason: r.closeReason,
    pledge: r.pledge ? { ...r.pledge, signedAt: new Date(r.pledge.signedAt).toISOString() } : null,
    placement: r.placement
      ? { ...r.placement, placedAt: new Date(r.placement.placedAt).toISOString() }
      : null,
    lastAttendanceAt: r.lastAttendanceAt?.toISOString() ?? null,
    noShow: r.noShow,
    noShowSince: r.noShowSince?.toISOString() ?? null,
  };
}
export type ReportView = ReturnType<typeof reportView>;

export const REPORT_SCOPE = { orgPathField: 'communityPath', memberField: 'memberId' } as const;

export class ReportService {
  constructor(
    private readonly ctx: CheckinContext,
    private readonly refs: References,
  ) {}

  private get Report() {
    return this.ctx.models.Report;
  }

  /** Serialises one member's writes (reports, sessions) across concurrent requests. */
  async lockMember(session: ClientSession, memberId: string): Promise<void> {
    await this.ctx.models.MemberLock.updateOne(
      { _id: memberId },
      { $inc: { n: 1 } },
      { upsert: true, session },
    );
  }

  async submit(cmd: SubmitReport, principal: Principal): Promise<ReportView> {
    const memberId = cmd.memberId ?? principal.memberId;
    if (!memberId) throw refused(422, reason('请指定党员', 'memberId is required'), { field: 'memberId' });
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const now = this.ctx.clock.now();
      const { member, facts, pairings, community, disclose } = await this.refs.reportTarget(
        principal,
        memberId,
        cmd.communityId,
        dayOf(now),
        session,
      );
      if (member) await this.lockMember(session, memberId);
      const existing = await this.Report.find({ memberId }).session(session).lean<ReportDoc[]>();
      const decision = checkReportClaim({
        member: facts,
        kind: cmd.kind,
        community,
        communityId: cmd.communityId,
        pairings,
        existing: existing.map((r) => ({
          id: r._id,
          kind: r.kind,
          status: r.status,
          communityId: r.communityId,
        })),
        disclose,
      });
      if (!decision.ok) throw refused(decision.status, decision.reason);
      const doc: ReportDoc = {
        _id: newId('rep'),
        county: community.county,
        memberId,
        memberName: member!.name,
        workUnitId: member!.workUnitId,
        kind: cmd.kind,
        communityId: cmd.communityId,
        communityName: community.doc.name,
        communityPath: community.doc.path,
        pairingId: decision.value.pairingId,
        status: 'submitted',
        specialties: cmd.specialties,
        preferences: cmd.preferences,
        submittedAt: now,
        submittedBy: actorOf(principal),
        activatedAt: null,
        confirmedBy: null,
        rejectedAt: null,
        endedAt: null,
        closedBy: null,
        closeReason: null,
        pledge: null,
        placement: null,
        lastAttendanceAt: null,
        noShow: false,
        noShowSince: null,
      };
      await this.Report.create([doc], { session });
      outbox.add(
        TOPIC,
        checkinEvent(this.ctx, ReportSubmitted.type, doc._id, doc.county, {
          ...this.facts(doc),
          submittedAt: now.toISOString(),
          submittedBy: doc.submittedBy,
        }),
      );
      return reportView(doc);
    });
  }

  private facts(r: ReportDoc) {
    return {
      reportId: r._id,
      county: r.county,
      memberId: r.memberId,
      kind: r.kind,
      communityId: r.communityId,
      workUnitId: r.workUnitId,
    };
  }

  async get(id: string, principal: Principal): Promise<ReportView> {
    return reportView((await this.refs.report(principal, id)).doc);
  }

  async list(
    q: {
      memberId?: string;
      communityId?: string;
      status?: string;
      kind?: string;
      limit: number;
      cursor?: string;
    },
    principal: Principal,
  ): Promise<{ items: ReportView[]; nextCursor: string | null }> {
    const filter: Record<string, unknown> = { $and: [tenantFilter(principal, REPORT_SCOPE)] };
    for (const key of ['memberId', 'communityId', 'status', 'kind'] as const)
      if (q[key]) filter[key] = q[key];
    if (q.cursor) filter._id = { $gt: q.cursor };
    const docs = await this.Report.find(filter)
      .sort({ _id: 1 })
      .limit(q.limit + 1)
      .lean<ReportDoc[]>();
    const page = docs.slice(0, q.limit);
    return { items: page.map(reportView), nextCursor: docs.length > q.limit ? page.at(-1)!._id : null };
  }

  private async act(
    id: string,
    action: ReportAction,
    principal: Principal,
    opts: { manageOnly: boolean },
    apply: (doc: ReportDoc, now: Date, actor: string) => Partial<ReportDoc>,
    emit?: (doc: ReportDoc, now: Date, actor: string) => { type: string; data: object },
  ): Promise<ReportView> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const { doc } = await this.refs.report(principal, id, { manageOnly: opts.manageOnly, session });
      const decision = transition(doc.status, action);
      if (!decision.ok) throw refused(decision.status, decision.reason, { status: doc.status });
      const now = this.ctx.clock.now();
      const actor = actorOf(principal);
      const changes = { ...apply(doc, now, actor), status: decision.value };
      const res = await this.Report.updateOne(
        { _id: id, status: doc.status },
        { $set: changes },
        { session },
      );
      if (res.matchedCount === 0)
        throw refused(409, reason('报到已被他人更新，请重试', 'the report changed meanwhile; try again'));
      const updated = { ...doc, ...changes } as ReportDoc;
      const e = emit?.(updated, now, actor);
      if (e) outbox.add(TOPIC, checkinEvent(this.ctx, e.type, id, doc.county, e.data));
      return reportView(updated);
    });
  }

  confirm(id: string, principal: Principal) {
    return this.act(
      id,
      'confirm',
      principal,
      { manageOnly: true },
      (_d, now, actor) => ({ activatedAt: now, confirmedBy: actor, noShow: false, noShowSince: null }),
      (d, now, actor) => ({
        type: ReportActivated.type,
        data: { ...this.facts(d), activatedAt: now.toISOString(), confirmedBy: actor },
      }),
    );
  }

  reject(id: string, why: string, principal: Principal) {
    return this.act(
      id,
      'reject',
      principal,
      { manageOnly: true },
      (_d, now, actor) => ({ rejectedAt: now, closedBy: actor, closeReason: why }),
      (d, now, actor) => ({
        type: ReportRejected.type,
        data: { ...this.facts(d), rejectedAt: now.toISOString(), rejectedBy: actor, reason: why },
      }),
    );
  }

  end(id: string, why: string, principal: Principal) {
    return this.act(
      id,
      'end',
      principal,
      { manageOnly: false },
      (_d, now, actor) => ({ endedAt: now, closedBy: actor, closeReason: why, noShow: false }),
      (d, now, actor) => ({
        type: ReportEnded.type,
        data: { ...this.facts(d), endedAt: now.toISOString(), endedBy: actor, reason: why },
      }),
    );
  }

  /** 亮诺: the member signs the service pledge (承诺书) of this report. */
  pledge(id: string, items: string[], principal: Principal) {
    return this.act(id, 'pledge', principal, { manageOnly: false }, (_d, now, actor) => ({
      pledge: { items, signedAt: now, signedBy: actor },
    }));
  }

  /** 一编三定: staff put the member in a group with a fixed grid, post and duties. */
  async place(id: string, cmd: PlaceMember, principal: Principal) {
    let grid: { id: string; name: string } | null = null;
    if (cmd.gridId) {
      const { doc } = await this.refs.report(principal, id, { manageOnly: true });
      grid = await this.refs.grid(doc, cmd.gridId);
    }
    return this.act(id, 'place', principal, { manageOnly: true }, (_d, now, actor) => ({
      placement: {
        gridId: grid?.id ?? null,
        gridName: grid?.name ?? null,
        post: cmd.post,
        duties: cmd.duties,
        slots: cmd.slots,
        placedAt: now,
        placedBy: actor,
      },
    }));
  }
}
