import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { HttpProblem, sendProblem, type Logger } from '@honglian/service-kit';
import { messagePage } from './identity/pages.js';
import { originOf } from './identity/redirects.js';

/** What the console reads at start: where to sign in, as whom. */
export const CONSOLE_CONFIG_PATH = '/console-config.json';

export interface ConsoleOptions {
  /**
   * The realm URL (issuer) the browser signs in at: the gateway's own realm in
   * embedded mode, the public Keycloak realm URL in keycloak mode. Read per
   * request (the gateway's address may be known only once it listens).
   */
  authority?: string | (() => string);
  /** The public client the console signs in as. Default `honglian-web`. */
  clientId?: string;
}

/**
 * Paths the console never answers for, even for a browser asking for a page:
 * the gateway's own endpoints, so a mistyped API or docs URL still gets the
 * gateway's 404 and a missing asset is not answered with index.html.
 */
export const NOT_CONSOLE_PATHS = [
  '/api',
  '/realms',
  '/docs',
  '/openapi.json',
  '/asyncapi.json',
  '/healthz',
  '/readyz',
  '/metrics',
  CONSOLE_CONFIG_PATH,
  '/assets',
];

/** Hashed file names (Vite writes them under assets/) never change: cached for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The built console of @honglian/console (`packages/console/dist`), or
 * undefined when the package is not installed beside the gateway.
 */
export function defaultConsoleDir(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@honglian/console/package.json');
    return path.join(path.dirname(manifest), 'dist');
  } catch {
    return undefined;
  }
}

/** The console's Content-Security-Policy; `authority` is the identity provider's origin when it is another. */
export function consoleSecurityPolicy(authorityOrigin?: string): string {
  const idp = authorityOrigin ? ` ${authorityOrigin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${idp}`,
    // oidc-client-ts' silent sign-in runs in an iframe at the identity provider.
    `frame-src 'self'${idp}`,
    `form-action 'self'${idp}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * Serves the web console after every other route of the gateway:
 * `/console-config.json`; the files of the built console (`assets/` cached
 * for a year, everything else revalidated); and index.html for `/` and for
 * any other page a browser asks for (a GET accepting text/html, outside the
 * gateway's own paths, without a file extension) so the console's client-side
 * routes survive a reload. Without a built console those pages say so (503)
 * instead. Console responses carry the console's CSP and no framing.
 */
export function mountConsole(
  app: Express,
  opts: {
    /** The built console folder (index.html + assets/); undefined: not built. */
    dir: string | undefined;
    authority: (() => string) | undefined;
    clientId: string;
    logger: Logger;
  },
): void {
  const { dir } = opts;
  const index = dir ? path.join(dir, 'index.html') : undefined;
  if (!index || !existsSync(index)) {
    opts.logger.warn(
      { consoleDir: dir },
      'the console is not built (no index.html): / answers a page saying so until it is',
    );
  }
  const authority = () => {
    try {
      return opts.authority?.();
    } catch {
      return undefined;
    }
  };

  app.get(CONSOLE_CONFIG_PATH, (req, res) => {
    const issuer = authority();
    if (!issuer) {
      const en = 'The console’s sign-in is not configured on this gateway.';
      return sendProblem(
        res,
        new HttpProblem(503, en, { extensions: { reason: { zh: '此网关未配置控制台登录', en } } }),
        req.originalUrl,
      );
    }
    res.set('Cache-Control', 'no-cache').json({ authority: issuer, clientId: opts.clientId });
  });

  const headers: RequestHandler = (_req, res, next) => {
    const issuer = authority();
    const origin = issuer ? originOf(issuer) : undefined;
    res.setHeader('Content-Security-Policy', consoleSecurityPolicy(origin));
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  };

  const files: RequestHandler[] = dir
    ? [
        express.static(dir, {
          index: false,
          redirect: false,
          fallthrough: true,
          dotfiles: 'ignore',
          setHeaders: (res, file) => {
            const relative = path.relative(dir, file).split(path.sep);
            res.setHeader('Cache-Control', relative[0] === 'assets' ? IMMUTABLE : 'no-cache');
          },
        }),
      ]
    : [];

  const page: RequestHandler = (req, res, next) => {
    if (!isConsolePage(req)) return next();
    if (!dir) return notBuilt(res);
    res.sendFile(
      'index.html',
      { root: dir, cacheControl: false, headers: { 'Cache-Control': 'no-cache' } },
      (err) => {
        if (!err) return;
        const code = (err as NodeJS.ErrnoException).code;
        if (!res.headersSent && (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR')) {
          return notBuilt(res);
        }
        next(err);
      },
    );
  };

  app.use(headers, ...files, page);
}

function isConsolePage(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.path === '/') return true;
  if (NOT_CONSOLE_PATHS.some((p) => req.path === p || req.path.startsWith(`${p}/`))) return false;
  // A missing file (favicon.ico, robots.txt) is a 404, not the console.
  if (/\.[^/]*$/.test(req.path)) return false;
  return /\btext\/html\b|\bapplication\/xhtml\+xml\b/.test(req.headers.accept ?? '');
}

function notBuilt(res: Response): void {
  res
    .status(503)
    .set({ 'Cache-Control': 'no-store', 'Retry-After': '30' })
    .type('html')
    .send(
      messagePage({
        title: { zh: '红联控制台尚未构建', en: 'The Honglian console is not built' },
        message: {
          zh: '网关没有找到构建好的控制台。运行 npm start（会先构建控制台），或 npx turbo run build --filter=@honglian/console；也可以用 CONSOLE_DIR 指向构建好的目录。API 照常可用。',
          en: 'The gateway found no built console. Run npm start (it builds the console first) or npx turbo run build --filter=@honglian/console, or point CONSOLE_DIR at a built console. The API works as usual.',
        },
        link: { href: '/docs/', zh: 'API 文档', en: 'API docs' },
      }),
    );
}
