import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { withOutbox, type OutboxWriter } from '@honglian/messaging';
import type { AttendanceRecorded, EventData, OrderStateChanged } from '@honglian/contracts';
import type { ClientSession } from 'mongoose';
import type { Page } from '../data/page.js';
import type { RecordQuery } from '../data/records.js';
import {
  decideManualRecord,
  decideRecordReview,
  RECORD_NOT_PENDING,
  type ServiceRecord,
} from '../domain/records.js';
import { dayOf } from '../domain/rules.js';
import { actorOf, newId, type PointsContext } from './context.js';
import type { Ledger } from './ledger.js';
import type { References } from './references.js';

export interface ManualRecord {
  memberId: string;
  communityId: string;
  content: string;
  date: string;
  hours: number;
  organiserName: string;
  training?: string | undefined;
  evaluation?: string | undefined;
  teamId?: string | undefined;
}

/**
 * Service records: from check-in's attendance (once per attendance), from
 * completed orders, and entered by organisers for service outside activities
 * (pending until the recording community approves). An approved record earns.
 */
export class RecordService {
  constructor(
    private readonly ctx: PointsContext,
    private readonly refs: References,
    private readonly ledger: Ledger,
  ) {}

  private get store() {
    return this.ctx.data.records;
  }

  /** `attendance.recorded`: the record and, unless the rules need approval, the points. Idempotent. */
  async fromAttendance(
    d: EventData<typeof AttendanceRecorded>,
    session: ClientSession,
    outbox: OutboxWriter,
  ) {
    if (await this.store.bySource('attendance', d.attendanceId, session)) return 'ignored' as const;
    const community = await this.ctx.data.readModel.org(d.communityId, session);
    const member = await this.ctx.data.readModel.member(d.memberId, session);
    const { rules } = await this.ledger.rulesFor(d.county, session);
    const at = new Date(d.checkOutAt);
    const record: ServiceRecord = {
      _id: `rec-att-${d.attendanceId}`,
      county: d.county,
      memberId: d.memberId,
      memberName: member?.name ?? null,
      communityId: d.communityId,
      communityPath: community?.path ?? '',
      content: d.activityKind === 'call' ? `响应吹哨 ${d.activityId}` : `参加活动 ${d.activityId}`,
      date: dayOf(new Date(d.checkInAt)),
      hours: d.hours,
      organiserId: d.communityId,
      organiserName: community?.name ?? d.communityId,
      training: null,
      evaluation: null,
      teamId: null,
      source: 'attendance',
      sourceId: d.attendanceId,
      status: rules.approvalRequired ? 'pending' : 'approved',
      recordedBy: d.witness ?? 'member-checkin',
      decidedBy: rules.approvalRequired ? null : 'auto',
      decidedAt: rules.approvalRequired ? null : at,
      decisionNote: null,
      createdAt: this.ctx.clock.now(),
    };
    await this.store.insert(record, session);
    if (record.status === 'approved')
      await this.ledger.award(
        {
          ...this.targetOf(record),
          day: record.date,
          cause: { type: 'attendance', id: d.attendanceId },
          at,
          by: record.recordedBy,
        },
        record.hours,
        session,
        outbox,
      );
    return 'applied' as const;
  }

  /** An order done by a member: its record and points (hours), the completion bonus. Idempotent. */
  async fromOrder(d: EventData<typeof OrderStateChanged>, session: ClientSession, outbox: OutboxWriter) {
    if (!d.memberId || d.hours === null) return 'ignored' as const;
    if (await this.store.bySource('order', d.orderId, session)) return 'ignored' as const;
    const order = await this.ctx.data.orders.byId(d.orderId, session);
    if (!order) return 'ignored' as const;
    const at = new Date(d.at);
    const member = await this.ctx.data.readModel.member(d.memberId, session);
    const record: ServiceRecord = {
      _id: `rec-ord-${d.orderId}`,
      county: d.county,
      memberId: d.memberId,
      memberName: member?.name ?? null,
      communityId: order.communityId,
      communityPath: order.communityPath,
      content: order.title,
      date: dayOf(at),
      hours: d.hours,
      organiserId: order.communityId,
      organiserName: order.communityId,
      training: null,
      evaluation: null,
      teamId: null,
      source: 'order',
      sourceId: d.orderId,
      status: 'approved',
      recordedBy: 'order',
      decidedBy: 'auto',
      decidedAt: at,
      decisionNote: order.proof,
      createdAt: this.ctx.clock.now(),
    };
    await this.store.insert(record, session);
    const target = {
      ...this.targetOf(record),
      cause: { type: 'order' as const, id: d.orderId },
      at,
      by: 'order',
    };
    await this.ledger.award(target, d.hours, session, outbox);
    await this.ledger.bonus(target, 'bonusOrderDone', session, outbox);
    return 'applied' as const;
  }

  /** An organiser records service outside an activity: pending until the community approves. */
  async create(cmd: ManualRecord, principal: Principal): Promise<ServiceRecord> {
    const community = await this.refs.community(principal, cmd.communityId);
    const member = await this.refs
      .member(principal, cmd.memberId, { named: 'body' })
      .catch(async (err: unknown) => {
        // A member of the community's county the registry knows may be recorded there.
        const rm = await this.ctx.data.readModel.member(cmd.memberId);
        if (rm && rm.county === community.county) return { name: rm.name };
        throw err;
      });
    const now = this.ctx.clock.now();
    const { changes } = orThrow(
      decideManualRecord(
        {
          _id: newId('rec'),
          county: community.county,
          memberId: cmd.memberId,
          memberName: member.name,
          communityId: community._id,
          communityPath: community.path,
          content: cmd.content,
          date: cmd.date,
          hours: cmd.hours,
          organiserId: community._id,
          organiserName: cmd.organiserName,
          training: cmd.training ?? null,
          evaluation: cmd.evaluation ?? null,
          teamId: cmd.teamId ?? null,
          recordedBy: actorOf(principal),
          createdAt: now,
        },
        dayOf(now),
      ),
    );
    return withOutbox(this.ctx.conn, async (session) => {
      await this.store.insert(changes.record, session);
      return changes.record;
    });
  }

  /** The recording community approves (points follow, once) or rejects a pending record. */
  async review(
    id: string,
    approve: boolean,
    note: string | null,
    principal: Principal,
  ): Promise<ServiceRecord> {
    await this.refs.record(principal, id, { manageOnly: true });
    const now = this.ctx.clock.now();
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const record = (await this.store.byId(id, session))!;
      const { changes } = orThrow(
        decideRecordReview(record, { approve, by: actorOf(principal), at: now, note }),
      );
      if (!(await this.store.updateIfPending(id, changes.set, session)))
        throwRefusal(RECORD_NOT_PENDING(record.status));
      const next = { ...record, ...changes.set };
      if (approve)
        await this.ledger.award(
          {
            ...this.targetOf(next),
            day: next.date,
            cause: { type: 'record', id },
            at: now,
            by: actorOf(principal),
          },
          next.hours,
          session,
          outbox,
        );
      return next;
    });
  }

  get(id: string, principal: Principal): Promise<ServiceRecord> {
    return this.refs.record(principal, id);
  }

  /** Approved records of a period (days, inclusive) in scope, or of one community: the funders' export. */
  async inPeriod(
    principal: Principal,
    from: string,
    to: string,
    communityId?: string,
  ): Promise<ServiceRecord[]> {
    const id = communityId ? (await this.refs.community(principal, communityId))._id : undefined;
    return this.store.inPeriod(principal, from, to, id);
  }

  list(q: RecordQuery, principal: Principal): Promise<Page<ServiceRecord>> {
    return this.store.page(principal, q);
  }

  private targetOf(r: ServiceRecord) {
    return {
      memberId: r.memberId,
      county: r.county,
      communityId: r.communityId,
      communityPath: r.communityPath || null,
      teamId: r.teamId,
    };
  }
}
