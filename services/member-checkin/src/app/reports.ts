import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { emitAll, withOutbox } from '@honglian/messaging';
import type { Page } from '../data/page.js';
import type { ReportQuery } from '../data/reports.js';
import {
  REPORT_CHANGED,
  claimant,
  decideReportAction,
  decideSubmit,
  type Report,
  type ReportCommand,
  type ReportKind,
} from '../domain/reports.js';
import { actorOf, dayOf, newId, type CheckinContext } from './context.js';
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

/** Reports (双报到): submit, the community's confirm or reject, end, pledge (亮诺), placement (一编三定). */
export class ReportService {
  constructor(
    private readonly ctx: CheckinContext,
    private readonly refs: References,
  ) {}

  private get store() {
    return this.ctx.data.reports;
  }

  async submit(cmd: SubmitReport, principal: Principal): Promise<Report> {
    const memberId = orThrow(claimant(cmd.memberId, principal.memberId)).changes;
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const now = this.ctx.clock.now();
      // Load: the member and community in the caller's scope, the member's reports (under their lock).
      const target = await this.refs.reportTarget(principal, memberId, cmd.communityId, dayOf(now), session);
      if (target.member) await this.store.lockMember(session, memberId);
      const existing = await this.store.ofMember(memberId, session);
      const { changes, events } = orThrow(
        decideSubmit(
          { ...cmd, reportId: newId('rep'), memberId, now, actor: actorOf(principal) },
          {
            member: target.member && target.facts && { ...target.facts, name: target.member.name },
            community: {
              ...target.community,
              name: target.community.doc.name,
              path: target.community.doc.path,
            },
            pairings: target.pairings,
            existing: existing.map((r) => ({
              id: r._id,
              kind: r.kind,
              status: r.status,
              communityId: r.communityId,
            })),
            disclose: target.disclose,
          },
        ),
      );
      await this.store.insert(changes.report, session);
      emitAll(outbox, events, { time: this.ctx.clock.now() });
      return changes.report;
    });
  }

  async get(id: string, principal: Principal): Promise<Report> {
    return (await this.refs.report(principal, id)).doc;
  }

  list(q: ReportQuery, principal: Principal): Promise<Page<Report>> {
    return this.store.page(principal, q);
  }

  confirm(id: string, principal: Principal) {
    return this.act(id, { action: 'confirm' }, principal, { manageOnly: true });
  }

  reject(id: string, reason: string, principal: Principal) {
    return this.act(id, { action: 'reject', reason }, principal, { manageOnly: true });
  }

  end(id: string, reason: string, principal: Principal) {
    return this.act(id, { action: 'end', reason }, principal, { manageOnly: false });
  }

  /** 亮诺: the member signs the service pledge (承诺书) of this report. */
  pledge(id: string, items: string[], principal: Principal) {
    return this.act(id, { action: 'pledge', items }, principal, { manageOnly: false });
  }

  /** 一编三定: staff put the member in a group with a fixed grid, post and duties. */
  async place(id: string, cmd: PlaceMember, principal: Principal) {
    let grid: { id: string; name: string } | null = null;
    if (cmd.gridId) {
      const { doc } = await this.refs.report(principal, id, { manageOnly: true });
      grid = await this.refs.grid(doc, cmd.gridId);
    }
    const { post, duties, slots } = cmd;
    return this.act(id, { action: 'place', grid, post, duties, slots }, principal, { manageOnly: true });
  }

  /** Load the report in scope → decide the action → save it if the report did not change meanwhile. */
  private act(
    id: string,
    cmd: ReportCommand,
    principal: Principal,
    opts: { manageOnly: boolean },
  ): Promise<Report> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const { doc } = await this.refs.report(principal, id, { manageOnly: opts.manageOnly, session });
      const now = this.ctx.clock.now();
      const { changes, events } = orThrow(
        decideReportAction(doc, { ...cmd, now, actor: actorOf(principal) }),
      );
      if (!(await this.store.updateIfStatus(id, doc.status, changes.set, session)))
        throwRefusal(REPORT_CHANGED());
      emitAll(outbox, events, { time: this.ctx.clock.now() });
      return changes.report;
    });
  }
}
