import { tenantFilter, type Principal } from '@honglian/service-kit';
import type { ClientSession } from 'mongoose';
import type { Certificate } from '../domain/certificates.js';
import type { Order, OrderStatus, OrderStep } from '../domain/orders.js';
import type { CatalogueItem, Redemption } from '../domain/redemption.js';
import { LEDGER_SCOPE, ORDER_SCOPE } from '../domain/scope.js';
import type { PointsModels } from './models.js';
import { pageOf, type Page, type PageRequest } from './page.js';

export interface OrderQuery extends PageRequest {
  status?: OrderStatus | undefined;
  communityId?: string | undefined;
}

/** Orders and micro-wishes, the catalogue, redemptions and certificates. */
export class OrderStore {
  constructor(private readonly m: PointsModels) {}

  byId(id: string, session?: ClientSession): Promise<Order | null> {
    return this.m.Order.findById(id, null, { session }).lean<Order>();
  }

  async insert(order: Order, session: ClientSession): Promise<void> {
    await this.m.Order.create([order], { session });
  }

  /** Applies a step while the order is still in `status`; false when it moved meanwhile. */
  async step(id: string, status: OrderStatus, set: Partial<Order>, step: OrderStep, session: ClientSession) {
    const res = await this.m.Order.updateOne(
      { _id: id, status },
      { $set: set, $push: { history: step } },
      { session },
    );
    return res.matchedCount > 0;
  }

  /**
   * Orders in scope: staff their subtree (an escalated order also the street's), members those
   * they claimed or that are open to them in their county, residents those they posted.
   */
  page(principal: Principal, q: OrderQuery): Promise<Page<Order>> {
    const scope = tenantFilter(principal, ORDER_SCOPE);
    const openToMember =
      principal.roles.includes('member') && principal.county
        ? [{ county: principal.county, status: 'open' }, { dispatchedTo: principal.memberId ?? '' }]
        : [];
    const filter = openToMember.length ? { $or: [scope, ...openToMember] } : scope;
    return pageOf(
      this.m.Order,
      {
        $and: [
          filter,
          {
            ...(q.status ? { status: q.status } : {}),
            ...(q.communityId ? { communityId: q.communityId } : {}),
          },
        ],
      },
      q,
    );
  }

  /**
   * Orders left unclaimed since before `before` that have not escalated yet and have a street to
   * go to (those without one would fill every batch and hold the others back for good).
   */
  unclaimedSince(before: Date, limit: number): Promise<Order[]> {
    return this.m.Order.find({
      status: { $in: ['posted', 'open', 'dispatched'] },
      escalated: false,
      streetPath: { $type: 'string' },
      createdAt: { $lte: before },
    })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Order[]>();
  }

  /* ---------- catalogue ---------- */

  item(id: string, session?: ClientSession): Promise<CatalogueItem | null> {
    return this.m.Item.findById(id, null, { session }).lean<CatalogueItem>();
  }

  async insertItem(item: CatalogueItem): Promise<void> {
    await this.m.Item.create([item]);
  }

  async updateItem(id: string, set: Partial<CatalogueItem>): Promise<void> {
    await this.m.Item.updateOne({ _id: id }, { $set: set });
  }

  items(filter: Record<string, unknown>, q: PageRequest): Promise<Page<CatalogueItem>> {
    return pageOf(this.m.Item, filter, q);
  }

  /** Takes `quantity` from the stock while enough is left (never oversold); false otherwise. */
  async reserveStock(id: string, quantity: number, session: ClientSession): Promise<boolean> {
    const res = await this.m.Item.updateOne(
      { _id: id, active: true, stock: { $gte: quantity } },
      { $inc: { stock: -quantity } },
      { session },
    );
    return res.matchedCount > 0;
  }

  async releaseStock(id: string, quantity: number, session?: ClientSession): Promise<void> {
    await this.m.Item.updateOne({ _id: id }, { $inc: { stock: quantity } }, { session });
  }

  /* ---------- redemptions ---------- */

  redemption(id: string, session?: ClientSession): Promise<Redemption | null> {
    return this.m.Redemption.findById(id, null, { session }).lean<Redemption>();
  }

  async insertRedemption(r: Redemption, session: ClientSession): Promise<void> {
    await this.m.Redemption.create([r], { session });
  }

  async cancelRedemption(id: string, set: Partial<Redemption>, session: ClientSession): Promise<boolean> {
    const res = await this.m.Redemption.updateOne(
      { _id: id, status: 'reserved' },
      { $set: set },
      { session },
    );
    return res.matchedCount > 0;
  }

  redemptions(
    principal: Principal,
    q: PageRequest & { memberId?: string | undefined },
  ): Promise<Page<Redemption>> {
    return pageOf(
      this.m.Redemption,
      // AND, never spread: a query's memberId must not replace a member's own scope.
      { $and: [tenantFilter(principal, LEDGER_SCOPE), q.memberId ? { memberId: q.memberId } : {}] },
      q,
    );
  }

  /* ---------- certificates ---------- */

  certificate(id: string, session?: ClientSession): Promise<Certificate | null> {
    return this.m.Certificate.findById(id, null, { session }).lean<Certificate>();
  }

  certificateByCode(code: string): Promise<Certificate | null> {
    return this.m.Certificate.findOne({ code }).lean<Certificate>();
  }

  async insertCertificate(c: Certificate, session: ClientSession): Promise<void> {
    await this.m.Certificate.create([c], { session });
  }

  async issueCertificate(id: string, set: Partial<Certificate>, session: ClientSession): Promise<boolean> {
    const res = await this.m.Certificate.updateOne({ _id: id, status: 'notice' }, { $set: set }, { session });
    return res.matchedCount > 0;
  }

  certificates(principal: Principal, q: PageRequest): Promise<Page<Certificate>> {
    return pageOf(this.m.Certificate, tenantFilter(principal, LEDGER_SCOPE), q);
  }
}
