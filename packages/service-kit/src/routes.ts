import express, { type Request, type Response, type Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Role } from '@honglian/contracts';
import { fromZodError, forbidden } from './problem.js';
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
      ...(spec.public ? {} : { security: [{ bearerAuth: [] }] }),
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

function parse(schema: z.ZodType | undefined, value: unknown, location: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw fromZodError(result.error, location);
  return result.data;
}
