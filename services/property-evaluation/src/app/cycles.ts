import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { emitAll, withOutbox } from '@honglian/messaging';
import { NOT_FOUND_REASON, refuse, type EventDraft } from '@honglian/service-kit/domain';
import type { ClientSession } from 'mongoose';
import type { Page, PageRequest } from '../data/page.js';
import {
  decideCreateCycle,
  decideCycleStep,
  decideHouseholds,
  type Cycle,
  type CycleStatus,
} from '../domain/cycles.js';
import { dayOf } from '../domain/period.js';
import { decidePublishVersion, type Result } from '../domain/results.js';
import { isAdminOf } from '../domain/roles.js';
import type { Template } from '../domain/template.js';
import { actorOf, newId, type EvaluationContext } from './context.js';
import type { References } from './references.js';
import { resultsOf } from './review.js';
import type { TemplateService } from './templates.js';

export const CYCLE_CHANGED = () =>
  refuse.conflict('评价周期刚被修改，请重试', 'the cycle changed meanwhile; try again');

export interface CreateCycle {
  county?: string | undefined;
  period: string;
  templateId?: string | undefined;
  noticeDays?: number | undefined;
}

/** Cycles: open → collecting → computed → notice → published. */
export class CycleService {
  constructor(
    private readonly ctx: EvaluationContext,
    private readonly refs: References,
    private readonly templates: TemplateService,
  ) {}

  private get data() {
    return this.ctx.data;
  }

  async create(p: Principal, cmd: CreateCycle): Promise<Cycle> {
    const county = cmd.county ?? p.county;
    if (!county || !isAdminOf(p, county))
      return throwRefusal(refuse.notFound(NOT_FOUND_REASON, { field: 'county' }));
    const template = cmd.templateId
      ? await this.refs.template(p, cmd.templateId, 'templateId')
      : await this.templates.ensureDefault();
    if (template.county !== null && template.county !== county)
      throwRefusal(refuse.notFound(NOT_FOUND_REASON, { field: 'templateId' }));
    return withOutbox(this.ctx.conn, async (session) => {
      const now = this.ctx.clock.now();
      const { changes } = orThrow(
        decideCreateCycle({
          cycleId: newId('cyc'),
          county,
          period: cmd.period,
          templateId: template._id,
          noticeDays: cmd.noticeDays ?? this.ctx.settings.noticeDays,
          now,
          actor: actorOf(p),
          duplicate: await this.data.cycles.exists(county, cmd.period, session),
        }),
      );
      if (!(await this.data.cycles.insert(changes.cycle, session)))
        throwRefusal(
          refuse.conflict('该区县此周期已有评价', 'this county already has a cycle for this period', {
            field: 'period',
          }),
        );
      // From now on the template cannot change: it is a version in use.
      await this.data.templates.markUsed(template._id, now, session);
      return changes.cycle;
    });
  }

  get(p: Principal, id: string): Promise<Cycle> {
    return this.refs.cycle(p, id);
  }

  async list(p: Principal, q: PageRequest & { status?: CycleStatus | undefined }): Promise<Page<Cycle>> {
    const filter = await this.refs.cycleScope(p);
    return this.data.cycles.page(q.status ? { $and: [filter, { status: q.status }] } : filter, q);
  }

  async setHouseholds(p: Principal, id: string, entries: { compoundId: string; households: number }[]) {
    for (const e of entries) await this.refs.compound(p, e.compoundId);
    return withOutbox(this.ctx.conn, async (session) => {
      const cycle = await this.refs.managedCycle(p, id, session);
      for (const e of entries)
        if ((await this.data.readModel.org(e.compoundId, session))?.county !== cycle.county)
          throwRefusal(
            refuse.invalid('小区不在该周期的区县', 'the compound is not in the cycle’s county', {
              field: 'compoundId',
            }),
          );
      const { changes } = orThrow(
        decideHouseholds(cycle, entries, { now: this.ctx.clock.now(), actor: actorOf(p) }),
      );
      await this.save(changes.cycle, cycle.status, session);
      return changes.cycle;
    });
  }

  start(p: Principal, id: string) {
    return this.step(p, id, 'start');
  }

  notice(p: Principal, id: string) {
    return this.step(p, id, 'notice');
  }

  /** Computes every firm's result (again, until the notice starts) from the submissions as they stand. */
  compute(p: Principal, id: string): Promise<Cycle> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const cycle = await this.refs.managedCycle(p, id, session);
      const template = await this.templateOf(cycle, session);
      const results = await resultsOf(this.ctx, cycle, template, session);
      const { changes, events } = orThrow(
        decideCycleStep(cycle, {
          action: 'compute',
          now: this.ctx.clock.now(),
          actor: actorOf(p),
          pendingAppeals: 0,
          firms: results.length,
          scored: results.filter((r) => r.firm.score !== null).length,
        }),
      );
      await this.save(changes.cycle, cycle.status, session);
      await this.data.results.replaceCycle(cycle._id, results, session);
      emitAll(outbox, events, { time: this.ctx.clock.now() });
      return changes.cycle;
    });
  }

  /** After the notice, every result is frozen as its first published version. */
  publish(p: Principal, id: string): Promise<Cycle> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const cycle = await this.refs.managedCycle(p, id, session);
      const now = this.ctx.clock.now();
      const { changes } = orThrow(
        decideCycleStep(cycle, {
          action: 'publish',
          now,
          actor: actorOf(p),
          pendingAppeals: await this.data.appeals.pending(cycle._id, session),
        }),
      );
      const template = await this.templateOf(cycle, session);
      const events: EventDraft[] = [];
      for (const result of await this.data.results.ofCycle(cycle._id, session))
        events.push(...(await this.publishOne(result, template, null, session)));
      await this.save(changes.cycle, cycle.status, session);
      emitAll(outbox, events, { time: now });
      return changes.cycle;
    });
  }

  /** Freezes one result as its next version (the first, or a revision with a reason). */
  async publishOne(result: Result, template: Template, reason: string | null, session: ClientSession) {
    const previous = await this.data.versions.current(result._id, session);
    const now = this.ctx.clock.now();
    const blacklisted = await this.data.versions.blacklistedFirms(dayOf(now), result._id, session);
    const { changes, events } = orThrow(
      decidePublishVersion(result, template, {
        now,
        reason,
        previous,
        blacklistedElsewhere: blacklisted.includes(result.firmId),
      }),
    );
    if (!(await this.data.versions.add(changes.version, previous, session))) throwRefusal(CYCLE_CHANGED());
    await this.data.results.replace(changes.result, session);
    return events;
  }

  async templateOf(cycle: Cycle, session?: ClientSession): Promise<Template> {
    const t = await this.data.templates.byId(cycle.templateId, session);
    if (!t) throw new Error(`cycle ${cycle._id} names a missing template ${cycle.templateId}`);
    return t;
  }

  private async step(p: Principal, id: string, action: 'start' | 'notice'): Promise<Cycle> {
    return withOutbox(this.ctx.conn, async (session) => {
      const cycle = await this.refs.managedCycle(p, id, session);
      const { changes } = orThrow(
        decideCycleStep(cycle, { action, now: this.ctx.clock.now(), actor: actorOf(p), pendingAppeals: 0 }),
      );
      await this.save(changes.cycle, cycle.status, session);
      return changes.cycle;
    });
  }

  async save(next: Cycle, expected: CycleStatus, session: ClientSession): Promise<void> {
    if (!(await this.data.cycles.replaceIf(next, expected, session))) throwRefusal(CYCLE_CHANGED());
  }
}
