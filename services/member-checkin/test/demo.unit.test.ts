import { DEMO_DIRECTORY } from '@honglian/contracts';
import { chinaPeriodStart, demoPlans, demoSlots } from '../src/app/demo.js';

const HOUR = 3_600_000;
const china = (t: Date) => new Date(t.getTime() + 8 * HOUR).toISOString().slice(0, 16);

describe('demo check-in slots', () => {
  it('mid-year: six mornings three days apart going back from yesterday, all over by now', () => {
    const now = new Date('2026-12-06T04:44:00+08:00');
    const slots = demoSlots(now, 6, {
      startHour: 9,
      hours: 2,
      spacingDays: 3,
      since: chinaPeriodStart(now, 'year'),
    });
    expect(slots.map((s) => china(s.startsAt))).toEqual([
      '2026-11-20T09:00',
      '2026-11-23T09:00',
      '2026-11-26T09:00',
      '2026-11-29T09:00',
      '2026-12-02T09:00',
      '2026-12-05T09:00',
    ]);
    for (const s of slots) expect(s.endsAt.getTime() - s.startsAt.getTime()).toBe(2 * HOUR);
  });

  it('early in January: the days of the year first, later hours when they run short, then last year', () => {
    const slotsAt = (iso: string) => {
      const now = new Date(iso);
      const since = chinaPeriodStart(now, 'year');
      return demoSlots(now, 6, { startHour: 9, hours: 2, spacingDays: 3, since }).map((s) =>
        china(s.startsAt),
      );
    };
    expect(slotsAt('2026-01-03T13:00:00+08:00')).toEqual([
      '2026-01-01T09:00',
      '2026-01-01T14:00',
      '2026-01-02T09:00',
      '2026-01-02T14:00',
      '2026-01-02T19:00',
      '2026-01-03T09:00',
    ]);
    expect(slotsAt('2026-01-01T13:00:00+08:00')).toEqual([
      '2025-12-19T09:00',
      '2025-12-22T09:00',
      '2025-12-25T09:00',
      '2025-12-28T09:00',
      '2025-12-31T09:00',
      '2026-01-01T09:00',
    ]);
  });

  it('this month: the most recent days, else the month’s first day’s later slots, else last month', () => {
    const plans = demoPlans(DEMO_DIRECTORY, new Date('2026-06-01T18:00:00+08:00'));
    expect(plans.map((p) => [p.memberId, p.communityId, p.slots.length])).toEqual([
      ['331003-member-03', '331003-community-01', 6],
      ['331002-member-03', '331002-community-01', 6],
      ['331002-member-04', '331002-community-01', 2],
    ]);
    expect(plans[2]!.slots.map((s) => china(s.startsAt))).toEqual(['2026-05-31T15:00', '2026-06-01T15:00']);
    const later = demoPlans(DEMO_DIRECTORY, new Date('2026-06-10T08:00:00+08:00'))[2]!;
    expect(later.slots.map((s) => china(s.startsAt))).toEqual(['2026-06-08T15:00', '2026-06-09T15:00']);
  });
});
