import { ApiError } from '../src/api/errors';
import { withQuery } from '../src/api/client';
import { decodeJwt, homeOf, sessionOf } from '../src/auth/claims';
import { cstDay, currentPeriods, fromCstInput, toCstInput } from '../src/format';
import { tokenOf } from '../src/pages/member/token';
import { checkInUrl, nextRefreshMs } from '../src/pages/staff/qr';

const jwt = (claims: object) =>
  ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'sig'].join('.');

describe('the signed-in user, from the access token', () => {
  it('reads the realm roles and the scope claims (county, org_path, member_id, firm_id)', () => {
    const token = jwt({
      sub: 's-1',
      preferred_username: 'member-331003',
      name: '黄岩区示范党员',
      realm_access: { roles: ['default-roles-honglian', 'offline_access', 'member'] },
      county: '331003',
      member_id: '331003-member-01',
    });
    expect(sessionOf(token)).toEqual({
      subject: 's-1',
      username: 'member-331003',
      name: '黄岩区示范党员',
      roles: ['member'],
      county: '331003',
      memberId: '331003-member-01',
    });
  });

  it('sends each role to its first page', () => {
    const of = (roles: string[]) => homeOf(sessionOf(jwt({ realm_access: { roles } })));
    expect(of(['county-admin'])).toBe('/dashboard');
    expect(of(['community-staff'])).toBe('/reports');
    expect(of(['member'])).toBe('/m');
    expect(of(['property-firm'])).toBe('/evaluation');
    expect(of(['resident'])).toBe('/orders');
    expect(of(['api-consumer'])).toBe('/no-access');
  });

  it('reads nothing from a token that is not a JWT', () => {
    expect(decodeJwt('garbage')).toEqual({});
    expect(sessionOf('a.b.c').roles).toEqual([]);
  });
});

describe('problem details', () => {
  it('shows the bilingual reason in the user’s language, else the detail', () => {
    const refusal = new ApiError(409, {
      title: 'Conflict',
      detail: 'you are still checked in elsewhere',
      reason: { zh: '已有未签退的签到', en: 'you are still checked in elsewhere' },
    });
    expect(refusal.text('zh')).toBe('已有未签退的签到');
    expect(refusal.text('en')).toBe('you are still checked in elsewhere');
    const plain = new ApiError(404, { title: 'Not Found', detail: '记录不存在' });
    expect(plain.text('en')).toBe('记录不存在');
    expect(new ApiError(500, {}).text('zh')).toBe('HTTP 500');
  });

  it('lists invalid fields with the reason in the user’s language', () => {
    const bad = new ApiError(400, {
      title: 'Bad Request',
      invalid_params: [{ name: 'body.title', reason: 'Required', reason_zh: '必填' }],
    });
    expect(bad.fields('zh')).toEqual(['body.title: 必填']);
    expect(bad.fields('en')).toEqual(['body.title: Required']);
  });
});

describe('the check-in QR code', () => {
  it('encodes a console link with the activity and the token', () => {
    const url = checkInUrl('act-1', 'act-1.5.abc.def', 'https://hl.example');
    expect(url).toBe('https://hl.example/m/check-in?activity=act-1&token=act-1.5.abc.def');
    expect(tokenOf(url)).toBe('act-1.5.abc.def');
    expect(tokenOf('  act-1.5.abc.def ')).toBe('act-1.5.abc.def');
  });

  it('refreshes a few seconds before the token rotates, within one period, never in a busy loop', () => {
    const now = Date.parse('2026-03-10T01:00:00Z');
    const qr = (inSeconds: number) => ({
      rotatesAt: new Date(now + inSeconds * 1000).toISOString(),
      rotationSeconds: 30,
    });
    expect(nextRefreshMs(qr(20), now)).toBe(17_000);
    expect(nextRefreshMs(qr(120), now)).toBe(30_000);
    expect(nextRefreshMs(qr(-60), now)).toBe(2_000);
  });
});

describe('Beijing time', () => {
  it('turns instants into datetime-local values and back, whatever the browser’s zone', () => {
    const instant = new Date('2026-03-10T01:30:00Z');
    expect(toCstInput(instant)).toBe('2026-03-10T09:30');
    expect(fromCstInput('2026-03-10T09:30')).toBe('2026-03-10T09:30:00+08:00');
    expect(Date.parse(fromCstInput(toCstInput(instant)))).toBe(instant.getTime());
    expect(cstDay(new Date('2026-06-30T16:00:00Z'))).toBe('2026-07-01');
    expect(currentPeriods(new Date('2026-06-30T16:00:00Z'))).toEqual({
      year: '2026',
      month: '2026-07',
      half: '2026-H2',
    });
  });

  it('builds query strings without empty values', () => {
    expect(withQuery('/x', { a: 1, b: undefined, c: '', d: 'y z' })).toBe('/x?a=1&d=y+z');
  });
});
