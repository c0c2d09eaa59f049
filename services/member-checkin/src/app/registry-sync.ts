import { emitAll, type OutboxWriter } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { MemberRm } from '../data/models.js';
import { decideRegistryEnd, staleReports, type CloseCode } from '../domain/registry-sync.js';
import type { Report } from '../domain/reports.js';
import type { CheckinContext } from './context.js';

/**
 * Registry changes flow to the reports (domain/registry-sync.ts): the registry consumer
 * (events/registry.ts) calls these after it updated the read model, in the event's transaction,
 * so the reports ended, their report.ended events and the event's processed record commit
 * together. Each step only ends reports still open: a duplicate or replayed event changes nothing.
 */
export class RegistrySync {
  constructor(private readonly ctx: CheckinContext) {}

  /** The member's record changed (moved, new work unit or county, transferred, inactive) as of `day`. */
  async memberChanged(
    doc: MemberRm,
    day: string,
    cause: { transferred: boolean },
    session: ClientSession,
    outbox: OutboxWriter,
  ): Promise<number> {
    const { readModel, reports } = this.ctx.data;
    await reports.lockMember(session, doc._id);
    const open = await reports.openWhere({ memberId: doc._id }, session);
    if (open.length === 0) return 0;
    const member = await readModel.memberFacts(doc, session);
    const pairings = doc.workUnitId ? await readModel.pairingsOf(doc.workUnitId, day, session) : [];
    const stale = staleReports({ reports: open, member, pairings, transferred: cause.transferred });
    return this.end(stale, day, session, outbox);
  }

  /** A pairing ended on `day`: the work reports resting on it end, unless another pairing in force still links. */
  async pairingEnded(
    pairingId: string,
    day: string,
    session: ClientSession,
    outbox: OutboxWriter,
  ): Promise<number> {
    const { readModel, reports } = this.ctx.data;
    const stale: { report: Report; code: CloseCode }[] = [];
    for (const report of await reports.openWhere({ pairingId }, session)) {
      if (report.kind !== 'work') continue;
      const doc = await readModel.member(report.memberId, session);
      const unit = doc?.workUnitId ?? report.workUnitId;
      const live = unit ? await readModel.pairingsOf(unit, day, session) : [];
      if (live.some((p) => p.pairingId !== pairingId && p.communityId === report.communityId)) continue;
      stale.push({ report, code: 'pairing-ended' });
    }
    return this.end(stale, day, session, outbox);
  }

  /** A community closed on `day`: its open reports end. */
  async communityClosed(
    communityId: string,
    day: string,
    session: ClientSession,
    outbox: OutboxWriter,
  ): Promise<number> {
    const open = await this.ctx.data.reports.openWhere({ communityId }, session);
    return this.end(
      open.map((report) => ({ report, code: 'community-closed' as const })),
      day,
      session,
      outbox,
    );
  }

  private async end(
    stale: readonly { report: Report; code: CloseCode }[],
    day: string,
    session: ClientSession,
    outbox: OutboxWriter,
  ): Promise<number> {
    let ended = 0;
    for (const { report, code } of stale) {
      const decided = decideRegistryEnd(report, code, day);
      if (!decided) continue;
      if (
        !(await this.ctx.data.reports.updateIfStatus(report._id, report.status, decided.changes.set, session))
      )
        continue;
      emitAll(outbox, decided.events, { time: this.ctx.clock.now() });
      ended += 1;
    }
    return ended;
  }
}
