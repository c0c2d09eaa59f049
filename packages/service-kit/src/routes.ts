import express, { type Request, type Response, type Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Role } from '@honglian/contracts';
import { fromZodError, forbidden, HttpProblem } from './problem.js';
import { toOpenApiPath } from './openapi.js';
import { hasAnyRole, type Authenticator, type Principal } from './auth/principal.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Media type of the body; JSON unless said otherwise (e.g. text/csv). */
  contentType?: string;
}

interface RouteSpecBase<B extends z.ZodType, Q extends z.ZodObject, P extends z.ZodObject> {
  method: Method;
  /** Express path relative to the router, e.g. `/orgs/:id`. */
  path: string;
  summary: string;
  description?: string;
  tags?: string[];
  request?: { body?: B; query?: Q; params?: P };
  responses: Record<number, ResponseSpec>;
}

/** A route is either public (health-like, no token) or needs a token and, optionally, one of some roles. */
export type RouteSpec<B extends z.ZodType, Q extends z.ZodObject, P extends z.ZodObject> = RouteSpecBase<
  B,
  Q,
  P
> &
  ({ public: true; roles?: never } | { public?: false; roles?: readonly Role[] });

export interface RouteInput<B, Q, P, A> {
  body: B;
  query: Q;
  params: P;
  principal: A;
  req: Request;
  res: Response;
}

/** What a handler answers; `undefined` means the handler wrote the response itself (e.g. a file). */
export type RouteResult = { status?: number; body?: unknown; headers?: Record<string, string> } | undefined;

const Empty = z.object({});
const ZH_MESSAGES = z.locales.zhCN().localeError;

/**
 * Routes whose zod schemas validate input and produce the OpenAPI document,
 * so the spec a client reads is the check the server runs.
 */
export class ApiRouter {
  readonly router: Router = express.Router();

  constructor(
    private readonly opts: {
      registry: OpenAPIRegistry;
      /** Prefix under which the router is mounted (for the OpenAPI paths). */
      basePath: string;
      auth?: Authenticator;
      defaultTags?: string[];
      /**
       * Check every JSON answer against the schema its route documents for that status (tests
       * turn it on; see `checkResponse`): the OpenAPI document then cannot drift from what the
       * handlers send. A mismatch is thrown, so the test sees a 500 naming the field.
       */
      checkResponses?: boolean;
    },
  ) {}

  route<
    B extends z.ZodType = z.ZodUndefined,
    Q extends z.ZodObject = typeof Empty,
    P extends z.ZodObject = typeof Empty,
  >(
    spec: RouteSpec<B, Q, P> & { public: true },
    handler: (
      input: RouteInput<z.infer<B>, z.infer<Q>, z.infer<P>, undefined>,
    ) => Promise<RouteResult> | RouteResult,
  ): this;
  route<
    B extends z.ZodType = z.ZodUndefined,
    Q extends z.ZodObject = typeof Empty,
    P extends z.ZodObject = typeof Empty,
  >(
    spec: RouteSpec<B, Q, P>,
    handler: (
      input: RouteInput<z.infer<B>, z.infer<Q>, z.infer<P>, Principal>,
    ) => Promise<RouteResult> | RouteResult,
  ): this;
  route(
    spec: RouteSpec<z.ZodType, z.ZodObject, z.ZodObject>,
    // The overloads type the handler; here it only needs to be callable.
    handler: (input: never) => Promise<RouteResult> | RouteResult,
  ): this {
    const auth = this.opts.auth;
    if (!spec.public && !auth) {
      throw new Error(
        `${spec.method.toUpperCase()} ${spec.path} needs a token but the router has no authenticator`,
      );
    }
    this.register(spec);
    this.router[spec.method](spec.path, async (req, res) => {
      const principal = spec.public ? undefined : await auth!.authenticate(req);
      if (principal && spec.roles?.length && !hasAnyRole(principal, spec.roles)) throw forbidden();
      const input: RouteInput<unknown, unknown, unknown, Principal | undefined> = {
        body: parse(spec.request?.body, req.body, 'body'),
        query: parse(spec.request?.query ?? Empty, req.query, 'query'),
        params: parse(spec.request?.params ?? Empty, req.params, 'params'),
        principal,
        req,
        res,
      };
      const result = await handler(input as never);
      if (result === undefined || res.headersSent) return;
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      const status = result.status ?? (result.body === undefined ? 204 : 200);
      if (this.opts.checkResponses) checkResponse(spec, status, result.body);
      if (result.body === undefined) res.status(status).end();
      else res.status(status).json(result.body);
    });
    return this;
  }

  private register(spec: RouteSpec<z.ZodType, z.ZodObject, z.ZodObject>): void {
    const problem = (description: string) => ({
      description,
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      responses[status] = r.schema
        ? {
            description: r.description,
            content: { [r.contentType ?? 'application/json']: { schema: r.schema } },
          }
        : { description: r.description };
    }
    responses['400'] ??= problem('Invalid input');
    if (!spec.public) {
      responses['401'] ??= problem('Missing or invalid access token');
      responses['403'] ??= problem('The token lacks the required role');
    }
    const body = spec.request?.body;
    this.opts.registry.registerPath({
      method: spec.method,
      path: toOpenApiPath(this.opts.basePath + spec.path),
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: spec.tags ?? this.opts.defaultTags ?? [],
      // A public operation says so (no token), overriding a gateway's document-wide bearer default.
      security: spec.public ? [] : [{ bearerAuth: [] }],
      ...(spec.roles?.length ? { 'x-roles': spec.roles } : {}),
      request: {
        ...(body ? { body: { content: { 'application/json': { schema: body } }, required: true } } : {}),
        ...(spec.request?.query ? { query: spec.request.query } : {}),
        ...(spec.request?.params ? { params: spec.request.params } : {}),
      },
      responses: responses as never,
    });
  }
}

/** Why an answer does not match what its route documents, or null when it does. */
export function responseMismatch(
  spec: Pick<RouteSpecBase<z.ZodType, z.ZodObject, z.ZodObject>, 'responses'>,
  status: number,
  body: unknown,
): string | null {
  const documented = spec.responses[status];
  if (!documented) return `status ${status} is not documented`;
  if (body === undefined)
    return documented.schema ? `status ${status} documents a body; none was sent` : null;
  if (!documented.schema) return `status ${status} documents no body schema; one was sent`;
  // What the client receives: Dates as strings, undefined members gone.
  const sent: unknown = JSON.parse(JSON.stringify(body));
  const parsed = documented.schema.safeParse(sent);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `${issue.path.join('.') || '(body)'}: ${issue.message}`;
  }
  // zod objects drop members they do not declare: any difference is an undocumented field.
  const extra = firstDifference(sent, parsed.data, '');
  return extra === null ? null : `${extra}: sent but not documented`;
}

function firstDifference(sent: unknown, documented: unknown, at: string): string | null {
  if (Array.isArray(sent) && Array.isArray(documented)) {
    for (let i = 0; i < sent.length; i++) {
      const d = firstDifference(sent[i], documented[i], `${at}${at ? '.' : ''}${i}`);
      if (d !== null) return d;
    }
    return null;
  }
  if (sent && typeof sent === 'object' && documented && typeof documented === 'object') {
    for (const [key, value] of Object.entries(sent)) {
      const path = `${at}${at ? '.' : ''}${key}`;
      if (!(key in documented)) return path;
      const d = firstDifference(value, (documented as Record<string, unknown>)[key], path);
      if (d !== null) return d;
    }
  }
  return null;
}

function checkResponse(spec: RouteSpec<z.ZodType, z.ZodObject, z.ZodObject>, status: number, body: unknown) {
  const contentType = spec.responses[status]?.contentType;
  if (contentType && !/json/.test(contentType)) return;
  const mismatch = responseMismatch(spec, status, body);
  if (mismatch) {
    // Only tests check responses: the 500's detail names the mismatch so the failing test shows it.
    throw new HttpProblem(
      500,
      `${spec.method.toUpperCase()} ${spec.path} answered ${status} off its documented schema: ${mismatch}`,
    );
  }
}

function parse(schema: z.ZodType | undefined, value: unknown, location: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) {
    // The same input again with zod's Chinese messages, for the problem's zh text.
    const zh = schema.safeParse(value, { error: ZH_MESSAGES });
    throw fromZodError(result.error, location, zh.success ? undefined : zh.error);
  }
  return result.data;
}
