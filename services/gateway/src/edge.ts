import { Agent as HttpAgent, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { Transform } from 'node:stream';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import {
  HttpProblem,
  REQUEST_ID_HEADER,
  principalRateLimit,
  sendProblem,
  tooManyRequests,
  type Authenticator,
  type Logger,
  type Principal,
} from '@honglian/service-kit';
import type { GatewaySettings, RateLimitSettings } from './config.js';
import { routeOf, type ApiRoutes } from './routing.js';

/** What the edge learnt about the caller, kept on `res.locals`. */
interface EdgeLocals {
  principal?: Principal;
  authError?: unknown;
}

const localsOf = (res: Response) => res.locals as EdgeLocals;

/**
 * Per-client limits: a caller with a valid token is counted by its client and
 * subject (`azp` + `sub`), anyone else by IP (IPv6 by /56), with a lower limit.
 */
export function apiRateLimit(settings: RateLimitSettings, logger: Logger): RateLimitRequestHandler {
  return principalRateLimit({
    settings,
    logger,
    principalOf: (_req, res) => localsOf(res).principal,
    standardHeaders: true,
  });
}

/** Per-IP limit of the token endpoint (password guessing). */
export function tokenRateLimit(settings: RateLimitSettings, logger: Logger): RateLimitRequestHandler {
  return rateLimit({
    windowMs: settings.windowMs,
    limit: settings.tokenMax,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, res) => tooManyRequests(req as Request, res as Response),
    // X-Forwarded-For is ignored on purpose unless TRUST_PROXY names the proxy: not worth a log line.
    validate: { xForwardedForHeader: false },
    logger: {
      warn: (...a: unknown[]) => logger.warn({ a }, 'rate limit'),
      error: (...a: unknown[]) => logger.error({ a }, 'rate limit'),
    },
  });
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** One streaming proxy per service: the body is never parsed here. */
function serviceProxy(service: string, target: string, settings: GatewaySettings, logger: Logger) {
  const timedOut = new WeakSet<IncomingMessage>();
  // Without an agent http-proxy opens a connection per request and sends `connection: close`,
  // which the service echoes back to the caller: every call then paid two TCP handshakes.
  // Idle sockets are dropped before the services' 5 s keep-alive timeout, so none is reused
  // just as the service closes it.
  const agentOptions = { keepAlive: true, timeout: 4000, scheduling: 'lifo' as const };
  const agent = target.startsWith('https:') ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  return createProxyMiddleware<Request, Response>({
    target,
    agent,
    changeOrigin: false,
    xfwd: true,
    proxyTimeout: settings.proxyTimeoutMs,
    on: {
      proxyReq: (proxyReq, req) => {
        proxyReq.on('timeout', () => timedOut.add(req));
      },
      error: (err, req, res) => {
        if (!isResponse(res)) return (res as Socket).destroy();
        // Already answered (413 by capStreamedBody).
        if (res.writableEnded) return;
        const code = (err as NodeJS.ErrnoException).code ?? '';
        const status = timedOut.has(req) || code === 'ETIMEDOUT' ? 504 : UNREACHABLE.has(code) ? 503 : 502;
        logger.warn({ err, service, reqId: requestIdOfReq(req), status }, 'proxy error');
        if (res.headersSent) return res.destroy();
        const detail =
          status === 503
            ? `The ${service} service is not available right now; try again shortly.`
            : status === 504
              ? `The ${service} service did not answer in time.`
              : `The ${service} service answered badly or dropped the connection.`;
        sendProblem(
          res as Response,
          new HttpProblem(status, detail, status === 503 ? { headers: { 'Retry-After': '5' } } : {}),
          req.originalUrl,
        );
      },
    },
  });
}

/** The id pino-http gave the request (the caller's x-request-id when sane). */
function requestIdOfReq(req: IncomingMessage): string {
  const id = (req as IncomingMessage & { id?: unknown }).id;
  return id === undefined ? '' : String(id);
}

/**
 * Caps a body sent without Content-Length (chunked), which the header check
 * cannot see: http-proxy pipes `req` into the upstream request, so `req.pipe`
 * is pointed through a counting stream. Past the limit the upstream request
 * is dropped and the caller gets 413; the rest of the body is read and
 * discarded (so the answer is not lost to a connection reset), up to the
 * limit again, then the connection is closed.
 */
function capStreamedBody(req: Request, res: Response, limit: number): void {
  let seen = 0;
  let overflowed = false;
  let upstream: NodeJS.WritableStream | undefined;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen <= limit) return done(null, chunk);
      done();
      overflow();
    },
  });
  const overflow = () => {
    if (overflowed) return;
    overflowed = true;
    req.unpipe(counter);
    counter.unpipe();
    (upstream as { destroy?: () => void } | undefined)?.destroy?.();
    let discarded = 0;
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > limit) req.socket.destroy();
    });
    req.resume();
    if (res.headersSent) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    sendProblem(
      res,
      new HttpProblem(413, `The request body is larger than ${limit} bytes.`),
      req.originalUrl,
    );
  };
  const pipe = req.pipe.bind(req);
  req.pipe = (<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T => {
    upstream = destination;
    pipe(counter);
    return counter.pipe(destination, options);
  }) as typeof req.pipe;
}

function isResponse(res: ServerResponse | Socket): res is ServerResponse {
  return typeof (res as ServerResponse).writeHead === 'function';
}

/**
 * `/api/v1/<prefix>/...`: find the owning service, refuse oversized bodies,
 * verify the token (rate limits need to know who calls), apply the limits,
 * answer 401 when the token is missing or invalid, then stream the request
 * to the service, which verifies the token again and checks roles. Requests
 * for an unknown prefix fall through (404 after the body parser).
 */
export function apiEdge(opts: {
  services: Record<string, string>;
  /** Which service serves which prefix; default API_ROUTES. */
  routes?: ApiRoutes;
  auth: Authenticator;
  settings: GatewaySettings;
  logger: Logger;
  /** Whether the services document the operation as public (no token needed). */
  isPublic?: (method: string, path: string) => Promise<boolean>;
}): RequestHandler {
  const { services, auth, settings, logger } = opts;
  const limiter = apiRateLimit(settings.rateLimit, logger);
  const proxies = new Map(
    Object.entries(services).map(([name, url]) => [name, serviceProxy(name, url, settings, logger)]),
  );
  return async (req: Request, res: Response, next: NextFunction) => {
    const route = routeOf(req.path, opts.routes);
    if (!route) return next();
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > settings.proxyBodyLimitBytes) {
      throw new HttpProblem(413, `The request body is larger than ${settings.proxyBodyLimitBytes} bytes.`);
    }
    try {
      localsOf(res).principal = await auth.authenticate(req);
    } catch (err) {
      // A public operation (a certificate check) needs no token: the caller is limited by IP.
      const open = !req.headers.authorization && (await opts.isPublic?.(req.method, req.path));
      if (!open) localsOf(res).authError = err;
    }
    await limiter(req, res, (err?: unknown) => {
      if (err) return next(err);
      const { authError } = localsOf(res);
      if (authError) return next(authError);
      const proxy = proxies.get(route.service);
      if (!proxy) {
        return next(
          new HttpProblem(503, `No address is configured for the ${route.service} service.`, {
            headers: { 'Retry-After': '30' },
          }),
        );
      }
      // One request id end to end: the caller's when sane, else the one the gateway made.
      req.headers[REQUEST_ID_HEADER] = requestIdOfReq(req);
      if (req.headers['transfer-encoding'] !== undefined) {
        capStreamedBody(req, res, settings.proxyBodyLimitBytes);
      }
      void proxy(req, res, next);
    });
  };
}
