import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { emitAll, withOutbox } from '@honglian/messaging';
import { tenantFilter } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import type { Page, PageRequest } from '../data/page.js';
import type { YearEndSetting } from '../data/types.js';
import { totalsOfAccount, type YearEndPolicy } from '../domain/ledger.js';
import {
  ALREADY_CANCELLED,
  decideCancelRedemption,
  decideRedeem,
  INSUFFICIENT,
  OUT_OF_STOCK,
  type CatalogueItem,
  type Redemption,
} from '../domain/redemption.js';
import { actorOf, newId, type PointsContext } from './context.js';
import type { References } from './references.js';

export interface NewItem {
  communityId: string;
  name: string;
  price: number;
  stock: number;
}

/** The 爱心超市: catalogue per community, redeeming (stock + debit in one transaction), cancelling. */
export class RedemptionService {
  constructor(
    private readonly ctx: PointsContext,
    private readonly refs: References,
  ) {}

  private get store() {
    return this.ctx.data.orders;
  }

  async addItem(cmd: NewItem, principal: Principal): Promise<CatalogueItem> {
    const community = await this.refs.community(principal, cmd.communityId);
    const item: CatalogueItem = {
      _id: newId('itm'),
      county: community.county,
      communityId: community._id,
      communityPath: community.path,
      name: cmd.name,
      price: cmd.price,
      stock: cmd.stock,
      active: true,
      createdAt: this.ctx.clock.now(),
    };
    await this.store.insertItem(item);
    return item;
  }

  /** Restocks (adds to the stock), reprices or withdraws an item. */
  async updateItem(
    id: string,
    patch: { addStock?: number | undefined; price?: number | undefined; active?: boolean | undefined },
    principal: Principal,
  ): Promise<CatalogueItem> {
    await this.refs.item(principal, id, { manageOnly: true });
    if (patch.addStock) await this.store.releaseStock(id, patch.addStock);
    const set: Partial<CatalogueItem> = {
      ...(patch.price !== undefined ? { price: patch.price } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
    };
    if (Object.keys(set).length) await this.store.updateItem(id, set);
    return (await this.store.item(id))!;
  }

  /** Items of a community (members: of their county; staff: those they manage). */
  items(
    principal: Principal,
    q: PageRequest & { communityId?: string | undefined },
  ): Promise<Page<CatalogueItem>> {
    const scope =
      principal.roles.includes('member') && principal.county
        ? {
            $or: [
              tenantFilter(principal, { orgPathField: 'communityPath' }),
              { county: principal.county, active: true },
            ],
          }
        : tenantFilter(principal, { orgPathField: 'communityPath' });
    return this.store.items({ $and: [scope, q.communityId ? { communityId: q.communityId } : {}] }, q);
  }

  /**
   * A member redeems for themself (or staff for a member at their community): the stock is
   * reserved and the points debited in one transaction, each by a conditional update, so
   * twenty concurrent redemptions against a balance that covers three debit exactly three.
   */
  async redeem(
    cmd: { itemId: string; quantity: number; memberId?: string | undefined },
    principal: Principal,
  ) {
    const selfId = principal.roles.includes('member') ? principal.memberId : undefined;
    const memberId = cmd.memberId ?? selfId;
    if (!memberId)
      throwRefusal(refuse.invalid('请指定党员', 'name the member (memberId)', { field: 'memberId' }));
    const item = await this.refs.item(principal, cmd.itemId, { named: 'body' });
    const member = await this.refs.member(principal, memberId!, { named: 'body' });
    const now = this.ctx.clock.now();
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const fresh = (await this.store.item(item._id, session))!;
      const account = await this.ctx.data.ledger.account(member.memberId, session);
      const { changes, events } = orThrow(
        decideRedeem(
          {
            redemptionId: newId('rdm'),
            memberId: member.memberId,
            county: member.county,
            quantity: cmd.quantity,
            at: now,
            by: actorOf(principal),
          },
          { item: fresh, balance: totalsOfAccount(account).balance },
        ),
      );
      if (!(await this.store.reserveStock(item._id, cmd.quantity, session))) throwRefusal(OUT_OF_STOCK());
      if (!(await this.ctx.data.ledger.append(changes.entry, session))) throwRefusal(INSUFFICIENT());
      await this.store.insertRedemption(changes.redemption, session);
      emitAll(outbox, events, { time: now });
      return changes.redemption;
    });
  }

  /** Cancelling gives the points back (a reversal entry) and releases the stock. */
  async cancel(id: string, reason: string, principal: Principal): Promise<Redemption> {
    await this.refs.redemption(principal, id);
    const now = this.ctx.clock.now();
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const r = (await this.store.redemption(id, session))!;
      const debit = (await this.ctx.data.ledger.entry(r.entryId, session))!;
      const account = await this.ctx.data.ledger.account(r.memberId, session);
      const { changes, events } = orThrow(
        decideCancelRedemption(r, debit, {
          reason,
          at: now,
          by: actorOf(principal),
          balance: totalsOfAccount(account).balance,
        }),
      );
      if (!(await this.store.cancelRedemption(id, changes.set, session))) throwRefusal(ALREADY_CANCELLED());
      await this.ctx.data.ledger.append(changes.entry, session);
      await this.store.releaseStock(r.itemId, r.quantity, session);
      emitAll(outbox, events, { time: now });
      return { ...r, ...changes.set };
    });
  }

  get(id: string, principal: Principal) {
    return this.refs.redemption(principal, id);
  }

  list(principal: Principal, q: PageRequest & { memberId?: string | undefined }) {
    return this.store.redemptions(principal, q);
  }

  /* ---------- the community's year-end setting ---------- */

  async setYearEnd(
    communityId: string,
    yearEnd: YearEndPolicy,
    principal: Principal,
  ): Promise<YearEndSetting> {
    const community = await this.refs.community(principal, communityId);
    const setting: YearEndSetting = {
      _id: community._id,
      county: community.county,
      communityPath: community.path,
      yearEnd,
      updatedAt: this.ctx.clock.now(),
      updatedBy: actorOf(principal),
    };
    await this.ctx.data.records.putSetting(setting);
    return setting;
  }

  async yearEndOf(
    communityId: string,
    principal: Principal,
  ): Promise<{ communityId: string; yearEnd: YearEndPolicy }> {
    const community = await this.refs.community(principal, communityId);
    const s = await this.ctx.data.records.setting(community._id);
    return { communityId: community._id, yearEnd: s?.yearEnd ?? this.ctx.settings.yearEnd };
  }
}
