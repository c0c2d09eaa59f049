import {
  decideOrderStep,
  decidePost,
  dueForEscalation,
  UNKNOWN_UNIT,
  type Order,
  type OrderAction,
  type OrderActor,
} from '../src/domain/orders.js';
import { pairingLinks } from '../src/domain/pairings.js';

const at = new Date('2026-03-02T10:00:00+08:00');

describe('the order state machine', () => {
  const posted = () => {
    const d = decidePost(
      {
        _id: 'o1',
        county: '331003',
        communityId: 'c',
        communityPath: '/p/c',
        streetId: 's',
        streetPath: '/p',
        kind: 'request',
        title: 't',
        description: '',
        budget: null,
        residentSub: 'r',
        residentName: 'R',
        createdAt: at,
        by: 'r',
      },
      300,
    );
    if (!d.ok) throw new Error('refused');
    return d.changes.order;
  };
  const staff: OrderActor = { by: 'staff', manages: true, memberId: null, owner: false };
  const li: OrderActor = { by: 'li', manages: false, memberId: 'li', owner: false };
  const resident: OrderActor = { by: 'r', manages: false, memberId: null, owner: true };
  const run = (order: Order, steps: [OrderAction, OrderActor][]) => {
    for (const [action, actor] of steps) {
      const d = decideOrderStep(order, action, actor, at);
      if (!d.ok) return d;
      order = { ...order, ...d.changes.set, history: [...order.history, d.changes.step] };
    }
    return order;
  };

  it('walks 居民点单 → 组织下单 → 党员接单 → done → rated, timestamping every step', () => {
    const o = run(posted(), [
      [{ type: 'dispatch', memberId: 'li' }, staff],
      [{ type: 'claim', claimant: { kind: 'member', id: 'li' } }, li],
      [{ type: 'complete', hours: 2, proof: 'ok' }, li],
      [{ type: 'rate', rating: 5, comment: '' }, resident],
    ]) as Order;
    expect(o.status).toBe('rated');
    expect(o.history.map((s) => [s.from, s.to])).toEqual([
      [null, 'posted'],
      ['posted', 'dispatched'],
      ['dispatched', 'claimed'],
      ['claimed', 'done'],
      ['done', 'rated'],
    ]);
  });

  it('refuses every other step with a conflict, and steps by the wrong person', () => {
    expect(run(posted(), [[{ type: 'complete', hours: 1, proof: 'x' }, staff]])).toMatchObject({
      kind: 'conflict',
    });
    expect(run(posted(), [[{ type: 'rate', rating: 5, comment: '' }, resident]])).toMatchObject({
      kind: 'conflict',
    });
    expect(
      run(posted(), [
        [{ type: 'open' }, staff],
        [{ type: 'open' }, staff],
      ]),
    ).toMatchObject({ kind: 'conflict' });
    expect(run(posted(), [[{ type: 'open' }, li]])).toMatchObject({ kind: 'forbidden' });
    expect(
      run(posted(), [
        [{ type: 'dispatch', memberId: 'wang' }, staff],
        [{ type: 'claim', claimant: { kind: 'member', id: 'li' } }, li],
      ]),
    ).toMatchObject({ kind: 'conflict' });
    expect(
      run(posted(), [
        [{ type: 'open' }, staff],
        [{ type: 'claim', claimant: { kind: 'unit', id: 'u' } }, staff],
      ]),
    ).toMatchObject({ kind: 'invalid', field: 'unitId' });
    const claimed = run(posted(), [
      [{ type: 'open' }, staff],
      [{ type: 'claim', claimant: { kind: 'member', id: 'li' } }, li],
    ]) as Order;
    expect(run(claimed, [[{ type: 'cancel', reason: 'x' }, resident]])).toMatchObject({ kind: 'conflict' });
    expect(run(claimed, [[{ type: 'escalate' }, staff]])).toMatchObject({ kind: 'conflict' });
  });

  it('escalates after N days, once; budgets only for micro-wishes', () => {
    const o = posted();
    expect(dueForEscalation(o, new Date(at.getTime() + 4.9 * 86_400_000), 5)).toBe(false);
    expect(dueForEscalation(o, new Date(at.getTime() + 5 * 86_400_000), 5)).toBe(true);
    const up = run(o, [[{ type: 'escalate' }, staff]]) as Order;
    expect(up).toMatchObject({ status: 'posted', escalated: true, scopePaths: ['/p/c', '/p'] });
    expect(dueForEscalation(up, new Date(at.getTime() + 9 * 86_400_000), 5)).toBe(false);
    const base = { ...o, by: 'r', createdAt: at };
    expect(decidePost({ ...base, kind: 'wish', budget: 301 }, 300)).toMatchObject({
      kind: 'invalid',
      field: 'budget',
    });
    expect(decidePost({ ...base, kind: 'request', budget: 10 }, 300)).toMatchObject({
      kind: 'invalid',
      field: 'budget',
    });
  });
});

describe('which pairing lets a unit claim a micro-wish', () => {
  const p = {
    county: '331003',
    agencyOrgId: 'u-dw',
    agencyUnitId: 'u',
    targetId: 'cm',
    targetKind: 'community' as const,
    validFrom: '2026-01-01',
    validTo: '2026-03-01',
    creatorLevel: 'county' as const,
  };
  const claim = { unitId: 'u', communityId: 'cm', day: '2026-02-28' };
  const here = { agencyCounty: '331003', targetPath: null };

  it('needs the unit (or its party organisation), the day within [validFrom, validTo), the community or a compound of it', () => {
    expect(pairingLinks(p, claim, here)).toBe(true);
    expect(pairingLinks(p, { ...claim, unitId: 'u-dw' }, here)).toBe(true);
    expect(pairingLinks(p, { ...claim, unitId: 'v' }, here)).toBe(false);
    expect(pairingLinks(p, { ...claim, day: '2026-03-01' }, here)).toBe(false);
    expect(pairingLinks(p, { ...claim, day: '2025-12-31' }, here)).toBe(false);
    expect(pairingLinks(p, { ...claim, communityId: 'cm-2' }, here)).toBe(false);
    const compound = { ...p, targetId: 'cp', targetKind: 'compound' as const };
    expect(pairingLinks(compound, claim, { ...here, targetPath: '/c/331003/st/cm/grid/cp' })).toBe(true);
    expect(pairingLinks(compound, claim, { ...here, targetPath: '/c/331003/st/cm-2/cp' })).toBe(false);
    expect(pairingLinks(compound, claim, here)).toBe(false); // target unknown to the read model
  });

  it('honours a cross-county pairing only when the city recorded it', () => {
    const away = { agencyCounty: '331002', targetPath: null };
    expect(pairingLinks(p, claim, away)).toBe(false);
    expect(pairingLinks({ ...p, creatorLevel: null }, claim, away)).toBe(false);
    expect(pairingLinks({ ...p, creatorLevel: 'city' }, claim, away)).toBe(true);
    expect(pairingLinks(p, claim, { agencyCounty: null, targetPath: null })).toBe(false);
  });

  it('lets a unit claim only a wish, only with a pairing; otherwise answered like an unknown unit', () => {
    const wish = decidePost(
      {
        _id: 'w',
        county: '331003',
        communityId: 'cm',
        communityPath: '/p/cm',
        streetId: null,
        streetPath: null,
        kind: 'wish',
        title: 't',
        description: '',
        budget: 100,
        residentSub: null,
        residentName: 'R',
        createdAt: at,
        by: 'staff',
      },
      300,
    );
    if (!wish.ok) throw new Error('refused');
    const open = { ...wish.changes.order, status: 'open' as const };
    const staff: OrderActor = { by: 'staff', manages: true, memberId: null, owner: false };
    const action: OrderAction = { type: 'claim', claimant: { kind: 'unit', id: 'u' } };
    expect(decideOrderStep(open, action, staff, at, { unitPaired: true })).toMatchObject({ ok: true });
    expect(decideOrderStep(open, action, staff, at, { unitPaired: false })).toEqual(UNKNOWN_UNIT());
    expect(decideOrderStep(open, action, staff, at)).toEqual(UNKNOWN_UNIT());
  });
});
