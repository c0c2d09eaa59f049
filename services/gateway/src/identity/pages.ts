/**
 * The few HTML pages of the development identity provider: the sign-in form,
 * an error page and the signed-out page. Chinese first, English beside it;
 * no script at all; every value from the request escaped.
 */

export interface Bilingual {
  zh: string;
  en: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * The pages' Content-Security-Policy: no script, inline styles only, the form
 * posting to this origin and the sign-in redirect going to the client's origin
 * (browsers apply `form-action` to the redirect after a form post too).
 */
export function pageSecurityPolicy(formTargets: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    `form-action 'self'${formTargets.map((o) => ` ${o}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
  body { margin: 0; background: #f6f1ef; color: #1f1f1f; }
  main { max-width: 26rem; margin: 8vh auto; padding: 2rem; background: #fff; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
  h1 { margin: 0 0 .25rem; font-size: 1.5rem; color: #8f1d1d; }
  h1 span { display: block; font-size: 1rem; color: #444; font-weight: normal; }
  .realm { margin: 0 0 1.5rem; color: #555; font-size: .875rem; }
  label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
  label span { font-weight: normal; color: #444; }
  input[type=text], input[type=password] { box-sizing: border-box; width: 100%; padding: .6rem; font-size: 1rem; border: 1px solid #767676; border-radius: 4px; }
  input:focus, button:focus, a:focus { outline: 3px solid #1a5fb4; outline-offset: 2px; }
  button { margin-top: 1.5rem; width: 100%; padding: .7rem; font-size: 1rem; color: #fff; background: #a61b1b; border: 0; border-radius: 4px; cursor: pointer; }
  button:hover { background: #8f1d1d; }
  .alert { margin: 0 0 1rem; padding: .75rem; border: 1px solid #a61b1b; border-left-width: 4px; background: #fdecec; color: #6b0f0f; }
  .hint { margin: 1.5rem 0 0; font-size: .875rem; color: #444; }
  code { font-size: .9em; }
`;

function document(title: Bilingual, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="data:,">
<title>${escapeHtml(title.zh)} · ${escapeHtml(title.en)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

const both = (text: Bilingual) => `${escapeHtml(text.zh)} · <span lang="en">${escapeHtml(text.en)}</span>`;

export const INVALID_CREDENTIALS: Bilingual = {
  zh: '用户名或密码错误',
  en: 'Invalid username or password',
};

export const LOGIN_EXPIRED: Bilingual = {
  zh: '登录页面已过期，或浏览器未启用 Cookie，请重新登录',
  en: 'The sign-in page expired or cookies are disabled; please sign in again',
};

export interface LoginPage {
  /** Where the form posts. */
  action: string;
  realm: string;
  /** The authorization request, carried through the form unchanged. */
  hidden: Record<string, string>;
  username?: string;
  error?: Bilingual;
  /** Tell people the demo password (the development identity provider only ever runs in development). */
  demoPassword?: string;
}

export function loginPage(page: LoginPage): string {
  const error = page.error;
  const described = error ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  const hidden = Object.entries(page.hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  const username = page.username ?? '';
  return document(
    { zh: '红联 登录', en: 'Sign in to Honglian' },
    `<h1>红联 登录 <span lang="en">Sign in to Honglian</span></h1>
<p class="realm">开发身份提供者（域 ${escapeHtml(page.realm)}） · <span lang="en">Development identity provider (realm ${escapeHtml(page.realm)})</span></p>
${error ? `<div id="login-error" class="alert" role="alert">${both(error)}</div>` : ''}
<form method="post" action="${escapeHtml(page.action)}">
${hidden}
<label for="username">用户名 <span lang="en">Username</span></label>
<input id="username" name="username" type="text" value="${escapeHtml(username)}" autocomplete="username" autocapitalize="none" spellcheck="false" required${described}${username ? '' : ' autofocus'}>
<label for="password">密码 <span lang="en">Password</span></label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}${username ? ' autofocus' : ''}>
<button type="submit">登录 <span lang="en">Sign in</span></button>
</form>
${
  page.demoPassword
    ? `<p class="hint">演示用户（如 <code>county-admin-331003</code>）的密码均为 <code>${escapeHtml(page.demoPassword)}</code> · <span lang="en">Demo users (e.g. <code>county-admin-331003</code>) all use the password <code>${escapeHtml(page.demoPassword)}</code></span></p>`
    : ''
}`,
  );
}

/** A page that only says something: an error the browser cannot be sent back with, or "signed out". */
export function messagePage(page: {
  title: Bilingual;
  message: Bilingual;
  alert?: boolean;
  link?: { href: string } & Bilingual;
}): string {
  return document(
    page.title,
    `<h1>${escapeHtml(page.title.zh)} <span lang="en">${escapeHtml(page.title.en)}</span></h1>
<p${page.alert ? ' class="alert" role="alert"' : ''}>${both(page.message)}</p>
${page.link ? `<p><a href="${escapeHtml(page.link.href)}">${both(page.link)}</a></p>` : ''}`,
  );
}
