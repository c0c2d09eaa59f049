import { FixedClock, createLogger } from '@honglian/service-kit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  CHINA,
  DEVICES,
  WAIT,
  browserUnavailable,
  launchChromium,
  screenshot,
  seriousViolations,
  signInIfAsked,
} from './browser.js';
import { demoToken } from './support.js';
import { SuiteConfigSchema, startSuite, type RunningSuite } from '../src/suite.js';

/**
 * The web console in a real browser (Debian's Chromium), against the whole suite in this process
 * with the demo city: sign-in through the identity provider's login page (authorization code +
 * PKCE) as a county admin, a community staff member and a party member; the county dashboard's
 * figures in Chinese; the check-in story (a member reports, staff confirm, staff show an
 * activity's rotating QR code, the member's phone opens its link and checks in, staff see the
 * attendance, the member checks out with a pasted code); a county never sees another county's
 * units or members; English and back; sign-out. Every main page is checked with axe (no serious
 * or critical violation) and saved as a screenshot in packages/cli/test-artifacts/console/.
 * Waits are bounded (Playwright's waitFor / waitForURL with timeouts), never timed assertions.
 */
jest.setTimeout(600_000);

const HOUR = 3_600_000;
const COUNTY = '331003';
const OTHER_COUNTY_NAME = '椒江区';
const MEMBER_NAME = '黄岩区示范党员';
const COMMUNITY = '331003-community-01';
/** `YYYY-MM-DDTHH:mm` in China Standard Time, as the console's datetime-local inputs take it. */
const cst = (d: Date) => new Date(d.getTime() + 8 * HOUR).toISOString().slice(0, 16);

const unavailable = browserUnavailable();
if (unavailable) {
  // Visible in every run's output: the browser suite did not run, and why.
  console.warn(`\n${'#'.repeat(80)}\nconsole e2e SKIPPED: ${unavailable}\n${'#'.repeat(80)}\n`);
}
const suiteOrSkip = unavailable ? describe.skip : describe;

suiteOrSkip(`the web console in Chromium${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`, () => {
  const clock = new FixedClock(new Date());
  let suite: RunningSuite;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];
  let admin: Page;
  let staff: Page;
  let member: Page;
  const tokens: Record<string, string> = {};
  const a11y: Record<string, string[]> = {};

  /** The API as a demo user sees it (the figures the pages must show). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const api = async (user: string, path: string): Promise<any> => {
    tokens[user] ??= await demoToken(suite.gateway.http.url, user);
    const res = await fetch(`${suite.gateway.http.url}${path}`, {
      headers: { authorization: `Bearer ${tokens[user]}` },
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  /** Polls the API until `check` holds (events travel through the bus); bounded. */
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
      if (await check().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`never happened: ${what}`);
  };
  const open = async (device: keyof typeof DEVICES) => {
    const context = await browser.newContext({ ...DEVICES[device], ...CHINA, baseURL: base });
    contexts.push(context);
    return context.newPage();
  };
  /** Screenshot and accessibility check of the page as it is now. */
  const check = async (page: Page, name: string) => {
    await page
      .locator('.loading')
      .first()
      .waitFor({ state: 'detached', timeout: WAIT })
      .catch(() => undefined);
    await screenshot(page, name);
    a11y[name] = await seriousViolations(page);
  };
  const nav = async (page: Page, name: string | RegExp, url: RegExp) => {
    await page
      .getByRole('link', { name, exact: typeof name === 'string' })
      .first()
      .click();
    await page.waitForURL(url, { timeout: WAIT });
  };
  const text = (page: Page, testId: string) => page.getByTestId(testId).innerText({ timeout: WAIT });

  beforeAll(async () => {
    const config = SuiteConfigSchema.parse({ PORT: '0', DATA_DIR: '', LOG_LEVEL: 'silent' });
    suite = await startSuite(config, createLogger({ name: 'console', level: 'silent' }), {
      clock,
      busEnv: {},
    });
    // The issuer the console signs in at is the public URL (localhost): the console is opened there.
    base = suite.gateway.http.url.replace('://127.0.0.1:', '://localhost:');
    browser = await launchChromium();
    [admin, staff, member] = await Promise.all([open('desktop'), open('tablet'), open('phone')]);
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await suite?.close();
  });

  it('serves the console and its sign-in configuration', async () => {
    const config = await (await fetch(`${base}/console-config.json`)).json();
    expect(config).toEqual({ authority: `${base}/realms/honglian`, clientId: 'honglian-web' });
    const page = await fetch(`${base}/m/check-in?activity=x`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
  });

  it('signs the county admin in through the login page; the dashboard shows the county’s figures in Chinese', async () => {
    await admin.goto('/');
    await admin.waitForURL(/\/realms\/honglian\/protocol\/openid-connect\/auth\?/, { timeout: WAIT });
    // The identity provider's login page is a page people use too: checked like the console's.
    await admin.locator('#username').waitFor({ timeout: WAIT });
    await check(admin, 'login');
    await signInIfAsked(admin, `county-admin-${COUNTY}`, /\/dashboard$/);
    await admin.getByRole('heading', { name: '工作概览' }).waitFor({ timeout: WAIT });
    expect(await admin.locator('html').getAttribute('lang')).toBe('zh-CN');
    for (const label of ['组织单元', '党员', '有效报到', '本月签到', '报而不到'])
      await admin.getByText(label, { exact: true }).first().waitFor({ timeout: WAIT });
    await admin.getByRole('heading', { name: /红黄灰评定/ }).waitFor({ timeout: WAIT });
    await admin.getByText('辖区：黄岩区').waitFor({ timeout: WAIT });

    const user = `county-admin-${COUNTY}`;
    const zh = (n: number) => new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 }).format(n);
    const expected = async () => {
      const total = async (path: string) =>
        (await api(user, `${path}${path.includes('?') ? '&' : '?'}limit=1`)).total;
      return {
        orgs: zh(await total('/api/v1/registry/orgs')),
        members: zh(await total('/api/v1/registry/members')),
        reported: zh(await total('/api/v1/checkin/reports?status=active')),
        noShows: zh(await total('/api/v1/checkin/views/no-shows')),
      };
    };
    const shown = async () => ({
      orgs: (await text(admin, 'stat-orgs')).split('\n')[1],
      members: (await text(admin, 'stat-members')).split('\n')[1],
      reported: (await text(admin, 'stat-reported')).split('\n')[1],
      noShows: (await text(admin, 'stat-no-shows')).split('\n')[1],
    });
    const want = await expected();
    expect(await shown()).toEqual(want);
    expect(Number(want.members.replace(/,/g, ''))).toBeGreaterThanOrEqual(4);

    // The colour counts are assessment's, for the latest year rated.
    const dashboard = await api(user, '/api/v1/assessment/dashboard');
    const years = [...new Set<string>(dashboard.trend.map((t: { period: string }) => t.period))]
      .filter((p) => /^\d{4}$/.test(p))
      .sort();
    const year = years.at(-1)!;
    for (const level of ['street', 'community', 'member']) {
      const counts = dashboard.trend.find(
        (t: { period: string; level: string }) => t.period === year && t.level === level,
      )?.counts ?? { red: 0, yellow: 0, grey: 0 };
      for (const colour of ['red', 'yellow', 'grey'])
        expect([level, colour, await text(admin, `colour-${level}-${colour}`)]).toEqual([
          level,
          colour,
          String(counts[colour]),
        ]);
    }
    // Tokens live in memory only.
    const stored = String(await admin.evaluate('JSON.stringify({ ...localStorage, ...sessionStorage })'));
    expect(stored).not.toMatch(/access_token|refresh_token|eyJ/);
    await check(admin, 'admin-dashboard');
  });

  it(`keeps the county admin of ${COUNTY} within the county: no unit or member of ${OTHER_COUNTY_NAME} anywhere`, async () => {
    await nav(admin, '组织架构', /\/orgs$/);
    await admin
      .getByTestId('org-tree')
      .getByText('黄岩区', { exact: true })
      .first()
      .waitFor({ timeout: WAIT });
    await admin.getByTestId('org-list').waitFor({ timeout: WAIT });
    expect(await admin.locator('main').innerText()).not.toMatch(new RegExp(`${OTHER_COUNTY_NAME}|331002`));
    // Every page of the unit list, then a search for the other county by name.
    const unitRows = admin.getByTestId('org-list').locator('tbody tr');
    const more = admin.getByRole('button', { name: '加载更多' });
    while (await more.isVisible()) {
      const shown = await unitRows.count();
      await more.click();
      await until('the next page of units', async () => (await unitRows.count()) > shown);
    }
    const units = await unitRows.allInnerTexts();
    expect(units.length).toBeGreaterThan(10);
    expect(units.filter((u) => u.includes(OTHER_COUNTY_NAME) || u.includes('331002'))).toEqual([]);
    await admin.getByTestId('org-search').fill(OTHER_COUNTY_NAME);
    await admin.getByRole('search').getByRole('button', { name: '搜索' }).click();
    await admin
      .getByRole('region', { name: '组织单元查询' })
      .getByText('已显示 0 / 共 0 条')
      .waitFor({ timeout: WAIT });
    // A unit's history, as of a day.
    await admin.getByTestId('org-node').first().click();
    await admin.getByTestId('org-history').getByRole('table').waitFor({ timeout: WAIT });
    await check(admin, 'admin-org-tree');

    await nav(admin, '党员名册', /\/members$/);
    const rows = admin.getByTestId('member-list').locator('tbody tr');
    await rows.first().waitFor({ timeout: WAIT });
    const members = await rows.allInnerTexts();
    expect(members.some((m) => m.includes('黄岩区王芳'))).toBe(true);
    expect(members.filter((m) => m.includes(OTHER_COUNTY_NAME))).toEqual([]);
    // Masked personal data; the audited reveal shows the full ID number.
    expect(await admin.getByTestId('pii-masked').first().innerText()).toContain('*');
    await rows.first().getByRole('button', { name: '查看完整信息' }).click();
    await rows.first().getByRole('button', { name: '确认' }).click();
    await admin.getByTestId('pii-revealed').first().waitFor({ timeout: WAIT });
    expect(await admin.getByTestId('pii-revealed').first().innerText()).toMatch(/\d{17}[\dX]/);
    await admin.getByTestId('member-search').fill(OTHER_COUNTY_NAME);
    await admin.getByRole('search').getByRole('button', { name: '搜索' }).click();
    await admin
      .getByRole('region', { name: '党员名册' })
      .getByText('已显示 0 / 共 0 条')
      .waitFor({ timeout: WAIT });
    await check(admin, 'admin-members');

    await nav(admin, '覆盖情况', /\/coverage$/);
    await admin.getByTestId('coverage-gaps').waitFor({ timeout: WAIT });
    expect(await admin.locator('main').innerText()).not.toContain(OTHER_COUNTY_NAME);
    await check(admin, 'admin-coverage');

    await nav(admin, '批量导入', /\/imports$/);
    await admin.getByRole('heading', { name: '上传文件' }).waitFor({ timeout: WAIT });
    // A dry run of a file with a bad row: the report names the row, the column and why, in Chinese.
    await admin.getByLabel('导入类型').selectOption('members');
    await admin.getByLabel('文件', { exact: true }).setInputFiles({
      name: 'members.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        '党员编号,姓名,身份证号,手机号,党员类别,所属党组织编码,工作单位编码,居住小区编码,居住楼栋编码,生效日期\n' +
          `${COUNTY}-member-99,测试党员,123,13900000000,在职党员,${COUNTY}-agency-01-dw,,,,2024-01-01\n`,
      ),
    });
    await admin.getByRole('button', { name: '校验文件' }).click();
    const report = admin.getByTestId('import-report');
    await report.waitFor({ timeout: WAIT });
    expect(await report.innerText()).toContain('存在错误');
    expect(await report.getByRole('table', { name: '逐行错误' }).innerText()).toMatch(
      /2\s+身份证号\s+身份证号应为18位/,
    );
    await check(admin, 'admin-imports');
  });

  it('walks the check-in story: report, confirm, QR code, scan, attendance, check-out', async () => {
    // The member reports to the residence community, on a phone.
    await until('the member’s registry facts at check-in', async () => {
      const s = await api(`member-${COUNTY}`, `/api/v1/checkin/members/${COUNTY}-member-01/summary`);
      return s.owed.some((o: { kind: string }) => o.kind === 'residence');
    });
    await member.goto('/');
    await signInIfAsked(member, `member-${COUNTY}`, /\/m$/);
    await member.getByRole('heading', { name: '我的红联' }).waitFor({ timeout: WAIT });
    await check(member, 'member-home');
    await nav(member, '我的报到', /\/m\/reports$/);
    await member.getByTestId('report-form').getByLabel('报到社区').selectOption(`residence|${COMMUNITY}`);
    await member.getByLabel('个人特长').fill('水电维修');
    await member.getByRole('button', { name: '提交报到' }).click();
    await member.getByText('等待社区确认').waitFor({ timeout: WAIT });
    await check(member, 'member-reports');
    await nav(member, '签署承诺', /\/m\/pledge/);
    await member.getByRole('heading', { name: '签署服务承诺' }).waitFor({ timeout: WAIT });
    await check(member, 'member-pledge');

    // Staff confirm it, on a tablet.
    await staff.goto('/');
    await signInIfAsked(staff, `staff-${COUNTY}`, /\/reports$/);
    const report = staff.getByTestId('report-list').locator('tbody tr', { hasText: MEMBER_NAME });
    await report.waitFor({ timeout: WAIT });
    await check(staff, 'staff-reports');
    await report.getByTestId('confirm-report').click();
    await staff.getByText('暂无待确认的报到').waitFor({ timeout: WAIT });

    // Staff publish an activity running now and open its QR code.
    await nav(staff, '活动与吹哨', /\/activities$/);
    await staff.getByTestId('new-activity').click();
    const form = staff.getByTestId('activity-form');
    await form
      .locator('select[name=communityId] option')
      .first()
      .waitFor({ state: 'attached', timeout: WAIT });
    await form.getByLabel('标题').fill('助老服务');
    await form.getByLabel('地点').fill('党群服务中心');
    await form.getByLabel('开始时间').fill(cst(new Date(clock.now().getTime() - 10 * 60_000)));
    await form.getByLabel('结束时间').fill(cst(new Date(clock.now().getTime() + 3 * HOUR)));
    await form.getByRole('button', { name: '发布' }).click();
    const row = staff.getByTestId('activity-list').locator('tbody tr', { hasText: '助老服务' });
    await row.waitFor({ timeout: WAIT });
    await check(staff, 'staff-activities');
    await row.getByTestId('open-qr').click();
    await staff.waitForURL(/\/activities\/[^/]+\/qr$/, { timeout: WAIT });
    const qr = staff.getByTestId('qr');
    await qr.waitFor({ timeout: WAIT });
    const checkInUrl = (await qr.getAttribute('data-checkin-url'))!;
    const firstToken = (await qr.getAttribute('data-token'))!;
    expect(checkInUrl).toMatch(new RegExp(`^${base}/m/check-in\\?activity=[^&]+&token=`));
    expect(await qr.locator('img').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await check(staff, 'staff-activity-qr');

    // The member's phone camera opens the QR code's link: sign in again (tokens live in memory), then checked in.
    await member.goto(checkInUrl);
    await signInIfAsked(member, `member-${COUNTY}`, /\/m\/check-in/);
    await member.getByTestId('checkin-result').getByText('签到成功').waitFor({ timeout: WAIT });
    await check(member, 'member-check-in');

    // Staff see the attendance.
    await staff.getByRole('link', { name: /返回活动列表/ }).click();
    await staff
      .getByTestId('activity-list')
      .locator('tbody tr', { hasText: '助老服务' })
      .getByRole('link', { name: '签到记录' })
      .click();
    await staff.waitForURL(/\/attendance\?activity=/, { timeout: WAIT });
    const attendance = staff.getByTestId('attendance-list').locator('tbody tr', { hasText: MEMBER_NAME });
    await attendance.waitFor({ timeout: WAIT });
    expect(await attendance.innerText()).toContain('进行中');
    await check(staff, 'staff-attendance');

    // Two hours later the code on the screen has rotated; the member pastes it and checks out.
    clock.advance(2 * HOUR);
    await staff.goBack();
    await staff
      .getByTestId('activity-list')
      .locator('tbody tr', { hasText: '助老服务' })
      .getByTestId('open-qr')
      .click();
    const rotated = async () => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
        const token = await staff.getByTestId('qr').getAttribute('data-token', { timeout: WAIT });
        if (token && token !== firstToken) return token;
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error('the QR code never rotated');
    };
    await rotated();
    const secondUrl = (await staff.getByTestId('qr').getAttribute('data-checkin-url'))!;
    await member.getByTestId('token-input').fill(secondUrl);
    await member.getByRole('button', { name: '签退' }).click();
    await member.getByTestId('checkin-result').getByText('签退成功').waitFor({ timeout: WAIT });
    expect(await member.getByTestId('checkin-result').innerText()).toContain('2');

    await staff.getByRole('link', { name: /返回活动列表/ }).click();
    await staff
      .getByTestId('activity-list')
      .locator('tbody tr', { hasText: '助老服务' })
      .getByRole('link', { name: '签到记录' })
      .click();
    await staff
      .getByTestId('attendance-list')
      .locator('tbody tr', { hasText: MEMBER_NAME })
      .getByText('已完成')
      .waitFor({ timeout: WAIT });
  });

  it('shows the member their hours, points, star and pioneer index on the phone', async () => {
    await nav(member, '时长积分', /\/m\/points$/);
    await member.getByTestId('points-balance').waitFor({ timeout: WAIT });
    await check(member, 'member-points');
    await nav(member, '星级证书', /\/m\/star$/);
    await member.getByTestId('star-level').waitFor({ timeout: WAIT });
    await member.getByTestId('rating-explanation').waitFor({ timeout: WAIT });
    await check(member, 'member-star');
  });

  it('shows staff the feedback sheet, orders and point accounts of their community', async () => {
    await nav(staff, '单位反馈单', /\/feedback$/);
    await staff.getByTestId('feedback-sheet').waitFor({ timeout: WAIT });
    await check(staff, 'staff-feedback');
    // The exports are fetched with the bearer token and saved as files.
    for (const format of ['csv', 'xlsx']) {
      const [file] = await Promise.all([
        staff.waitForEvent('download', { timeout: WAIT }),
        staff.getByTestId(`export-${format}`).click(),
      ]);
      expect(file.suggestedFilename()).toMatch(new RegExp(`^feedback-.+\\.${format}$`));
    }
    await nav(staff, '点单派单', /\/orders$/);
    await staff.getByTestId('order-list').waitFor({ timeout: WAIT });
    await check(staff, 'staff-orders');
    await nav(staff, '积分账户', /\/points$/);
    await staff.getByTestId('account-list').waitFor({ timeout: WAIT });
    await check(staff, 'staff-points');
  });

  it('shows the county admin the firm scorecards and the tri-colour map with each rating’s explanation', async () => {
    await nav(admin, '物业评价', /\/evaluation$/);
    const ranking = admin.getByTestId('ranking');
    await ranking.waitFor({ timeout: WAIT });
    expect(await ranking.innerText()).toContain('黄岩区示范物业服务有限公司');
    await ranking.getByRole('button', { name: /展开/ }).first().click();
    await admin.getByTestId('breakdown').waitFor({ timeout: WAIT });
    await check(admin, 'admin-evaluation');

    await nav(admin, '积分排行', /\/leaderboard$/);
    await admin.getByRole('table', { name: '积分排行' }).waitFor({ timeout: WAIT });
    expect(await admin.getByRole('table', { name: '积分排行' }).innerText()).not.toContain('331002');
    await check(admin, 'admin-leaderboard');

    await nav(admin, '三色评定', /\/assessment/);
    const map = admin.getByTestId('tri-colour');
    await map.waitFor({ timeout: WAIT });
    expect(await map.innerText()).toContain('黄岩区示范街道');
    expect(await map.innerText()).not.toContain(OTHER_COUNTY_NAME);
    await check(admin, 'admin-tri-colour');
    await map.getByTestId('community-tile').first().click();
    await admin.getByTestId('rating-explanation').waitFor({ timeout: WAIT });
    await admin.getByText('得分构成').first().waitFor({ state: 'attached', timeout: WAIT });
    await check(admin, 'admin-rating');
  });

  it('switches to English and back, remembering the choice', async () => {
    await nav(admin, '工作概览', /\/dashboard$/);
    // The story's report and check-in are in the county's figures now.
    const month = (d: Date) => cst(d).slice(0, 7);
    const checkIns = (
      await api(`county-admin-${COUNTY}`, '/api/v1/checkin/attendances?limit=200')
    ).items.filter((a: { checkInAt: string }) => month(new Date(a.checkInAt)) === month(new Date())).length;
    expect(checkIns).toBeGreaterThanOrEqual(1);
    expect((await text(admin, 'stat-attendance')).split('\n')[1]).toBe(String(checkIns));
    const active = (await api(`county-admin-${COUNTY}`, '/api/v1/checkin/reports?status=active&limit=200'))
      .items;
    expect(active.map((r: { memberName: string }) => r.memberName)).toContain(MEMBER_NAME);
    expect((await text(admin, 'stat-reported')).split('\n')[1]).toBe(String(active.length));
    await admin.getByTestId('language-switch').click();
    await admin.getByRole('heading', { name: 'Dashboard' }).waitFor({ timeout: WAIT });
    expect(await admin.locator('html').getAttribute('lang')).toBe('en');
    expect(await admin.evaluate("localStorage.getItem('honglian.lang')")).toBe('en');
    await admin.getByText('Active reports', { exact: true }).waitFor({ timeout: WAIT });
    await check(admin, 'admin-dashboard-en');
    await admin.getByTestId('language-switch').click();
    await admin.getByRole('heading', { name: '工作概览' }).waitFor({ timeout: WAIT });
    expect(await admin.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await admin.evaluate("localStorage.getItem('honglian.lang')")).toBe('zh-CN');
  });

  it('signs out through the identity provider’s end-session endpoint', async () => {
    await admin.getByTestId('sign-out').click();
    await admin.getByTestId('signed-out').waitFor({ timeout: WAIT });
    expect(new URL(admin.url()).pathname).toBe('/');
    await check(admin, 'signed-out');
    // Signing in again goes back to the login page.
    await admin.getByRole('button', { name: '登录' }).click();
    await admin.locator('#username').waitFor({ timeout: WAIT });
  });

  it('has no serious or critical accessibility violation on any page checked', () => {
    expect(Object.keys(a11y).length).toBeGreaterThanOrEqual(15);
    expect(Object.fromEntries(Object.entries(a11y).filter(([, v]) => v.length > 0))).toEqual({});
  });
});
