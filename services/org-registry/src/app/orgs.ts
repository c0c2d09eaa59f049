import type { Principal } from '@honglian/service-kit';
import { emitAll, withOutbox, type OutboxWriter } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { OrgRecordView } from '../api/schemas.js';
import type { ChangeOrg, CreateOrg } from '../domain/commands.js';
import {
  PARENT,
  committeeInForce,
  decideChangeOrg,
  decideCloseOrg,
  decideCreateOrg,
  orgConflict,
} from '../domain/orgs.js';
import type { OrgDoc } from '../domain/records.js';
import { resolveOrg } from '../domain/references.js';
import { managesPlacement } from '../domain/scope.js';
import { checkDates, newId, orThrowAs, refusalError, stampOf, type RegistryContext } from './context.js';
import { orgView } from './views.js';

const notFoundDetail = (id: string) => `Organisation ${id} was not found.`;

/** Registering, changing and closing units: load → decide (domain/orgs.ts) → save, one transaction each. */
export class OrgService {
  constructor(private readonly ctx: RegistryContext) {}

  private get repo() {
    return this.ctx.orgs;
  }

  async create(cmd: CreateOrg, principal: Principal): Promise<OrgRecordView> {
    return withOutbox(this.ctx.conn, async (session, outbox) =>
      this.createIn(session, outbox, cmd, principal),
    );
  }

  /** Creation inside a caller's transaction (the bulk import applies many in one). */
  async createIn(
    session: ClientSession,
    outbox: OutboxWriter,
    cmd: CreateOrg,
    principal: Principal,
  ): Promise<OrgRecordView> {
    checkDates(this.ctx, [
      { field: 'effectiveFrom', day: cmd.effectiveFrom },
      { field: 'term.start', day: cmd.term?.start },
      { field: 'term.end', day: cmd.term?.end, end: true },
    ]);
    const id = cmd.id ?? newId(cmd.kind === 'property-firm' ? 'firm' : 'org');
    const day = cmd.effectiveFrom;
    const parent = cmd.parentId
      ? resolveOrg(
          principal,
          await this.repo.versionOn(cmd.parentId, day, session),
          PARENT,
          cmd.parentId,
          day,
        )
      : null;
    const state = {
      parent,
      committeeInForce: await this.committeeUnder(cmd.kind, cmd.parentId, day, id, session),
      idTaken: await this.repo.exists(id, session),
      creditHolder: cmd.creditCode ? await this.repo.creditCodeHolder(cmd.creditCode, id, session) : null,
    };
    const { changes, events } = orThrowAs(
      decideCreateOrg({ ...cmd, id }, state, stampOf(this.ctx, principal)),
    );
    await this.repo.insert(changes.doc, session);
    emitAll(outbox, events, { time: this.ctx.clock.now() });
    return orgView(changes.doc, changes.version);
  }

  /** For an owners' committee: another one in force under the compound on `day` or later (one per compound). */
  private async committeeUnder(
    kind: string,
    compoundId: string | null | undefined,
    day: string,
    self: string,
    session: ClientSession,
  ): Promise<string | null> {
    if (kind !== 'owners-committee' || !compoundId) return null;
    // Serialises committees of one compound: two concurrent ones cannot both find none.
    await this.repo.lock(compoundId, session);
    return committeeInForce(await this.repo.childrenOf(compoundId, session), compoundId, day, self);
  }

  /** The unit with its latest version (which may start in the future), if the principal manages it. */
  private async managedLatest(
    principal: Principal,
    id: string,
    session: ClientSession,
  ): Promise<OrgDoc | null> {
    const doc = await this.repo.findById(id, session);
    const latest = doc?.versions.at(-1);
    return doc && latest && managesPlacement(principal, { county: doc.county, paths: [latest.path] })
      ? doc
      : null;
  }

  async change(id: string, cmd: ChangeOrg, principal: Principal): Promise<OrgRecordView> {
    checkDates(this.ctx, [
      { field: 'effectiveFrom', day: cmd.effectiveFrom },
      { field: 'term.start', day: cmd.term?.start },
      { field: 'term.end', day: cmd.term?.end, end: true },
    ]);
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const doc = await this.managedLatest(principal, id, session);
      const latest = doc?.versions.at(-1);
      const moves = !!latest && cmd.parentId !== undefined && cmd.parentId !== latest.parentId;
      const parent =
        moves && cmd.parentId
          ? resolveOrg(
              principal,
              await this.repo.versionOn(cmd.parentId, cmd.effectiveFrom, session),
              PARENT,
              cmd.parentId,
              cmd.effectiveFrom,
            )
          : undefined;
      const creditHolder =
        doc && cmd.creditCode !== undefined && cmd.creditCode !== latest?.creditCode
          ? await this.repo.creditCodeHolder(cmd.creditCode, id, session)
          : null;
      const descendants = moves && latest ? await this.repo.descendantsOf(latest.path, session) : [];
      const committee =
        moves && doc
          ? await this.committeeUnder(doc.kind, cmd.parentId, cmd.effectiveFrom, id, session)
          : null;
      const { changes, events } = orThrowAs(
        decideChangeOrg(
          id,
          cmd,
          { doc, ...(parent ? { parent } : {}), creditHolder, descendants, committeeInForce: committee },
          stampOf(this.ctx, principal),
        ),
        notFoundDetail(id),
      );
      for (const w of changes.writes) {
        if (!(await this.repo.writeVersions(w.doc, { versions: w.versions, paths: w.paths }, session))) {
          throw refusalError(orgConflict(w.doc._id));
        }
      }
      emitAll(outbox, events, { time: this.ctx.clock.now() });
      return orgView(changes.doc, changes.version);
    });
  }

  async close(id: string, closedOn: string, principal: Principal): Promise<OrgRecordView> {
    checkDates(this.ctx, [{ field: 'closedOn', day: closedOn }]);
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const doc = await this.managedLatest(principal, id, session);
      const children = doc ? await this.repo.childrenOf(id, session) : [];
      const { changes, events } = orThrowAs(
        decideCloseOrg(id, closedOn, { doc, children }),
        notFoundDetail(id),
      );
      if (!(await this.repo.writeVersions(changes.doc, { versions: changes.versions }, session))) {
        throw refusalError(orgConflict(id));
      }
      emitAll(outbox, events, { time: this.ctx.clock.now() });
      return orgView(changes.doc, changes.closed);
    });
  }
}
