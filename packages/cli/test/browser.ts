import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/**
 * A real browser for the console's end-to-end tests: Debian's Chromium (CHROMIUM_PATH to use
 * another), headless, with everything that would phone home switched off.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function browserUnavailable(): string | null {
  return existsSync(CHROMIUM_PATH)
    ? null
    : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The devices the console is designed for: officials on a desktop or a tablet, members on a phone. */
export const DEVICES: Record<'desktop' | 'tablet' | 'phone', BrowserContextOptions> = {
  desktop: { viewport: { width: 1366, height: 900 } },
  tablet: { viewport: { width: 1024, height: 768 }, hasTouch: true },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};
export const CHINA: BrowserContextOptions = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

/** Where the screenshots go (gitignored): packages/cli/test-artifacts/console/. */
export const ARTIFACTS = path.join(__dirname, '..', 'test-artifacts', 'console');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Bounded wait: how long a page may take to show what the test looks for. */
export const WAIT = 30_000;

/**
 * Signs in on the identity provider's login page when a page load of the console sends the
 * browser there (tokens live in memory: every load without a session does), then waits until
 * the console shows the signed-in user on a page whose URL matches `until`.
 */
export async function signInIfAsked(page: Page, username: string, until: RegExp): Promise<void> {
  const login = page.locator('#username');
  const signedIn = page.getByTestId('user-name');
  await login.or(signedIn).first().waitFor({ state: 'visible', timeout: WAIT });
  if (await login.isVisible()) {
    await login.fill(username);
    await page.locator('#password').fill('honglian-demo');
    await page.getByRole('button', { name: '登录 Sign in' }).click();
  }
  await page.waitForURL(until, { timeout: WAIT });
  await signedIn.waitFor({ state: 'visible', timeout: WAIT });
}

/** Serious and critical accessibility violations of the page as it is now (axe-core). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}
