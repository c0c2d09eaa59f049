import type { TestUser } from '@honglian/testkit';
import { DEMO_DIRECTORY } from '@honglian/contracts';
import { startRegistry } from './support.js';

/**
 * The reveal log is readable: the city admin reads every entry, a county admin the entries about
 * its own county's members (whoever asked, refused attempts included), community staff nothing.
 */
function demoUser(username: string): TestUser {
  const u = DEMO_DIRECTORY.users.find((x) => x.username === username)!;
  return { username: u.username, roles: [...u.roles], county: u.county, orgPath: u.orgPath };
}
const huangyan = demoUser('county-admin-331003');
const jiaojiang = demoUser('county-admin-331002');
const city = demoUser('city-admin');
const staff = demoUser('staff-331003');

let reg: Awaited<ReturnType<typeof startRegistry>>;
beforeAll(async () => {
  reg = await startRegistry();
  await reg.service.seedDemoCity(DEMO_DIRECTORY);
  // 黄岩 reveals its own member; 椒江 tries a 黄岩 member (404, logged); the member herself may not (403, logged).
  expect((await reg.http.get('/members/331003-member-01/reveal', huangyan)).status).toBe(200);
  expect((await reg.http.get('/members/331003-member-01/reveal', jiaojiang)).status).toBe(404);
  expect(
    (
      await reg.http.get('/members/331003-member-01/reveal', {
        ...demoUser('member-331003'),
        memberId: '331003-member-01',
      })
    ).status,
  ).toBe(403);
  expect((await reg.http.get('/members/331002-member-01/reveal', jiaojiang)).status).toBe(200);
});
afterAll(() => reg.close());

type Entry = { id: string; actor: string; memberId: string; county: string | null; outcome: string };
const entries = async (user: TestUser, query = '') => {
  const res = await reg.http.get(`/reveals${query}`, user);
  expect(res.status).toBe(200);
  return res.body as { items: Entry[]; nextCursor: string | null };
};

it('a county admin reads who looked at its members, from anywhere, and how it ended', async () => {
  const { items } = await entries(huangyan);
  expect(items.map((e) => [e.memberId, e.outcome])).toEqual([
    ['331003-member-01', 'revealed'],
    ['331003-member-01', 'out-of-scope'],
    ['331003-member-01', 'denied'],
  ]);
  expect(items.every((e) => e.county === '331003')).toBe(true);
  // 椒江 sees its own member's entry, not its probe of 黄岩's member.
  expect((await entries(jiaojiang)).items.map((e) => [e.memberId, e.outcome])).toEqual([
    ['331002-member-01', 'revealed'],
  ]);
});

it('the city admin reads every entry, filtered by member and page by page', async () => {
  expect((await entries(city)).items).toHaveLength(4);
  expect((await entries(city, '?memberId=331002-member-01')).items).toHaveLength(1);
  const first = await entries(city, '?limit=3');
  expect(first.items).toHaveLength(3);
  const rest = await entries(city, `?limit=3&cursor=${first.nextCursor!}`);
  expect(rest.items).toHaveLength(1);
  expect(rest.nextCursor).toBeNull();
});

it('community staff may not read it; a malformed cursor is a 400', async () => {
  expect((await reg.http.get('/reveals', staff)).status).toBe(403);
  expect((await reg.http.get('/reveals?cursor=zzz', city)).status).toBe(400);
});
