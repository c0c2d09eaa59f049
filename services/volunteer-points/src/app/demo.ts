import type { DemoDirectory } from '@honglian/contracts';
import { emitAll, withOutbox } from '@honglian/messaging';
import { orThrow } from '@honglian/service-kit';
import {
  decidePost,
  decideOrderStep,
  type Order,
  type OrderAction,
  type OrderActor,
} from '../domain/orders.js';
import { decideRedeem, type CatalogueItem } from '../domain/redemption.js';
import type { ServiceRecord } from '../domain/records.js';
import { dayOf } from '../domain/rules.js';
import { totalsOfAccount } from '../domain/ledger.js';
import type { PointsContext } from './context.js';
import type { Ledger } from './ledger.js';

const DAY = 86_400_000;
type County = DemoDirectory['counties'][number];

/**
 * The demo city's points (issue 14, item 10), with the demo world's ids:
 * per county a catalogue at the demo community, three activity records and
 * a redemption for `<code>-member-01`, a retiree `<code>-member-02` past
 * 100 h (★), and orders in several states (posted, open wish, claimed,
 * done and rated 5/5: its points come through the order consumer like any
 * other), and a wish claimed by the unit paired with `<code>-community-02`.
 * Written through the domain decisions and the ledger; skipped when the
 * catalogue is there already.
 */
export async function seedDemoPoints(ctx: PointsContext, ledger: Ledger, demo: DemoDirectory) {
  const first = demo.counties[0];
  if (!first || (await ctx.data.orders.item(`demo-${first.code}-item-1`))) return null;
  const now = ctx.clock.now();
  let records = 0;
  let orders = 0;
  for (const c of demo.counties) {
    const items = await catalogue(ctx, c, now);
    const plan: [string, number, number][] = [
      [c.member.memberId, 3, 2],
      [c.member.memberId, 2, 1.5],
      [c.member.memberId, 1, 3],
      // The retiree: 34 mornings of 3 h = 102 h → ★.
      ...Array.from({ length: 34 }, (_, i): [string, number, number] => [`${c.code}-member-02`, 40 + i, 3]),
    ];
    for (const [memberId, daysAgo, hours] of plan) {
      await record(ctx, ledger, c, memberId, new Date(now.getTime() - daysAgo * DAY), hours);
      records++;
    }
    await redeem(ctx, c, items[2]!, now);
    orders += await demoOrders(ctx, c, now);
  }
  return { records, orders, catalogue: demo.counties.length * 3 };
}

async function catalogue(ctx: PointsContext, c: County, now: Date): Promise<CatalogueItem[]> {
  const goods: [string, number, number][] = [
    ['大米 5kg Rice', 30, 20],
    ['洗衣液 Detergent', 15, 30],
    ['毛巾 Towel', 5, 50],
  ];
  const items = goods.map(([name, price, stock], i) => ({
    _id: `demo-${c.code}-item-${i + 1}`,
    county: c.code,
    communityId: c.community.orgId,
    communityPath: c.community.path,
    name,
    price,
    stock,
    active: true,
    createdAt: now,
  }));
  for (const item of items) await ctx.data.orders.insertItem(item);
  return items;
}

async function record(
  ctx: PointsContext,
  ledger: Ledger,
  c: County,
  memberId: string,
  at: Date,
  hours: number,
) {
  const r: ServiceRecord = {
    _id: `demo-rec-${memberId}-${at.getTime()}`,
    county: c.code,
    memberId,
    memberName: memberId === c.member.memberId ? c.member.name : null,
    communityId: c.community.orgId,
    communityPath: c.community.path,
    content: '社区志愿服务 Community volunteering',
    date: dayOf(at),
    hours,
    organiserId: c.community.orgId,
    organiserName: c.community.name,
    training: null,
    evaluation: '良好 Good',
    teamId: `${c.community.orgId}-team-01`,
    source: 'manual',
    sourceId: null,
    status: 'approved',
    recordedBy: 'demo-seed',
    decidedBy: 'demo-seed',
    decidedAt: at,
    decisionNote: null,
    createdAt: at,
  };
  await withOutbox(ctx.conn, async (session, outbox) => {
    await ctx.data.records.insert(r, session);
    const target = {
      memberId,
      county: c.code,
      communityId: r.communityId,
      communityPath: r.communityPath,
      teamId: r.teamId,
    };
    await ledger.award(
      { ...target, cause: { type: 'record', id: r._id }, at, by: 'demo-seed' },
      hours,
      session,
      outbox,
    );
  });
}

async function redeem(ctx: PointsContext, c: County, item: CatalogueItem, now: Date) {
  await withOutbox(ctx.conn, async (session, outbox) => {
    const account = await ctx.data.ledger.account(c.member.memberId, session);
    const { changes, events } = orThrow(
      decideRedeem(
        {
          redemptionId: `demo-${c.code}-rdm-1`,
          memberId: c.member.memberId,
          county: c.code,
          quantity: 1,
          at: now,
          by: 'demo-seed',
        },
        { item, balance: totalsOfAccount(account).balance },
      ),
    );
    await ctx.data.orders.reserveStock(item._id, 1, session);
    await ctx.data.ledger.append(changes.entry, session);
    await ctx.data.orders.insertRedemption(changes.redemption, session);
    emitAll(outbox, events, { time: now });
  });
}

/**
 * The demo world's pairing (org-registry src/demo/demo-city.ts): `<code>-agency-01` (its party
 * organisation `<code>-agency-01-dw`) is paired with `<code>-community-02`, a sibling of the
 * demo community under the demo street, from 2025-01-01 with no end. The micro-wish a unit
 * claims is posted there: the demo community itself has no paired unit.
 */
export function demoPairing(c: County) {
  const communityId = `${c.code}-community-02`;
  return {
    pairingId: `${c.code}-JD-1`,
    unitId: `${c.code}-agency-01`,
    agencyOrgId: `${c.code}-agency-01-dw`,
    communityId,
    communityPath: `${c.street.path}/${communityId}`,
    validFrom: '2025-01-01',
  };
}

/**
 * Five orders: posted; an open micro-wish; claimed; done and rated 5/5 (all at the demo
 * community); and a micro-wish at the paired community claimed by the paired unit.
 */
async function demoOrders(ctx: PointsContext, c: County, now: Date): Promise<number> {
  const staff: OrderActor = { by: 'demo-seed', manages: true, memberId: null, owner: false };
  const member = { by: c.member.memberId, manages: false, memberId: c.member.memberId, owner: false };
  const resident = { by: 'resident', manages: false, memberId: null, owner: true };
  const paired = demoPairing(c);
  const specs: {
    title: string;
    kind: 'request' | 'wish';
    budget: number | null;
    steps: [OrderAction, OrderActor][];
    /** Another community than the demo one. */
    community?: { orgId: string; path: string };
    residentName?: string;
    hoursAgo?: number;
  }[] = [
    { title: '楼道灯不亮 Stairway light out', kind: 'request', budget: null, steps: [] },
    {
      title: '为独居老人添置助行器 Walker for an elderly resident',
      kind: 'wish',
      budget: 280,
      steps: [[{ type: 'open' }, staff]],
    },
    {
      title: '帮忙搬运旧家具 Moving old furniture',
      kind: 'request',
      budget: null,
      steps: [
        [{ type: 'dispatch', memberId: c.member.memberId }, staff],
        [{ type: 'claim', claimant: { kind: 'member', id: c.member.memberId } }, member],
      ],
    },
    {
      title: '活动室音响维修 Fix the activity-room audio',
      kind: 'request',
      budget: null,
      steps: [
        [{ type: 'open' }, staff],
        [{ type: 'claim', claimant: { kind: 'member', id: c.member.memberId } }, member],
        [{ type: 'complete', hours: 2, proof: '音响已修好 Audio fixed' }, member],
        [{ type: 'rate', rating: 5, comment: '很满意' }, resident],
      ],
    },
    {
      title: '为社区儿童之家添置图书 Books for the children’s corner',
      kind: 'wish',
      budget: 200,
      community: { orgId: paired.communityId, path: paired.communityPath },
      residentName: '社区儿童之家 Children’s corner',
      hoursAgo: 4,
      steps: [
        [{ type: 'open' }, staff],
        [{ type: 'claim', claimant: { kind: 'unit', id: paired.unitId } }, staff],
      ],
    },
  ];
  for (const [i, spec] of specs.entries()) {
    await withOutbox(ctx.conn, async (session, outbox) => {
      const at = new Date(now.getTime() - (spec.hoursAgo ?? 3 - i) * 3_600_000);
      const community = spec.community ?? c.community;
      const posted = orThrow(
        decidePost(
          {
            _id: `demo-${c.code}-ord-${i + 1}`,
            county: c.code,
            communityId: community.orgId,
            communityPath: community.path,
            streetId: c.street.orgId,
            streetPath: c.street.path,
            kind: spec.kind,
            title: spec.title,
            description: '',
            budget: spec.budget,
            residentSub: null,
            residentName: spec.residentName ?? `${c.compound.name}居民`,
            createdAt: at,
            by: 'demo-seed',
          },
          300,
        ),
      );
      let order: Order = posted.changes.order;
      const events = [...posted.events];
      for (const [action, actor] of spec.steps) {
        // The unit's claim rests on the demo world's pairing (demoPairing): the registry's events
        // may not have reached the read model yet while the demo is seeded, so it is stated here.
        const step = orThrow(decideOrderStep(order, action, actor, at, { unitPaired: true }));
        order = { ...order, ...step.changes.set, history: [...order.history, step.changes.step] };
        events.push(...step.events);
      }
      await ctx.data.orders.insert(order, session);
      emitAll(outbox, events, { time: at });
    });
  }
  return specs.length;
}
