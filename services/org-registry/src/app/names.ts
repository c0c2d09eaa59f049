import type { Principal } from '@honglian/service-kit';
import type {
  MemberRecordView,
  MemberView,
  OrgRecordView,
  OrgTreeNode,
  OrgView,
  Page,
  RelationRecordView,
  RelationView,
  RevealLogEntryView,
  RevealLogRecordView,
} from '../api/schemas.js';
import { memberNameOn, unitNameOn } from '../domain/names.js';
import type { RegistryContext } from './context.js';

/** The day each item is named as of: one day for a page, or each item's own (a history's versions). */
type DayOf<T> = string | ((item: T) => string);
const dayFor = <T>(day: DayOf<T>, item: T) => (typeof day === 'string' ? day : day(item));

/** A tree of units as the queries build it, before names. */
export type OrgRecordTree = OrgRecordView & { children: OrgRecordTree[] };

/**
 * Names beside ids (README, Names beside ids): every answer naming units or members by id gets
 * their names as they stood on the day the answer is about, looked up in one query per
 * collection per page, never one per row. Unit names are shown whatever unit a visible record
 * names (units are public bodies, and the id is already in the answer); a member's name only
 * by the member read rule (domain/names.ts).
 */
export class Naming {
  constructor(private readonly ctx: RegistryContext) {}

  private async units(ids: Iterable<string | null | undefined>) {
    const docs = await this.ctx.orgs.namesOf(ids);
    return (id: string | null | undefined, day: string) => (id ? unitNameOn(docs.get(id), day) : null);
  }

  async orgs(items: readonly OrgRecordView[], day: DayOf<OrgRecordView>): Promise<OrgView[]> {
    const name = await this.units(items.map((o) => o.parentId));
    return items.map((o) => ({ ...o, parentName: name(o.parentId, dayFor(day, o)) }));
  }

  async org(item: OrgRecordView, day: DayOf<OrgRecordView>): Promise<OrgView> {
    return (await this.orgs([item], day))[0]!;
  }

  async tree(root: OrgRecordTree, day: string): Promise<OrgTreeNode> {
    const all: OrgRecordTree[] = [];
    const walk = (n: OrgRecordTree) => {
      all.push(n);
      n.children.forEach(walk);
    };
    walk(root);
    const name = await this.units(all.map((n) => n.parentId));
    const named = (n: OrgRecordTree): OrgTreeNode => ({
      ...n,
      parentName: name(n.parentId, day),
      children: n.children.map(named),
    });
    return named(root);
  }

  async members(items: readonly MemberRecordView[], day: DayOf<MemberRecordView>): Promise<MemberView[]> {
    const name = await this.units(
      items.flatMap((m) => [m.partyOrgId, m.workUnitId, m.residenceCompoundId, m.residenceBuildingId]),
    );
    return items.map((m) => {
      const d = dayFor(day, m);
      return {
        ...m,
        partyOrgName: name(m.partyOrgId, d),
        workUnitName: name(m.workUnitId, d),
        residenceCompoundName: name(m.residenceCompoundId, d),
        residenceBuildingName: name(m.residenceBuildingId, d),
      };
    });
  }

  async member(item: MemberRecordView, day: DayOf<MemberRecordView>): Promise<MemberView> {
    return (await this.members([item], day))[0]!;
  }

  /** Both sides of relations (an appointment's first side is a member: named by the member read rule). */
  async relations(
    items: readonly RelationRecordView[],
    day: string,
    principal: Principal,
  ): Promise<RelationView[]> {
    const appointment = (r: RelationRecordView) => r.type === 'appointment';
    const unit = await this.units(
      items.flatMap((r) => [appointment(r) ? null : r.fromId, r.toId, r.agencyUnitId ?? null]),
    );
    const members = await this.ctx.members.namesOf(items.filter(appointment).map((r) => r.fromId));
    return items.map((r) => ({
      ...r,
      fromName: appointment(r) ? memberNameOn(principal, members.get(r.fromId), day) : unit(r.fromId, day),
      toName: unit(r.toId, day),
      ...(r.agencyUnitId !== undefined ? { agencyUnitName: unit(r.agencyUnitId, day) } : {}),
    }));
  }

  async relation(item: RelationRecordView, day: string, principal: Principal): Promise<RelationView> {
    return (await this.relations([item], day, principal))[0]!;
  }

  /** The reveal log names each member as of `day`, by the member read rule. */
  async revealLog(
    items: readonly RevealLogRecordView[],
    day: string,
    principal: Principal,
  ): Promise<RevealLogEntryView[]> {
    const members = await this.ctx.members.namesOf(items.map((e) => e.memberId));
    return items.map((e) => ({ ...e, memberName: memberNameOn(principal, members.get(e.memberId), day) }));
  }

  /** A page with its items named. */
  async page<R, V>(p: Page<R>, name: (items: R[]) => Promise<V[]>): Promise<Page<V>> {
    return { ...p, items: await name(p.items) };
  }
}
