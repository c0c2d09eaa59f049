import {
  decideOrderStep,
  decidePost,
  dueForEscalation,
  type Order,
  type OrderAction,
  type OrderActor,
} from '../src/domain/orders.js';

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
