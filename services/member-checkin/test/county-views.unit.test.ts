import {
  addDays,
  belowExpectedHours,
  daysOverdue,
  expectedHours,
  owedReports,
} from '../src/domain/county-views.js';
import { parsePeriod } from '../src/domain/period.js';

const member = { status: 'active' as const, residenceCommunityId: 'X', effectiveFrom: '2026-01-01' };

describe('owed reports (report within 30 days)', () => {
  it('owes a residence and a work report until one of each kind is open', () => {
    const work = [{ communityId: 'Y', validFrom: '2025-06-01' }];
    expect(owedReports({ member, workCommunities: work, openKinds: [], deadlineDays: 30 })).toEqual([
      { kind: 'residence', communityIds: ['X'], since: '2026-01-01', dueOn: '2026-01-31' },
      { kind: 'work', communityIds: ['Y'], since: '2026-01-01', dueOn: '2026-01-31' },
    ]);
    expect(
      owedReports({ member, workCommunities: work, openKinds: ['residence', 'work'], deadlineDays: 30 }),
    ).toEqual([]);
  });

  it('runs a work report’s deadline from the pairing’s start when it came later', () => {
    const work = [
      { communityId: 'Z', validFrom: '2026-03-01' },
      { communityId: 'Y', validFrom: '2026-02-10' },
      { communityId: null, validFrom: '2026-01-01' },
    ];
    const [owed] = owedReports({ member, workCommunities: work, openKinds: ['residence'], deadlineDays: 30 });
    expect(owed).toEqual({
      kind: 'work',
      communityIds: ['Y', 'Z'],
      since: '2026-02-10',
      dueOn: '2026-03-12',
    });
  });

  it('owes nothing when inactive, without a residence community or a paired unit', () => {
    expect(
      owedReports({
        member: { ...member, status: 'inactive' },
        workCommunities: [],
        openKinds: [],
        deadlineDays: 30,
      }),
    ).toEqual([]);
    expect(
      owedReports({
        member: { ...member, residenceCommunityId: null },
        workCommunities: [{ communityId: null, validFrom: '2026-01-01' }],
        openKinds: [],
        deadlineDays: 30,
      }),
    ).toEqual([]);
  });

  it('is overdue from the day after the due date, across month and year ends', () => {
    expect(addDays('2025-12-15', 30)).toBe('2026-01-14');
    expect(daysOverdue({ dueOn: '2026-01-31' }, '2026-01-31')).toBe(0);
    expect(daysOverdue({ dueOn: '2026-01-31' }, '2026-02-01')).toBe(1);
    expect(daysOverdue({ dueOn: '2026-02-28' }, '2026-03-01')).toBe(1);
  });
});

describe('members below the yearly hours', () => {
  const year = parsePeriod('2026')!;

  it('expects the whole figure for a past period and a prorated share of one in progress', () => {
    expect(expectedHours(50, year, new Date('2027-03-01T00:00:00+08:00'))).toBe(50);
    expect(expectedHours(50, parsePeriod('2026-01')!, new Date('2027-01-01T00:00:00+08:00'))).toBe(4.25);
    // Half-way through the year (182.5 days in): half the hours.
    const midYear = new Date(year.from.getTime() + 182.5 * 86_400_000);
    expect(expectedHours(50, year, midYear)).toBe(25);
    expect(expectedHours(50, year, new Date('2025-06-01T00:00:00+08:00'))).toBe(0);
  });

  it('expects exactly the yearly figure of a whole leap year, and a leap February its 29 of 366 days', () => {
    expect(expectedHours(50, parsePeriod('2028')!, new Date('2029-03-01T00:00:00+08:00'))).toBe(50);
    expect(expectedHours(50, parsePeriod('2028-02')!, new Date('2029-01-01T00:00:00+08:00'))).toBe(3.96);
    expect(expectedHours(50, parsePeriod('2026-H1')!, new Date('2027-01-01T00:00:00+08:00'))).toBe(24.79);
  });

  it('lists those below, fewest hours first, with their shortfall; none at or above', () => {
    const credited = new Map([
      ['a', { minutes: 600, attendances: 3 }],
      ['b', { minutes: 3000, attendances: 10 }],
      ['c', { minutes: 60, attendances: 1 }],
    ]);
    expect(belowExpectedHours(['a', 'b', 'c', 'd'], credited, 50)).toEqual([
      { memberId: 'd', hours: 0, attendances: 0, expected: 50, shortfall: 50 },
      { memberId: 'c', hours: 1, attendances: 1, expected: 50, shortfall: 49 },
      { memberId: 'a', hours: 10, attendances: 3, expected: 50, shortfall: 40 },
    ]);
  });
});
