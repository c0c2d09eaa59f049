import { throwRefusal, type Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import type { ClientSession } from 'mongoose';
import type { OrgRm } from '../data/types.js';
import type { Certificate } from '../domain/certificates.js';
import type { Account, Entry } from '../domain/ledger.js';
import { UNKNOWN_UNIT, type Order } from '../domain/orders.js';
import type { ServiceRecord } from '../domain/records.js';
import type { CatalogueItem, Redemption } from '../domain/redemption.js';
import { isSelf, manages, managesAny } from '../domain/scope.js';
import type { PointsContext } from './context.js';

/** Out of scope or missing: never told apart. */
const notFound = (): never => throwRefusal(refuse.notFound());

/** What a caller is told about an id in a body it may not use: what it is told about one that does not exist. */
export const UNKNOWN = {
  community: () => refuse.invalid('社区不存在', 'no such community', { field: 'communityId' }),
  member: () => refuse.invalid('党员不存在', 'no such member', { field: 'memberId' }),
  item: () => refuse.notFound('物品不存在', 'no such item', { field: 'itemId' }),
  /** A unit claiming a micro-wish without a pairing in force with its community (domain/orders.ts). */
  unit: UNKNOWN_UNIT,
};

/** A member as the points service knows them: its account, or the registry's record. */
export interface MemberRef {
  memberId: string;
  county: string;
  name: string | null;
  account: Account | null;
  communityPath: string | null;
}

/**
 * The one place where the ids a request names (path, body or query) are
 * resolved within the caller's scope (domain/scope.ts). Every use case goes
 * through it; nothing else loads a record by a caller's id.
 */
export class References {
  constructor(private readonly ctx: PointsContext) {}

  private get d() {
    return this.ctx.data;
  }

  /** An open community the caller manages, or (`forResident`) any open community of the caller's county. */
  async community(principal: Principal, id: string, opts: { anyInCounty?: boolean } = {}): Promise<OrgRm> {
    const org = await this.d.readModel.org(id);
    const ok =
      !!org &&
      org.kind === 'community' &&
      !org.closedOn &&
      (manages(principal, { county: org.county, path: org.path }) ||
        (!!opts.anyInCounty && principal.county === org.county));
    if (!ok) throwRefusal(UNKNOWN.community());
    return org!;
  }

  /** The street above a community (escalation target), if the read model has it. */
  async streetOf(community: OrgRm): Promise<OrgRm | null> {
    const parent = community.parentId ? await this.d.readModel.org(community.parentId) : null;
    return parent && parent.kind === 'street' ? parent : null;
  }

  /**
   * A member whose points the caller may see: themself, the city, their county's admins, staff
   * of the community their account belongs to. `named: 'body'` refuses with 422 (field memberId).
   */
  async member(
    principal: Principal,
    memberId: string,
    opts: { named?: 'path' | 'body'; manageOnly?: boolean } = {},
  ) {
    const [account, rm] = await Promise.all([
      this.d.ledger.account(memberId),
      this.d.readModel.member(memberId),
    ]);
    const county = account?.county ?? rm?.county;
    let communityPath = account?.communityPath ?? null;
    if (!communityPath && rm?.residenceCommunityId)
      communityPath = (await this.d.readModel.org(rm.residenceCommunityId))?.path ?? null;
    const sees =
      !!county &&
      ((!opts.manageOnly && isSelf(principal, memberId)) ||
        manages(principal, { county, path: communityPath }));
    if (!sees) return opts.named === 'body' ? throwRefusal(UNKNOWN.member()) : notFound();
    const ref: MemberRef = { memberId, county: county!, name: rm?.name ?? null, account, communityPath };
    return ref;
  }

  async record(
    principal: Principal,
    id: string,
    opts: { manageOnly?: boolean; session?: ClientSession } = {},
  ) {
    const doc = await this.d.records.byId(id, opts.session);
    const sees =
      !!doc &&
      (manages(principal, { county: doc.county, path: doc.communityPath }) ||
        (!opts.manageOnly && isSelf(principal, doc.memberId)));
    return sees ? (doc as ServiceRecord) : notFound();
  }

  /** An entry a manager of its community (or, unless `manageOnly`, its member) may see. */
  async entry(principal: Principal, id: string, opts: { manageOnly?: boolean } = {}): Promise<Entry> {
    const doc = await this.d.ledger.entry(id);
    const sees =
      !!doc &&
      (manages(principal, { county: doc.county, path: doc.communityPath }) ||
        (!opts.manageOnly && isSelf(principal, doc.memberId)));
    return sees ? doc! : notFound();
  }

  /**
   * An order the caller may see: its managers (the street's too once escalated), the resident
   * who posted it, the member who claimed or was sent it, and members of its county while open.
   */
  async order(principal: Principal, id: string, session?: ClientSession): Promise<Order> {
    const o = await this.d.orders.byId(id, session);
    if (!o) return notFound();
    const sees =
      managesAny(principal, o.county, o.scopePaths) ||
      (principal.roles.includes('resident') &&
        o.residentSub !== null &&
        o.residentSub === principal.subject) ||
      (principal.roles.includes('member') &&
        !!principal.memberId &&
        (o.memberId === principal.memberId ||
          o.dispatchedTo === principal.memberId ||
          (o.status === 'open' && principal.county === o.county)));
    return sees ? o : notFound();
  }

  /** A catalogue item: its community's managers, members of its county. */
  async item(principal: Principal, id: string, opts: { manageOnly?: boolean; named?: 'body' } = {}) {
    const doc = await this.d.orders.item(id);
    const sees =
      !!doc &&
      (manages(principal, { county: doc.county, path: doc.communityPath }) ||
        (!opts.manageOnly && principal.roles.includes('member') && principal.county === doc.county));
    if (!sees) return opts.named === 'body' ? throwRefusal(UNKNOWN.item()) : notFound();
    return doc as CatalogueItem;
  }

  async redemption(principal: Principal, id: string): Promise<Redemption> {
    const doc = await this.d.orders.redemption(id);
    const sees =
      !!doc &&
      (manages(principal, { county: doc.county, path: doc.communityPath }) ||
        isSelf(principal, doc.memberId));
    return sees ? doc! : notFound();
  }

  async certificate(
    principal: Principal,
    id: string,
    opts: { manageOnly?: boolean } = {},
  ): Promise<Certificate> {
    const doc = await this.d.orders.certificate(id);
    const sees =
      !!doc &&
      (manages(principal, { county: doc.county, path: doc.communityPath }) ||
        (!opts.manageOnly && isSelf(principal, doc.memberId)));
    return sees ? doc! : notFound();
  }
}
